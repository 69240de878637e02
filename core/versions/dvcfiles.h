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

// DVC's files: the pipeline (dvc.yaml), what the last run recorded (dvc.lock) and single
// tracked files (*.dvc). Paths are relative to the folder holding dvc.yaml, with '/'.
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

    const DvcFileEntry *dep(const QString &path) const; // nullptr when not recorded
    const DvcFileEntry *out(const QString &path) const;
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

// Every `*.dvc` file under root, relative to it and sorted, not descending into .dvc, .git
// or build folders.
QStringList findDvcFiles(const QString &root);

// The files a `*.dvc` file tracks (`outs:` with md5/size), paths made relative to the root.
QList<DvcFileEntry> parseDvcFile(const QByteArray &yaml, const QString &source, const QString &directory);

// A YAML value as JSON with YAML 1.2 core typing of scalars (int, float, bool, null, text),
// so the same value written two ways ("0.20" and 0.2) compares equal.
QJsonValue yamlToJson(const YAML::Node &node);
// The value of a dotted key in a params file, or the whole file for an empty key.
std::optional<QJsonValue> paramValue(const QJsonObject &paramsFile, const QString &dottedKey);

} // namespace Audit
