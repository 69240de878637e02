#include <QtTest>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>

#include "biastab.h"
#include "mainwindow.h"
#include "projectfixture.h"
#include "projectsession.h"
#include "slicestab.h"
#include "slicetablemodel.h"
#include "testutil.h"
#include "viewutil.h"
#include "workspacestate.h"

using Ui::MainWindow;

// The analysis is kept per project: close the window, open the project again, and the working
// threshold, the slice and bias settings and the tab are as they were. A bad state file never
// stops the project from opening.
class TestWorkspace : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_project;

    std::unique_ptr<MainWindow> open()
    {
        auto window = std::make_unique<MainWindow>(m_project.path());
        window->resize(1280, 800);
        window->show();
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(window->session()->results() != nullptr, 60000);
            QTRY_VERIFY_WITH_TIMEOUT(!window->session()->isBusy(), 60000);
        }();
        return window;
    }
    QString statePath() const { return m_project.filePath(QLatin1String(Ui::WorkspaceState::kFile)); }
    // One tab's view state as the state file holds it now (empty while it has none).
    QJsonObject savedView(const QString &tab) const
    {
        const QJsonObject root = QJsonDocument::fromJson(TestUtil::readFile(statePath())).object();
        return root.value(QStringLiteral("views")).toObject().value(tab).toObject();
    }

private Q_SLOTS:
    void initTestCase();
    void closeAndReopen_restoresTheAnalysis();
    void otherModel_keepsItsOwnThreshold();
    void tabPickedWhileLoading_isKept();
    void slicesView_filtersSortAndSelectionComeBack();
    void slicesView_badMembersAreSkipped();
    void biasView_attributeMetricAndSortComeBack();
    void badStateFile_opensWithDefaultsAndSaysWhy_data();
    void badStateFile_opensWithDefaultsAndSaysWhy();
};

void TestWorkspace::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ModelAuditTest"));
    QStandardPaths::setTestModeEnabled(true);
    TestUtil::makeProject(m_project);
}

void TestWorkspace::closeAndReopen_restoresTheAnalysis()
{
    QFile::remove(statePath());
    {
        const auto window = open();
        Ui::ProjectSession *session = window->session();
        session->setThreshold(0.4242);
        Audit::BiasOptions bias = session->biasOptions();
        bias.method = Audit::ReferenceMethod::Majority;
        bias.tau = 0.7;
        bias.verdicts = Audit::VerdictMode::Aequitas;
        bias.minGroupSize = 44;
        session->setBiasOptions(bias);
        Audit::SliceOptions slices = session->sliceOptions();
        slices.weakMetric = Audit::SliceMetric::Recall;
        slices.fdrQ = 0.1;
        slices.minPositives = 7;
        slices.rank = Audit::SliceRank::Gap;
        session->setSliceOptions(slices);
        window->showTab(MainWindow::Tab::Bias);
        QTRY_VERIFY_WITH_TIMEOUT(!session->isBusy(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(statePath()), 5000); // written shortly after the change
    }
    const QJsonObject json = QJsonDocument::fromJson(TestUtil::readFile(statePath())).object();
    QCOMPARE(json.value(QStringLiteral("threshold")).toDouble(), 0.4242);
    QCOMPARE(json.value(QStringLiteral("bias")).toObject().value(QStringLiteral("method")).toString(),
             QStringLiteral("majority"));

    const auto again = open();
    Ui::ProjectSession *session = again->session();
    QCOMPARE(session->threshold(), 0.4242);
    QCOMPARE(session->results()->threshold, 0.4242);
    QCOMPARE(session->biasOptions().method, Audit::ReferenceMethod::Majority);
    QCOMPARE(session->biasOptions().tau, 0.7);
    QCOMPARE(session->results()->bias->options.tau, 0.7);
    QCOMPARE(session->sliceOptions().weakMetric, Audit::SliceMetric::Recall);
    QCOMPARE(session->results()->slices->options.weakMetric, Audit::SliceMetric::Recall);
    // The statistical choices persist too, and the controls show them.
    QCOMPARE(session->results()->slices->options.fdrQ, 0.1);
    QCOMPARE(session->results()->slices->options.minPositives, 7);
    QCOMPARE(session->results()->slices->options.rank, Audit::SliceRank::Gap);
    QCOMPARE(session->results()->bias->options.verdicts, Audit::VerdictMode::Aequitas);
    QCOMPARE(session->results()->bias->options.minGroupSize, 44);
    QCOMPARE(again->findChild<QTabWidget *>()->currentWidget(), static_cast<QWidget *>(again->biasTab()));
    // The controls show the restored settings, not their defaults.
    QCOMPARE(again->biasTab()->tauBox()->value(), 0.7);
    QCOMPARE(again->slicesTab()->metricBox()->currentData().toInt(), int(Audit::SliceMetric::Recall));
    QVERIFY(again->thresholdChip()->text().startsWith(QStringLiteral("working <b>0.4242</b>")));
}

void TestWorkspace::otherModel_keepsItsOwnThreshold()
{
    TestUtil::writeFile(m_project, QLatin1String(Ui::WorkspaceState::kFile),
                        R"({"format": 1, "threshold": 0.9, "threshold_model": "not-this-model", "bias": {"tau": 0.75}})");
    const auto window = open();
    QCOMPARE(window->session()->threshold(), window->session()->project().model->threshold());
    QCOMPARE(window->session()->biasOptions().tau, 0.75); // the rest still applies
}

// What the analyst set up in the Slices tab by hand — a filter, n >= 50, weak only, the
// table sorted by n ascending, one slice selected, a chart feature — is as it was after a
// close and reopen (through real key presses and clicks where a person would use them).
void TestWorkspace::tabPickedWhileLoading_isKept()
{
    // The saved tab comes back when the analyst leaves the window alone, but one picked while
    // the project was still loading is not taken away when the loading ends.
    QDir(m_project.path()).mkpath(QFileInfo(QLatin1String(Ui::WorkspaceState::kFile)).path());
    TestUtil::writeFile(m_project, QLatin1String(Ui::WorkspaceState::kFile), R"({"format": 1, "tab": "bias"})");
    auto window = std::make_unique<MainWindow>(m_project.path());
    window->show();
    QVERIFY(window->session()->isBusy() || !window->session()->results());
    window->showTab(MainWindow::Tab::Slices);
    QTRY_VERIFY_WITH_TIMEOUT(window->session()->results() != nullptr && !window->session()->isBusy(), 60000);
    QTest::qWait(50);
    QCOMPARE(window->findChild<QTabWidget *>()->currentWidget(), static_cast<QWidget *>(window->slicesTab()));
    window.reset();
    TestUtil::writeFile(m_project, QLatin1String(Ui::WorkspaceState::kFile), R"({"format": 1, "tab": "bias"})");
    const auto untouched = open();
    QCOMPARE(untouched->findChild<QTabWidget *>()->currentWidget(), static_cast<QWidget *>(untouched->biasTab()));
}

void TestWorkspace::slicesView_filtersSortAndSelectionComeBack()
{
    QFile::remove(statePath());
    QString selectedName;
    QString chartFeature;
    {
        const auto window = open();
        window->showTab(MainWindow::Tab::Slices);
        Ui::SlicesTab *tab = window->slicesTab();
        auto *filter = tab->findChild<QLineEdit *>();
        QVERIFY(filter);
        filter->setFocus();
        QTest::keyClicks(filter, QStringLiteral("a"));
        auto *minimum = tab->findChild<QSpinBox *>();
        QVERIFY(minimum);
        minimum->setValue(50);
        tab->table()->sortByColumn(Ui::SliceTableModel::Size, Qt::AscendingOrder);
        QVERIFY(tab->table()->model()->rowCount() > 3);
        tab->table()->selectRow(2);
        QVERIFY(tab->selectedSlice() >= 0);
        selectedName = tab->model()->report()->slices[std::size_t(tab->selectedSlice())].feature() + QLatin1Char('=')
            + tab->model()->report()->slices[std::size_t(tab->selectedSlice())].value();
        tab->featureBox()->setCurrentIndex(tab->featureBox()->count() - 1);
        chartFeature = tab->featureBox()->currentText();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(statePath()), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(savedView(QStringLiteral("slices")).value(QStringLiteral("selected")).isObject(), 5000);
    }
    const auto again = open();
    Ui::SlicesTab *tab = again->slicesTab();
    QTRY_COMPARE_WITH_TIMEOUT(tab->findChild<QLineEdit *>()->text(), QStringLiteral("a"), 5000);
    QCOMPARE(tab->findChild<QSpinBox *>()->value(), 50);
    QCOMPARE(tab->table()->horizontalHeader()->sortIndicatorSection(), int(Ui::SliceTableModel::Size));
    QCOMPARE(tab->table()->horizontalHeader()->sortIndicatorOrder(), Qt::AscendingOrder);
    QCOMPARE(tab->featureBox()->currentText(), chartFeature);
    QVERIFY2(!again->statusBar()->currentMessage().contains(QStringLiteral("not valid")),
             qPrintable(again->statusBar()->currentMessage())); // a file it wrote itself restores whole
    QVERIFY(tab->selectedSlice() >= 0);
    const Audit::SliceRow &row = tab->model()->report()->slices[std::size_t(tab->selectedSlice())];
    QCOMPARE(row.feature() + QLatin1Char('=') + row.value(), selectedName);
    // Sorted by n ascending, every shown row at least 50 and matching the filter.
    for (int r = 1; r < tab->table()->model()->rowCount(); ++r) {
        const auto n = [&](int at) {
            return tab->table()->model()->index(at, Ui::SliceTableModel::Size).data(Ui::SliceTableModel::RawValueRole).toDouble();
        };
        QVERIFY(n(r - 1) <= n(r));
        QVERIFY(n(r) >= 50);
    }
}

void TestWorkspace::biasView_attributeMetricAndSortComeBack()
{
    QFile::remove(statePath());
    QString attribute;
    QString metric;
    {
        const auto window = open();
        window->showTab(MainWindow::Tab::Bias);
        Ui::BiasTab *tab = window->biasTab();
        QVERIFY(tab->attributeBox()->count() >= 2);
        tab->attributeBox()->setCurrentIndex(1);
        tab->metricBox()->setCurrentIndex(tab->metricBox()->count() - 1);
        tab->table()->sortByColumn(2, Qt::DescendingOrder);
        attribute = tab->attributeBox()->currentText();
        metric = tab->metricBox()->currentText();
        QTRY_VERIFY_WITH_TIMEOUT(savedView(QStringLiteral("bias")).value(QStringLiteral("metric")).toString() == metric, 5000);
    }
    const auto again = open();
    Ui::BiasTab *tab = again->biasTab();
    QCOMPARE(tab->attributeBox()->currentText(), attribute);
    QCOMPARE(tab->metricBox()->currentText(), metric);
    QCOMPARE(tab->table()->horizontalHeader()->sortIndicatorSection(), 2);
    QCOMPARE(tab->table()->horizontalHeader()->sortIndicatorOrder(), Qt::DescendingOrder);
    QVERIFY2(!again->statusBar()->currentMessage().contains(QStringLiteral("not valid")),
             qPrintable(again->statusBar()->currentMessage()));
}

// The views part is the user's file too: wrong types, out-of-range numbers, unknown names
// and a slice that does not exist are skipped; the project opens with the rest applied.
void TestWorkspace::slicesView_badMembersAreSkipped()
{
    TestUtil::writeFile(m_project, QLatin1String(Ui::WorkspaceState::kFile),
                        R"({"format": 1, "bias": {"tau": 0.75}, "views": {"slices": {"filter": 7, "level": 99,
                            "min_n": -5, "weak_only": "yes", "sort": {"column": 1000, "descending": true},
                            "view": -1, "feature": "no such column",
                            "selected": {"features": ["nope"], "values": [1]}}}})");
    const auto window = open();
    QCOMPARE(window->session()->biasOptions().tau, 0.75);
    Ui::SlicesTab *tab = window->slicesTab();
    QCOMPARE(tab->findChild<QLineEdit *>()->text(), QString());
    QCOMPARE(tab->levelBox()->currentIndex(), 0);
    QCOMPARE(tab->findChild<QSpinBox *>()->value(), 0);
    QCOMPARE(tab->selectedSlice(), -1);
    QVERIFY(tab->featureBox()->currentIndex() >= 0);
    // And what was skipped is said, member by member, naming the file.
    const QString message = window->statusBar()->currentMessage();
    QVERIFY2(message.contains(QStringLiteral("workspace.json: views.slices: filter, level, min_n, weak_only, sort, view, "
                                             "feature, selected not valid for this project")),
             qPrintable(message));
}

void TestWorkspace::badStateFile_opensWithDefaultsAndSaysWhy_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("not JSON") << QByteArray("{\"threshold\": ") << "workspace.json: not a JSON object";
    QTest::newRow("a list") << QByteArray("[1, 2]") << "workspace.json: not a JSON object";
    QTest::newRow("threshold out of range") << QByteArray(R"({"threshold": 7, "threshold_model": "x"})")
                                            << "workspace.json: threshold must be a number within [0, 1]";
    QTest::newRow("unknown metric") << QByteArray(R"({"slices": {"weak_metric": "auc"}})")
                                    << "workspace.json: weak_metric must be precision, recall, f1 or accuracy";
    QTest::newRow("newer format") << QByteArray(R"({"format": 99})") << "written by a newer ModelAudit";
    QTest::newRow("oversized") << QByteArray(2 << 20, ' ') << "too big for a workspace file";
}

void TestWorkspace::badStateFile_opensWithDefaultsAndSaysWhy()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, messagePart);
    TestUtil::writeFile(m_project, QLatin1String(Ui::WorkspaceState::kFile), bytes);
    QString problem;
    const Ui::WorkspaceState state = Ui::WorkspaceState::load(m_project.path(), &problem);
    QVERIFY2(problem.contains(messagePart), qPrintable(problem));
    QCOMPARE(state.slices.weakMetric, Audit::SliceMetric::F1);
    QFile::remove(statePath() + QStringLiteral(".rejected"));
    const auto window = open(); // opens all the same, and says what was wrong
    QCOMPARE(window->session()->sliceOptions().weakMetric, Audit::SliceMetric::F1);
    QVERIFY2(window->statusBar()->currentMessage().contains(messagePart), qPrintable(window->statusBar()->currentMessage()));
    // The refused file is kept, byte for byte, whatever the window writes next.
    QVERIFY2(window->statusBar()->currentMessage().contains(QStringLiteral("workspace.json.rejected")),
             qPrintable(window->statusBar()->currentMessage()));
    QCOMPARE(TestUtil::readFile(statePath() + QStringLiteral(".rejected")), bytes);
}

QTEST_MAIN(TestWorkspace)
#include "tst_workspace.moc"
