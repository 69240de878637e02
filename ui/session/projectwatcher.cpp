#include "projectwatcher.h"

#include <algorithm>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace Ui {

namespace {

constexpr int kSettleMs = 400;

} // namespace

ProjectWatcher::ProjectWatcher(QObject *parent)
    : QObject(parent)
{
    m_settle.setSingleShot(true);
    m_settle.setInterval(kSettleMs);
    connect(&m_settle, &QTimer::timeout, this, &ProjectWatcher::check);
    // An atomic save replaces the file: the watch on it ends, so the folder is watched too.
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, [this] { m_settle.start(); });
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] { m_settle.start(); });
}

ProjectWatcher::Stamp ProjectWatcher::stampOf(const QString &path, const Stamp *previous, const QString &knownMd5)
{
    Stamp stamp;
    const QFileInfo info(path);
    if (!info.exists())
        return stamp;
    stamp.size = info.size();
    stamp.modified = info.lastModified().toMSecsSinceEpoch();
    // Same size and time as before: the same file, no need to read it again.
    if (previous && previous->size == stamp.size && previous->modified == stamp.modified) {
        stamp.md5 = previous->md5;
        return stamp;
    }
    // Another size: changed, whatever the bytes; only a same-size rewrite needs reading.
    if (previous && previous->size != stamp.size) {
        stamp.md5 = QByteArrayLiteral("size differs");
        return stamp;
    }
    if (!knownMd5.isEmpty()) {
        stamp.md5 = QByteArray::fromHex(knownMd5.toLatin1());
        return stamp;
    }
    QFile file(path);
    if (file.open(QIODevice::ReadOnly)) {
        QCryptographicHash hash(QCryptographicHash::Md5);
        hash.addData(&file);
        stamp.md5 = hash.result();
    }
    return stamp;
}

void ProjectWatcher::watch(const QStringList &files, const QMap<QString, QString> &knownMd5)
{
    m_loaded.clear();
    m_reported.clear();
    m_missing.invalidate();
    for (const QString &f : files) {
        if (!f.isEmpty())
            m_loaded.insert(f, stampOf(f, nullptr, knownMd5.value(f)));
    }
    rearm();
}

void ProjectWatcher::rearm()
{
    if (!m_watcher.files().isEmpty())
        m_watcher.removePaths(m_watcher.files());
    if (!m_watcher.directories().isEmpty())
        m_watcher.removePaths(m_watcher.directories());
    QStringList paths;
    for (auto it = m_loaded.cbegin(); it != m_loaded.cend(); ++it) {
        if (QFileInfo::exists(it.key()))
            paths << it.key();
        const QString folder = QFileInfo(it.key()).absolutePath();
        if (!paths.contains(folder) && QFileInfo::exists(folder))
            paths << folder;
    }
    if (!paths.isEmpty())
        m_watcher.addPaths(paths);
}

QStringList ProjectWatcher::changedFiles() const
{
    QStringList out;
    for (auto it = m_loaded.cbegin(); it != m_loaded.cend(); ++it) {
        if (!(stampOf(it.key(), &it.value()) == it.value()))
            out << it.key();
    }
    return out;
}

void ProjectWatcher::check()
{
    rearm(); // files replaced by a rename are watched again
    const QStringList now = changedFiles();
    const bool gone = std::any_of(now.cbegin(), now.cend(), [](const QString &f) { return !QFileInfo::exists(f); });
    if (gone) {
        if (!m_missing.isValid())
            m_missing.start();
        if (m_missing.elapsed() < kMissingMs) {
            m_settle.start(); // being rewritten, most likely: look again
            return;
        }
    } else {
        m_missing.invalidate();
    }
    if (now.isEmpty() || now == m_reported)
        return;
    m_reported = now;
    Q_EMIT changed(now);
}

} // namespace Ui
