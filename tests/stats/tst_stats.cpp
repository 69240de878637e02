#include <QtTest>

#include <cmath>
#include <random>

#include "significance.h"
#include "statcheck.h"

using namespace Stats;

// Reference values come from R's documented examples and from published outputs, cited at
// each check; every other expectation is recomputed here from the formula, independently of
// significance.cpp (direct binomial coefficients instead of its log-ratio recurrences).
class TestStats : public QObject
{
    Q_OBJECT

private:
    static bool close(double a, double b, double tol) { return std::abs(a - b) <= tol; }
    // ln C(n, k) from lgamma, the textbook way.
    static double lchoose(std::int64_t n, std::int64_t k)
    {
        return std::lgamma(double(n + 1)) - std::lgamma(double(k + 1)) - std::lgamma(double(n - k + 1));
    }
    // Fisher's two-sided p by the definition: every table with the margins of [[a, b], [c, d]]
    // whose hypergeometric probability is at most the observed one's.
    static double fisherByDefinition(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d)
    {
        const std::int64_t r1 = a + b, r2 = c + d, c1 = a + c, n = r1 + r2;
        const auto prob = [&](std::int64_t x) { return std::exp(lchoose(r1, x) + lchoose(r2, c1 - x) - lchoose(n, c1)); };
        const double observed = prob(a);
        double p = 0;
        for (std::int64_t x = std::max<std::int64_t>(0, c1 - r2); x <= std::min(r1, c1); ++x) {
            if (prob(x) <= observed * (1 + 1e-7))
                p += prob(x);
        }
        return std::min(1.0, p);
    }

private Q_SLOTS:
    void fisher_matchesR()
    {
        // R, ?fisher.test: TeaTasting <- matrix(c(3, 1, 1, 3), nrow = 2); fisher.test(TeaTasting)
        // prints p-value = 0.4857 (exactly 17/35).
        QVERIFY(close(fisherExact(3, 1, 1, 3), 17.0 / 35.0, 1e-12));
        // R, ?fisher.test: Convictions <- matrix(c(2, 10, 15, 3), nrow = 2); two-sided p-value = 0.0005367.
        QVERIFY(close(fisherExact(2, 15, 10, 3), 0.0005367, 5e-8));
        // Transposing or swapping rows leaves the two-sided p unchanged.
        QVERIFY(close(fisherExact(2, 10, 15, 3), fisherExact(2, 15, 10, 3), 1e-15));
        QVERIFY(close(fisherExact(10, 3, 2, 15), fisherExact(2, 15, 10, 3), 1e-15));
    }
    void fisher_matchesTheDefinition()
    {
        std::mt19937_64 rng(20261202);
        std::uniform_int_distribution<int> cell(0, 40);
        for (int i = 0; i < 300; ++i) {
            const int a = cell(rng), b = cell(rng), c = cell(rng), d = cell(rng);
            const double expected = fisherByDefinition(a, b, c, d);
            QVERIFY2(close(fisherExact(a, b, c, d), expected, 1e-10 * std::max(1.0, expected)),
                     qPrintable(QStringLiteral("[[%1,%2],[%3,%4]]: %5 vs %6")
                                    .arg(a)
                                    .arg(b)
                                    .arg(c)
                                    .arg(d)
                                    .arg(fisherExact(a, b, c, d), 0, 'g', 17)
                                    .arg(expected, 0, 'g', 17)));
        }
        QCOMPARE(fisherExact(0, 0, 5, 5), 1.0); // one table only
        QVERIFY(std::isnan(fisherExact(-1, 2, 3, 4)));
    }
    void zTest_matchesR()
    {
        // R prop.test(matrix(c(94, 120, 39, 89), ncol = 2, byrow = TRUE), correct = FALSE):
        // "X-squared = 6.1026, df = 1, p-value = 0.01350", sample estimates 0.4392523 and
        // 0.3046875 (influentialpoints.com/notes/n9rmf3.htm). X-squared is z².
        const double z = twoProportionZ(94, 214, 39, 128);
        QVERIFY(close(z * z, 6.1026, 5e-5));
        QVERIFY(close(normalTwoSidedP(z), 0.01350, 5e-6));
        // The formula, written out: pooled p, standard error, two-sided normal tail.
        const double p1 = 94.0 / 214, p2 = 39.0 / 128, pooled = 133.0 / 342;
        const double zz = (p1 - p2) / std::sqrt(pooled * (1 - pooled) * (1.0 / 214 + 1.0 / 128));
        QVERIFY(close(z, zz, 1e-13));
        QVERIFY(close(normalTwoSidedP(zz), 2 * (1 - 0.5 * std::erfc(-zz / std::sqrt(2.0))), 1e-12));
        QCOMPARE(twoProportionZ(0, 10, 0, 20), 0.0); // both 0: no difference, no division by zero
    }
    void compareProportions_picksTheTestBySize()
    {
        // 342 rows in all: Fisher.
        TestResult small = compareProportions(94, 214, 39, 128);
        QCOMPARE(small.test, Test::Fisher);
        QVERIFY(close(small.p, fisherByDefinition(94, 120, 39, 89), 1e-10));
        // 2,000 rows, every expected cell >= 5: the z-test.
        TestResult large = compareProportions(400, 1000, 350, 1000);
        QCOMPARE(large.test, Test::ZTest);
        QVERIFY(close(large.p, normalTwoSidedP(twoProportionZ(400, 1000, 350, 1000)), 1e-15));
        // Large but a rare outcome (expected successes in the small group < 5): Fisher.
        TestResult rare = compareProportions(1, 40, 30, 5000);
        QCOMPARE(rare.test, Test::Fisher);
        QVERIFY(close(rare.p, fisherByDefinition(1, 39, 30, 4970), 1e-10));
        // No denominator: no test.
        QCOMPARE(compareProportions(0, 0, 3, 10).test, Test::None);
        QVERIFY(std::isnan(compareProportions(0, 0, 3, 10).p));
        QCOMPARE(compareProportions(11, 10, 3, 10).test, Test::None); // more successes than trials
    }
    void binomial_matchesR()
    {
        // R, ?binom.test: binom.test(c(682, 243), p = 3/4) prints p-value = 0.3825.
        QVERIFY(close(binomialTest(682, 925, 0.75), 0.3825, 5e-5));
        // Symmetric at p = 1/2: twice the smaller tail, by direct sum.
        double tail = 0;
        for (int y = 0; y <= 7; ++y)
            tail += std::exp(lchoose(20, y) - 20 * std::log(2.0));
        QVERIFY(close(binomialTest(7, 20, 0.5), 2 * tail, 1e-12));
        QCOMPARE(binomialTest(10, 20, 0.5), 1.0);
        TestResult counts = compareCounts(7, 13);
        QCOMPARE(counts.test, Test::Binomial);
        QVERIFY(close(counts.p, 2 * tail, 1e-12));
        TestResult big = compareCounts(900, 1100);
        QCOMPARE(big.test, Test::CountZTest);
        QVERIFY(close(big.p, normalTwoSidedP((900 - 1000) / std::sqrt(500.0)), 1e-15));
        QCOMPARE(compareCounts(0, 0).test, Test::None);
    }
    void benjaminiHochberg_textbookExample()
    {
        // Benjamini & Hochberg (1995), J. R. Statist. Soc. B 57(1), section 3.2: 15 p-values;
        // at q* = 0.05 the procedure rejects the four smallest.
        const std::vector<double> p = {0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
                                       0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000};
        const std::vector<double> q = benjaminiHochberg(p);
        int rejected = 0;
        for (double v : q)
            rejected += v <= 0.05;
        QCOMPARE(rejected, 4);
        // q_(i) = min over j >= i of m p_(j) / j, as R's p.adjust(method = "BH").
        const double m = double(p.size());
        for (std::size_t i = 0; i < p.size(); ++i) {
            double expected = 1;
            for (std::size_t j = i; j < p.size(); ++j)
                expected = std::min(expected, m * p[j] / double(j + 1));
            QVERIFY2(close(q[i], expected, 1e-15), qPrintable(QString::number(i)));
        }
        QVERIFY(close(q[3], 0.035625, 1e-15)); // 15 × 0.0095 / 4
    }
    void benjaminiHochberg_skipsNaNAndKeepsOrder()
    {
        const double nan = std::nan("");
        const std::vector<double> q = benjaminiHochberg({0.04, nan, 0.01, 0.03, 0.04});
        QVERIFY(std::isnan(q[1]));
        // Four tests: sorted 0.01, 0.03, 0.04, 0.04 -> 0.04, 0.04, 0.04, 0.04.
        QVERIFY(close(q[0], 0.04, 1e-15) && close(q[2], 0.04, 1e-15) && close(q[3], 0.04, 1e-15) && close(q[4], 0.04, 1e-15));
        QVERIFY(benjaminiHochberg({}).empty());
        const std::vector<double> one = benjaminiHochberg({0.2});
        QCOMPARE(one[0], 0.2);
    }
    void ratioIntervals_moverAndCountRatio()
    {
        const double z = kZ95;
        // (30/100) / (20/200) = 3: MOVER with Wilson limits, recomputed from the formulas.
        const Interval r = ratioInterval(30, 100, 20, 200, z);
        const auto [low, high] = StatCheck::moverRatio(30, 100, 20, 200);
        QVERIFY(close(r.low, low, 1e-12) && close(r.high, high, 1e-12));
        QVERIFY(r.low < 3 && r.high > 3);
        // The same with the numbers written out (python3, math only): Wilson(30, 100) = (0.2189,
        // 0.3958), Wilson(20, 200) = (0.0657, 0.1494); low = 3 exp(-hypot(log(0.3 / 0.2189),
        // log(0.1494 / 0.1))) = 1.801, high = 3 exp(hypot(log(0.3958 / 0.3), log(0.1 / 0.0657))) = 4.964.
        QVERIFY2(close(r.low, 1.801, 0.001) && close(r.high, 4.964, 0.001),
                 qPrintable(QStringLiteral("%1 %2").arg(r.low).arg(r.high)));
        QVERIFY(std::isnan(ratioInterval(0, 100, 20, 200, z).low)); // log of 0: no interval
        // A proportion of 1 keeps a real lower limit: 4 of 4 against 1,100 of 1,500 (Katz's
        // method gave 1.31-1.40 here, while Fisher's p is about 0.58).
        const Interval all = ratioInterval(4, 4, 1100, 1500, z);
        QVERIFY2(all.low < 1 && all.high > 1.36, qPrintable(QStringLiteral("%1 %2").arg(all.low).arg(all.high)));
        const Interval c = countRatioInterval(50, 40, z);
        const double sc = std::sqrt(1.0 / 50 + 1.0 / 40);
        QVERIFY(close(c.low, 1.25 * std::exp(-z * sc), 1e-12) && close(c.high, 1.25 * std::exp(z * sc), 1e-12));
        QVERIFY(std::isnan(countRatioInterval(0, 4, z).high));
    }
    void intervalCoverage_nearNominal()
    {
        // Seeded simulations: the 95% ratio interval covers the true ratio about 95% of the time,
        // in a comfortable case and near the boundary (small groups, a proportion near 1).
        struct Case
        {
            int n1;
            double p1;
            int n2;
            double p2;
            double low, high;
        };
        for (const Case &c : {Case{400, 0.3, 600, 0.2, 0.935, 0.965}, Case{12, 0.9, 800, 0.6, 0.92, 0.985}}) {
            std::mt19937_64 rng(7);
            std::binomial_distribution<int> g1(c.n1, c.p1), g2(c.n2, c.p2);
            int covered = 0, runs = 0;
            for (int i = 0; i < 4000; ++i) {
                const Interval r = ratioInterval(g1(rng), c.n1, g2(rng), c.n2, kZ95);
                if (std::isnan(r.low))
                    continue; // a count of 0: no interval, and no claim
                ++runs;
                covered += r.low <= c.p1 / c.p2 && c.p1 / c.p2 <= r.high;
            }
            const double share = double(covered) / runs;
            QVERIFY2(share > c.low && share < c.high, qPrintable(QStringLiteral("n1 %1: %2").arg(c.n1).arg(share)));
        }
    }
    void names()
    {
        QCOMPARE(QString::fromLatin1(testName(Test::Fisher)), QStringLiteral("fisher"));
        QCOMPARE(QString::fromLatin1(testName(Test::ZTest)), QStringLiteral("z"));
        QCOMPARE(QString::fromLatin1(testName(Test::None)), QString());
    }
};

QTEST_GUILESS_MAIN(TestStats)
#include "tst_stats.moc"
