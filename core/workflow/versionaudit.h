#pragma once

#include <memory>
#include <vector>

#include "audit.h"
#include "curves.h"
#include "scoreddata.h"
#include "versiondiff.h"

namespace Audit {

// A past model audited on today's data: the side-by-side view of a version.
struct VersionAudit
{
    Version version;
    QString modelFile; // where the model was read from (workspace or DVC cache)
    QString modelMd5;
    QString dataFile; // where the data was read from
    QString dataMd5;
    AuditResults results;
    std::shared_ptr<const ScoredData> scored; // the rows the results come from
};

// One version's ROC and precision-recall curves on the data it scored.
struct VersionCurves
{
    QString label; // the version's ("a1b2c3d", "workspace")
    QString dataFile; // what it scored
    std::vector<CurvePoint> roc; // rocCurve
    std::vector<CurvePoint> pr; // prCurve
    double rocAuc = 0; // rocAuc of the scores, not of the thinned curve
    double averagePrecision = 0; // averagePrecision, the PR AUC
};

// Loads the model DVC recorded as `modelPath` at `rev` (VersionStore::artifact: workspace or
// cache, never a checkout), scores the labelled CSV `dataPath` with it and audits it at the
// model's own threshold. With `dataAtVersion`, `dataPath` is project-relative and the CSV is
// that version's too (from the cache as well); otherwise it is the file as it is now.
// Throws AuditError when a file is not available (with the `dvc pull` that gets it) or the
// data does not fit the model's schema.
VersionAudit auditVersion(const VersionStore &store, const QString &rev, const QString &modelPath, const QString &dataPath,
                          bool dataAtVersion = false, const SliceOptions &sliceOptions = {});

// The curves of `version`'s scores in `scored` (rocCurve, prCurve, rocAuc, averagePrecision).
// Throws: SchemaError naming the data file when its rows are all of one class.
VersionCurves versionCurves(const Version &version, const ScoredData &scored);

// Scores `dataPath` with the model DVC recorded as `modelPath` at `rev` (as auditVersion
// reads them, without the slice and bias audits) and returns its curves.
// Throws what auditVersion throws.
VersionCurves scoreVersionCurves(const VersionStore &store, const QString &rev, const QString &modelPath, const QString &dataPath,
                                 bool dataAtVersion = false);

// The same comparison as diffVersions, between two audits of the same data.
VersionDiff diffAudits(const VersionAudit &a, const VersionAudit &b, const SliceDiffOptions &sliceOptions = {});

} // namespace Audit
