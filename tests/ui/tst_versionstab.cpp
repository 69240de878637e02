#include <QtTest>

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QLineSeries>
#include <QPushButton>
#include <QTableWidget>

#include "auditreport.h"
#include "csvreader.h"
#include "metrics.h"
#include "model.h"
#include "prediction.h"
#include "projectsession.h"
#include "versionfixture.h"
#include "versionstab.h"

// The Versions tab on a real git repository with two committed pipeline runs (offscreen):
// status and history appear, the latest change is compared without a click, and both
// models are audited side by side, the past one loaded from the DVC cache.
class TestVersionsTab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void showsStatusHistoryAndTheLatestChange();
    void curves_overlaidWithCoresAucAndClearedWhenAChanges();
    void auditsBothModelsSideBySide();
    void missingCacheEntrySaysHowToGetIt();
    void staleStageShowsAfterRefresh();

private:
    QStringList column(QTableWidget *table, int c) const;
    // rocAuc and averagePrecision of `rev`'s model on data/test.csv, computed here from the model file.
    std::pair<double, double> coreAucs(const QString &rev) const;
    static QStringList seriesNames(QChartView *view);

    QTemporaryDir m_dir;
    Ui::ProjectSession *m_session = nullptr;
    Ui::VersionsTab *m_tab = nullptr;
};

QStringList TestVersionsTab::column(QTableWidget *table, int c) const
{
    QStringList values;
    for (int r = 0; r < table->rowCount(); ++r)
        values << table->item(r, c)->text();
    return values;
}

std::pair<double, double> TestVersionsTab::coreAucs(const QString &rev) const
{
    const Audit::VersionStore store(m_dir.path());
    const Audit::Model model = Audit::Model::load(store.artifact(store.version(rev).rev, QStringLiteral("models/model.bin")));
    const Audit::Dataset data = Audit::CsvReader::read(m_dir.filePath(QStringLiteral("data/test.csv")), model.schema()).data;
    const std::vector<double> scores = model.score(data);
    return {Audit::rocAuc(scores, data.labels), Audit::averagePrecision(scores, data.labels)};
}

QStringList TestVersionsTab::seriesNames(QChartView *view)
{
    QStringList names;
    for (QAbstractSeries *series : view->chart()->series())
        names << series->name();
    return names;
}

void TestVersionsTab::initTestCase()
{
    VersionFixture::makeTwoVersions(m_dir);
    m_session = new Ui::ProjectSession(this);
    m_tab = new Ui::VersionsTab(m_session);
    m_tab->resize(1200, 800);
    m_tab->show();
    QSignalSpy compared(m_tab, &Ui::VersionsTab::compared);
    m_session->openProject(m_dir.path());
    QVERIFY(compared.wait(60000));
    QTRY_VERIFY(!m_tab->isBusy());
}

void TestVersionsTab::showsStatusHistoryAndTheLatestChange()
{
    QCOMPARE(column(m_tab->stagesTable(), 0), (QStringList{"train", "evaluate", "slices", "bias"}));
    QCOMPARE(column(m_tab->stagesTable(), 1), QStringList(4, QStringLiteral("up to date")));
    QVERIFY2(m_tab->message().startsWith(QStringLiteral("Pipeline up to date")), qPrintable(m_tab->message()));
    QVERIFY(column(m_tab->artifactsTable(), 0).contains(QStringLiteral("models/model.bin")));
    QCOMPARE(column(m_tab->historyTable(), 3), (QStringList{VersionFixture::kMessages[1], VersionFixture::kMessages[0]}));

    // Auto-compared: the older version against the newest.
    QCOMPARE(m_tab->versionA()->currentText().section(QLatin1Char(' '), 2), QString::fromLatin1(VersionFixture::kMessages[0]));
    QCOMPARE(m_tab->paramsTable()->rowCount(), 1);
    QCOMPARE(m_tab->paramsTable()->item(0, 0)->text(), QStringLiteral("params.yaml:model.logistic.c"));
    QCOMPARE(m_tab->paramsTable()->item(0, 2)->text(), QStringLiteral("0.0005"));
    const QStringList metrics = column(m_tab->metricsTable(), 0);
    QVERIFY(metrics.contains(QStringLiteral("reports/metrics.json:f1")));
    QVERIFY(m_tab->slicesTable()->rowCount() > 0);
    // Lower F1 first, then higher; each says whether the change is beyond chance, with p and q
    // as the CLI prints them.
    const QTableWidget *slices = m_tab->slicesTable();
    QCOMPARE(slices->horizontalHeaderItem(7)->text(), QStringLiteral("p"));
    bool seenHigher = false;
    int worse = 0;
    static const QRegularExpression pText(QStringLiteral("^(–|<1e-300|\\d\\.\\de-\\d\\d|[01]\\.\\d{4})$"));
    for (int r = 0; r < slices->rowCount(); ++r) {
        const double change = slices->item(r, 6)->data(Qt::DisplayRole).toDouble();
        QVERIFY(change != 0);
        seenHigher = seenHigher || change > 0;
        QVERIFY2(change > 0 || !seenHigher, "lower F1 rows come first");
        const QString verdict = slices->item(r, 9)->text();
        QVERIFY2(verdict == QLatin1String(change < 0 ? "worse" : "better") || verdict == QLatin1String("within chance")
                     || verdict.startsWith(QStringLiteral("not tested: ")),
                 qPrintable(verdict));
        worse += verdict == QLatin1String("worse");
        QVERIFY2(pText.match(slices->item(r, 7)->text()).hasMatch(), qPrintable(slices->item(r, 7)->text()));
        QVERIFY2(pText.match(slices->item(r, 8)->text()).hasMatch(), qPrintable(slices->item(r, 8)->text()));
        QVERIFY2((slices->item(r, 7)->text() == QStringLiteral("–")) == verdict.startsWith(QStringLiteral("not tested")),
                 qPrintable(slices->item(r, 7)->text() + verdict));
    }
    QVERIFY2(m_tab->diffNote().contains(QStringLiteral("tested), %1 got worse and").arg(worse)), qPrintable(m_tab->diffNote()));

    // The diff on screen goes into the audit report, as `modelaudit-cli diff` prints it.
    const QString diff = m_tab->shownDiffText();
    QVERIFY2(diff.startsWith(m_tab->diffNote()), qPrintable(diff));
    QVERIFY(diff.contains(QStringLiteral("params.yaml:model.logistic.c")));
    QTRY_VERIFY(m_session->results() != nullptr);
    Audit::ReportFacts facts = Audit::ReportFacts::of(m_session->project().model.get(), m_session->project().dataPath, QString(),
                                                      *m_session->results());
    facts.versionDiff = diff;
    const QString html = QString::fromUtf8(Audit::AuditReport::toHtml(facts, *m_session->results()));
    QVERIFY(html.contains(QStringLiteral("<h2>Version diff</h2>\n<pre>")));
    QVERIFY(html.contains(QStringLiteral("params.yaml:model.logistic.c")));
}

void TestVersionsTab::curves_overlaidWithCoresAucAndClearedWhenAChanges()
{
    // After Compare (here the one made without a click): A's and B's curves on the same data.
    const std::vector<Audit::VersionCurves> &curves = m_tab->shownCurves();
    QCOMPARE(curves.size(), std::size_t(2));
    const QString revs[] = {m_tab->versionA()->currentData().toString(), m_tab->versionB()->currentData().toString()};
    QStringList roc;
    QStringList pr;
    for (int i = 0; i < 2; ++i) {
        const auto [auc, ap] = coreAucs(revs[i]);
        QCOMPARE(curves[std::size_t(i)].rocAuc, auc);
        QCOMPARE(curves[std::size_t(i)].averagePrecision, ap);
        QCOMPARE(curves[std::size_t(i)].label, Audit::VersionStore(m_dir.path()).version(revs[i]).label);
        QVERIFY(curves[std::size_t(i)].roc.size() > 10);
        roc << QStringLiteral("%1: %2 (AUC %3)").arg(i == 0 ? "A" : "B", curves[std::size_t(i)].label).arg(auc, 0, 'f', 4);
        pr << QStringLiteral("%1: %2 (AP %3)").arg(i == 0 ? "A" : "B", curves[std::size_t(i)].label).arg(ap, 0, 'f', 4);
    }
    QVERIFY(curves[0].rocAuc != curves[1].rocAuc); // two different models
    QCOMPARE(seriesNames(m_tab->rocChartView()), QStringList{QStringLiteral("chance")} + roc);
    QCOMPARE(seriesNames(m_tab->prChartView()), pr);
    QVERIFY2(m_tab->curvesNote().startsWith(QStringLiteral("Both models scored on")), qPrintable(m_tab->curvesNote()));
    // Each series holds its version's curve, point for point.
    for (QAbstractSeries *series : m_tab->rocChartView()->chart()->series()) {
        if (series->name() == QStringLiteral("chance"))
            continue;
        const Audit::VersionCurves &c = curves[series->objectName() == QStringLiteral("A") ? 0 : 1];
        const QList<QPointF> points = static_cast<QLineSeries *>(series)->points();
        QCOMPARE(points.size(), qsizetype(c.roc.size()));
        QCOMPARE(points.back(), QPointF(c.roc.back().x, c.roc.back().y));
    }

    // A changes: the curves go until Compare is pressed again.
    const int a = m_tab->versionA()->currentIndex();
    m_tab->versionA()->setCurrentIndex(m_tab->versionB()->currentIndex());
    QVERIFY(m_tab->shownCurves().empty());
    QVERIFY(m_tab->rocChartView()->chart()->series().isEmpty());
    QVERIFY(m_tab->prChartView()->chart()->series().isEmpty());
    QCOMPARE(m_tab->curvesNote(), QStringLiteral("Compare A and B to see their curves."));
    m_tab->versionA()->setCurrentIndex(a);
    QVERIFY(m_tab->shownCurves().empty());
    QSignalSpy compared(m_tab, &Ui::VersionsTab::compared);
    m_tab->compare(false);
    QVERIFY(compared.wait(60000));
    QCOMPARE(m_tab->shownCurves().size(), std::size_t(2));

    // The data changes (another CSV opened; here the same rows): cleared too, until Compare.
    QSignalSpy refreshed(m_tab, &Ui::VersionsTab::refreshed);
    m_session->openDataset(m_dir.filePath(QStringLiteral("data/test.csv")), m_session->project().params.schemaPath);
    QVERIFY(refreshed.wait(60000));
    QTRY_VERIFY(!m_tab->isBusy());
    QVERIFY(m_tab->shownCurves().empty());
    QVERIFY(m_tab->rocChartView()->chart()->series().isEmpty());
    QCOMPARE(m_tab->metricsTable()->rowCount(), 0);
    m_tab->versionA()->setCurrentIndex(a);
    m_tab->compare(false);
    QVERIFY(compared.wait(60000));
    QCOMPARE(m_tab->shownCurves().size(), std::size_t(2));
}

void TestVersionsTab::auditsBothModelsSideBySide()
{
    QSignalSpy compared(m_tab, &Ui::VersionsTab::compared);
    const std::vector<Audit::VersionCurves> fromReports = m_tab->shownCurves();
    m_tab->compare(true);
    QVERIFY(compared.wait(60000));
    // Auditing both models scores the same rows: the same curves as Compare Reports drew.
    QCOMPARE(m_tab->shownCurves().size(), std::size_t(2));
    QCOMPARE(fromReports.size(), std::size_t(2));
    QCOMPARE(m_tab->shownCurves()[0].rocAuc, fromReports[0].rocAuc);
    QCOMPARE(m_tab->shownCurves()[1].averagePrecision, fromReports[1].averagePrecision);
    const QStringList metrics = column(m_tab->metricsTable(), 0);
    QVERIFY2(metrics.contains(QStringLiteral("audit:f1")), qPrintable(metrics.join(QLatin1Char(','))));
    const int f1 = int(metrics.indexOf(QStringLiteral("audit:f1")));
    const double before = m_tab->metricsTable()->item(f1, 1)->data(Qt::DisplayRole).toDouble();
    const double after = m_tab->metricsTable()->item(f1, 2)->data(Qt::DisplayRole).toDouble();
    QVERIFY(before > 0 && after > 0 && before != after);

    // Each version's own data: the test CSV as dvc.lock recorded it (here the same bytes).
    m_tab->versionedDataBox()->setChecked(true);
    m_tab->compare(true);
    QVERIFY(compared.wait(60000));
    QVERIFY2(m_tab->diffNote().contains(QStringLiteral("its version of data/test.csv")), qPrintable(m_tab->diffNote()));
    const int again = int(column(m_tab->metricsTable(), 0).indexOf(QStringLiteral("audit:f1")));
    QCOMPARE(m_tab->metricsTable()->item(again, 1)->data(Qt::DisplayRole).toDouble(), before);

    // The diff belongs to its A, B and data choice: changing one clears it until Compare.
    m_tab->versionedDataBox()->setChecked(false);
    QCOMPARE(m_tab->metricsTable()->rowCount(), 0);
    QVERIFY(m_tab->shownDiffText().isEmpty()); // nor does the report show it
    QCOMPARE(m_tab->slicesTable()->rowCount(), 0);
    QVERIFY2(m_tab->diffNote().startsWith(QStringLiteral("Pick A and B, then Compare")), qPrintable(m_tab->diffNote()));
    // A result that arrives after the choice changed is dropped, not shown under the new choice.
    m_tab->compare(true);
    m_tab->versionB()->setCurrentIndex(m_tab->versionA()->currentIndex());
    QVERIFY(compared.wait(60000));
    QCOMPARE(m_tab->metricsTable()->rowCount(), 0);
    m_tab->versionB()->setCurrentIndex(0);
    m_tab->versionA()->setCurrentIndex(1);
    m_tab->compare(false);
    QVERIFY(compared.wait(60000));
    QVERIFY(m_tab->metricsTable()->rowCount() > 0);
}

void TestVersionsTab::missingCacheEntrySaysHowToGetIt()
{
    QDir(m_dir.filePath(QStringLiteral(".dvc/cache"))).removeRecursively();
    QSignalSpy compared(m_tab, &Ui::VersionsTab::compared);
    m_tab->compare(true);
    QVERIFY(compared.wait(60000));
    const QString note = m_tab->diffNote();
    QVERIFY2(note.contains(QStringLiteral("dvc pull models/model.bin")) && note.contains(QStringLiteral("not in the DVC cache")),
             qPrintable(note));
}

void TestVersionsTab::staleStageShowsAfterRefresh()
{
    const QByteArray params = TestUtil::readFile(m_dir.filePath(QStringLiteral("params.yaml")));
    TestUtil::writeFile(m_dir, QStringLiteral("params.yaml"), QByteArray(params).replace("seed: 42", "seed: 43"));
    QSignalSpy refreshed(m_tab, &Ui::VersionsTab::refreshed);
    m_tab->refresh();
    QVERIFY(refreshed.wait(60000));
    TestUtil::writeFile(m_dir, QStringLiteral("params.yaml"), params);
    QCOMPARE(m_tab->stagesTable()->item(0, 1)->text(), QStringLiteral("stale"));
    QCOMPARE(m_tab->stagesTable()->item(0, 2)->text(), QStringLiteral("changed params: modified: params.yaml: model"));
    QVERIFY2(m_tab->message().startsWith(QStringLiteral("1 stale stage(s)")), qPrintable(m_tab->message()));
}

QTEST_MAIN(TestVersionsTab)
#include "tst_versionstab.moc"
