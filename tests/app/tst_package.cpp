#include <QtTest>

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>

#include <unistd.h>

#include "testutil.h"

// The Debian package, built for real by scripts/package.sh (example project + CPack) and
// inspected with dpkg-deb: its control fields, its files, and the programs it holds, run
// from an extraction. Installing it with dpkg needs root and a disposable machine: only when
// MODELAUDIT_TEST_INSTALL=1 (the CI container sets it).
class TestPackage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void controlDeclaresItsDependencies();
    void holdsProgramsDesktopEntryIconManPageAndExample();
    void extractedProgramsRun();
    void desktopEntryIsValid();
    void manPageDocumentsEveryCommand();
    void installs();
    void readmeArchitecture_namesEveryLibraryAndItsLinks();

private:
    static QByteArray run(const QString &program, const QStringList &args, int *code = nullptr, int timeoutMs = 120000);

    QString m_deb;
    QTemporaryDir m_root; // the package extracted
};

QByteArray TestPackage::run(const QString &program, const QStringList &args, int *code, int timeoutMs)
{
    QProcess process;
    process.start(program, args);
    if (!process.waitForFinished(timeoutMs))
        qWarning("%s timed out", qPrintable(program));
    if (code)
        *code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    const QByteArray out = process.readAllStandardOutput();
    if (process.exitCode() != 0)
        qWarning("%s %s: %s%s", qPrintable(program), qPrintable(args.join(QLatin1Char(' '))),
                 process.readAllStandardError().constData(), out.constData());
    return out;
}

void TestPackage::initTestCase()
{
    const QString buildDir = QFileInfo(QStringLiteral(CLI_BINARY)).dir().absoluteFilePath(QStringLiteral(".."));
    int code = -1;
    const QByteArray out = run(QStringLiteral("bash"), {TestUtil::projectFile(QStringLiteral("scripts/package.sh")), buildDir},
                               &code, 300000);
    QCOMPARE(code, 0);
    m_deb = QString::fromUtf8(out.trimmed().split('\n').last());
    QVERIFY2(m_deb.endsWith(QStringLiteral("modelaudit_" MODELAUDIT_VERSION "_amd64.deb")) && QFileInfo::exists(m_deb),
             qPrintable(m_deb));
    run(QStringLiteral("dpkg-deb"), {QStringLiteral("-x"), m_deb, m_root.path()}, &code);
    QCOMPARE(code, 0);
}

void TestPackage::controlDeclaresItsDependencies()
{
    const QString info = QString::fromUtf8(run(QStringLiteral("dpkg-deb"), {QStringLiteral("-I"), m_deb}));
    QVERIFY(info.contains(QStringLiteral("Package: modelaudit\n")));
    QVERIFY(info.contains(QStringLiteral("Version: " MODELAUDIT_VERSION "\n")));
    QVERIFY(info.contains(QStringLiteral("Architecture: amd64\n")));
    QVERIFY(info.contains(QStringLiteral("Section: science\n")));
    const QRegularExpressionMatch depends = QRegularExpression(QStringLiteral("Depends: ([^\n]+)")).match(info);
    QVERIFY(depends.hasMatch());
    for (const char *package : {"qt6-qpa-plugins", "libqt6core6", "libqt6widgets6", "libqt6charts6", "libqt6httpserver6",
                                "libqt6svg6", "libdlib19.1", "libyaml-cpp0.7", "libgit2-1.5"})
        QVERIFY2(depends.captured(1).contains(QLatin1String(package)), package);
}

void TestPackage::holdsProgramsDesktopEntryIconManPageAndExample()
{
    const QString list = QString::fromUtf8(run(QStringLiteral("dpkg-deb"), {QStringLiteral("-c"), m_deb}));
    for (const char *file :
         {"./usr/bin/modelaudit", "./usr/bin/modelaudit-cli", "./usr/share/applications/modelaudit.desktop",
          "./usr/share/icons/hicolor/scalable/apps/modelaudit.svg", "./usr/share/man/man1/modelaudit-cli.1.gz",
          "./usr/share/modelaudit/example/dvc.yaml", "./usr/share/modelaudit/example/dvc.lock",
          "./usr/share/modelaudit/example/params.yaml", "./usr/share/modelaudit/example/models/model.bin",
          "./usr/share/modelaudit/example/data/raw/census.csv", "./usr/share/modelaudit/example/model_card.md"})
        QVERIFY2(list.contains(QLatin1String(file) + QLatin1Char('\n')), file);
    // Programs executable, data not; nothing from the build or the tests.
    QVERIFY(QRegularExpression(QStringLiteral("-rwxr-xr-x root/root .* ./usr/bin/modelaudit-cli\n")).match(list).hasMatch());
    QVERIFY(!list.contains(QStringLiteral("tst_")) && !list.contains(QStringLiteral("bench_")));
    const QImage icon(m_root.filePath(QStringLiteral("usr/share/icons/hicolor/scalable/apps/modelaudit.svg")));
    QVERIFY(!icon.isNull());
    QCOMPARE(icon.size(), QSize(128, 128));
}

void TestPackage::extractedProgramsRun()
{
    int code = -1;
    QCOMPARE(run(m_root.filePath(QStringLiteral("usr/bin/modelaudit-cli")), {QStringLiteral("--version")}, &code).trimmed(),
             QByteArray("modelaudit-cli " MODELAUDIT_VERSION));
    QCOMPARE(code, 0);
    // The example is a consistent DVC project: every stage and artifact up to date.
    const QString example = m_root.filePath(QStringLiteral("usr/share/modelaudit/example"));
    const QByteArray status = run(m_root.filePath(QStringLiteral("usr/bin/modelaudit-cli")),
                                  {QStringLiteral("versions"), QStringLiteral("--project"), example, QStringLiteral("--json")},
                                  &code);
    QCOMPARE(code, 0);
    QVERIFY2(status.contains("\"up_to_date\": true"), status.constData());
    QVERIFY(TestUtil::readFile(example + QStringLiteral("/dvc.yaml")).contains("cmd: modelaudit-cli train"));
    const QByteArray gui = run(m_root.filePath(QStringLiteral("usr/bin/modelaudit")), {QStringLiteral("--version")}, &code);
    QCOMPARE(code, 0);
    QVERIFY(gui.contains(MODELAUDIT_VERSION));
}

void TestPackage::desktopEntryIsValid()
{
    int code = -1;
    run(QStringLiteral("desktop-file-validate"), {m_root.filePath(QStringLiteral("usr/share/applications/modelaudit.desktop"))},
        &code);
    QCOMPARE(code, 0);
    const QByteArray entry = TestUtil::readFile(m_root.filePath(QStringLiteral("usr/share/applications/modelaudit.desktop")));
    QVERIFY(entry.contains("\nExec=modelaudit\n") && entry.contains("\nIcon=modelaudit\n"));
}

void TestPackage::manPageDocumentsEveryCommand()
{
    const QByteArray page = run(
        QStringLiteral("gzip"),
        {QStringLiteral("-dc"), m_root.filePath(QStringLiteral("usr/share/man/man1/modelaudit-cli.1.gz"))});
    QVERIFY(page.startsWith(".TH MODELAUDIT-CLI 1"));
    QVERIFY(page.contains("ModelAudit " MODELAUDIT_VERSION));
    // Every command `modelaudit-cli --help` lists has its entry.
    const QString help = QString::fromUtf8(run(QStringLiteral(CLI_BINARY), {QStringLiteral("--help")}));
    const QRegularExpression command(QStringLiteral("^  ([a-z]+) "), QRegularExpression::MultilineOption);
    int commands = 0;
    for (const QRegularExpressionMatch &m : command.globalMatch(help)) {
        ++commands;
        QVERIFY2(page.contains("\n.B " + m.captured(1).toUtf8() + ' ') || page.contains("\n.B " + m.captured(1).toUtf8() + '\n'),
                 qPrintable(m.captured(1)));
    }
    QCOMPARE(commands, 15);
}

void TestPackage::installs()
{
    if (qEnvironmentVariable("MODELAUDIT_TEST_INSTALL") != QLatin1String("1") || ::geteuid() != 0)
        QSKIP("installing needs root on a disposable machine: set MODELAUDIT_TEST_INSTALL=1 (CI does)");
    int code = -1;
    run(QStringLiteral("dpkg"), {QStringLiteral("-i"), m_deb}, &code);
    QCOMPARE(code, 0);
    const QByteArray version = run(QStringLiteral("/usr/bin/modelaudit-cli"), {QStringLiteral("--version")}, &code);
    run(QStringLiteral("dpkg"), {QStringLiteral("-r"), QStringLiteral("modelaudit")});
    QCOMPARE(code, 0);
    QCOMPARE(version.trimmed(), QByteArray("modelaudit-cli " MODELAUDIT_VERSION));
}

void TestPackage::readmeArchitecture_namesEveryLibraryAndItsLinks()
{
    // The README's picture stays true: every core/ folder is a library named there, only card
    // and serve link a Qt module beyond Core, dlib stays private to learn, libgit2 to versions.
    const QString readme = QString::fromUtf8(TestUtil::readFile(TestUtil::projectFile(QStringLiteral("README.md"))));
    const QString architecture = readme.section(QStringLiteral("## Architecture"), 1).section(QStringLiteral("\n## "), 0, 0);
    QVERIFY(!architecture.isEmpty());
    const QDir core(TestUtil::projectFile(QStringLiteral("core")));
    const QStringList libraries = core.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QVERIFY(libraries.size() >= 9);
    for (const QString &library : libraries) {
        QVERIFY2(architecture.contains(QStringLiteral("core/") + library), qPrintable(library));
        QVERIFY2(architecture.contains(QStringLiteral("ma_") + library), qPrintable(library));
        const QString cmake = QString::fromUtf8(TestUtil::readFile(core.filePath(library + QStringLiteral("/CMakeLists.txt"))));
        QVERIFY2(cmake.contains(QStringLiteral("add_library(ma_") + library), qPrintable(library));
        const bool gui = cmake.contains(QStringLiteral("Qt6::Gui")) || cmake.contains(QStringLiteral("Qt6::Widgets"));
        QVERIFY2(!gui || library == QLatin1String("card"), qPrintable(library + QStringLiteral(" links a GUI module")));
        QVERIFY2(!cmake.contains(QStringLiteral("HttpServer")) || library == QLatin1String("serve"), qPrintable(library));
        QVERIFY2(!cmake.contains(QStringLiteral("dlib::")) || library == QLatin1String("learn"), qPrintable(library));
        QVERIFY2(!cmake.contains(QStringLiteral("PkgConfig::libgit2")) || library == QLatin1String("versions"),
                 qPrintable(library));
    }
    QVERIFY(architecture.contains(QStringLiteral("dlib PRIVATE")));
}

QTEST_MAIN(TestPackage)
#include "tst_package.moc"
