#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include <QJsonObject>
#include <QString>

#include "metrics.h"
#include "significance.h"

namespace Audit {

// What an operating point (a decision threshold) is chosen for.
struct Objective
{
    enum class Kind {
        FBeta, // maximise F-beta (F1 when beta = 1)
        Cost, // minimise the expected cost per row, costFp * FP + costFn * FN over n
        Recall, // reach recall >= target with the best precision
        Precision, // reach precision >= target with the best recall
        PositiveRate // a predicted-positive rate as near the target as the scores allow
    };
    Kind kind = Kind::FBeta;
    double beta = 1;
    double costFp = 1;
    double costFn = 1;
    double target = 0;

    // "f1", "fbeta:B", "cost:R" (a false negative costs R false positives), "cost:fp=A,fn=B",
    // "recall:T", "precision:T", "ppr:T" (T in (0, 1]; ppr in [0, 1]).
    // Throws: OptionError("objective") naming what is wrong and the forms it takes.
    static Objective parse(const QString &text);
    QString spec() const; // the parse() form, canonical: "f1", "fbeta:2", "cost:fp=1,fn=5", "recall:0.9"
    QString description() const; // "max F1", "min expected cost (FP 1, FN 5)", "recall >= 0.9, best precision"
    QString metricName() const; // what value() is: "F1", "F2", "expected cost", "precision", "recall", "positive rate"
    bool minimise() const { return kind == Kind::Cost; }
    // The theoretical optimum of a perfectly calibrated score for Cost: costFp / (costFp + costFn).
    double bayesThreshold() const { return costFp / (costFp + costFn); }
};

// The decision at one cut point of the scores, and the objective there.
struct OperatingPoint
{
    double threshold = 0.5; // positive when score >= threshold
    Confusion confusion;
    double precision = 0; // NaN with no predicted positive
    double recall = 0;
    double fBeta = 0;
    double positiveRate = 0; // predicted positive / rows
    double cost = 0; // expected cost per row for the objective's costs
    double value = 0; // the objective's metric (see Objective::metricName)
    bool feasible = true; // a Recall / Precision target reached
    QJsonObject toJson() const;
};

struct ThresholdCurvePoint
{
    double threshold = 0;
    double value = 0; // the objective's metric
    double precision = 0;
    double recall = 0;
    double positiveRate = 0;
    bool feasible = true;
};

// The threshold that best meets `objective` on labelled scores, with how sure that is: a
// Poisson bootstrap (every row drawn Poisson(1) times, seeded) re-chooses the threshold and
// re-measures the objective at the chosen one.
struct OperatingPointReport
{
    Objective objective;
    std::int64_t rows = 0;
    std::int64_t positives = 0;
    OperatingPoint best;
    bool found = true; // false: no cut point meets a Recall / Precision target (best is the nearest)
    Stats::Interval thresholdCi; // 95% percentile interval of the re-chosen threshold
    Stats::Interval valueCi; // 95% of the objective's metric at best.threshold
    double feasibleShare = 1; // share of resamples in which best.threshold meets the target
    int resamples = 0;
    std::uint64_t seed = 42;
    OperatingPoint current; // at the threshold the model uses now, for comparison
    std::vector<ThresholdCurvePoint> curve; // the metric against the threshold, at most 400 points, ascending
    // Set by the caller: where the scores come from, and why that may mislead.
    QString source;
    QString modelId;
    QStringList warnings;

    QJsonObject toJson() const;
    QString toText() const;
};

// Requires scores.size() == labels.size(), labels 0/1, scores in [0, 1]; both classes present
// (else OptionError("data") saying which is missing). Cut points are midway between
// neighbouring distinct scores (as bestThreshold), the lowest score itself (everything
// positive), and just above the highest (nothing positive) when that is below 1. Ties between
// cut points go to the highest threshold (the fewest positives).
OperatingPointReport optimiseThreshold(const std::vector<double> &scores, const std::vector<std::int8_t> &labels,
                                       const Objective &objective, double currentThreshold, int resamples = 200,
                                       std::uint64_t seed = 42);

} // namespace Audit
