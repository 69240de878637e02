#pragma once

#include <map>
#include <optional>

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace YAML {
class Node;
}

namespace Audit {

// The DVC side of a project folder: the pipeline (dvc.yaml), what the last run recorded
// (dvc.lock), single tracked files (*.dvc), and how the workspace compares with them, as
// `dvc status` would say. Paths are relative to the folder holding dvc.yaml, with '/'.
// Parse errors are SchemaErrors naming the file, the line and the key ("stages.train.deps[1]").

// One file as dvc.lock or a .dvc file records it: DVC 3's md5 of the file's bytes and its size.
struct DvcFileEntry
{
    QString path;
    QString md5;
    qint64 size = -1; // -1: not recorded
};

struct DvcOutput
{
    enum class Kind { Out, Metric, Plot };
    QString path;
    Kind kind = Kind::Out;
    bool cache = true; // false: git tracks it (metrics, small reports)
    bool persist = false;
};

// A `params:` entry: a (dotted) key in a params file, or a whole file when key is empty.
struct DvcParamRef
{
    QString file = QStringLiteral("params.yaml");
    QString key;
};

struct DvcStage
{
    QString name;
    QString cmd;
    QStringList deps;
    QList<DvcParamRef> params;
    QList<DvcOutput> outs; // outs, metrics and plots that are files
};

class DvcPipeline
{
public:
    static DvcPipeline parse(const QByteArray &yaml, const QString &source);
    static DvcPipeline load(const QString &root); // root/dvc.yaml

    const QList<DvcStage> &stages() const { return m_stages; }
    const DvcStage *stage(const QString &name) const;

private:
    QList<DvcStage> m_stages; // in file order
};

struct DvcLockStage
{
    QString name;
    QString cmd;
    QList<DvcFileEntry> deps;
    QList<DvcFileEntry> outs;
    std::map<QString, std::map<QString, QJsonValue>> params; // file -> key -> value
};

class DvcLock
{
public:
    static DvcLock parse(const QByteArray &yaml, const QString &source);

    const QList<DvcLockStage> &stages() const { return m_stages; }
    const DvcLockStage *stage(const QString &name) const;
    // The entry of an output (any stage) with this path.
    std::optional<DvcFileEntry> output(const QString &path) const;
    // An output's entry, else a dependency's (a pipeline input tracked by a .dvc file, say).
    std::optional<DvcFileEntry> recorded(const QString &path) const;

private:
    QList<DvcLockStage> m_stages;
};

// The files a `*.dvc` file tracks (`outs:` with md5/size), paths made relative to the root.
QList<DvcFileEntry> parseDvcFile(const QByteArray &yaml, const QString &source, const QString &directory);

// A YAML value as JSON with YAML 1.2 core typing of scalars (int, float, bool, null, text),
// so the same value written two ways ("0.20" and 0.2) compares equal.
QJsonValue yamlToJson(const YAML::Node &node);
// The value of a dotted key in a params file, or the whole file for an empty key.
std::optional<QJsonValue> paramValue(const QJsonObject &paramsFile, const QString &dottedKey);

struct ArtifactStatus
{
    enum class State { UpToDate, Modified, Missing, NotRecorded, Unchecked };
    QString path;
    QString owner; // the stage that writes it, "dvc.yaml" for a pipeline input, or the .dvc file
    bool cached = true;
    DvcFileEntry recorded; // md5 empty when not recorded
    QString md5;           // of the file on disk, empty when missing
    qint64 size = -1;
    State state = State::Missing;
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
    QList<StageStatus> stages;       // in dvc.yaml order

    bool upToDate() const;
    QJsonObject toJson() const;
    QString toText() const;
};

QString artifactStateName(ArtifactStatus::State state);

// Compares the workspace with dvc.yaml, dvc.lock and every *.dvc file under root (not
// descending into .dvc, .git or build folders). Throws SchemaError for a malformed file,
// IoError when dvc.yaml is missing or unreadable; a missing dvc.lock makes every stage stale.
WorkspaceStatus workspaceStatus(const QString &root);

// dvc.lock as DVC 3 writes it after running every stage: for each stage its cmd, the md5 and
// size of every dep and out (sorted by path) and the values of its params. Throws IoError
// naming a dep or out that does not exist.
QByteArray lockYaml(const QString &root);

} // namespace Audit
