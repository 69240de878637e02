#include "curves.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace Audit {

namespace {

struct Sweep
{
    double threshold;
    double tp;
    double fp;
};

// Cumulative counts at each distinct score, highest first.
std::vector<Sweep> sweep(const std::vector<ScoreGroup> &groups)
{
    std::vector<Sweep> out;
    out.reserve(groups.size());
    double tp = 0;
    double fp = 0;
    for (const ScoreGroup &g : groups) {
        tp += double(g.positives);
        fp += double(g.negatives);
        out.push_back({g.score, tp, fp});
    }
    return out;
}

std::vector<CurvePoint> thin(std::vector<CurvePoint> points, std::size_t maxPoints)
{
    if (points.size() <= maxPoints || maxPoints < 2)
        return points;
    std::vector<CurvePoint> out;
    out.reserve(maxPoints);
    const double step = double(points.size() - 1) / double(maxPoints - 1);
    for (std::size_t i = 0; i < maxPoints; ++i)
        out.push_back(points[std::size_t(std::lround(double(i) * step))]);
    return out;
}

} // namespace

std::vector<CurvePoint> rocCurve(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, std::size_t maxPoints)
{
    return rocCurve(scoreGroups(scores, labels), maxPoints);
}

std::vector<CurvePoint> rocCurve(const std::vector<ScoreGroup> &groups, std::size_t maxPoints)
{
    const std::vector<Sweep> s = sweep(groups);
    const double positives = s.empty() ? 0 : s.back().tp;
    const double negatives = s.empty() ? 0 : s.back().fp;
    std::vector<CurvePoint> points;
    points.reserve(s.size() + 1);
    points.push_back({0, 0, 1.0 + 1e-12});
    for (const Sweep &p : s)
        points.push_back({negatives > 0 ? p.fp / negatives : 0, positives > 0 ? p.tp / positives : 0, p.threshold});
    return thin(std::move(points), maxPoints);
}

std::vector<CurvePoint> prCurve(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, std::size_t maxPoints)
{
    return prCurve(scoreGroups(scores, labels), maxPoints);
}

std::vector<CurvePoint> prCurve(const std::vector<ScoreGroup> &groups, std::size_t maxPoints)
{
    const std::vector<Sweep> s = sweep(groups);
    const double positives = s.empty() ? 0 : s.back().tp;
    std::vector<CurvePoint> points;
    points.reserve(s.size());
    for (const Sweep &p : s)
        points.push_back({positives > 0 ? p.tp / positives : 0, p.tp / (p.tp + p.fp), p.threshold});
    return thin(std::move(points), maxPoints);
}

} // namespace Audit
