#include <QtTest>

#include <cmath>

#include "calibration.h"

using namespace Audit;

// Reliability diagram and score histogram, binned as scikit-learn's
// calibration_curve(strategy="uniform"): a score on an inner edge belongs to the bin below.
class TestCalibration : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void handExample_binsMeansAndErrors();
    void everyRowInOneBin_andIntervalsHoldTheRate();
};

void TestCalibration::handExample_binsMeansAndErrors()
{
    // 5 bins, edges 0.2 0.4 0.6 0.8: 0.2 and 0.6 sit on edges and go to the bin below them.
    const std::vector<double> scores{0.05, 0.1, 0.15, 0.2, 0.55, 0.6, 0.95, 1.0};
    const std::vector<std::int8_t> labels{0, 0, 1, 0, 1, 0, 1, 1};
    const Calibration c = calibrationCurve(scores, labels, 5);
    QCOMPARE(c.bins.size(), std::size_t(3)); // bins 1 and 3 are empty and left out
    QCOMPARE(c.bins[0].n, 4);
    QCOMPARE(c.bins[0].positives, 1);
    QCOMPARE(c.bins[0].meanScore, (0.05 + 0.1 + 0.15 + 0.2) / 4);
    QCOMPARE(c.bins[0].observed, 0.25);
    QCOMPARE(c.bins[1].low, 0.4);
    QCOMPARE(c.bins[1].n, 2);
    QCOMPARE(c.bins[1].meanScore, (0.55 + 0.6) / 2);
    QCOMPARE(c.bins[1].observed, 0.5);
    QCOMPARE(c.bins[2].observed, 1.0);
    // ECE = sum n_k / N * |observed_k - mean_k|; MCE = the largest gap.
    const double ece = 4.0 / 8 * std::abs(0.25 - 0.125) + 2.0 / 8 * std::abs(0.5 - 0.575) + 2.0 / 8 * std::abs(1 - 0.975);
    QVERIFY(std::abs(c.ece - ece) < 1e-12);
    QVERIFY(std::abs(c.mce - 0.125) < 1e-12);

    const ScoreHistogram h = scoreHistogram(scores, labels, 5);
    QCOMPARE(h.edges.size(), std::size_t(6));
    QCOMPARE(h.positives, (std::vector<std::int64_t>{1, 0, 1, 0, 2}));
    QCOMPARE(h.negatives, (std::vector<std::int64_t>{3, 0, 1, 0, 0}));
}

void TestCalibration::everyRowInOneBin_andIntervalsHoldTheRate()
{
    std::vector<double> scores;
    std::vector<std::int8_t> labels;
    for (int i = 0; i <= 1000; ++i) {
        scores.push_back(i / 1000.0);
        labels.push_back(std::int8_t((i * 7919) % 1000 < i ? 1 : 0)); // positive about as often as the score says
    }
    const Calibration c = calibrationCurve(scores, labels, 10);
    std::int64_t rows = 0;
    for (const CalibrationBin &b : c.bins) {
        rows += b.n;
        QVERIFY(b.meanScore > b.low - 1e-12 && b.meanScore <= b.high + 1e-12);
        QVERIFY(b.observedCi.low <= b.observed && b.observed <= b.observedCi.high);
    }
    QCOMPARE(rows, std::int64_t(scores.size()));
    QCOMPARE(c.bins.size(), std::size_t(10));
    QVERIFY2(c.ece < 0.1, qPrintable(QString::number(c.ece)));
}

QTEST_GUILESS_MAIN(TestCalibration)
#include "tst_calibration.moc"
