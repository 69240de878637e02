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

// A verdict that may be undefined (a NaN disparity): std::nullopt.
using Verdict = std::optional<bool>;

struct BiasOptions
{
    QStringList attributes; // empty: the schema's protected attributes
    std::map<QString, QString> references; // attribute -> reference group (predefined)
    ReferenceMethod method = ReferenceMethod::Predefined;
    double tau = 0.8; // parity: tau <= disparity <= 1/tau
    int bins = 4; // numeric attributes are binned like slices
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
    std::array<Verdict, kParityCount> parities{};

    double metric(BiasMetric m) const { return metrics[std::size_t(m)]; }
    double disparity(BiasMetric m) const { return disparities[std::size_t(m)]; }
    Verdict parity(Parity p) const { return parities[std::size_t(p)]; }
};

struct AttributeVerdict
{
    QString attribute;
    QString reference; // the predefined or majority group; per metric for min_metric
    std::array<Verdict, kParityCount> parities{};
};

// Aequitas-compatible group metrics, disparities and fairness verdicts.
struct BiasReport
{
    BiasOptions options;
    std::vector<GroupMetrics> groups; // attribute by attribute, groups in order of appearance
    std::vector<AttributeVerdict> attributes;
    std::array<Verdict, kParityCount> overall{};
    double threshold = 0.5;
    QString source;
    QString modelId;

    QJsonObject toJson() const;
    QByteArray toCsv() const; // one row per (attribute, group), Aequitas's column names
    QString toText() const;
};

// Requires: data.columns holds every attribute.
// Throws: SchemaError naming the attribute or value: a missing attribute column, an
//         attribute with one group, an unknown reference group, no reference for an
//         attribute under the predefined method, tau outside (0, 1].
// No `threshold`: data.threshold.
// `cache`, when given, must belong to `data`: its grouped columns are reused.
BiasReport computeBias(const ScoredData &data, const BiasOptions &options, std::optional<double> threshold = std::nullopt,
                       AuditCache *cache = nullptr);

} // namespace Audit
