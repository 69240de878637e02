#pragma once

#include <cstddef>
#include <vector>

#include <QString>

#include "prediction.h"
#include "record.h"
#include "schema.h"

namespace Audit {

class Model;
struct Dataset;

// How a numeric feature is swept: over the quantiles of its values in the data, from `low`
// to `high` in `steps` evenly spaced probabilities; or, without data, `evenSteps` evenly
// spaced numbers over the training range.
struct SweepOptions
{
    static constexpr double kLowQuantile = 0.01;
    static constexpr double kHighQuantile = 0.99;
    static constexpr int kQuantileSteps = 40;
    static constexpr int kEvenSteps = 21;

    double low = kLowQuantile;
    double high = kHighQuantile;
    int steps = kQuantileSteps;
    int evenSteps = kEvenSteps;
};

// The `p`-quantiles of `values` by linear interpolation between order statistics
// (Hyndman & Fan type 7, R's and NumPy's default): h = (n - 1) p, x[floor h] + (h - floor h)
// (x[floor h + 1] - x[floor h]) over the sorted values.
// Requires: `values` is not empty and holds no NaN; every p lies in [0, 1].
std::vector<double> quantiles(std::vector<double> values, const std::vector<double> &probabilities);

// The numbers a numeric feature is swept over: the quantiles of `values` at `options.steps`
// probabilities from `options.low` to `options.high`, rounded to whole numbers for an
// integer column, plus `own` (the record's value); ascending, without repeats. Values that
// are not finite are skipped; with none left, the sweep is `own` alone.
std::vector<double> quantileSweepValues(const std::vector<double> &values, ColumnType type, double own,
                                        const SweepOptions &options = {});

// quantileSweepValues without a record's own value (a grid shared by many records): ascending,
// without repeats; empty when no value is finite.
std::vector<double> quantileGrid(const std::vector<double> &values, ColumnType type, const SweepOptions &options = {});

// Works out the quantile sweeps of every numeric column of `data` now (on all cores), so the
// sweeps and rankings over it later find them made: a loader calls it off the GUI thread.
// They are kept per file md5, column and options (a few dozen at most).
void prepareSweeps(const Dataset &data, const SweepOptions &options = {});

// Where the decision changes between two neighbouring sweep points.
struct WhatIfFlip
{
    std::size_t after = 0; // between points[after] and points[after + 1]
    double value = 0; // the first number on the new side (bisected between the two points)
    bool toPositive = false; // the decision from `value` up
};

// One feature varied across its values with the rest of the record kept.
struct WhatIfSweep
{
    std::size_t feature = 0;
    bool numeric = false;
    bool fromData = false; // numeric: over the data's quantiles (else even steps over the training range)
    std::vector<WhatIfPoint> points; // numeric: ascending
    int current = -1; // the point holding the record's own value; -1 when none does (an unseen category)
    double threshold = 0.5; // positive when probability >= threshold
    std::vector<WhatIfFlip> flips; // numeric only, in ascending order of value
};

// Sweeps feature `feature` of `record`: every training category of a categorical feature;
// a numeric one over quantileSweepValues of `data`'s column (when `data` is given and has
// the model's features), else over even steps of the training range. Each crossing of
// `threshold` between neighbouring numbers is bisected to the first number on the new side
// (whole numbers for an integer column, else to within 1e-9 of the value's size).
// Requires: feature < model's feature count; `record` has the model's features.
// Not thread-safe for an MLP model (see predictRecord).
WhatIfSweep sweepFeature(const Model &model, const Record &record, std::size_t feature, double threshold,
                         const Dataset *data = nullptr, const SweepOptions &options = {});

// `value` as a person reads it: grouped digits, a whole number for an integer column, six
// significant digits otherwise ("7,298", "0.125").
QString sweepValueText(double value, ColumnType type);

// The flips of `sweep` in words, with the schema's labels. A number: "<=50K below 7,298; flips
// to >50K at 7,298 and above", or "no value swept changes the answer (<=50K)". A category:
// the categories giving the other answer than the record's own ("flips to >50K with
// Doctorate, Masters"; six named, then "N more"), or "no category changes the answer
// (<=50K)"; empty when the record's category was unseen in training.
QString describeFlips(const WhatIfSweep &sweep, const Schema &schema);

} // namespace Audit
