#include "versionaudit.h"

#include "auditdataset.h"
#include "biasreport.h"
#include "csvreader.h"
#include "fileio.h"
#include "model.h"
#include "scoreddata.h"

namespace Audit {

VersionAudit auditVersion(const VersionStore &store, const QString &rev, const QString &modelPath, const QString &dataPath,
                          bool dataAtVersion, const SliceOptions &sliceOptions)
{
    VersionAudit audit;
    audit.version = store.version(rev);
    audit.modelFile = store.artifact(audit.version.rev, modelPath);
    audit.modelMd5 = fileMd5(audit.modelFile);
    audit.dataFile = dataAtVersion ? store.artifact(audit.version.rev, dataPath) : dataPath;
    audit.dataMd5 = fileMd5(audit.dataFile);
    AuditRequest request;
    request.source.modelPath = audit.modelFile;
    request.source.dataPath = audit.dataFile;
    request.sliceOptions = sliceOptions;
    audit.results = auditDataset(request).results;
    return audit;
}

VersionDiff diffAudits(const VersionAudit &a, const VersionAudit &b)
{
    VersionDiff diff;
    diff.labelA = a.version.label;
    diff.labelB = b.version.label;
    const QString prefix = QStringLiteral("audit:");
    diff.metrics = diffMetrics(flattenNumbers(a.results.metrics.toJson(), prefix),
                               flattenNumbers(b.results.metrics.toJson(), prefix));
    diff.params = diffParams(a.version.params, b.version.params);
    if (a.results.slices && b.results.slices)
        diff.slices = diffSlices(a.results.slices->toJson(), b.results.slices->toJson());
    if (a.results.bias && b.results.bias)
        diff.parities = diffParities(a.results.bias->toJson(), b.results.bias->toJson());
    else
        diff.notes << QStringLiteral("no bias report: %1")
                          .arg(a.results.biasError.isEmpty() ? b.results.biasError : a.results.biasError);
    return diff;
}

} // namespace Audit
