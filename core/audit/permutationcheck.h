#pragma once

#include <cstdint>

#include "slicereport.h"

namespace Audit {

// How often the slice finder cries wolf when there is nothing to find. Each run shuffles the
// (label, score) pairs across the rows with its own seed, so every slice becomes a random
// subset of the rows and no slice truly differs from the rest; then the finder runs as usual.
// A run "has a false discovery" when it flags any weak slice. With the Benjamini–Hochberg
// correction that share stays near (at most about) options.fdrQ; without it (a slice weak on its
// raw p alone) it is far higher.
struct PermutationCheck
{
    int runs = 0;
    int runsWithDiscovery = 0; // any slice weak after the FDR correction
    int runsWithRawDiscovery = 0; // any slice whose raw p (not q) is <= fdrQ, with the same margin
    double meanTested = 0; // slices tested per run
    double meanRawDiscoveries = 0;

    double share() const { return runs ? double(runsWithDiscovery) / runs : 0; }
    double rawShare() const { return runs ? double(runsWithRawDiscovery) / runs : 0; }
};

// Deterministic: the same data, options, runs and seed give the same result.
PermutationCheck permutationCheck(const ScoredData &data, const SliceOptions &options, int runs, std::uint64_t seed);

} // namespace Audit
