#pragma once

// The statistics of core/stats recomputed another way, for tests to check results against:
// Fisher's exact test by enumerating every table with lgamma (core/stats walks a recurrence),
// the pooled two-proportion z test from its textbook formula, and Benjamini-Hochberg by
// sorting (core/stats ranks in place).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

namespace StatCheck {

// Two-sided Fisher's exact test of a/n1 against b/n2: the hypergeometric probabilities of
// every table with the observed margins that are no likelier than the observed one (R's
// fisher.test rule, relative tolerance 1e-7).
inline double fisher(std::int64_t a, std::int64_t n1, std::int64_t b, std::int64_t n2)
{
    const std::int64_t m = a + b;
    const auto logChoose = [](double n, double k) { return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1); };
    const auto prob = [&](std::int64_t x) {
        return std::exp(logChoose(double(n1), double(x)) + logChoose(double(n2), double(m - x))
                        - logChoose(double(n1 + n2), double(m)));
    };
    const double observed = prob(a);
    double p = 0;
    for (std::int64_t x = std::max<std::int64_t>(0, m - n2); x <= std::min(n1, m); ++x)
        p += prob(x) <= observed * (1 + 1e-7) ? prob(x) : 0;
    return std::min(1.0, p);
}

// The pooled two-proportion z test, two-sided: z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)).
inline double twoProportionZ(std::int64_t a, std::int64_t n1, std::int64_t b, std::int64_t n2)
{
    const double pooled = double(a + b) / double(n1 + n2);
    const double se = std::sqrt(pooled * (1 - pooled) * (1.0 / double(n1) + 1.0 / double(n2)));
    if (se == 0)
        return 1;
    const double z = (double(a) / double(n1) - double(b) / double(n2)) / se;
    return std::erfc(std::abs(z) / std::sqrt(2.0));
}

// The documented choice (docs/metrics.md): Fisher up to 1000 rows or when an expected cell is
// under 5, the z test above.
inline double compare(std::int64_t a, std::int64_t n1, std::int64_t b, std::int64_t n2)
{
    const double n = double(n1 + n2);
    const double events = double(a + b);
    const double minExpected = std::min(
        {events * double(n1) / n, events * double(n2) / n, (n - events) * double(n1) / n, (n - events) * double(n2) / n});
    return n1 + n2 <= 1000 || minExpected < 5 ? fisher(a, n1, b, n2) : twoProportionZ(a, n1, b, n2);
}

// Benjamini-Hochberg q values; NaN p values (not tested) stay NaN and do not count in m.
inline std::vector<double> benjaminiHochberg(const std::vector<double> &p)
{
    std::vector<std::size_t> tested;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (!std::isnan(p[i]))
            tested.push_back(i);
    }
    std::sort(tested.begin(), tested.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
    std::vector<double> q(p.size(), std::nan(""));
    double running = 1;
    const double m = double(tested.size());
    for (std::size_t rank = tested.size(); rank-- > 0;) {
        running = std::min(running, p[tested[rank]] * m / double(rank + 1));
        q[tested[rank]] = running;
    }
    return q;
}

// Wilson's score interval of x / n, from its formula.
inline std::pair<double, double> wilson(double x, double n, double z = 1.959963984540054)
{
    const double p = x / n;
    const double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
    const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

// The MOVER interval of the ratio (a / n1) / (b / n2) on the log scale with Wilson limits
// (Zou & Donner 2008): each side's distance to its Wilson limit as its error on that side.
inline std::pair<double, double> moverRatio(double a, double n1, double b, double n2)
{
    const double r = (a / n1) / (b / n2);
    const auto [l1, u1] = wilson(a, n1);
    const auto [l2, u2] = wilson(b, n2);
    const double below = std::sqrt(std::pow(std::log(a / n1 / l1), 2) + std::pow(std::log(u2 / (b / n2)), 2));
    const double above = std::sqrt(std::pow(std::log(u1 / (a / n1)), 2) + std::pow(std::log((b / n2) / l2), 2));
    return {r * std::exp(-below), r * std::exp(above)};
}

} // namespace StatCheck
