#pragma once

#include "audit.h"
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
};

// Loads the model DVC recorded as `modelPath` at `rev` (VersionStore::artifact: workspace or
// cache, never a checkout), scores the labelled CSV `dataPath` with it and audits it at the
// model's own threshold. With `dataAtVersion`, `dataPath` is project-relative and the CSV is
// that version's too (from the cache as well); otherwise it is the file as it is now.
// Throws AuditError when a file is not available (with the `dvc pull` that gets it) or the
// data does not fit the model's schema.
VersionAudit auditVersion(const VersionStore &store, const QString &rev, const QString &modelPath, const QString &dataPath,
                          bool dataAtVersion = false, const SliceOptions &sliceOptions = {});

// The same comparison as diffVersions, between two audits of the same data.
VersionDiff diffAudits(const VersionAudit &a, const VersionAudit &b);

} // namespace Audit
