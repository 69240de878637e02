#pragma once

#include <cstdint>
#include <vector>

#include "metrics.h"

namespace Audit {

struct CurvePoint
{
    double x = 0;
    double y = 0;
    double threshold = 0; // positive when score >= threshold
};

// ROC curve: x = false positive rate, y = true positive rate, from (0, 0) to (1, 1), one
// point per distinct score, thinned to at most `maxPoints` (keeping both ends).
std::vector<CurvePoint> rocCurve(const std::vector<double> &scores, const std::vector<std::int8_t> &labels,
                                 std::size_t maxPoints = 400);
std::vector<CurvePoint> rocCurve(const std::vector<ScoreGroup> &groups, std::size_t maxPoints = 400);

// Precision-recall curve: x = recall, y = precision, highest threshold first.
std::vector<CurvePoint> prCurve(const std::vector<double> &scores, const std::vector<std::int8_t> &labels,
                                std::size_t maxPoints = 400);
std::vector<CurvePoint> prCurve(const std::vector<ScoreGroup> &groups, std::size_t maxPoints = 400);

} // namespace Audit
