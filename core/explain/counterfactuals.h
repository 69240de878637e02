#pragma once

#include <vector>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "record.h"

namespace Audit {

class Model;
struct Dataset;

struct CounterfactualOptions
{
    int answers = 3; // at most this many, each changing a different set of columns
    int maxChanges = 3; // columns changed in one answer
    int beam = 12; // partial answers kept between search levels
    int steps = 20; // numeric candidates: quantiles of the data's column (or even steps of the training range)
};

struct CounterfactualChange
{
    QString column;
    bool numeric = false;
    QString from; // as text
    QString to;
    double fromNumber = 0;
    double toNumber = 0;
    double cost = 0; // numeric: |change| in training standard deviations; categorical: 1
};

struct Counterfactual
{
    std::vector<CounterfactualChange> changes; // in schema order
    double cost = 0; // sum of the changes' costs
    double probability = 0; // P(positive) with the changes
};

// The nearest changes to a record that give the other decision at `threshold`.
struct CounterfactualSearch
{
    double probability = 0; // the record's own
    bool positive = false; // its decision
    double threshold = 0.5;
    QStringList actionable; // the columns the search could change
    std::vector<Counterfactual> answers; // cheapest first
    int evaluated = 0; // records scored
    QString note; // why there are none, when there are none
    QJsonObject toJson() const;
};

// Searches changes of the schema's actionable columns (protected attributes never are) within
// the training ranges and categories: every single change first (a numeric one bisected to the
// nearest value that flips), then beams of two and three changes from the partial answers that
// came closest. An answer whose columns include a cheaper answer's columns is dropped (it is
// not minimal); what remains is the cheapest per set of columns, cheapest first.
// Not thread-safe for an MLP model.
CounterfactualSearch findCounterfactuals(const Model &model, const Record &record, double threshold,
                                         const Dataset *data = nullptr, const CounterfactualOptions &options = {});

} // namespace Audit
