#include <QtTest>

#include <algorithm>
#include <cmath>

#include "csvreader.h"
#include "featureinfluence.h"
#include "projectfixture.h"
#include "testutil.h"
#include "whatiffixture.h"

using namespace Audit;

// Ranking the features by how much they move one prediction: on a learner whose output is
// known in closed form (the order, the swings and the flips computed by hand here), and on a
// real model over the real census data (each row agreeing with its own sweep).
class TestFeatureInfluence : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void knownLearner_rankingSwingsAndFlips();
    void census_rankingAgreesWithEachSweep();
    void cancelled_throws();
};

void TestFeatureInfluence::knownLearner_rankingSwingsAndFlips()
{
    const Model model = WhatIfFixture::model(3.0, 0.2, 1.0);
    const Dataset data = WhatIfFixture::dataset();
    const Record record = WhatIfFixture::record(20, 5, "a");
    const std::vector<FeatureInfluence> ranking = rankFeatures(model, record, 0.5, &data);
    QCOMPARE(ranking.size(), std::size_t(3));

    // By hand: P = sigmoid(3 x' + 0.2 r' + [c = b]), x' = (x - 50) / sd(x), r' = (r - mean r) / sd(r).
    const auto sigmoid = [](double z) { return 1.0 / (1.0 + std::exp(-z)); };
    const auto standardised = [](const std::vector<double> &v, double x) {
        double mean = 0, squares = 0;
        for (double d : v)
            mean += d;
        mean /= double(v.size());
        for (double d : v)
            squares += (d - mean) * (d - mean);
        return (x - mean) / std::sqrt(squares / double(v.size()));
    };
    const std::vector<double> &xs = data.columns[0].numbers;
    const std::vector<double> &rs = data.columns[1].numbers;
    const double ownZ = 3 * standardised(xs, 20) + 0.2 * standardised(rs, 5);
    // x over its 1%..99% quantiles of 0..100: 1 .. 99.
    const double xSwing = sigmoid(3 * standardised(xs, 99) + 0.2 * standardised(rs, 5))
        - sigmoid(3 * standardised(xs, 1) + 0.2 * standardised(rs, 5));
    const double cSwing = sigmoid(ownZ + 1) - sigmoid(ownZ);
    const std::vector<double> rq = quantiles(rs, {0.01, 0.99});
    const double rSwing = sigmoid(3 * standardised(xs, 20) + 0.2 * standardised(rs, rq[1]))
        - sigmoid(3 * standardised(xs, 20) + 0.2 * standardised(rs, rq[0]));
    QVERIFY(xSwing > cSwing && cSwing > rSwing); // the order this test expects

    QCOMPARE(ranking[0].name, QStringLiteral("x"));
    QCOMPARE(ranking[1].name, QStringLiteral("c"));
    QCOMPARE(ranking[2].name, QStringLiteral("r"));
    QVERIFY2(std::abs(ranking[0].swing() - xSwing) < 1e-6, qPrintable(QString::number(ranking[0].swing(), 'g', 10)));
    QVERIFY2(std::abs(ranking[1].swing() - cSwing) < 1e-6, qPrintable(QString::number(ranking[1].swing(), 'g', 10)));
    QVERIFY2(std::abs(ranking[2].swing() - rSwing) < 1e-6, qPrintable(QString::number(ranking[2].swing(), 'g', 10)));
    // Only x can flip this "no" (P ~ 0.04); it moves P most at its top quantile, c at "b".
    QVERIFY(ranking[0].flips);
    QVERIFY(!ranking[1].flips);
    QVERIFY(!ranking[2].flips);
    QCOMPARE(ranking[0].strongestNumber, 99.0);
    QCOMPARE(ranking[0].strongestValue, QStringLiteral("99"));
    QCOMPARE(ranking[1].strongestValue, QStringLiteral("b"));
    QCOMPARE(ranking[0].sweep.flips.size(), std::size_t(1));
    QCOMPARE(ranking[0].sweep.flips[0].value, 50.0);
}

void TestFeatureInfluence::census_rankingAgreesWithEachSweep()
{
    QTemporaryDir dir;
    TestUtil::makeProject(dir);
    const Model model = Model::load(dir.filePath(QStringLiteral("models/model.bin")));
    const Dataset data = CsvReader::read(dir.filePath(QStringLiteral("data/test.csv")), model.schema()).data;
    const Record record = recordFromDataset(data, 3);
    const double threshold = model.threshold();
    const bool ownPositive = predictRecord(model, record).probability >= threshold;
    const std::vector<FeatureInfluence> ranking = rankFeatures(model, record, threshold, &data);
    QCOMPARE(ranking.size(), model.schema().features().size());
    for (std::size_t i = 0; i < ranking.size(); ++i) {
        const FeatureInfluence &f = ranking[i];
        if (i > 0)
            QVERIFY(ranking[i - 1].swing() >= f.swing());
        const WhatIfSweep sweep = sweepFeature(model, record, f.feature, threshold, &data);
        QCOMPARE(f.name, model.schema().features()[f.feature].name);
        double lowest = 1, highest = 0;
        bool flips = false;
        for (const WhatIfPoint &p : sweep.points) {
            lowest = std::min(lowest, p.probability);
            highest = std::max(highest, p.probability);
            flips = flips || (p.probability >= threshold) != ownPositive;
        }
        QCOMPARE(f.lowest, lowest);
        QCOMPARE(f.highest, highest);
        QCOMPARE(f.flips, flips);
        if (sweep.numeric) {
            QVERIFY(sweep.fromData);
            QCOMPARE(sweep.points.size(), f.sweep.points.size());
            // Each flip lies between its neighbours, and there the decision really changes.
            for (const WhatIfFlip &flip : sweep.flips) {
                QVERIFY(sweep.points[flip.after].number < flip.value && flip.value <= sweep.points[flip.after + 1].number);
                Record at = record;
                at.numbers[f.feature] = flip.value;
                QCOMPARE(predictRecord(model, at).probability >= threshold, flip.toPositive);
            }
        }
    }
}

void TestFeatureInfluence::cancelled_throws()
{
    const Model model = WhatIfFixture::model(3.0, 0.2, 1.0);
    Progress progress;
    progress.isCancelled = [] { return true; };
    QVERIFY_THROWS_EXCEPTION(CancelledError, rankFeatures(model, WhatIfFixture::record(20, 5, "a"), 0.5, nullptr, {}, progress));
}

QTEST_GUILESS_MAIN(TestFeatureInfluence)
#include "tst_featureinfluence.moc"
