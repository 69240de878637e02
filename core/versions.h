#pragma once

#include <memory>
#include <optional>

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "gitrepository.h"

namespace Audit {

// Versions of a DVC project: every commit that changed dvc.lock is one (plus the workspace
// when it differs from HEAD), with the metrics and params it recorded. Files are read from
// git for what git tracks and from the DVC cache (by md5) for what DVC tracks, so a past
// model or dataset loads without checking anything out.

inline const QString kWorkspace = QStringLiteral("workspace");

struct Version
{
    QString rev;   // full commit hash, or "workspace"
    QString label; // short hash, or "workspace"
    GitRepository::Commit commit; // empty for the workspace
    QJsonObject metrics;          // flattened: "metrics.json:f1" -> 0.71 (numbers only)
    QJsonObject params;           // flattened: "params.yaml:model.seed" -> 42
    bool isWorkspace() const { return rev == kWorkspace; }
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

struct MetricDelta
{
    QString key; // "metrics.json:f1"
    std::optional<double> before;
    std::optional<double> after;
    bool changed() const { return before != after; }
};

struct ParamDelta
{
    QString key; // "params.yaml:model.random_forest.trees"
    QJsonValue before = QJsonValue::Undefined; // Undefined: absent
    QJsonValue after = QJsonValue::Undefined;
    bool changed() const { return before != after; }
};

struct SliceDelta
{
    QString feature; // "sex" or "race & sex"
    QString value;   // "Female" or "Black & Female"
    double nBefore = -1, nAfter = -1; // -1: the slice is absent there
    double f1Before = 0, f1After = 0;
    double accuracyBefore = 0, accuracyAfter = 0;
    bool significant = false; // the new F1 lies outside the old one's confidence interval
    double f1Delta() const { return f1After - f1Before; }
    bool inBoth() const { return nBefore >= 0 && nAfter >= 0; }
};

struct ParityFlip
{
    QString attribute; // empty: the overall verdict
    QString group;     // empty: the attribute's verdict
    QString parity;    // "FPR Parity"
    bool before = false;
    bool after = false;
};

struct VersionDiff
{
    QString labelA;
    QString labelB;
    QList<MetricDelta> metrics;  // every metric of either side
    QList<ParamDelta> params;    // every param of either side
    QList<SliceDelta> slices;    // matched slices, worst F1 change first, then unmatched ones
    QList<ParityFlip> parities;  // only the verdicts that changed
    QStringList notes;           // what could not be compared, and why

    QList<SliceDelta> worseSlices() const;
    QJsonObject toJson(bool all = false) const;
    QString toText(bool all = false, int topSlices = 15) const; // `all`: unchanged metrics and params too
};

// The pieces of a diff, usable on any two reports (a past version against the current one).
QJsonObject flattenNumbers(const QJsonObject &object, const QString &prefix); // nested keys dotted
QJsonObject flattenValues(const QJsonObject &object, const QString &prefix);
QList<MetricDelta> diffMetrics(const QJsonObject &flatBefore, const QJsonObject &flatAfter);
QList<ParamDelta> diffParams(const QJsonObject &flatBefore, const QJsonObject &flatAfter);
QList<SliceDelta> diffSlices(const QJsonObject &slicesBefore, const QJsonObject &slicesAfter); // SliceReport JSON
QList<ParityFlip> diffParities(const QJsonObject &biasBefore, const QJsonObject &biasAfter); // BiasReport JSON

// Compares two versions: metrics and params as `dvc metrics diff` / `dvc params diff`, and
// the slice and bias reports found among the pipeline's JSON outputs.
VersionDiff diffVersions(const VersionStore &store, const QString &revA, const QString &revB);

} // namespace Audit
