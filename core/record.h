#pragma once

#include <string>
#include <vector>

#include <QString>
#include <QStringList>

namespace Audit {

class Model;
struct Dataset;

// One input row by schema feature: numbers[c] for numeric features, texts[c] for categorical
// ones. The same shape the CSV reader and the HTTP API produce.
struct Record
{
    std::vector<double> numbers;
    std::vector<std::string> texts;
};

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

// Row `row` of `data` as a Record.
Record recordFromDataset(const Dataset &data, std::size_t row);

// Scores one record with `model` (encoder + learner + threshold).
// Not thread-safe for an MLP model: give each thread its own Model copy.
Prediction predictRecord(const Model &model, const Record &record);

// Varies feature `feature` of `record` across its training values (every category, or
// `steps` evenly spaced numbers over the training range) and scores each variant.
std::vector<WhatIfPoint> whatIf(const Model &model, const Record &record, std::size_t feature, int steps = 21);

} // namespace Audit
