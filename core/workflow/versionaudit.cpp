#include "versionaudit.h"

#include <algorithm>

#include "auditdataset.h"
#include "biasreport.h"
#include "csvreader.h"
#include "fileio.h"
#include "metrics.h"
#include "model.h"
#include "schemaerror.h"
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
    DatasetAudit done = auditDataset(request);
    audit.results = std::move(done.results);
    audit.scored = std::move(done.scored);
    return audit;
}

VersionCurves versionCurves(const Version &version, const ScoredData &scored)
{
    const auto positives = std::count(scored.labels.cbegin(), scored.labels.cend(), std::int8_t(1));
    if (positives == 0 || positives == qsizetype(scored.labels.size()))
        throw SchemaError(QStringLiteral("%1: ROC and PR curves need rows of both classes, but %2 of its %3 rows are labelled "
                                         "%4. Fix: score labelled data holding both classes")
                              .arg(scored.source)
                              .arg(positives == 0 ? QStringLiteral("none") : QStringLiteral("all"))
                              .arg(scored.labels.size())
                              .arg(scored.positiveLabel));
    VersionCurves curves;
    curves.label = version.label;
    curves.dataFile = scored.source;
    curves.roc = rocCurve(scored.scores, scored.labels);
    curves.pr = prCurve(scored.scores, scored.labels);
    curves.rocAuc = rocAuc(scored.scores, scored.labels);
    curves.averagePrecision = averagePrecision(scored.scores, scored.labels);
    return curves;
}

VersionCurves scoreVersionCurves(const VersionStore &store, const QString &rev, const QString &modelPath, const QString &dataPath,
                                 bool dataAtVersion)
{
    const Version version = store.version(rev);
    AuditRequest request;
    request.source.modelPath = store.artifact(version.rev, modelPath);
    request.source.dataPath = dataAtVersion ? store.artifact(version.rev, dataPath) : dataPath;
    request.slices = false;
    request.bias = false;
    return versionCurves(version, *auditDataset(request).scored);
}

VersionDiff diffAudits(const VersionAudit &a, const VersionAudit &b, const SliceDiffOptions &sliceOptions)
{
    VersionDiff diff;
    diff.sliceOptions = sliceOptions;
    diff.labelA = a.version.label;
    diff.labelB = b.version.label;
    const QString prefix = QStringLiteral("audit:");
    diff.metrics = diffMetrics(flattenNumbers(a.results.metrics.toJson(), prefix),
                               flattenNumbers(b.results.metrics.toJson(), prefix));
    diff.params = diffParams(a.version.params, b.version.params);
    if (a.results.slices && b.results.slices)
        diff.slices = diffSlices(a.results.slices->toJson(), b.results.slices->toJson(), sliceOptions);
    if (a.results.bias && b.results.bias)
        diff.parities = diffParities(a.results.bias->toJson(), b.results.bias->toJson());
    else
        diff.notes << QStringLiteral("no bias report: %1")
                          .arg(a.results.biasError.isEmpty() ? b.results.biasError : a.results.biasError);
    return diff;
}

} // namespace Audit
