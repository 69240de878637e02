#pragma once

#include <optional>
#include <vector>

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

#include "enumnames.h"
#include "scoreddata.h"

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

struct Interval
{
    double low = 0;
    double high = 0;
};

// Wilson score interval for `successes` of `n` at normal quantile z. NaN bounds when n = 0.
// Ensures: 0 <= low <= high <= 1; low is exactly 0 when successes = 0, high exactly 1 when
//          successes = n.
Interval wilsonInterval(std::int64_t successes, std::int64_t n, double z);

struct SliceOptions
{
    QStringList features; // empty: every column
    int bins = 4; // quantile bins for numeric columns
    int cross = 2; // 1: single features; 2: also every pair; 3: also every triple
    int minSize = 30; // intersections smaller than this are left out
    SliceMetric weakMetric = SliceMetric::F1;
    double weakMargin = 0.05; // a weak slice is at least this far below the overall value...
    double z = 1.959963984540054; // ...and its interval lies below it too (95%)
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
    std::vector<std::size_t> weak; // indices into slices, largest gap first
    double threshold = 0.5;
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
