#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace Audit {

namespace {

std::size_t cores()
{
    return std::max(1u, std::thread::hardware_concurrency());
}

// Runs body on `threads` threads (the caller's one of them) and rethrows the first
// exception any of them threw, after all have finished.
void runOnThreads(std::size_t threads, const std::function<void(std::size_t)> &body)
{
    std::exception_ptr failure;
    std::mutex lock;
    const auto guarded = [&](std::size_t t) {
        try {
            body(t);
        } catch (...) {
            const std::lock_guard<std::mutex> hold(lock);
            if (!failure)
                failure = std::current_exception();
        }
    };
    std::vector<std::thread> workers;
    for (std::size_t t = 1; t < threads; ++t)
        workers.emplace_back(guarded, t);
    guarded(0);
    for (std::thread &worker : workers)
        worker.join();
    if (failure)
        std::rethrow_exception(failure);
}

} // namespace

void forEachRange(std::size_t count, std::size_t minPerThread, const std::function<void(std::size_t, std::size_t)> &work)
{
    const std::size_t threads = std::clamp<std::size_t>(count / std::max<std::size_t>(1, minPerThread), 1, cores());
    if (threads == 1) {
        work(0, count);
        return;
    }
    const std::size_t chunk = (count + threads - 1) / threads;
    runOnThreads(threads, [&](std::size_t t) {
        const std::size_t begin = std::min(count, t * chunk);
        work(begin, std::min(count, begin + chunk));
    });
}

void forEachIndex(std::size_t count, const std::function<void(std::size_t)> &work)
{
    const std::size_t threads = std::min(count, cores());
    if (threads <= 1) {
        for (std::size_t i = 0; i < count; ++i)
            work(i);
        return;
    }
    std::atomic<std::size_t> next{0};
    runOnThreads(threads, [&](std::size_t) {
        for (std::size_t i = next++; i < count; i = next++)
            work(i);
    });
}

} // namespace Audit
