#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>

#include "csvreader.h"
#include "testutil.h"
#include "whatiffixture.h"
#include "whatifsweep.h"

using namespace Audit;

// The what-if sweep: a numeric feature over its quantiles in the data (checked against an
// independent computation on the real census data), the flip points bisected to the exact
// number where a learner with a known output changes its answer, and their wording.
class TestWhatIfSweep : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void quantiles_matchNumPyType7_data();
    void quantiles_matchNumPyType7();
    void quantileSweep_onCensus_equalsIndependentComputation();
    void quantileSweep_skipsValuesThatAreNotNumbers();
    void sweep_integerFlip_isTheExactNumber();
    void sweep_realFlip_isWithinTolerance();
    void sweep_categorical_everyCategoryAndTheRecordsOwn();
    void sweep_withoutData_evenStepsOverTrainingRange();
    void describeFlips_saysWhereInWords();

private:
    // The type-7 quantile by selection (nth_element), not by sorting: another route to the same number.
    static double selectQuantile(std::vector<double> values, double p)
    {
        const double h = double(values.size() - 1) * p;
        const auto k = std::size_t(std::floor(h));
        std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(k), values.end());
        const double low = values[k];
        const double high = k + 1 < values.size() ? *std::min_element(values.begin() + std::ptrdiff_t(k) + 1, values.end()) : low;
        return low + (h - double(k)) * (high - low);
    }
};

void TestWhatIfSweep::quantiles_matchNumPyType7_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<double>("p");
    QTest::addColumn<double>("expected");
    // numpy.quantile([...], p) with its default method "linear".
    QTest::newRow("median of four") << QList<double>{4, 1, 3, 2} << 0.5 << 2.5;
    QTest::newRow("1% of 0..100") << QList<double>{0, 100, 50, 25, 75} << 0.01 << 1.0;
    QTest::newRow("99% of 1..10") << QList<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10} << 0.99 << 9.91;
    QTest::newRow("ends") << QList<double>{5, -3, 8} << 0.0 << -3.0;
    QTest::newRow("top") << QList<double>{5, -3, 8} << 1.0 << 8.0;
    QTest::newRow("one value") << QList<double>{7} << 0.3 << 7.0;
}

void TestWhatIfSweep::quantiles_matchNumPyType7()
{
    QFETCH(QList<double>, values);
    QFETCH(double, p);
    QFETCH(double, expected);
    const std::vector<double> q = quantiles(std::vector<double>(values.begin(), values.end()), {p});
    QCOMPARE(q.size(), std::size_t(1));
    QVERIFY2(std::abs(q[0] - expected) < 1e-12, qPrintable(QString::number(q[0], 'g', 17)));
}

void TestWhatIfSweep::quantileSweep_onCensus_equalsIndependentComputation()
{
    const Schema schema = Schema::fromYamlFile(TestUtil::censusSchema());
    const Dataset data = CsvReader::read(TestUtil::censusRaw(), schema).data;
    QVERIFY(data.rowCount() > 30000);
    int numeric = 0;
    for (const DataColumn &column : data.columns) {
        if (!column.spec.isNumeric())
            continue;
        ++numeric;
        const double own = column.numbers[7]; // a real row's value
        std::vector<double> expected;
        for (int i = 0; i < SweepOptions::kQuantileSteps; ++i) {
            const double p = 0.01 + 0.98 * double(i) / double(SweepOptions::kQuantileSteps - 1);
            double q = selectQuantile(column.numbers, p);
            if (column.spec.type == ColumnType::Integer)
                q = std::round(q);
            if (std::find(expected.begin(), expected.end(), q) == expected.end())
                expected.push_back(q);
        }
        if (std::find(expected.begin(), expected.end(), own) == expected.end())
            expected.push_back(own);
        std::sort(expected.begin(), expected.end());
        const std::vector<double> sweep = quantileSweepValues(column.numbers, column.spec.type, own);
        QCOMPARE(sweep.size(), expected.size());
        for (std::size_t i = 0; i < sweep.size(); ++i)
            QVERIFY2(
                std::abs(sweep[i] - expected[i]) <= 1e-9 * std::max(1.0, std::abs(expected[i])),
                qPrintable(QStringLiteral("%1 point %2: %3 vs %4").arg(column.spec.name).arg(i).arg(sweep[i]).arg(expected[i])));
        for (double v : sweep) {
            if (column.spec.type == ColumnType::Integer)
                QCOMPARE(v, std::round(v)); // integers kept integer
        }
        QVERIFY(std::is_sorted(sweep.begin(), sweep.end()));
        QVERIFY(std::adjacent_find(sweep.begin(), sweep.end()) == sweep.end()); // no repeats
    }
    QVERIFY(numeric > 0);
}

void TestWhatIfSweep::quantileSweep_skipsValuesThatAreNotNumbers()
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    SweepOptions options;
    options.low = 0;
    options.high = 1;
    options.steps = 3;
    QCOMPARE(quantileSweepValues({4, nan, 0, 2, std::numeric_limits<double>::infinity()}, ColumnType::Real, 1.5, options),
             (std::vector<double>{0, 1.5, 2, 4}));
    QCOMPARE(quantileSweepValues({nan}, ColumnType::Integer, 3, options), std::vector<double>{3});
}

void TestWhatIfSweep::sweep_integerFlip_isTheExactNumber()
{
    const Model model = WhatIfFixture::model(3.0, 0.0, 0.0);
    const Dataset data = WhatIfFixture::dataset();
    // P >= 0.5 exactly where x' >= 0, i.e. x >= mean(x) = 50.
    const WhatIfSweep sweep = sweepFeature(model, WhatIfFixture::record(20, 5, "a"), 0, 0.5, &data);
    QVERIFY(sweep.numeric && sweep.fromData);
    std::vector<double> numbers;
    for (const WhatIfPoint &p : sweep.points)
        numbers.push_back(p.number);
    QCOMPARE(numbers, quantileSweepValues(data.columns[0].numbers, ColumnType::Integer, 20));
    QCOMPARE(numbers.front(), 1.0); // 1% of 0..100
    QCOMPARE(numbers.back(), 99.0);
    QCOMPARE(sweep.points[std::size_t(sweep.current)].number, 20.0);
    QCOMPARE(sweep.flips.size(), std::size_t(1));
    QCOMPARE(sweep.flips[0].value, 50.0);
    QVERIFY(sweep.flips[0].toPositive);
    QVERIFY(sweep.points[sweep.flips[0].after].number < 50 && sweep.points[sweep.flips[0].after + 1].number >= 50);

    // At a higher threshold the flip moves to the first x with sigmoid(3 (x - 50) / sd) >= 0.9.
    const double sd = model.encoder().columns()[0].scale;
    const double expected = std::ceil(50 + sd * std::log(0.9 / 0.1) / 3.0);
    const WhatIfSweep higher = sweepFeature(model, WhatIfFixture::record(20, 5, "a"), 0, 0.9, &data);
    QCOMPARE(higher.flips.size(), std::size_t(1));
    QCOMPARE(higher.flips[0].value, expected);
}

void TestWhatIfSweep::sweep_realFlip_isWithinTolerance()
{
    const Model model = WhatIfFixture::model(0.0, -4.0, 0.0); // falls as r grows: flips to "no" at mean(r)
    const Dataset data = WhatIfFixture::dataset();
    const WhatIfSweep sweep = sweepFeature(model, WhatIfFixture::record(20, 1.25, "a"), 1, 0.5, &data);
    QCOMPARE(sweep.flips.size(), std::size_t(1));
    QVERIFY(!sweep.flips[0].toPositive);
    QVERIFY2(std::abs(sweep.flips[0].value - 5.0) < 1e-5, qPrintable(QString::number(sweep.flips[0].value, 'g', 12)));
    QVERIFY(std::any_of(sweep.points.begin(), sweep.points.end(), [](const WhatIfPoint &p) { return p.number == 1.25; }));
}

void TestWhatIfSweep::sweep_categorical_everyCategoryAndTheRecordsOwn()
{
    const Model model = WhatIfFixture::model(0.0, 0.0, 2.0);
    const Dataset data = WhatIfFixture::dataset();
    const WhatIfSweep sweep = sweepFeature(model, WhatIfFixture::record(50, 5, "c"), 2, 0.5, &data);
    QVERIFY(!sweep.numeric);
    QCOMPARE(sweep.points.size(), std::size_t(3));
    QCOMPARE(sweep.points[std::size_t(sweep.current)].value, QStringLiteral("c"));
    QCOMPARE(sweep.points[1].value, QStringLiteral("b"));
    QVERIFY(std::abs(sweep.points[1].probability - 1.0 / (1.0 + std::exp(-2.0))) < 1e-9);
    QVERIFY(sweep.flips.empty()); // categories have no order to flip along
}

void TestWhatIfSweep::sweep_withoutData_evenStepsOverTrainingRange()
{
    const Model model = WhatIfFixture::model(3.0, 0.0, 0.0);
    const WhatIfSweep sweep = sweepFeature(model, WhatIfFixture::record(20, 5, "a"), 0, 0.5);
    QVERIFY(!sweep.fromData);
    QCOMPARE(sweep.points.size(), std::size_t(SweepOptions::kEvenSteps)); // 0, 5, ..., 100 holds 20
    QCOMPARE(sweep.points.front().number, 0.0);
    QCOMPARE(sweep.points.back().number, 100.0);
    QCOMPARE(sweep.flips.size(), std::size_t(1));
    QCOMPARE(sweep.flips[0].value, 50.0);
}

void TestWhatIfSweep::describeFlips_saysWhereInWords()
{
    const Model model = WhatIfFixture::model(3.0, 0.0, 0.0);
    const Dataset data = WhatIfFixture::dataset();
    QCOMPARE(describeFlips(sweepFeature(model, WhatIfFixture::record(20, 5, "a"), 0, 0.5, &data), model.schema()),
             QStringLiteral("no below 50; flips to yes at 50 and above"));
    QCOMPARE(describeFlips(sweepFeature(model, WhatIfFixture::record(20, 5, "a"), 1, 0.5, &data), model.schema()),
             QStringLiteral("no value swept changes the answer (no)"));
    // Categories: the ones giving the other answer than the record's own (P = 0.5 at a and c,
    // sigmoid(2) = 0.88 at b).
    const Model categorical = WhatIfFixture::model(0.0, 0.0, 2.0);
    QCOMPARE(describeFlips(sweepFeature(categorical, WhatIfFixture::record(50, 5, "a"), 2, 0.6, &data), model.schema()),
             QStringLiteral("flips to yes with b"));
    QCOMPARE(describeFlips(sweepFeature(categorical, WhatIfFixture::record(50, 5, "b"), 2, 0.6, &data), model.schema()),
             QStringLiteral("flips to no with a, c"));
    QCOMPARE(describeFlips(sweepFeature(categorical, WhatIfFixture::record(50, 5, "a"), 2, 0.4, &data), model.schema()),
             QStringLiteral("no category changes the answer (yes)"));
    QCOMPARE(describeFlips(sweepFeature(categorical, WhatIfFixture::record(50, 5, "z"), 2, 0.6, &data), model.schema()),
             QString()); // unseen in training
}

QTEST_GUILESS_MAIN(TestWhatIfSweep)
#include "tst_whatifsweep.moc"
