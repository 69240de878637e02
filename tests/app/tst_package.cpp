#include <QtTest>

#include <QDir>
#include <QImage>
#include <QNetworkAccessManager>
#include <QNetworkReply>
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
    void serviceUnit_verifiesIsHardenedAndServes();
    void dockerfile_runtimePackagesCoverTheCli();
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
    for (const char *file : {"./usr/bin/modelaudit", "./usr/bin/modelaudit-cli", "./usr/share/applications/modelaudit.desktop",
                             "./usr/share/icons/hicolor/scalable/apps/modelaudit.svg", "./usr/share/man/man1/modelaudit-cli.1.gz",
                             "./usr/share/modelaudit/example/dvc.yaml", "./usr/share/modelaudit/example/dvc.lock",
                             "./usr/share/modelaudit/example/params.yaml", "./usr/share/modelaudit/example/models/model.bin",
                             "./usr/share/modelaudit/example/data/raw/census.csv", "./usr/share/modelaudit/example/model_card.md",
                             "./usr/lib/systemd/system/modelaudit-serve.service", "./usr/share/modelaudit/modelaudit-serve.env"})
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
    QCOMPARE(commands, 24);
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

void TestPackage::serviceUnit_verifiesIsHardenedAndServes()
{
    const QString unit = m_root.filePath(QStringLiteral("usr/lib/systemd/system/modelaudit-serve.service"));
    QByteArray text = TestUtil::readFile(unit);
    QVERIFY(!text.isEmpty());
    // systemd-analyze verify checks the ExecStart program exists: point it at the extracted one
    // (the installed one when the package is installed).
    const QByteArray cli = m_root.filePath(QStringLiteral("usr/bin/modelaudit-cli")).toUtf8();
    QByteArray local = text;
    local.replace("ExecStart=/usr/bin/modelaudit-cli", "ExecStart=" + cli);
    QTemporaryDir dir;
    const QString copy = TestUtil::writeFile(dir, QStringLiteral("modelaudit-serve.service"), local);
    int code = -1;
    QProcess verify;
    verify.start(QStringLiteral("systemd-analyze"), {QStringLiteral("verify"), QStringLiteral("--man=no"), copy});
    QVERIFY(verify.waitForFinished(60000));
    QVERIFY2(verify.exitCode() == 0, verify.readAllStandardError().constData());
    QCOMPARE(verify.readAllStandardError(), QByteArray());
    // The hardening, as systemd rates it: 1.0-2.0 is "OK", under 1 is "SAFE" (10 is "UNSAFE").
    const QByteArray security = run(QStringLiteral("systemd-analyze"),
                                    {QStringLiteral("security"), QStringLiteral("--offline=yes"), copy}, &code);
    const QRegularExpressionMatch level
        = QRegularExpression(QStringLiteral("Overall exposure level for \\S+: ([0-9.]+)")).match(QString::fromUtf8(security));
    QVERIFY2(level.hasMatch(), security.right(300).constData());
    QVERIFY2(level.captured(1).toDouble() <= 2.0, qPrintable(level.captured(0)));
    for (const char *directive :
         {"DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "EnvironmentFile=-/etc/default/modelaudit-serve"})
        QVERIFY2(text.contains(QByteArray("\n") + directive + '\n'), directive);

    // Its defaults serve: the ExecStart line with the unit's Environment= values (a free port
    // instead of 8000), run from the extraction; GET /health answers.
    QMap<QString, QString> environment;
    const QRegularExpression assignment(QStringLiteral("^Environment=(\\w+)=(.*)$"), QRegularExpression::MultilineOption);
    for (const QRegularExpressionMatch &m : assignment.globalMatch(QString::fromUtf8(text)))
        environment.insert(m.captured(1), m.captured(2));
    QCOMPARE(environment.value(QStringLiteral("MODELAUDIT_HOST")), QStringLiteral("127.0.0.1"));
    const QString model = environment.value(QStringLiteral("MODELAUDIT_MODEL"));
    QVERIFY(model.startsWith(QLatin1String("/usr/share/modelaudit/")));
    const QString packagedModel = m_root.filePath(model.mid(1));
    QVERIFY2(QFileInfo::exists(packagedModel), qPrintable(packagedModel));
    QProcess server;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), environment.value(QStringLiteral("QT_QPA_PLATFORM")));
    env.insert(QStringLiteral("MODELAUDIT_TOKEN"), QStringLiteral("s3cret"));
    server.setProcessEnvironment(env);
    server.start(QString::fromUtf8(cli),
                 {QStringLiteral("serve"), QStringLiteral("--model"), packagedModel, QStringLiteral("--host"),
                  environment.value(QStringLiteral("MODELAUDIT_HOST")), QStringLiteral("--port"), QStringLiteral("0")});
    QString banner;
    for (int i = 0; i < 200 && !banner.contains(QStringLiteral("on http://")); ++i) {
        server.waitForReadyRead(100);
        banner += QString::fromUtf8(server.readAllStandardError());
    }
    const QString url = QRegularExpression(QStringLiteral("(http://127\\.0\\.0\\.1:\\d+)/")).match(banner).captured(1);
    QVERIFY2(!url.isEmpty(), qPrintable(banner));
    QNetworkAccessManager network;
    const auto health = [&](const QByteArray &token) {
        QNetworkRequest request(QUrl(url + QStringLiteral("/health")));
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        QNetworkReply *reply = network.get(request);
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(10000);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        delete reply;
        return status;
    };
    // MODELAUDIT_TOKEN from the environment (as the EnvironmentFile sets it) is required.
    QCOMPARE(health("s3cret"), 200);
    QCOMPARE(health(QByteArray()), 401);
    server.terminate();
    QVERIFY(server.waitForFinished(10000));
    QVERIFY(!server.readAllStandardError().contains("s3cret"));
}

void TestPackage::dockerfile_runtimePackagesCoverTheCli()
{
    // No container engine runs here (CI builds the image): check that the runtime stage installs
    // the package of every library modelaudit-cli links directly, and that each one exists.
    const QString dockerfile = QString::fromUtf8(TestUtil::readFile(TestUtil::projectFile(QStringLiteral("Dockerfile"))));
    const qsizetype runtime = dockerfile.lastIndexOf(QStringLiteral("\nFROM "));
    const QRegularExpression install(QStringLiteral("apt-get install[^\\n]*--no-install-recommends((?:[^&]|\\\\\\n)*)&&"));
    const QRegularExpressionMatch m = install.match(dockerfile, runtime);
    QVERIFY2(m.hasMatch(), qPrintable(dockerfile.mid(runtime, 400)));
    QStringList packages = m.captured(1).simplified().remove(QLatin1Char('\\')).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QVERIFY(packages.contains(QStringLiteral("qt6-qpa-plugins")));
    const QStringList base = {QStringLiteral("libc6"), QStringLiteral("libstdc++6"), QStringLiteral("libgcc-s1")};
    const QByteArray needed = run(QStringLiteral("readelf"), {QStringLiteral("-d"), QStringLiteral(CLI_BINARY)});
    const QByteArray ldd = run(QStringLiteral("ldd"), {QStringLiteral(CLI_BINARY)});
    int checked = 0;
    for (const QRegularExpressionMatch &lib :
         QRegularExpression(QStringLiteral("\\(NEEDED\\).*\\[(.+)\\]")).globalMatch(QString::fromUtf8(needed))) {
        if (lib.captured(1).startsWith(QLatin1String("ld-linux")))
            continue; // the dynamic loader itself (libc6)
        const QRegularExpressionMatch path = QRegularExpression(QStringLiteral("\\s")
                                                                + QRegularExpression::escape(lib.captured(1))
                                                                + QStringLiteral(" => (\\S+)"))
                                                 .match(QString::fromUtf8(ldd));
        QVERIFY2(path.hasMatch(), qPrintable(lib.captured(1)));
        // dpkg knows a file by the path its package installs, /lib or /usr/lib (merged /usr).
        QString owner;
        const QString canonical = QFileInfo(path.captured(1)).canonicalFilePath();
        for (const QString &candidate :
             {canonical, QString(canonical).remove(QRegularExpression(QStringLiteral("^/usr"))), path.captured(1)}) {
            QProcess dpkg;
            dpkg.start(QStringLiteral("dpkg"), {QStringLiteral("-S"), candidate});
            dpkg.waitForFinished(30000);
            if (dpkg.exitCode() == 0) {
                owner = QString::fromUtf8(dpkg.readAllStandardOutput().split(':').first());
                break;
            }
        }
        QVERIFY2(
            base.contains(owner) || packages.contains(owner),
            qPrintable(QStringLiteral("%1 comes from %2, which the Dockerfile does not install").arg(lib.captured(1), owner)));
        ++checked;
    }
    QVERIFY(checked >= 8);
    // Each is a Debian 12 package: in apt's lists, or (lists removed, as in slim images) installed here.
    const bool lists
        = !QDir(QStringLiteral("/var/lib/apt/lists")).entryList({QStringLiteral("*_Packages*")}, QDir::Files).isEmpty();
    int code = -1;
    for (const QString &package : std::as_const(packages)) {
        if (lists)
            run(QStringLiteral("apt-cache"), {QStringLiteral("show"), QStringLiteral("--no-all-versions"), package}, &code);
        else
            run(QStringLiteral("dpkg-query"), {QStringLiteral("-W"), package}, &code);
        QVERIFY2(code == 0, qPrintable(package + QStringLiteral(": no such Debian 12 package")));
    }
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
