#include <QtTest>

#include <QBarCategoryAxis>
#include <QChart>
#include <QLineSeries>
#include <QLogValueAxis>

#include "auditfixture.h"
#include "biaschart.h"
#include "biassummary.h"
#include "biastablemodel.h"
#include "metrics.h"

using namespace Audit;

// The Bias tab's pieces over the hand-made fixture: tooltips carry the counts behind each
// verdict, failing cells are marked in text, the chart's axis is a log axis centred on 1 and
// its category labels are plain text even when a group value looks like markup.
class TestBiasTab : public QObject
{
    Q_OBJECT

private:
    static std::shared_ptr<const BiasReport> report(const QString &firstGroup = QStringLiteral("A"))
    {
        ScoredData data = auditFixture();
        data.columns[0].categories[0] = firstGroup.toStdString();
        BiasOptions options;
        options.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
        options.attributes = {QStringLiteral("g")};
        options.references = {{QStringLiteral("g"), firstGroup}};
        return std::make_shared<const BiasReport>(computeBias(data, options));
    }

private Q_SLOTS:
    void tooltips_defineTheMetricAndGiveTheCounts();
    void failingCells_markedInText();
    void highlightedColumns_markedInTheHeader();
    void chart_logAxisCentredOnOneWithTheBand();
    void chart_categoryLabelsArePlainText();
    void evidence_statesMarkedGreyedAndExplained();
};

void TestBiasTab::tooltips_defineTheMetricAndGiveTheCounts()
{
    const auto r = report();
    Ui::BiasTableModel model;
    model.setReport(r, QStringLiteral("g"));
    QCOMPARE(model.rowCount(), 4);
    const GroupMetrics &a = *model.group(0);
    for (int row = 0; row < model.rowCount(); ++row) {
        const GroupMetrics &g = *model.group(row);
        for (BiasMetric metric : kBiasMetrics) {
            const QString tip = model.index(row, Ui::BiasTableModel::columnOf(metric)).data(Qt::ToolTipRole).toString();
            QVERIFY2(tip.contains(biasMetricFormula(g, metric).text), qPrintable(tip)); // the group's counts
            QVERIFY2(tip.contains(biasMetricFormula(a, metric).text), qPrintable(tip)); // the reference's
            QVERIFY2(tip.contains(QStringLiteral("0.80 to 1.25")), qPrintable(tip));
            QVERIFY2(tip.contains(QStringLiteral("against A")), qPrintable(tip));
        }
    }
    // C's FPR: 1 / 2 against A's 1 / 3, disparity 1.5: FPR Parity fails.
    const QString tip = model.index(2, Ui::BiasTableModel::Fpr).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("False positive rate")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("C: 0.500, FPR = fp / (fp + tn) = 1 / 2")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("A (reference): 0.333, FPR = fp / (fp + tn) = 1 / 3")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("Disparity 1.500")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("FPR Parity fails")), qPrintable(tip));
    // The Fails cell lists each failing parity with its disparity and counts.
    for (int row = 1; row < model.rowCount(); ++row) {
        const GroupMetrics &g = *model.group(row);
        const QString fails = model.index(row, Ui::BiasTableModel::Failed).data(Qt::ToolTipRole).toString();
        for (BiasMetric metric : kBiasMetrics) {
            const bool failed = g.states[std::size_t(metric)] == VerdictState::Fail;
            QCOMPARE(fails.contains(QStringLiteral("✗ ") + parityName(Parity(std::size_t(metric))) + QLatin1Char(':')), failed);
            if (failed)
                QVERIFY2(fails.contains(biasMetricFormula(g, metric).text), qPrintable(fails));
        }
    }
}

void TestBiasTab::failingCells_markedInText()
{
    const auto r = report();
    Ui::BiasTableModel model;
    model.setReport(r, QStringLiteral("g"));
    for (int row = 0; row < model.rowCount(); ++row) {
        for (BiasMetric metric : kBiasMetrics) {
            const Verdict v = model.group(row)->parities[std::size_t(metric)];
            const QString text = model.index(row, Ui::BiasTableModel::columnOf(metric)).data().toString();
            QCOMPARE(text.startsWith(QStringLiteral("✗")), v.has_value() && !*v);
        }
    }
}

void TestBiasTab::highlightedColumns_markedInTheHeader()
{
    Ui::BiasTableModel model;
    model.setReport(report(), QStringLiteral("g"));
    for (const ParityAdvice &advice :
         {fairnessTree(Intervention::Punitive, Concern::Selected), fairnessTree(Intervention::Assistive, Concern::Everyone)}) {
        model.setHighlightedMetrics(advice.metrics);
        for (int c = 0; c < Ui::BiasTableModel::ColumnCount; ++c) {
            const std::optional<BiasMetric> m = Ui::BiasTableModel::metricOf(c);
            const bool advised = m && std::find(advice.metrics.begin(), advice.metrics.end(), *m) != advice.metrics.end();
            QCOMPARE(model.headerData(c, Qt::Horizontal).toString().startsWith(QStringLiteral("▶")), advised);
            QCOMPARE(model.headerData(c, Qt::Horizontal, Qt::FontRole).isValid(), advised);
        }
    }
}

void TestBiasTab::chart_logAxisCentredOnOneWithTheBand()
{
    const auto r = report();
    std::vector<const GroupMetrics *> groups;
    for (const GroupMetrics &g : r->groups)
        groups.push_back(&g);
    const Ui::BiasChart chart = Ui::makeBiasChart(groups, BiasMetric::Fpr, 0.8, QStringLiteral("g"), Qt::black);
    std::unique_ptr<QChart> owner(chart.chart);
    const auto axes = chart.chart->axes(Qt::Vertical);
    QCOMPARE(axes.size(), 1);
    auto *y = qobject_cast<QLogValueAxis *>(axes.front());
    QVERIFY(y);
    QVERIFY(qFuzzyCompare(y->min() * y->max(), 1.0)); // centred on 1
    QVERIFY(y->min() < 0.8 && y->max() > 1.25);
    QVERIFY(y->max() >= 3.0); // D's FPR disparity, 3, is in view
    QCOMPARE(chart.failing, (QStringList{QStringLiteral("B"), QStringLiteral("C"), QStringLiteral("D")}));
    // Pass and fail are told apart by a mark in the label, not only by colour.
    QVERIFY(chart.categories[1].contains(QStringLiteral("✗")));
    QVERIFY(chart.categories[0].contains(QStringLiteral("reference")));
}

void TestBiasTab::chart_categoryLabelsArePlainText()
{
    const auto r = report(QStringLiteral("<0"));
    std::vector<const GroupMetrics *> groups;
    for (const GroupMetrics &g : r->groups)
        groups.push_back(&g);
    const Ui::BiasChart chart = Ui::makeBiasChart(groups, BiasMetric::Ppr, 0.8, QStringLiteral("g"), Qt::black);
    std::unique_ptr<QChart> owner(chart.chart);
    auto *x = qobject_cast<QBarCategoryAxis *>(chart.chart->axes(Qt::Horizontal).front());
    QVERIFY(x);
    QCOMPARE(x->categories().size(), 4);
    QVERIFY2(x->categories().front().startsWith(QStringLiteral("&lt;0 (ref)")), qPrintable(x->categories().front()));
    QCOMPARE(chart.groups.front(), QStringLiteral("<0"));
}

// The default evidence verdicts on the counts fixture (auditfixture.h): F fails FPR parity
// significantly, N is outside the band within chance, S (18 rows) is insufficient data.
void TestBiasTab::evidence_statesMarkedGreyedAndExplained()
{
    BiasOptions options;
    options.attributes = {QStringLiteral("g")};
    options.references = {{QStringLiteral("g"), QStringLiteral("R")}};
    const auto r = std::make_shared<const BiasReport>(computeBias(countsFixture(kEvidenceGroups), options));
    Ui::BiasTableModel model;
    model.setReport(r, QStringLiteral("g"));
    QCOMPARE(model.rowCount(), 4);
    const int fpr = Ui::BiasTableModel::Fpr;
    QVERIFY(model.index(1, fpr).data().toString().startsWith(QStringLiteral("✗ ")));
    QVERIFY(model.index(2, fpr).data().toString().startsWith(QStringLiteral("~ ")));
    QVERIFY(model.index(3, fpr).data().toString().startsWith(QStringLiteral("? ")));
    // The tooltip gives the interval, the test, p and q as the CLI prints them.
    const GroupMetrics &f = *model.group(1);
    const QString tip = model.index(1, fpr).data(Qt::ToolTipRole).toString();
    const std::size_t i = std::size_t(BiasMetric::Fpr);
    QVERIFY2(
        tip.contains(QStringLiteral("95% interval %1–%2")
                         .arg(QString::number(f.disparityCi[i].low, 'f', 3), QString::number(f.disparityCi[i].high, 'f', 3))),
        qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("Fisher's exact test against the reference: p = %1, q = %2")
                              .arg(pValueText(f.significance[i]), pValueText(f.qValues[i]))),
             qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("FPR Parity fails")), qPrintable(tip));
    const QString notSignificant = model.index(2, fpr).data(Qt::ToolTipRole).toString();
    QVERIFY2(notSignificant.contains(QStringLiteral("outside the band, but not significant")), qPrintable(notSignificant));
    // S: greyed, and its verdict cell says why.
    QVERIFY(model.index(3, Ui::BiasTableModel::Group).data(Qt::ForegroundRole).isValid());
    QVERIFY(!model.index(1, Ui::BiasTableModel::Group).data(Qt::ForegroundRole).isValid());
    QCOMPARE(model.index(3, Ui::BiasTableModel::Failed).data().toString(),
             QStringLiteral("? insufficient data (18 rows (minimum 30))"));
    QVERIFY(
        model.index(3, Ui::BiasTableModel::Failed).data(Qt::ToolTipRole).toString().contains(QStringLiteral("decide nothing")));
    QVERIFY(model.index(2, Ui::BiasTableModel::Failed).data().toString().contains(QStringLiteral("~ not significant: FPR")));

    // The chart: one marker series per state, each group's label marked, and a capped interval
    // whisker (three line series) for each group but the reference.
    std::vector<const GroupMetrics *> groups;
    for (const GroupMetrics &g : r->groups)
        groups.push_back(&g);
    const Ui::BiasChart chart = Ui::makeBiasChart(groups, BiasMetric::Fpr, 0.8, QStringLiteral("g"), Qt::black);
    std::unique_ptr<QChart> owner(chart.chart);
    QCOMPARE(chart.failing, QStringList{QStringLiteral("F")});
    QVERIFY(chart.categories[1].contains(QStringLiteral("✗ 3.00×")));
    QVERIFY(chart.categories[2].contains(QStringLiteral("~ 1.50×")));
    QVERIFY(chart.categories[3].contains(QStringLiteral("? ")));
    int whiskerPoints = 0;
    bool sawInterval = false;
    for (QAbstractSeries *series : chart.chart->series()) {
        auto *line = qobject_cast<QLineSeries *>(series);
        sawInterval = sawInterval || series->name() == QLatin1String("95% interval");
        if (line && line->pen().widthF() == 1.5)
            whiskerPoints += int(line->count());
    }
    QVERIFY(sawInterval);
    QCOMPARE(whiskerPoints, 3 * 3 * 2); // F, N, S: a whisker and two caps of two points each
    // F's whisker spans its interval on the log axis.
    const auto axes = chart.chart->axes(Qt::Vertical);
    auto *y = qobject_cast<QLogValueAxis *>(axes.front());
    QVERIFY(y->min() < f.disparityCi[i].low && y->max() > f.disparityCi[i].high);
}

QTEST_MAIN(TestBiasTab)
#include "tst_biastab.moc"
