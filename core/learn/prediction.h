#pragma once

#include <vector>

#include <QString>
#include <QStringList>

#include "record.h"
#include "scoreddata.h"

namespace Audit {

class Model;
struct Dataset;

struct Prediction
{
    double probability = 0; // P(positive)
    QString label; // the schema's positive or negative label
    double threshold = 0.5; // the threshold the record met (its group's, with group thresholds)
    QStringList warnings; // e.g. a category unseen in training
    std::vector<float> encoded; // the record as the learner saw it (what an explanation starts from)
};

// One variant of a record in a what-if sweep (sweepFeature, whatifsweep.h).
struct WhatIfPoint
{
    QString value; // the category, or the number as text
    double number = 0; // the number, for numeric features
    double probability = 0;
    double threshold = 0.5; // what this variant is decided at (its group's, with group thresholds)
    bool positive() const { return probability >= threshold; }
};

// Scores one record with `model` (encoder + learner + threshold).
// Not thread-safe for an MLP model: give each thread its own Model copy.
Prediction predictRecord(const Model &model, const Record &record);

// Scores `data` with `model` into what the audit engine reads.
// Throws: SchemaError naming the file when `data` has no label column.
ScoredData scoreDataset(const Model &model, const Dataset &data);

} // namespace Audit
