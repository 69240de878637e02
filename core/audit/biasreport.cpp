#include "biasreport.h"

#include <algorithm>

#include <cmath>
#include <limits>

#include <QJsonArray>

#include "biassummary.h"
#include "csvtokenizer.h"
#include "groupedcolumn.h"
#include "metrics.h"
#include "schemaerror.h"
#include "slicecounts.h"

namespace Audit {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDivideByZeroDisparity = 10.0; // Aequitas's fill for a positive value over a zero reference

double disparity(double value, double reference)
{
    if (std::isnan(value) || std::isnan(reference))
        return kNaN;
    if (reference == 0)
        return value > 0 ? kDivideByZeroDisparity : kNaN;
    return value / reference;
}

// false wins; then undefined; else true.
Verdict allOf(std::initializer_list<Verdict> verdicts)
{
    bool undefined = false;
    for (const Verdict &v : verdicts) {
        if (v.has_value() && !*v)
            return false;
        undefined = undefined || !v.has_value();
    }
    return undefined ? Verdict() : Verdict(true);
}

void combine(Verdict &into, const Verdict &next, bool first)
{
    into = first ? next : allOf({into, next});
}

void rollUp(std::array<Verdict, kParityCount> &p)
{
    const auto at = [&p](Parity x) { return p[std::size_t(x)]; };
    p[std::size_t(Parity::TypeI)] = allOf({at(Parity::Fdr), at(Parity::Fpr)});
    p[std::size_t(Parity::TypeII)] = allOf({at(Parity::For), at(Parity::Fnr)});
    p[std::size_t(Parity::EqualizedOdds)] = allOf({at(Parity::Fpr), at(Parity::Tpr)});
    p[std::size_t(Parity::Unsupervised)] = allOf({at(Parity::Statistical), at(Parity::Impact)});
    p[std::size_t(Parity::Supervised)] = allOf({at(Parity::TypeI), at(Parity::TypeII)});
}

// Precedence within a group's roll-up: a failure decides; then a disparity outside the band
// without significance; then a part too small to judge; then a 0/0 part.
int severity(VerdictState s)
{
    switch (s) {
    case VerdictState::Fail:
        return 4;
    case VerdictState::NotSignificant:
        return 3;
    case VerdictState::Insufficient:
        return 2;
    case VerdictState::Undefined:
        return 1;
    case VerdictState::Pass:
        return 0;
    }
    return 0;
}

VerdictState worst(std::initializer_list<VerdictState> states)
{
    VerdictState out = VerdictState::Pass;
    for (VerdictState s : states)
        out = severity(s) > severity(out) ? s : out;
    return out;
}

void rollUpStates(std::array<VerdictState, kParityCount> &p)
{
    const auto at = [&p](Parity x) { return p[std::size_t(x)]; };
    p[std::size_t(Parity::TypeI)] = worst({at(Parity::Fdr), at(Parity::Fpr)});
    p[std::size_t(Parity::TypeII)] = worst({at(Parity::For), at(Parity::Fnr)});
    p[std::size_t(Parity::EqualizedOdds)] = worst({at(Parity::Fpr), at(Parity::Tpr)});
    p[std::size_t(Parity::Unsupervised)] = worst({at(Parity::Statistical), at(Parity::Impact)});
    p[std::size_t(Parity::Supervised)] = worst({at(Parity::TypeI), at(Parity::TypeII)});
}

// Across groups (or attributes): those with insufficient data do not decide; when every one
// is insufficient (or there is none but the reference), so is the roll-up.
VerdictState combineAcross(const std::vector<VerdictState> &states)
{
    bool any = false;
    VerdictState out = VerdictState::Pass;
    for (VerdictState s : states) {
        if (s == VerdictState::Insufficient)
            continue;
        any = true;
        out = severity(s) > severity(out) ? s : out;
    }
    return any ? out : VerdictState::Insufficient;
}

// The metrics (by index) a parity's verdict is made of: itself, or a roll-up's parts.
std::vector<std::size_t> partsOf(std::size_t parity)
{
    const auto i = [](Parity x) { return std::size_t(x); };
    switch (Parity(parity)) {
    case Parity::TypeI:
        return {i(Parity::Fdr), i(Parity::Fpr)};
    case Parity::TypeII:
        return {i(Parity::For), i(Parity::Fnr)};
    case Parity::EqualizedOdds:
        return {i(Parity::Fpr), i(Parity::Tpr)};
    case Parity::Unsupervised:
        return {i(Parity::Statistical), i(Parity::Impact)};
    case Parity::Supervised:
        return {i(Parity::Fdr), i(Parity::Fpr), i(Parity::For), i(Parity::Fnr)};
    default:
        return {parity};
    }
}

// A group compared with itself (the reference, for every metric of the parity) passes by
// construction: it says nothing about the attribute, so it takes no part in the roll-up.
bool isOwnReference(const GroupMetrics &g, std::size_t parity)
{
    for (std::size_t m : partsOf(parity)) {
        if (g.references[m] != g.value)
            return false;
    }
    return true;
}

// The rows a metric is a rate of, in a group: its denominator (the group for PPR, whose
// denominator k is shared by every group).
std::int64_t metricBase(const GroupMetrics &g, BiasMetric metric)
{
    return metric == BiasMetric::Ppr ? g.groupSize : biasMetricFormula(g, metric).denominator;
}

QString baseName(BiasMetric metric)
{
    switch (metric) {
    case BiasMetric::Ppr:
    case BiasMetric::Pprev:
        return QStringLiteral("rows");
    case BiasMetric::Precision:
    case BiasMetric::Fdr:
        return QStringLiteral("predicted positives");
    case BiasMetric::For:
    case BiasMetric::Npv:
        return QStringLiteral("predicted negatives");
    case BiasMetric::Fpr:
    case BiasMetric::Tnr:
        return QStringLiteral("label negatives");
    case BiasMetric::Fnr:
    case BiasMetric::Tpr:
        return QStringLiteral("label positives");
    }
    return {};
}

QJsonValue verdictJson(const Verdict &v)
{
    return v.has_value() ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

// A NaN disparity (0/0) reads "n/a", as a NaN metric does in slice_output.txt.
QString disparityText(double d)
{
    return std::isfinite(d) ? QString::number(d, 'f', 3) : QStringLiteral("n/a");
}

// BH over every comparison with enough data on both sides, then the verdict states and their
// roll-ups per group, attribute and overall.
void decideStates(BiasReport &report)
{
    const BiasOptions &options = report.options;
    const bool evidence = options.verdicts == VerdictMode::Evidence;
    std::vector<double> p;
    for (const GroupMetrics &g : report.groups) {
        for (std::size_t i = 0; i < kBiasMetricCount; ++i)
            p.push_back(g.notes[i].isEmpty() ? g.significance[i] : std::numeric_limits<double>::quiet_NaN());
    }
    const std::vector<double> q = Stats::benjaminiHochberg(p);
    report.tested = std::size_t(std::count_if(p.begin(), p.end(), [](double v) { return !std::isnan(v); }));
    std::size_t at = 0;
    for (GroupMetrics &g : report.groups) {
        for (std::size_t i = 0; i < kBiasMetricCount; ++i) {
            g.qValues[i] = q[at++];
            const double d = g.disparities[i];
            if (!evidence) {
                g.states[i] = verdictState(g.parities[i]);
                continue;
            }
            if (!g.insufficient.isEmpty() || !g.notes[i].isEmpty())
                g.states[i] = VerdictState::Insufficient;
            else if (!std::isfinite(d))
                g.states[i] = VerdictState::Undefined;
            else if (options.tau <= d && d <= 1 / options.tau)
                g.states[i] = VerdictState::Pass;
            else
                g.states[i] = g.qValues[i] <= options.alpha ? VerdictState::Fail : VerdictState::NotSignificant;
        }
        if (evidence)
            rollUpStates(g.states);
        else
            for (std::size_t r = kBiasMetricCount; r < kParityCount; ++r)
                g.states[r] = verdictState(g.parities[r]);
    }
    std::vector<VerdictState> perAttribute;
    for (std::size_t pi = 0; pi < kParityCount; ++pi) {
        std::vector<VerdictState> attributes;
        for (AttributeVerdict &a : report.attributes) {
            std::vector<VerdictState> groups;
            for (const GroupMetrics &g : report.groups) {
                if (g.attribute == a.attribute && !isOwnReference(g, pi))
                    groups.push_back(g.states[pi]);
            }
            a.states[pi] = evidence ? combineAcross(groups) : verdictState(a.parities[pi]);
            attributes.push_back(a.states[pi]);
        }
        report.overallStates[pi] = evidence ? combineAcross(attributes) : verdictState(report.overall[pi]);
    }
}

} // namespace

QString verdictStateText(VerdictState state)
{
    switch (state) {
    case VerdictState::Pass:
        return QStringLiteral("pass");
    case VerdictState::Fail:
        return QStringLiteral("FAIL");
    case VerdictState::NotSignificant:
        return QStringLiteral("outside band, not significant");
    case VerdictState::Insufficient:
        return QStringLiteral("insufficient data");
    case VerdictState::Undefined:
        return QStringLiteral("n/a");
    }
    return {};
}

VerdictState verdictState(const Verdict &plain)
{
    return plain.has_value() ? (*plain ? VerdictState::Pass : VerdictState::Fail) : VerdictState::Undefined;
}

QString biasMetricName(BiasMetric metric)
{
    static const char *const names[] = {"ppr", "pprev", "precision", "fdr", "for", "fpr", "fnr", "tpr", "tnr", "npv"};
    return QLatin1String(names[std::size_t(metric)]);
}

QString parityName(Parity parity)
{
    static const char *const names[] = {"Statistical Parity", "Impact Parity",
                                        "Precision Parity",   "FDR Parity",
                                        "FOR Parity",         "FPR Parity",
                                        "FNR Parity",         "TPR Parity",
                                        "TNR Parity",         "NPV Parity",
                                        "TypeI Parity",       "TypeII Parity",
                                        "Equalized Odds",     "Unsupervised Fairness",
                                        "Supervised Fairness"};
    return QLatin1String(names[std::size_t(parity)]);
}

BiasReport computeBias(const ScoredData &data, const BiasOptions &options, std::optional<double> threshold, AuditCache *cache)
{
    if (!(options.tau > 0 && options.tau <= 1))
        throw OptionError(QStringLiteral("tau"),
                          QStringLiteral("parity tolerance tau = %1: must be in (0, 1], e.g. 0.8").arg(options.tau));
    if (options.minGroupSize < 0 || options.minEvents < 0)
        throw OptionError(options.minGroupSize < 0 ? QStringLiteral("min_group_size") : QStringLiteral("min_events"),
                          QStringLiteral("minimum group size %1 / events %2: must be 0 or more")
                              .arg(options.minGroupSize)
                              .arg(options.minEvents));
    if (!(options.alpha > 0 && options.alpha <= 1))
        throw OptionError(
            QStringLiteral("alpha"),
            QStringLiteral("significance level alpha = %1: must be in (0, 1], e.g. 0.05").arg(options.alpha, 0, 'g', 10));
    if (options.attributes.isEmpty())
        throw OptionError(QStringLiteral("attributes"),
                          QStringLiteral("no attributes to audit. Fix: name the attributes to audit, or declare protected "
                                         "attributes in the schema."));
    BiasReport report;
    report.options = options;
    report.threshold = data.thresholdFor(threshold);
    report.decisionRule = data.decisionRule;
    report.source = data.source;
    report.modelId = data.modelId;

    const std::vector<std::uint8_t> outcomes = data.outcomes(report.threshold);
    std::int64_t k = 0;
    for (std::uint8_t o : outcomes)
        k += o & 1;

    AuditCache local; // a one-off report: nothing to share
    AuditCache &shared = cache ? *cache : local;
    const bool evidence = options.verdicts == VerdictMode::Evidence;
    bool firstAttribute = true;
    for (qsizetype i = 0; i < options.attributes.size(); ++i) {
        if (options.attributes.indexOf(options.attributes[i]) != i)
            throw OptionError(QStringLiteral("attributes"),
                              QStringLiteral("attribute \"%1\" is named twice").arg(options.attributes[i]));
    }
    for (const auto &[attribute, group] : options.references) {
        if (!options.attributes.contains(attribute))
            throw OptionError(QStringLiteral("reference"),
                              QStringLiteral("a reference group (%1=%2) for \"%1\", which is not an attribute being audited "
                                             "(attributes: %3)")
                                  .arg(attribute, group, options.attributes.join(QStringLiteral(", "))));
    }
    for (const QString &attribute : options.attributes) {
        const DataColumn *column = data.column(attribute);
        if (!column)
            throw SchemaError(QStringLiteral("attribute \"%1\" is not a column of %2 (columns: %3)")
                                  .arg(attribute, data.source, data.columnNames().join(QStringLiteral(", "))));
        const std::shared_ptr<const AuditCache::RankedColumn> ranked = shared.rankedColumn(data, *column, options.bins);
        const GroupedColumn &grouped = *ranked->grouped;
        std::vector<std::array<std::int64_t, 4>> counts(std::size_t(grouped.groups.size()), {0, 0, 0, 0});
        for (const OccupiedCell &cell : countCells(data, {ranked.get()}, report.threshold, shared))
            counts[cell.groups[0]] = cell.counts;

        std::vector<GroupMetrics> groups;
        for (qsizetype g = 0; g < grouped.groups.size(); ++g) {
            const auto &c = counts[std::size_t(g)];
            GroupMetrics m;
            m.attribute = attribute;
            m.value = grouped.groups[g];
            m.tn = c[0];
            m.fp = c[1];
            m.fn = c[2];
            m.tp = c[3];
            m.groupSize = m.tp + m.fp + m.tn + m.fn;
            if (m.groupSize == 0)
                continue;
            m.labelPos = m.tp + m.fn;
            m.labelNeg = m.fp + m.tn;
            m.pp = m.tp + m.fp;
            m.pn = m.tn + m.fn;
            m.k = k;
            m.accuracy = ratioOrNaN(m.tp + m.tn, m.groupSize);
            m.prev = ratioOrNaN(m.labelPos, m.groupSize);
            m.metrics[std::size_t(BiasMetric::Ppr)] = ratioOrNaN(m.pp, k);
            m.metrics[std::size_t(BiasMetric::Pprev)] = ratioOrNaN(m.pp, m.groupSize);
            m.metrics[std::size_t(BiasMetric::Precision)] = ratioOrNaN(m.tp, m.pp);
            m.metrics[std::size_t(BiasMetric::Fdr)] = ratioOrNaN(m.fp, m.pp);
            m.metrics[std::size_t(BiasMetric::For)] = ratioOrNaN(m.fn, m.pn);
            m.metrics[std::size_t(BiasMetric::Fpr)] = ratioOrNaN(m.fp, m.labelNeg);
            m.metrics[std::size_t(BiasMetric::Fnr)] = ratioOrNaN(m.fn, m.labelPos);
            m.metrics[std::size_t(BiasMetric::Tpr)] = ratioOrNaN(m.tp, m.labelPos);
            m.metrics[std::size_t(BiasMetric::Tnr)] = ratioOrNaN(m.tn, m.labelNeg);
            m.metrics[std::size_t(BiasMetric::Npv)] = ratioOrNaN(m.tn, m.pn);
            groups.push_back(m);
        }
        if (groups.size() < 2)
            throw SchemaError(QStringLiteral("attribute \"%1\" has %2 group(s) in %3; disparities need at least two")
                                  .arg(attribute)
                                  .arg(groups.size())
                                  .arg(data.source));

        // The reference group, per metric (the same for every metric unless min_metric).
        std::array<std::size_t, kBiasMetricCount> reference{};
        AttributeVerdict verdict;
        verdict.attribute = attribute;
        if (options.method == ReferenceMethod::Predefined) {
            const auto found = options.references.find(attribute);
            if (found == options.references.end())
                throw OptionError(QStringLiteral("reference"),
                                  QStringLiteral("no reference group for attribute \"%1\". Fix: give one (%1=VALUE), "
                                                 "declare it in the schema, or choose the majority reference method.")
                                      .arg(attribute));
            std::size_t index = groups.size();
            QStringList known;
            for (std::size_t g = 0; g < groups.size(); ++g) {
                known << groups[g].value;
                if (groups[g].value == found->second)
                    index = g;
            }
            if (index == groups.size())
                throw SchemaError(QStringLiteral("reference group \"%1\" does not exist for attribute \"%2\" (groups: %3)")
                                      .arg(found->second, attribute, known.join(QStringLiteral(", "))));
            if (evidence && groups[index].groupSize < options.minGroupSize) {
                const GroupMetrics &largest = *std::max_element(
                    groups.begin(), groups.end(),
                    [](const GroupMetrics &a, const GroupMetrics &b) { return a.groupSize < b.groupSize; });
                const QString another = largest.groupSize >= options.minGroupSize
                    ? QStringLiteral("choose another reference, e.g. %1=%2 (%3 rows), ")
                          .arg(attribute, largest.value)
                          .arg(largest.groupSize)
                    : QStringLiteral("no group of \"%1\" has %2 rows, so ").arg(attribute).arg(options.minGroupSize);
                throw OptionError(QStringLiteral("reference"),
                                  QStringLiteral("reference group \"%1\" of \"%2\" has %3 rows, fewer than the %4 a reference "
                                                 "needs (min_group_size), so no disparity against it could be judged. Fix: "
                                                 "%5lower the minimum group size, or ask for Aequitas's plain verdicts.")
                                      .arg(groups[index].value, attribute)
                                      .arg(groups[index].groupSize)
                                      .arg(options.minGroupSize)
                                      .arg(another));
            }
            reference.fill(index);
            verdict.reference = groups[index].value;
        } else if (options.method == ReferenceMethod::Majority) {
            std::size_t index = 0;
            for (std::size_t g = 1; g < groups.size(); ++g) {
                if (groups[g].groupSize > groups[index].groupSize)
                    index = g;
            }
            if (evidence && groups[index].groupSize < options.minGroupSize)
                throw OptionError(QStringLiteral("min_group_size"),
                                  QStringLiteral("every group of \"%1\" has fewer than %2 rows (the largest, \"%3\", has %4): "
                                                 "no reference can be judged. Fix: lower the minimum group size or ask for "
                                                 "Aequitas's plain verdicts.")
                                      .arg(attribute)
                                      .arg(options.minGroupSize)
                                      .arg(groups[index].value)
                                      .arg(groups[index].groupSize));
            reference.fill(index);
            verdict.reference = groups[index].value;
        } else {
            for (BiasMetric metric : kBiasMetrics) {
                std::size_t index = 0;
                double best = std::numeric_limits<double>::infinity();
                // Evidence verdicts: only a group large enough to judge can be the reference;
                // when none is, Aequitas's choice stands and every verdict says so.
                bool anyEligible = false;
                for (const GroupMetrics &g : groups)
                    anyEligible = anyEligible
                        || (g.groupSize >= options.minGroupSize && metricBase(g, metric) >= options.minEvents);
                for (std::size_t g = 0; g < groups.size(); ++g) {
                    const double v = groups[g].metric(metric);
                    if (evidence && anyEligible
                        && (groups[g].groupSize < options.minGroupSize || metricBase(groups[g], metric) < options.minEvents))
                        continue;
                    if (std::isfinite(v) && v < best) {
                        best = v;
                        index = g;
                    }
                }
                reference[std::size_t(metric)] = index;
            }
            verdict.reference = QStringLiteral("(per metric)");
        }

        bool firstGroup = true;
        for (GroupMetrics &m : groups) {
            for (BiasMetric metric : kBiasMetrics) {
                const std::size_t i = std::size_t(metric);
                const GroupMetrics &ref = groups[reference[i]];
                m.disparities[i] = disparity(m.metrics[i], ref.metrics[i]);
                m.references[i] = ref.value;
                const double d = m.disparities[i];
                // Parity enum's first ten entries follow BiasMetric's order.
                m.parities[i] = std::isfinite(d) ? Verdict(options.tau <= d && d <= 1 / options.tau) : Verdict();
                m.significance[i] = std::numeric_limits<double>::quiet_NaN();
                m.qValues[i] = std::numeric_limits<double>::quiet_NaN();
                m.disparityCi[i] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
                if (&ref == &m)
                    continue; // the reference itself: nothing to test
                Stats::TestResult test;
                if (metric == BiasMetric::Ppr) { // pp / k over pp_ref / k: two counts
                    m.disparityCi[i] = Stats::countRatioInterval(m.pp, ref.pp, options.z);
                    test = Stats::compareCounts(m.pp, ref.pp);
                } else {
                    const MetricFormula a = biasMetricFormula(m, metric);
                    const MetricFormula b = biasMetricFormula(ref, metric);
                    m.disparityCi[i] = Stats::ratioInterval(a.numerator, a.denominator, b.numerator, b.denominator, options.z);
                    test = Stats::compareProportions(a.numerator, a.denominator, b.numerator, b.denominator);
                }
                m.significance[i] = test.p;
                m.tests[i] = test.test;
                if (m.groupSize < options.minGroupSize)
                    m.notes[i] = QStringLiteral("%1 rows (minimum %2)").arg(m.groupSize).arg(options.minGroupSize);
                else if (metricBase(m, metric) < options.minEvents)
                    m.notes[i] = QStringLiteral("%1 %2 (minimum %3)")
                                     .arg(metricBase(m, metric))
                                     .arg(baseName(metric))
                                     .arg(options.minEvents);
                else if (ref.groupSize < options.minGroupSize)
                    m.notes[i] = QStringLiteral("reference %1 has %2 rows (minimum %3)")
                                     .arg(ref.value)
                                     .arg(ref.groupSize)
                                     .arg(options.minGroupSize);
                else if (metricBase(ref, metric) < options.minEvents)
                    m.notes[i] = QStringLiteral("reference %1 has %2 %3 (minimum %4)")
                                     .arg(ref.value)
                                     .arg(metricBase(ref, metric))
                                     .arg(baseName(metric))
                                     .arg(options.minEvents);
                if (!m.notes[i].isEmpty()) { // too few rows to test: no p, rather than one nobody should read
                    m.significance[i] = std::numeric_limits<double>::quiet_NaN();
                    m.tests[i] = Stats::Test::None;
                }
            }
            if (m.groupSize < options.minGroupSize)
                m.insufficient = QStringLiteral("%1 rows (minimum %2)").arg(m.groupSize).arg(options.minGroupSize);
            rollUp(m.parities);
            for (std::size_t p = 0; p < kParityCount; ++p)
                combine(verdict.parities[p], m.parities[p], firstGroup);
            firstGroup = false;
            report.groups.push_back(m);
        }
        for (std::size_t p = 0; p < kParityCount; ++p)
            combine(report.overall[p], verdict.parities[p], firstAttribute);
        firstAttribute = false;
        report.attributes.push_back(verdict);
    }
    decideStates(report);
    return report;
}

QJsonObject BiasReport::toJson() const
{
    QJsonArray groupRows;
    for (const GroupMetrics &m : groups) {
        QJsonObject row{
            {QStringLiteral("attribute_name"), m.attribute},
            {QStringLiteral("attribute_value"), m.value},
            {QStringLiteral("group_size"), qint64(m.groupSize)},
            {QStringLiteral("group_label_pos"), qint64(m.labelPos)},
            {QStringLiteral("group_label_neg"), qint64(m.labelNeg)},
            {QStringLiteral("pp"), qint64(m.pp)},
            {QStringLiteral("pn"), qint64(m.pn)},
            {QStringLiteral("tp"), qint64(m.tp)},
            {QStringLiteral("fp"), qint64(m.fp)},
            {QStringLiteral("tn"), qint64(m.tn)},
            {QStringLiteral("fn"), qint64(m.fn)},
            {QStringLiteral("k"), qint64(m.k)},
            {QStringLiteral("accuracy"), reportJsonNumber(m.accuracy)},
            {QStringLiteral("prev"), reportJsonNumber(m.prev)},
        };
        for (BiasMetric metric : kBiasMetrics) {
            const QString name = biasMetricName(metric);
            row.insert(name, reportJsonNumber(m.metric(metric)));
            row.insert(name + QStringLiteral("_disparity"), reportJsonNumber(m.disparity(metric)));
            row.insert(name + QStringLiteral("_ref_group_value"), m.references[std::size_t(metric)]);
            const std::size_t i = std::size_t(metric);
            row.insert(name + QStringLiteral("_disparity_low"), reportJsonNumber(m.disparityCi[i].low));
            row.insert(name + QStringLiteral("_disparity_high"), reportJsonNumber(m.disparityCi[i].high));
            row.insert(name + QStringLiteral("_significance"), reportJsonP(m.significance[i]));
            row.insert(name + QStringLiteral("_q"), reportJsonP(m.qValues[i]));
            row.insert(name + QStringLiteral("_test"), QString::fromLatin1(Stats::testName(m.tests[i])));
            if (!m.notes[i].isEmpty())
                row.insert(name + QStringLiteral("_note"), m.notes[i]);
        }
        QJsonObject parities;
        QJsonObject states;
        for (std::size_t p = 0; p < kParityCount; ++p) {
            parities.insert(parityName(Parity(p)), verdictJson(m.parities[p]));
            states.insert(parityName(Parity(p)), enumName(m.states[p]));
        }
        row.insert(QStringLiteral("parity"), parities);
        row.insert(QStringLiteral("verdict"), states);
        if (!m.insufficient.isEmpty())
            row.insert(QStringLiteral("insufficient"), m.insufficient);
        groupRows.append(row);
    }
    QJsonArray attributeRows;
    for (const AttributeVerdict &a : attributes) {
        QJsonObject parities;
        QJsonObject states;
        for (std::size_t p = 0; p < kParityCount; ++p) {
            parities.insert(parityName(Parity(p)), verdictJson(a.parities[p]));
            states.insert(parityName(Parity(p)), enumName(a.states[p]));
        }
        attributeRows.append(QJsonObject{{QStringLiteral("attribute_name"), a.attribute},
                                         {QStringLiteral("reference"), a.reference},
                                         {QStringLiteral("parity"), parities},
                                         {QStringLiteral("verdict"), states}});
    }
    QJsonObject overallJson;
    QJsonObject overallStatesJson;
    for (std::size_t p = 0; p < kParityCount; ++p) {
        overallJson.insert(parityName(Parity(p)), verdictJson(overall[p]));
        overallStatesJson.insert(parityName(Parity(p)), enumName(overallStates[p]));
    }
    QJsonObject refs;
    for (const auto &[attribute, value] : options.references)
        refs.insert(attribute, value);
    QJsonObject json{
        {QStringLiteral("source"), source},
        {QStringLiteral("model"), modelId},
        {QStringLiteral("threshold"), threshold},
        {QStringLiteral("tau"), options.tau},
        {QStringLiteral("ref_method"), enumName(options.method)},
        {QStringLiteral("references"), refs},
        {QStringLiteral("groups"), groupRows},
        {QStringLiteral("attributes"), attributeRows},
        {QStringLiteral("overall"), overallJson},
        {QStringLiteral("overall_verdict"), overallStatesJson},
        {QStringLiteral("verdicts"), enumName(options.verdicts)},
        {QStringLiteral("min_group_size"), options.minGroupSize},
        {QStringLiteral("min_events"), options.minEvents},
        {QStringLiteral("alpha"), options.alpha},
        {QStringLiteral("confidence_z"), options.z},
        {QStringLiteral("tested"), qint64(tested)},
    };
    if (!decisionRule.isEmpty()) // only then: a report of one threshold keeps its bytes
        json.insert(QStringLiteral("group_thresholds"), decisionRule);
    return json;
}

QByteArray BiasReport::toCsv() const
{
    QStringList header = {QStringLiteral("attribute_name"),
                          QStringLiteral("attribute_value"),
                          QStringLiteral("group_size"),
                          QStringLiteral("group_label_pos"),
                          QStringLiteral("group_label_neg"),
                          QStringLiteral("pp"),
                          QStringLiteral("pn"),
                          QStringLiteral("tp"),
                          QStringLiteral("fp"),
                          QStringLiteral("tn"),
                          QStringLiteral("fn"),
                          QStringLiteral("k"),
                          QStringLiteral("accuracy"),
                          QStringLiteral("tpr"),
                          QStringLiteral("tnr"),
                          QStringLiteral("fpr"),
                          QStringLiteral("fnr"),
                          QStringLiteral("precision"),
                          QStringLiteral("fdr"),
                          QStringLiteral("npv"),
                          QStringLiteral("for"),
                          QStringLiteral("ppr"),
                          QStringLiteral("pprev"),
                          QStringLiteral("prev")};
    for (BiasMetric metric : kBiasMetrics)
        header << biasMetricName(metric) + QStringLiteral("_disparity");
    for (BiasMetric metric : kBiasMetrics)
        header << biasMetricName(metric) + QStringLiteral("_ref_group_value");
    for (std::size_t p = 0; p < kParityCount; ++p)
        header << parityName(Parity(p));
    // After Aequitas's columns, unchanged: how sure each disparity is, and the verdicts.
    for (BiasMetric metric : kBiasMetrics) {
        const QString name = biasMetricName(metric);
        header << name + QStringLiteral("_disparity_low") << name + QStringLiteral("_disparity_high")
               << name + QStringLiteral("_significance") << name + QStringLiteral("_q");
    }
    for (std::size_t p = 0; p < kParityCount; ++p)
        header << parityName(Parity(p)) + QStringLiteral(" verdict");
    header << QStringLiteral("insufficient");
    QStringList lines = {header.join(QLatin1Char(','))};
    for (const GroupMetrics &m : groups) {
        QStringList row = {csvQuoted(m.attribute),      csvQuoted(m.value),          QString::number(m.groupSize),
                           QString::number(m.labelPos), QString::number(m.labelNeg), QString::number(m.pp),
                           QString::number(m.pn),       QString::number(m.tp),       QString::number(m.fp),
                           QString::number(m.tn),       QString::number(m.fn),       QString::number(m.k),
                           csvNumber(m.accuracy)};
        for (BiasMetric metric : {BiasMetric::Tpr, BiasMetric::Tnr, BiasMetric::Fpr, BiasMetric::Fnr, BiasMetric::Precision,
                                  BiasMetric::Fdr, BiasMetric::Npv, BiasMetric::For, BiasMetric::Ppr, BiasMetric::Pprev})
            row << csvNumber(m.metric(metric));
        row << csvNumber(m.prev);
        for (BiasMetric metric : kBiasMetrics)
            row << csvNumber(m.disparity(metric));
        for (BiasMetric metric : kBiasMetrics)
            row << csvQuoted(m.references[std::size_t(metric)]);
        for (std::size_t p = 0; p < kParityCount; ++p)
            row << (m.parities[p].has_value() ? (*m.parities[p] ? QStringLiteral("True") : QStringLiteral("False")) : QString());
        for (std::size_t i = 0; i < kBiasMetricCount; ++i)
            row << csvNumber(m.disparityCi[i].low) << csvNumber(m.disparityCi[i].high) << csvP(m.significance[i])
                << csvP(m.qValues[i]);
        for (std::size_t p = 0; p < kParityCount; ++p)
            row << enumName(m.states[p]);
        row << csvQuoted(m.insufficient);
        lines << row.join(QLatin1Char(','));
    }
    return (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
}

QString BiasReport::toText() const
{
    const auto pText = [](double p) { return pValueText(p); };
    QStringList lines;
    const QString rule = options.verdicts == VerdictMode::Evidence
        ? QStringLiteral("evidence verdicts: outside the band fails at BH q <= %1; groups under %2 rows or metrics under %3 "
                         "rows to rate are insufficient data")
              .arg(options.alpha)
              .arg(options.minGroupSize)
              .arg(options.minEvents)
        : QStringLiteral("Aequitas's plain verdicts: outside the band fails; p and q for information");
    lines << QStringLiteral("Bias audit (%1, tau %2, reference %3, %4)")
                 .arg(decisionRule.isEmpty() ? QStringLiteral("threshold %1").arg(threshold, 0, 'f', 4)
                                             : QStringLiteral("thresholds ") + decisionRule)
                 .arg(options.tau)
                 .arg(enumName(options.method), rule);
    for (const AttributeVerdict &a : attributes) {
        lines << QString() << QStringLiteral("%1 (reference %2)").arg(a.attribute, a.reference);
        for (const GroupMetrics &m : groups) {
            if (m.attribute != a.attribute)
                continue;
            QStringList failed;
            QStringList notSignificant;
            QStringList insufficient;
            for (std::size_t p = 0; p < kBiasMetricCount; ++p) {
                if (m.states[p] == VerdictState::Fail)
                    failed << parityName(Parity(p));
                else if (m.states[p] == VerdictState::NotSignificant)
                    notSignificant << parityName(Parity(p));
                else if (m.states[p] == VerdictState::Insufficient && m.insufficient.isEmpty())
                    insufficient << QStringLiteral("%1 (%2)").arg(parityName(Parity(p)), m.notes[p]);
            }
            const auto disparityWithCi = [&](BiasMetric metric) {
                const std::size_t i = std::size_t(metric);
                QString t = disparityText(m.disparities[i]);
                if (std::isfinite(m.disparityCi[i].low))
                    t += QStringLiteral(" [%1, %2]")
                             .arg(disparityText(m.disparityCi[i].low), disparityText(m.disparityCi[i].high));
                if (std::isfinite(m.significance[i]))
                    t += QStringLiteral(" p=%1 q=%2").arg(pText(m.significance[i]), pText(m.qValues[i]));
                return t;
            };
            QString line = QStringLiteral("  %1: n=%2, ppr disparity %3, fpr disparity %4, fnr disparity %5")
                               .arg(m.value)
                               .arg(m.groupSize)
                               .arg(disparityWithCi(BiasMetric::Ppr), disparityWithCi(BiasMetric::Fpr),
                                    disparityWithCi(BiasMetric::Fnr));
            if (!m.insufficient.isEmpty() && options.verdicts == VerdictMode::Evidence)
                line += QStringLiteral("; insufficient data (%1)").arg(m.insufficient);
            if (!failed.isEmpty())
                line += QStringLiteral("; fails ") + failed.join(QStringLiteral(", "));
            if (!notSignificant.isEmpty())
                line += QStringLiteral("; outside band, not significant: ") + notSignificant.join(QStringLiteral(", "));
            if (!insufficient.isEmpty())
                line += QStringLiteral("; insufficient data: ") + insufficient.join(QStringLiteral(", "));
            lines << line;
        }
        QStringList verdicts;
        for (std::size_t p = 0; p < kParityCount; ++p)
            verdicts << parityName(Parity(p)) + QStringLiteral(": ") + verdictStateText(a.states[p]);
        lines << QStringLiteral("  verdicts: ") + verdicts.join(QStringLiteral("; "));
    }
    QStringList verdicts;
    for (std::size_t p = 0; p < kParityCount; ++p)
        verdicts << parityName(Parity(p)) + QStringLiteral(": ") + verdictStateText(overallStates[p]);
    lines << QString() << QStringLiteral("Overall: ") + verdicts.join(QStringLiteral("; "));
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace Audit
