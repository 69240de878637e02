#pragma once

#include <cstddef>
#include <vector>

#include <QString>

#include "progress.h"
#include "record.h"
#include "whatifsweep.h"

namespace Audit {

class Model;
struct Dataset;

// How much one feature moves one prediction: the feature swept as sweepFeature does, the
// rest of the record kept.
struct FeatureInfluence
{
    std::size_t feature = 0;
    QString name;
    double lowest = 0; // P(positive) over the sweep
    double highest = 0;
    bool flips = false; // some swept value gives the other decision than the record's own
    QString strongestValue; // the swept value moving P(positive) furthest from the record's
    double strongestNumber = 0; // that value, for a numeric feature
    double strongestProbability = 0;
    WhatIfSweep sweep;

    double swing() const { return highest - lowest; }
};

// Every feature of `record`, most influential first: by swing (highest - lowest), then by
// whether it flips the decision, then in schema order.
// Requires: `record` has the model's features. Checks progress between features.
// Throws:   CancelledError when progress asks to stop.
// Not thread-safe for an MLP model (see predictRecord): give each thread its own Model copy.
std::vector<FeatureInfluence> rankFeatures(const Model &model, const Record &record, double threshold,
                                           const Dataset *data = nullptr, const SweepOptions &options = {},
                                           const Progress &progress = {});

} // namespace Audit
