#include <QtTest>

#include <QJsonArray>
#include <cmath>

#include "csvreader.h"
#include "featureencoder.h"
#include "schemaerror.h"
#include "testutil.h"

using namespace Audit;

class TestFeatureEncoder : public QObject
{
    Q_OBJECT

private:
    Schema m_tiny = Schema::fromYaml(TestUtil::tinySchemaYaml(), QStringLiteral("tiny.yaml"));
    Dataset load(const QByteArray &rows) const
    {
        return CsvReader::readBytes("age,colour,score,shape,y\n" + rows, QStringLiteral("t.csv"), m_tiny).data;
    }

private Q_SLOTS:
    void fit_oneHotSortedAndStandardised();
    void encode_unseenCategoryIsAllZerosAndReported();
    void encodeRow_matchesEncode();
    void encodeInSlices_sameRowsAndOneReport();
    void autoLog1p_onlyForSkewedNonNegativeColumns();
    void jsonRoundTrip_encodesTheSame();
    void encode_wrongSchemaThrows();
    void missingNumbers_medianImputedWithIndicator();
    void hugeNumbers_standardiseWithoutOverflow();
};

void TestFeatureEncoder::fit_oneHotSortedAndStandardised()
{
    const Dataset data = load("10,red,1,round,yes\n20,blue,2,square,no\n30,red,3,round,no\n");
    const FeatureEncoder encoder = FeatureEncoder::fit(data);
    // age(1) + colour{blue, red}(2) + score(1) + shape{round, square}(2)
    QCOMPARE(encoder.width(), 6);
    QCOMPARE(encoder.featureNames(),
             QStringList({QStringLiteral("age"), QStringLiteral("colour=blue"), QStringLiteral("colour=red"),
                          QStringLiteral("score"), QStringLiteral("shape=round"), QStringLiteral("shape=square")}));
    const FeatureMatrix x = encoder.encode(data);
    QCOMPARE(x.rows(), std::size_t(3));
    // age: mean 20, population sd sqrt(200/3)
    const float z = float(-10.0 / std::sqrt(200.0 / 3.0));
    QCOMPARE(x.row(0)[0], z);
    QCOMPARE(x.row(1)[0], 0.0f);
    QCOMPARE(x.row(0)[1], 0.0f);
    QCOMPARE(x.row(0)[2], 1.0f);
    QCOMPARE(x.row(1)[1], 1.0f);
    QCOMPARE(x.row(1)[5], 1.0f);
    QCOMPARE(x.row(2)[4], 1.0f);
}

void TestFeatureEncoder::encode_unseenCategoryIsAllZerosAndReported()
{
    const FeatureEncoder encoder = FeatureEncoder::fit(load("10,red,1,round,yes\n20,blue,2,square,no\n"));
    EncodeReport report;
    const FeatureMatrix x = encoder.encode(load("15,green,1,round,no\n16,green,1,round,no\n17,red,1,round,no\n"), &report);
    QCOMPARE(x.row(0)[1], 0.0f);
    QCOMPARE(x.row(0)[2], 0.0f);
    QCOMPARE(x.row(2)[2], 1.0f);
    QCOMPARE(report.unseen.size(), 1);
    QCOMPARE(report.unseen[0].column, QStringLiteral("colour"));
    QCOMPARE(report.unseen[0].value, QStringLiteral("green"));
    QCOMPARE(report.unseen[0].rows, qsizetype(2));
    QVERIFY(report.summary().contains(QStringLiteral("colour=\"green\" (2 rows)")));
    // A long unseen value is cut in the summary, not echoed whole (a 50 MB one was printed).
    EncodeReport longOne;
    longOne.unseen.append({QStringLiteral("colour"), QString(100000, QLatin1Char('z')), 1});
    QVERIFY2(longOne.summary().size() < 400, qPrintable(longOne.summary().left(200)));
    QVERIFY(longOne.summary().contains(QStringLiteral("(100000 characters)")));
}

// Slices of 2 rows give the rows encode() gives, in order, and one report: each unseen value
// once, with its rows over all slices, in column and first-appearance order.
void TestFeatureEncoder::encodeInSlices_sameRowsAndOneReport()
{
    const FeatureEncoder encoder = FeatureEncoder::fit(load("10,red,1,round,yes\n20,blue,2,square,no\n"));
    const Dataset data = load("15,green,1,round,no\n16,red,1,oval,no\n17,green,1,round,no\n18,pink,1,oval,no\n"
                              "19,green,1,round,no\n");
    EncodeReport whole;
    const FeatureMatrix all = encoder.encode(data, &whole);
    EncodeReport sliced;
    std::vector<std::size_t> starts;
    std::size_t rows = 0;
    encoder.encodeInSlices(
        data, 2,
        [&](FeatureMatrix &&slice, std::size_t first) {
            starts.push_back(first);
            QCOMPARE(first, rows);
            for (std::size_t r = 0; r < slice.rows(); ++r) {
                for (std::size_t c = 0; c < slice.cols(); ++c)
                    QCOMPARE(slice.row(r)[c], all.row(first + r)[c]);
            }
            rows += slice.rows();
        },
        &sliced);
    QCOMPARE(rows, data.rowCount());
    QCOMPARE(starts, (std::vector<std::size_t>{0, 2, 4}));
    QCOMPARE(sliced.summary(), whole.summary());
    QCOMPARE(sliced.unseen.size(), 3); // green (3 rows), pink (1), then shape oval (2)
    QCOMPARE(sliced.unseen[0].value, QStringLiteral("green"));
    QCOMPARE(sliced.unseen[0].rows, qsizetype(3));
    QCOMPARE(sliced.unseen[1].value, QStringLiteral("pink"));
    QCOMPARE(sliced.unseen[2].column, QStringLiteral("shape"));
    QCOMPARE(sliced.unseen[2].rows, qsizetype(2));
}

void TestFeatureEncoder::encodeRow_matchesEncode()
{
    const Dataset data = load("10,red,1.5,round,yes\n20,blue,2.5,square,no\n35,red,-1,round,no\n");
    const FeatureEncoder encoder = FeatureEncoder::fit(data);
    const FeatureMatrix x = encoder.encode(data);
    std::vector<float> row(std::size_t(encoder.width()));
    QVERIFY(encoder.encodeRow({35, 0, -1, 0}, {"", "red", "", "round"}, row.data()));
    for (int c = 0; c < encoder.width(); ++c)
        QCOMPARE(row[std::size_t(c)], x.row(2)[c]);
    QVERIFY(!encoder.encodeRow({35, 0, -1, 0}, {"", "purple", "", "round"}, row.data()));
}

void TestFeatureEncoder::autoLog1p_onlyForSkewedNonNegativeColumns()
{
    QByteArray rows;
    for (int i = 0; i < 99; ++i)
        rows += QByteArray::number(20 + i % 10) + ",red,0,round,no\n";
    rows += "25,red,100000,round,yes\n";
    const Dataset data = load(rows);
    const FeatureEncoder withLog = FeatureEncoder::fit(data, {true});
    QVERIFY(withLog.columns()[2].log1p);
    QVERIFY(!withLog.columns()[0].log1p); // age is not skewed
    QVERIFY(!FeatureEncoder::fit(data, {false}).columns()[2].log1p);
}

void TestFeatureEncoder::jsonRoundTrip_encodesTheSame()
{
    const Dataset data = CsvReader::read(TestUtil::censusSample(20), Schema::fromYamlFile(TestUtil::censusSchema())).data;
    const FeatureEncoder encoder = FeatureEncoder::fit(data);
    const FeatureEncoder copy = FeatureEncoder::fromJson(encoder.toJson());
    QCOMPARE(copy.toJson(), encoder.toJson());
    const FeatureMatrix a = encoder.encode(data);
    const FeatureMatrix b = copy.encode(data);
    for (std::size_t r = 0; r < a.rows(); ++r)
        QVERIFY(std::equal(a.row(r), a.row(r) + a.cols(), b.row(r)));
}

void TestFeatureEncoder::encode_wrongSchemaThrows()
{
    const FeatureEncoder encoder = FeatureEncoder::fit(load("10,red,1,round,yes\n"));
    const Schema other = Schema::fromYaml("label: {column: y, positive: a, negative: b}\n"
                                          "columns:\n  - {name: other, type: integer}\n",
                                          QStringLiteral("o.yaml"));
    const Dataset data = CsvReader::readBytes("other,y\n1,a\n", QStringLiteral("o.csv"), other).data;
    QVERIFY_THROWS_EXCEPTION(SchemaError, encoder.encode(data));
}

void TestFeatureEncoder::missingNumbers_medianImputedWithIndicator()
{
    // age has a missing value in training ("?" is the tiny schema's token); score has none.
    const Dataset data = load("10,red,1,round,yes\n?,blue,2,square,no\n30,red,4,round,no\n40,red,8,round,no\n");
    const FeatureEncoder encoder = FeatureEncoder::fit(data);
    const FeatureEncoder::Column &age = encoder.columns()[0];
    const FeatureEncoder::Column &score = encoder.columns()[2];
    QCOMPARE(age.median, 30.0); // of 10, 30, 40
    QVERIFY(age.missingIndicator);
    QCOMPARE(score.median, (2.0 + 4.0) / 2); // even count: the mean of the middle two
    QVERIFY(!score.missingIndicator);
    // Mean and scale come from the three numbers present (population standard deviation).
    const double mean = (10.0 + 30 + 40) / 3;
    QCOMPARE(age.mean, mean);
    QCOMPARE(age.scale, std::sqrt(((10 - mean) * (10 - mean) + (30 - mean) * (30 - mean) + (40 - mean) * (40 - mean)) / 3));
    QCOMPARE(age.minimum, 10.0);
    QCOMPARE(encoder.width(), 2 + 2 + 1 + 2); // age + indicator, colour, score, shape
    QCOMPARE(encoder.featureNames().at(1), QStringLiteral("age missing"));

    EncodeReport report;
    const FeatureMatrix m = encoder.encode(data, &report);
    QCOMPARE(m.row(1)[0], float((30.0 - mean) / age.scale)); // the median, standardised
    QCOMPARE(m.row(1)[1], 1.0f);
    QCOMPARE(m.row(0)[1], 0.0f);
    QCOMPARE(report.imputed.size(), 1);
    QCOMPARE(report.imputed[0].rows, qsizetype(1));
    QCOMPARE(report.imputedSummary(), QStringLiteral("age: 1 missing value(s) read as the training median 30"));

    // One row with score missing: the median, no indicator (training had none); same as encode().
    std::vector<float> row(std::size_t(encoder.width()));
    encoder.encodeRow({20, 0, std::nan(""), 0}, {"", "red", "", "round"}, row.data());
    QCOMPARE(row[4], float((3.0 - score.mean) / score.scale));
    QCOMPARE(row[1], 0.0f);

    // The file keeps both; a model written before imputation reads a missing number as the mean.
    const FeatureEncoder back = FeatureEncoder::fromJson(encoder.toJson());
    QCOMPARE(back.width(), encoder.width());
    QCOMPARE(back.columns()[0].median, 30.0);
    QVERIFY(back.columns()[0].missingIndicator);
    QJsonObject old = encoder.toJson();
    QJsonArray columns = old.value(QStringLiteral("columns")).toArray();
    QJsonObject scoreJson = columns[2].toObject();
    scoreJson.remove(QStringLiteral("median"));
    columns[2] = scoreJson;
    old.insert(QStringLiteral("columns"), columns);
    QCOMPARE(FeatureEncoder::fromJson(old).columns()[2].median, score.mean);

    // A column with no number at all in training is refused, naming it.
    try {
        FeatureEncoder::fit(load("10,red,?,round,yes\n20,blue,?,square,no\n"));
        QFAIL("an all-missing column was fitted");
    } catch (const SchemaError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("column \"score\" has no number in the training data: all 2 values")),
                 qPrintable(e.message()));
    }
}

void TestFeatureEncoder::hugeNumbers_standardiseWithoutOverflow()
{
    // 1e155 squared overflows a double: the scale is still the population standard deviation.
    const Dataset data = load("1,red,1e155,round,yes\n2,red,3e155,round,no\n3,red,-1e155,round,no\n");
    const FeatureEncoder encoder = FeatureEncoder::fit(data, EncoderOptions{false});
    const FeatureEncoder::Column &score = encoder.columns()[2];
    const double mean = 1e155;
    QVERIFY(qFuzzyCompare(score.mean, mean));
    QVERIFY(qFuzzyCompare(score.scale, std::sqrt((0.0 + 4 + 4) / 3) * 1e155));
    const FeatureMatrix m = encoder.encode(data);
    QVERIFY(qFuzzyCompare(m.row(1)[encoder.columns()[2].offset], float(2 / std::sqrt(8.0 / 3))));
    QVERIFY(FeatureEncoder::fromJson(encoder.toJson()).columns()[2].scale > 0);
}

QTEST_GUILESS_MAIN(TestFeatureEncoder)
#include "tst_featureencoder.moc"
