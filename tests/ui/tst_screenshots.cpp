#include <QtTest>

#include <QImage>
#include <QProcess>
#include <QStandardPaths>

#include "projectfixture.h"
#include "testutil.h"

// The real `modelaudit` binary under xvfb-run, once per tab: --screenshot must exit 0 and
// write a PNG of the requested size that shows more than a blank window.
class TestScreenshots : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_project;
    QTemporaryDir m_out;

    static QProcessEnvironment offscreen()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        return env;
    }

private Q_SLOTS:
    void initTestCase();
    void tab_rendersToPng_data();
    void tab_rendersToPng();
    void badArguments_exitNonZero();
    void darkTheme_rendersDarkWindow();
    void systemTheme_followsTheDesktopsDarkHint_data();
    void systemTheme_followsTheDesktopsDarkHint();
    void badTheme_exitsTwoNamingTheThemes();
    void noDisplay_helpStillPrintsAndAWindowRunSaysWhy();
};

void TestScreenshots::initTestCase()
{
    if (QStandardPaths::findExecutable(QStringLiteral("xvfb-run")).isEmpty())
        QSKIP("xvfb-run is not installed (scripts/install-deps.sh installs it)");
    TestUtil::makeProject(m_project);
}

void TestScreenshots::tab_rendersToPng_data()
{
    QTest::addColumn<QString>("tab");
    for (const char *tab : {"project", "train", "performance", "slices", "bias", "predict", "card", "versions"})
        QTest::newRow(tab) << QString::fromLatin1(tab);
}

void TestScreenshots::tab_rendersToPng()
{
    QFETCH(QString, tab);
    const QString png = m_out.filePath(tab + QStringLiteral(".png"));
    QProcess process;
    process.start(QStringLiteral("xvfb-run"),
                  {QStringLiteral("-a"), QStringLiteral("-s"), QStringLiteral("-screen 0 1400x900x24"),
                   QStringLiteral(GUI_BINARY), QStringLiteral("--project"), m_project.path(), QStringLiteral("--tab"), tab,
                   QStringLiteral("--screenshot"), png, QStringLiteral("--size"), QStringLiteral("1200x800")});
    QVERIFY(process.waitForFinished(120000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    const QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), QSize(1200, 800));
    // More than a blank window: many distinct colours (text, charts, tables).
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 4) {
        for (int x = 0; x < image.width(); x += 4)
            colours.insert(image.pixel(x, y));
    }
    QVERIFY2(colours.size() > 40, qPrintable(QStringLiteral("only %1 colours").arg(colours.size())));
}

void TestScreenshots::badArguments_exitNonZero()
{
    // Rejected before any window exists: offscreen will do, and no Xvfb can fail to clean up
    // after itself (xvfb-run then exits 5 whatever the program said).
    QProcess process;
    process.setProcessEnvironment(offscreen());
    process.start(QStringLiteral(GUI_BINARY),
                  {QStringLiteral("--tab"), QStringLiteral("nowhere"), QStringLiteral("--screenshot"),
                   m_out.filePath(QStringLiteral("x.png"))});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(process.readAllStandardError().contains("unknown tab \"nowhere\""));
}

void TestScreenshots::darkTheme_rendersDarkWindow()
{
    const QString png = m_out.filePath(QStringLiteral("bias-dark.png"));
    QProcess process;
    process.start(QStringLiteral("xvfb-run"),
                  {QStringLiteral("-a"), QStringLiteral("-s"), QStringLiteral("-screen 0 1400x900x24"),
                   QStringLiteral(GUI_BINARY), QStringLiteral("--project"), m_project.path(), QStringLiteral("--tab"),
                   QStringLiteral("bias"), QStringLiteral("--theme"), QStringLiteral("dark"), QStringLiteral("--screenshot"), png,
                   QStringLiteral("--size"), QStringLiteral("1200x800")});
    QVERIFY(process.waitForFinished(120000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    const QImage image(png);
    QVERIFY(!image.isNull());
    // Mostly dark: the median grey of a coarse sample is below mid-grey.
    QList<int> greys;
    for (int y = 0; y < image.height(); y += 8) {
        for (int x = 0; x < image.width(); x += 8)
            greys << qGray(image.pixel(x, y));
    }
    std::sort(greys.begin(), greys.end());
    QVERIFY2(greys[greys.size() / 2] < 100, qPrintable(QString::number(greys[greys.size() / 2])));
}

void TestScreenshots::systemTheme_followsTheDesktopsDarkHint_data()
{
    QTest::addColumn<QString>("gtkTheme");
    QTest::addColumn<bool>("dark");
    QTest::newRow("GTK_THEME=Adwaita:dark") << QStringLiteral("Adwaita:dark") << true;
    QTest::newRow("GTK_THEME=Adwaita-dark") << QStringLiteral("Adwaita-dark") << true;
    QTest::newRow("no hint") << QString() << false;
}

// Qt 6.4 cannot ask the desktop for its colour scheme; under Xvfb the platform palette is
// light, so "system" turns dark only through the GTK hint.
void TestScreenshots::systemTheme_followsTheDesktopsDarkHint()
{
    QFETCH(QString, gtkTheme);
    QFETCH(bool, dark);
    const QTemporaryDir config; // no saved theme, no settings.ini or kdeglobals of this machine
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
    env.remove(QStringLiteral("GTK_THEME"));
    if (!gtkTheme.isEmpty())
        env.insert(QStringLiteral("GTK_THEME"), gtkTheme);
    const QString png = m_out.filePath(QStringLiteral("system.png"));
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(QStringLiteral("xvfb-run"),
                  {QStringLiteral("-a"), QStringLiteral("-s"), QStringLiteral("-screen 0 1400x900x24"),
                   QStringLiteral(GUI_BINARY), QStringLiteral("--project"), m_project.path(), QStringLiteral("--tab"),
                   QStringLiteral("train"), QStringLiteral("--theme"), QStringLiteral("system"), QStringLiteral("--screenshot"),
                   png, QStringLiteral("--size"), QStringLiteral("800x600")});
    QVERIFY(process.waitForFinished(120000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    const QImage image(png);
    QVERIFY(!image.isNull());
    const int grey = qGray(image.pixel(image.width() / 2, image.height() * 3 / 4)); // the tab's empty background
    QVERIFY2(dark ? grey < 100 : grey > 180, qPrintable(QString::number(grey)));
}

void TestScreenshots::badTheme_exitsTwoNamingTheThemes()
{
    QProcess process;
    process.setProcessEnvironment(offscreen());
    process.start(QStringLiteral(GUI_BINARY),
                  {QStringLiteral("--theme"), QStringLiteral("sepia"), QStringLiteral("--screenshot"),
                   m_out.filePath(QStringLiteral("x.png"))});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(process.readAllStandardError().contains("unknown theme \"sepia\" (expected system, light or dark)"));
}

// Without any display: --help and --version answer (they need no window), and a normal run
// says there is no display and exits 2, instead of Qt's abort in QApplication.
void TestScreenshots::noDisplay_helpStillPrintsAndAWindowRunSaysWhy()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        env.remove(QString::fromLatin1(name));
    QProcess help;
    help.setProcessEnvironment(env);
    help.start(QStringLiteral(GUI_BINARY), {QStringLiteral("--help")});
    QVERIFY(help.waitForFinished(60000));
    QCOMPARE(help.exitStatus(), QProcess::NormalExit);
    QCOMPARE(help.exitCode(), 0);
    const QByteArray text = help.readAllStandardOutput();
    QVERIFY(text.contains("--screenshot") && text.contains("--theme"));
    QProcess run;
    run.setProcessEnvironment(env);
    run.start(QStringLiteral(GUI_BINARY), {QStringLiteral("--project"), m_out.path()});
    QVERIFY(run.waitForFinished(60000));
    QCOMPARE(run.exitStatus(), QProcess::NormalExit); // not a crash
    QCOMPARE(run.exitCode(), 2);
    QVERIFY(run.readAllStandardError().contains("no display to open a window on"));
}

QTEST_GUILESS_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
