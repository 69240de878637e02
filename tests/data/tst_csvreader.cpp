#include <QtTest>

#include "csverror.h"
#include "csvreader.h"
#include "schema.h"
#include "testutil.h"

using namespace Audit;

class TestCsvReader : public QObject
{
    Q_OBJECT

private:
    Schema m_tiny = Schema::fromYaml(TestUtil::tinySchemaYaml(), QStringLiteral("tiny.yaml"));
    QTemporaryDir m_dir;

private Q_SLOTS:
    void readGoodInput_data();
    void readGoodInput();
    void badRows_areRejectedWithMessage_data();
    void badRows_areRejectedWithMessage();
    void badRows_strictThrowsCsvError();
    void wholeFileProblems_throwCsvError_data();
    void wholeFileProblems_throwCsvError();
    void missingFile_namesThePath();
    void censusFixture_keepsQuestionMarkAsCategory();
    void fullCensusFile_loadsEveryRow();
    void labelOptional_whenNotRequired();
};

void TestCsvReader::readGoodInput_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<int>("rows");
    QTest::addColumn<QString>("colourOfLastRow");
    QTest::addColumn<double>("scoreOfLastRow");

    const QByteArray header = "age,colour,score,shape,y\n";
    QTest::newRow("plain LF") << header + "30,red,1.5,round,yes\n" << 1 << "red" << 1.5;
    QTest::newRow("CRLF line ends") << QByteArray("age,colour,score,shape,y\r\n31,blue,2,square,no\r\n") << 1 << "blue" << 2.0;
    QTest::newRow("census-style spaces after commas")
        << QByteArray("age, colour, score, shape, y\n 30, red, 1.5, round, yes\n") << 1 << "red" << 1.5;
    QTest::newRow("trailing blank line") << header + "30,red,1.5,round,yes\n\n" << 1 << "red" << 1.5;
    QTest::newRow("no final newline") << header + "30,red,1.5,round,yes" << 1 << "red" << 1.5;
    QTest::newRow("quoted field with comma") << header + "30,\"dark, red\",1.5,round,yes\n" << 1 << "dark, red" << 1.5;
    QTest::newRow("quoted field with doubled quote") << header + "30,\"say \"\"hi\"\"\",1.5,round,yes\n"
                                                     << 1 << "say \"hi\"" << 1.5;
    QTest::newRow("quoted field with line break") << header + "30,\"two\nlines\",1.5,round,yes\n40,green,-3e2,round,no\n"
                                                  << 2 << "green" << -300.0;
    QTest::newRow("columns in another order plus an extra one")
        << QByteArray("y,extra,shape,score,colour,age\nno,zzz,round,0.25,teal,50\n") << 1 << "teal" << 0.25;
    QTest::newRow("question mark as a category") << header + "30,?,1.5,round,yes\n" << 1 << "?" << 1.5;
    QTest::newRow("byte order mark") << QByteArray("\xEF\xBB\xBF") + header + "30,red,1.5,round,yes\n" << 1 << "red" << 1.5;
}

void TestCsvReader::readGoodInput()
{
    QFETCH(QByteArray, csv);
    QFETCH(int, rows);
    QFETCH(QString, colourOfLastRow);
    QFETCH(double, scoreOfLastRow);

    const LoadReport report = CsvReader::readBytes(csv, QStringLiteral("good.csv"), m_tiny);
    QVERIFY2(report.rejected.isEmpty(), qPrintable(report.rejectedSummary()));
    QCOMPARE(int(report.data.rowCount()), rows);
    QCOMPARE(report.data.columns.size(), std::size_t(4));
    const DataColumn &colour = report.data.columns[1];
    QCOMPARE(colour.spec.name, QStringLiteral("colour"));
    QCOMPARE(QString::fromStdString(colour.text(std::size_t(rows - 1))), colourOfLastRow);
    QCOMPARE(report.data.columns[2].numbers.back(), scoreOfLastRow);
    QCOMPARE(report.data.labels.size(), std::size_t(rows));
}

void TestCsvReader::badRows_areRejectedWithMessage_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("column");
    QTest::addColumn<QString>("messagePart");

    const QByteArray header = "age, colour, score, shape, y\n";
    const QByteArray good = "30, red, 1.5, round, yes\n";
    QTest::newRow("question mark in integer column") << header + good + "?, red, 1.5, round, yes\n"
                                                     << 3 << "age"
                                                     << "good.csv:3: column \"age\": expected a whole number, found \"?\"";
    QTest::newRow("decimal in integer column") << header + "3.5, red, 1.5, round, no\n"
                                               << 2 << "age"
                                               << "expected a whole number, found \"3.5\"";
    QTest::newRow("text in real column") << header + "30, red, abc, round, no\n"
                                         << 2 << "score"
                                         << "column \"score\": expected a number, found \"abc\"";
    QTest::newRow("empty numeric field") << header + "30, red, , round, no\n"
                                         << 2 << "score"
                                         << "expected a number, found \"\"";
    QTest::newRow("plus then minus") << header + "+-39, red, 1.5, round, no\n"
                                     << 2 << "age"
                                     << "expected a whole number, found \"+-39\"";
    QTest::newRow("a NUL byte in a value") << header + QByteArray("3\0x, red, 1.5, round, no\n", 25) << 2 << "age"
                                           << "expected a whole number, found \"3\\x00x\"";
    QTest::newRow("a huge value") << header + "30, red, " + QByteArray(5 << 20, '9') + "x, round, no\n"
                                  << 2 << "score"
                                  << "found \"" + QString(80, QLatin1Char('9')) + "… (5242881 characters)\"";
    QTest::newRow("too few fields") << header + good + good + "30, red, 1.5\n"
                                    << 4 << ""
                                    << "good.csv:4: expected 5 fields as in the header, found 3";
    QTest::newRow("too many fields") << header + "30, red, 1.5, round, yes, extra\n"
                                     << 2 << ""
                                     << "expected 5 fields as in the header, found 6";
    QTest::newRow("label outside the two classes") << header + "30, red, 1.5, round, maybe\n"
                                                   << 2 << "y"
                                                   << "column \"y\": label \"maybe\" is neither \"yes\" nor \"no\"";
    QTest::newRow("census label with a trailing period") << header + "30, red, 1.5, round, yes.\n"
                                                         << 2 << "y"
                                                         << "label \"yes.\" is neither";
}

void TestCsvReader::badRows_areRejectedWithMessage()
{
    QFETCH(QByteArray, csv);
    QFETCH(int, line);
    QFETCH(QString, column);
    QFETCH(QString, messagePart);

    const LoadReport report = CsvReader::readBytes(csv, QStringLiteral("good.csv"), m_tiny);
    QCOMPARE(report.rejected.size(), 1);
    const RejectedRow &row = report.rejected.front();
    QCOMPARE(row.line, line);
    QCOMPARE(row.column, column);
    QVERIFY2(row.message.contains(messagePart), qPrintable(row.message));
    // The load goes on: every other row is kept and no column has a stray value.
    const int total = csv.count('\n') - 1;
    QCOMPARE(int(report.data.rowCount()), total - 1);
    for (const DataColumn &c : report.data.columns)
        QCOMPARE(c.size(), report.data.rowCount());
    QCOMPARE(report.data.labels.size(), report.data.rowCount());
    QVERIFY(report.rejectedSummary().contains(QStringLiteral("1 row(s) rejected")));
}

void TestCsvReader::badRows_strictThrowsCsvError()
{
    const QByteArray csv = "age,colour,score,shape,y\n30,red,1.5,round,yes\nabc,red,1.5,round,yes\n";
    LoadOptions strict;
    strict.strict = true;
    try {
        CsvReader::readBytes(csv, QStringLiteral("strict.csv"), m_tiny, strict);
        QFAIL("expected CsvError");
    } catch (const CsvError &e) {
        QCOMPARE(e.line(), 3);
        QCOMPARE(e.column(), QStringLiteral("age"));
        QCOMPARE(e.value(), QStringLiteral("abc"));
        QVERIFY2(e.message().startsWith(QStringLiteral("strict.csv:3: column \"age\"")), e.what());
        QVERIFY2(e.message().contains(QStringLiteral("Fix:")), e.what());
    }
}

void TestCsvReader::wholeFileProblems_throwCsvError_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("messagePart");

    QTest::newRow("empty file") << QByteArray() << 0 << "bad.csv: the file is empty";
    QTest::newRow("only blank lines") << QByteArray("\n\n  \n") << 0 << "the file is empty";
    QTest::newRow("no header row") << QByteArray("30,red,1.5,round,yes\n") << 1
                                   << "bad.csv:1: no header row: the first line names none of the schema's columns";
    QTest::newRow("schema column absent") << QByteArray("age,colour,shape,y\n30,red,round,yes\n") << 1
                                          << "bad.csv:1: schema column \"score\" is absent from the header";
    QTest::newRow("label column absent") << QByteArray("age,colour,score,shape\n30,red,1,round\n") << 1
                                         << "label column \"y\" is absent from the header";
    QTest::newRow("duplicate header name") << QByteArray("age,age,colour,score,shape,y\n") << 1 << "names column \"age\" twice";
    QTest::newRow("unterminated quote") << QByteArray("age,colour,score,shape,y\n30,\"red,1.5,round,yes\n") << 2
                                        << "bad.csv:2: a quoted field starts here and is never closed";
    QTest::newRow("text after closing quote")
        << QByteArray("age,colour,score,shape,y\n30,\"red\"x,1,round,yes\n") << 2 << "unexpected text after a closing quote";
    // Say what the file is, not "no header row".
    const QString csv = QStringLiteral("age,colour,score,shape,y\n30,red,1.5,round,yes\n");
    QByteArray utf16 = "\xff\xfe";
    for (const QChar c : csv)
        utf16 += char(c.unicode()) + QByteArray(1, '\0');
    QTest::newRow("UTF-16") << utf16 << 0
                            << "bad.csv: UTF-16 text (a byte-order mark, or NUL bytes between the letters). "
                               "Fix: save it as UTF-8.";
    QTest::newRow("CR-only line ends") << QByteArray("age,colour,score,shape,y\r30,red,1.5,round,yes\r") << 0
                                       << "bad.csv: its lines end in CR only";
}

void TestCsvReader::wholeFileProblems_throwCsvError()
{
    QFETCH(QByteArray, csv);
    QFETCH(int, line);
    QFETCH(QString, messagePart);
    try {
        CsvReader::readBytes(csv, QStringLiteral("bad.csv"), m_tiny);
        QFAIL("expected CsvError");
    } catch (const CsvError &e) {
        QVERIFY2(e.message().contains(messagePart), e.what());
        QCOMPARE(e.line(), line);
        QCOMPARE(e.path(), QStringLiteral("bad.csv"));
    }
}

void TestCsvReader::missingFile_namesThePath()
{
    const QString path = m_dir.filePath(QStringLiteral("nowhere.csv"));
    try {
        CsvReader::read(path, m_tiny);
        QFAIL("expected CsvError");
    } catch (const CsvError &e) {
        QVERIFY2(e.message().startsWith(path + QStringLiteral(": no such file")), e.what());
    }
}

void TestCsvReader::censusFixture_keepsQuestionMarkAsCategory()
{
    const Schema census = Schema::fromYamlFile(TestUtil::censusSchema());
    const LoadReport report = CsvReader::read(TestUtil::censusSample(20), census);
    QVERIFY(report.rejected.isEmpty());
    QCOMPARE(int(report.data.rowCount()), 20);
    const int occupation = census.featureIndex(QStringLiteral("occupation"));
    const DataColumn &column = report.data.columns[std::size_t(occupation)];
    QVERIFY(std::find(column.categories.begin(), column.categories.end(), "?") == column.categories.end());
    const int native = census.featureIndex(QStringLiteral("native-country"));
    // Line 16 of the fixture has native-country "?".
    const DataColumn &country = report.data.columns[std::size_t(native)];
    QVERIFY(std::find(country.categories.begin(), country.categories.end(), "?") != country.categories.end());
    QCOMPARE(report.data.lines.front(), 2);
    QCOMPARE(QString::fromStdString(report.data.columns[1].text(0)), QStringLiteral("State-gov"));
    QCOMPARE(report.data.columns[0].numbers[0], 39.0);
    QCOMPARE(int(report.data.positives()), 7);
}

void TestCsvReader::fullCensusFile_loadsEveryRow()
{
    const Schema census = Schema::fromYamlFile(TestUtil::censusSchema());
    const LoadReport report = CsvReader::read(TestUtil::censusRaw(), census, {true, true});
    QCOMPARE(int(report.data.rowCount()), 32561);
    QCOMPARE(int(report.data.positives()), 7841);
    QCOMPARE(report.data.md5.size(), 32);
}

void TestCsvReader::labelOptional_whenNotRequired()
{
    LoadOptions options;
    options.requireLabel = false;
    const LoadReport report = CsvReader::readBytes("age,colour,score,shape\n30,red,1,round\n", QStringLiteral("x.csv"), m_tiny,
                                                   options);
    QCOMPARE(int(report.data.rowCount()), 1);
    QVERIFY(!report.data.hasLabels());
}

QTEST_GUILESS_MAIN(TestCsvReader)
#include "tst_csvreader.moc"
