#include <cmath>
#include <random>

#include <QtTest>

#include "auditerror.h"
#include "metrics.h"
#include "operatingpoint.h"
#include "rng.h"

using namespace Audit;

// Operating points checked against brute force written out here: every threshold tried, the
// confusion counted row by row with computeMetrics (score >= threshold), the objective worked
// out from its definition.
class TestOperatingPoint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_acceptsEachFormAndNamesWhatIsWrong();
    void fBeta_equalsBruteForceAndBestThreshold();
    void cost_onCalibratedScoresFindsTheBayesThreshold();
    void cost_equalsBruteForce();
    void recallTarget_bestPrecisionAmongFeasible();
    void precisionTarget_unreachableSaysSo();
    void positiveRate_nearestTarget();
    void oneClass_isRefused();
    void bootstrap_isSeededAndCoversTheTruth();
    void report_jsonAndTextAgree();

private:
    struct Data
    {
        std::vector<double> scores;
        std::vector<std::int8_t> labels;
    };
    // Scores on a grid of 0.01 with ties, labels drawn with P(positive) = score^2 (miscalibrated).
    static Data small(std::size_t n = 800, std::uint64_t seed = 5)
    {
        Data d;
        Rng rng(seed);
        for (std::size_t i = 0; i < n; ++i) {
            const double s = double(rng.index(101)) / 100.0;
            d.scores.push_back(s);
            d.labels.push_back(rng.uniform() < s * s ? 1 : 0);
        }
        return d;
    }
    // Every candidate: each distinct score, midpoints and just above the top.
    static std::vector<double> candidates(const Data &d)
    {
        std::vector<double> s = d.scores;
        std::sort(s.begin(), s.end());
        s.erase(std::unique(s.begin(), s.end()), s.end());
        std::vector<double> out = s;
        for (std::size_t i = 0; i + 1 < s.size(); ++i)
            out.push_back((s[i] + s[i + 1]) / 2);
        out.push_back(std::nextafter(s.back(), 2.0));
        return out;
    }
    static Confusion at(const Data &d, double t) { return computeMetrics(d.scores, d.labels, t).confusion; }
};

void TestOperatingPoint::parse_acceptsEachFormAndNamesWhatIsWrong()
{
    QCOMPARE(Objective::parse(QStringLiteral("f1")).spec(), QStringLiteral("f1"));
    QCOMPARE(Objective::parse(QStringLiteral("fbeta:2")).beta, 2.0);
    const Objective ratio = Objective::parse(QStringLiteral("cost:5"));
    QCOMPARE(ratio.costFp, 1.0);
    QCOMPARE(ratio.costFn, 5.0);
    QCOMPARE(ratio.spec(), QStringLiteral("cost:fp=1,fn=5"));
    QCOMPARE(Objective::parse(QStringLiteral(" Cost:fn=2, fp=3 ")).costFp, 3.0);
    QCOMPARE(Objective::parse(QStringLiteral("recall:0.9")).kind, Objective::Kind::Recall);
    QCOMPARE(Objective::parse(QStringLiteral("precision:0.8")).target, 0.8);
    QCOMPARE(Objective::parse(QStringLiteral("ppr:0")).kind, Objective::Kind::PositiveRate);
    const std::pair<const char *, const char *> bad[] = {
        {"f2", "unknown objective"},
        {"fbeta:x", "beta \"x\" is not a number"},
        {"fbeta:0", "beta must be in [0.01, 100]"},
        {"fbeta:1e-308", "beta must be in [0.01, 100]"},
        {"cost:fp=1,fn=1,fn=2", "fn is given twice"},
        {"cost:fp=1", "give both costs"},
        {"cost:fp=1,fn=-2", "costs must be 0 to 1e9"},
        {"cost:fp=0,fn=0", "not both 0"},
        {"cost:0", "a cost ratio above 0"},
        {"cost:tp=1,fn=2", "\"tp=1\" is not fp=A or fn=B"},
        {"cost:nan", "cost ratio \"nan\" is not a number"},
        {"recall:0", "the target must be in (0, 1]"},
        {"precision:1.5", "the target must be in (0, 1]"},
        {"ppr:-0.1", "the target rate must be in [0, 1]"},
        {"recall", "target \"\" is not a number"},
    };
    for (const auto &[text, why] : bad) {
        try {
            Objective::parse(QString::fromLatin1(text));
            QFAIL(text);
        } catch (const OptionError &e) {
            QCOMPARE(e.field(), QStringLiteral("objective"));
            QVERIFY2(e.message().contains(QString::fromLatin1(why)) && e.message().contains(QString::fromLatin1(text)),
                     qPrintable(e.message()));
        }
    }
}

void TestOperatingPoint::fBeta_equalsBruteForceAndBestThreshold()
{
    const Data d = small();
    for (const double beta : {1.0, 2.0, 0.5}) {
        Objective o;
        o.beta = beta;
        const OperatingPointReport r = optimiseThreshold(d.scores, d.labels, o, 0.5, 0);
        double best = -1;
        for (const double t : candidates(d))
            best = std::max(best, fBeta(at(d, t), beta));
        QCOMPARE(r.best.value, best);
        QCOMPARE(fBeta(at(d, r.best.threshold), beta), best); // the threshold really gives it
        QCOMPARE(r.best.threshold, bestThreshold(d.scores, d.labels, beta));
        const Confusion c = at(d, r.best.threshold);
        QCOMPARE(r.best.confusion.tp, c.tp);
        QCOMPARE(r.best.confusion.fp, c.fp);
        QCOMPARE(r.best.confusion.fn, c.fn);
        QCOMPARE(r.best.confusion.tn, c.tn);
    }
}

void TestOperatingPoint::cost_onCalibratedScoresFindsTheBayesThreshold()
{
    // Perfectly calibrated scores (label ~ Bernoulli(score)): the expected cost is least at
    // FP cost / (FP cost + FN cost), here 1 / 6, in theory; the data's optimum is near it and
    // the bootstrap interval of the threshold holds it.
    Data d;
    Rng rng(11);
    for (int i = 0; i < 200000; ++i) {
        const double s = double(rng.index(1001)) / 1000.0;
        d.scores.push_back(s);
        d.labels.push_back(rng.uniform() < s ? 1 : 0);
    }
    const Objective o = Objective::parse(QStringLiteral("cost:5"));
    QCOMPARE(o.bayesThreshold(), 1.0 / 6.0);
    const OperatingPointReport r = optimiseThreshold(d.scores, d.labels, o, 0.5, 100);
    QVERIFY2(std::abs(r.best.threshold - 1.0 / 6.0) < 0.02, qPrintable(QString::number(r.best.threshold)));
    QVERIFY2(r.thresholdCi.low <= 1.0 / 6.0 && 1.0 / 6.0 <= r.thresholdCi.high,
             qPrintable(QStringLiteral("%1 %2").arg(r.thresholdCi.low).arg(r.thresholdCi.high)));
    // At 0.5 the cost is higher: the report compares.
    QVERIFY(r.current.cost > r.best.cost);
    QCOMPARE(r.current.threshold, 0.5);
}

void TestOperatingPoint::cost_equalsBruteForce()
{
    const Data d = small(600, 9);
    for (const QString &spec :
         {QStringLiteral("cost:fp=1,fn=5"), QStringLiteral("cost:fp=3,fn=1"), QStringLiteral("cost:fp=0,fn=1")}) {
        const Objective o = Objective::parse(spec);
        const OperatingPointReport r = optimiseThreshold(d.scores, d.labels, o, 0.5, 0);
        double best = 1e300;
        double bestT = -1;
        for (const double t : candidates(d)) {
            const Confusion c = at(d, t);
            const double cost = (o.costFp * double(c.fp) + o.costFn * double(c.fn)) / double(d.scores.size());
            if (cost < best - 1e-15 || (std::abs(cost - best) <= 1e-15 && t > bestT)) {
                best = cost;
                bestT = t;
            }
        }
        QVERIFY2(std::abs(r.best.value - best) < 1e-12, qPrintable(spec));
        const Confusion c = at(d, r.best.threshold);
        QVERIFY(std::abs((o.costFp * double(c.fp) + o.costFn * double(c.fn)) / double(d.scores.size()) - best) < 1e-12);
    }
    // FP costing nothing: everything positive is optimal (no false negative).
    const OperatingPointReport free = optimiseThreshold(d.scores, d.labels, Objective::parse(QStringLiteral("cost:fp=0,fn=1")),
                                                        0.5, 0);
    QCOMPARE(free.best.confusion.fn, std::int64_t(0));
}

void TestOperatingPoint::recallTarget_bestPrecisionAmongFeasible()
{
    const Data d = small();
    for (const double target : {0.5, 0.9, 0.99}) {
        Objective o;
        o.kind = Objective::Kind::Recall;
        o.target = target;
        const OperatingPointReport r = optimiseThreshold(d.scores, d.labels, o, 0.5, 50);
        double best = -1;
        for (const double t : candidates(d)) {
            const Confusion c = at(d, t);
            const double recall = double(c.tp) / double(c.tp + c.fn);
            if (recall >= target && c.tp + c.fp > 0)
                best = std::max(best, double(c.tp) / double(c.tp + c.fp));
        }
        QVERIFY(r.found);
        QCOMPARE(r.best.value, best);
        QVERIFY(r.best.recall >= target);
        QVERIFY(r.feasibleShare > 0 && r.feasibleShare <= 1);
        QVERIFY(r.toText().contains(QStringLiteral("the target holds at this threshold in")));
    }
}

void TestOperatingPoint::precisionTarget_unreachableSaysSo()
{
    // The top score is a negative: precision 1 is out of reach at every cut.
    Data d;
    d.scores = {0.9, 0.8, 0.8, 0.4, 0.3, 0.1};
    d.labels = {0, 1, 0, 1, 0, 0};
    Objective o = Objective::parse(QStringLiteral("precision:1"));
    const OperatingPointReport r = optimiseThreshold(d.scores, d.labels, o, 0.5, 0);
    QVERIFY(!r.found);
    QVERIFY(!r.best.feasible);
    QVERIFY(r.toText().contains(QStringLiteral("no threshold reaches the target")));
    QCOMPARE(r.toJson().value(QStringLiteral("found")).toBool(true), false);
    // Precision 0.5 holds only at the cut 0.35 (TP 2, FP 2; 0.6 gives 1 of 3, 0.2 gives 2 of 5).
    o = Objective::parse(QStringLiteral("precision:0.5"));
    const OperatingPointReport half = optimiseThreshold(d.scores, d.labels, o, 0.5, 0);
    QVERIFY(half.found);
    QCOMPARE(half.best.threshold, 0.35);
    QCOMPARE(half.best.recall, 1.0);
}

void TestOperatingPoint::positiveRate_nearestTarget()
{
    const Data d = small();
    Objective o = Objective::parse(QStringLiteral("ppr:0.3"));
    const OperatingPointReport r = optimiseThreshold(d.scores, d.labels, o, 0.5, 0);
    double nearest = 1e9;
    for (const double t : candidates(d)) {
        const Confusion c = at(d, t);
        nearest = std::min(nearest, std::abs(double(c.tp + c.fp) / double(d.scores.size()) - 0.3));
    }
    QCOMPARE(std::abs(r.best.positiveRate - 0.3), nearest);
    // Rate 0: nothing positive, the cut just above the top score, when that is below 1; with
    // scores of 1 (no threshold in [0, 1] excludes them) the rows scoring 1 stay positive.
    const OperatingPointReport ones = optimiseThreshold(d.scores, d.labels, Objective::parse(QStringLiteral("ppr:0")), 0.5, 0);
    QCOMPARE(ones.best.threshold, (0.99 + 1.0) / 2); // midway to the next score: only the ones
    QCOMPARE(ones.best.positiveRate, double(std::count(d.scores.begin(), d.scores.end(), 1.0)) / double(d.scores.size()));
    Data below = d;
    for (double &v : below.scores)
        v *= 0.99;
    const OperatingPointReport none = optimiseThreshold(below.scores, below.labels, Objective::parse(QStringLiteral("ppr:0")),
                                                        0.5, 0);
    QCOMPARE(none.best.positiveRate, 0.0);
    QVERIFY(none.best.threshold > *std::max_element(below.scores.begin(), below.scores.end()));
    QVERIFY(none.best.threshold <= 1);
}

void TestOperatingPoint::oneClass_isRefused()
{
    try {
        optimiseThreshold({0.1, 0.2}, {0, 0}, Objective{}, 0.5);
        QFAIL("accepted");
    } catch (const OptionError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("negatives only")), qPrintable(e.message()));
    }
}

void TestOperatingPoint::bootstrap_isSeededAndCoversTheTruth()
{
    const Data d = small(3000, 3);
    const OperatingPointReport a = optimiseThreshold(d.scores, d.labels, Objective{}, 0.5, 200, 42);
    const OperatingPointReport b = optimiseThreshold(d.scores, d.labels, Objective{}, 0.5, 200, 42);
    const OperatingPointReport c = optimiseThreshold(d.scores, d.labels, Objective{}, 0.5, 200, 43);
    QCOMPARE(a.thresholdCi.low, b.thresholdCi.low);
    QCOMPARE(a.valueCi.high, b.valueCi.high);
    QVERIFY(a.valueCi.low != c.valueCi.low || a.valueCi.high != c.valueCi.high);
    QVERIFY(a.valueCi.low < a.best.value && a.best.value < a.valueCi.high + 1e-12);
    // Coverage: the data come from a known process (scores uniform on the 101 grid points,
    // P(positive | s) = s^2), so the population F1 at a threshold t is exact:
    // F1 = 2 TP / (2 TP + FP + FN) with TP = sum_{s >= t} s^2, FP = sum_{s >= t} (1 - s^2),
    // FN = sum_{s < t} s^2. Over 60 data sets the interval at each one's chosen threshold holds
    // the population F1 in at least 51 (binomial(60, 0.95) gives fewer with probability < 1%).
    const auto population = [](double t) {
        double tp = 0, fp = 0, fn = 0;
        for (int g = 0; g <= 100; ++g) {
            const double v = g / 100.0;
            (v >= t ? tp : fn) += v * v;
            fp += v >= t ? 1 - v * v : 0;
        }
        return 2 * tp / (2 * tp + fp + fn);
    };
    int inside = 0;
    for (std::uint64_t seed = 100; seed < 160; ++seed) {
        const Data sample = small(3000, seed);
        const OperatingPointReport r = optimiseThreshold(sample.scores, sample.labels, Objective{}, 0.5, 200, seed);
        const double truth = population(r.best.threshold);
        inside += r.valueCi.low <= truth && truth <= r.valueCi.high;
    }
    QVERIFY2(inside >= 51, qPrintable(QString::number(inside)));
}

void TestOperatingPoint::report_jsonAndTextAgree()
{
    const Data d = small();
    OperatingPointReport r = optimiseThreshold(d.scores, d.labels, Objective::parse(QStringLiteral("cost:5")), 0.42, 50);
    r.source = QStringLiteral("val.csv");
    r.warnings << QStringLiteral("careful");
    const QJsonObject j = r.toJson();
    QCOMPARE(j.value(QStringLiteral("objective")).toString(), QStringLiteral("cost:fp=1,fn=5"));
    QCOMPARE(j.value(QStringLiteral("best")).toObject().value(QStringLiteral("threshold")).toDouble(),
             reportNumber(r.best.threshold));
    QCOMPARE(j.value(QStringLiteral("current")).toObject().value(QStringLiteral("threshold")).toDouble(), 0.42);
    QCOMPARE(j.value(QStringLiteral("bayes_threshold")).toDouble(), reportNumber(1.0 / 6));
    QVERIFY(j.value(QStringLiteral("curve")).toArray().size() > 10);
    QVERIFY(j.value(QStringLiteral("curve")).toArray().size() <= 402);
    const QString text = r.toText();
    QVERIFY2(text.contains(QStringLiteral("best threshold %1").arg(r.best.threshold, 0, 'f', 4)), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("expected cost %1").arg(r.best.cost, 0, 'f', 4)));
    QVERIFY(text.contains(QStringLiteral("warning: careful")));
    QVERIFY(text.contains(QStringLiteral("the model's threshold 0.4200")));
    // The curve runs from the lowest threshold up and includes the best point.
    const std::vector<ThresholdCurvePoint> &curve = r.curve;
    QVERIFY(std::is_sorted(curve.begin(), curve.end(),
                           [](const ThresholdCurvePoint &a, const ThresholdCurvePoint &b) { return a.threshold < b.threshold; }));
    QVERIFY(
        std::any_of(curve.begin(), curve.end(), [&](const ThresholdCurvePoint &p) { return p.threshold == r.best.threshold; }));
}

QTEST_APPLESS_MAIN(TestOperatingPoint)
#include "tst_operatingpoint.moc"
