#pragma once

#include <limits>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

#include "enumnames.h"
#include "scoreddata.h"
#include "significance.h"

namespace Audit {

class AuditCache;

enum class SliceMetric { Precision, Recall, F1, Accuracy };
template <>
struct EnumNames<SliceMetric>
{
    static constexpr std::array<std::pair<SliceMetric, const char *>, 4> table{{{SliceMetric::Precision, "precision"},
                                                                                {SliceMetric::Recall, "recall"},
                                                                                {SliceMetric::F1, "f1"},
                                                                                {SliceMetric::Accuracy, "accuracy"}}};
};

using Stats::Interval;
using Stats::wilsonInterval;

// How the weak slices are ordered: by the lower 95% bound of the gap (how far below overall
// the slice is at least, given its size), or by the raw gap.
enum class SliceRank { Evidence, Gap };
template <>
struct EnumNames<SliceRank>
{
    static constexpr std::array<std::pair<SliceRank, const char *>, 2> table{
        {{SliceRank::Evidence, "evidence"}, {SliceRank::Gap, "gap"}}};
};

struct SliceOptions
{
    QStringList features; // empty: every column
    int bins = 4; // quantile bins for numeric columns
    int cross = 2; // 1: single features; 2: also every pair; 3: also every triple
    int minSize = 30; // intersections smaller than this are left out
    SliceMetric weakMetric = SliceMetric::F1;
    double weakMargin = 0.05; // a weak slice is at least this far below the overall value...
    double fdrQ = 0.05; // ...and differs from the rest of the data at this false-discovery rate
    int minPositives = 10; // label positives (and predicted positives for precision) before a slice is tested
    SliceRank rank = SliceRank::Evidence;
    double z = 1.959963984540054; // the intervals' normal quantile (95%)
};

struct SliceRow
{
    QStringList features; // one for a plain slice, two or three for an intersection
    QStringList values;
    std::int64_t n = 0;
    std::int64_t tp = 0;
    std::int64_t fp = 0;
    std::int64_t tn = 0;
    std::int64_t fn = 0;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    double accuracy = 0;
    double fpr = 0;
    double fnr = 0;
    Interval precisionCi;
    Interval recallCi;
    Interval accuracyCi;
    Interval f1Ci;
    bool weak = false;
    double gap = 0; // overall value of the weak metric minus this slice's
    double gapLow = 0; // overall minus the upper bound of the slice's interval: the gap at least
    // The weak metric of this slice against the rest of the data (two-sided), and its
    // Benjamini–Hochberg q over every slice tested. NaN when not tested: `untested` says why.
    double p = std::numeric_limits<double>::quiet_NaN();
    double q = std::numeric_limits<double>::quiet_NaN();
    Stats::Test test = Stats::Test::None;
    QString untested; // "4 label positives (minimum 10)"; empty when tested

    std::int64_t labelPositives() const { return tp + fn; }
    std::int64_t predictedPositives() const { return tp + fp; }
    QString feature() const { return features.join(QStringLiteral(" & ")); }
    QString value() const { return values.join(QStringLiteral(" & ")); }
    double metric(SliceMetric m) const;
    Interval interval(SliceMetric m) const;
};

// Per-slice performance of a scored dataset: every value of every chosen feature (numeric
// ones binned), every intersection up to options.cross, and the weak slices ranked.
struct SliceReport
{
    SliceOptions options;
    SliceRow overall;
    std::vector<SliceRow> slices; // features in the order given, values in code order; then pairs, triples
    std::vector<std::size_t> weak; // indices into slices, in options.rank order
    std::size_t tested = 0; // slices with a p-value: the family the FDR is controlled over
    double threshold = 0.5;
    QString decisionRule; // the model's thresholds by group when it decides with them (ScoredData::decisionRule)
    QString source;
    QString modelId;

    QJsonObject toJson() const;
    QByteArray toCsv() const; // one row per slice; columns start feature, value, n, label_pos, pred_pos, ...
    QString toText() const; // slice_output.txt: per feature, one slice a line
};

// The most slices one report holds; more is refused (OptionError) before any is made.
inline constexpr std::size_t kMaxSlices = 200000;

// Ratios with a zero denominator are NaN (null in JSON, empty in CSV).
// Throws: SchemaError for an unknown feature, bins < 1 or cross outside 1..3.
// No `threshold`: data.threshold.
// `cache`, when given, must belong to `data`: its grouped columns are reused.
SliceReport computeSlices(const ScoredData &data, const SliceOptions &options = {},
                          std::optional<double> threshold = std::nullopt, AuditCache *cache = nullptr);

} // namespace Audit
