#include <QtTest>

#include "csverror.h"
#include "scoreddata.h"
#include "testutil.h"

using namespace Audit;

// Reading scored CSVs from models trained elsewhere.
class TestScoredData : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString write(const QByteArray &csv) { return TestUtil::writeFile(m_dir, QStringLiteral("scores.csv"), csv); }

private Q_SLOTS:
    void binaryScores_needNoThreshold();
    void probabilities_useTheThreshold();
    void textLabel_withLabelPositive();
    void emptyAttribute_belongsToNoGroup();
    void badInput_namesColumnAndLine_data();
    void badInput_namesColumnAndLine();
};

void TestScoredData::binaryScores_needNoThreshold()
{
    ScoredCsvOptions options;
    options.attributes = {QStringLiteral("race")};
    const ScoredData d = readScoredCsv(write("score,label_value,race\n1,1,White\n0,1,Black\n0,0,White\n"), options);
    QCOMPARE(d.rowCount(), std::size_t(3));
    QCOMPARE(d.outcomes(), std::vector<std::uint8_t>({3, 2, 0}));
    QCOMPARE(d.columns[0].categories, std::vector<std::string>({"White", "Black"}));
    QCOMPARE(d.columns[0].codes, std::vector<std::int32_t>({0, 1, 0}));
}

void TestScoredData::probabilities_useTheThreshold()
{
    ScoredCsvOptions options;
    options.attributes = {QStringLiteral("sex")};
    options.threshold = 0.3;
    const ScoredData d = readScoredCsv(write("sex,p,y\nMale,0.31,1\nFemale,0.29,0\n"), [&] {
        auto o = options;
        o.scoreColumn = QStringLiteral("p");
        o.labelColumn = QStringLiteral("y");
        return o;
    }());
    QCOMPARE(d.threshold, 0.3);
    QCOMPARE(d.outcomes(), std::vector<std::uint8_t>({3, 0}));
}

void TestScoredData::textLabel_withLabelPositive()
{
    ScoredCsvOptions options;
    options.attributes = {QStringLiteral("g")};
    options.labelColumn = QStringLiteral("salary");
    options.labelPositive = QStringLiteral(">50K");
    const ScoredData d = readScoredCsv(write("g,score,salary\na,1,>50K\nb,0,<=50K\n"), options);
    QCOMPARE(d.labels, std::vector<std::int8_t>({1, 0}));
    QCOMPARE(d.positiveLabel, QStringLiteral(">50K"));
}

void TestScoredData::emptyAttribute_belongsToNoGroup()
{
    ScoredCsvOptions options;
    options.attributes = {QStringLiteral("g")};
    const ScoredData d = readScoredCsv(write("g,score,label_value\na,1,1\n,1,0\n"), options);
    QCOMPARE(d.columns[0].codes, std::vector<std::int32_t>({0, -1}));
    QCOMPARE(d.rowCount(), std::size_t(2));
}

void TestScoredData::badInput_namesColumnAndLine_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<double>("threshold");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("score column missing")
        << QByteArray("s,label_value,g\n1,1,a\n") << -1.0
        << ":1: the score column \"score\" is absent from the header (columns: s, label_value, g)";
    QTest::newRow("attribute missing") << QByteArray("score,label_value\n1,1\n") << -1.0 << "the column to audit \"g\" is absent";
    QTest::newRow("score not a number") << QByteArray("score,label_value,g\n1,1,a\nhigh,0,b\n") << -1.0
                                        << ":3: column \"score\": expected a number, found \"high\"";
    QTest::newRow("three label values") << QByteArray("score,label_value,g\n1,1,a\n0,0,b\n1,2,a\n") << -1.0
                                        << ":4: column \"label_value\" has more than two values";
    QTest::newRow("text label without --label-positive")
        << QByteArray("score,label_value,g\n1,yes,a\n0,no,b\n") << -1.0 << "label \"no\" is not 0 or 1";
    QTest::newRow("probabilities without threshold") << QByteArray("score,label_value,g\n0.7,1,a\n0.2,0,b\n") << -1.0
                                                     << "holds scores other than 0 and 1, and no threshold was given";
    QTest::newRow("ragged row") << QByteArray("score,label_value,g\n1,1\n") << 0.5
                                << ":2: expected 3 fields as in the header, found 2";
    QTest::newRow("no rows") << QByteArray("score,label_value,g\n") << 0.5 << "no rows to audit";
}

void TestScoredData::badInput_namesColumnAndLine()
{
    QFETCH(QByteArray, csv);
    QFETCH(double, threshold);
    QFETCH(QString, messagePart);
    ScoredCsvOptions options;
    options.attributes = {QStringLiteral("g")};
    if (threshold >= 0) // the rows above write -1 for "no threshold"
        options.threshold = threshold;
    try {
        readScoredCsv(write(csv), options);
        QFAIL("expected CsvError");
    } catch (const CsvError &e) {
        QVERIFY2(e.message().contains(messagePart), e.what());
        QVERIFY2(e.message().startsWith(m_dir.filePath(QStringLiteral("scores.csv"))), e.what());
    }
}

QTEST_GUILESS_MAIN(TestScoredData)
#include "tst_scoreddata.moc"
