#include <QtTest>

#include <QAbstractItemModelTester>

#include "auditfixture.h"
#include "biastablemodel.h"
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
    QVERIFY(a.data().toString().startsWith(QStringLiteral("0.667  [")));
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
        const QString feature = proxy.index(r, SliceTableModel::Feature).data().toString();
        const QString value = proxy.index(r, SliceTableModel::Value).data().toString();
        QVERIFY(feature.contains(QLatin1Char('b'), Qt::CaseInsensitive) || value.contains(QLatin1Char('b'), Qt::CaseInsensitive));
    }
    proxy.setText({});
    proxy.setMinimumSize(5);
    for (int r = 0; r < proxy.rowCount(); ++r)
        QVERIFY(proxy.index(r, SliceTableModel::Size).data(SliceTableModel::RawValueRole).toLongLong() >= 5);
    proxy.setMinimumSize(0);
    proxy.setWeakOnly(true);
    QCOMPARE(proxy.rowCount(), int(report->weak.size()));
}

void TestSliceTableModel::biasModel_rowsPerAttributeAndFailColour()
{
    BiasOptions options;
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
