#pragma once

#include <array>
#include <map>
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

enum class ReferenceMethod { Predefined, Majority, MinMetric };
template <>
struct EnumNames<ReferenceMethod>
{
    static constexpr std::array<std::pair<ReferenceMethod, const char *>, 3> table{{{ReferenceMethod::Predefined, "predefined"},
                                                                                    {ReferenceMethod::Majority, "majority"},
                                                                                    {ReferenceMethod::MinMetric, "min_metric"}}};
};

// The metrics Aequitas computes disparities for, in its column order.
enum class BiasMetric { Ppr, Pprev, Precision, Fdr, For, Fpr, Fnr, Tpr, Tnr, Npv };
constexpr std::size_t kBiasMetricCount = 10;
constexpr std::array<BiasMetric, kBiasMetricCount> kBiasMetrics = {
    BiasMetric::Ppr, BiasMetric::Pprev, BiasMetric::Precision, BiasMetric::Fdr, BiasMetric::For,
    BiasMetric::Fpr, BiasMetric::Fnr,   BiasMetric::Tpr,       BiasMetric::Tnr, BiasMetric::Npv};
QString biasMetricName(BiasMetric metric); // "ppr", "pprev", "precision", "fdr", "for", ...

// Aequitas's parity names, per metric and rolled up.
enum class Parity {
    Statistical,
    Impact,
    Precision,
    Fdr,
    For,
    Fpr,
    Fnr,
    Tpr,
    Tnr,
    Npv, // one metric each
    TypeI,
    TypeII,
    EqualizedOdds,
    Unsupervised,
    Supervised // roll-ups
};
constexpr std::size_t kParityCount = 15;
QString parityName(Parity parity); // "Statistical Parity", "TypeI Parity", "Equalized Odds", ...

// A verdict that may be undefined (a NaN disparity): std::nullopt. Aequitas's plain verdict.
using Verdict = std::optional<bool>;

// The verdict that says how sure it is (the default). A disparity outside the tau band fails
// only when the group's rate differs significantly from the reference's (BH q <= alpha over
// every test in the report); otherwise it is "outside band, not significant". A group or
// reference too small to judge is "insufficient data": no pass, no fail, and it does not
// decide its attribute's roll-up.
enum class VerdictState { Pass, Fail, NotSignificant, Insufficient, Undefined };
template <>
struct EnumNames<VerdictState>
{
    static constexpr std::array<std::pair<VerdictState, const char *>, 5> table{
        {{VerdictState::Pass, "pass"},
         {VerdictState::Fail, "fail"},
         {VerdictState::NotSignificant, "not_significant"},
         {VerdictState::Insufficient, "insufficient_data"},
         {VerdictState::Undefined, "undefined"}}};
};
// "pass", "FAIL", "outside band, not significant", "insufficient data", "n/a".
QString verdictStateText(VerdictState state);
VerdictState verdictState(const Verdict &plain); // true -> Pass, false -> Fail, none -> Undefined

// Which verdicts decide: the evidence-aware states (default) or Aequitas's plain ones.
enum class VerdictMode { Evidence, Aequitas };
template <>
struct EnumNames<VerdictMode>
{
    static constexpr std::array<std::pair<VerdictMode, const char *>, 2> table{
        {{VerdictMode::Evidence, "evidence"}, {VerdictMode::Aequitas, "aequitas"}}};
};

struct BiasOptions
{
    QStringList attributes; // empty: the schema's protected attributes
    std::map<QString, QString> references; // attribute -> reference group (predefined)
    ReferenceMethod method = ReferenceMethod::Predefined;
    double tau = 0.8; // parity: tau <= disparity <= 1/tau
    int bins = 4; // numeric attributes are binned like slices
    VerdictMode verdicts = VerdictMode::Evidence;
    int minGroupSize = 30; // smaller groups get "insufficient data" (and cannot be a reference)
    int minEvents = 10; // rows the metric is a rate of (its denominator), per group and reference
    double alpha = 0.05; // a disparity outside the band fails when its BH q is at most this
    double z = Stats::kZ95; // the disparity intervals' normal quantile (95%)
};

struct GroupMetrics
{
    QString attribute;
    QString value;
    std::int64_t groupSize = 0;
    std::int64_t labelPos = 0;
    std::int64_t labelNeg = 0;
    std::int64_t pp = 0;
    std::int64_t pn = 0;
    std::int64_t tp = 0;
    std::int64_t fp = 0;
    std::int64_t tn = 0;
    std::int64_t fn = 0;
    std::int64_t k = 0; // predicted positives over all rows
    double accuracy = 0;
    double prev = 0;
    std::array<double, kBiasMetricCount> metrics{}; // by BiasMetric
    std::array<double, kBiasMetricCount> disparities{}; // metric / reference's metric
    std::array<QString, kBiasMetricCount> references{}; // reference group of each disparity
    std::array<Verdict, kParityCount> parities{}; // Aequitas's plain verdicts
    // Per metric: the disparity's interval, the test of this group's rate against the
    // reference's (p as `<metric>_significance`, BH q over the report), its name.
    std::array<Stats::Interval, kBiasMetricCount> disparityCi{};
    std::array<double, kBiasMetricCount> significance{};
    std::array<double, kBiasMetricCount> qValues{};
    std::array<Stats::Test, kBiasMetricCount> tests{};
    std::array<QString, kBiasMetricCount> notes{}; // why a metric is "insufficient data"
    std::array<VerdictState, kParityCount> states{}; // the verdicts of options.verdicts
    QString insufficient; // the group as a whole: "18 rows (minimum 30)"

    double metric(BiasMetric m) const { return metrics[std::size_t(m)]; }
    VerdictState state(Parity p) const { return states[std::size_t(p)]; }
    double disparity(BiasMetric m) const { return disparities[std::size_t(m)]; }
    Verdict parity(Parity p) const { return parities[std::size_t(p)]; }
};

struct AttributeVerdict
{
    QString attribute;
    QString reference; // the predefined or majority group; per metric for min_metric
    std::array<Verdict, kParityCount> parities{}; // Aequitas's plain roll-up
    std::array<VerdictState, kParityCount> states{}; // the roll-up of options.verdicts
};

// Aequitas-compatible group metrics, disparities and fairness verdicts.
struct BiasReport
{
    BiasOptions options;
    std::vector<GroupMetrics> groups; // attribute by attribute, groups in order of appearance
    std::vector<AttributeVerdict> attributes;
    std::array<Verdict, kParityCount> overall{}; // Aequitas's plain roll-up
    std::array<VerdictState, kParityCount> overallStates{};
    std::size_t tested = 0; // group-metric tests the BH correction counted
    double threshold = 0.5;
    QString decisionRule; // the model's thresholds by group when it decides with them (ScoredData::decisionRule)
    QString source;
    QString modelId;

    QJsonObject toJson() const;
    QByteArray toCsv() const; // one row per (attribute, group), Aequitas's column names
    QString toText() const;
};

// Requires: data.columns holds every attribute.
// Throws: SchemaError naming the attribute or value: a missing attribute column, an
//         attribute with one group, an unknown reference group, no reference for an
//         attribute under the predefined method, tau outside (0, 1]; with evidence verdicts,
//         OptionError("reference") for a reference group smaller than minGroupSize, naming
//         a group large enough.
// No `threshold`: data.threshold.
// `cache`, when given, must belong to `data`: its grouped columns are reused.
BiasReport computeBias(const ScoredData &data, const BiasOptions &options, std::optional<double> threshold = std::nullopt,
                       AuditCache *cache = nullptr);

} // namespace Audit
