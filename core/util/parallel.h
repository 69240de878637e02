#pragma once

#include <cstddef>
#include <functional>

namespace Audit {

// Runs work(begin, end) over [0, count) split into contiguous ranges, one per core (a single
// range on the calling thread when count < 2 * minPerThread). For work that is const and
// keeps no shared state; each range writes only its own part of the output.
void forEachRange(std::size_t count, std::size_t minPerThread, const std::function<void(std::size_t, std::size_t)> &work);

// Runs work(i) for every i in [0, count), handing the next index to whichever core is free
// (for items of very different cost). Results must be written per index: their order is
// then that of the indices, whatever the thread that computed them.
void forEachIndex(std::size_t count, const std::function<void(std::size_t)> &work);

} // namespace Audit
