#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "dvcfiles.h"
#include "enumnames.h"

namespace Audit {

// How a project folder's files compare with what DVC recorded, as `dvc status` would say,
// and the dvc.lock a run of the pipeline leaves.

struct ArtifactStatus
{
    enum class State { UpToDate, Modified, Missing, NotRecorded, Unchecked };
    QString path;
    QString owner; // the stage that writes it, "dvc.yaml" for a pipeline input, or the .dvc file
    bool cached = true;
    DvcFileEntry recorded; // md5 empty when not recorded
    QString md5; // of the file on disk, empty when missing
    qint64 size = -1;
    State state = State::Missing;
    // Where the recorded bytes are besides the workspace: the DVC cache, and the default
    // remote when it is a local folder (nullopt: no such remote, or not a folder; see remoteNote).
    bool inCache = false;
    std::optional<bool> inRemote;
};

struct StageStatus
{
    QString name;
    bool upToDate = false;
    QStringList reasons; // "changed deps: modified: data/train.csv", "changed params: params.yaml: model.seed", ...
};

struct WorkspaceStatus
{
    QString root;
    QList<ArtifactStatus> artifacts; // pipeline inputs, stage outputs, then *.dvc files; by path
    QList<StageStatus> stages; // in dvc.yaml order
    QString remote; // the default remote's name; empty when there is none
    QString remoteNote; // why inRemote is unknown ("remote \"s\" is s3://...: use dvc"), empty when known

    bool upToDate() const;
    QJsonObject toJson() const;
    QString toText() const;
};

template <>
struct EnumNames<ArtifactStatus::State>
{
    using State = ArtifactStatus::State;
    static constexpr std::array<std::pair<State, const char *>, 5> table{{{State::UpToDate, "up to date"},
                                                                          {State::Modified, "modified"},
                                                                          {State::Missing, "missing"},
                                                                          {State::NotRecorded, "not in dvc.lock"},
                                                                          {State::Unchecked, "directory (not checked)"}}};
};

// Compares the workspace with dvc.yaml, dvc.lock and every *.dvc file under root (not
// descending into .dvc, .git or build folders). Throws SchemaError for a malformed file,
// IoError when dvc.yaml is missing or unreadable; a missing dvc.lock makes every stage stale.
WorkspaceStatus workspaceStatus(const QString &root);

// dvc.lock as DVC 3 writes it after running every stage: for each stage its cmd, the md5 and
// size of every dep and out (sorted by path) and the values of its params. Throws IoError
// naming a dep or out that does not exist.
QByteArray lockYaml(const QString &root);

} // namespace Audit
