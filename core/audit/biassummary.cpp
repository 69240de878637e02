#include "biassummary.h"

#include "metrics.h"
#include <QHash>

#include <cmath>

#include <QLocale>

namespace Audit {

namespace {

struct MetricText
{
    const char *label; // "FPR"
    const char *parity; // short parity name: "FPR"
    const char *phrase; // "false-positive rate"
    const char *numerator; // "fp"
    const char *denominator; // "(fp + tn)"
};

const MetricText &metricText(BiasMetric metric)
{
    static const MetricText texts[] = {
        {"PPR", "Statistical", "share of all positive predictions", "pp", "k"},
        {"PPrev", "Impact", "rate of positive predictions", "pp", "group size"},
        {"Precision", "Precision", "precision", "tp", "(tp + fp)"},
        {"FDR", "FDR", "false-discovery rate", "fp", "(tp + fp)"},
        {"FOR", "FOR", "false-omission rate", "fn", "(fn + tn)"},
        {"FPR", "FPR", "false-positive rate", "fp", "(fp + tn)"},
        {"FNR", "FNR", "false-negative rate", "fn", "(fn + tp)"},
        {"TPR", "TPR", "true-positive rate", "tp", "(tp + fn)"},
        {"TNR", "TNR", "true-negative rate", "tn", "(tn + fp)"},
        {"NPV", "NPV", "negative predictive value", "tn", "(tn + fn)"},
    };
    return texts[std::size_t(metric)];
}

QString count(std::int64_t n)
{
    static const QLocale english(QLocale::English, QLocale::UnitedStates);
    return english.toString(qlonglong(n));
}

QString number(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("n/a");
}

QString pNumber(double p)
{
    return pValueText(p);
}

// "95% CI 0.30–0.63, q = 1.1e-05"
QString evidence(const ParityFinding &f)
{
    QStringList parts;
    if (std::isfinite(f.interval.low))
        parts << QStringLiteral("95% CI %1–%2").arg(number(f.interval.low), number(f.interval.high));
    // "q = 0.0300", or "q < 1e-300" for an underflowed tail.
    const auto stated = [](const char *name, double v) {
        const QString t = pNumber(v);
        return t.startsWith(QLatin1Char('<')) ? QStringLiteral("%1 < %2").arg(QLatin1String(name), t.mid(1))
                                              : QStringLiteral("%1 = %2").arg(QLatin1String(name), t);
    };
    if (std::isfinite(f.q))
        parts << stated("q", f.q);
    else if (std::isfinite(f.p))
        parts << stated("p", f.p);
    return parts.join(QStringLiteral(", "));
}

// The sentence for one failing parity, or (`failed` false) one outside the band but not significant.
QString failureSentence(const QString &group, const ParityFinding &f, bool first, const QString &band, bool failed = true,
                        double alpha = 0)
{
    const MetricText &t = metricText(f.metric);
    QString s;
    if (f.metric == BiasMetric::Ppr)
        s = QStringLiteral("%1 receives %2× as large a share of the positive predictions as %3 (PPR %4 vs %5)")
                .arg(first ? group : QStringLiteral("It"), number(f.disparity), f.reference, number(f.value),
                     number(f.referenceValue));
    else if (f.metric == BiasMetric::Pprev)
        s = QStringLiteral("%1 predicted positive %2× as often as %3 (PPrev %4 vs %5)")
                .arg(first ? group + QStringLiteral(" is") : QStringLiteral("It is"), number(f.disparity), f.reference,
                     number(f.value), number(f.referenceValue));
    else
        s = QStringLiteral("%1 %2 is %3× %4's (%5 vs %6)")
                .arg(first ? group + QStringLiteral("'s") : QStringLiteral("Its"), QLatin1String(t.phrase), number(f.disparity),
                     f.reference, number(f.value), number(f.referenceValue));
    if (f.referenceValue == 0)
        s += QStringLiteral(", the reference's being 0");
    const QString how = evidence(f);
    if (!how.isEmpty())
        s += QStringLiteral("; ") + how;
    s += failed ? QStringLiteral(" — %1 fails").arg(parityName(f.parity))
                : QStringLiteral(" — %1 is outside the band, but not significantly").arg(parityName(f.parity));
    QStringList notes;
    if (first)
        notes << QStringLiteral("parity needs %1").arg(band);
    // Aequitas's plain verdicts fail whatever the evidence: say when it is weak.
    if (failed && alpha > 0 && !(f.q <= alpha))
        notes << (std::isfinite(f.q) ? QStringLiteral("Aequitas's plain verdict: the difference is not significant")
                                     : QStringLiteral("Aequitas's plain verdict: too few rows to test"));
    if (!notes.isEmpty())
        s += QStringLiteral(" (%1)").arg(notes.join(QStringLiteral("; ")));
    return s + QLatin1Char('.');
}

} // namespace

QString biasMetricLabel(BiasMetric metric)
{
    return QLatin1String(metricText(metric).label);
}

QString biasMetricPhrase(BiasMetric metric)
{
    return QLatin1String(metricText(metric).phrase);
}

MetricFormula biasMetricFormula(const GroupMetrics &g, BiasMetric metric)
{
    MetricFormula f;
    switch (metric) {
    case BiasMetric::Ppr:
        f.numerator = g.pp;
        f.denominator = g.k;
        break;
    case BiasMetric::Pprev:
        f.numerator = g.pp;
        f.denominator = g.groupSize;
        break;
    case BiasMetric::Precision:
        f.numerator = g.tp;
        f.denominator = g.tp + g.fp;
        break;
    case BiasMetric::Fdr:
        f.numerator = g.fp;
        f.denominator = g.tp + g.fp;
        break;
    case BiasMetric::For:
        f.numerator = g.fn;
        f.denominator = g.fn + g.tn;
        break;
    case BiasMetric::Fpr:
        f.numerator = g.fp;
        f.denominator = g.fp + g.tn;
        break;
    case BiasMetric::Fnr:
        f.numerator = g.fn;
        f.denominator = g.fn + g.tp;
        break;
    case BiasMetric::Tpr:
        f.numerator = g.tp;
        f.denominator = g.tp + g.fn;
        break;
    case BiasMetric::Tnr:
        f.numerator = g.tn;
        f.denominator = g.tn + g.fp;
        break;
    case BiasMetric::Npv:
        f.numerator = g.tn;
        f.denominator = g.tn + g.fn;
        break;
    }
    const MetricText &t = metricText(metric);
    f.definition = QStringLiteral("%1 / %2").arg(QLatin1String(t.numerator), QLatin1String(t.denominator));
    f.text
        = QStringLiteral("%1 = %2 = %3 / %4").arg(QLatin1String(t.label), f.definition, count(f.numerator), count(f.denominator));
    return f;
}

std::vector<AttributeSummary> biasSummary(const BiasReport &report)
{
    const double tau = report.options.tau;
    const QString band = QStringLiteral("%1–%2").arg(tau, 0, 'f', 2).arg(1 / tau, 0, 'f', 2);
    std::vector<AttributeSummary> out;
    // Each group by attribute and value: looking references up by scanning made 20,000 groups
    // take 4e9 steps.
    QHash<std::pair<QString, QString>, const GroupMetrics *> byName;
    for (const GroupMetrics &g : report.groups)
        byName.insert({g.attribute, g.value}, &g);
    for (const AttributeVerdict &a : report.attributes) {
        AttributeSummary s;
        s.attribute = a.attribute;
        s.reference = a.reference;
        s.tau = tau;
        const bool perMetric = report.options.method == ReferenceMethod::MinMetric;
        QStringList sentences;
        for (const GroupMetrics &g : report.groups) {
            if (g.attribute != a.attribute || (!perMetric && g.value == a.reference))
                continue;
            GroupSummary gs;
            gs.group = g.value;
            for (BiasMetric metric : kBiasMetrics) {
                const std::size_t i = std::size_t(metric);
                ParityFinding f;
                f.metric = metric;
                f.parity = Parity(i); // Parity's first ten entries follow BiasMetric's order
                f.reference = g.references[i];
                f.value = g.metrics[i];
                const GroupMetrics *ref = byName.value({g.attribute, f.reference}, nullptr);
                f.referenceValue = ref ? ref->metrics[i] : std::nan("");
                f.disparity = g.disparities[i];
                f.verdict = g.parities[i];
                f.state = g.states[i];
                f.interval = g.disparityCi[i];
                f.p = g.significance[i];
                f.q = g.qValues[i];
                f.note = g.notes[i];
                if (perMetric && f.reference == g.value)
                    continue; // the reference of this metric: parity with itself
                gs.findings.push_back(f);
                const QString name = QLatin1String(metricText(metric).parity);
                switch (f.state) {
                case VerdictState::Undefined:
                    gs.undefined << name;
                    break;
                case VerdictState::Pass:
                    gs.passed << name;
                    if (std::isfinite(f.interval.low) && (f.interval.low < tau || f.interval.high > 1 / tau))
                        gs.passedUnsure
                            << QStringLiteral("%1 (%2–%3)").arg(name, number(f.interval.low), number(f.interval.high));
                    break;
                case VerdictState::Fail:
                    gs.failed.push_back(f);
                    break;
                case VerdictState::NotSignificant:
                    gs.notSignificant.push_back(f);
                    break;
                case VerdictState::Insufficient:
                    if (g.insufficient.isEmpty())
                        gs.insufficient << QStringLiteral("%1 (%2)").arg(name, f.note);
                    break;
                }
            }
            if (report.options.verdicts == VerdictMode::Evidence)
                gs.groupInsufficient = g.insufficient;
            QStringList text;
            for (const ParityFinding &f : gs.notSignificant)
                gs.notSignificantSentences << failureSentence(gs.group, f, true, band, false);
            if (!gs.groupInsufficient.isEmpty())
                gs.insufficientSentence
                    = QStringLiteral("%1: insufficient data (%2) — no verdict.").arg(gs.group, gs.groupInsufficient);
            else if (!gs.insufficient.isEmpty())
                gs.insufficientSentence
                    = QStringLiteral("%1: insufficient data for %2.").arg(gs.group, gs.insufficient.join(QStringLiteral(", ")));
            if (!gs.groupInsufficient.isEmpty()) {
                gs.text = gs.insufficientSentence;
                sentences << gs.text;
                s.groups.push_back(gs);
                continue;
            }
            const double plainAlpha = report.options.verdicts == VerdictMode::Aequitas ? report.options.alpha : 0;
            for (std::size_t i = 0; i < gs.failed.size(); ++i) {
                text << failureSentence(gs.group, gs.failed[i], i == 0, band, true, plainAlpha);
                gs.failures << failureSentence(gs.group, gs.failed[i], true, band, true, plainAlpha);
            }
            const bool clean = gs.notSignificant.empty() && gs.insufficient.isEmpty();
            if (gs.failed.empty() && clean)
                text << QStringLiteral("%1 passes %2 parity (within %3).")
                            .arg(gs.group, gs.undefined.isEmpty() ? QStringLiteral("every") : QStringLiteral("every defined"),
                                 band);
            else if (gs.failed.empty())
                text << QStringLiteral("%1 fails no parity significantly%2.")
                            .arg(gs.group,
                                 gs.passed.isEmpty() ? QString()
                                                     : QStringLiteral("; passes %1").arg(gs.passed.join(QStringLiteral(", "))));
            else if (!gs.passed.isEmpty())
                text << QStringLiteral("Passes %1 parity.").arg(gs.passed.join(QStringLiteral(", ")));
            if (!gs.notSignificant.empty()) {
                QStringList parts;
                for (const ParityFinding &f : gs.notSignificant)
                    parts << QStringLiteral("%1 %2 (%3)")
                                 .arg(QLatin1String(metricText(f.metric).parity), number(f.disparity), evidence(f));
                text << QStringLiteral("Outside %1 but not significant: %2.").arg(band, parts.join(QStringLiteral("; ")));
            }
            if (!gs.passedUnsure.isEmpty())
                text << QStringLiteral("Within the band, but with 95% intervals reaching outside it (parity not shown, only "
                                       "not contradicted): %1.")
                            .arg(gs.passedUnsure.join(QStringLiteral(", ")));
            if (!gs.insufficient.isEmpty())
                text << QStringLiteral("Insufficient data for %1.").arg(gs.insufficient.join(QStringLiteral(", ")));
            if (!gs.undefined.isEmpty())
                text << QStringLiteral("No verdict for %1 parity (0 / 0).").arg(gs.undefined.join(QStringLiteral(", ")));
            gs.text = text.join(QLatin1Char(' '));
            sentences << gs.text;
            s.groups.push_back(gs);
        }
        s.text = QStringLiteral("%1 (reference %2): %3")
                     .arg(a.attribute, perMetric ? QStringLiteral("per metric, the group with the smallest value") : a.reference,
                          sentences.join(QLatin1Char(' ')));
        out.push_back(s);
    }
    return out;
}

QString biasVerdictRule(const BiasReport &report)
{
    if (report.options.verdicts != VerdictMode::Evidence)
        return QStringLiteral("Verdicts are Aequitas's plain ones: a disparity outside the band fails.");
    return QStringLiteral("A disparity outside the band fails only when the group's rate differs from the reference's beyond "
                          "chance (Fisher's exact or a two-proportion z test, Benjamini–Hochberg q ≤ %1 over the %2 tests); "
                          "otherwise it is outside the band but not significant. Groups under %3 rows, and metrics with under "
                          "%4 rows to rate, are insufficient data and decide no verdict. Intervals are 95% intervals of the "
                          "disparity.")
        .arg(report.options.alpha)
        .arg(report.tested)
        .arg(report.options.minGroupSize)
        .arg(report.options.minEvents);
}

QString biasSummaryText(const BiasReport &report)
{
    QStringList paragraphs;
    for (const AttributeSummary &s : biasSummary(report))
        paragraphs << s.text;
    return paragraphs.join(QStringLiteral("\n\n")) + QLatin1Char('\n');
}

ParityAdvice fairnessTree(Intervention intervention, Concern concern)
{
    ParityAdvice a;
    const bool punitive = intervention == Intervention::Punitive;
    switch (concern) {
    case Concern::Everyone:
        a.parities = {Parity::Statistical, Parity::Impact};
        a.metrics = {BiasMetric::Ppr, BiasMetric::Pprev};
        a.explanation = punitive ? QStringLiteral("Fair to everyone, whatever their true outcome: the tree's FP/GS parity (false "
                                                  "positives per group size), which this report does not compute; the nearest "
                                                  "are the representation parities: Statistical Parity (equal shares of those "
                                                  "acted on) and Impact Parity (equal rates of action).")
                                 : QStringLiteral("Fair to everyone, whatever their true need: the tree's FN/GS parity (false "
                                                  "negatives per group size), which this report does not compute; the nearest "
                                                  "are the representation parities: Statistical Parity (equal shares of those "
                                                  "helped) and Impact Parity (equal rates of help).");
        break;
    case Concern::Selected:
        if (punitive) {
            a.parities = {Parity::Fdr};
            a.metrics = {BiasMetric::Fdr};
            a.explanation = QStringLiteral("Punitive, fair to those acted on: FDR Parity — of the people the model "
                                           "selects, equal shares wrongly selected in every group.");
        } else {
            a.parities = {Parity::For};
            a.metrics = {BiasMetric::For};
            a.explanation = QStringLiteral("Assistive, fair to those not given help: FOR Parity — of the people the "
                                           "model passes over, equal shares who needed help in every group.");
        }
        break;
    case Concern::InNeed:
        if (punitive) {
            a.parities = {Parity::Fpr};
            a.metrics = {BiasMetric::Fpr};
            a.explanation = QStringLiteral("Punitive, fair to those for whom action is not warranted: FPR Parity — of "
                                           "the truly negative people, equal shares wrongly selected in every group.");
        } else {
            a.parities = {Parity::Fnr};
            a.metrics = {BiasMetric::Fnr};
            a.explanation = QStringLiteral("Assistive, fair to those in need: FNR Parity — of the people who truly "
                                           "need help, equal shares missed in every group.");
        }
        break;
    }
    return a;
}

} // namespace Audit
