#pragma once

#include <QElapsedTimer>
#include <QFileSystemWatcher>
#include <QMap>
#include <QObject>
#include <QStringList>
#include <QTimer>

namespace Ui {

// Watches the files an open project was loaded from (params.yaml, the model, the audit data,
// dvc.lock) and says which of them changed on disk since the load: by size, time and, when
// those differ, md5, so a file rewritten with the same bytes (an atomic save, a pipeline run
// that reproduced it) is no change. Bursts of events are coalesced into one `changed`. A file
// that has gone is not reported until it has stayed gone for a while: a pipeline run deletes
// a stage's outputs before it writes them again (as `dvc repro` does), and reloading in that
// gap would load a project without its model.
class ProjectWatcher final : public QObject
{
    Q_OBJECT

public:
    explicit ProjectWatcher(QObject *parent = nullptr);
    static constexpr int kMissingMs = 5000; // how long a file may be gone before that is a change

    // Starts over: `files` as they are now are the loaded state. `knownMd5` gives the md5
    // (lower-case hex) of files the loader has just hashed (the data, the model), so the
    // GUI thread does not read a large file again to learn it.
    void watch(const QStringList &files, const QMap<QString, QString> &knownMd5 = {});
    QStringList changedFiles() const; // since watch(), as paths given to it

Q_SIGNALS:
    void changed(const QStringList &files); // non-empty: what differs from the loaded state

private:
    struct Stamp
    {
        qint64 size = -1; // -1: missing
        qint64 modified = 0;
        QByteArray md5;
        bool operator==(const Stamp &o) const { return size == o.size && md5 == o.md5; }
    };
    static Stamp stampOf(const QString &path, const Stamp *previous, const QString &knownMd5 = {});
    void rearm();
    void check();

    QFileSystemWatcher m_watcher;
    QTimer m_settle; // waits for a burst of writes to end
    QElapsedTimer m_missing; // since a changed file went missing; invalid while none is
    QMap<QString, Stamp> m_loaded;
    QStringList m_reported;
};

} // namespace Ui
