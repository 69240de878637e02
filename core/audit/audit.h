#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "biasreport.h"
#include "calibration.h"
#include "curves.h"
#include "metrics.h"
#include "scoreddata.h"
#include "slicecounts.h"
#include "slicereport.h"

namespace Audit {

// Everything the audit views show for one scored dataset at one threshold.
constexpr std::size_t kGroupCalibrationRows = 30; // AuditResults::groupCalibration's smallest group

struct AuditResults
{
    double threshold = 0.5;
    BinaryMetrics metrics;
    std::vector<CurvePoint> roc;
    std::vector<CurvePoint> pr;
    Calibration calibration; // reliability diagram, 10 bins
    Interval eceCi; // 95% bootstrap interval of calibration.ece
    // The same of the scores before the model's calibration map, when it has one.
    std::optional<Calibration> uncalibrated;
    Interval uncalibratedEceCi;
    ScoreHistogram scoreHistogram; // scores by true class, 20 bins
    // The reliability diagram of every group (of at least kGroupCalibrationRows rows) of each categorical
    // attribute the bias audit covers, and the same before the calibration map (when there is
    // one): worked out with the rest, off the GUI thread (a million rows take ~0.1 s).
    std::vector<GroupCalibration> groupCalibration;
    std::vector<GroupCalibration> groupCalibrationBefore;
    std::shared_ptr<const SliceReport> slices;
    std::shared_ptr<const BiasReport> bias;
    QString biasError; // why there is no bias report (no attributes, one group, ...), empty if there is
    // What the audits of this data share (grouped columns, ranking, label counts), passed on
    // to the audits after this one at other thresholds.
    std::shared_ptr<AuditCache> cache;
};

// Runs the whole audit: overall metrics and curves, slices, bias. A bias problem (say, no
// protected attribute) does not stop the rest: it is reported in biasError.
// Throws: SchemaError for bad slice options.
// No `threshold`: data.threshold. `previous`, when given, must be results for the same
// data: its threshold-free parts (curves, ROC AUC, PR AUC, log loss, Brier) are reused.
AuditResults runAudit(const ScoredData &data, const SliceOptions &sliceOptions, const BiasOptions &biasOptions,
                      std::optional<double> threshold = std::nullopt, const AuditResults *previous = nullptr);

} // namespace Audit
