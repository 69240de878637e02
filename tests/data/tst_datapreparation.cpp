#include <QtTest>

#include "csverror.h"
#include "csvreader.h"
#include "datacleaner.h"
#include "datasplitter.h"
#include "schemaerror.h"
#include "testutil.h"

using namespace Audit;

// cleanCsv and splitCsv on real files.
class TestDataPreparation : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void clean_censusRemovesSpacesKeepsRows();
    void clean_isIdempotent();
    void clean_quotesOnlyWhereNeeded();
    void clean_dropsRaggedRowsOrFailsWhenStrict();
    void clean_failureWritesNoOutput();
    void clean_duplicateHeaderRefusedLikeTheReader_data();
    void clean_duplicateHeaderRefusedLikeTheReader();
    void split_isDeterministicAndComplete();
    void split_stratifiedKeepsProportions();
    void split_badOptionsThrow();
};

void TestDataPreparation::clean_censusRemovesSpacesKeepsRows()
{
    const CleanReport report = cleanCsv(TestUtil::censusRaw(), path(QStringLiteral("clean.csv")));
    QCOMPARE(report.rows, qsizetype(32561));
    QVERIFY(report.rejected.isEmpty());
    const QByteArray cleaned = TestUtil::readFile(path(QStringLiteral("clean.csv")));
    QVERIFY(cleaned.startsWith("age,workclass,fnlgt,education,education-num,marital-status,"));
    QVERIFY(cleaned.contains("\n39,State-gov,77516,Bachelors,13,Never-married,"));
    QVERIFY(!cleaned.contains(", "));
    QVERIFY(!cleaned.contains("\n\n"));
    // The cleaned file loads to the same data as the raw one (the reader trims too).
    const Schema schema = Schema::fromYamlFile(TestUtil::censusSchema());
    const Dataset raw = CsvReader::read(TestUtil::censusRaw(), schema).data;
    const Dataset clean = CsvReader::read(path(QStringLiteral("clean.csv")), schema).data;
    QCOMPARE(clean.rowCount(), raw.rowCount());
    QCOMPARE(clean.columns[3].categories, raw.columns[3].categories);
    QCOMPARE(clean.labels, raw.labels);
}

void TestDataPreparation::clean_isIdempotent()
{
    cleanCsv(TestUtil::censusSample(20), path(QStringLiteral("once.csv")));
    cleanCsv(path(QStringLiteral("once.csv")), path(QStringLiteral("twice.csv")));
    QCOMPARE(TestUtil::readFile(path(QStringLiteral("twice.csv"))), TestUtil::readFile(path(QStringLiteral("once.csv"))));
}

void TestDataPreparation::clean_quotesOnlyWhereNeeded()
{
    const QString in = TestUtil::writeFile(m_dir, QStringLiteral("q.csv"),
                                           "a , b,c\r\n\"x, y\" , \"say \"\"hi\"\"\",plain\r\n\r\n");
    cleanCsv(in, path(QStringLiteral("q_out.csv")));
    QCOMPARE(TestUtil::readFile(path(QStringLiteral("q_out.csv"))), QByteArray("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",plain\n"));
}

void TestDataPreparation::clean_dropsRaggedRowsOrFailsWhenStrict()
{
    const QString in = TestUtil::writeFile(m_dir, QStringLiteral("r.csv"), "a,b\n1,2\n3\n4,5\n");
    const CleanReport report = cleanCsv(in, path(QStringLiteral("r_out.csv")));
    QCOMPARE(report.rows, qsizetype(2));
    QCOMPARE(report.rejected.size(), 1);
    QCOMPARE(report.rejected[0].line, 3);
    QVERIFY(report.rejected[0].message.contains(QStringLiteral("r.csv:3: expected 2 fields as in the header, found 1")));
    QVERIFY_THROWS_EXCEPTION(CsvError, cleanCsv(in, path(QStringLiteral("r_strict.csv")), true));
    QVERIFY(!QFile::exists(path(QStringLiteral("r_strict.csv"))));
}

void TestDataPreparation::clean_failureWritesNoOutput()
{
    const QString in = TestUtil::writeFile(m_dir, QStringLiteral("u.csv"), "a,b\n1,\"open\n");
    QVERIFY_THROWS_EXCEPTION(CsvError, cleanCsv(in, path(QStringLiteral("u_out.csv"))));
    QVERIFY(!QFile::exists(path(QStringLiteral("u_out.csv"))));
    QVERIFY_THROWS_EXCEPTION(CsvError, cleanCsv(path(QStringLiteral("missing.csv")), path(QStringLiteral("m_out.csv"))));
    QVERIFY(!QFile::exists(path(QStringLiteral("m_out.csv"))));
}

void TestDataPreparation::clean_duplicateHeaderRefusedLikeTheReader_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("column");
    QTest::newRow("same name twice") << QByteArray("age,colour,age\n1,red,2\n") << QStringLiteral("age");
    QTest::newRow("census spacing, twice after trimming")
        << QByteArray("age, colour, score, colour\n1, red, 2, blue\n") << QStringLiteral("colour");
    QTest::newRow("trailing blank line") << QByteArray("y,y\nyes,no\n\n") << QStringLiteral("y");
}

void TestDataPreparation::clean_duplicateHeaderRefusedLikeTheReader()
{
    QFETCH(QByteArray, csv);
    QFETCH(QString, column);
    const QString in = TestUtil::writeFile(m_dir, QStringLiteral("dup.csv"), csv);
    const QString out = path(QStringLiteral("dup_out.csv"));
    const QString expected
        = QStringLiteral("%1:1: the header names column \"%2\" twice. Fix: give every column a unique name.").arg(in, column);
    try {
        cleanCsv(in, out);
        QFAIL("cleanCsv accepted a header that names a column twice");
    } catch (const CsvError &e) {
        QCOMPARE(e.message(), expected);
        QCOMPARE(e.line(), 1);
        QCOMPARE(e.column(), column);
    }
    QVERIFY(!QFile::exists(out));
    // Every later command reads the file through CsvReader, which says the same.
    const Schema schema = Schema::fromYaml(TestUtil::tinySchemaYaml(), QStringLiteral("tiny.schema.yaml"));
    try {
        CsvReader::read(in, schema);
        QFAIL("CsvReader accepted a header that names a column twice");
    } catch (const CsvError &e) {
        QCOMPARE(e.message(), expected);
    }
}

void TestDataPreparation::split_isDeterministicAndComplete()
{
    cleanCsv(TestUtil::censusRaw(), path(QStringLiteral("all.csv")));
    SplitOptions options;
    const SplitReport report = splitCsv(path(QStringLiteral("all.csv")), path(QStringLiteral("train1.csv")),
                                        path(QStringLiteral("test1.csv")), options);
    // scikit-learn's count: ceil(0.2 * 32561) = 6513
    QCOMPARE(report.testRows, qsizetype(6513));
    QCOMPARE(report.trainRows, qsizetype(26048));
    splitCsv(path(QStringLiteral("all.csv")), path(QStringLiteral("train2.csv")), path(QStringLiteral("test2.csv")), options);
    QCOMPARE(TestUtil::readFile(path(QStringLiteral("test2.csv"))), TestUtil::readFile(path(QStringLiteral("test1.csv"))));
    options.seed = 43;
    splitCsv(path(QStringLiteral("all.csv")), path(QStringLiteral("train3.csv")), path(QStringLiteral("test3.csv")), options);
    QVERIFY(TestUtil::readFile(path(QStringLiteral("test3.csv"))) != TestUtil::readFile(path(QStringLiteral("test1.csv"))));

    // Every row ends up in exactly one file.
    const QList<QByteArray> all = TestUtil::readFile(path(QStringLiteral("all.csv"))).split('\n');
    const QList<QByteArray> train = TestUtil::readFile(path(QStringLiteral("train1.csv"))).split('\n');
    const QList<QByteArray> test = TestUtil::readFile(path(QStringLiteral("test1.csv"))).split('\n');
    QCOMPARE(train.front(), all.front());
    QCOMPARE(test.front(), all.front());
    QCOMPARE(train.size() + test.size() - 2, all.size()); // headers and final empty pieces
}

void TestDataPreparation::split_stratifiedKeepsProportions()
{
    cleanCsv(TestUtil::censusRaw(), path(QStringLiteral("s_all.csv")));
    SplitOptions options;
    options.stratifyColumn = QStringLiteral("salary");
    splitCsv(path(QStringLiteral("s_all.csv")), path(QStringLiteral("s_train.csv")), path(QStringLiteral("s_test.csv")), options);
    const Schema schema = Schema::fromYamlFile(TestUtil::censusSchema());
    const Dataset test = CsvReader::read(path(QStringLiteral("s_test.csv")), schema).data;
    const Dataset train = CsvReader::read(path(QStringLiteral("s_train.csv")), schema).data;
    QCOMPARE(int(test.rowCount()), 6513);
    // 7841 / 32561 positives overall: the test file gets 1568 or 1569 of them.
    QVERIFY(std::abs(int(test.positives()) - 1568) <= 1);
    QCOMPARE(int(test.positives() + train.positives()), 7841);
}

void TestDataPreparation::split_badOptionsThrow()
{
    const QString in = TestUtil::censusSample(20);
    SplitOptions options;
    options.testSize = 1.5;
    QVERIFY_THROWS_EXCEPTION(OptionError, splitCsv(in, path(QStringLiteral("a.csv")), path(QStringLiteral("b.csv")), options));
    options.testSize = 0.2;
    options.stratifyColumn = QStringLiteral("income");
    try {
        splitCsv(in, path(QStringLiteral("a.csv")), path(QStringLiteral("b.csv")), options);
        QFAIL("expected CsvError");
    } catch (const CsvError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("stratify column \"income\" is absent from the header")), e.what());
    }
    QVERIFY(!QFile::exists(path(QStringLiteral("a.csv"))));
    options.stratifyColumn.clear();
    options.testSize = 0.01; // ceil(0.2) = 1 row of 20: fine
    QCOMPARE(splitCsv(in, path(QStringLiteral("a.csv")), path(QStringLiteral("b.csv")), options).testRows, qsizetype(1));
}

QTEST_GUILESS_MAIN(TestDataPreparation)
#include "tst_datapreparation.moc"
