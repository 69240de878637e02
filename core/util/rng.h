#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace Audit {

// A seeded random source whose results are the same on every platform and standard
// library: std::mt19937_64's sequence is fixed by the standard, but std::shuffle and the
// std distributions are not, so the mapping to indices is done here.
class Rng
{
public:
    explicit Rng(std::uint64_t seed)
        : m_engine(seed)
    {}

    double uniform() { return double(m_engine() >> 11) * 0x1.0p-53; } // [0, 1)

    std::size_t index(std::size_t n) { return std::size_t(uniform() * double(n)); } // [0, n)

    template <typename T>
    void shuffle(std::vector<T> &items)
    {
        for (std::size_t i = items.size(); i > 1; --i)
            std::swap(items[i - 1], items[index(i)]);
    }

    std::uint64_t next() { return m_engine(); }

private:
    std::mt19937_64 m_engine;
};

} // namespace Audit
