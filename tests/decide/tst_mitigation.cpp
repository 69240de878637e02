#include <cmath>

#include <QtTest>

#include "auditerror.h"
#include "mitigation.h"
#include "rng.h"

using namespace Audit;

// Group thresholds checked against independent searches written out here: every combination
// of every group's thresholds (exhaustive) for demographic parity and equal opportunity, and a
// fine grid of ROC points inside every group's achievable region for equalized odds.
class TestMitigation : public QObject
{
    Q_OBJECT

private:
    struct Data
    {
        std::vector<double> scores;
        std::vector<std::int8_t> labels;
        std::vector<std::int32_t> codes;
        QStringList names{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
        GroupedScores view() const { return {&scores, &labels, &codes, names}; }
    };
    // Three groups with different score distributions on a coarse grid (few distinct scores,
    // so every combination can be tried), labels drawn from the score; a few rows of no group.
    static Data small(std::uint64_t seed, int rows = 240)
    {
        Data d;
        Rng rng(seed);
        for (int i = 0; i < rows; ++i) {
            const auto g = std::int32_t(i % 3);
            const double shift = g == 0 ? 0.0 : g == 1 ? 0.15 : -0.1;
            const double s = std::clamp(double(rng.index(9)) / 8.0 * 0.8 + 0.1 + shift, 0.0, 1.0);
            d.scores.push_back(std::round(s * 20) / 20);
            d.labels.push_back(rng.uniform() < d.scores.back() ? 1 : 0);
            d.codes.push_back(i % 37 == 0 ? -1 : g);
        }
        return d;
    }
    static std::vector<double> thresholdsOf(const Data &d, std::int32_t g)
    {
        std::vector<double> s;
        for (std::size_t i = 0; i < d.scores.size(); ++i)
            if (d.codes[i] == g)
                s.push_back(d.scores[i]);
        std::sort(s.begin(), s.end());
        s.erase(std::unique(s.begin(), s.end()), s.end());
        std::vector<double> t = s; // each distinct score as a threshold, and one above them all
        t.push_back(s.back() + 0.01);
        return t;
    }
    struct Totals
    {
        double tp = 0, fp = 0, fn = 0, rows = 0;
        double pp[3] = {0, 0, 0}, n[3] = {0, 0, 0}, pos[3] = {0, 0, 0}, tpg[3] = {0, 0, 0};
    };
    static Totals count(const Data &d, const double t[3], double single)
    {
        Totals c;
        for (std::size_t i = 0; i < d.scores.size(); ++i) {
            const std::int32_t g = d.codes[i];
            const bool y = d.labels[i] != 0;
            const bool p = d.scores[i] >= (g >= 0 ? t[g] : single);
            c.rows += 1;
            c.tp += p && y;
            c.fp += p && !y;
            c.fn += !p && y;
            if (g >= 0) {
                c.n[g] += 1;
                c.pp[g] += p;
                c.pos[g] += y;
                c.tpg[g] += p && y;
            }
        }
        return c;
    }
    static double value(const Objective &o, const Totals &c)
    {
        if (o.kind == Objective::Kind::Cost)
            return (o.costFp * c.fp + o.costFn * c.fn) / c.rows;
        const double b2 = o.beta * o.beta;
        return (1 + b2) * c.tp / ((1 + b2) * c.tp + b2 * c.fn + c.fp);
    }

private Q_SLOTS:
    void parityAndOpportunity_equalExhaustiveSearch_data();
    void parityAndOpportunity_equalExhaustiveSearch();
    void equalizedOdds_equalRatesAndBeatsAGridOfCommonPoints();
    void tolerance_tradesTheObjectiveForDisparity();
    void badInput_isRefusedNamingIt();
};

void TestMitigation::parityAndOpportunity_equalExhaustiveSearch_data()
{
    QTest::addColumn<int>("constraint");
    QTest::addColumn<QString>("objective");
    QTest::addColumn<double>("tolerance");
    QTest::addColumn<int>("seed");
    for (const int c : {int(FairnessConstraint::DemographicParity), int(FairnessConstraint::EqualOpportunity)})
        for (const char *o : {"f1", "cost:3", "fbeta:2"})
            for (const double tol : {0.0, 0.02, 0.1})
                for (const int seed : {1, 2})
                    QTest::addRow("%s %s tol %.2f seed %d", c == 0 ? "DP" : "EOpp", o, tol, seed)
                        << c << QString::fromLatin1(o) << tol << seed;
}

void TestMitigation::parityAndOpportunity_equalExhaustiveSearch()
{
    QFETCH(int, constraint);
    QFETCH(QString, objective);
    QFETCH(double, tolerance);
    QFETCH(int, seed);
    const Data d = small(std::uint64_t(seed));
    const Objective o = Objective::parse(objective);
    const auto c = FairnessConstraint(constraint);
    const double single = 0.5;
    const MitigationReport r = fitGroupThresholds(d.view(), c, tolerance, o, single, QStringLiteral("g"));
    // Exhaustive: every threshold of every group; the constraint's rates within the tolerance.
    const std::vector<double> ta = thresholdsOf(d, 0), tb = thresholdsOf(d, 1), tc = thresholdsOf(d, 2);
    double best = o.minimise() ? 1e300 : -1e300;
    bool any = false;
    for (const double a : ta)
        for (const double b : tb)
            for (const double cc : tc) {
                const double t[3] = {a, b, cc};
                const Totals n = count(d, t, single);
                double lo = 1e9, hi = -1e9;
                for (int g = 0; g < 3; ++g) {
                    const double rate = c == FairnessConstraint::DemographicParity ? n.pp[g] / n.n[g] : n.tpg[g] / n.pos[g];
                    lo = std::min(lo, rate);
                    hi = std::max(hi, rate);
                }
                if (hi - lo > tolerance + 1e-12)
                    continue;
                any = true;
                const double v = value(o, n);
                best = o.minimise() ? std::min(best, v) : std::max(best, v);
            }
    QVERIFY(any);
    QVERIFY(r.found);
    QCOMPARE(r.rules.size(), std::size_t(3));
    const double t[3] = {r.rules[0].threshold, r.rules[1].threshold, r.rules[2].threshold};
    const Totals got = count(d, t, single);
    QVERIFY2(std::abs(value(o, got) - best) < 1e-12,
             qPrintable(QStringLiteral("fit %1, exhaustive %2").arg(value(o, got), 0, 'g', 17).arg(best, 0, 'g', 17)));
    // The fit's thresholds meet the constraint, and evaluateRules counts what the test counts.
    const MitigationOutcome after = evaluateRules(d.view(), r, true);
    QVERIFY(std::abs(after.value - value(o, got)) < 1e-12);
    const double gap = c == FairnessConstraint::DemographicParity ? after.pprGap : after.tprGap;
    QVERIFY2(gap <= tolerance + 1e-12, qPrintable(QString::number(gap)));
}

void TestMitigation::equalizedOdds_equalRatesAndBeatsAGridOfCommonPoints()
{
    for (const char *spec : {"f1", "cost:fp=1,fn=4"}) {
        const Data d = small(7, 600);
        const Objective o = Objective::parse(QString::fromLatin1(spec));
        const MitigationReport r = fitGroupThresholds(d.view(), FairnessConstraint::EqualizedOdds, 0, o, 0.5,
                                                      QStringLiteral("g"));
        const MitigationOutcome after = evaluateRules(d.view(), r, true);
        // In expectation over the mixing, every group has the same TPR and FPR.
        QVERIFY2(after.tprGap < 1e-9 && after.fprGap < 1e-9,
                 qPrintable(QStringLiteral("%1 %2").arg(after.tprGap).arg(after.fprGap)));
        for (const GroupRule &g : r.rules) {
            double sum = 0;
            for (const auto &[t, p] : g.mix)
                sum += p;
            QVERIFY(g.mix.empty() || std::abs(sum - 1) < 1e-12);
            QVERIFY(g.mix.size() <= 3);
        }
        // Independent check: any common (FPR, TPR) every group can reach by mixing its
        // thresholds (a point inside each group's ROC hull, tested by the half-planes of the
        // hull's edges written out here) is no better than the fit.
        std::vector<std::vector<std::pair<double, double>>> points(3);
        double P[3] = {0, 0, 0}, N[3] = {0, 0, 0};
        for (std::size_t i = 0; i < d.scores.size(); ++i)
            if (d.codes[i] >= 0)
                (d.labels[i] ? P : N)[d.codes[i]] += 1;
        for (int g = 0; g < 3; ++g)
            for (const double t : thresholdsOf(d, g)) {
                double tp = 0, fp = 0;
                for (std::size_t i = 0; i < d.scores.size(); ++i)
                    if (d.codes[i] == g && d.scores[i] >= t)
                        (d.labels[i] ? tp : fp) += 1;
                points[std::size_t(g)].push_back({fp / N[g], tp / P[g]});
            }
        // A point is reachable when it is a convex combination of the group's points: inside
        // their hull; checked here by "no separating line through it among the pairs of points".
        const auto reachable = [&](int g, double x, double y) {
            const auto &pts = points[std::size_t(g)];
            for (std::size_t i = 0; i < pts.size(); ++i)
                for (std::size_t j = 0; j < pts.size(); ++j)
                    for (std::size_t k = 0; k < pts.size(); ++k) {
                        const auto [ax, ay] = pts[i];
                        const auto [bx, by] = pts[j];
                        const auto [cx, cy] = pts[k];
                        const double area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
                        if (std::abs(area) < 1e-12)
                            continue;
                        const double wa = ((bx - x) * (cy - y) - (by - y) * (cx - x)) / area;
                        const double wb = ((x - ax) * (cy - ay) - (y - ay) * (cx - ax)) / area;
                        if (wa >= -1e-12 && wb >= -1e-12 && 1 - wa - wb >= -1e-12)
                            return true;
                    }
            return false;
        };
        double fixedTp = 0, fixedFp = 0, fixedFn = 0;
        for (std::size_t i = 0; i < d.scores.size(); ++i)
            if (d.codes[i] < 0) {
                const bool p = d.scores[i] >= 0.5;
                fixedTp += p && d.labels[i];
                fixedFp += p && !d.labels[i];
                fixedFn += !p && d.labels[i];
            }
        int tried = 0;
        for (int xi = 0; xi <= 20; ++xi)
            for (int yi = 0; yi <= 20; ++yi) {
                const double x = xi / 20.0, y = yi / 20.0;
                if (!reachable(0, x, y) || !reachable(1, x, y) || !reachable(2, x, y))
                    continue;
                ++tried;
                Totals c;
                c.rows = double(d.scores.size());
                c.tp = fixedTp + y * (P[0] + P[1] + P[2]);
                c.fn = fixedFn + (1 - y) * (P[0] + P[1] + P[2]);
                c.fp = fixedFp + x * (N[0] + N[1] + N[2]);
                const double v = value(o, c);
                QVERIFY2(o.minimise() ? v >= after.value - 1e-9 : v <= after.value + 1e-9,
                         qPrintable(QStringLiteral("%1 at (%2, %3) beats the fit's %4").arg(v).arg(x).arg(y).arg(after.value)));
            }
        QVERIFY(tried > 20);
    }
}

void TestMitigation::tolerance_tradesTheObjectiveForDisparity()
{
    // Looser tolerances can only keep or improve the objective, and the disparity stays within
    // each: the trade-off the Pareto front plots.
    const Data d = small(3, 900);
    double previous = -1;
    for (const double tol : {0.0, 0.01, 0.05, 0.1, 0.3, 1.0}) {
        const MitigationReport r = fitGroupThresholds(d.view(), FairnessConstraint::EqualOpportunity, tol, Objective{}, 0.5,
                                                      QStringLiteral("g"));
        const MitigationOutcome o = evaluateRules(d.view(), r, true);
        QVERIFY(o.tprGap <= tol + 1e-12);
        QVERIFY(o.value >= previous - 1e-12);
        previous = o.value;
    }
    // Unconstrained (tolerance 1), the group thresholds do at least as well as one threshold.
    const MitigationReport free = fitGroupThresholds(d.view(), FairnessConstraint::EqualOpportunity, 1.0, Objective{}, 0.5,
                                                     QStringLiteral("g"));
    QVERIFY(evaluateRules(d.view(), free, true).value >= evaluateRules(d.view(), free, false).value - 1e-12);
}

void TestMitigation::badInput_isRefusedNamingIt()
{
    const Data d = small(1);
    const auto message = [&](auto f) {
        try {
            f();
        } catch (const OptionError &e) {
            return e.message();
        }
        return QString();
    };
    QVERIFY(message([&] {
                fitGroupThresholds(d.view(), FairnessConstraint::EqualOpportunity, 0,
                                   Objective::parse(QStringLiteral("recall:0.9")), 0.5, QStringLiteral("g"));
            }).contains(QStringLiteral("F-beta or an expected cost")));
    QVERIFY(message([&] {
                fitGroupThresholds(d.view(), FairnessConstraint::EqualOpportunity, 1.5, Objective{}, 0.5, QStringLiteral("g"));
            }).contains(QStringLiteral("tolerance 1.5")));
    Data one = d;
    for (std::size_t i = 0; i < one.codes.size(); ++i)
        if (one.codes[i] == 2)
            one.labels[i] = 0;
    QVERIFY(message([&] {
                fitGroupThresholds(one.view(), FairnessConstraint::EqualOpportunity, 0, Objective{}, 0.5, QStringLiteral("g"));
            }).contains(QStringLiteral("group \"c\" of g has negatives only")));
    QVERIFY(
        message([] { parseConstraint(QStringLiteral("equal_odds")); }).contains(QStringLiteral("unknown fairness constraint")));
    QCOMPARE(parseConstraint(QStringLiteral("Equalized_Odds")), FairnessConstraint::EqualizedOdds);
}

QTEST_GUILESS_MAIN(TestMitigation)
#include "tst_mitigation.moc"
