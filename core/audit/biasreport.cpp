#include "biasreport.h"

#include <cmath>
#include <limits>

#include <QJsonArray>

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

QJsonValue verdictJson(const Verdict &v)
{
    return v.has_value() ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

// A NaN disparity (0/0) reads "n/a", as a NaN metric does in slice_output.txt.
QString disparityText(double d)
{
    return std::isfinite(d) ? QString::number(d, 'f', 3) : QStringLiteral("n/a");
}

QString verdictText(const Verdict &v)
{
    return v.has_value() ? (*v ? QStringLiteral("pass") : QStringLiteral("FAIL")) : QStringLiteral("n/a");
}

} // namespace

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
    if (options.attributes.isEmpty())
        throw OptionError(QStringLiteral("attributes"),
                          QStringLiteral("no attributes to audit. Fix: name the attributes to audit, or declare protected "
                                         "attributes in the schema."));
    BiasReport report;
    report.options = options;
    report.threshold = data.thresholdFor(threshold);
    report.source = data.source;
    report.modelId = data.modelId;

    const std::vector<std::uint8_t> outcomes = data.outcomes(report.threshold);
    std::int64_t k = 0;
    for (std::uint8_t o : outcomes)
        k += o & 1;

    AuditCache local; // a one-off report: nothing to share
    AuditCache &shared = cache ? *cache : local;
    bool firstAttribute = true;
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
            reference.fill(index);
            verdict.reference = groups[index].value;
        } else if (options.method == ReferenceMethod::Majority) {
            std::size_t index = 0;
            for (std::size_t g = 1; g < groups.size(); ++g) {
                if (groups[g].groupSize > groups[index].groupSize)
                    index = g;
            }
            reference.fill(index);
            verdict.reference = groups[index].value;
        } else {
            for (BiasMetric metric : kBiasMetrics) {
                std::size_t index = 0;
                double best = std::numeric_limits<double>::infinity();
                for (std::size_t g = 0; g < groups.size(); ++g) {
                    const double v = groups[g].metric(metric);
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
            }
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
        }
        QJsonObject parities;
        for (std::size_t p = 0; p < kParityCount; ++p)
            parities.insert(parityName(Parity(p)), verdictJson(m.parities[p]));
        row.insert(QStringLiteral("parity"), parities);
        groupRows.append(row);
    }
    QJsonArray attributeRows;
    for (const AttributeVerdict &a : attributes) {
        QJsonObject parities;
        for (std::size_t p = 0; p < kParityCount; ++p)
            parities.insert(parityName(Parity(p)), verdictJson(a.parities[p]));
        attributeRows.append(QJsonObject{{QStringLiteral("attribute_name"), a.attribute},
                                         {QStringLiteral("reference"), a.reference},
                                         {QStringLiteral("parity"), parities}});
    }
    QJsonObject overallJson;
    for (std::size_t p = 0; p < kParityCount; ++p)
        overallJson.insert(parityName(Parity(p)), verdictJson(overall[p]));
    QJsonObject refs;
    for (const auto &[attribute, value] : options.references)
        refs.insert(attribute, value);
    return QJsonObject{
        {QStringLiteral("source"), source},
        {QStringLiteral("model"), modelId},
        {QStringLiteral("threshold"), threshold},
        {QStringLiteral("tau"), options.tau},
        {QStringLiteral("ref_method"), enumName(options.method)},
        {QStringLiteral("references"), refs},
        {QStringLiteral("groups"), groupRows},
        {QStringLiteral("attributes"), attributeRows},
        {QStringLiteral("overall"), overallJson},
    };
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
        lines << row.join(QLatin1Char(','));
    }
    return (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
}

QString BiasReport::toText() const
{
    QStringList lines;
    lines << QStringLiteral("Bias audit (threshold %1, tau %2, reference %3)")
                 .arg(threshold, 0, 'f', 4)
                 .arg(options.tau)
                 .arg(enumName(options.method));
    for (const AttributeVerdict &a : attributes) {
        lines << QString() << QStringLiteral("%1 (reference %2)").arg(a.attribute, a.reference);
        for (const GroupMetrics &m : groups) {
            if (m.attribute != a.attribute)
                continue;
            QStringList failed;
            for (std::size_t p = 0; p < 10; ++p) {
                if (m.parities[p].has_value() && !*m.parities[p])
                    failed << parityName(Parity(p));
            }
            lines << QStringLiteral("  %1: n=%2, ppr disparity %3, fpr disparity %4, fnr disparity %5%6")
                         .arg(m.value)
                         .arg(m.groupSize)
                         .arg(disparityText(m.disparity(BiasMetric::Ppr)), disparityText(m.disparity(BiasMetric::Fpr)),
                              disparityText(m.disparity(BiasMetric::Fnr)),
                              failed.isEmpty() ? QString() : QStringLiteral("; fails ") + failed.join(QStringLiteral(", ")));
        }
        QStringList verdicts;
        for (std::size_t p = 0; p < kParityCount; ++p)
            verdicts << parityName(Parity(p)) + QStringLiteral(": ") + verdictText(a.parities[p]);
        lines << QStringLiteral("  verdicts: ") + verdicts.join(QStringLiteral("; "));
    }
    QStringList verdicts;
    for (std::size_t p = 0; p < kParityCount; ++p)
        verdicts << parityName(Parity(p)) + QStringLiteral(": ") + verdictText(overall[p]);
    lines << QString() << QStringLiteral("Overall: ") + verdicts.join(QStringLiteral("; "));
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace Audit
