#include "learner.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "schemaerror.h"

namespace Audit {

std::vector<double> Learner::scoreAll(const FeatureMatrix &x) const
{
    // score() is const and keeps no shared state in the learners that use this default,
    // so large batches are split over the cores.
    constexpr std::size_t kRowsPerThread = 1024;
    std::vector<double> scores(x.rows());
    const auto scoreRange = [&](std::size_t begin, std::size_t end) {
        for (std::size_t r = begin; r < end; ++r)
            scores[r] = score(x.row(r), x.cols());
    };
    const std::size_t threads = std::clamp<std::size_t>(x.rows() / kRowsPerThread, 1,
                                                        std::max(1u, std::thread::hardware_concurrency()));
    if (threads == 1) {
        scoreRange(0, x.rows());
        return scores;
    }
    std::vector<std::thread> workers;
    const std::size_t chunk = (x.rows() + threads - 1) / threads;
    for (std::size_t t = 1; t < threads; ++t)
        workers.emplace_back(scoreRange, std::min(x.rows(), t * chunk), std::min(x.rows(), (t + 1) * chunk));
    scoreRange(0, std::min(x.rows(), chunk));
    for (std::thread &worker : workers)
        worker.join();
    return scores;
}

void validateTrainingData(const FeatureMatrix &x, const std::vector<std::int8_t> &labels)
{
    if (x.rows() == 0)
        throw SchemaError(QStringLiteral("no training rows: every row was rejected or the file has none"));
    if (x.rows() != labels.size())
        throw SchemaError(QStringLiteral("%1 feature rows but %2 labels").arg(x.rows()).arg(labels.size()));
    if (x.cols() == 0)
        throw SchemaError(QStringLiteral("the encoder produced no features"));
    std::size_t positives = 0;
    for (std::int8_t label : labels) {
        if (label != 0 && label != 1)
            throw SchemaError(QStringLiteral("label %1 is not 0 or 1").arg(int(label)));
        positives += std::size_t(label);
    }
    if (positives == 0 || positives == labels.size())
        throw SchemaError(QStringLiteral("the training data holds only one class (%1 of %2 rows positive); a "
                                         "classifier needs both. Fix: check the label column and the positive value "
                                         "in the schema.")
                              .arg(positives)
                              .arg(labels.size()));
    for (std::size_t r = 0; r < x.rows(); ++r) {
        for (std::size_t c = 0; c < x.cols(); ++c) {
            if (!std::isfinite(x.row(r)[c]))
                throw SchemaError(QStringLiteral("encoded row %1, feature %2 is not a finite number").arg(r + 1).arg(c + 1));
        }
    }
}

} // namespace Audit
