#pragma once

#include <cstdint>
#include <vector>

#include <QJsonObject>
#include <QString>

namespace Audit {

struct Confusion
{
    std::int64_t tp = 0;
    std::int64_t fp = 0;
    std::int64_t tn = 0;
    std::int64_t fn = 0;
};

// Binary classification metrics at one threshold (positive when score >= threshold).
// Ratios with a zero denominator are undefined: NaN (null in JSON, empty in CSV), the rule of every
// report (slices and bias too; scikit-learn's zero_division=np.nan). Ranking metrics
// (ROC AUC, PR AUC) are NaN when the labels hold one class only; JSON writes NaN as null.
struct BinaryMetrics
{
    double precision = 0;
    double recall = 0;
    double f1 = 0; // F-beta with `beta`; named f1 as in every report
    double accuracy = 0;
    double rocAuc = 0;
    double prAuc = 0; // average precision, scikit-learn's definition
    double logLoss = 0;
    double brier = 0;
    Confusion confusion;
    std::int64_t support = 0; // rows
    std::int64_t positives = 0; // rows whose label is positive
    double threshold = 0.5;
    double beta = 1.0;

    QJsonObject toJson() const; // keys: precision, recall, f1, accuracy, roc_auc, pr_auc, log_loss, brier,
                                //       confusion {tp, fp, tn, fn}, support, positives, threshold, beta
};

// The distinct scores, highest first, with how many positive and negative rows hold each:
// everything ranking-based (ROC AUC, average precision, the best threshold, the ROC and PR
// curves) follows from it, so the scores are sorted once for all of them.
struct ScoreGroup
{
    double score = 0;
    std::int64_t positives = 0;
    std::int64_t negatives = 0;
};
std::vector<ScoreGroup> scoreGroups(const std::vector<double> &scores, const std::vector<std::int8_t> &labels);

// Requires: scores.size() == labels.size(); labels are 0/1; scores in [0, 1].
// `groups`, when given, must be scoreGroups(scores, labels).
BinaryMetrics computeMetrics(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, double threshold,
                             double beta, const std::vector<ScoreGroup> &groups);
BinaryMetrics computeMetrics(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, double threshold,
                             double beta = 1.0);

// The same metrics at another threshold, reusing `ranked`'s threshold-free ones (ROC AUC,
// PR AUC, log loss, Brier): one pass instead of sorting the scores again.
BinaryMetrics metricsAtThreshold(const BinaryMetrics &ranked, const std::vector<double> &scores,
                                 const std::vector<std::int8_t> &labels, double threshold);

Confusion confusionAt(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, double threshold);
double rocAuc(const std::vector<double> &scores, const std::vector<std::int8_t> &labels);
double rocAuc(const std::vector<ScoreGroup> &groups);
double averagePrecision(const std::vector<double> &scores, const std::vector<std::int8_t> &labels);
double averagePrecision(const std::vector<ScoreGroup> &groups);
double fBeta(const Confusion &c, double beta);

// The threshold with the best F-beta over all cut points, midway between neighbouring
// distinct scores. Returns 0.5 when the labels hold one class only.
double bestThreshold(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, double beta = 1.0);
double bestThreshold(const std::vector<ScoreGroup> &groups, double beta = 1.0);

// numerator / denominator, NaN when the denominator is 0 (the slices' and Aequitas's rule).
double ratioOrNaN(std::int64_t numerator, std::int64_t denominator);

// A number as every report states it (JSON, CSV): rounded to kReportDigits significant
// digits, and 0 when |value| < kReportZero (what is left of a quantity that is exactly 0 after
// floating-point cancellation). NaN and infinities are returned unchanged.
inline constexpr int kReportDigits = 10;
inline constexpr double kReportZero = 1e-12;
double reportNumber(double value);

// A double for JSON, exact (metrics.json, model files): NaN and infinities become null.
QJsonValue jsonNumber(double value);

// reportNumber() for the JSON twin of a CSV report (slices, bias): NaN and infinities become
// null, and every other value is the number csvNumber() prints.
QJsonValue reportJsonNumber(double value);

// reportNumber() for a CSV cell: NaN and infinities are empty.
QString csvNumber(double value);

// A p or q value as every report states it: kReportDigits significant digits and never zeroed
// (a p of 1e-15 is evidence, not floating-point noise); 0 when the test's p underflowed.
double reportP(double p);
QJsonValue reportJsonP(double p); // null for NaN (not tested)
QString csvP(double p); // empty for NaN
// How a p or q value reads in text, tables and the card: "0.0123", "3.1e-15", "<1e-300" (an
// underflowed p), `none` when not tested.
QString pValueText(double p, const QString &none = QStringLiteral("n/a"));

} // namespace Audit
