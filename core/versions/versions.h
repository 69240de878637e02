#pragma once

#include <memory>
#include <optional>

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "dvcfiles.h"
#include "gitrepository.h"

namespace Audit {

// Versions of a DVC project: every commit that changed dvc.lock is one (plus the workspace
// when it differs from HEAD), with the metrics and params it recorded. Files are read from
// git for what git tracks and from the DVC cache (by md5) for what DVC tracks, so a past
// model or dataset loads without checking anything out.

inline const QString kWorkspace = QStringLiteral("workspace");

struct Version
{
    QString rev; // full commit hash, or "workspace"
    QString label; // short hash, or "workspace"
    GitRepository::Commit commit; // empty for the workspace
    QJsonObject metrics; // flattened: "metrics.json:f1" -> 0.71 (numbers only)
    QJsonObject params; // flattened: "params.yaml:model.seed" -> 42
    bool isWorkspace() const { return rev == kWorkspace; }

    // The metric `name` ("f1", "confusion.tp") from whichever metrics file records it, so a
    // lookup survives the file moving between versions; nullopt when no file has it.
    std::optional<double> metric(const QString &name) const;
};

class VersionStore
{
public:
    // Throws AuditError when the folder is in no git repository.
    explicit VersionStore(const QString &projectDir);
    ~VersionStore();

    QString projectDir() const { return m_dir; }
    QString cacheDir() const; // .dvc/cache, or cache.dir from .dvc/config(.local)

    // Newest first; the workspace first when its dvc.lock or metrics differ from HEAD's.
    QList<Version> history() const;
    Version version(const QString &rev) const; // throws naming an unknown revision

    // A project file's bytes at `rev` ("workspace": on disk); nullopt when absent there.
    std::optional<QByteArray> file(const QString &rev, const QString &path) const;

    // A JSON object file at `rev`; nullopt when absent or not a JSON object.
    std::optional<QJsonObject> jsonFile(const QString &rev, const QString &path) const;
    // dvc.yaml at `rev`; nullopt when that version has none. Throws SchemaError when malformed.
    std::optional<DvcPipeline> pipeline(const QString &rev) const;

    // A local file holding `path` as dvc.lock recorded it at `rev`: the workspace file when
    // its md5 matches, else the DVC cache entry. Throws AuditError naming the path, the
    // version and the md5 when it is in neither (with the `dvc pull` that gets it).
    QString artifact(const QString &rev, const QString &path) const;

    // DVC 3 cache layout: <cache>/files/md5/<2 hex>/<30 hex>.
    static QString cachePath(const QString &cacheDir, const QString &md5);

private:
    QString gitPath(const QString &path) const; // project-relative -> repository-relative
    QString revisionLabel(const QString &rev) const;

    std::unique_ptr<GitRepository> m_git;
    QString m_dir;
    QString m_prefix; // the project folder inside the repository, "" or "sub/dir/"
};

// Every number of a JSON object under dotted keys ("confusion.tp"), and every value.
QJsonObject flattenNumbers(const QJsonObject &object, const QString &prefix);
QJsonObject flattenValues(const QJsonObject &object, const QString &prefix);

} // namespace Audit
