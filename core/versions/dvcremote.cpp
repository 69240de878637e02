#include "dvcremote.h"

#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSaveFile>
#include <QSet>
#include <functional>

#include "auditerror.h"
#include "dvcconfig.h"
#include "fileio.h"
#include "versions.h"
#include "yamlutil.h"

namespace Audit {

namespace {

constexpr qint64 kChunkBytes = 1 << 20;

struct CopyCheck
{
    bool ok = false;
    QString md5; // of the source's bytes
    qint64 size = -1;
};

// Streams `from` into a QSaveFile at `to`, hashing as it goes, and commits only when the
// bytes have the expected size and md5; otherwise nothing is written and the actual size
// and md5 are returned.
CopyCheck copyVerified(const QString &from, const QString &to, const DvcFileEntry &expected, bool readOnly)
{
    QFile in(from);
    if (!in.open(QIODevice::ReadOnly))
        throw IoError(QStringLiteral("%1: cannot read: %2").arg(from, in.errorString()));
    if (expected.size >= 0 && in.size() != expected.size) {
        in.close();
        return CopyCheck{false, fileMd5(from), QFileInfo(from).size()};
    }
    makeParentFolder(to);
    QSaveFile out(to);
    if (!out.open(QIODevice::WriteOnly))
        throw IoError(QStringLiteral("%1: cannot write: %2").arg(to, out.errorString()));
    QCryptographicHash hash(QCryptographicHash::Md5);
    qint64 size = 0;
    while (!in.atEnd()) {
        const QByteArray chunk = in.read(kChunkBytes);
        if (chunk.isEmpty() && in.error() != QFileDevice::NoError)
            throw IoError(QStringLiteral("%1: read failed: %2").arg(from, in.errorString()));
        hash.addData(chunk);
        size += chunk.size();
        if (out.write(chunk) != chunk.size()) {
            out.cancelWriting();
            throw IoError(QStringLiteral("%1: write failed: %2").arg(to, out.errorString()));
        }
    }
    const QString md5 = QString::fromLatin1(hash.result().toHex());
    if (md5 != expected.md5 || (expected.size >= 0 && size != expected.size)) {
        out.cancelWriting();
        out.commit(); // discards the temporary file
        return CopyCheck{false, md5, size};
    }
    if (!out.commit())
        throw IoError(QStringLiteral("%1: cannot save: %2").arg(to, out.errorString()));
    if (readOnly) // DVC keeps its cache read-only so that a hard link cannot edit it
        QFile::setPermissions(to, QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    return CopyCheck{true, md5, size};
}

bool matches(const QString &path, const DvcFileEntry &entry)
{
    const QFileInfo info(path);
    return info.isFile() && (entry.size < 0 || info.size() == entry.size) && fileMd5(path) == entry.md5;
}

QString shortMd5(const QString &md5)
{
    return md5.left(12) + QStringLiteral("…");
}

QString bytes(qint64 size)
{
    return size < 0 ? QStringLiteral("size not recorded")
                    : QStringLiteral("%1 bytes").arg(QLocale(QLocale::English, QLocale::UnitedStates).toString(size));
}

} // namespace

bool PullEntry::failed() const
{
    return !regenerable && (outcome == Outcome::NotInRemote || outcome == Outcome::Corrupt);
}

bool PullReport::complete() const
{
    return std::none_of(entries.cbegin(), entries.cend(), [](const PullEntry &e) { return e.failed(); });
}

qsizetype PullReport::count(PullEntry::Outcome outcome) const
{
    return std::count_if(entries.cbegin(), entries.cend(), [outcome](const PullEntry &e) { return e.outcome == outcome; });
}

QString PullReport::toText() const
{
    QString text;
    for (const PullEntry &e : entries)
        text += QStringLiteral("%1: %2\n").arg(e.path, e.detail);
    const qsizetype regenerate = std::count_if(entries.cbegin(), entries.cend(), [](const PullEntry &e) {
        return e.regenerable && (e.outcome == PullEntry::Outcome::NotInRemote || e.outcome == PullEntry::Outcome::Corrupt);
    });
    const qsizetype failed = std::count_if(entries.cbegin(), entries.cend(), [](const PullEntry &e) { return e.failed(); });
    text += QStringLiteral("%1 pulled from remote \"%2\", %3 restored from the cache, %4 up to date, %5 to regenerate "
                           "with repro, %6 missing")
                .arg(count(PullEntry::Outcome::Pulled))
                .arg(remote)
                .arg(count(PullEntry::Outcome::FromCache))
                .arg(count(PullEntry::Outcome::UpToDate))
                .arg(regenerate)
                .arg(failed);
    return text;
}

QJsonObject PullReport::toJson() const
{
    QJsonArray list;
    for (const PullEntry &e : entries) {
        list.append(QJsonObject{{QStringLiteral("path"), e.path},
                                {QStringLiteral("md5"), e.recorded.md5},
                                {QStringLiteral("size"), e.recorded.size < 0 ? QJsonValue() : QJsonValue(e.recorded.size)},
                                {QStringLiteral("owner"), e.owner},
                                {QStringLiteral("regenerable"), e.regenerable},
                                {QStringLiteral("status"), enumName(e.outcome)},
                                {QStringLiteral("detail"), e.detail}});
    }
    return QJsonObject{{QStringLiteral("remote"), remote},
                       {QStringLiteral("remote_dir"), remoteDir},
                       {QStringLiteral("complete"), complete()},
                       {QStringLiteral("files"), list}};
}

DvcRemote::DvcRemote(const QString &root, const QString &name)
    : m_root(QDir(root).absolutePath())
{
    const DvcConfig config = DvcConfig::load(m_root);
    m_name = config.remoteName(name);
    m_cache = config.cacheDirectory();
    m_url = config.remoteHttpUrl(m_name);
    if (!m_url.isEmpty()) { // DVC's http remote: GET to pull, post (or put) to push, the same layout
        while (m_url.endsWith(QLatin1Char('/')))
            m_url.chop(1);
        m_dir = m_url;
        m_method = config.remoteHttpMethod(m_name);
        return;
    }
    m_dir = config.remoteDirectory(m_name);
    if (!QFileInfo(m_dir).isDir())
        throw IoError(QStringLiteral(".dvc/config: remote \"%1\" is the folder %2, which does not exist. Fix: put the "
                                     "remote there (a relative url is read from .dvc/), or correct its url.")
                          .arg(m_name, m_dir));
}

QString DvcRemote::remotePath(const QString &md5) const
{
    if (!m_url.isEmpty())
        return QStringLiteral("%1/files/md5/%2/%3").arg(m_url, md5.left(2), md5.mid(2));
    return VersionStore::cachePath(m_dir, md5);
}

namespace {

struct HttpAnswer
{
    int status = 0; // 0: no answer (the error says why)
    QString error;
    qint64 length = -1; // Content-Length, when given
};

// One synchronous request on its own event loop (the caller's thread): `body` uploaded,
// the answer's bytes given to `sink` as they come (false from it aborts). 30 s without
// progress is a timeout.
HttpAnswer httpCall(const QByteArray &verb, const QString &url, QIODevice *body,
                    const std::function<bool(const QByteArray &)> &sink = {})
{
    QNetworkAccessManager network;
    QNetworkRequest request{QUrl(url)};
    request.setTransferTimeout(30000);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    if (body)
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/octet-stream"));
    QNetworkReply *reply = network.sendCustomRequest(request, verb, body);
    QEventLoop loop;
    bool aborted = false;
    QObject::connect(reply, &QNetworkReply::readyRead, &loop, [&] {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray chunk = reply->readAll();
        if (status == 200 && sink && !sink(chunk)) {
            aborted = true;
            reply->abort();
        }
    });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    HttpAnswer answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
    answer.length = length.isValid() ? length.toLongLong() : -1;
    if (answer.status == 200 && sink && !aborted)
        sink(reply->readAll());
    if (reply->error() != QNetworkReply::NoError && answer.status == 0)
        answer.error = reply->errorString();
    if (aborted)
        answer.error = QStringLiteral("more bytes than recorded");
    reply->deleteLater();
    return answer;
}

} // namespace

DvcRemote::Fetched DvcRemote::remoteToCache(const DvcFileEntry &recorded, const QString &cached) const
{
    if (m_url.isEmpty()) {
        const QString remote = remotePath(recorded.md5);
        if (!QFileInfo(remote).isFile())
            return {};
        const CopyCheck check = copyVerified(remote, cached, recorded, true);
        return {true, check.ok, check.md5, check.size};
    }
    // Streamed into the cache through QSaveFile, hashed as it comes, committed only when the
    // bytes are the recorded ones; never more than the recorded size is taken.
    makeParentFolder(cached);
    QSaveFile out(cached);
    if (!out.open(QIODevice::WriteOnly))
        throw IoError(QStringLiteral("%1: cannot write: %2").arg(cached, out.errorString()));
    QCryptographicHash hash(QCryptographicHash::Md5);
    qint64 size = 0;
    const HttpAnswer answer = httpCall("GET", remotePath(recorded.md5), nullptr, [&](const QByteArray &chunk) {
        size += chunk.size();
        if (recorded.size >= 0 && size > recorded.size)
            return false;
        hash.addData(chunk);
        return out.write(chunk) == chunk.size();
    });
    if (answer.status == 404 || answer.status == 410) {
        out.cancelWriting();
        return {};
    }
    if (answer.status != 200 || !answer.error.isEmpty()) {
        out.cancelWriting();
        if (answer.status == 200) // cut short or more than recorded: other bytes than recorded
            return {true, false, QStringLiteral("(%1)").arg(answer.error), size};
        throw IoError(QStringLiteral("%1: GET %2 failed: %3")
                          .arg(m_name, remotePath(recorded.md5),
                               answer.status ? QStringLiteral("HTTP %1").arg(answer.status) : answer.error));
    }
    const QString md5 = QString::fromLatin1(hash.result().toHex());
    if (md5 != recorded.md5 || (recorded.size >= 0 && size != recorded.size)) {
        out.cancelWriting();
        return {true, false, md5, size};
    }
    if (!out.commit())
        throw IoError(QStringLiteral("%1: cannot save: %2").arg(cached, out.errorString()));
    QFile::setPermissions(cached, QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    return {true, true, md5, size};
}

bool DvcRemote::remoteHas(const DvcFileEntry &recorded) const
{
    if (m_url.isEmpty()) {
        const QFileInfo there(remotePath(recorded.md5));
        return there.isFile() && (recorded.size < 0 || there.size() == recorded.size);
    }
    const HttpAnswer answer = httpCall("HEAD", remotePath(recorded.md5), nullptr);
    if (answer.status == 200)
        return recorded.size < 0 || answer.length < 0 || answer.length == recorded.size;
    if (answer.status == 404 || answer.status == 410)
        return false;
    throw IoError(
        QStringLiteral("%1: HEAD %2 failed: %3")
            .arg(m_name, remotePath(recorded.md5), answer.status ? QStringLiteral("HTTP %1").arg(answer.status) : answer.error));
}

void DvcRemote::toRemote(const QString &source, const DvcFileEntry &recorded) const
{
    QFile in(source);
    if (!in.open(QIODevice::ReadOnly))
        throw IoError(QStringLiteral("%1: cannot read: %2").arg(source, in.errorString()));
    const HttpAnswer answer = httpCall(m_method == QLatin1String("put") ? QByteArrayLiteral("PUT") : QByteArrayLiteral("POST"),
                                       remotePath(recorded.md5), &in);
    if (answer.status < 200 || answer.status >= 300)
        throw IoError(QStringLiteral("%1: %2 %3 failed: %4")
                          .arg(m_name, m_method.toUpper(), remotePath(recorded.md5),
                               answer.status ? QStringLiteral("HTTP %1").arg(answer.status) : answer.error));
}

PullEntry DvcRemote::pullOne(const DvcFileEntry &recorded, const QString &owner, bool regenerable) const
{
    PullEntry e{recorded.path, recorded, owner, regenerable, PullEntry::Outcome::NotInRemote, QString()};
    const QString workspace = QDir(m_root).filePath(recorded.path);
    const QString what = QStringLiteral("md5 %1, %2").arg(shortMd5(recorded.md5), bytes(recorded.size));
    if (matches(workspace, recorded)) {
        e.outcome = PullEntry::Outcome::UpToDate;
        e.detail = QStringLiteral("up to date (%1)").arg(what);
        return e;
    }
    if (recorded.md5.endsWith(QLatin1String(".dir")) && QFileInfo(workspace).isDir()) {
        e.outcome = PullEntry::Outcome::UpToDate;
        e.detail = QStringLiteral("a directory, present (its files are not checked here)");
        return e;
    }
    if (recorded.md5.endsWith(QLatin1String(".dir"))) {
        e.outcome = PullEntry::Outcome::NotInRemote;
        e.detail = QStringLiteral("a directory (md5 %1); only single files are pulled here. Fix: use `dvc pull`, or track "
                                  "its files one by one.")
                       .arg(recorded.md5);
        return e;
    }
    const bool plainDep = !regenerable && owner == QLatin1String("dvc.lock");
    if (plainDep && QFileInfo(workspace).isFile()) {
        e.outcome = PullEntry::Outcome::Kept;
        e.detail = QStringLiteral("differs from dvc.lock (which records %1); git tracks it, so it is left as it is").arg(what);
        return e;
    }
    // A workspace copy that differs is kept in the cache under its own md5 before it is replaced.
    QString replaced;
    if (QFileInfo(workspace).isFile()) {
        const DvcFileEntry own{recorded.path, fileMd5(workspace), QFileInfo(workspace).size()};
        const QString keep = VersionStore::cachePath(m_cache, own.md5);
        if (!matches(keep, own))
            copyVerified(workspace, keep, own, true);
        replaced = QStringLiteral("; the edited copy it replaced (md5 %1) is kept in %2").arg(shortMd5(own.md5), keep);
    }
    const QString cached = VersionStore::cachePath(m_cache, recorded.md5);
    if (QFileInfo(cached).isFile() && copyVerified(cached, workspace, recorded, false).ok) {
        e.outcome = PullEntry::Outcome::FromCache;
        e.detail = QStringLiteral("restored from the cache (%1)%2").arg(what, replaced);
        return e;
    }
    const QString remote = remotePath(recorded.md5);
    const Fetched check = remoteToCache(recorded, cached);
    if (!check.found) {
        e.outcome = PullEntry::Outcome::NotInRemote;
        e.detail = regenerable
            ? QStringLiteral("not in remote \"%1\" (%2); run repro to regenerate it (stage %3)").arg(m_name, what, owner)
            : QStringLiteral("not in remote \"%1\": %2 does not exist (%3 records %4). Fix: push the "
                             "file to the remote from a copy that has it (dvc push), or correct %3.")
                  .arg(m_name, remote, owner, what);
        return e;
    }
    if (!check.ok) {
        e.outcome = PullEntry::Outcome::Corrupt;
        e.detail = QStringLiteral("refused: the remote's %1 has md5 %2 and %3, but %4 records md5 %5 and %6; the cache and "
                                  "the workspace are untouched. Fix: push a good copy to remote \"%7\".")
                       .arg(remote, check.md5, bytes(check.size), owner, recorded.md5, bytes(recorded.size), m_name);
        return e;
    }
    if (!copyVerified(cached, workspace, recorded, false).ok)
        throw IoError(QStringLiteral("%1: the copy from %2 does not have md5 %3 (the disk may be failing)")
                          .arg(workspace, cached, recorded.md5));
    e.outcome = PullEntry::Outcome::Pulled;
    e.detail = QStringLiteral("pulled from remote \"%1\" (%2)%3").arg(m_name, what, replaced);
    return e;
}

QList<DvcRemote::Tracked> DvcRemote::tracked() const
{
    QList<Tracked> out;
    QSet<QString> seen;
    const QDir root(m_root);
    for (const QString &file : findDvcFiles(m_root)) {
        const QList<DvcFileEntry> entries = parseDvcFile(YamlReader::readFile(root.filePath(file), QStringLiteral("DVC")), file,
                                                         QFileInfo(file).path());
        for (const DvcFileEntry &entry : entries) {
            if (!seen.contains(entry.path)) {
                seen.insert(entry.path);
                out << Tracked{entry, file, false};
            }
        }
    }
    const QString lockPath = root.filePath(QStringLiteral("dvc.lock"));
    if (!QFileInfo::exists(lockPath))
        return out;
    const DvcLock lock = DvcLock::parse(YamlReader::readFile(lockPath, QStringLiteral("lock")), QStringLiteral("dvc.lock"));
    std::optional<DvcPipeline> pipeline;
    if (QFileInfo::exists(root.filePath(QStringLiteral("dvc.yaml"))))
        pipeline = DvcPipeline::load(m_root);
    QSet<QString> produced, uncached;
    for (const DvcLockStage &stage : lock.stages()) {
        for (const DvcFileEntry &o : stage.outs)
            produced.insert(o.path);
    }
    for (const DvcStage &stage : pipeline ? pipeline->stages() : QList<DvcStage>()) {
        for (const DvcOutput &o : stage.outs) {
            produced.insert(o.path);
            if (!o.cache)
                uncached.insert(o.path); // git tracks it: not in the cache, not on the remote
        }
    }
    for (const DvcLockStage &stage : lock.stages()) {
        for (const DvcFileEntry &dep : stage.deps) {
            if (!seen.contains(dep.path) && !produced.contains(dep.path)) {
                seen.insert(dep.path);
                out << Tracked{dep, QStringLiteral("dvc.lock"), false};
            }
        }
        for (const DvcFileEntry &o : stage.outs) {
            if (!seen.contains(o.path) && !uncached.contains(o.path)) {
                seen.insert(o.path);
                out << Tracked{o, stage.name, true};
            }
        }
    }
    return out;
}

PullReport DvcRemote::pull() const
{
    PullReport report{m_name, m_dir, {}};
    for (const Tracked &t : tracked())
        report.entries << pullOne(t.entry, t.owner, t.regenerable);
    return report;
}

PushEntry DvcRemote::pushOne(const DvcFileEntry &recorded, const QString &owner) const
{
    PushEntry e{recorded.path, recorded, owner, PushEntry::Outcome::Missing, QString()};
    const QString what = QStringLiteral("md5 %1, %2").arg(shortMd5(recorded.md5), bytes(recorded.size));
    if (recorded.md5.endsWith(QLatin1String(".dir"))) {
        e.detail
            = QStringLiteral("a directory (md5 %1); only single files are pushed here. Fix: use `dvc push`.").arg(recorded.md5);
        return e;
    }
    const QString remote = remotePath(recorded.md5);
    // As DVC: a file of that md5 on the remote is taken as that file (its size is checked too,
    // so a copy cut short is pushed again).
    if (remoteHas(recorded)) {
        e.outcome = PushEntry::Outcome::InRemote;
        e.detail = QStringLiteral("already in remote \"%1\" (%2)").arg(m_name, what);
        return e;
    }
    const QString workspace = QDir(m_root).filePath(recorded.path);
    const QString cached = VersionStore::cachePath(m_cache, recorded.md5);
    for (const QString &source : {workspace, cached}) {
        if (!QFileInfo(source).isFile())
            continue;
        bool sent = false;
        if (m_url.isEmpty()) {
            sent = copyVerified(source, remote, recorded, false).ok;
        } else if (matches(source, recorded)) {
            toRemote(source, recorded);
            sent = true;
        }
        if (sent) {
            e.outcome = PushEntry::Outcome::Pushed;
            e.detail = QStringLiteral("pushed to remote \"%1\" from %2 (%3)")
                           .arg(m_name, source == workspace ? QStringLiteral("the workspace") : QStringLiteral("the cache"),
                                what);
            return e;
        }
    }
    e.detail = QStringLiteral("neither the workspace nor the cache has the bytes %1 records (%2)%3. Fix: run repro or "
                              "pull it from a copy that has it, then push.")
                   .arg(owner, what,
                        QFileInfo(workspace).isFile() ? QStringLiteral("; the workspace file differs (edited since)")
                                                      : QString());
    return e;
}

QString DvcRemote::fetch(const DvcFileEntry &recorded) const
{
    const QString cached = VersionStore::cachePath(m_cache, recorded.md5);
    if (matches(cached, recorded))
        return cached;
    const QString remote = remotePath(recorded.md5);
    const Fetched check = remoteToCache(recorded, cached);
    if (!check.found)
        throw AuditError(QStringLiteral("%1 (md5 %2) is not in remote \"%3\" either: %4 does not exist")
                             .arg(recorded.path, recorded.md5, m_name, remote));
    if (!check.ok)
        throw AuditError(QStringLiteral("%1: remote \"%2\" holds other bytes under md5 %3 (%4 has md5 %5, %6); refused")
                             .arg(recorded.path, m_name, recorded.md5, remote, check.md5, bytes(check.size)));
    return cached;
}

PushReport DvcRemote::push() const
{
    PushReport report{m_name, m_dir, {}};
    for (const Tracked &t : tracked())
        report.entries << pushOne(t.entry, t.owner);
    return report;
}

bool PushReport::complete() const
{
    return count(PushEntry::Outcome::Missing) == 0;
}

qsizetype PushReport::count(PushEntry::Outcome outcome) const
{
    return std::count_if(entries.cbegin(), entries.cend(), [outcome](const PushEntry &e) { return e.outcome == outcome; });
}

QString PushReport::toText() const
{
    QString text;
    for (const PushEntry &e : entries)
        text += QStringLiteral("%1: %2\n").arg(e.path, e.detail);
    text += QStringLiteral("%1 pushed to remote \"%2\", %3 already there, %4 missing")
                .arg(count(PushEntry::Outcome::Pushed))
                .arg(remote)
                .arg(count(PushEntry::Outcome::InRemote))
                .arg(count(PushEntry::Outcome::Missing));
    return text;
}

QJsonObject PushReport::toJson() const
{
    QJsonArray list;
    for (const PushEntry &e : entries)
        list.append(QJsonObject{{QStringLiteral("path"), e.path},
                                {QStringLiteral("md5"), e.recorded.md5},
                                {QStringLiteral("size"), e.recorded.size < 0 ? QJsonValue() : QJsonValue(e.recorded.size)},
                                {QStringLiteral("owner"), e.owner},
                                {QStringLiteral("status"), enumName(e.outcome)},
                                {QStringLiteral("detail"), e.detail}});
    return QJsonObject{{QStringLiteral("remote"), remote},
                       {QStringLiteral("remote_dir"), remoteDir},
                       {QStringLiteral("complete"), complete()},
                       {QStringLiteral("files"), list}};
}

} // namespace Audit
