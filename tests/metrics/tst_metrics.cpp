#include <QtTest>

#include <cmath>

#include "metrics.h"

using namespace Audit;

using Scores = std::vector<double>;
using Labels = std::vector<std::int8_t>;

class TestMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void handComputedCase();
    void fBeta_weighsRecall();
    void zeroDivision_isNaN_data();
    void zeroDivision_isNaN();
    void rocAuc_handlesTies();
    void rocAuc_oneClassIsNaNAndJsonNull();
    void averagePrecision_matchesScikitLearn();
    void bestThreshold_picksF1BestCut();
    void logLossAndBrier_clipExtremes();
    void pValues_keepTheirDigitsAndReadTheSameEverywhere();
};

void TestMetrics::handComputedCase()
{
    // threshold 0.5: predictions 1,1,0,1,0,0 against labels 1,0,1,1,0,0
    const Scores s = {0.9, 0.8, 0.4, 0.6, 0.3, 0.1};
    const Labels y = {1, 0, 1, 1, 0, 0};
    const BinaryMetrics m = computeMetrics(s, y, 0.5);
    QCOMPARE(m.confusion.tp, std::int64_t(2));
    QCOMPARE(m.confusion.fp, std::int64_t(1));
    QCOMPARE(m.confusion.tn, std::int64_t(2));
    QCOMPARE(m.confusion.fn, std::int64_t(1));
    QCOMPARE(m.precision, 2.0 / 3.0);
    QCOMPARE(m.recall, 2.0 / 3.0);
    QCOMPARE(m.f1, 2.0 / 3.0);
    QCOMPARE(m.accuracy, 4.0 / 6.0);
    // positives 0.9, 0.6, 0.4 vs negatives 0.8, 0.3, 0.1: pairs won 3 + 2 + 2 = 7 of 9
    QCOMPARE(m.rocAuc, 7.0 / 9.0);
    QCOMPARE(m.support, std::int64_t(6));
    QCOMPARE(m.positives, std::int64_t(3));
    const double logLoss = -(std::log(0.9) + std::log(0.2) + std::log(0.4) + std::log(0.6) + std::log(0.7) + std::log(0.9)) / 6;
    QVERIFY(std::abs(m.logLoss - logLoss) < 1e-12);
    const double brier = (0.01 + 0.64 + 0.36 + 0.16 + 0.09 + 0.01) / 6;
    QVERIFY(std::abs(m.brier - brier) < 1e-12);
    const QJsonObject json = m.toJson();
    for (const char *key :
         {"precision", "recall", "f1", "accuracy", "roc_auc", "pr_auc", "log_loss", "brier", "confusion", "support", "threshold"})
        QVERIFY2(json.contains(QLatin1String(key)), key);
    QCOMPARE(json.value(QStringLiteral("confusion")).toObject().value(QStringLiteral("fn")).toInt(), 1);
}

void TestMetrics::fBeta_weighsRecall()
{
    const Confusion c{2, 1, 5, 3}; // precision 2/3, recall 2/5
    QCOMPARE(fBeta(c, 1.0), 2.0 * 2 / (2.0 * 2 + 3 + 1));
    QCOMPARE(fBeta(c, 2.0), 5.0 * 2 / (5.0 * 2 + 4 * 3 + 1));
}

void TestMetrics::zeroDivision_isNaN_data()
{
    QTest::addColumn<Scores>("scores");
    QTest::addColumn<Labels>("labels");
    QTest::addColumn<double>("precision");
    QTest::addColumn<double>("recall");
    QTest::addColumn<double>("f1");
    QTest::newRow("no predicted positives") << Scores{0.1, 0.2} << Labels{1, 0} << qQNaN() << 0.0 << 0.0;
    QTest::newRow("no label positives") << Scores{0.9, 0.2} << Labels{0, 0} << 0.0 << qQNaN() << 0.0;
    QTest::newRow("no positives at all") << Scores{0.1, 0.2} << Labels{0, 0} << qQNaN() << qQNaN() << qQNaN();
    QTest::newRow("all right") << Scores{0.9, 0.2} << Labels{1, 0} << 1.0 << 1.0 << 1.0;
}

void TestMetrics::zeroDivision_isNaN()
{
    QFETCH(Scores, scores);
    QFETCH(Labels, labels);
    QFETCH(double, precision);
    QFETCH(double, recall);
    QFETCH(double, f1);
    const BinaryMetrics m = computeMetrics(scores, labels, 0.5);
    QCOMPARE(m.precision, precision);
    QCOMPARE(m.recall, recall);
    QCOMPARE(m.f1, f1);
}

void TestMetrics::rocAuc_handlesTies()
{
    QCOMPARE(rocAuc({0.5, 0.5}, {1, 0}), 0.5);
    // positive 0.7 beats 0.3, ties 0.7: (1 + 0.5) / 2
    QCOMPARE(rocAuc({0.7, 0.7, 0.3}, {1, 0, 0}), 0.75);
    QCOMPARE(rocAuc({0.1, 0.9}, {1, 0}), 0.0);
}

void TestMetrics::rocAuc_oneClassIsNaNAndJsonNull()
{
    const BinaryMetrics m = computeMetrics({0.2, 0.7}, {1, 1}, 0.5);
    QVERIFY(std::isnan(m.rocAuc));
    QVERIFY(std::isnan(m.prAuc));
    QVERIFY(m.toJson().value(QStringLiteral("roc_auc")).isNull());
    QVERIFY(computeMetrics({}, {}, 0.5).toJson().value(QStringLiteral("log_loss")).isNull());
}

void TestMetrics::averagePrecision_matchesScikitLearn()
{
    // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
    QVERIFY(std::abs(averagePrecision({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}) - 5.0 / 6.0) < 1e-12);
    QCOMPARE(averagePrecision({0.9, 0.1}, {1, 0}), 1.0);
}

void TestMetrics::bestThreshold_picksF1BestCut()
{
    const Scores s = {0.95, 0.9, 0.7, 0.6, 0.4, 0.2};
    const Labels y = {1, 1, 0, 1, 0, 0};
    // cut below 0.6: tp 3, fp 1 → F1 6/7, the best; midway between 0.6 and 0.4
    const double t = bestThreshold(s, y);
    QCOMPARE(t, 0.5);
    QCOMPARE(computeMetrics(s, y, t).f1, 6.0 / 7.0);
    QCOMPARE(bestThreshold({0.3, 0.4}, {1, 1}), 0.5);
}

void TestMetrics::logLossAndBrier_clipExtremes()
{
    const BinaryMetrics m = computeMetrics({0.0, 1.0}, {1, 0}, 0.5);
    QVERIFY(std::isfinite(m.logLoss));
    QVERIFY(m.logLoss > 30);
    QCOMPARE(m.brier, 1.0);
}

void TestMetrics::pValues_keepTheirDigitsAndReadTheSameEverywhere()
{
    // A p of 3e-15 is evidence: reportNumber would zero it as cancellation noise, reportP keeps it.
    QCOMPARE(reportNumber(3e-15), 0.0);
    QCOMPARE(reportP(3.14159265358979e-15), 3.141592654e-15);
    QCOMPARE(reportJsonP(3e-15).toDouble(), 3e-15);
    QVERIFY(reportJsonP(std::nan("")).isNull());
    QCOMPARE(csvP(0.012345678912345), QStringLiteral("0.01234567891"));
    QCOMPARE(csvP(std::nan("")), QString());
    QCOMPARE(pValueText(0.012345), QStringLiteral("0.0123"));
    QCOMPARE(pValueText(0.0001), QStringLiteral("0.0001"));
    QCOMPARE(pValueText(0.00009876), QStringLiteral("9.9e-05"));
    QCOMPARE(pValueText(3.14e-15), QStringLiteral("3.1e-15"));
    QCOMPARE(pValueText(0.0), QStringLiteral("<1e-300")); // an underflowed tail
    QCOMPARE(pValueText(std::nan("")), QStringLiteral("n/a"));
    QCOMPARE(pValueText(std::nan(""), QStringLiteral("–")), QStringLiteral("–"));
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
