#include <QtTest>

#include <QAbstractItemModelTester>

#include "auditfixture.h"
#include "biastablemodel.h"
#include "metrics.h"
#include "slicetablemodel.h"

using namespace Audit;
using Ui::SliceFilterProxy;
using Ui::SliceTableModel;

// The slice and bias table models: row counts equal the core reports', sorting goes by raw
// numbers, filters work, and every model passes QAbstractItemModelTester.
class TestSliceTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rows_matchReport();
    void sort_usesRawNumbers();
    void filters_textSizeLevelWeak();
    void keyColumns_sliceThenChosenMetricIntervalGap();
    void weakModel_ranksAndSortsTheCoreWeakSlices();
    void biasModel_rowsPerAttributeAndFailColour();
};

void TestSliceTableModel::rows_matchReport()
{
    SliceOptions options;
    options.minSize = 1;
    auto report = std::make_shared<const SliceReport>(computeSlices(auditFixture(), options));
    SliceTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setReport(report);
    QCOMPARE(model.rowCount(), int(report->slices.size()));
    QCOMPARE(model.columnCount(), int(SliceTableModel::ColumnCount));
    const QModelIndex a = model.index(0, SliceTableModel::Precision);
    QCOMPARE(a.data(SliceTableModel::RawValueRole).toDouble(), report->slices[0].precision);
    QCOMPARE(a.data().toString(), QStringLiteral("0.667"));
    QVERIFY(a.data(Qt::ToolTipRole).toString().contains(QStringLiteral("95%")));
    QVERIFY(!model.headerData(SliceTableModel::Recall, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
    model.setReport(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

void TestSliceTableModel::sort_usesRawNumbers()
{
    // Sizes 6, 4, 2, 2 (and 8 and 7 for x): sorting "n" must be numeric, not text.
    SliceOptions options;
    options.cross = 1;
    auto report = std::make_shared<const SliceReport>(computeSlices(auditFixture(), options));
    SliceTableModel model;
    SliceFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setReport(report);
    proxy.sort(SliceTableModel::Size, Qt::DescendingOrder);
    qlonglong previous = std::numeric_limits<qlonglong>::max();
    for (int r = 0; r < proxy.rowCount(); ++r) {
        const qlonglong n = proxy.index(r, SliceTableModel::Size).data(SliceTableModel::RawValueRole).toLongLong();
        QVERIFY(n <= previous);
        previous = n;
    }
    QCOMPARE(proxy.index(0, SliceTableModel::Size).data(SliceTableModel::RawValueRole).toLongLong(), 8);
}

void TestSliceTableModel::filters_textSizeLevelWeak()
{
    SliceOptions options;
    options.minSize = 1;
    auto report = std::make_shared<const SliceReport>(computeSlices(auditFixture(), options));
    SliceTableModel model;
    SliceFilterProxy proxy;
    proxy.setSourceModel(&model);
    model.setReport(report);
    const int all = proxy.rowCount();
    proxy.setFeatureCount(1);
    QCOMPARE(proxy.rowCount(), 4 + 2); // g: A B C D; x: two bins
    proxy.setFeatureCount(2);
    QCOMPARE(proxy.rowCount(), all - 6);
    proxy.setFeatureCount(0);
    proxy.setText(QStringLiteral("b"));
    for (int r = 0; r < proxy.rowCount(); ++r) {
        const SliceRow &row = report->slices[std::size_t(proxy.index(r, 0).data(SliceTableModel::SliceIndexRole).toInt())];
        QVERIFY(row.feature().contains(QLatin1Char('b'), Qt::CaseInsensitive)
                || row.value().contains(QLatin1Char('b'), Qt::CaseInsensitive));
    }
    proxy.setText({});
    proxy.setMinimumSize(5);
    for (int r = 0; r < proxy.rowCount(); ++r)
        QVERIFY(proxy.index(r, SliceTableModel::Size).data(SliceTableModel::RawValueRole).toLongLong() >= 5);
    proxy.setMinimumSize(0);
    proxy.setWeakOnly(true);
    QCOMPARE(proxy.rowCount(), int(report->weak.size()));
}

void TestSliceTableModel::keyColumns_sliceThenChosenMetricIntervalGap()
{
    // The columns a reader needs first: the slice's name, n, positives, then the chosen
    // metric (the report's weak metric), its interval and the gap, all from the core row.
    SliceOptions options;
    options.minSize = 1;
    options.weakMetric = SliceMetric::Recall;
    auto report = std::make_shared<const SliceReport>(computeSlices(auditFixture(), options));
    SliceTableModel model;
    model.setReport(report);
    QCOMPARE(SliceTableModel::Slice, 0);
    QVERIFY(SliceTableModel::Size < SliceTableModel::Metric);
    QCOMPARE(int(SliceTableModel::Interval), SliceTableModel::Metric + 1);
    QCOMPARE(int(SliceTableModel::Gap), SliceTableModel::Interval + 1);
    QCOMPARE(model.headerData(SliceTableModel::Metric, Qt::Horizontal).toString(), QStringLiteral("Recall"));
    // Slice 0 is g = A: recall 2/3.
    const SliceRow &a = report->slices[0];
    QCOMPARE(model.index(0, SliceTableModel::Slice).data().toString(), QStringLiteral("g = A"));
    QCOMPARE(model.index(0, SliceTableModel::Metric).data().toString(), QStringLiteral("0.667"));
    QCOMPARE(model.index(0, SliceTableModel::Metric).data(SliceTableModel::RawValueRole).toDouble(), a.recall);
    QCOMPARE(model.index(0, SliceTableModel::Interval).data().toString(),
             QStringLiteral("%1–%2").arg(a.recallCi.low, 0, 'f', 3).arg(a.recallCi.high, 0, 'f', 3));
    QCOMPARE(model.index(0, SliceTableModel::Gap).data(SliceTableModel::RawValueRole).toDouble(), a.gap);
    // Then the evidence: the gap's lower bound, p and q. A has 3 positives, under the 10 a
    // test needs: no p, and the tooltip says why.
    QCOMPARE(int(SliceTableModel::GapLow), SliceTableModel::Gap + 1);
    QCOMPARE(int(SliceTableModel::P), SliceTableModel::GapLow + 1);
    QCOMPARE(int(SliceTableModel::Q), SliceTableModel::P + 1);
    QCOMPARE(model.index(0, SliceTableModel::GapLow).data(SliceTableModel::RawValueRole).toDouble(), a.gapLow);
    QCOMPARE(model.index(0, SliceTableModel::P).data().toString(), QStringLiteral("–"));
    QVERIFY2(model.index(0, SliceTableModel::P)
                 .data(Qt::ToolTipRole)
                 .toString()
                 .startsWith(QStringLiteral("Not tested: ") + a.untested),
             qPrintable(model.index(0, SliceTableModel::P).data(Qt::ToolTipRole).toString()));
    // An intersection names each feature with its value.
    for (int r = 0; r < model.rowCount(); ++r) {
        const SliceRow &row = report->slices[std::size_t(r)];
        if (row.features.size() == 2) {
            QCOMPARE(model.index(r, SliceTableModel::Slice).data().toString(),
                     QStringLiteral("%1 = %2 & %3 = %4").arg(row.features[0], row.values[0], row.features[1], row.values[1]));
            break;
        }
    }
    // Every column has a stable settings key, and they differ.
    QSet<QString> keys;
    for (int c = 0; c < SliceTableModel::ColumnCount; ++c)
        keys.insert(SliceTableModel::columnKey(c));
    QCOMPARE(keys.size(), int(SliceTableModel::ColumnCount));
}

void TestSliceTableModel::weakModel_ranksAndSortsTheCoreWeakSlices()
{
    SliceOptions options;
    options.minSize = 1;
    options.weakMargin = 0.0;
    options.minPositives = 0; // the 15-row fixture is far too small to test: accept every gap
    options.fdrQ = 1;
    auto report = std::make_shared<const SliceReport>(computeSlices(auditFixture(), options));
    QVERIFY(report->weak.size() >= 2);
    Ui::WeakSliceModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setReport(report);
    QCOMPARE(model.rowCount(), int(report->weak.size()));
    for (int r = 0; r < model.rowCount(); ++r) {
        const std::size_t slice = report->weak[std::size_t(r)];
        QCOMPARE(model.index(r, Ui::WeakSliceModel::Rank).data().toInt(), r + 1);
        QCOMPARE(model.index(r, Ui::WeakSliceModel::Slice).data(SliceTableModel::SliceIndexRole).toInt(), int(slice));
        QCOMPARE(model.index(r, Ui::WeakSliceModel::Slice).data().toString(), SliceTableModel::sliceName(report->slices[slice]));
        QCOMPARE(model.index(r, Ui::WeakSliceModel::LabelPositives).data(SliceTableModel::RawValueRole).toLongLong(),
                 qlonglong(report->slices[slice].labelPositives()));
        QCOMPARE(model.index(r, Ui::WeakSliceModel::Gap).data(SliceTableModel::RawValueRole).toDouble(),
                 report->slices[slice].gap);
        // The evidence, as the CLI and the card print it.
        const SliceRow &row = report->slices[slice];
        QCOMPARE(model.index(r, Ui::WeakSliceModel::GapLow).data(SliceTableModel::RawValueRole).toDouble(), row.gapLow);
        QCOMPARE(model.index(r, Ui::WeakSliceModel::P).data().toString(), pValueText(row.p, QStringLiteral("–")));
        QCOMPARE(model.index(r, Ui::WeakSliceModel::Q).data().toString(), pValueText(row.q, QStringLiteral("–")));
    }
    // Sorted by n through a proxy: numeric, not text.
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(SliceTableModel::RawValueRole);
    proxy.sort(Ui::WeakSliceModel::Size, Qt::DescendingOrder);
    for (int r = 1; r < proxy.rowCount(); ++r)
        QVERIFY(proxy.index(r - 1, Ui::WeakSliceModel::Size).data(SliceTableModel::RawValueRole).toLongLong()
                >= proxy.index(r, Ui::WeakSliceModel::Size).data(SliceTableModel::RawValueRole).toLongLong());
    model.setReport(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

void TestSliceTableModel::biasModel_rowsPerAttributeAndFailColour()
{
    BiasOptions options;
    options.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
    options.attributes = {QStringLiteral("g"), QStringLiteral("x")};
    options.references = {{QStringLiteral("g"), QStringLiteral("A")}};
    options.method = ReferenceMethod::Majority;
    auto report = std::make_shared<const BiasReport>(computeBias(auditFixture(), options));
    Ui::BiasTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setReport(report, QStringLiteral("g"));
    QCOMPARE(model.rowCount(), 4);
    model.setReport(report, {});
    QCOMPARE(model.rowCount(), int(report->groups.size()));
    model.setReport(report, QStringLiteral("g"));
    // B fails FPR parity (disparity 0): its FPR cell is coloured, A's (the reference) is not.
    QVERIFY(model.index(1, Ui::BiasTableModel::Fpr).data(Qt::BackgroundRole).isValid());
    QVERIFY(!model.index(0, Ui::BiasTableModel::Fpr).data(Qt::BackgroundRole).isValid());
    QCOMPARE(model.index(0, Ui::BiasTableModel::Group).data().toString(), QStringLiteral("A (ref)"));
    QVERIFY(model.index(1, Ui::BiasTableModel::Failed).data().toString().contains(QStringLiteral("FPR Parity")));
    QVERIFY(model.index(1, Ui::BiasTableModel::Fpr).data(Qt::ToolTipRole).toString().contains(QStringLiteral("against A")));
}

QTEST_GUILESS_MAIN(TestSliceTableModel)
#include "tst_slicetablemodel.moc"
