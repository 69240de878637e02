#pragma once

#include <cstdint>
#include <limits>
#include <vector>

// Significance of differences between rates computed from confusion counts, and the
// Benjamini–Hochberg false-discovery-rate correction. Every p-value is two-sided. NaN means
// "no test": a rate with an empty denominator on either side. docs/metrics.md says which
// test each verdict uses.
namespace Stats {

struct Interval
{
    double low = 0;
    double high = 0;
};

enum class Test {
    None, // not tested: an empty denominator
    Fisher, // Fisher's exact test on the 2×2 table
    ZTest, // pooled two-proportion z-test
    Binomial, // exact conditional binomial test of two counts
    CountZTest // normal approximation of that binomial test
};

struct TestResult
{
    double p = std::numeric_limits<double>::quiet_NaN();
    Test test = Test::None;
};

// Tables whose total is at most this, or with an expected cell below kMinExpectedCell, get
// Fisher's exact test; larger ones the z-test.
inline constexpr std::int64_t kFisherMaxTotal = 1000;
inline constexpr double kMinExpectedCell = 5;

double normalTwoSidedP(double z); // P(|Z| >= |z|)

// Fisher's exact test, two-sided, on [[a, b], [c, d]]: the sum of the probabilities of every
// table with the same margins no more likely than this one (R's fisher.test rule, relative
// tolerance 1e-7).
double fisherExact(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d);

// The pooled two-proportion z statistic for x1/n1 against x2/n2 (0 when both rates are 0 or 1).
double twoProportionZ(std::int64_t x1, std::int64_t n1, std::int64_t x2, std::int64_t n2);

// x1/n1 against x2/n2: Fisher for small tables (see kFisherMaxTotal), else the z-test.
// No test when n1 or n2 is 0.
TestResult compareProportions(std::int64_t x1, std::int64_t n1, std::int64_t x2, std::int64_t n2);

// Exact two-sided binomial test of x successes in n at probability p (R's binom.test rule).
double binomialTest(std::int64_t x, std::int64_t n, double p);

// Two counts with equal expectation under the null (x1 + x2 fixed: x1 ~ Bin(x1 + x2, 1/2)):
// exact up to kFisherMaxTotal, normal approximation above. No test when both are 0.
TestResult compareCounts(std::int64_t x1, std::int64_t x2);

// 95% (or any z) interval for the ratio r = (x1/n1) / (x2/n2) of two independent proportions:
// MOVER on the log scale with Wilson limits (Zou & Donner 2008, Stat Med 27:1693; Fagerland,
// Lydersen & Laake 2015 recommend it): with t = log p and (l, u) the logs of p's Wilson limits,
//   low  = r exp(-sqrt((t1 - l1)^2 + (u2 - t2)^2)),  high = r exp(sqrt((u1 - t1)^2 + (t2 - l2)^2)).
// Unlike Katz's log method it stays honest when a proportion is 1 (x = n). NaN bounds when x1
// or x2 is 0 (the log ratio is unbounded).
Interval ratioInterval(std::int64_t x1, std::int64_t n1, std::int64_t x2, std::int64_t n2, double z);

// Interval for the ratio of two counts x1 / x2 (multinomial, var of the log = 1/x1 + 1/x2).
Interval countRatioInterval(std::int64_t x1, std::int64_t x2, double z);

// Wilson score interval for `successes` of `n` at normal quantile z. NaN bounds when n = 0.
// Ensures: 0 <= low <= high <= 1; low is exactly 0 when successes = 0, high exactly 1 when
//          successes = n.
Interval wilsonInterval(std::int64_t successes, std::int64_t n, double z);

// Benjamini–Hochberg adjusted p-values (q-values, as R's p.adjust(method = "BH")). NaN entries
// are not tests: they stay NaN and do not count towards the number of tests.
std::vector<double> benjaminiHochberg(const std::vector<double> &p);

inline constexpr double kZ95 = 1.959963984540054;

// The central `level` interval of `values` (a bootstrap's resampled statistics): the
// (1 - level) / 2 and (1 + level) / 2 percentiles, linearly interpolated as numpy.percentile
// does. NaN bounds when `values` is empty; NaN entries are left out.
Interval percentileInterval(std::vector<double> values, double level = 0.95);

// "fisher", "z", "binomial", "binomial_z"; "" for None.
const char *testName(Test test);

} // namespace Stats
