#include <QtTest>

#include "csverror.h"
#include "csvreader.h"
#include "schema.h"
#include "schemaerror.h"
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
    void delimiters_detectedDeclaredOrOverridden_data();
    void delimiters_detectedDeclaredOrOverridden();
    void missingNumbers_readAsNaNByDeclaredTokens();
    void labelValues_numbersBooleansAndSets_data();
    void labelValues_numbersBooleansAndSets();
    void decimalComma_readWhereDeclared();
    void headerless_columnsInSchemaOrder();
    void realFiles_bankAndHeartDisease();
};

namespace {

Schema schemaFrom(const QByteArray &yaml)
{
    return Schema::fromYaml(yaml, QStringLiteral("s.yaml"));
}

QString sharedData(const QString &relative)
{
    const QString path = TestUtil::projectFile(QStringLiteral("../shared/data/") + relative);
    if (!QFileInfo::exists(path))
        QTest::qFail(qPrintable(path + QStringLiteral(" is missing: ../shared/data must sit beside the project")), __FILE__,
                     __LINE__);
    return path;
}

} // namespace

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
    QTest::newRow("undeclared token in integer column") << header + good + "n/a, red, 1.5, round, yes\n"
                                                        << 3 << "age"
                                                        << "good.csv:3: column \"age\": expected a whole number, found "
                                                           "\"n/a\" (a missing value is written \"?\")";
    QTest::newRow("whole number beyond 2^63 in integer column") << header + "1e19, red, 1.5, round, no\n"
                                                                << 2 << "age"
                                                                << "expected a whole number, found \"1e19\"";
    QTest::newRow("a field over a megabyte") << header + "30, " + QByteArray((1 << 20) + 1, 'x') + ", 1.5, round, yes\n"
                                             << 2 << "colour"
                                             << "column \"colour\": a field of 1048577 bytes; at most 1048576 are read";
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
    QTest::newRow("a huge value") << header + "30, red, " + QByteArray(500 << 10, '9') + "x, round, no\n"
                                  << 2 << "score"
                                  << "found \"" + QString(80, QLatin1Char('9')) + "… (512001 characters)\"";
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

void TestCsvReader::delimiters_detectedDeclaredOrOverridden_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QByteArray>("schemaLine"); // added to the tiny schema
    QTest::addColumn<char>("option");
    QTest::addColumn<char>("expected");
    QTest::addColumn<QString>("colour");
    QTest::newRow("semicolon detected, quoted header")
        << QByteArray("\"age\";\"colour\";\"score\";\"shape\";\"y\"\n30;\"dark, red\";1.5;round;yes\n") << QByteArray() << char(0)
        << ';' << "dark, red";
    QTest::newRow("tab detected, an empty field kept")
        << QByteArray("age\tcolour\tscore\tshape\ty\n30\t\t1.5\tround\tyes\n") << QByteArray() << char(0) << '\t' << "";
    QTest::newRow("pipe detected") << QByteArray("age|colour|score|shape|y\n30|red|1.5|round|yes\n") << QByteArray() << char(0)
                                   << '|' << "red";
    QTest::newRow("declared in the schema beats detection")
        << QByteArray("age;colour;score;shape;y;a,b,c,d,e,f,g\n30;red,x;1.5;round;yes;1\n") << QByteArray("delimiter: \";\"\n")
        << char(0) << ';' << "red,x";
    QTest::newRow("option beats the schema") << QByteArray("age|colour|score|shape|y\n30|red|1.5|round|yes\n")
                                             << QByteArray("delimiter: \",\"\n") << '|' << '|' << "red";
}

void TestCsvReader::delimiters_detectedDeclaredOrOverridden()
{
    QFETCH(QByteArray, csv);
    QFETCH(QByteArray, schemaLine);
    QFETCH(char, option);
    QFETCH(char, expected);
    QFETCH(QString, colour);
    const Schema schema = schemaFrom(schemaLine + TestUtil::tinySchemaYaml());
    LoadOptions options;
    options.strict = true;
    options.delimiter = option;
    const LoadReport report = CsvReader::readBytes(csv, QStringLiteral("d.csv"), schema, options);
    QCOMPARE(report.delimiter, expected);
    QCOMPARE(report.data.rowCount(), std::size_t(1));
    QCOMPARE(QString::fromStdString(report.data.columns[1].text(0)), colour);
    QCOMPARE(report.data.columns[2].numbers[0], 1.5);
    QCOMPARE(report.data.labels[0], std::int8_t(1));
}

void TestCsvReader::missingNumbers_readAsNaNByDeclaredTokens()
{
    // The schema-wide tokens, and a column's own: score says only "-1" is missing there.
    const Schema schema = schemaFrom("missing: [\"\", NA, \"?\"]\n"
                                     "label: {column: y, positive: \"yes\", negative: \"no\"}\n"
                                     "columns:\n"
                                     "  - {name: age, type: integer}\n"
                                     "  - {name: colour, type: categorical}\n"
                                     "  - {name: score, type: real, missing: [\"-1\"]}\n");
    const QByteArray csv = "age,colour,score,y\n"
                           ",NA,-1,yes\n" // age missing (""), colour the category NA, score missing
                           "NA,red,2.5,no\n"
                           "?,?,-2,no\n"
                           "40,blue,NA,no\n"; // NA is no missing token of score: rejected
    const LoadReport report = CsvReader::readBytes(csv, QStringLiteral("m.csv"), schema);
    QCOMPARE(report.data.rowCount(), std::size_t(3));
    QVERIFY(std::isnan(report.data.columns[0].numbers[0]));
    QVERIFY(std::isnan(report.data.columns[0].numbers[1]));
    QVERIFY(std::isnan(report.data.columns[0].numbers[2]));
    QVERIFY(std::isnan(report.data.columns[2].numbers[0]));
    QCOMPARE(report.data.columns[2].numbers[2], -2.0);
    QCOMPARE(report.data.columns[1].text(0), std::string("NA"));
    QCOMPARE(report.data.columns[0].text(0), std::string("")); // written back as the first token
    QCOMPARE(report.data.columns[2].text(0), std::string("-1"));
    QCOMPARE(report.rejected.size(), 1);
    QCOMPARE(report.rejected[0].line, 5);
    QVERIFY2(report.rejected[0].message.contains(
                 QStringLiteral("column \"score\": expected a number, found \"NA\" (a missing value is written \"-1\")")),
             qPrintable(report.rejected[0].message));
    const std::vector<ColumnSummary> summary = report.data.summarize();
    QCOMPARE(summary[0].missing, std::size_t(3));
    QCOMPARE(summary[1].missing, std::size_t(2)); // the categories NA and ? are the schema's tokens
    QCOMPARE(summary[2].missing, std::size_t(1));
    QCOMPARE(summary[2].minimum, -2.0); // NaN takes no part in the range or mean
    QCOMPARE(summary[2].mean, (2.5 - 2.0) / 2);
}

void TestCsvReader::labelValues_numbersBooleansAndSets_data()
{
    QTest::addColumn<QByteArray>("label");
    QTest::addColumn<QByteArray>("values"); // one label per row
    QTest::addColumn<QByteArray>("expected"); // 1, 0, or - for rejected
    QTest::newRow("0/1 as numbers") << QByteArray("{column: y, positive: 1, negative: 0}") << QByteArray("1,0,1.0,+1,0.0,2")
                                    << QByteArray("10110-");
    QTest::newRow("1/2") << QByteArray("{column: y, positive: 2, negative: 1}") << QByteArray("1,2,2.00,3") << QByteArray("011-");
    QTest::newRow("booleans in any case") << QByteArray("{column: y, positive: true, negative: false}")
                                          << QByteArray("true,False,TRUE,yes") << QByteArray("101-");
    QTest::newRow("a positive set (heart disease num)") << QByteArray("{column: y, positive: [1, 2, 3, 4], negative: 0}")
                                                        << QByteArray("0,1,2,3,4,5,4.0") << QByteArray("01111-1");
    QTest::newRow("text sets") << QByteArray("{column: y, positive: [a, b], negative: [c]}") << QByteArray("a,b,c,A")
                               << QByteArray("110-");
}

void TestCsvReader::labelValues_numbersBooleansAndSets()
{
    QFETCH(QByteArray, label);
    QFETCH(QByteArray, values);
    QFETCH(QByteArray, expected);
    const Schema schema = schemaFrom("label: " + label + "\ncolumns:\n  - {name: x, type: integer}\n");
    QByteArray csv = "x,y\n";
    for (const QByteArray &value : values.split(','))
        csv += "1," + value + "\n";
    const LoadReport report = CsvReader::readBytes(csv, QStringLiteral("l.csv"), schema);
    QByteArray got;
    std::size_t kept = 0;
    for (int line = 2; line < 2 + int(expected.size()); ++line) {
        if (kept < report.data.rowCount() && report.data.lines[kept] == line)
            got += report.data.labels[kept++] ? '1' : '0';
        else
            got += '-';
    }
    QCOMPARE(got, expected);
}

void TestCsvReader::decimalComma_readWhereDeclared()
{
    const Schema schema = schemaFrom("delimiter: \";\"\ndecimal: \",\"\n" + TestUtil::tinySchemaYaml());
    const QByteArray csv = "age;colour;score;shape;y\n30;red;1,5;round;yes\n31;red;\"-0,25\";round;no\n"
                           "32;red;2.5;round;no\n33;red;1.234,5;round;no\n3,0;red;1;round;no\n";
    const LoadReport report = CsvReader::readBytes(csv, QStringLiteral("c.csv"), schema);
    QCOMPARE(report.data.rowCount(), std::size_t(3));
    QCOMPARE(report.data.columns[2].numbers[0], 1.5);
    QCOMPARE(report.data.columns[2].numbers[1], -0.25);
    QCOMPARE(report.data.columns[0].numbers[2], 3.0); // "3,0": a whole number with a decimal comma
    // A point is a thousands separator in such files ("2.5" could be 25): not read, nor "1.234,5".
    QCOMPARE(report.rejected.size(), 2);
    QCOMPARE(report.rejected[0].value, QStringLiteral("2.5"));
    QCOMPARE(report.rejected[1].value, QStringLiteral("1.234,5"));
    QVERIFY_THROWS_EXCEPTION(SchemaError, schemaFrom("decimal: \",\"\n" + TestUtil::tinySchemaYaml()));
    // Whole numbers written as decimals read in integer columns (the heart-disease file's 63.0).
    const LoadReport whole = CsvReader::readBytes("age,colour,score,shape,y\n67.0,red,1,round,yes\n-3.000,red,1,round,no\n",
                                                  QStringLiteral("w.csv"), m_tiny, {true, true});
    QCOMPARE(whole.data.columns[0].numbers, (std::vector<double>{67, -3}));
}

void TestCsvReader::headerless_columnsInSchemaOrder()
{
    const Schema schema = schemaFrom("header: false\n"
                                     "label: {column: y, positive: \"yes\", negative: \"no\"}\n"
                                     "columns:\n"
                                     "  - {name: age, type: integer}\n"
                                     "  - {name: y}\n"
                                     "  - {name: colour, type: categorical}\n");
    const LoadReport bare = CsvReader::readBytes("30,yes,red\n40,no,blue\n", QStringLiteral("h.csv"), schema);
    QVERIFY(!bare.header);
    QCOMPARE(bare.data.rowCount(), std::size_t(2)); // the first line is a row
    QCOMPARE(bare.data.lines[0], 1);
    QCOMPARE(bare.data.columns[0].numbers[0], 30.0);
    QCOMPARE(bare.data.columns[1].text(1), std::string("blue"));
    QCOMPARE(bare.data.labels, (std::vector<std::int8_t>{1, 0}));
    // The same schema reads a file that has the header (a cleaned copy), by its names.
    const LoadReport named = CsvReader::readBytes("colour,age,y\nred,30,yes\n", QStringLiteral("n.csv"), schema);
    QVERIFY(named.header);
    QCOMPARE(named.data.rowCount(), std::size_t(1));
    QCOMPARE(named.data.columns[0].numbers[0], 30.0);
    // A short row names the count it expected.
    const LoadReport ragged = CsvReader::readBytes("30,yes\n", QStringLiteral("r.csv"), schema);
    QCOMPARE(ragged.rejected.size(), 1);
    QVERIFY(ragged.rejected[0].message.contains(QStringLiteral("expected 3 fields")));
    // Detection knows the field count of a headerless file: text with commas in the first row
    // does not make the comma the delimiter.
    const Schema semicolons = schemaFrom("header: false\n"
                                         "label: {column: y, positive: \"yes\", negative: \"no\"}\n"
                                         "columns:\n"
                                         "  - {name: age, type: integer}\n"
                                         "  - {name: colour, type: categorical}\n"
                                         "  - {name: y}\n");
    const LoadReport commas = CsvReader::readBytes("30;a,b,c,d,e;yes\n40;red;no\n", QStringLiteral("c.csv"), semicolons);
    QCOMPARE(commas.delimiter, ';');
    QCOMPARE(commas.data.rowCount(), std::size_t(2));
    QCOMPARE(commas.data.columns[1].text(0), std::string("a,b,c,d,e"));
    // header: false needs the label's place among the columns.
    try {
        schemaFrom("header: false\nlabel: {column: y, positive: a, negative: b}\ncolumns:\n  - {name: x, type: integer}\n");
        QFAIL("a headerless schema without the label's place was accepted");
    } catch (const SchemaError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("label column \"y\" must be listed too")), qPrintable(e.message()));
    }
}

void TestCsvReader::realFiles_bankAndHeartDisease()
{
    // Counts from each file's README in ../shared/data (and UCI's documentation).
    const Schema bank = Schema::fromYamlFile(TestUtil::projectFile(QStringLiteral("tests/schemas/bank-marketing.schema.yaml")));
    const LoadReport b = CsvReader::read(sharedData(QStringLiteral("bank-marketing/bank.csv")), bank, {true, true});
    QCOMPARE(b.delimiter, ';');
    QCOMPARE(b.data.rowCount(), std::size_t(4521));
    QCOMPARE(b.data.positives(), std::size_t(521));
    const int pdays = bank.featureIndex(QStringLiteral("pdays"));
    const auto pdaysMissing = std::count_if(b.data.columns[std::size_t(pdays)].numbers.begin(),
                                            b.data.columns[std::size_t(pdays)].numbers.end(),
                                            [](double v) { return std::isnan(v); });
    QCOMPARE(pdaysMissing, 3705);
    QCOMPARE(b.data.columns[std::size_t(bank.featureIndex(QStringLiteral("balance")))].text(0), std::string("1787"));

    const Schema heart = Schema::fromYamlFile(TestUtil::projectFile(QStringLiteral("tests/schemas/heart-disease.schema.yaml")));
    const LoadReport h = CsvReader::read(sharedData(QStringLiteral("heart-disease/processed.cleveland.data")), heart,
                                         {true, true});
    QVERIFY(!h.header);
    QCOMPARE(h.data.rowCount(), std::size_t(303));
    QCOMPARE(h.data.positives(), std::size_t(139)); // num in {1, 2, 3, 4}
    const std::vector<ColumnSummary> summary = h.data.summarize();
    QCOMPARE(summary[std::size_t(heart.featureIndex(QStringLiteral("ca")))].missing, std::size_t(4));
    QCOMPARE(summary[std::size_t(heart.featureIndex(QStringLiteral("thal")))].missing, std::size_t(2));
    QVERIFY(std::isnan(h.data.columns[std::size_t(heart.featureIndex(QStringLiteral("ca")))].numbers[166])); // data line 167
    // The copy with a header line added reads to the same data.
    const LoadReport named = CsvReader::read(sharedData(QStringLiteral("heart-disease/processed.cleveland.with-header.csv")),
                                             heart, {true, true});
    QVERIFY(named.header);
    QCOMPARE(named.data.rowCount(), std::size_t(303));
    QCOMPARE(named.data.labels, h.data.labels);
    for (std::size_t c = 0; c < h.data.columns.size(); ++c) {
        for (std::size_t r = 0; r < 303; ++r)
            QCOMPARE(named.data.columns[c].text(r), h.data.columns[c].text(r));
    }
}

QTEST_GUILESS_MAIN(TestCsvReader)
#include "tst_csvreader.moc"
