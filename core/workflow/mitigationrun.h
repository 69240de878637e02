#pragma once

#include <QString>
#include <QStringList>

#include "dataset.h"
#include "groupthresholds.h"
#include "mitigation.h"
#include "model.h"
#include "params.h"
#include "progress.h"

namespace Audit {

class Project;

inline constexpr qsizetype kMaxParetoPoints = 50; // tolerances of one trade-off

struct MitigationRequest
{
    QString modelPath;
    QString attribute; // a categorical column of the data (a protected attribute)
    FairnessConstraint constraint = FairnessConstraint::EqualOpportunity;
    double tolerance = 0.02;
    Objective objective; // F-beta or cost
    QString fitPath; // labelled CSV to fit on; empty: `folds`-fold out-of-fold scores of data.train
    int folds = 5;
    QString reportPath; // labelled CSV to report on (the test split, say)
    QList<double> pareto; // tolerances for the trade-off, each fitted and reported
};

// A group's rate on the report split, with its 95% Wilson interval.
struct GroupRate
{
    QString group;
    double before = 0, after = 0;
    Stats::Interval beforeCi, afterCi;
};

struct ParetoPoint
{
    double tolerance = 0;
    double value = 0; // the objective on the report rows
    double gap = 0; // the constrained rate's largest minus smallest (both rates' larger for equalized odds)
    double f1 = 0;
    double fitValue = 0; // the same on the rows it was fitted on
    double fitGap = 0;
    MitigationReport fitted; // the thresholds at this tolerance
    MitigationOutcome after; // their outcome on the report rows
};

struct MitigationRun
{
    MitigationRequest request;
    MitigationReport fitted;
    QString fitSource;
    std::int64_t fitRows = 0;
    QString reportSource;
    std::int64_t reportRows = 0;
    MitigationOutcome before; // the single threshold, on the report rows
    MitigationOutcome after; // the group thresholds, on the report rows
    std::vector<GroupRate> tpr; // per group, on the report rows
    std::vector<GroupRate> fpr;
    std::vector<GroupRate> ppr;
    std::vector<ParetoPoint> pareto;
    // The per-group rates of one trade-off point (its `after` against this run's `before`).
    std::vector<GroupRate> ratesAt(const ParetoPoint &point, int which) const; // 0 TPR, 1 FPR, 2 positive rate
    QStringList warnings;

    QJsonObject toJson() const;
    QString toText() const;
};

// The out-of-fold scores of a training set (`folds`-fold cross-validation with `params`, so the
// rows were never scored by a model that saw them), with each row's group of `attribute`: what
// group thresholds are fitted on by default, in `mitigate` and in training alike.
struct GroupedFitRows
{
    std::vector<double> scores;
    std::vector<std::int8_t> labels;
    std::vector<std::int32_t> codes;
    QStringList names;
    QString source; // "5-fold out-of-fold scores of train.csv"
    GroupedScores view() const { return {&scores, &labels, &codes, names}; }
};
// Throws: SchemaError / OptionError("attribute") for an absent or numeric attribute; CancelledError.
GroupedFitRows outOfFoldRows(const Dataset &train, const TrainParams &params, const QString &attribute, int folds,
                             const Progress &progress);

// What a model file stores of a fit (see GroupThresholds): the rules, and where they came from.
GroupThresholds toGroupThresholds(const MitigationReport &report, const QString &fittedOn, std::int64_t fitRows,
                                  std::uint64_t seed);

// Trains the model params.yaml describes: the learner, then, when params.mitigation asks for it,
// group thresholds fitted on the training rows' out-of-fold scores and stored in the model.
// What `train` runs, from the CLI, the GUI and the pipeline alike.
// Throws: the trainer's errors; SchemaError naming params.yaml's line for a mitigation attribute
//         or objective that does not fit, or a constraint no thresholds meet.
Model trainProjectModel(const Dataset &train, const TrainParams &params, const Progress &progress = {});

// Fits group thresholds on one split and reports them, with the single threshold's figures
// beside them, on another (`modelaudit-cli mitigate`).
// Throws: OptionError / SchemaError naming the option or column at fault; the loaders' errors.
MitigationRun runMitigation(const MitigationRequest &request, const Project *project, const Progress &progress = {});

} // namespace Audit
