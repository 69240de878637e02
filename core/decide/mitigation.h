#pragma once

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "operatingpoint.h"

namespace Audit {

// Post-processing mitigation: one threshold per group of a protected attribute, chosen so the
// groups' rates satisfy a fairness constraint while the objective is as good as it can be.
enum class FairnessConstraint {
    DemographicParity, // predicted-positive rates within `tolerance` of each other
    EqualOpportunity, // true-positive rates within `tolerance`
    EqualizedOdds // true- and false-positive rates equal: randomised thresholds (Hardt et al. 2016)
};

// The scores of one attribute's groups: codes[i] is row i's group (an index into names), -1 for
// a row without a value (it keeps the single threshold).
struct GroupedScores
{
    const std::vector<double> *scores = nullptr;
    const std::vector<std::int8_t> *labels = nullptr;
    const std::vector<std::int32_t> *codes = nullptr;
    QStringList names;
};

// A group's decision rule: positive when score >= threshold; with a mix (equalized odds), the
// threshold used is drawn per prediction: mix[k].first with probability mix[k].second.
struct GroupRule
{
    QString group;
    double threshold = 0.5;
    std::vector<std::pair<double, double>> mix; // empty: the plain threshold
    QJsonObject toJson() const;
};

// Counts and rates of one group under a rule; with a mix, their expectation over the draws.
struct GroupOutcome
{
    QString group;
    std::int64_t rows = 0;
    std::int64_t positives = 0;
    double tp = 0, fp = 0, tn = 0, fn = 0;
    // NaN when the rate has no denominator here (no rows, no positives, no negatives).
    double ppr() const { return rows > 0 ? (tp + fp) / double(rows) : std::numeric_limits<double>::quiet_NaN(); }
    double tpr() const { return positives > 0 ? tp / double(positives) : std::numeric_limits<double>::quiet_NaN(); }
    double fpr() const { return rows - positives > 0 ? fp / double(rows - positives) : std::numeric_limits<double>::quiet_NaN(); }
};

struct MitigationReport
{
    FairnessConstraint constraint = FairnessConstraint::EqualOpportunity;
    double tolerance = 0;
    Objective objective;
    QString attribute;
    std::vector<GroupRule> rules; // one per group with rows
    double singleThreshold = 0.5; // what the rows without a group, and the "before", use
    bool found = true; // false: no thresholds meet the constraint (rules then hold the single threshold)
    std::size_t levelsSearched = 0; // the common rate levels tried (deterministic constraints)
    std::size_t levels = 0; // of this many distinct ones
    QJsonObject toJson() const;
};

// Fits the group thresholds on `fit`. The objective must be FBeta or Cost (accuracy is cost
// fp=1,fn=1). Demographic parity and equal opportunity: for every common rate level L, each
// group takes, among its cut points with a rate in [L, L + tolerance], the best for the
// objective (expected cost adds up over groups; F-beta is maximised exactly by Dinkelbach's
// iteration on TP - lambda (TP + beta^2 FN + FP) terms, which add up too); the best level wins.
// More than 512 levels are thinned to 512 evenly spaced ones (levelsSearched says so).
// Equalized odds: the common (FPR, TPR) point of the groups' ROC convex hulls that is best for
// the objective (a vertex of their intersection: the objective is linear-fractional in it), each
// group mixing at most three of its thresholds to reach it; `tolerance` is not used.
// Throws: OptionError for an objective of another kind, a tolerance outside [0, 1], a group
//         without both classes (named).
MitigationReport fitGroupThresholds(const GroupedScores &fit, FairnessConstraint constraint, double tolerance,
                                    const Objective &objective, double singleThreshold, const QString &attribute);

// The outcome per group and overall of `rules` (or of the single threshold, for "before").
struct MitigationOutcome
{
    std::vector<GroupOutcome> groups; // in rules' order
    GroupOutcome overall; // every row, those without a group included
    double value = 0; // the objective over every row
    double f1 = 0;
    double accuracy = 0;
    // Largest minus smallest rate over the groups where the rate is defined, and smallest over
    // largest; NaN with fewer than two such groups.
    double pprGap = 0, tprGap = 0, fprGap = 0;
    double pprRatio = 1, tprRatio = 1, fprRatio = 1;
    std::int64_t ungrouped = 0; // rows of no group, or of one the rules do not know: the single threshold
    QJsonObject toJson() const;
};
MitigationOutcome evaluateRules(const GroupedScores &data, const MitigationReport &report, bool mitigated);

QString constraintName(FairnessConstraint c); // "demographic_parity", "equal_opportunity", "equalized_odds"
FairnessConstraint parseConstraint(const QString &text); // throws OptionError("constraint")

} // namespace Audit
