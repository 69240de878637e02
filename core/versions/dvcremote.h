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

class DvcRemote
{
public:
    // The remote `name` of the project at `root` (empty: its default remote), from
    // .dvc/config and .dvc/config.local.
    // Throws: IoError when .dvc/config is missing or the remote's folder does not exist;
    // SchemaError naming the file and key when the config is garbled or names no usable remote.
    DvcRemote(const QString &root, const QString &name = {});

    QString name() const { return m_name; }
    QString directory() const { return m_dir; }
    QString cacheDirectory() const { return m_cache; }

    // Where the remote keeps a file with this md5 (DVC 3 layout).
    QString remotePath(const QString &md5) const;

    // Pulls what is missing or differs (see above). Throws SchemaError for a malformed
    // dvc.yaml, dvc.lock or *.dvc file, IoError when a write fails.
    PullReport pull() const;

private:
    PullEntry pullOne(const DvcFileEntry &entry, const QString &owner, bool regenerable) const;

    QString m_root;
    QString m_name;
    QString m_dir;
    QString m_cache;
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
