#include "versions.h"

#include "dvcremote.h"

#include <algorithm>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSettings>

#include <yaml-cpp/yaml.h>

#include "auditerror.h"
#include "dvcfiles.h"
#include "fileio.h"
#include "yamlutil.h"

namespace Audit {

std::optional<double> Version::metric(const QString &name) const
{
    const QString suffix = QLatin1Char(':') + name;
    for (auto it = metrics.begin(); it != metrics.end(); ++it) {
        if (it.key().endsWith(suffix))
            return it.value().toDouble();
    }
    return std::nullopt;
}

namespace {

QStringList metricFiles(const std::optional<DvcPipeline> &pipeline)
{
    QStringList files;
    if (!pipeline)
        return files;
    for (const DvcStage &stage : pipeline->stages()) {
        for (const DvcOutput &out : stage.outs) {
            if (out.kind == DvcOutput::Kind::Metric && !files.contains(out.path))
                files << out.path;
        }
    }
    return files;
}

QStringList paramFiles(const std::optional<DvcPipeline> &pipeline)
{
    QStringList files;
    if (pipeline) {
        for (const DvcStage &stage : pipeline->stages()) {
            for (const DvcParamRef &param : stage.params) {
                if (!files.contains(param.file))
                    files << param.file;
            }
        }
    }
    if (files.isEmpty())
        files << QStringLiteral("params.yaml");
    return files;
}

} // namespace

VersionStore::VersionStore(const QString &projectDir)
    : m_git(std::make_unique<GitRepository>(projectDir))
    , m_dir(QFileInfo(projectDir).canonicalFilePath())
{
    const QString workdir = QFileInfo(m_git->workdir()).canonicalFilePath();
    const QString relative = QDir(workdir).relativeFilePath(m_dir);
    m_prefix = relative == QLatin1String(".") ? QString() : relative + QLatin1Char('/');
}

VersionStore::~VersionStore() = default;

QString VersionStore::gitPath(const QString &path) const
{
    return m_prefix + path;
}

QString VersionStore::cacheDir() const
{
    const QDir dvc(QDir(m_dir).filePath(QStringLiteral(".dvc")));
    QString dir;
    for (const QString &name : {QStringLiteral("config"), QStringLiteral("config.local")}) {
        if (!QFileInfo::exists(dvc.filePath(name)))
            continue;
        const QSettings config(dvc.filePath(name), QSettings::IniFormat);
        const QString value = config.value(QStringLiteral("cache/dir")).toString().trimmed();
        if (!value.isEmpty())
            dir = value;
    }
    if (dir.isEmpty())
        return dvc.filePath(QStringLiteral("cache"));
    return QDir::cleanPath(dvc.filePath(dir)); // relative to .dvc, as DVC reads it
}

QString VersionStore::cachePath(const QString &cacheDir, const QString &md5)
{
    return QStringLiteral("%1/files/md5/%2/%3").arg(cacheDir, md5.left(2), md5.mid(2));
}

QString VersionStore::revisionLabel(const QString &rev) const
{
    return rev == kWorkspace ? kWorkspace : m_git->resolve(rev).shortHash();
}

std::optional<QByteArray> VersionStore::file(const QString &rev, const QString &path) const
{
    if (rev == kWorkspace) {
        QFile file(QDir(m_dir).filePath(path));
        if (!file.open(QIODevice::ReadOnly))
            return std::nullopt;
        return file.readAll();
    }
    return m_git->fileAt(rev, gitPath(path));
}

std::optional<QJsonObject> VersionStore::jsonFile(const QString &rev, const QString &path) const
{
    const std::optional<QByteArray> bytes = file(rev, path);
    if (!bytes)
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(*bytes, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

std::optional<DvcPipeline> VersionStore::pipeline(const QString &rev) const
{
    const std::optional<QByteArray> yaml = file(rev, QStringLiteral("dvc.yaml"));
    if (!yaml)
        return std::nullopt;
    return DvcPipeline::parse(*yaml, QStringLiteral("dvc.yaml at %1").arg(revisionLabel(rev)));
}

Version VersionStore::version(const QString &rev) const
{
    Version v;
    if (rev == kWorkspace) {
        v.rev = v.label = kWorkspace;
    } else {
        v.commit = m_git->resolve(rev);
        v.rev = v.commit.hash;
        v.label = v.commit.shortHash();
    }
    const std::optional<DvcPipeline> stages = pipeline(v.rev);
    for (const QString &path : metricFiles(stages)) {
        if (const std::optional<QJsonObject> json = jsonFile(v.rev, path)) {
            const QJsonObject flat = flattenNumbers(*json, path + QLatin1Char(':'));
            for (auto it = flat.begin(); it != flat.end(); ++it)
                v.metrics.insert(it.key(), it.value());
        }
    }
    for (const QString &path : paramFiles(stages)) {
        const std::optional<QByteArray> yaml = file(v.rev, path);
        if (!yaml)
            continue;
        try {
            const QJsonObject flat = flattenValues(yamlToJson(YAML::Load(yaml->toStdString())).toObject(),
                                                   path + QLatin1Char(':'));
            for (auto it = flat.begin(); it != flat.end(); ++it)
                v.params.insert(it.key(), it.value());
        } catch (const YAML::Exception &) {
            // A version with a broken params file still lists; its params show as absent.
        }
    }
    return v;
}

QList<Version> VersionStore::history() const
{
    QList<Version> versions;
    const QList<GitRepository::Commit> commits = m_git->commitsChanging(gitPath(QStringLiteral("dvc.lock")));
    bool workspaceDiffers = true; // nothing committed yet
    if (!commits.isEmpty()) {
        QStringList watched{QStringLiteral("dvc.lock")};
        watched << metricFiles(pipeline(kWorkspace));
        workspaceDiffers = std::any_of(watched.cbegin(), watched.cend(), [this](const QString &path) {
            return file(kWorkspace, path) != file(QStringLiteral("HEAD"), path);
        });
    }
    if (workspaceDiffers && QFileInfo::exists(QDir(m_dir).filePath(QStringLiteral("dvc.lock"))))
        versions << version(kWorkspace);
    for (const GitRepository::Commit &commit : commits)
        versions << version(commit.hash);
    return versions;
}

QString VersionStore::artifact(const QString &rev, const QString &path) const
{
    const QString label = revisionLabel(rev);
    const std::optional<QByteArray> lockBytes = file(rev, QStringLiteral("dvc.lock"));
    std::optional<DvcFileEntry> entry;
    if (lockBytes)
        entry = DvcLock::parse(*lockBytes, QStringLiteral("dvc.lock at %1").arg(label)).recorded(path);
    if (!entry) {
        if (const std::optional<QByteArray> dvcFile = file(rev, path + QStringLiteral(".dvc"))) {
            const QList<DvcFileEntry> entries = parseDvcFile(*dvcFile, QStringLiteral("%1.dvc at %2").arg(path, label),
                                                             QFileInfo(path).path());
            for (const DvcFileEntry &e : entries) {
                if (e.path == QDir::cleanPath(path))
                    entry = e;
            }
        }
    }
    if (!entry)
        throw AuditError(QStringLiteral("%1: DVC records no version of it at %2 (not in dvc.lock, no %1.dvc)").arg(path, label));

    const QString local = QDir(m_dir).filePath(path);
    if (QFileInfo(local).isFile() && (entry->size < 0 || QFileInfo(local).size() == entry->size) && fileMd5(local) == entry->md5)
        return local;
    const QString cache = cacheDir();
    const QString cached = cachePath(cache, entry->md5);
    if (QFileInfo(cached).isFile())
        return cached;
    const QString legacy = QStringLiteral("%1/%2/%3").arg(cache, entry->md5.left(2), entry->md5.mid(2)); // DVC 2 layout
    if (QFileInfo(legacy).isFile())
        return legacy;
    // Not in the cache: fetched from the default remote, as `dvc fetch` would, when it is a
    // local folder; any other remote is named, with what to run.
    QString remoteProblem;
    try {
        DvcFileEntry wanted = *entry;
        wanted.path = path;
        return DvcRemote(m_dir).fetch(wanted);
    } catch (const AuditError &e) {
        remoteProblem = e.message();
    }
    throw AuditError(QStringLiteral("%1 at %2 (md5 %3) is not in the DVC cache (%4 does not exist), and the default remote "
                                    "could not supply it: %5. Fetch it with `dvc pull %1` (or `dvc fetch`), then try again.")
                         .arg(path, label, entry->md5, QDir::toNativeSeparators(cached), remoteProblem));
}

QJsonObject flattenNumbers(const QJsonObject &object, const QString &prefix)
{
    QJsonObject flat;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.value().isDouble()) {
            flat.insert(prefix + it.key(), it.value());
        } else if (it.value().isObject()) {
            const QJsonObject inner = flattenNumbers(it.value().toObject(), prefix + it.key() + QLatin1Char('.'));
            for (auto in = inner.begin(); in != inner.end(); ++in)
                flat.insert(in.key(), in.value());
        }
    }
    return flat;
}

QJsonObject flattenValues(const QJsonObject &object, const QString &prefix)
{
    QJsonObject flat;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.value().isObject()) {
            const QJsonObject inner = flattenValues(it.value().toObject(), prefix + it.key() + QLatin1Char('.'));
            for (auto in = inner.begin(); in != inner.end(); ++in)
                flat.insert(in.key(), in.value());
        } else {
            flat.insert(prefix + it.key(), it.value());
        }
    }
    return flat;
}

} // namespace Audit
