#pragma once

#include <algorithm>
#include <cmath>
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

    // A Poisson(mean) count: Knuth's product of uniforms below a mean of 30, the normal
    // approximation (rounded, at least 0) above, which is what a Poisson bootstrap of groups of
    // that many rows needs. The normal deviate is Box-Muller from uniform() (platform-free).
    std::int64_t poisson(double mean)
    {
        if (!(mean > 0))
            return 0;
        if (mean < 30) {
            const double limit = std::exp(-mean);
            std::int64_t k = 0;
            for (double product = uniform(); product > limit; product *= uniform())
                ++k;
            return k;
        }
        const double u1 = 1.0 - uniform();
        const double u2 = uniform();
        const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
        return std::max<std::int64_t>(0, std::llround(mean + z * std::sqrt(mean)));
    }

private:
    std::mt19937_64 m_engine;
};

} // namespace Audit
