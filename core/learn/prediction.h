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
    QStringList warnings; // e.g. a category unseen in training
};

struct WhatIfPoint
{
    QString value; // the category, or the number as text
    double number = 0; // the number, for numeric features
    double probability = 0;
};

// Scores one record with `model` (encoder + learner + threshold).
// Not thread-safe for an MLP model: give each thread its own Model copy.
Prediction predictRecord(const Model &model, const Record &record);

// Varies feature `feature` of `record` across its training values (every category, or
// `steps` evenly spaced numbers over the training range) and scores each variant.
std::vector<WhatIfPoint> whatIf(const Model &model, const Record &record, std::size_t feature, int steps = 21);

// Scores `data` with `model` into what the audit engine reads.
// Throws: SchemaError naming the file when `data` has no label column.
ScoredData scoreDataset(const Model &model, const Dataset &data);

} // namespace Audit
