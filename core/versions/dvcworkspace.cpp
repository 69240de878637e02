#include "dvcworkspace.h"

#include "versions.h"

#include "dvcconfig.h"

#include "dvcremote.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <yaml-cpp/yaml.h>

#include "auditerror.h"
#include "fileio.h"
#include "schemaerror.h"
#include "yamlutil.h"

namespace Audit {

namespace {

class FileHasher
{
public:
    explicit FileHasher(QString root)
        : m_root(std::move(root))
    {}

    // Empty md5 for a missing file; "dir" for a directory.
    std::pair<QString, qint64> operator()(const QString &path)
    {
        const auto found = m_known.constFind(path);
        if (found != m_known.constEnd())
            return *found;
        const QFileInfo info(QDir(m_root).filePath(path));
        std::pair<QString, qint64> result{QString(), -1};
        if (info.isDir())
            result = {QStringLiteral("dir"), -1};
        else if (info.isFile())
            result = {fileMd5(info.filePath()), info.size()};
        m_known.insert(path, result);
        return result;
    }

private:
    QString m_root;
    QHash<QString, std::pair<QString, qint64>> m_known;
};

QJsonObject loadParamsFile(const QString &root, const QString &file, QHash<QString, QJsonObject> &cache)
{
    const auto found = cache.constFind(file);
    if (found != cache.constEnd())
        return *found;
    QJsonObject params;
    const QString path = QDir(root).filePath(file);
    if (QFileInfo::exists(path)) {
        const YamlReader reader(file);
        params = yamlToJson(reader.parse(YamlReader::readFile(path, QStringLiteral("params")))).toObject();
    }
    cache.insert(file, params);
    return params;
}

ArtifactStatus::State compare(const DvcFileEntry &recorded, const std::pair<QString, qint64> &actual)
{
    if (actual.first.isEmpty())
        return ArtifactStatus::State::Missing;
    if (recorded.md5.isEmpty())
        return ArtifactStatus::State::NotRecorded;
    if (actual.first == QLatin1String("dir"))
        return ArtifactStatus::State::Unchecked;
    return actual.first == recorded.md5 ? ArtifactStatus::State::UpToDate : ArtifactStatus::State::Modified;
}

} // namespace

bool WorkspaceStatus::upToDate() const
{
    return std::all_of(stages.cbegin(), stages.cend(), [](const StageStatus &s) { return s.upToDate; })
        && std::all_of(artifacts.cbegin(), artifacts.cend(),
                       [](const ArtifactStatus &a) { return a.state == ArtifactStatus::State::UpToDate; });
}

QJsonObject WorkspaceStatus::toJson() const
{
    QJsonArray artifactList;
    for (const ArtifactStatus &a : artifacts) {
        artifactList.append(
            QJsonObject{{QStringLiteral("path"), a.path},
                        {QStringLiteral("owner"), a.owner},
                        {QStringLiteral("cache"), a.cached},
                        {QStringLiteral("md5"), a.recorded.md5.isEmpty() ? QJsonValue() : QJsonValue(a.recorded.md5)},
                        {QStringLiteral("size"), a.recorded.size < 0 ? QJsonValue() : QJsonValue(a.recorded.size)},
                        {QStringLiteral("workspace_md5"), a.md5.isEmpty() ? QJsonValue() : QJsonValue(a.md5)},
                        {QStringLiteral("status"), enumName(a.state)},
                        {QStringLiteral("in_cache"), a.inCache},
                        {QStringLiteral("in_remote"), a.inRemote ? QJsonValue(*a.inRemote) : QJsonValue()}});
    }
    QJsonArray stageList;
    for (const StageStatus &s : stages) {
        stageList.append(
            QJsonObject{{QStringLiteral("stage"), s.name},
                        {QStringLiteral("status"), s.upToDate ? QStringLiteral("up to date") : QStringLiteral("stale")},
                        {QStringLiteral("reasons"), QJsonArray::fromStringList(s.reasons)}});
    }
    return QJsonObject{{QStringLiteral("root"), root},
                       {QStringLiteral("up_to_date"), upToDate()},
                       {QStringLiteral("artifacts"), artifactList},
                       {QStringLiteral("stages"), stageList}};
}

QString WorkspaceStatus::toText() const
{
    QString text = QStringLiteral("Stages:\n");
    for (const StageStatus &s : stages) {
        text += QStringLiteral("  %1  %2\n")
                    .arg(s.name, -12)
                    .arg(s.upToDate ? QStringLiteral("up to date") : QStringLiteral("stale"));
        for (const QString &reason : s.reasons)
            text += QStringLiteral("      %1\n").arg(reason);
    }
    text += QStringLiteral("Artifacts:\n");
    for (const ArtifactStatus &a : artifacts) {
        text += QStringLiteral("  %1  %2  %3  %4  (%5%6)\n")
                    .arg(a.path, -28)
                    .arg(a.recorded.md5.isEmpty() ? QStringLiteral("-") : a.recorded.md5.left(12), -12)
                    .arg(a.recorded.size < 0 ? QStringLiteral("-") : QString::number(a.recorded.size), 10)
                    .arg(enumName(a.state), -16)
                    .arg(a.owner, a.cached ? QString() : QStringLiteral(", git"));
    }
    return text;
}

WorkspaceStatus workspaceStatus(const QString &rootDir)
{
    WorkspaceStatus status;
    status.root = QDir(rootDir).absolutePath();
    const QDir root(status.root);
    const DvcPipeline pipeline = DvcPipeline::load(status.root);
    std::optional<DvcLock> lock;
    const QString lockPath = root.filePath(QStringLiteral("dvc.lock"));
    if (QFileInfo::exists(lockPath))
        lock = DvcLock::parse(YamlReader::readFile(lockPath, QStringLiteral("lock")), lockPath);

    FileHasher hash(status.root);
    QHash<QString, QJsonObject> paramsFiles;
    QSet<QString> produced;
    for (const DvcStage &stage : pipeline.stages()) {
        for (const DvcOutput &out : stage.outs)
            produced.insert(out.path);
    }

    QSet<QString> listed;
    const auto add = [&](const QString &path, const QString &owner, bool cached, const DvcFileEntry *recorded) {
        if (listed.contains(path))
            return;
        listed.insert(path);
        ArtifactStatus artifact;
        artifact.path = path;
        artifact.owner = owner;
        artifact.cached = cached;
        if (recorded)
            artifact.recorded = *recorded;
        const auto actual = hash(path);
        artifact.md5 = actual.first == QLatin1String("dir") ? QString() : actual.first;
        artifact.size = actual.second;
        artifact.state = compare(artifact.recorded, actual);
        status.artifacts << artifact;
    };

    for (const DvcStage &stage : pipeline.stages()) {
        const DvcLockStage *locked = lock ? lock->stage(stage.name) : nullptr;
        StageStatus stageStatus;
        stageStatus.name = stage.name;
        if (!locked) {
            stageStatus.reasons << (lock ? QStringLiteral("not in dvc.lock: never run")
                                         : QStringLiteral("no dvc.lock: never run"));
        } else if (locked->cmd != stage.cmd) {
            stageStatus.reasons << QStringLiteral("changed command");
        }
        for (const QString &dep : stage.deps) {
            const DvcFileEntry *entry = locked ? locked->dep(dep) : nullptr;
            if (!produced.contains(dep))
                add(dep, QStringLiteral("dvc.yaml"), true, entry);
            if (!locked)
                continue;
            const ArtifactStatus::State state = compare(entry ? *entry : DvcFileEntry{}, hash(dep));
            if (state == ArtifactStatus::State::Modified || state == ArtifactStatus::State::Missing)
                stageStatus.reasons << QStringLiteral("changed deps: %1: %2").arg(enumName(state), dep);
            else if (state == ArtifactStatus::State::NotRecorded)
                stageStatus.reasons << QStringLiteral("changed deps: new: %1").arg(dep);
        }
        for (const DvcParamRef &param : stage.params) {
            const QJsonObject file = loadParamsFile(status.root, param.file, paramsFiles);
            const std::optional<QJsonValue> now = paramValue(file, param.key);
            const QString name = param.key.isEmpty() ? param.file : QStringLiteral("%1: %2").arg(param.file, param.key);
            if (!now) {
                stageStatus.reasons << QStringLiteral("changed params: deleted: %1").arg(name);
                continue;
            }
            if (!locked)
                continue;
            const auto file_ = locked->params.find(param.file);
            if (param.key.isEmpty()) {
                // A whole file: every key it had and has.
                const QJsonObject current = now->toObject();
                const bool same = file_ != locked->params.end() && std::size_t(current.size()) == file_->second.size()
                    && std::all_of(file_->second.begin(), file_->second.end(),
                                   [&](const auto &kv) { return current.value(kv.first) == kv.second; });
                if (!same)
                    stageStatus.reasons << QStringLiteral("changed params: modified: %1").arg(name);
                continue;
            }
            if (file_ == locked->params.end() || !file_->second.count(param.key))
                stageStatus.reasons << QStringLiteral("changed params: new: %1").arg(name);
            else if (file_->second.at(param.key) != *now)
                stageStatus.reasons << QStringLiteral("changed params: modified: %1").arg(name);
        }
        for (const DvcOutput &out : stage.outs) {
            const DvcFileEntry *entry = locked ? locked->out(out.path) : nullptr;
            add(out.path, stage.name, out.cache, entry);
            if (!locked)
                continue;
            const ArtifactStatus::State state = compare(entry ? *entry : DvcFileEntry{}, hash(out.path));
            if (state == ArtifactStatus::State::Modified || state == ArtifactStatus::State::Missing)
                stageStatus.reasons << QStringLiteral("changed outs: %1: %2").arg(enumName(state), out.path);
            else if (state == ArtifactStatus::State::NotRecorded)
                stageStatus.reasons << QStringLiteral("changed outs: not in dvc.lock: %1").arg(out.path);
        }
        stageStatus.upToDate = stageStatus.reasons.isEmpty();
        status.stages << stageStatus;
    }

    const QStringList dvcFiles = findDvcFiles(status.root);
    for (const QString &file : dvcFiles) {
        const QString directory = QFileInfo(file).path();
        const QList<DvcFileEntry> entries = parseDvcFile(YamlReader::readFile(root.filePath(file), QStringLiteral("DVC")),
                                                         root.filePath(file), directory);
        for (const DvcFileEntry &entry : entries)
            add(entry.path, file, true, &entry);
    }
    std::stable_sort(status.artifacts.begin(), status.artifacts.end(), [](const ArtifactStatus &a, const ArtifactStatus &b) {
        const auto rank = [](const ArtifactStatus &s) {
            return s.owner == QLatin1String("dvc.yaml") ? 0 : s.owner.endsWith(QLatin1String(".dvc")) ? 2 : 1;
        };
        return rank(a) < rank(b);
    });
    // The cache and the default remote, for the recorded bytes of each cached artifact.
    std::optional<DvcRemote> remote;
    try {
        remote.emplace(status.root);
        status.remote = remote->name();
        if (!remote->isLocal()) // the status is read often: no network for it
            status.remoteNote = QStringLiteral("remote \"%1\" is %2: not checked here (pull and push reach it)")
                                    .arg(remote->name(), remote->directory());
    } catch (const AuditError &e) {
        status.remoteNote = e.message();
    }
    QString cache;
    try {
        cache = DvcConfig::load(status.root).cacheDirectory();
    } catch (const AuditError &) {
        cache = root.filePath(QStringLiteral(".dvc/cache"));
    }
    for (ArtifactStatus &a : status.artifacts) {
        if (!a.cached || a.recorded.md5.isEmpty())
            continue;
        const auto holds = [&a](const QString &path) {
            const QFileInfo info(path);
            return info.isFile() && (a.recorded.size < 0 || info.size() == a.recorded.size);
        };
        a.inCache = holds(VersionStore::cachePath(cache, a.recorded.md5));
        if (remote && remote->isLocal())
            a.inRemote = holds(remote->remotePath(a.recorded.md5));
    }
    return status;
}

namespace {

// Quotes text that YAML would read as another type (an md5 of digits only, "2.0").
void emitText(YAML::Emitter &out, const QString &text)
{
    bool plain = false;
    try {
        const QJsonValue asYaml = yamlToJson(YAML::Load(text.toStdString()));
        plain = asYaml.isString() && asYaml.toString() == text;
    } catch (const YAML::Exception &) {}
    if (!plain)
        out << YAML::SingleQuoted;
    out << text.toStdString();
}

void emitEntries(YAML::Emitter &out, const char *key, QList<DvcFileEntry> entries)
{
    if (entries.isEmpty())
        return;
    std::sort(entries.begin(), entries.end(), [](const DvcFileEntry &a, const DvcFileEntry &b) { return a.path < b.path; });
    out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
    for (const DvcFileEntry &e : entries) {
        out << YAML::BeginMap << YAML::Key << "path" << YAML::Value;
        emitText(out, e.path);
        out << YAML::Key << "hash" << YAML::Value << "md5" << YAML::Key << "md5" << YAML::Value;
        emitText(out, e.md5);
        out << YAML::Key << "size" << YAML::Value << e.size << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

YAML::Node paramNode(const YAML::Node &node, const QStringList &parts, qsizetype i = 0)
{
    if (i == parts.size())
        return node;
    if (!node.IsMap() || !node[parts[i].toStdString()])
        return YAML::Node();
    return paramNode(node[parts[i].toStdString()], parts, i + 1);
}

} // namespace

QByteArray lockYaml(const QString &rootDir)
{
    const QDir root(rootDir);
    const DvcPipeline pipeline = DvcPipeline::load(rootDir);
    const auto entry = [&root](const QString &path) {
        const QFileInfo info(root.filePath(path));
        if (!info.isFile())
            throw IoError(QStringLiteral("%1: cannot record %2 in dvc.lock: %3")
                              .arg(root.filePath(QStringLiteral("dvc.yaml")), path,
                                   info.exists() ? QStringLiteral("a directory") : QStringLiteral("no such file")));
        return DvcFileEntry{path, fileMd5(info.filePath()), info.size()};
    };
    QHash<QString, YAML::Node> paramsFiles;
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "schema" << YAML::Value << YAML::SingleQuoted << "2.0";
    out << YAML::Key << "stages" << YAML::Value << YAML::BeginMap;
    for (const DvcStage &stage : pipeline.stages()) {
        out << YAML::Key << stage.name.toStdString() << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "cmd" << YAML::Value;
        emitText(out, stage.cmd);
        QList<DvcFileEntry> deps;
        for (const QString &dep : stage.deps)
            deps << entry(dep);
        emitEntries(out, "deps", deps);
        if (!stage.params.isEmpty()) {
            std::map<QString, std::map<QString, YAML::Node>> byFile;
            for (const DvcParamRef &param : stage.params) {
                if (!paramsFiles.contains(param.file)) {
                    const YamlReader reader(param.file);
                    paramsFiles.insert(param.file,
                                       reader.parse(YamlReader::readFile(root.filePath(param.file), QStringLiteral("params"))));
                }
                const YAML::Node file = paramsFiles.value(param.file);
                if (param.key.isEmpty()) {
                    for (const auto &kv : file)
                        byFile[param.file][QString::fromStdString(kv.first.Scalar())] = kv.second;
                    continue;
                }
                const YAML::Node value = paramNode(file, param.key.split(QLatin1Char('.')));
                if (!value)
                    throw SchemaError(QStringLiteral("%1: stages.%2.params: %3 has no key \"%4\"")
                                          .arg(root.filePath(QStringLiteral("dvc.yaml")), stage.name, param.file, param.key));
                byFile[param.file][param.key] = value;
            }
            out << YAML::Key << "params" << YAML::Value << YAML::BeginMap;
            for (const auto &[file, values] : byFile) {
                out << YAML::Key << file.toStdString() << YAML::Value << YAML::BeginMap;
                for (const auto &[key, value] : values)
                    out << YAML::Key << key.toStdString() << YAML::Value << value;
                out << YAML::EndMap;
            }
            out << YAML::EndMap;
        }
        QList<DvcFileEntry> outs;
        for (const DvcOutput &o : stage.outs)
            outs << entry(o.path);
        emitEntries(out, "outs", outs);
        out << YAML::EndMap;
    }
    out << YAML::EndMap << YAML::EndMap;
    return QByteArray(out.c_str()) + '\n';
}

} // namespace Audit
