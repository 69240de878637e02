#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include "dvcfiles.h"
#include "enumnames.h"

namespace Audit {

// `dvc pull` for a local remote: every file a *.dvc file tracks or dvc.lock records (as a
// cached out, or a dep no stage writes) that is missing from the workspace or differs from
// its md5 is taken from the local cache or else from the remote (DVC 3 layout
// files/md5/<2 hex>/<30 hex>), copied into .dvc/cache and into the workspace. Every copy is
// checked (size, then md5 while it streams) before it is committed through QSaveFile, so a
// corrupt remote file never reaches the cache or the workspace.

struct PullEntry
{
    enum class Outcome {
        UpToDate, // the workspace file already has the recorded md5: not rewritten
        FromCache, // restored from .dvc/cache
        Pulled, // copied from the remote into the cache and the workspace
        NotInRemote, // neither the cache nor the remote has the md5
        Corrupt, // the remote's file has another size or md5: refused
        Kept, // a dep no stage writes and git tracks, edited since dvc.lock: left alone
    };

    QString path; // project-relative
    DvcFileEntry recorded;
    QString owner; // the .dvc file, the stage that writes it, or "dvc.lock" for a plain dep
    bool regenerable = false; // a stage writes it: `repro` can make it instead
    Outcome outcome = Outcome::NotInRemote;
    QString detail; // what happened, for a person

    bool failed() const; // not in the workspace afterwards, and nothing can regenerate it
};

struct PullReport
{
    QString remote; // its name
    QString remoteDir; // absolute
    QList<PullEntry> entries; // *.dvc files first, then dvc.lock in stage order

    bool complete() const; // no entry failed()
    qsizetype count(PullEntry::Outcome outcome) const;
    QString toText() const; // one line a file, then a summary line
    QJsonObject toJson() const;
};

// `dvc push` to a local remote: every file a *.dvc file tracks or dvc.lock records (cached
// outs and plain deps) that the remote lacks is copied there from the workspace (when it has
// the recorded md5) or from .dvc/cache, in DVC's layout, md5 checked while it streams.
struct PushEntry
{
    enum class Outcome {
        Pushed, // copied to the remote
        InRemote, // the remote has a file of that md5 and size already: not copied again
        Missing, // neither the workspace nor the cache has the recorded bytes: nothing to push
    };
    QString path;
    DvcFileEntry recorded;
    QString owner;
    Outcome outcome = Outcome::Missing;
    QString detail;
};

struct PushReport
{
    QString remote;
    QString remoteDir;
    QList<PushEntry> entries;
    bool complete() const; // nothing Missing
    qsizetype count(PushEntry::Outcome outcome) const;
    QString toText() const;
    QJsonObject toJson() const;
};

class DvcRemote
{
public:
    // The remote `name` of the project at `root` (empty: its default remote), from
    // .dvc/config and .dvc/config.local.
    // Throws: IoError when .dvc/config is missing or the remote's folder does not exist;
    // SchemaError naming the file and key when the config is garbled or names no usable remote.
    DvcRemote(const QString &root, const QString &name = {});

    QString name() const { return m_name; }
    QString directory() const { return m_dir; } // the folder, or the url of an http remote
    bool isLocal() const { return m_url.isEmpty(); }
    QString cacheDirectory() const { return m_cache; }

    // Where the remote keeps a file with this md5 (DVC 3 layout): a path, or an http remote's url.
    QString remotePath(const QString &md5) const;

    // Pulls what is missing or differs (see above). Throws SchemaError for a malformed
    // dvc.yaml, dvc.lock or *.dvc file, IoError when a write fails.
    PullReport pull() const;
    // Pushes what the remote lacks (see PushEntry). Throws as pull() does.
    PushReport push() const;

    // `dvc fetch` of one recorded file: from the remote into the cache (md5 and size checked),
    // leaving the workspace alone; returns the cache path (at once when the cache has it).
    // Throws: AuditError naming the remote and the file when the remote lacks it or holds
    // other bytes under its md5.
    QString fetch(const DvcFileEntry &entry) const;

private:
    struct Tracked
    {
        DvcFileEntry entry;
        QString owner;
        bool regenerable = false;
    };
    // Every file the project records, once: *.dvc files' first, then dvc.lock's plain deps and
    // cached outs in stage order.
    QList<Tracked> tracked() const;
    PullEntry pullOne(const DvcFileEntry &entry, const QString &owner, bool regenerable) const;
    PushEntry pushOne(const DvcFileEntry &entry, const QString &owner) const;
    // The remote's copy of `entry` into `cached`, checked; found false when the remote has none.
    struct Fetched
    {
        bool found = false;
        bool ok = false;
        QString md5; // of what came
        qint64 size = -1;
    };
    Fetched remoteToCache(const DvcFileEntry &entry, const QString &cached) const;
    bool remoteHas(const DvcFileEntry &entry) const;
    void toRemote(const QString &source, const DvcFileEntry &entry) const; // throws IoError
    QString m_url; // an http remote's base url; empty for a local folder
    QString m_method = QStringLiteral("post");

    QString m_root;
    QString m_name;
    QString m_dir;
    QString m_cache;
};

template <>
struct EnumNames<PushEntry::Outcome>
{
    using Outcome = PushEntry::Outcome;
    static constexpr std::array<std::pair<Outcome, const char *>, 3> table{
        {{Outcome::Pushed, "pushed"}, {Outcome::InRemote, "in remote"}, {Outcome::Missing, "missing"}}};
};

template <>
struct EnumNames<PullEntry::Outcome>
{
    using Outcome = PullEntry::Outcome;
    static constexpr std::array<std::pair<Outcome, const char *>, 6> table{{{Outcome::UpToDate, "up to date"},
                                                                            {Outcome::FromCache, "from cache"},
                                                                            {Outcome::Pulled, "pulled"},
                                                                            {Outcome::NotInRemote, "not in remote"},
                                                                            {Outcome::Corrupt, "corrupt in remote"},
                                                                            {Outcome::Kept, "kept"}}};
};

} // namespace Audit
