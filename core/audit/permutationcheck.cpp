#include "permutationcheck.h"

#include <numeric>

#include "rng.h"

namespace Audit {

PermutationCheck permutationCheck(const ScoredData &data, const SliceOptions &options, int runs, std::uint64_t seed)
{
    PermutationCheck check;
    ScoredData shuffled = data;
    std::vector<std::size_t> order(data.rowCount());
    for (int run = 0; run < runs; ++run) {
        std::iota(order.begin(), order.end(), std::size_t(0));
        Rng rng(seed + std::uint64_t(run));
        rng.shuffle(order);
        for (std::size_t r = 0; r < order.size(); ++r) {
            shuffled.labels[r] = data.labels[order[r]];
            shuffled.scores[r] = data.scores[order[r]];
        }
        if (!data.rowThresholds.empty()) // a row's threshold belongs to its group, so to its place
            shuffled.setRowThresholds(data.rowThresholds, data.decisionRule, data.ungroupedRows);
        const SliceReport report = computeSlices(shuffled, options);
        ++check.runs;
        check.runsWithDiscovery += report.weak.empty() ? 0 : 1;
        int raw = 0;
        for (const SliceRow &row : report.slices)
            raw += row.p <= options.fdrQ && row.gap > options.weakMargin ? 1 : 0;
        check.runsWithRawDiscovery += raw > 0 ? 1 : 0;
        check.meanTested += double(report.tested);
        check.meanRawDiscoveries += raw;
    }
    if (check.runs > 0) {
        check.meanTested /= check.runs;
        check.meanRawDiscoveries /= check.runs;
    }
    return check;
}

} // namespace Audit
