#include "calibration.h"

#include <algorithm>
#include <cmath>

#include "rng.h"

namespace Audit {

namespace {

constexpr double kZ95 = 1.959963984540054;

// The bin of `score` among `bins` equal-width bins: searchsorted(inner edges, score, side=left).
int binOf(double score, int bins)
{
    // Inner edges as numpy's linspace(0, 1, bins + 1) computes them: k * (1 / bins).
    const double step = 1.0 / bins;
    int k = 0;
    while (k < bins - 1 && score > double(k + 1) * step)
        ++k;
    return k;
}

} // namespace

Calibration calibrationCurve(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, int bins)
{
    bins = std::max(1, bins);
    std::vector<std::int64_t> n(std::size_t(bins), 0);
    std::vector<std::int64_t> positives(std::size_t(bins), 0);
    std::vector<double> scoreSum(std::size_t(bins), 0.0);
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const auto k = std::size_t(binOf(scores[i], bins));
        ++n[k];
        positives[k] += labels[i] ? 1 : 0;
        scoreSum[k] += scores[i];
    }
    Calibration out;
    const double total = double(scores.size());
    for (int k = 0; k < bins; ++k) {
        const auto b = std::size_t(k);
        if (n[b] == 0)
            continue;
        CalibrationBin bin;
        bin.low = double(k) / bins;
        bin.high = double(k + 1) / bins;
        bin.n = n[b];
        bin.positives = positives[b];
        bin.meanScore = scoreSum[b] / double(n[b]);
        bin.observed = double(positives[b]) / double(n[b]);
        bin.observedCi = wilsonInterval(positives[b], n[b], kZ95);
        const double gap = std::abs(bin.observed - bin.meanScore);
        out.ece += double(n[b]) / total * gap;
        out.mce = std::max(out.mce, gap);
        out.bins.push_back(bin);
    }
    return out;
}

Interval eceInterval(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, int bins, int resamples,
                     std::uint64_t seed)
{
    bins = std::max(1, bins);
    const std::size_t rows = scores.size();
    if (rows == 0 || resamples < 2)
        return {};
    std::vector<int> binOfRow(rows);
    for (std::size_t i = 0; i < rows; ++i)
        binOfRow[i] = binOf(scores[i], bins);
    std::vector<double> eces;
    eces.reserve(std::size_t(resamples));
    if (rows * std::size_t(resamples) > kExactBootstrapDraws) {
        // Too many rows to resample one by one (a million rows: 3 s): the Poisson bootstrap
        // (each row drawn Poisson(1) times) by its normal limit per bin, which is exact to
        // O(1/sqrt(n)) for the bins of such data: a bin's sum of (label - score) over the
        // resample is normal with the bin's sum as mean and the sum of squares as variance.
        const auto size = std::size_t(bins);
        std::vector<double> sum(size, 0.0);
        std::vector<double> squares(size, 0.0);
        for (std::size_t i = 0; i < rows; ++i) {
            const double u = (labels[i] ? 1.0 : 0.0) - scores[i];
            sum[std::size_t(binOfRow[i])] += u;
            squares[std::size_t(binOfRow[i])] += u * u;
        }
        Rng rng(seed ^ 0xecebULL);
        for (int r = 0; r < resamples; ++r) {
            double ece = 0;
            for (std::size_t b = 0; b < size; ++b) {
                // Box-Muller from the project's own uniform draws (the same on every platform).
                const double u1 = 1.0 - rng.uniform();
                const double u2 = rng.uniform();
                const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
                ece += std::abs(sum[b] + z * std::sqrt(squares[b])) / double(rows);
            }
            eces.push_back(ece);
        }
    }
    const bool normalLimit = !eces.empty();
    const auto size = std::size_t(bins);
    std::vector<std::int64_t> n(size, 0);
    std::vector<std::int64_t> positives(size, 0);
    std::vector<double> scoreSum(size, 0.0);
    Rng rng(seed ^ 0xecebULL);
    for (int r = 0; r < resamples && !normalLimit; ++r) {
        std::fill(n.begin(), n.end(), 0);
        std::fill(positives.begin(), positives.end(), 0);
        std::fill(scoreSum.begin(), scoreSum.end(), 0.0);
        for (std::size_t k = 0; k < rows; ++k) {
            const std::size_t i = rng.index(rows);
            const auto b = std::size_t(binOfRow[i]);
            ++n[b];
            positives[b] += labels[i] ? 1 : 0;
            scoreSum[b] += scores[i];
        }
        double ece = 0;
        for (std::size_t b = 0; b < n.size(); ++b) {
            if (n[b] > 0)
                ece += std::abs(double(positives[b]) - scoreSum[b]) / double(rows);
        }
        eces.push_back(ece);
    }
    return Stats::percentileInterval(std::move(eces));
}

ScoreHistogram scoreHistogram(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, int bins)
{
    bins = std::max(1, bins);
    ScoreHistogram h;
    for (int k = 0; k <= bins; ++k)
        h.edges.push_back(double(k) / bins);
    h.positives.assign(std::size_t(bins), 0);
    h.negatives.assign(std::size_t(bins), 0);
    for (std::size_t i = 0; i < scores.size(); ++i)
        ++(labels[i] ? h.positives : h.negatives)[std::size_t(binOf(scores[i], bins))];
    return h;
}

std::vector<GroupCalibration> calibrationByGroup(const GroupedColumn &groups, const std::vector<double> &scores,
                                                 const std::vector<std::int8_t> &labels, const std::vector<std::size_t> *rows,
                                                 std::size_t minRows, int bins, int *smallGroups)
{
    std::vector<std::vector<double>> groupScores(std::size_t(groups.groups.size()));
    std::vector<std::vector<std::int8_t>> groupLabels(groupScores.size());
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const std::int32_t code = groups.codes[rows ? (*rows)[i] : i];
        if (code >= 0) {
            groupScores[std::size_t(code)].push_back(scores[i]);
            groupLabels[std::size_t(code)].push_back(labels[i]);
        }
    }
    std::vector<GroupCalibration> out;
    for (std::size_t g = 0; g < groupScores.size(); ++g) {
        if (groupScores[g].size() >= minRows && !groupScores[g].empty())
            out.push_back({groups.name, groups.groups[qsizetype(g)], groupScores[g].size(),
                           calibrationCurve(groupScores[g], groupLabels[g], bins)});
        else if (!groupScores[g].empty() && smallGroups)
            ++*smallGroups;
    }
    return out;
}

} // namespace Audit
