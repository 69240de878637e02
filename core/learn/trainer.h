#pragma once

#include <QJsonObject>
#include <QList>

#include "dataset.h"
#include "metrics.h"
#include "model.h"
#include "params.h"
#include "progress.h"

namespace Audit {

// Trains a model on labelled data: fits the encoder, tunes the decision threshold on an
// inner stratified validation split of `train` (when params.tuneThreshold), then fits the
// learner on all of `train`. Never looks at any other data.
// Requires: train.hasLabels().
// Ensures:  deterministic: the same data and params give a byte-identical Model::serialize().
// Throws:   SchemaError for data no classifier can learn from (one class, no rows);
//           CancelledError when progress asks to stop.
Model trainModel(const Dataset &train, const TrainParams &params, const Progress &progress = {});

struct MetricSummary
{
    QString name;
    double mean = 0;
    double sd = 0; // sample standard deviation over folds
};

struct CrossValidationReport
{
    int folds = 0;
    QList<BinaryMetrics> perFold;
    QList<MetricSummary> summary; // precision, recall, f1, accuracy, roc_auc, pr_auc, log_loss, brier
    // Every row's score from the fold model that did not train on it (data's row order): held-out
    // scores of the whole training split, to choose an operating point on without the test split.
    std::vector<double> outOfFold;

    QJsonObject toJson() const;
    QString toText() const; // "f1  0.712 ± 0.008" one metric a line
};

// Stratified k-fold cross-validation of the whole training procedure (threshold tuning
// included, inside each fold). Deterministic for a given params.learner.seed.
// Throws: SchemaError when k < 2 or a class has fewer than k rows.
CrossValidationReport crossValidate(const Dataset &data, const TrainParams &params, int folds, const Progress &progress = {});

// Stratified assignment of every row to one of `folds` groups (seeded, portable).
std::vector<int> stratifiedFolds(const std::vector<std::int8_t> &labels, int folds, std::uint64_t seed);

} // namespace Audit
