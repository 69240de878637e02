#include <QtTest>

#include <cmath>
#include <map>

#include <QJsonArray>

#include "auditfixture.h"
#include "csvreader.h"
#include "groupedcolumn.h"
#include "permutationcheck.h"
#include "rng.h"
#include "schemaerror.h"
#include "slicecounts.h"
#include "slicereport.h"
#include "testutil.h"

using namespace Audit;

class TestSliceReport : public QObject
{
    Q_OBJECT

private:
    // QCOMPARE on doubles is fuzzy (1e-16 "equals" 0): compare all 17 digits instead.
    static QString exact(double v) { return QString::number(v, 'g', 17); }
    static const SliceRow &find(const SliceReport &r, const QString &feature, const QString &value)
    {
        for (const SliceRow &row : r.slices) {
            if (row.feature() == feature && row.value() == value)
                return row;
        }
        qFatal("no slice %s = %s", qPrintable(feature), qPrintable(value));
    }

private Q_SLOTS:
    void manyColumns_refusedBeforeTheirCombinationsAreListed();
    void wilsonInterval_matchesKnownValues();
    void wilsonInterval_exactAtTheEndsAndInsideUnit_data();
    void wilsonInterval_exactAtTheEndsAndInsideUnit();
    void edgeSlices_sameRuleAndNumbersInJsonCsvText();
    void singleSlices_matchHandCount();
    void countsSumToTotals();
    void numericBins_areQuantiles();
    void numericBins_edgesInFullWithoutExponent();
    void intersections_respectMinSizeAndSum();
    void triples_whenAskedFor();
    void weakSlices_needGapFdrAndEvidence();
    void weakSlices_rankedByEvidenceOrGap();
    void outputs_csvColumnsAndText();
    void badOptions_throw();
    void manyCategories_countedSparselyAndRight();
    void tooManySlices_refusedBeforeAnyIsMade();
    void groupingCache_sameReportAtEveryThreshold();
    void numericBins_sameEdgesAsAFullSort();
    void permutation_falseDiscoveriesNearNominal();
};

void TestSliceReport::wilsonInterval_matchesKnownValues()
{
    const double z = SliceOptions().z;
    const auto close = [](double a, double b) { return std::abs(a - b) < 1e-9; };
    Interval i = wilsonInterval(8, 10, z);
    QVERIFY(close(i.low, 0.49016247153664183) && close(i.high, 0.9433178485456247));
    i = wilsonInterval(2, 3, z);
    QVERIFY(close(i.low, 0.2076596008020477) && close(i.high, 0.9385080552796037));
    i = wilsonInterval(0, 5, z);
    QVERIFY(close(i.low, 0.0) && close(i.high, 0.43448246478317476));
    i = wilsonInterval(5, 5, z);
    QVERIFY(close(i.low, 0.5655175352168251) && close(i.high, 1.0));
    QVERIFY(std::isnan(wilsonInterval(0, 0, z).low));
}

void TestSliceReport::wilsonInterval_exactAtTheEndsAndInsideUnit_data()
{
    QTest::addColumn<int>("successes");
    QTest::addColumn<int>("n");
    for (int n : {1, 2, 3, 4, 6, 7, 10, 13, 29, 59, 103, 118, 1000}) {
        QTest::addRow("0 of %d", n) << 0 << n;
        QTest::addRow("%d of %d", n, n) << n << n;
        if (n > 2) {
            QTest::addRow("1 of %d", n) << 1 << n;
            QTest::addRow("%d of %d", n / 2, n) << n / 2 << n;
        }
    }
}

void TestSliceReport::wilsonInterval_exactAtTheEndsAndInsideUnit()
{
    QFETCH(int, successes);
    QFETCH(int, n);
    const long double z = SliceOptions().z;
    const Interval i = wilsonInterval(successes, n, double(z));
    QVERIFY(0 <= i.low && i.low <= i.high && i.high <= 1);
    // docs/metrics.md's formula in long double: centre ± half-width.
    const long double p = (long double)successes / n;
    const long double z2n = z * z / n;
    const long double centre = (p + z2n / 2) / (1 + z2n);
    const long double half = z * std::sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n);
    QVERIFY2(std::abs(double(centre - half) - i.low) < 1e-12, qPrintable(QString::number(i.low, 'g', 17)));
    QVERIFY2(std::abs(double(centre + half) - i.high) < 1e-12, qPrintable(QString::number(i.high, 'g', 17)));
    // At the ends the formula reduces to closed forms: 0 of n gives [0, z²/(n + z²)], n of n
    // gives [n/(n + z²), 1]. The exact end must come out exactly, not as 1e-16 or 1 - 1e-16.
    if (successes == 0) {
        QCOMPARE(exact(i.low), exact(0.0));
        QVERIFY(std::abs(i.high - double(z * z / (n + z * z))) < 1e-12);
    }
    if (successes == n) {
        QCOMPARE(exact(i.high), exact(1.0));
        QVERIFY(std::abs(i.low - double(n / (n + z * z))) < 1e-12);
    }
}

void TestSliceReport::edgeSlices_sameRuleAndNumbersInJsonCsvText()
{
    // "none": 5 rows, nothing predicted positive (tp 0, fp 0, tn 3, fn 2): precision 0/0.
    // "all": 4 rows, every one labelled and predicted positive (tp 4): recall 4/4, accuracy 4/4.
    ScoredData data;
    DataColumn group;
    group.spec.name = QStringLiteral("group");
    group.categories = {"none", "all"};
    const auto add = [&](int code, int label, int prediction) {
        group.codes.push_back(code);
        data.labels.push_back(std::int8_t(label));
        data.scores.push_back(prediction);
    };
    for (int label : {0, 0, 0, 1, 1})
        add(0, label, 0);
    for (int i = 0; i < 4; ++i)
        add(1, 1, 1);
    data.columns = {group};
    const SliceReport r = computeSlices(data, SliceOptions());

    // docs/metrics.md, Slices: a ratio with a zero denominator is NaN, its interval too;
    // null in JSON, an empty cell in the CSV, "n/a" in slice_output.txt.
    const SliceRow &none = find(r, QStringLiteral("group"), QStringLiteral("none"));
    QVERIFY(std::isnan(none.precision));
    QVERIFY(std::isnan(none.precisionCi.low) && std::isnan(none.precisionCi.high));
    QCOMPARE(exact(none.recall), exact(0.0));
    QCOMPARE(exact(none.recallCi.low), exact(0.0)); // 0 of 2
    const SliceRow &all = find(r, QStringLiteral("group"), QStringLiteral("all"));
    QCOMPARE(exact(all.recallCi.high), exact(1.0)); // 4 of 4
    QCOMPARE(exact(all.accuracyCi.high), exact(1.0));
    QCOMPARE(exact(all.f1Ci.high), exact(1.0)); // J = 4/4 maps to 2·1/(1 + 1)
    QCOMPARE(exact(none.f1Ci.low), exact(0.0)); // J = 0/2

    const QList<QByteArray> lines = r.toCsv().split('\n');
    const QList<QByteArray> header = lines[0].split(',');
    const QJsonArray slices = r.toJson().value(QStringLiteral("slices")).toArray();
    QCOMPARE(slices.size(), 2);
    const auto cell = [&](int row, const char *column) { return lines[row + 1].split(',')[header.indexOf(column)]; };
    QCOMPARE(cell(0, "precision"), QByteArray());
    QCOMPARE(cell(0, "precision_low"), QByteArray());
    QCOMPARE(cell(0, "recall_low"), QByteArray("0"));
    QCOMPARE(cell(1, "recall_high"), QByteArray("1"));
    QCOMPARE(cell(1, "f1_high"), QByteArray("1"));
    const QJsonObject noneJson = slices[0].toObject();
    QVERIFY(noneJson.value(QStringLiteral("precision")).isNull());
    QVERIFY(noneJson.value(QStringLiteral("precision_ci")).toObject().value(QStringLiteral("low")).isNull());
    QVERIFY(r.toText().contains(QStringLiteral("group = none: n=5, precision=n/a, recall=0.0000")));

    // Every number the CSV states, the JSON states identically.
    const QStringList metrics = {QStringLiteral("precision"), QStringLiteral("recall"), QStringLiteral("f1"),
                                 QStringLiteral("accuracy")};
    for (int row = 0; row < 2; ++row) {
        const QJsonObject json = slices[row].toObject();
        for (const QString &m : metrics) {
            const QJsonObject ci = json.value(m + QStringLiteral("_ci")).toObject();
            for (const char *bound : {"low", "high"}) {
                const QByteArray csv = cell(row, qPrintable(m + QLatin1Char('_') + QLatin1String(bound)));
                const QJsonValue v = ci.value(QLatin1String(bound));
                QCOMPARE(v.isNull(), csv.isEmpty());
                if (!csv.isEmpty())
                    QCOMPARE(exact(v.toDouble()), exact(csv.toDouble()));
            }
        }
    }
}

void TestSliceReport::singleSlices_matchHandCount()
{
    SliceOptions options;
    options.cross = 1;
    const SliceReport r = computeSlices(auditFixture(), options);
    const SliceRow &a = find(r, QStringLiteral("g"), QStringLiteral("A"));
    QCOMPARE(a.n, std::int64_t(6));
    QCOMPARE(a.labelPositives(), std::int64_t(3));
    QCOMPARE(a.predictedPositives(), std::int64_t(3));
    QCOMPARE(a.precision, 2.0 / 3);
    QCOMPARE(a.recall, 2.0 / 3);
    QCOMPARE(a.f1, 2.0 / 3);
    QCOMPARE(a.accuracy, 4.0 / 6);
    QCOMPARE(a.fpr, 1.0 / 3);
    QCOMPARE(a.fnr, 1.0 / 3);
    const Interval p = wilsonInterval(2, 3, options.z);
    QCOMPARE(a.precisionCi.low, p.low);
    QCOMPARE(a.recallCi.high, p.high);
    // F1 interval: J = tp / (tp + fp + fn) = 2/4, mapped through 2J / (1 + J).
    const Interval j = wilsonInterval(2, 4, options.z);
    QCOMPARE(a.f1Ci.low, 2 * j.low / (1 + j.low));
    QVERIFY(a.f1Ci.low < a.f1 && a.f1 < a.f1Ci.high);

    const SliceRow &c = find(r, QStringLiteral("g"), QStringLiteral("C"));
    QVERIFY(std::isnan(c.recall)); // no label positives
    QCOMPARE(c.precision, 0.0);
    QCOMPARE(r.overall.n, std::int64_t(15));
    QCOMPARE(r.overall.tp, std::int64_t(4));
}

void TestSliceReport::countsSumToTotals()
{
    SliceOptions options;
    options.cross = 1;
    const SliceReport r = computeSlices(auditFixture(), options);
    std::int64_t g = 0;
    std::int64_t x = 0;
    std::int64_t gPositives = 0;
    for (const SliceRow &row : r.slices) {
        (row.feature() == QLatin1String("g") ? g : x) += row.n;
        if (row.feature() == QLatin1String("g"))
            gPositives += row.labelPositives();
    }
    QCOMPARE(g, std::int64_t(14)); // one row has no g
    QCOMPARE(x, std::int64_t(15));
    QCOMPARE(gPositives, r.overall.labelPositives() - 1);
}

void TestSliceReport::numericBins_areQuantiles()
{
    DataColumn column;
    column.spec.name = QStringLiteral("age");
    column.spec.type = ColumnType::Integer;
    for (int v = 1; v <= 100; ++v)
        column.numbers.push_back(v);
    const GroupedColumn grouped = GroupedColumn::fromColumn(column, 4);
    QCOMPARE(grouped.groups,
             QStringList({QStringLiteral("[1, 26)"), QStringLiteral("[26, 51)"), QStringLiteral("[51, 76)"),
                          QStringLiteral("[76, 100]")}));
    QCOMPARE(grouped.codes[0], 0);
    QCOMPARE(grouped.codes[25], 1);
    QCOMPARE(grouped.codes[99], 3);
    // A value that fills several quantiles (zeros, as in capital-gain) gets a bin of its
    // own and the rest of the data starts at the next distinct value.
    DataColumn flat = column;
    std::fill(flat.numbers.begin(), flat.numbers.begin() + 80, 0.0);
    QCOMPARE(GroupedColumn::fromColumn(flat, 4).groups, QStringList({QStringLiteral("[0, 81)"), QStringLiteral("[81, 100]")}));
    // One value everywhere: one bin.
    std::fill(flat.numbers.begin(), flat.numbers.end(), 7.0);
    QCOMPARE(GroupedColumn::fromColumn(flat, 4).groups, QStringList({QStringLiteral("[7, 7]")}));
}

void TestSliceReport::numericBins_edgesInFullWithoutExponent()
{
    // Large whole numbers (row weights, say) in full: 1.48471e+06 was another number.
    DataColumn column;
    column.spec.name = QStringLiteral("w");
    column.spec.type = ColumnType::Integer;
    column.numbers = {12285, 250000, 1484705, 1490400};
    QCOMPARE(GroupedColumn::fromColumn(column, 2).groups,
             QStringList({QStringLiteral("[12285, 1484705)"), QStringLiteral("[1484705, 1490400]")}));
    // Fractions to 6 significant digits, no exponent, no trailing zeros.
    column.spec.type = ColumnType::Real;
    column.numbers = {0.25, 0.5, 1234.56789, 2500000.75};
    QCOMPARE(GroupedColumn::fromColumn(column, 2).groups,
             QStringList({QStringLiteral("[0.25, 1234.57)"), QStringLiteral("[1234.57, 2500001]")}));
}

void TestSliceReport::intersections_respectMinSizeAndSum()
{
    SliceOptions options;
    options.bins = 2;
    options.minSize = 1;
    const SliceReport all = computeSlices(auditFixture(), options);
    std::int64_t pairs = 0;
    for (const SliceRow &row : all.slices) {
        if (row.features.size() == 2) {
            QCOMPARE(row.feature(), QStringLiteral("g & x"));
            pairs += row.n;
        }
    }
    QCOMPARE(pairs, std::int64_t(14));
    // g = A holds rows 0..5: x alternates 20, 10, so A & [10, 20) has 3 rows.
    QCOMPARE(find(all, QStringLiteral("g & x"), QStringLiteral("A & [10, 20)")).n, std::int64_t(3));

    options.minSize = 3;
    const SliceReport big = computeSlices(auditFixture(), options);
    for (const SliceRow &row : big.slices) {
        if (row.features.size() == 2)
            QVERIFY(row.n >= 3);
    }
    QVERIFY(big.slices.size() < all.slices.size());
    // Single-feature slices are always kept, whatever their size.
    QCOMPARE(find(big, QStringLiteral("g"), QStringLiteral("C")).n, std::int64_t(2));
}

void TestSliceReport::triples_whenAskedFor()
{
    ScoredData data = auditFixture();
    DataColumn h = data.columns[0]; // a third feature: g again under another name
    h.spec.name = QStringLiteral("h");
    data.columns.push_back(h);
    SliceOptions options;
    options.minSize = 1;
    options.bins = 2;
    const SliceReport pairs = computeSlices(data, options);
    QVERIFY(std::none_of(pairs.slices.begin(), pairs.slices.end(), [](const SliceRow &r) { return r.features.size() == 3; }));
    options.cross = 3;
    const SliceReport r = computeSlices(data, options);
    std::int64_t triples = 0;
    for (const SliceRow &row : r.slices) {
        if (row.features.size() != 3)
            continue;
        QCOMPARE(row.feature(), QStringLiteral("g & x & h"));
        QCOMPARE(row.values[0], row.values[2]); // g and h agree on every row
        triples += row.n;
    }
    QCOMPARE(triples, std::int64_t(14)); // the row without g is in no triple
    QCOMPARE(find(r, QStringLiteral("g & x & h"), QStringLiteral("A & [10, 20) & A")).n, std::int64_t(3));
}

void TestSliceReport::weakSlices_needGapFdrAndEvidence()
{
    // "good": 400 rows, F1 0.8. "bad": 100 rows, 20 of 50 positives found, F1 0.571 (its
    // interval tops out at 0.700). "tiny": 2 rows, its one positive missed, F1 0 but an
    // interval reaching 0.885. Overall F1 0.764: only "bad" is weak.
    ScoredData data;
    DataColumn group;
    group.spec.name = QStringLiteral("group");
    group.categories = {"good", "bad", "tiny"};
    const auto add = [&](int code, int label, int prediction) {
        group.codes.push_back(code);
        data.labels.push_back(std::int8_t(label));
        data.scores.push_back(prediction);
    };
    for (int i = 0; i < 400; ++i)
        add(0, i % 2, (i % 10 == 1 || i % 10 == 4) ? 1 - i % 2 : i % 2);
    for (int i = 0; i < 100; ++i)
        add(1, i % 2, (i % 2 == 1 && (i % 10 == 1 || i % 10 == 3)) ? 1 : 0);
    add(2, 1, 0);
    add(2, 0, 0);
    data.columns = {group};
    const SliceReport r = computeSlices(data, SliceOptions());
    const SliceRow &bad = find(r, QStringLiteral("group"), QStringLiteral("bad"));
    const SliceRow &tiny = find(r, QStringLiteral("group"), QStringLiteral("tiny"));
    const SliceRow &good = find(r, QStringLiteral("group"), QStringLiteral("good"));
    QVERIFY(bad.weak);
    QVERIFY(!tiny.weak);
    QVERIFY(tiny.gap > bad.gap); // worse on paper, but one positive is no evidence
    QVERIFY(!good.weak);
    QCOMPARE(r.weak.size(), std::size_t(1));
    QCOMPARE(r.slices[r.weak[0]].value(), QStringLiteral("bad"));
    QCOMPARE(bad.gap, r.overall.f1 - bad.f1);
    QCOMPARE(bad.gapLow, r.overall.f1 - bad.f1Ci.high);
    // tiny has 1 label positive (minimum 10): not tested, and out of the FDR family.
    QVERIFY(std::isnan(tiny.p) && std::isnan(tiny.q));
    QCOMPARE(tiny.untested, QStringLiteral("1 label positives (minimum 10)"));
    QCOMPARE(r.tested, std::size_t(2));
    // F1 is tested as J = tp / (tp + fp + fn) against the rest of the rows (F1 = 2J / (1 + J)):
    // bad 20 / (20 + 0 + 30); the rest (good + tiny) 160 / (160 + 40 + 41). 291 rows: Fisher.
    const Stats::TestResult badTest = Stats::compareProportions(20, 50, 160, 241);
    QCOMPARE(bad.test, Stats::Test::Fisher);
    QCOMPARE(bad.p, badTest.p);
    // good 160 / 240 against bad + tiny 20 / 51.
    QCOMPARE(good.p, Stats::compareProportions(160, 240, 20, 51).p);
    // BH over the two tests: the larger p keeps its value, the smaller is doubled (capped).
    QCOMPARE(std::max(bad.q, good.q), std::max(bad.p, good.p));
    QCOMPARE(std::min(bad.q, good.q), std::min(std::min(bad.p, good.p) * 2, std::max(bad.p, good.p)));
    QVERIFY(bad.q < 0.05);

    // A q threshold nothing meets: nothing is weak, whatever the gap.
    SliceOptions strict;
    strict.fdrQ = bad.q / 2;
    QVERIFY(computeSlices(data, strict).weak.empty());
    // No minimum: tiny is tested too, yet not weak (Fisher on 1 row).
    SliceOptions anything;
    anything.minPositives = 0;
    const SliceReport all = computeSlices(data, anything);
    QCOMPARE(all.tested, std::size_t(3));
    QVERIFY(!find(all, QStringLiteral("group"), QStringLiteral("tiny")).weak);
    QVERIFY(find(all, QStringLiteral("group"), QStringLiteral("tiny")).p > 0.3);

    SliceOptions byRecall;
    byRecall.weakMetric = SliceMetric::Recall;
    byRecall.weakMargin = 0.9; // nothing is that far below
    QVERIFY(computeSlices(data, byRecall).weak.empty());
    SliceOptions bad0 = SliceOptions();
    bad0.fdrQ = 0;
    QVERIFY_THROWS_EXCEPTION(OptionError, computeSlices(data, bad0));
    bad0.fdrQ = 0.05;
    bad0.minPositives = -1;
    QVERIFY_THROWS_EXCEPTION(OptionError, computeSlices(data, bad0));
}

// Evidence ranking: a big slice moderately below overall outranks a small one further below
// whose interval is wide; gap ranking puts the small one first.
void TestSliceReport::weakSlices_rankedByEvidenceOrGap()
{
    ScoredData data;
    DataColumn group;
    group.spec.name = QStringLiteral("group");
    group.categories = {"rest", "big", "small"};
    const auto add = [&](int code, int label, int prediction, int times) {
        for (int i = 0; i < times; ++i) {
            group.codes.push_back(code);
            data.labels.push_back(std::int8_t(label));
            data.scores.push_back(prediction);
        }
    };
    // Overall F1 0.839. big: F1 0.706, gap 0.133, at least 0.116 (Wilson on J = 1200 / 2200).
    // small: F1 0.560, gap 0.279, but only at least 0.079 (J = 7 / 18).
    add(0, 1, 1, 3000), add(0, 0, 0, 3000), add(0, 1, 0, 300), add(0, 0, 1, 300);
    add(1, 1, 1, 1200), add(1, 0, 0, 1200), add(1, 1, 0, 500), add(1, 0, 1, 500);
    add(2, 1, 1, 7), add(2, 0, 0, 12), add(2, 1, 0, 5), add(2, 0, 1, 6);
    data.columns = {group};
    const SliceReport evidence = computeSlices(data, SliceOptions());
    QCOMPARE(evidence.weak.size(), std::size_t(2));
    const SliceRow &big = find(evidence, QStringLiteral("group"), QStringLiteral("big"));
    const SliceRow &small = find(evidence, QStringLiteral("group"), QStringLiteral("small"));
    QVERIFY(small.gap > big.gap && big.gapLow > small.gapLow);
    QCOMPARE(evidence.slices[evidence.weak[0]].value(), QStringLiteral("big"));
    SliceOptions byGap;
    byGap.rank = SliceRank::Gap;
    const SliceReport gap = computeSlices(data, byGap);
    QCOMPARE(gap.slices[gap.weak[0]].value(), QStringLiteral("small"));
    QCOMPARE(gap.toJson().value(QStringLiteral("options")).toObject().value(QStringLiteral("rank")).toString(),
             QStringLiteral("gap"));
}

void TestSliceReport::outputs_csvColumnsAndText()
{
    SliceOptions options;
    options.minSize = 1;
    const SliceReport r = computeSlices(auditFixture(), options);
    const QList<QByteArray> lines = r.toCsv().split('\n');
    QVERIFY(lines[0].startsWith("feature,value,n,label_pos,pred_pos,precision,recall,f1,accuracy,fpr,fnr,precision_low,"
                                "precision_high,recall_low,recall_high,accuracy_low,accuracy_high"));
    QCOMPARE(qsizetype(r.slices.size()), lines.size() - 2);
    QVERIFY(lines[0].endsWith(",tp,fp,tn,fn,weak,gap,gap_low,p,q,test"));
    QVERIFY(r.toCsv().contains("\ng & x,\"A & [10, 20)\",3,"));
    const QJsonObject json = r.toJson();
    QCOMPARE(json.value(QStringLiteral("slices")).toArray().size(), qsizetype(r.slices.size()));
    const QString text = r.toText();
    QVERIFY(text.contains(QStringLiteral("Feature: g\n  g = A: n=6, precision=0.6667, recall=0.6667, F1=0.6667")));
    QVERIFY(text.contains(QStringLiteral("g = C: n=2, precision=0.0000, recall=n/a")));
}

void TestSliceReport::badOptions_throw()
{
    SliceOptions options;
    options.features = {QStringLiteral("nope")};
    QVERIFY_THROWS_EXCEPTION(OptionError, computeSlices(auditFixture(), options));
    options.features.clear();
    options.cross = 4;
    QVERIFY_THROWS_EXCEPTION(OptionError, computeSlices(auditFixture(), options));
    options.cross = 2;
    options.bins = 0;
    QVERIFY_THROWS_EXCEPTION(OptionError, computeSlices(auditFixture(), options));
}

void TestSliceReport::manyColumns_refusedBeforeTheirCombinationsAreListed()
{
    // 20,000 columns: their 2e8 pairs are refused at once (they used to be listed first, and
    // every name looked up by a scan of all the others), naming a dozen of them, not all.
    ScoredData data;
    data.threshold = 0.5;
    for (int r = 0; r < 50; ++r) {
        data.scores.push_back(r % 2 ? 0.9 : 0.1);
        data.labels.push_back(std::int8_t(r % 3 == 0));
    }
    for (int c = 0; c < 20000; ++c) {
        DataColumn column;
        column.spec.name = QStringLiteral("c%1").arg(c);
        column.categories = {"a"};
        column.codes.assign(50, 0);
        data.columns.push_back(std::move(column));
    }
    SliceOptions options;
    options.cross = 2;
    QElapsedTimer timer;
    timer.start();
    try {
        computeSlices(data, options);
        QFAIL("200 million combinations were accepted");
    } catch (const OptionError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("20000 features with intersections of up to 2 make 2e+08 combinations")),
                 qPrintable(e.message()));
    }
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    options.features = {QStringLiteral("c1"), QStringLiteral("nope")};
    try {
        computeSlices(data, options);
        QFAIL("an unknown feature was accepted");
    } catch (const OptionError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("c10, c11, … (20000 in all)")), qPrintable(e.message().left(300)));
    }
    // One at a time, 20,000 single-valued columns are 20,000 slices: counted, quickly.
    options.features.clear();
    options.cross = 1;
    timer.restart();
    QCOMPARE(computeSlices(data, options).slices.size(), std::size_t(20000));
    QVERIFY2(timer.elapsed() < 20000, qPrintable(QString::number(timer.elapsed())));
}

QTEST_GUILESS_MAIN(TestSliceReport)
// Two columns of 3,000 categories: 9 million cells, too many for a dense table, so the pairs
// are counted in a map. Every pair's counts must equal a recount done here in a std::map.
void TestSliceReport::manyCategories_countedSparselyAndRight()
{
    ScoredData data;
    DataColumn a;
    a.spec.name = QStringLiteral("a");
    DataColumn b;
    b.spec.name = QStringLiteral("b");
    for (int i = 0; i < 3000; ++i) {
        a.categories.push_back(QStringLiteral("a%1").arg(i).toStdString());
        b.categories.push_back(QStringLiteral("b%1").arg(i).toStdString());
    }
    Rng rng(11);
    std::map<std::pair<int, int>, std::array<std::int64_t, 4>> expected;
    for (int r = 0; r < 40000; ++r) {
        const int x = int(rng.index(300)); // 300 of the 3,000 used, so pairs repeat
        const int y = r % 7 == 0 ? -1 : int(rng.index(3000));
        a.codes.push_back(x);
        b.codes.push_back(y);
        const int label = int(rng.index(2));
        const double score = double(rng.index(1000)) / 1000.0;
        data.labels.push_back(std::int8_t(label));
        data.scores.push_back(score);
        if (y >= 0)
            ++expected[{x, y}][std::size_t(label * 2 + (score >= 0.5 ? 1 : 0))];
    }
    data.columns = {a, b};
    data.threshold = 0.5;
    SliceOptions options;
    options.minSize = 1;
    const SliceReport report = computeSlices(data, options);
    std::size_t pairs = 0;
    QString previous;
    for (const SliceRow &row : report.slices) {
        if (row.features.size() != 2)
            continue;
        ++pairs;
        const int x = std::stoi(row.values[0].mid(1).toStdString());
        const int y = std::stoi(row.values[1].mid(1).toStdString());
        const auto &c = expected.at({x, y});
        QCOMPARE(row.tn, c[0]);
        QCOMPARE(row.fp, c[1]);
        QCOMPARE(row.fn, c[2]);
        QCOMPARE(row.tp, c[3]);
        // In code order, a's code first: as the dense count gives them.
        const QString key = QStringLiteral("%1 %2").arg(x, 5, 10, QLatin1Char('0')).arg(y, 5, 10, QLatin1Char('0'));
        QVERIFY(key > previous);
        previous = key;
    }
    QCOMPARE(pairs, expected.size());
}

// An identifier-like column gives one slice a row: past kMaxSlices the report is refused with
// what to change (not built until memory runs out: 637,811 slices took 3.9 GB before).
void TestSliceReport::tooManySlices_refusedBeforeAnyIsMade()
{
    ScoredData data;
    DataColumn id;
    id.spec.name = QStringLiteral("id");
    const std::size_t rows = kMaxSlices + 10;
    for (std::size_t r = 0; r < rows; ++r) {
        id.categories.push_back(std::to_string(r));
        id.codes.push_back(std::int32_t(r));
        data.labels.push_back(std::int8_t(r % 2));
        data.scores.push_back(double(r % 10) / 10.0);
    }
    data.columns = {id};
    try {
        computeSlices(data, SliceOptions());
        QFAIL("expected OptionError");
    } catch (const OptionError &e) {
        QCOMPARE(e.field(), QStringLiteral("features"));
        QVERIFY2(e.message().startsWith(QStringLiteral("%1 slices (features id").arg(rows)), e.what());
        QVERIFY2(e.message().contains(QStringLiteral("Fix: fewer or coarser features")), e.what());
    }
    // Just under the limit is fine.
    data.columns[0].codes.resize(kMaxSlices - 5);
    data.labels.resize(kMaxSlices - 5);
    data.scores.resize(kMaxSlices - 5);
    QCOMPARE(computeSlices(data, SliceOptions()).slices.size(), kMaxSlices - 5);
}

// The audit at another threshold reuses the grouped columns: the same report as without.
void TestSliceReport::groupingCache_sameReportAtEveryThreshold()
{
    const LoadReport loaded = CsvReader::read(TestUtil::censusRaw(), Schema::fromYamlFile(TestUtil::censusSchema()));
    ScoredData data;
    data.columns = loaded.data.columns;
    data.labels = loaded.data.labels;
    Rng rng(3);
    for (std::size_t r = 0; r < data.labels.size(); ++r)
        data.scores.push_back(std::clamp(0.35 * data.labels[r] + double(rng.index(1000)) / 1500.0, 0.0, 1.0));
    data.threshold = 0.5;
    SliceOptions options;
    options.cross = 3;
    AuditCache cache;
    for (double t : {0.3, 0.5, 0.7}) {
        const QJsonObject fresh = computeSlices(data, options, t).toJson();
        const QJsonObject cached = computeSlices(data, options, t, &cache).toJson();
        QCOMPARE(cached, fresh);
        QVERIFY(fresh.value(QStringLiteral("slices")).toArray().size() > 1000);
        // And against a plain recount, row by row, of every pair slice of two columns.
        const SliceReport report = computeSlices(data, options, t, &cache);
        const std::size_t a = 0;
        const std::size_t b = data.columns.size() - 1;
        const GroupedColumn ga = GroupedColumn::fromColumn(data.columns[a], options.bins);
        const GroupedColumn gb = GroupedColumn::fromColumn(data.columns[b], options.bins);
        std::map<std::pair<int, int>, std::array<std::int64_t, 4>> recount;
        for (std::size_t r = 0; r < data.labels.size(); ++r) {
            if (ga.codes[r] >= 0 && gb.codes[r] >= 0)
                ++recount[{ga.codes[r], gb.codes[r]}][std::size_t(data.labels[r] * 2 + (data.scores[r] >= t))];
        }
        std::size_t checked = 0;
        for (const SliceRow &row : report.slices) {
            if (row.features != QStringList{ga.name, gb.name})
                continue;
            const auto &c = recount.at({int(ga.groups.indexOf(row.values[0])), int(gb.groups.indexOf(row.values[1]))});
            QCOMPARE((std::array<std::int64_t, 4>{row.tn, row.fp, row.fn, row.tp}), c);
            ++checked;
        }
        QVERIFY(checked >= 5);
    }
    // One grouped column per feature, made once.
    const DataColumn &first = data.columns.front();
    QCOMPARE(cache.grouped(first, options.bins).get(), cache.grouped(first, options.bins).get());
}

// Bin edges come from order statistics (nth_element); a full sort must give the same edges.
void TestSliceReport::numericBins_sameEdgesAsAFullSort()
{
    const LoadReport loaded = CsvReader::read(TestUtil::censusRaw(), Schema::fromYamlFile(TestUtil::censusSchema()));
    int numeric = 0;
    for (const DataColumn &column : loaded.data.columns) {
        if (!column.spec.isNumeric())
            continue;
        ++numeric;
        for (int bins : {2, 5, 10, 37}) {
            std::vector<double> sorted = column.numbers;
            std::sort(sorted.begin(), sorted.end());
            // The rule as written with a sorted copy (groupedcolumn.h): quantile edges, unique,
            // a heavy value followed once by the next distinct value.
            std::vector<double> edges = {sorted.front()};
            bool jumped = false;
            for (int b = 1; b < bins; ++b) {
                const double edge = sorted[std::size_t(std::floor(double(b) * double(sorted.size()) / double(bins)))];
                if (edge > edges.back()) {
                    edges.push_back(edge);
                    jumped = false;
                } else if (!jumped) {
                    const auto next = std::upper_bound(sorted.begin(), sorted.end(), edges.back());
                    if (next != sorted.end())
                        edges.push_back(*next);
                    jumped = true;
                }
            }
            const GroupedColumn grouped = GroupedColumn::fromColumn(column, bins);
            QCOMPARE(std::size_t(grouped.groups.size()), edges.size());
            for (std::size_t r = 0; r < column.numbers.size(); r += 97) {
                const auto above = std::upper_bound(edges.begin(), edges.end(), column.numbers[r]);
                QCOMPARE(grouped.codes[r], std::int32_t(above - edges.begin()) - 1);
            }
        }
    }
    QVERIFY(numeric >= 2);
}

#include "tst_slicereport.moc"

// The permutation experiment of docs/metrics.md: (label, score) pairs shuffled across the real
// census rows, so no slice differs from the rest; the finder run 100 times with fixed seeds.
// With no margin the verdict rests on the FDR correction alone: the share of runs with any
// weak slice must stay near the nominal 5% (BH under the global null controls the chance of
// any discovery at q), while the raw p-values find something in nearly every run.
void TestSliceReport::permutation_falseDiscoveriesNearNominal()
{
    const LoadReport loaded = CsvReader::read(TestUtil::censusRaw(), Schema::fromYamlFile(TestUtil::censusSchema()));
    ScoredData data;
    data.columns = loaded.data.columns;
    data.labels = loaded.data.labels;
    Rng rng(11);
    for (std::size_t r = 0; r < data.labels.size(); ++r)
        data.scores.push_back(std::clamp(0.45 * data.labels[r] + double(rng.index(1000)) / 1800.0, 0.0, 1.0));
    data.threshold = 0.5;
    SliceOptions options;
    options.weakMargin = 0;
    const PermutationCheck check = permutationCheck(data, options, 100, 1000);
    qInfo("permutation: %d of %d runs with a false discovery (raw p: %d), %.0f slices tested a run, %.1f raw "
          "discoveries a run",
          check.runsWithDiscovery, check.runs, check.runsWithRawDiscovery, check.meanTested, check.meanRawDiscoveries);
    QCOMPARE(check.runs, 100);
    QVERIFY(check.meanTested > 500);
    // At 5% nominal, 100 runs: P(Bin(100, 0.05) >= 11) < 1%; the seeds are fixed, so this is
    // the same number every time, and a finder without the correction fails it by far.
    QVERIFY2(check.runsWithDiscovery <= 10, qPrintable(QString::number(check.runsWithDiscovery)));
    QVERIFY2(check.runsWithRawDiscovery >= 80, qPrintable(QString::number(check.runsWithRawDiscovery)));
    // Deterministic.
    const PermutationCheck again = permutationCheck(data, options, 5, 1000);
    const PermutationCheck first = permutationCheck(data, options, 5, 1000);
    QCOMPARE(again.runsWithDiscovery, first.runsWithDiscovery);
    QCOMPARE(again.meanRawDiscoveries, first.meanRawDiscoveries);
}
