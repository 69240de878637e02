#include <QtTest>

#include <QDoubleSpinBox>
#include <QProcess>

#include "mainwindow.h"
#include "projectfixture.h"
#include "projectsession.h"
#include "testutil.h"

using Ui::MainWindow;

// File → Export Report… writes what the window shows at the working threshold, off the GUI
// thread, and says the same as `modelaudit-cli report` at that threshold.
class TestReport : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_project;
    std::unique_ptr<MainWindow> m_window;

    void waitIdle() { QTRY_VERIFY_WITH_TIMEOUT(!m_window->session()->isBusy(), 120000); }
    QString exported(const QString &name);

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void export_atTheWorkingThresholdAsTheCliSaysIt();
    void export_unwritablePathShowsErrorAndLeavesNoFile();
};

void TestReport::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ModelAuditTest"));
    QStandardPaths::setTestModeEnabled(true);
    TestUtil::makeProject(m_project);
    m_window = std::make_unique<MainWindow>(m_project.path());
    m_window->resize(1280, 800);
    m_window->show();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->results() != nullptr, 60000);
    waitIdle();
}

void TestReport::cleanupTestCase()
{
    m_window.reset();
}

// Exports the report as name.html and name.pdf and returns the HTML.
QString TestReport::exported(const QString &name)
{
    const QString html = m_project.filePath(name + QStringLiteral(".html"));
    m_window->exportReport(html, m_project.filePath(name + QStringLiteral(".pdf")));
    [&] { QTRY_VERIFY_WITH_TIMEOUT(!m_window->isExportingReport(), 60000); }();
    return QString::fromUtf8(TestUtil::readFile(html));
}

void TestReport::export_atTheWorkingThresholdAsTheCliSaysIt()
{
    Ui::ProjectSession *session = m_window->session();
    const double stored = session->project().model->threshold();
    QString html = exported(QStringLiteral("gui_model"));
    QVERIFY2(m_window->errorText().isEmpty(), qPrintable(m_window->errorText()));
    QVERIFY(html.contains(session->project().model->md5()));
    QVERIFY(html.contains(session->project().data->md5));
    QVERIFY(html.contains(QStringLiteral("<b>%1</b> (the model's)").arg(stored, 0, 'f', 4)));
    QVERIFY(TestUtil::readFile(m_project.filePath(QStringLiteral("gui_model.pdf"))).startsWith("%PDF"));

    m_window->thresholdBox()->setValue(0.61);
    waitIdle();
    QCOMPARE(session->results()->threshold, 0.61);
    html = exported(QStringLiteral("gui_working"));
    QVERIFY(html.contains(QStringLiteral("<b>0.6100</b> (working threshold; the model's is %1)").arg(stored, 0, 'f', 4)));
    QVERIFY(html.contains(QStringLiteral("<tr id=\"metric-f1\"><td>F1</td><td class=\"num\" align=\"right\">%1</td>")
                              .arg(session->results()->metrics.f1, 0, 'f', 4)));

    QProcess cli;
    cli.setWorkingDirectory(m_project.path());
    cli.start(QStringLiteral(CLI_BINARY),
              {QStringLiteral("report"), QStringLiteral("--model"), QStringLiteral("models/model.bin"), QStringLiteral("--data"),
               QStringLiteral("data/test.csv"), QStringLiteral("--threshold"), QStringLiteral("0.61"), QStringLiteral("--out"),
               QStringLiteral("cli.html")});
    QVERIFY(cli.waitForFinished(60000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    const QString fromCli = QString::fromUtf8(TestUtil::readFile(m_project.filePath(QStringLiteral("cli.html"))));
    // Everything after the facts (which hold the date) is the same, number for number.
    const auto numbers = [](const QString &page) {
        return page.section(QStringLiteral("<h2>Overall performance</h2>"), 1).section(QStringLiteral("<h2>Charts</h2>"), 0, 0);
    };
    QVERIFY(!numbers(html).isEmpty());
    QCOMPARE(numbers(html), numbers(fromCli));
    m_window->thresholdBox()->setValue(stored);
    waitIdle();
}

void TestReport::export_unwritablePathShowsErrorAndLeavesNoFile()
{
    TestUtil::writeFile(m_project, QStringLiteral("blocker"), "a file, not a folder");
    const QString html = m_project.filePath(QStringLiteral("blocker/report.html"));
    m_window->exportReport(html, m_project.filePath(QStringLiteral("blocker/report.pdf")));
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->isExportingReport(), 60000);
    QVERIFY(m_window->errorText().contains(QStringLiteral("blocker")));
    QVERIFY(!QFile::exists(html));
}

QTEST_MAIN(TestReport)
#include "tst_report.moc"
