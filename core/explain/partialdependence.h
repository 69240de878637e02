#pragma once

#include <cstdint>
#include <vector>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "record.h"

namespace Audit {

class Model;
struct Dataset;

struct PartialDependenceOptions
{
    int sample = 100; // rows drawn (seeded) for the ICE curves; all when the data has fewer
    std::uint64_t seed = 42;
    int steps = 20; // numeric grid: quantiles 1% .. 99% of the data's column
};

// One row's curve: P(positive) at every grid value with the rest of its record kept.
struct IceCurve
{
    std::size_t row = 0; // in the data
    std::vector<double> probabilities; // per grid value
    QString ownValue; // the row's own value, and its probability
    double ownNumber = 0;
    double ownProbability = 0;
};

// Partial dependence (Friedman 2001) with individual conditional expectation curves
// (Goldstein et al. 2015) of one column: numeric over its quantiles in the data, categorical
// over every training category. average[g] is the mean of the curves at grid value g.
struct PartialDependence
{
    QString column;
    bool numeric = false;
    QStringList values; // the grid, as text
    std::vector<double> numbers; // the grid, numeric columns
    std::vector<double> average;
    std::vector<IceCurve> curves;
    std::uint64_t seed = 0;
    QJsonObject toJson(bool withCurves = true) const;
};

// Throws SchemaError for a column the model does not have. Not thread-safe for an MLP.
PartialDependence partialDependence(const Model &model, const Dataset &data, const QString &column,
                                    const PartialDependenceOptions &options = {});

// The same grid for one record (the Predict tab's ICE with the record marked).
IceCurve iceCurve(const Model &model, const Record &record, const PartialDependence &grid);

} // namespace Audit
