#include "significance.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace Stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// R's fisher.test and binom.test count a table as "no more likely" than the observed one up to
// this relative tolerance, so that ties computed with rounding error are counted.
constexpr double kRelErr = 1 + 1e-7;

// Sum of the probabilities no larger than the observed one's, over a discrete distribution on
// lo..hi given by its log-probability ratios step(x) = log(P(x + 1) / P(x)), up to a constant.
// Two passes, nothing stored: the first finds the largest log-probability and the observed
// one, the second sums. The normalising constant cancels, so no factorial is ever formed.
template <typename Step>
double pointProbabilityTail(std::int64_t lo, std::int64_t hi, std::int64_t observed, Step step)
{
    double logP = 0;
    double logMax = 0;
    double logObserved = 0;
    for (std::int64_t x = lo; x <= hi; ++x) {
        if (x == observed)
            logObserved = logP;
        logMax = std::max(logMax, logP);
        if (x < hi)
            logP += step(x);
    }
    const double limit = logObserved - logMax + std::log(kRelErr);
    double tail = 0;
    double total = 0;
    logP = 0;
    for (std::int64_t x = lo; x <= hi; ++x) {
        const double rel = logP - logMax;
        const double prob = std::exp(rel);
        total += prob;
        if (rel <= limit)
            tail += prob;
        if (x < hi)
            logP += step(x);
    }
    return std::min(1.0, tail / total);
}

} // namespace

const char *testName(Test test)
{
    switch (test) {
    case Test::None:
        return "";
    case Test::Fisher:
        return "fisher";
    case Test::ZTest:
        return "z";
    case Test::Binomial:
        return "binomial";
    case Test::CountZTest:
        return "binomial_z";
    }
    return "";
}

double normalTwoSidedP(double z)
{
    return std::erfc(std::fabs(z) / std::sqrt(2.0));
}

double fisherExact(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d)
{
    if (a < 0 || b < 0 || c < 0 || d < 0)
        return kNaN;
    const std::int64_t r1 = a + b; // first row
    const std::int64_t r2 = c + d;
    const std::int64_t c1 = a + c; // first column
    const std::int64_t lo = std::max<std::int64_t>(0, c1 - r2);
    const std::int64_t hi = std::min(r1, c1);
    if (lo == hi)
        return 1;
    // The hypergeometric P(x) of the top-left cell: P(x + 1) / P(x) = (r1 - x)(c1 - x) / ((x + 1)(r2 - c1 + x + 1)).
    return pointProbabilityTail(lo, hi, a, [&](std::int64_t x) {
        return std::log(double(r1 - x)) + std::log(double(c1 - x)) - std::log(double(x + 1)) - std::log(double(r2 - c1 + x + 1));
    });
}

double twoProportionZ(std::int64_t x1, std::int64_t n1, std::int64_t x2, std::int64_t n2)
{
    if (n1 <= 0 || n2 <= 0)
        return kNaN;
    const double p1 = double(x1) / double(n1);
    const double p2 = double(x2) / double(n2);
    const double pooled = double(x1 + x2) / double(n1 + n2);
    const double se = std::sqrt(pooled * (1 - pooled) * (1 / double(n1) + 1 / double(n2)));
    return se > 0 ? (p1 - p2) / se : 0;
}

TestResult compareProportions(std::int64_t x1, std::int64_t n1, std::int64_t x2, std::int64_t n2)
{
    if (n1 <= 0 || n2 <= 0 || x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2)
        return {};
    const std::int64_t total = n1 + n2;
    const std::int64_t successes = x1 + x2;
    const double minExpected = double(std::min(n1, n2)) * double(std::min(successes, total - successes)) / double(total);
    if (total <= kFisherMaxTotal || minExpected < kMinExpectedCell)
        return {fisherExact(x1, n1 - x1, x2, n2 - x2), Test::Fisher};
    return {normalTwoSidedP(twoProportionZ(x1, n1, x2, n2)), Test::ZTest};
}

double binomialTest(std::int64_t x, std::int64_t n, double p)
{
    if (n < 0 || x < 0 || x > n || !(p > 0 && p < 1))
        return kNaN;
    if (n == 0)
        return 1;
    const double logOdds = std::log(p) - std::log1p(-p);
    // P(y + 1) / P(y) = (n - y) / (y + 1) · p / (1 - p).
    return pointProbabilityTail(0, n, x,
                                [&](std::int64_t y) { return std::log(double(n - y)) - std::log(double(y + 1)) + logOdds; });
}

TestResult compareCounts(std::int64_t x1, std::int64_t x2)
{
    if (x1 < 0 || x2 < 0 || x1 + x2 == 0)
        return {};
    const std::int64_t m = x1 + x2;
    if (m <= kFisherMaxTotal)
        return {binomialTest(x1, m, 0.5), Test::Binomial};
    const double z = (double(x1) - double(m) / 2) / std::sqrt(double(m) / 4);
    return {normalTwoSidedP(z), Test::CountZTest};
}

Interval ratioInterval(std::int64_t x1, std::int64_t n1, std::int64_t x2, std::int64_t n2, double z)
{
    if (x1 <= 0 || x2 <= 0 || n1 < x1 || n2 < x2)
        return {kNaN, kNaN};
    // MOVER on the log scale: each proportion's distance to its Wilson limits stands in for its
    // standard error on that side, so a proportion of 1 (x = n) still has a lower limit.
    const double t1 = std::log(double(x1) / double(n1));
    const double t2 = std::log(double(x2) / double(n2));
    const Interval w1 = wilsonInterval(x1, n1, z);
    const Interval w2 = wilsonInterval(x2, n2, z);
    const double below = std::hypot(t1 - std::log(w1.low), std::log(w2.high) - t2);
    const double above = std::hypot(std::log(w1.high) - t1, t2 - std::log(w2.low));
    return {std::exp(t1 - t2 - below), std::exp(t1 - t2 + above)};
}

Interval countRatioInterval(std::int64_t x1, std::int64_t x2, double z)
{
    if (x1 <= 0 || x2 <= 0)
        return {kNaN, kNaN};
    const double ratio = double(x1) / double(x2);
    const double se = std::sqrt(1 / double(x1) + 1 / double(x2));
    return {ratio * std::exp(-z * se), ratio * std::exp(z * se)};
}

Interval wilsonInterval(std::int64_t successes, std::int64_t n, double z)
{
    if (n <= 0)
        return {kNaN, kNaN};
    // centre - half cancels to rounding noise (1e-16, or 1 - 1e-16 at the top) when p is 0 or
    // 1. Each bound is instead written as distance from its end: centre² - half² = p²/(1 + z²/n),
    // so low = p² / ((1 + z²/n)(centre + half)), and the same for 1 - high with q = 1 - p. Both
    // are sums of non-negative terms: exactly 0 at p = 0, exactly 1 at p = 1, never outside [0, 1].
    const double nn = double(n);
    const double p = double(successes) / nn;
    const double q = double(n - successes) / nn;
    const double z2n = z * z / nn;
    const double half = z * std::sqrt(p * q / nn + z2n / (4 * nn)) / (1 + z2n);
    const double low = p * p / ((1 + z2n) * ((p + z2n / 2) / (1 + z2n) + half));
    const double fromTop = q * q / ((1 + z2n) * ((q + z2n / 2) / (1 + z2n) + half));
    return {std::clamp(low, 0.0, 1.0), std::clamp(1 - fromTop, 0.0, 1.0)};
}

std::vector<double> benjaminiHochberg(const std::vector<double> &p)
{
    std::vector<std::size_t> order;
    order.reserve(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (!std::isnan(p[i]))
            order.push_back(i);
    }
    // Largest p first; equal p-values keep their order (the adjusted values come out equal anyway).
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
    std::vector<double> q(p.size(), kNaN);
    const double m = double(order.size());
    double running = 1;
    for (std::size_t k = 0; k < order.size(); ++k) {
        const double rank = m - double(k); // rank of this p among the tests, smallest = 1
        running = std::min(running, m / rank * p[order[k]]);
        q[order[k]] = running;
    }
    return q;
}

Interval percentileInterval(std::vector<double> values, double level)
{
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }), values.end());
    if (values.empty())
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    std::sort(values.begin(), values.end());
    const auto percentile = [&values](double q) {
        const double at = q * double(values.size() - 1);
        const auto low = std::size_t(at);
        const std::size_t high = std::min(low + 1, values.size() - 1);
        return values[low] + (at - double(low)) * (values[high] - values[low]);
    };
    return {percentile((1 - level) / 2), percentile((1 + level) / 2)};
}

} // namespace Stats
