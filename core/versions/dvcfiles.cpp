#include "dvcfiles.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

#include "schemaerror.h"
#include "yamlutil.h"

namespace Audit {

namespace {

QString scalar(const YAML::Node &node)
{
    return QString::fromStdString(node.Scalar());
}

QString indexed(const QString &path, std::size_t i)
{
    return QStringLiteral("%1[%2]").arg(path).arg(i);
}

// DVC accepts a command as one string or a list of them (run one after the other).
QString commandText(const YamlReader &reader, const YAML::Node &stage, const QString &path)
{
    const YAML::Node cmd = stage["cmd"];
    if (!cmd)
        reader.fail(stage, path + QStringLiteral(".cmd"), QStringLiteral("required key is missing"));
    if (cmd.IsScalar())
        return scalar(cmd);
    if (!cmd.IsSequence())
        reader.fail(cmd, path + QStringLiteral(".cmd"), QStringLiteral("expected a command or a list of commands"));
    QStringList parts;
    for (std::size_t i = 0; i < cmd.size(); ++i) {
        if (!cmd[i].IsScalar())
            reader.fail(cmd[i], indexed(path + QStringLiteral(".cmd"), i), QStringLiteral("expected a command"));
        parts << scalar(cmd[i]);
    }
    return parts.join(QLatin1Char('\n'));
}

YAML::Node optionalSequence(const YamlReader &reader, const YAML::Node &parent, const char *key, const QString &path)
{
    const YAML::Node node = parent[key];
    if (node && !node.IsNull() && !node.IsSequence())
        reader.fail(node, path, QStringLiteral("expected a list"));
    return node;
}

bool flag(const YamlReader &reader, const YAML::Node &options, const char *key, bool fallback, const QString &path)
{
    const YAML::Node node = options[key];
    if (!node)
        return fallback;
    bool value = fallback;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
        reader.fail(node, path, QStringLiteral("expected true or false"));
    return value;
}

DvcFileEntry fileEntry(const YamlReader &reader, const YAML::Node &node, const QString &path)
{
    if (!node.IsMap())
        reader.fail(node, path, QStringLiteral("expected a mapping with path, md5 and size"));
    DvcFileEntry entry;
    entry.path = reader.string(node, path + QStringLiteral(".path"));
    const YAML::Node md5 = node["md5"];
    if (!md5 || !md5.IsScalar() || md5.Scalar().empty())
        reader.fail(md5 ? md5 : node, path + QStringLiteral(".md5"), QStringLiteral("required: the md5 of the file"));
    entry.md5 = scalar(md5).toLower();
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{32}(\\.dir)?$"));
    if (!hex.match(entry.md5).hasMatch())
        reader.fail(md5, path + QStringLiteral(".md5"), QStringLiteral("\"%1\" is not an md5 (32 hex digits)").arg(entry.md5));
    if (const YAML::Node size = node["size"]) {
        qint64 value = -1;
        if (!size.IsScalar() || !YAML::convert<qint64>::decode(size, value) || value < 0)
            reader.fail(size, path + QStringLiteral(".size"), QStringLiteral("expected a size in bytes"));
        entry.size = value;
    }
    return entry;
}

QList<DvcFileEntry> fileEntries(const YamlReader &reader, const YAML::Node &parent, const char *key, const QString &path)
{
    QList<DvcFileEntry> entries;
    const YAML::Node list = optionalSequence(reader, parent, key, path);
    if (!list || list.IsNull())
        return entries;
    for (std::size_t i = 0; i < list.size(); ++i)
        entries << fileEntry(reader, list[i], indexed(path, i));
    return entries;
}

bool isPlainNull(const std::string &text)
{
    return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

// Lazily computed md5 and size of files under a root.
const DvcFileEntry *findEntry(const QList<DvcFileEntry> &entries, const QString &path)
{
    for (const DvcFileEntry &entry : entries) {
        if (entry.path == path)
            return &entry;
    }
    return nullptr;
}

QString cleanPath(const QString &path)
{
    return QDir::cleanPath(QDir::fromNativeSeparators(path));
}

} // namespace

const DvcStage *DvcPipeline::stage(const QString &name) const
{
    for (const DvcStage &s : m_stages) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

DvcPipeline DvcPipeline::load(const QString &root)
{
    const QString path = QDir(root).filePath(QStringLiteral("dvc.yaml"));
    return parse(YamlReader::readFile(path, QStringLiteral("pipeline")), path);
}

DvcPipeline DvcPipeline::parse(const QByteArray &yaml, const QString &source)
{
    const YamlReader reader(source);
    const YAML::Node root = reader.parse(yaml);
    const YAML::Node stages = reader.map(root, QStringLiteral("stages"));
    DvcPipeline pipeline;
    for (const auto &item : stages) {
        DvcStage stage;
        stage.name = scalar(item.first);
        const QString path = QStringLiteral("stages.") + stage.name;
        const YAML::Node node = item.second;
        if (!node.IsMap())
            reader.fail(node, path, QStringLiteral("expected a stage (a mapping with cmd, deps, outs, ...)"));
        if (node["foreach"] || node["matrix"])
            reader.fail(node, path, QStringLiteral("foreach and matrix stages are not supported; write the stages out"));
        if (const YAML::Node wdir = node["wdir"]; wdir && (!wdir.IsScalar() || cleanPath(scalar(wdir)) != QLatin1String(".")))
            reader.fail(wdir, path + QStringLiteral(".wdir"), QStringLiteral("only the folder of dvc.yaml is supported"));
        stage.cmd = commandText(reader, node, path);

        const YAML::Node deps = optionalSequence(reader, node, "deps", path + QStringLiteral(".deps"));
        for (std::size_t i = 0; deps && i < deps.size(); ++i) {
            if (!deps[i].IsScalar() || deps[i].Scalar().empty())
                reader.fail(deps[i], indexed(path + QStringLiteral(".deps"), i), QStringLiteral("expected a path"));
            stage.deps << cleanPath(scalar(deps[i]));
        }

        const QString paramsPath = path + QStringLiteral(".params");
        const YAML::Node params = optionalSequence(reader, node, "params", paramsPath);
        for (std::size_t i = 0; params && i < params.size(); ++i) {
            const YAML::Node entry = params[i];
            if (entry.IsScalar()) {
                stage.params << DvcParamRef{QStringLiteral("params.yaml"), scalar(entry)};
                continue;
            }
            if (!entry.IsMap() || entry.size() != 1)
                reader.fail(entry, indexed(paramsPath, i), QStringLiteral("expected a key, or a file mapped to a list of keys"));
            const QString file = cleanPath(scalar(entry.begin()->first));
            const YAML::Node keys = entry.begin()->second;
            if (!keys || keys.IsNull()) {
                stage.params << DvcParamRef{file, QString()};
                continue;
            }
            if (!keys.IsSequence())
                reader.fail(keys, indexed(paramsPath, i) + QLatin1Char('.') + file, QStringLiteral("expected a list of keys"));
            for (std::size_t k = 0; k < keys.size(); ++k) {
                if (!keys[k].IsScalar())
                    reader.fail(keys[k], indexed(indexed(paramsPath, i) + QLatin1Char('.') + file, k),
                                QStringLiteral("expected a key"));
                stage.params << DvcParamRef{file, scalar(keys[k])};
            }
        }

        const std::pair<const char *, DvcOutput::Kind> kinds[] = {
            {"outs", DvcOutput::Kind::Out}, {"metrics", DvcOutput::Kind::Metric}, {"plots", DvcOutput::Kind::Plot}};
        for (const auto &[key, kind] : kinds) {
            const QString listPath = path + QLatin1Char('.') + QLatin1String(key);
            const YAML::Node list = optionalSequence(reader, node, key, listPath);
            for (std::size_t i = 0; list && i < list.size(); ++i) {
                const YAML::Node entry = list[i];
                DvcOutput out;
                out.kind = kind;
                if (entry.IsScalar()) {
                    out.path = cleanPath(scalar(entry));
                } else if (entry.IsMap() && entry.size() == 1) {
                    out.path = cleanPath(scalar(entry.begin()->first));
                    const YAML::Node options = entry.begin()->second;
                    const QString optionsPath = indexed(listPath, i) + QLatin1Char('.') + out.path;
                    if (options && !options.IsNull() && !options.IsMap())
                        reader.fail(options, optionsPath, QStringLiteral("expected options (cache, persist, ...)"));
                    if (options && options.IsMap()) {
                        out.cache = flag(reader, options, "cache", kind == DvcOutput::Kind::Out,
                                         optionsPath + QStringLiteral(".cache"));
                        out.persist = flag(reader, options, "persist", false, optionsPath + QStringLiteral(".persist"));
                    } else {
                        out.cache = true;
                    }
                } else {
                    reader.fail(entry, indexed(listPath, i), QStringLiteral("expected a path, or a path mapped to its options"));
                }
                if (out.path.isEmpty())
                    reader.fail(entry, indexed(listPath, i), QStringLiteral("expected a path"));
                stage.outs << out;
            }
        }
        pipeline.m_stages << stage;
    }
    return pipeline;
}

const DvcFileEntry *DvcLockStage::dep(const QString &path) const
{
    return findEntry(deps, cleanPath(path));
}

const DvcFileEntry *DvcLockStage::out(const QString &path) const
{
    return findEntry(outs, cleanPath(path));
}

const DvcLockStage *DvcLock::stage(const QString &name) const
{
    for (const DvcLockStage &s : m_stages) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

std::optional<DvcFileEntry> DvcLock::output(const QString &path) const
{
    for (const DvcLockStage &s : m_stages) {
        if (const DvcFileEntry *entry = s.out(path))
            return *entry;
    }
    return std::nullopt;
}

std::optional<DvcFileEntry> DvcLock::recorded(const QString &path) const
{
    if (std::optional<DvcFileEntry> out = output(path))
        return out;
    for (const DvcLockStage &s : m_stages) {
        if (const DvcFileEntry *entry = s.dep(path))
            return *entry;
    }
    return std::nullopt;
}

DvcLock DvcLock::parse(const QByteArray &yaml, const QString &source)
{
    const YamlReader reader(source);
    const YAML::Node root = reader.parse(yaml);
    const QString schema = reader.optionalString(root, QStringLiteral("schema"), QString());
    if (schema != QLatin1String("2.0"))
        reader.fail(root["schema"] ? root["schema"] : root, QStringLiteral("schema"),
                    QStringLiteral("expected '2.0' (the dvc.lock format of DVC 2 and 3), got \"%1\"").arg(schema));
    DvcLock lock;
    const YAML::Node stages = reader.map(root, QStringLiteral("stages"));
    for (const auto &item : stages) {
        DvcLockStage stage;
        stage.name = scalar(item.first);
        const QString path = QStringLiteral("stages.") + stage.name;
        const YAML::Node node = item.second;
        if (!node.IsMap())
            reader.fail(node, path, QStringLiteral("expected a mapping with cmd, deps, params and outs"));
        stage.cmd = commandText(reader, node, path);
        stage.deps = fileEntries(reader, node, "deps", path + QStringLiteral(".deps"));
        stage.outs = fileEntries(reader, node, "outs", path + QStringLiteral(".outs"));
        for (DvcFileEntry &e : stage.deps)
            e.path = cleanPath(e.path);
        for (DvcFileEntry &e : stage.outs)
            e.path = cleanPath(e.path);
        if (const YAML::Node params = node["params"]; params && !params.IsNull()) {
            if (!params.IsMap())
                reader.fail(params, path + QStringLiteral(".params"), QStringLiteral("expected files mapped to their values"));
            for (const auto &file : params) {
                const QString filePath = path + QStringLiteral(".params.") + scalar(file.first);
                if (!file.second.IsMap())
                    reader.fail(file.second, filePath, QStringLiteral("expected keys mapped to their values"));
                auto &values = stage.params[cleanPath(scalar(file.first))];
                for (const auto &value : file.second)
                    values[scalar(value.first)] = yamlToJson(value.second);
            }
        }
        lock.m_stages << stage;
    }
    return lock;
}

QStringList findDvcFiles(const QString &rootDir)
{
    const QDir root(rootDir);
    QDirIterator it(root.path(), {QStringLiteral("*.dvc")}, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    QStringList files;
    while (it.hasNext()) {
        const QString file = root.relativeFilePath(it.next());
        const QString top = file.section(QLatin1Char('/'), 0, 0);
        if (top == QLatin1String(".dvc") || top == QLatin1String(".git") || top.startsWith(QLatin1String("build")))
            continue;
        files << file;
    }
    files.sort();
    return files;
}

QList<DvcFileEntry> parseDvcFile(const QByteArray &yaml, const QString &source, const QString &directory)
{
    const YamlReader reader(source);
    const YAML::Node root = reader.parse(yaml);
    reader.sequence(root, QStringLiteral("outs"));
    QList<DvcFileEntry> entries = fileEntries(reader, root, "outs", QStringLiteral("outs"));
    for (DvcFileEntry &entry : entries)
        entry.path = cleanPath(
            directory.isEmpty() || directory == QLatin1String(".") ? entry.path : directory + QLatin1Char('/') + entry.path);
    return entries;
}

QJsonValue yamlToJson(const YAML::Node &node)
{
    if (!node || node.IsNull())
        return QJsonValue::Null;
    if (node.IsSequence()) {
        QJsonArray array;
        for (const YAML::Node &item : node)
            array.append(yamlToJson(item));
        return array;
    }
    if (node.IsMap()) {
        QJsonObject object;
        for (const auto &item : node)
            object.insert(scalar(item.first), yamlToJson(item.second));
        return object;
    }
    const std::string &text = node.Scalar();
    if (node.Tag() == "!") // quoted: always text
        return QString::fromStdString(text);
    if (isPlainNull(text))
        return QJsonValue::Null;
    static const QRegularExpression boolean(QStringLiteral("^(true|True|TRUE|false|False|FALSE)$"));
    static const QRegularExpression integer(QStringLiteral("^[-+]?[0-9]+$"));
    static const QRegularExpression real(QStringLiteral("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$"));
    const QString value = QString::fromStdString(text);
    if (boolean.match(value).hasMatch())
        return value.front().toLower() == QLatin1Char('t');
    if (integer.match(value).hasMatch() || real.match(value).hasMatch())
        return value.toDouble();
    return value;
}

std::optional<QJsonValue> paramValue(const QJsonObject &paramsFile, const QString &dottedKey)
{
    if (dottedKey.isEmpty())
        return QJsonValue(paramsFile);
    QJsonValue value = paramsFile;
    for (const QString &part : dottedKey.split(QLatin1Char('.'))) {
        if (!value.isObject() || !value.toObject().contains(part))
            return std::nullopt;
        value = value.toObject().value(part);
    }
    return value;
}

} // namespace Audit
