#include <QtTest>

#include <QCryptographicHash>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>

#include "auditerror.h"
#include "dvcconfig.h"
#include "dvcremote.h"
#include "fileio.h"
#include "schemaerror.h"
#include "testutil.h"
#include "versions.h"

using namespace Audit;

namespace {

QString md5Of(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex());
}

QByteArray dvcFile(const QByteArray &bytes, const char *name)
{
    return "outs:\n- md5: " + md5Of(bytes).toLatin1() + "\n  size: " + QByteArray::number(bytes.size())
        + "\n  hash: md5\n  path: " + name + "\n";
}

// A DVC http remote on 127.0.0.1 for the tests: the remote folder `root` served as DVC's http
// remote expects, GET and HEAD of files/md5/xx/rest, and POST or PUT storing the body there.
// Every request is answered on the connection it came on, then the connection is closed.
class FolderServer : public QObject
{
public:
    explicit FolderServer(QString root)
        : m_root(std::move(root))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/store").arg(m_server.serverPort()); }
    QStringList log; // "METHOD path status"
    int failUploads = 0; // answer the next uploads with 500

private:
    void serve(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        qint64 length = 0;
        for (const QByteArray &line : lines) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        if (buffer.size() < end + 4 + length)
            return;
        const QByteArray method = first.value(0);
        const QString path = QString::fromUtf8(first.value(1));
        const QByteArray body = buffer.mid(end + 4, length);
        m_buffers.remove(socket);
        const QString prefix = QStringLiteral("/store/");
        const QString file = path.startsWith(prefix) ? QDir(m_root).filePath(path.mid(prefix.size())) : QString();
        int status = 404;
        QByteArray answer;
        if (file.isEmpty() || path.contains(QLatin1String(".."))) {
            status = 404;
        } else if (method == "GET" || method == "HEAD") {
            QFile f(file);
            if (f.open(QIODevice::ReadOnly)) {
                status = 200;
                answer = f.readAll();
            }
        } else if (method == "POST" || method == "PUT") {
            if (failUploads > 0) {
                --failUploads;
                status = 500;
            } else {
                QDir().mkpath(QFileInfo(file).path());
                QFile f(file);
                status = f.open(QIODevice::WriteOnly) && f.write(body) == body.size() ? 201 : 500;
            }
        } else {
            status = 405;
        }
        log << QStringLiteral("%1 %2 %3").arg(QString::fromLatin1(method), path).arg(status);
        QByteArray reply = "HTTP/1.1 " + QByteArray::number(status) + (status < 300 ? " OK" : " Error")
            + "\r\nContent-Length: " + QByteArray::number(answer.size()) + "\r\nConnection: close\r\n\r\n";
        if (method != "HEAD")
            reply += answer;
        socket->write(reply);
        socket->disconnectFromHost();
    }

    QString m_root;
    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

const QByteArray kConfig = "[core]\n    remote = shared\n['remote \"shared\"']\n    url = ../../remote\n";

} // namespace

// `modelaudit-cli pull` in core: a temporary project (project/) beside a remote laid out by
// hand in DVC 3's layout (remote/files/md5/xx/...), and the real bundled remote for the
// census file.
class TestDvcRemote : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void emptyProject_pullsFromTheRemoteIntoCacheAndWorkspace();
    void bundledRemote_givesTheCensusFileByteForByte();
    void corruptRemoteFile_isRefusedWithoutTouchingTheWorkspace();
    void missingRemoteEntry_isReportedByPathAndMd5();
    void lockOutMissingFromRemote_isLeftToRepro();
    void upToDateFile_isNotRewritten();
    void cachedFile_isRestoredWithoutTheRemote();
    void editedFile_isReplacedAndItsBytesKeptInTheCache();
    void configLocal_overridesTheUrl();
    void badConfig_namesTheFileAndKey_data();
    void badConfig_namesTheFileAndKey();
    void cli_exitsOneWhenATrackedFileIsMissing();
    void push_writesDvcsLayoutAndRoundTrips();
    void httpRemote_pushAndPullRoundTripOverLoopback();

private:
    QString project(const QString &relative = {}) const { return m_dir.filePath(QStringLiteral("project/") + relative); }
    void putInRemote(const QByteArray &bytes, const QByteArray &stored);

    QTemporaryDir m_dir;
    const QByteArray m_bytes = "age, salary\n39, <=50K\n50, >50K\n";
};

void TestDvcRemote::init()
{
    QDir(project()).removeRecursively();
    QDir(m_dir.filePath(QStringLiteral("remote"))).removeRecursively();
    QDir().mkpath(project(QStringLiteral(".dvc")));
    QDir().mkpath(project(QStringLiteral("data")));
    QDir().mkpath(m_dir.filePath(QStringLiteral("remote/files/md5")));
    TestUtil::writeFile(m_dir, QStringLiteral("project/.dvc/config"), kConfig);
    TestUtil::writeFile(m_dir, QStringLiteral("project/data/rows.csv.dvc"), dvcFile(m_bytes, "rows.csv"));
}

// Stores `stored` in the remote under the md5 of `bytes` (a corrupt entry when they differ).
void TestDvcRemote::putInRemote(const QByteArray &bytes, const QByteArray &stored)
{
    const QString path = VersionStore::cachePath(m_dir.filePath(QStringLiteral("remote")), md5Of(bytes));
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(stored);
}

void TestDvcRemote::emptyProject_pullsFromTheRemoteIntoCacheAndWorkspace()
{
    putInRemote(m_bytes, m_bytes);
    const DvcRemote remote(project());
    QCOMPARE(remote.name(), QStringLiteral("shared"));
    QCOMPARE(remote.directory(), QDir::cleanPath(m_dir.filePath(QStringLiteral("remote"))));
    const PullReport report = remote.pull();
    QCOMPARE(report.entries.size(), 1);
    QCOMPARE(report.entries[0].path, QStringLiteral("data/rows.csv"));
    QCOMPARE(report.entries[0].owner, QStringLiteral("data/rows.csv.dvc"));
    QCOMPARE(report.entries[0].outcome, PullEntry::Outcome::Pulled);
    QVERIFY(report.complete());
    QCOMPARE(TestUtil::readFile(project(QStringLiteral("data/rows.csv"))), m_bytes);
    const QString cached = VersionStore::cachePath(project(QStringLiteral(".dvc/cache")), md5Of(m_bytes));
    QCOMPARE(TestUtil::readFile(cached), m_bytes);
    QVERIFY(!(QFileInfo(cached).permissions() & QFileDevice::WriteOwner)); // read-only, as DVC keeps its cache
    QVERIFY2(report.toText().contains(QStringLiteral("data/rows.csv: pulled from remote \"shared\"")),
             qPrintable(report.toText()));
}

void TestDvcRemote::push_writesDvcsLayoutAndRoundTrips()
{
    // rows.csv in the workspace; cached.csv in the cache only; gone.csv nowhere.
    const QByteArray cachedBytes = "x\n1\n2\n3\n";
    const QByteArray goneBytes = "never written";
    TestUtil::writeFile(m_dir, QStringLiteral("project/data/rows.csv"), m_bytes);
    TestUtil::writeFile(m_dir, QStringLiteral("project/data/cached.csv.dvc"), dvcFile(cachedBytes, "cached.csv"));
    const QString inCache = VersionStore::cachePath(project(QStringLiteral(".dvc/cache")), md5Of(cachedBytes));
    QDir().mkpath(QFileInfo(inCache).path());
    TestUtil::writeFile(
        m_dir, QStringLiteral("project/.dvc/cache/") + QDir(project(QStringLiteral(".dvc/cache"))).relativeFilePath(inCache),
        cachedBytes);
    TestUtil::writeFile(m_dir, QStringLiteral("project/data/gone.csv.dvc"), dvcFile(goneBytes, "gone.csv"));
    // DVC 3's documented layout, spelt out here: <remote>/files/md5/<first 2 hex>/<other 30 hex>.
    const auto layout = [this](const QByteArray &bytes) {
        const QString md5 = md5Of(bytes);
        return m_dir.filePath(QStringLiteral("remote/files/md5/%1/%2").arg(md5.left(2), md5.mid(2)));
    };

    PushReport report = DvcRemote(project()).push();
    QCOMPARE(report.entries.size(), 3);
    QCOMPARE(report.count(PushEntry::Outcome::Pushed), 2);
    QCOMPARE(report.count(PushEntry::Outcome::Missing), 1);
    QVERIFY(!report.complete());
    QCOMPARE(TestUtil::readFile(layout(m_bytes)), m_bytes);
    QCOMPARE(TestUtil::readFile(layout(cachedBytes)), cachedBytes);
    QVERIFY(!QFileInfo::exists(layout(goneBytes)));
    const QString text = report.toText();
    QVERIFY2(text.contains(QStringLiteral("data/rows.csv: pushed to remote \"shared\" from the workspace")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("data/cached.csv: pushed to remote \"shared\" from the cache")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("data/gone.csv: neither the workspace nor the cache has the bytes")), qPrintable(text));

    // Again: nothing to copy. A copy cut short on the remote is pushed again.
    report = DvcRemote(project()).push();
    QCOMPARE(report.count(PushEntry::Outcome::InRemote), 2);
    QFile::setPermissions(layout(m_bytes), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    TestUtil::writeFile(
        m_dir, QStringLiteral("remote/") + QDir(m_dir.filePath(QStringLiteral("remote"))).relativeFilePath(layout(m_bytes)),
        m_bytes.left(5));
    report = DvcRemote(project()).push();
    const auto rows = std::find_if(report.entries.cbegin(), report.entries.cend(),
                                   [](const PushEntry &e) { return e.path == QLatin1String("data/rows.csv"); });
    QVERIFY(rows != report.entries.cend());
    QCOMPARE(rows->outcome, PushEntry::Outcome::Pushed);
    QCOMPARE(report.count(PushEntry::Outcome::Pushed), 1);
    QCOMPARE(TestUtil::readFile(layout(m_bytes)), m_bytes);

    // Round trip: with the workspace and the cache gone, pull gives the same bytes back.
    QVERIFY(QFile::remove(project(QStringLiteral("data/rows.csv"))));
    QVERIFY(QDir(project(QStringLiteral(".dvc/cache"))).removeRecursively());
    const PullReport pulled = DvcRemote(project()).pull();
    QCOMPARE(TestUtil::readFile(project(QStringLiteral("data/rows.csv"))), m_bytes);
    QCOMPARE(TestUtil::readFile(project(QStringLiteral("data/cached.csv"))), cachedBytes);
    QCOMPARE(pulled.count(PullEntry::Outcome::Pulled), 2);

    // The CLI: -r names the remote, exit 1 while a recorded file is nowhere.
    const TestUtil::CliResult r = TestUtil::runCli(project(),
                                                   {QStringLiteral("push"), QStringLiteral("-r"), QStringLiteral("shared")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains(QStringLiteral("2 already there, 1 missing")), qPrintable(r.out));
    QVERIFY(QFile::remove(project(QStringLiteral("data/gone.csv.dvc"))));
    QCOMPARE(TestUtil::runCli(project(), {QStringLiteral("push"), QStringLiteral("--remote"), QStringLiteral("shared")}).exitCode,
             0);
    QCOMPARE(TestUtil::runCli(project(), {QStringLiteral("push"), QStringLiteral("-r"), QStringLiteral("nosuch")}).exitCode, 2);
}

void TestDvcRemote::httpRemote_pushAndPullRoundTripOverLoopback()
{
    QTemporaryDir served;
    FolderServer server(served.path());
    const QByteArray other = "y\n4\n5\n";
    TestUtil::writeFile(m_dir, QStringLiteral("project/data/rows.csv"), m_bytes);
    TestUtil::writeFile(m_dir, QStringLiteral("project/data/other.csv"), other);
    TestUtil::writeFile(m_dir, QStringLiteral("project/data/other.csv.dvc"), dvcFile(other, "other.csv"));
    for (const QByteArray method : {QByteArray("post"), QByteArray("put")}) {
        QDir(served.path()).removeRecursively();
        QDir().mkpath(served.path());
        server.log.clear();
        TestUtil::writeFile(m_dir, QStringLiteral("project/.dvc/config"),
                            "[core]\n    remote = web\n['remote \"web\"']\n    url = " + server.url().toUtf8()
                                + "/\n    method = " + method + "\n");
        const DvcRemote remote(project());
        QVERIFY(!remote.isLocal());
        QCOMPARE(remote.remotePath(md5Of(m_bytes)),
                 server.url() + QStringLiteral("/files/md5/%1/%2").arg(md5Of(m_bytes).left(2), md5Of(m_bytes).mid(2)));
        // A failed upload is an error naming the remote and the status; nothing half-stored counts.
        server.failUploads = 1;
        try {
            remote.push();
            QFAIL("an upload answered 500 passed");
        } catch (const IoError &e) {
            QVERIFY2(e.message().contains(QStringLiteral("web: %1 ").arg(QString::fromLatin1(method.toUpper())))
                         && e.message().contains(QStringLiteral("HTTP 500")),
                     qPrintable(e.message()));
        }
        PushReport pushed = remote.push();
        QCOMPARE(pushed.count(PushEntry::Outcome::Pushed), 2);
        // Stored where DVC's layout puts them, byte for byte.
        QCOMPARE(TestUtil::readFile(
                     served.filePath(QStringLiteral("files/md5/%1/%2").arg(md5Of(m_bytes).left(2), md5Of(m_bytes).mid(2)))),
                 m_bytes);
        QVERIFY2(server.log.join(QLatin1Char(' '))
                     .contains(QString::fromLatin1(method.toUpper()) + QStringLiteral(" /store/files/md5/")),
                 qPrintable(server.log.join(QLatin1Char('\n'))));
        QCOMPARE(remote.push().count(PushEntry::Outcome::InRemote), 2); // HEAD says so: nothing sent again

        // Pull back into an empty cache and workspace.
        QVERIFY(QFile::remove(project(QStringLiteral("data/rows.csv"))));
        QVERIFY(QFile::remove(project(QStringLiteral("data/other.csv"))));
        QDir(project(QStringLiteral(".dvc/cache"))).removeRecursively();
        const PullReport pulled = remote.pull();
        QCOMPARE(pulled.count(PullEntry::Outcome::Pulled), 2);
        QCOMPARE(TestUtil::readFile(project(QStringLiteral("data/rows.csv"))), m_bytes);
        QCOMPARE(TestUtil::readFile(project(QStringLiteral("data/other.csv"))), other);
    }
    // Other bytes under the md5 on the server: refused, the workspace left alone.
    const QString stored = served.filePath(QStringLiteral("files/md5/%1/%2").arg(md5Of(m_bytes).left(2), md5Of(m_bytes).mid(2)));
    QFile::remove(stored);
    TestUtil::writeFile(served, QDir(served.path()).relativeFilePath(stored), "not the rows at all, and longer than them too");
    QVERIFY(QFile::remove(project(QStringLiteral("data/rows.csv"))));
    QDir(project(QStringLiteral(".dvc/cache"))).removeRecursively();
    PullReport pulled = DvcRemote(project()).pull();
    const auto rows = std::find_if(pulled.entries.cbegin(), pulled.entries.cend(),
                                   [](const PullEntry &e) { return e.path == QLatin1String("data/rows.csv"); });
    QCOMPARE(rows->outcome, PullEntry::Outcome::Corrupt);
    QVERIFY(!QFileInfo::exists(project(QStringLiteral("data/rows.csv"))));
    // Not on the server: reported missing by path.
    QFile::remove(stored);
    pulled = DvcRemote(project()).pull();
    QCOMPARE(std::find_if(pulled.entries.cbegin(), pulled.entries.cend(),
                          [](const PullEntry &e) { return e.path == QLatin1String("data/rows.csv"); })
                 ->outcome,
             PullEntry::Outcome::NotInRemote);
    // A bad upload method is named.
    TestUtil::writeFile(m_dir, QStringLiteral("project/.dvc/config"),
                        "[core]\n    remote = web\n['remote \"web\"']\n    url = " + server.url().toUtf8()
                            + "\n    method = patch\n");
    QVERIFY_THROWS_EXCEPTION(SchemaError, DvcRemote{project()}.name());
}

void TestDvcRemote::bundledRemote_givesTheCensusFileByteForByte()
{
    const QString bundled = QDir::cleanPath(TestUtil::projectFile(QStringLiteral("../shared/dvc-remote")));
    QVERIFY2(QFileInfo(bundled).isDir(), "the bundled remote ../shared/dvc-remote is not beside the project");
    TestUtil::writeFile(m_dir, QStringLiteral("project/.dvc/config"),
                        "[core]\n    remote = bundled\n['remote \"bundled\"']\n    url = " + bundled.toUtf8() + "\n");
    QDir().mkpath(project(QStringLiteral("data/raw")));
    QVERIFY(QFile::remove(project(QStringLiteral("data/rows.csv.dvc"))));
    QVERIFY(QFile::copy(TestUtil::projectFile(QStringLiteral("data/raw/census.csv.dvc")),
                        project(QStringLiteral("data/raw/census.csv.dvc"))));
    const PullReport report = DvcRemote(project()).pull();
    QCOMPARE(report.entries.size(), 1);
    QCOMPARE(report.entries[0].outcome, PullEntry::Outcome::Pulled);
    const QString pulled = project(QStringLiteral("data/raw/census.csv"));
    QCOMPARE(Audit::fileMd5(pulled), QStringLiteral("145de00f6e6053d3f7044628f9a5b5ff"));
    QCOMPARE(QFileInfo(pulled).size(), 3974474);
}

void TestDvcRemote::corruptRemoteFile_isRefusedWithoutTouchingTheWorkspace()
{
    putInRemote(m_bytes, "age, salary\n39, >50K\n50, >50K\n"); // one label flipped, same size
    const PullReport report = DvcRemote(project()).pull();
    QCOMPARE(report.entries[0].outcome, PullEntry::Outcome::Corrupt);
    QVERIFY(!report.complete());
    QVERIFY2(report.entries[0].detail.contains(QStringLiteral("refused")) && report.entries[0].detail.contains(md5Of(m_bytes)),
             qPrintable(report.entries[0].detail));
    QVERIFY(!QFileInfo::exists(project(QStringLiteral("data/rows.csv"))));
    QVERIFY(!QFileInfo::exists(VersionStore::cachePath(project(QStringLiteral(".dvc/cache")), md5Of(m_bytes))));
    QCOMPARE(QDir(project(QStringLiteral("data"))).entryList(QDir::Files | QDir::Hidden),
             QStringList{QStringLiteral("rows.csv.dvc")});
}

void TestDvcRemote::missingRemoteEntry_isReportedByPathAndMd5()
{
    const PullReport report = DvcRemote(project()).pull();
    QCOMPARE(report.entries[0].outcome, PullEntry::Outcome::NotInRemote);
    QVERIFY(report.entries[0].failed());
    QVERIFY(!report.complete());
    const QString text = report.toText();
    QVERIFY2(text.contains(QStringLiteral("data/rows.csv: not in remote \"shared\"")) && text.contains(md5Of(m_bytes).mid(2))
                 && text.contains(QStringLiteral("data/rows.csv.dvc")),
             qPrintable(text));
}

void TestDvcRemote::lockOutMissingFromRemote_isLeftToRepro()
{
    putInRemote(m_bytes, m_bytes);
    const QByteArray model = "not really a model";
    TestUtil::writeFile(m_dir, QStringLiteral("project/dvc.yaml"),
                        "stages:\n  train:\n    cmd: touch models/model.bin\n    deps: [data/rows.csv]\n"
                        "    outs: [models/model.bin]\n  report:\n    cmd: touch report.json\n    deps: [models/model.bin]\n"
                        "    metrics:\n    - report.json:\n        cache: false\n");
    TestUtil::writeFile(
        m_dir, QStringLiteral("project/dvc.lock"),
        "schema: '2.0'\nstages:\n  train:\n    cmd: touch models/model.bin\n    deps:\n    - path: data/rows.csv\n"
        "      hash: md5\n      md5: "
            + md5Of(m_bytes).toLatin1() + "\n      size: " + QByteArray::number(m_bytes.size())
            + "\n    outs:\n    - path: models/model.bin\n      hash: md5\n      md5: " + md5Of(model).toLatin1()
            + "\n      size: 18\n  report:\n    cmd: touch report.json\n    deps:\n    - path: models/model.bin\n"
              "      hash: md5\n      md5: "
            + md5Of(model).toLatin1()
            + "\n      size: 18\n    outs:\n    - path: report.json\n      hash: md5\n"
              "      md5: 0123456789abcdef0123456789abcdef\n      size: 2\n");
    const PullReport report = DvcRemote(project()).pull();
    QCOMPARE(report.entries.size(), 2); // rows.csv once (.dvc file and dep), the model; not the git-tracked report
    QCOMPARE(report.entries[1].path, QStringLiteral("models/model.bin"));
    QCOMPARE(report.entries[1].outcome, PullEntry::Outcome::NotInRemote);
    QVERIFY(report.entries[1].regenerable);
    QVERIFY2(report.entries[1].detail.contains(QStringLiteral("run repro")), qPrintable(report.entries[1].detail));
    QVERIFY(report.complete());
}

void TestDvcRemote::upToDateFile_isNotRewritten()
{
    putInRemote(m_bytes, m_bytes);
    QCOMPARE(DvcRemote(project()).pull().entries[0].outcome, PullEntry::Outcome::Pulled);
    const QString file = project(QStringLiteral("data/rows.csv"));
    const QDateTime old = QDateTime::fromSecsSinceEpoch(946684800);
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.setFileTime(old, QFileDevice::FileModificationTime));
    }
    const PullReport again = DvcRemote(project()).pull();
    QCOMPARE(again.entries[0].outcome, PullEntry::Outcome::UpToDate);
    QCOMPARE(QFileInfo(file).lastModified(), old);
}

void TestDvcRemote::cachedFile_isRestoredWithoutTheRemote()
{
    const QString cached = VersionStore::cachePath(project(QStringLiteral(".dvc/cache")), md5Of(m_bytes));
    QDir().mkpath(QFileInfo(cached).path());
    TestUtil::writeFile(m_dir,
                        QStringLiteral("project/.dvc/cache/files/md5/") + md5Of(m_bytes).left(2) + QLatin1Char('/')
                            + md5Of(m_bytes).mid(2),
                        m_bytes);
    const PullReport report = DvcRemote(project()).pull();
    QCOMPARE(report.entries[0].outcome, PullEntry::Outcome::FromCache);
    QCOMPARE(TestUtil::readFile(project(QStringLiteral("data/rows.csv"))), m_bytes);
}

void TestDvcRemote::editedFile_isReplacedAndItsBytesKeptInTheCache()
{
    putInRemote(m_bytes, m_bytes);
    const QByteArray edited = "age, salary\n";
    TestUtil::writeFile(m_dir, QStringLiteral("project/data/rows.csv"), edited);
    const PullReport report = DvcRemote(project()).pull();
    QCOMPARE(report.entries[0].outcome, PullEntry::Outcome::Pulled);
    QCOMPARE(TestUtil::readFile(project(QStringLiteral("data/rows.csv"))), m_bytes);
    QCOMPARE(TestUtil::readFile(VersionStore::cachePath(project(QStringLiteral(".dvc/cache")), md5Of(edited))), edited);
    QVERIFY(report.entries[0].detail.contains(QStringLiteral("kept in")));
}

void TestDvcRemote::configLocal_overridesTheUrl()
{
    QDir().mkpath(m_dir.filePath(QStringLiteral("elsewhere")));
    TestUtil::writeFile(m_dir, QStringLiteral("project/.dvc/config.local"), "['remote \"shared\"']\n    url = ../../elsewhere\n");
    QCOMPARE(DvcRemote(project()).directory(), QDir::cleanPath(m_dir.filePath(QStringLiteral("elsewhere"))));
    QCOMPARE(DvcConfig::load(project()).cacheDirectory(), QDir::cleanPath(project(QStringLiteral(".dvc/cache"))));
}

void TestDvcRemote::badConfig_namesTheFileAndKey_data()
{
    QTest::addColumn<QByteArray>("config"); // "-": no .dvc/config at all
    QTest::addColumn<QString>("remote");
    QTest::addColumn<QString>("message");
    QTest::newRow("no config file") << QByteArray("-") << QString() << QStringLiteral(".dvc/config: no such file");
    QTest::newRow("garbled line") << QByteArray("[core]\n    remote bundled\n") << QString()
                                  << QStringLiteral(".dvc/config:2: expected a section such as [core] or a line `key = value`, "
                                                    "found \"remote bundled\"");
    QTest::newRow("key before any section") << QByteArray("remote = bundled\n") << QString()
                                            << QStringLiteral(".dvc/config:1: \"remote = bundled\" comes before any section");
    QTest::newRow("url missing") << QByteArray("[core]\n    remote = bundled\n['remote \"bundled\"']\n    push = false\n")
                                 << QString() << QStringLiteral(".dvc/config: remote \"bundled\": url is missing");
    QTest::newRow("no default remote") << QByteArray("[core]\n    autostage = true\n") << QString()
                                       << QStringLiteral(".dvc/config: [core] remote is not set");
    QTest::newRow("unknown remote") << kConfig << QStringLiteral("other")
                                    << QStringLiteral(".dvc/config: remote \"other\" is not defined (defined: \"shared\")");
    QTest::newRow("cloud url")
        << QByteArray("[core]\n    remote = s3\n['remote \"s3\"']\n    url = s3://bucket/path\n") << QString()
        << QStringLiteral(".dvc/config:4: remote \"s3\": url \"s3://bucket/path\" is neither a local folder nor http(s)");
    QTest::newRow("remote folder missing") << QByteArray(
        "[core]\n    remote = gone\n['remote \"gone\"']\n    url = ../../nowhere\n")
                                           << QString() << QStringLiteral(".dvc/config: remote \"gone\" is the folder ");
}

void TestDvcRemote::badConfig_namesTheFileAndKey()
{
    QFETCH(QByteArray, config);
    QFETCH(QString, remote);
    QFETCH(QString, message);
    if (config == "-")
        QVERIFY(QFile::remove(project(QStringLiteral(".dvc/config"))));
    else
        TestUtil::writeFile(m_dir, QStringLiteral("project/.dvc/config"), config);
    QString error = QStringLiteral("(no error)");
    try {
        DvcRemote(project(), remote).pull();
    } catch (const AuditError &e) {
        error = e.message();
    }
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY(!error.contains(QStringLiteral("--"))); // core names files and keys, not options
    QVERIFY(!QFileInfo::exists(project(QStringLiteral("data/rows.csv"))));
}

void TestDvcRemote::cli_exitsOneWhenATrackedFileIsMissing()
{
    QProcess cli;
    cli.start(QStringLiteral(CLI_BINARY), {QStringLiteral("pull"), QStringLiteral("--project"), project()});
    QVERIFY(cli.waitForFinished(30000));
    QCOMPARE(cli.exitCode(), 1);
    QVERIFY(cli.readAllStandardOutput().contains("data/rows.csv: not in remote \"shared\""));
    QVERIFY(cli.readAllStandardError().contains("pull: some files are in neither the cache nor remote \"shared\""));

    putInRemote(m_bytes, m_bytes);
    cli.start(QStringLiteral(CLI_BINARY), {QStringLiteral("pull"), QStringLiteral("--project"), project()});
    QVERIFY(cli.waitForFinished(30000));
    QCOMPARE(cli.exitCode(), 0);
    QCOMPARE(TestUtil::readFile(project(QStringLiteral("data/rows.csv"))), m_bytes);

    TestUtil::writeFile(m_dir, QStringLiteral("project/.dvc/config"), "[core\n");
    cli.start(QStringLiteral(CLI_BINARY), {QStringLiteral("pull"), QStringLiteral("--project"), project()});
    QVERIFY(cli.waitForFinished(30000));
    QCOMPARE(cli.exitCode(), 2);
    QVERIFY(cli.readAllStandardError().contains("modelaudit-cli pull: error: .dvc/config:1:"));
}

QTEST_GUILESS_MAIN(TestDvcRemote)
#include "tst_dvcremote.moc"
