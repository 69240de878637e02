#pragma once

#include <vector>

#include <QString>
#include <QStringList>

#include "biasreport.h"

namespace Audit {

// The counts behind one group metric: "FPR = fp / (fp + tn) = 112 / 1,500".
struct MetricFormula
{
    QString definition; // "fp / (fp + tn)"
    std::int64_t numerator = 0;
    std::int64_t denominator = 0;
    QString text; // "FPR = fp / (fp + tn) = 112 / 1,500"
};
MetricFormula biasMetricFormula(const GroupMetrics &group, BiasMetric metric);
QString biasMetricLabel(BiasMetric metric); // "PPR", "FPR", "Precision", ...
QString biasMetricPhrase(BiasMetric metric); // "false-positive rate", ...

// One metric's parity for one group, with the numbers it rests on (copied from the report).
struct ParityFinding
{
    BiasMetric metric = BiasMetric::Ppr;
    Parity parity = Parity::Statistical;
    QString reference; // the reference group of this metric
    double value = 0; // the group's metric
    double referenceValue = 0; // the reference group's metric
    double disparity = 0; // value / referenceValue, as the report has it
    Verdict verdict; // Aequitas's plain verdict
    VerdictState state = VerdictState::Undefined; // the report's verdict (options.verdicts)
    Stats::Interval interval; // of the disparity
    double p = 0; // the group's rate against the reference's (NaN: not tested)
    double q = 0; // BH over the report (NaN: not in the family)
    QString note; // why insufficient data
};

struct GroupSummary
{
    QString group;
    std::vector<ParityFinding> findings; // the ten one-metric parities, in BiasMetric order
    std::vector<ParityFinding> failed; // those whose state is Fail
    std::vector<ParityFinding> notSignificant; // outside the band, not significant
    QStringList passed; // short names of the passing parities: "Precision", "FDR", ...
    QStringList passedUnsure; // of those, the ones whose interval reaches outside the band: "FPR (0.39–2.07)"
    QStringList undefined; // short names of the parities with no verdict (a 0/0 disparity)
    QStringList insufficient; // "FNR (5 label positives (minimum 10))"
    QString groupInsufficient; // the whole group: "18 rows (minimum 30)"
    QStringList failures; // one sentence per failed parity, each naming the group (for a list)
    QStringList notSignificantSentences; // likewise, per parity outside the band but not significant
    QString insufficientSentence; // "Other: insufficient data (18 rows (minimum 30)) — no verdict."
    QString text; // the sentences
};

struct AttributeSummary
{
    QString attribute;
    QString reference;
    double tau = 0.8;
    std::vector<GroupSummary> groups; // every group but the reference (all groups under min_metric)
    QString text; // "sex (reference Male): Female ..."
};

// Plain-language reading of a bias report: per attribute, which groups fail which parity
// and by how much. Every number comes from the report.
std::vector<AttributeSummary> biasSummary(const BiasReport &report);
QString biasSummaryText(const BiasReport &report); // the attributes' texts, one paragraph each
// How the report's verdicts are decided, in one paragraph, for the card and the audit report.
QString biasVerdictRule(const BiasReport &report);

// Aequitas's fairness tree (Saleiro et al., "Aequitas: A Bias and Fairness Audit Toolkit"):
// which parity matters for an intervention and the people whose fairness is the concern.
enum class Intervention { Punitive, Assistive };
enum class Concern {
    Everyone, // the whole population, regardless of the true outcome
    Selected, // by the model's decision: those acted on (punitive) / those left without help (assistive)
    InNeed // by the true outcome: those for whom action is not warranted (punitive) / those in need (assistive)
};
struct ParityAdvice
{
    std::vector<Parity> parities; // the parities to look at, most relevant first
    std::vector<BiasMetric> metrics; // their metrics
    QString explanation;
};
ParityAdvice fairnessTree(Intervention intervention, Concern concern);

} // namespace Audit
