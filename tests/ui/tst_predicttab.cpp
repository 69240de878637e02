#include <QtTest>

#include <QAbstractItemModelTester>
#include <QBarCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLineSeries>
#include <QSpinBox>
#include <QTableView>

#include "featureinfluence.h"
#include "influencetablemodel.h"
#include "predicttab.h"
#include "projectfixture.h"
#include "projectsession.h"
#include "whatifsweep.h"

// The Predict tab on a real project (census sample, logistic model; offscreen): the what-if
// chart sweeps a number over its quantiles in the audit data and marks where the answer
// flips, and the features are ranked by how much they move this prediction, off the GUI
// thread, the same ranking core computes; clicking a row charts that feature.
class TestPredictTab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void ranking_isCoresRankingOfTheFormsRecord();
    void numericChart_pointsAreTheQuantiles();
    void flips_markedOnTheChartAndSaidInWords();
    void categoricalChart_everyCategoryAndItsFlipsInWords();
    void clickingARankingRow_chartsThatFeature();
    void editingTheForm_ranksAgain();

private:
    static QStringList categoriesOf(QChartView *view);
    std::vector<Audit::FeatureInfluence> coreRanking() const;
    bool waitForRanking();

    QTemporaryDir m_dir;
    Ui::ProjectSession *m_session = nullptr;
    Ui::PredictTab *m_tab = nullptr;
};

QStringList TestPredictTab::categoriesOf(QChartView *view)
{
    for (QAbstractAxis *axis : view->chart()->axes(Qt::Horizontal)) {
        if (auto *x = qobject_cast<QBarCategoryAxis *>(axis))
            return x->categories();
    }
    return {};
}

std::vector<Audit::FeatureInfluence> TestPredictTab::coreRanking() const
{
    const Ui::LoadedProject &p = m_session->project();
    return Audit::rankFeatures(*p.model, m_tab->record(), m_session->threshold(), p.data.get());
}

bool TestPredictTab::waitForRanking()
{
    QTest::qWaitFor([this] { return !m_tab->isRanking(); }, 30000);
    return !m_tab->isRanking();
}

void TestPredictTab::initTestCase()
{
    TestUtil::makeProject(m_dir);
    m_session = new Ui::ProjectSession(this);
    m_tab = new Ui::PredictTab(m_session);
    m_tab->resize(1280, 800);
    m_tab->show();
    new QAbstractItemModelTester(m_tab->influenceModel(), QAbstractItemModelTester::FailureReportingMode::QtTest, this);
    QSignalSpy loaded(m_session, &Ui::ProjectSession::projectLoaded);
    m_session->openProject(m_dir.path());
    QVERIFY(loaded.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(m_session->results() != nullptr, 60000);
    QVERIFY(m_session->project().data);
    QVERIFY(waitForRanking());
}

void TestPredictTab::ranking_isCoresRankingOfTheFormsRecord()
{
    const std::vector<Audit::FeatureInfluence> expected = coreRanking();
    Ui::InfluenceTableModel *model = m_tab->influenceModel();
    QCOMPARE(model->rowCount(), int(m_session->project().model->schema().features().size()));
    QCOMPARE(std::size_t(model->rowCount()), expected.size());
    for (int row = 0; row < model->rowCount(); ++row) {
        const Audit::FeatureInfluence &e = expected[std::size_t(row)];
        QCOMPARE(model->index(row, Ui::InfluenceTableModel::Feature).data().toString(), e.name);
        QCOMPARE(model->index(row, Ui::InfluenceTableModel::Swing).data(Ui::InfluenceTableModel::RawValueRole).toDouble(),
                 e.swing());
        QCOMPARE(model->index(row, Ui::InfluenceTableModel::Swing).data().toString(), QString::number(e.swing(), 'f', 3));
        QCOMPARE(model->index(row, Ui::InfluenceTableModel::Flips).data(Ui::InfluenceTableModel::RawValueRole).toBool(), e.flips);
        if (row > 0)
            QVERIFY(expected[std::size_t(row) - 1].swing() >= e.swing());
    }
    // Shown in core's order; sortable: by swing ascending puts the least influential first.
    QTableView *view = m_tab->rankingView();
    QCOMPARE(view->model()->index(0, Ui::InfluenceTableModel::Feature).data().toString(), expected.front().name);
    view->sortByColumn(Ui::InfluenceTableModel::Swing, Qt::AscendingOrder);
    QCOMPARE(view->model()->index(0, Ui::InfluenceTableModel::Feature).data().toString(), expected.back().name);
    view->sortByColumn(Ui::InfluenceTableModel::Swing, Qt::DescendingOrder);
    QCOMPARE(view->model()->index(0, Ui::InfluenceTableModel::Feature).data().toString(), expected.front().name);
}

void TestPredictTab::numericChart_pointsAreTheQuantiles()
{
    const Ui::LoadedProject &p = m_session->project();
    const auto &features = p.model->schema().features();
    int checked = 0;
    for (std::size_t f = 0; f < features.size(); ++f) {
        if (!features[f].isNumeric())
            continue;
        m_tab->whatIfBox()->setCurrentIndex(int(f));
        const double own = m_tab->record().numbers[f];
        QStringList expected;
        for (const double v : Audit::quantileSweepValues(p.data->columns[f].numbers, features[f].type, own))
            expected << Audit::sweepValueText(v, features[f].type).toHtmlEscaped();
        QStringList shown = categoriesOf(m_tab->chartView());
        // One bar per quantile; labels thinned to the room there is (the others blank), never
        // a wrong one, the record's own always named.
        QCOMPARE(shown.size(), expected.size());
        int named = 0;
        for (qsizetype i = 0; i < shown.size(); ++i) {
            if (shown[i].trimmed().isEmpty())
                continue;
            QCOMPARE(shown[i], expected[i]);
            ++named;
        }
        QVERIFY(named >= std::min<qsizetype>(4, expected.size()));
        QCOMPARE(shown.removeDuplicates(), qsizetype(0)); // a category axis needs unique names
        QVERIFY(m_tab->currentWhatIfBar() >= 0);
        QCOMPARE(shown[m_tab->currentWhatIfBar()], Audit::sweepValueText(own, features[f].type));
        QVERIFY(m_tab->chartView()->chart()->title().contains(QStringLiteral("quantiles in test.csv")));
        ++checked;
    }
    QVERIFY(checked > 0);
}

void TestPredictTab::flips_markedOnTheChartAndSaidInWords()
{
    // Walk the data until a row has a number whose sweep flips the answer.
    const Ui::LoadedProject &p = m_session->project();
    std::optional<std::size_t> feature;
    for (int row = 1; row <= 200 && !feature; ++row) {
        m_tab->rowBox()->setValue(row);
        for (const Audit::FeatureInfluence &f : coreRanking()) {
            if (f.sweep.numeric && !f.sweep.flips.empty()) {
                feature = f.feature;
                break;
            }
        }
    }
    QVERIFY2(feature, "no row in the first 200 has a numeric feature that flips its answer");
    m_tab->whatIfBox()->setCurrentIndex(int(*feature));
    const Audit::WhatIfSweep sweep = Audit::sweepFeature(*p.model, m_tab->record(), *feature, m_session->threshold(),
                                                         p.data.get());
    QVERIFY(!sweep.flips.empty());
    QCOMPARE(m_tab->flipText(),
             QStringLiteral("%1: %2").arg(p.model->schema().features()[*feature].name,
                                          Audit::describeFlips(sweep, p.model->schema())));
    QVERIFY2(m_tab->flipText().contains(QStringLiteral("flips to")), qPrintable(m_tab->flipText()));
    // A dotted line between the two bars either side of each flip.
    QList<double> lines;
    for (QAbstractSeries *series : m_tab->chartView()->chart()->series()) {
        if (series->name() == QStringLiteral("flip"))
            lines << static_cast<QLineSeries *>(series)->at(0).x();
    }
    QCOMPARE(lines.size(), qsizetype(sweep.flips.size()));
    for (qsizetype i = 0; i < lines.size(); ++i)
        QCOMPARE(lines[i], double(sweep.flips[std::size_t(i)].after) + 0.5);
    QVERIFY(waitForRanking());
}

void TestPredictTab::categoricalChart_everyCategoryAndItsFlipsInWords()
{
    const Ui::LoadedProject &p = m_session->project();
    const auto &features = p.model->schema().features();
    const auto categorical = std::find_if(features.begin(), features.end(),
                                          [](const Audit::ColumnSpec &s) { return !s.isNumeric(); });
    QVERIFY(categorical != features.end());
    const auto f = std::size_t(categorical - features.begin());
    m_tab->whatIfBox()->setCurrentIndex(int(f));
    QStringList expected;
    for (const std::string &c : p.model->encoder().columns()[f].categories)
        expected << QString::fromStdString(c).toHtmlEscaped();
    QCOMPARE(categoriesOf(m_tab->chartView()), expected);
    const Audit::WhatIfSweep sweep = Audit::sweepFeature(*p.model, m_tab->record(), f, m_session->threshold(), p.data.get());
    QCOMPARE(m_tab->flipText(), QStringLiteral("%1: %2").arg(categorical->name, Audit::describeFlips(sweep, p.model->schema())));
    QVERIFY(m_tab->flipText().contains(QStringLiteral("flips to")) || m_tab->flipText().contains(QStringLiteral("no category")));
    QCOMPARE(m_tab->chartView()->chart()->series().size(), 2); // bars and the threshold line: no order to flip along
}

void TestPredictTab::clickingARankingRow_chartsThatFeature()
{
    QVERIFY(waitForRanking());
    QTableView *view = m_tab->rankingView();
    for (int row : {view->model()->rowCount() - 1, 0}) {
        const QModelIndex index = view->model()->index(row, Ui::InfluenceTableModel::Feature);
        const int feature = index.data(Ui::InfluenceTableModel::FeatureIndexRole).toInt();
        if (feature == m_tab->whatIfBox()->currentIndex())
            continue;
        view->scrollTo(index);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
        QCOMPARE(m_tab->whatIfBox()->currentIndex(), feature);
        QCOMPARE(m_tab->whatIfSweep().feature, std::size_t(feature));
        QVERIFY(m_tab->chartView()->chart()->title().contains(index.data().toString().toHtmlEscaped()));
    }
    QVERIFY(!m_tab->isRanking()); // charting another feature does not rank again
    // And the other way: picking a feature above the chart selects its row.
    m_tab->whatIfBox()->setCurrentIndex(0);
    QCOMPARE(view->currentIndex().data(Ui::InfluenceTableModel::FeatureIndexRole).toInt(), 0);
    QCOMPARE(view->selectionModel()->selectedRows().size(), qsizetype(1));
}

void TestPredictTab::editingTheForm_ranksAgain()
{
    QVERIFY(waitForRanking());
    const Ui::LoadedProject &p = m_session->project();
    const auto &features = p.model->schema().features();
    const auto numeric = std::find_if(features.begin(), features.end(), [](const Audit::ColumnSpec &s) { return s.isNumeric(); });
    QVERIFY(numeric != features.end());
    auto *box = qobject_cast<QDoubleSpinBox *>(m_tab->field(numeric->name));
    QVERIFY(box);
    box->setValue(box->value() == box->maximum() ? box->minimum() : box->maximum());
    QVERIFY(m_tab->isRanking());
    QVERIFY(waitForRanking());
    const std::vector<Audit::FeatureInfluence> expected = coreRanking();
    for (int row = 0; row < m_tab->influenceModel()->rowCount(); ++row)
        QCOMPARE(m_tab->influenceModel()->influence(row)->swing(), expected[std::size_t(row)].swing());
}

QTEST_MAIN(TestPredictTab)
#include "tst_predicttab.moc"
