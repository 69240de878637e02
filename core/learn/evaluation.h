#pragma once

#include <optional>

#include <QJsonObject>
#include <QString>

#include "csvreader.h"
#include "featureencoder.h"
#include "metrics.h"
#include "model.h"

namespace Audit {

struct EvaluationReport
{
    BinaryMetrics metrics;
    QString modelMd5;
    QString modelLearner;
    QString dataPath;
    QString dataMd5;
    qsizetype rejectedRows = 0;
    EncodeReport encode;
    QString decisionRule; // the model's group thresholds (describe()), empty for one threshold
    qsizetype ungroupedRows = 0; // rows of no group: they met the single threshold

    // metrics.json: precision, recall, f1, accuracy, roc_auc, pr_auc, log_loss, brier,
    // confusion {tp, fp, tn, fn}, support, threshold, plus model_md5, data_md5 and details.
    QJsonObject toJson() const;
    QString toText() const;
};

// Scores a labelled dataset with `model` at its own threshold (or `threshold` when given), or
// with its thresholds by group when it has them.
// Throws: SchemaError when the data has no labels or does not fit the model's encoder;
//         OptionError("threshold") for a single threshold given to a model with group thresholds.
EvaluationReport evaluateModel(const Model &model, const LoadReport &data, double beta = 1.0,
                               std::optional<double> threshold = std::nullopt);

struct PredictReport
{
    qsizetype rows = 0;
    qsizetype positives = 0;
    QList<RejectedRow> rejected;
    EncodeReport encode;
    QStringList outputColumns; // the columns added: score, prediction[, threshold][, label_value], renamed on a clash
    qsizetype ungroupedRows = 0; // with group thresholds: rows of no group (they met the single threshold)
    qsizetype unknownLabels = 0; // rows whose label is a missing token: the file was scored unlabelled
};

// Writes `outPath`: every kept input row with its original fields, plus `score`
// (P(positive)), `prediction` (a label value), with group thresholds the `threshold` the row
// met, and, when the input has the label column, `label_value` (0/1). Rows the reader rejected are left out (and counted).
// Throws: CsvError for unreadable input; IoError when the output cannot be written.
PredictReport predictCsv(const Model &model, const QString &inPath, const QString &outPath, const LoadOptions &options = {});

} // namespace Audit
