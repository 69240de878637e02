#include "featureinfluence.h"

#include <algorithm>
#include <cmath>

#include "model.h"

namespace Audit {

std::vector<FeatureInfluence> rankFeatures(const Model &model, const Record &record, double threshold, const Dataset *data,
                                           const SweepOptions &options, const Progress &progress)
{
    const Prediction prediction = predictRecord(model, record);
    const double own = prediction.probability;
    // With group thresholds the record is decided at its group's, each variant at its own.
    const bool ownPositive = own >= (model.groupThresholds().active() ? prediction.threshold : threshold);
    const auto &columns = model.encoder().columns();
    std::vector<FeatureInfluence> ranking;
    ranking.reserve(columns.size());
    for (std::size_t f = 0; f < columns.size(); ++f) {
        progress.checkCancelled();
        progress.step(int(f), int(columns.size()), QStringLiteral("Sweeping %1").arg(columns[f].spec.name));
        FeatureInfluence influence;
        influence.feature = f;
        influence.name = columns[f].spec.name;
        influence.sweep = sweepFeature(model, record, f, threshold, data, options);
        const std::vector<WhatIfPoint> &points = influence.sweep.points;
        if (!points.empty()) {
            influence.lowest = influence.highest = points.front().probability;
            double furthest = -1;
            for (const WhatIfPoint &p : points) {
                influence.lowest = std::min(influence.lowest, p.probability);
                influence.highest = std::max(influence.highest, p.probability);
                influence.flips = influence.flips || p.positive() != ownPositive;
                // Strictly further: of equal moves, the first (lowest) value is kept.
                if (std::abs(p.probability - own) > furthest) {
                    furthest = std::abs(p.probability - own);
                    influence.strongestValue = p.value;
                    influence.strongestNumber = p.number;
                    influence.strongestProbability = p.probability;
                }
            }
        }
        ranking.push_back(std::move(influence));
    }
    progress.step(int(columns.size()), int(columns.size()), QStringLiteral("Ranked"));
    std::stable_sort(ranking.begin(), ranking.end(), [](const FeatureInfluence &a, const FeatureInfluence &b) {
        if (a.swing() != b.swing())
            return a.swing() > b.swing();
        return a.flips && !b.flips;
    });
    return ranking;
}

} // namespace Audit
