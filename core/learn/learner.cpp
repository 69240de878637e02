#include "learner.h"

#include <algorithm>
#include <cmath>

#include "parallel.h"
#include "schemaerror.h"

namespace Audit {

std::vector<double> Learner::scoreAll(const FeatureMatrix &x) const
{
    // score() is const and keeps no shared state in the learners that use this default,
    // so large batches are split over the cores.
    std::vector<double> scores(x.rows());
    forEachRange(x.rows(), 1024, [&](std::size_t begin, std::size_t end) {
        for (std::size_t r = begin; r < end; ++r)
            scores[r] = score(x.row(r), x.cols());
    });
    return scores;
}

void validateTrainingData(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, bool missingAllowed)
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
            const float v = x.row(r)[c];
            if (!std::isfinite(v) && !(missingAllowed && std::isnan(v)))
                throw SchemaError(QStringLiteral("encoded row %1, feature %2 is not a finite number").arg(r + 1).arg(c + 1));
        }
    }
}

} // namespace Audit
