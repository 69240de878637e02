#include "audit.h"

#include "schemaerror.h"

namespace Audit {

AuditResults runAudit(const ScoredData &data, const SliceOptions &sliceOptions, const BiasOptions &biasOptions,
                      std::optional<double> threshold, const AuditResults *previous)
{
    AuditResults results;
    results.threshold = data.thresholdFor(threshold);
    if (previous) {
        results.metrics = metricsAtThreshold(previous->metrics, data.decisionScores(), data.labels, results.threshold);
        results.roc = previous->roc;
        results.pr = previous->pr;
        results.calibration = previous->calibration;
        results.eceCi = previous->eceCi;
        results.uncalibrated = previous->uncalibrated;
        results.uncalibratedEceCi = previous->uncalibratedEceCi;
        results.scoreHistogram = previous->scoreHistogram;
        results.groupCalibration = previous->groupCalibration;
        results.groupCalibrationBefore = previous->groupCalibrationBefore;
    } else {
        const std::vector<ScoreGroup> groups = scoreGroups(data.scores, data.labels); // one sort for all
        results.metrics = computeMetrics(data.scores, data.labels, results.threshold, 1.0, groups);
        if (!data.rowThresholds.empty()) // the decisions are the row thresholds'; the rest is the scores'
            results.metrics = metricsAtThreshold(results.metrics, data.decisionScores(), data.labels, results.threshold);
        results.roc = rocCurve(groups);
        results.pr = prCurve(groups);
        results.calibration = calibrationCurve(data.scores, data.labels);
        results.eceCi = eceInterval(data.scores, data.labels);
        if (!data.uncalibratedScores.empty()) {
            results.uncalibrated = calibrationCurve(data.uncalibratedScores, data.labels);
            results.uncalibratedEceCi = eceInterval(data.uncalibratedScores, data.labels);
        }
        results.scoreHistogram = scoreHistogram(data.scores, data.labels);
        for (const QString &attribute : biasOptions.attributes) {
            const DataColumn *column = data.column(attribute);
            if (!column || column->spec.isNumeric())
                continue;
            const GroupedColumn grouped = GroupedColumn::fromColumn(*column, 1);
            for (GroupCalibration &g : calibrationByGroup(grouped, data.scores, data.labels, nullptr, kGroupCalibrationRows))
                results.groupCalibration.push_back(std::move(g));
            if (!data.uncalibratedScores.empty()) {
                for (GroupCalibration &g :
                     calibrationByGroup(grouped, data.uncalibratedScores, data.labels, nullptr, kGroupCalibrationRows))
                    results.groupCalibrationBefore.push_back(std::move(g));
            }
        }
    }
    results.cache = previous && previous->cache ? previous->cache : std::make_shared<AuditCache>();
    results.slices = std::make_shared<const SliceReport>(
        computeSlices(data, sliceOptions, results.threshold, results.cache.get()));
    // A data set with no protected attribute (or a bad bias option) still gets everything else.
    try {
        results.bias = std::make_shared<const BiasReport>(computeBias(data, biasOptions, results.threshold, results.cache.get()));
    } catch (const SchemaError &e) {
        results.biasError = e.message();
    } catch (const OptionError &e) {
        results.biasError = e.message();
    }
    return results;
}

} // namespace Audit
