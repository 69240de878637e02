#include <QtTest>

#include <algorithm>
#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>

#include "testutil.h"

// Two real public datasets nobody here prepared for, from ../shared/data (never copied into
// the project), through every stage of modelaudit-cli: clean, split, train, evaluate,
// slices, bias, card, predict and serve. The schemas and params are in tests/schemas/.
// Expected counts come from each dataset's README; other expectations are recomputed here
// from the files the stages wrote.
class TestRealData : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    using Result = TestUtil::CliResult;

    Result run(const QStringList &args) const { return TestUtil::runCli(m_dir.path(), args); }

    QString path(const QString &name) const { return m_dir.filePath(name); }

    static QString shared(const QString &relative)
    {
        return QDir::cleanPath(TestUtil::projectFile(QStringLiteral("../shared/data/") + relative));
    }
    static QString schemas(const QString &name) { return TestUtil::projectFile(QStringLiteral("tests/schemas/") + name); }

    // A cleaned file (no quoted fields in these datasets) as rows of fields; row 0 is the header.
    static QList<QStringList> table(const QString &file, QChar delimiter = QLatin1Char(','))
    {
        QList<QStringList> rows;
        for (const QByteArray &line : TestUtil::readFile(file).split('\n')) {
            if (!line.isEmpty())
                rows << QString::fromUtf8(line).split(delimiter);
        }
        return rows;
    }

    static QJsonObject json(const QString &file) { return QJsonDocument::fromJson(TestUtil::readFile(file)).object(); }

    static double median(std::vector<double> v)
    {
        std::sort(v.begin(), v.end());
        const std::size_t n = v.size();
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    // Starts `serve` on a free port; returns its base URL.
    QString serve(QProcess &server, const QString &model) const
    {
        server.setWorkingDirectory(m_dir.path());
        server.start(QStringLiteral(CLI_BINARY),
                     {QStringLiteral("serve"), QStringLiteral("--model"), model, QStringLiteral("--port"), QStringLiteral("0")});
        QString banner;
        for (int i = 0; i < 200 && !banner.contains(QStringLiteral("on http://")); ++i) {
            server.waitForReadyRead(100);
            banner += QString::fromUtf8(server.readAllStandardError());
        }
        static const QRegularExpression port(QStringLiteral("(http://127\\.0\\.0\\.1:\\d+)/"));
        return port.match(banner).captured(1);
    }

    static QJsonObject post(const QString &url, const QJsonObject &body, int *status)
    {
        QNetworkAccessManager network;
        QNetworkRequest request(QUrl(url + QStringLiteral("/predict")));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply = network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(20000);
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
        delete reply;
        return answer;
    }

    // The JSON record of row `fields` (a cleaned file's row), numbers as numbers, `missing` as null.
    static QJsonObject record(const QStringList &header, const QStringList &fields, const QStringList &numeric,
                              const QString &missing, const QString &label)
    {
        QJsonObject out;
        for (qsizetype i = 0; i < header.size(); ++i) {
            if (header[i] == label)
                continue;
            if (!numeric.contains(header[i]))
                out.insert(header[i], fields[i]);
            else if (fields[i] == missing)
                out.insert(header[i], QJsonValue::Null);
            else
                out.insert(header[i], fields[i].toDouble());
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase();
    void heartDisease_headerlessWithMissingNumbers_everyStage();
    void bankMarketing_semicolonsAndSentinel_everyStage();
    void delimiter_wrongOneNamedAndOverridable();
    void predict_outputColumnsNeverClashAndKeepTheDelimiter();
    void clean_readsTheSchemaOfParamsYaml();
};

void TestRealData::initTestCase()
{
    QVERIFY(m_dir.isValid());
    for (const QString &file :
         {QStringLiteral("heart-disease/processed.cleveland.data"), QStringLiteral("bank-marketing/bank.csv")})
        QVERIFY2(QFileInfo::exists(shared(file)),
                 qPrintable(shared(file)
                            + QStringLiteral(": ../shared/data must sit beside "
                                             "the project (CI has it)")));
}

void TestRealData::heartDisease_headerlessWithMissingNumbers_everyStage()
{
    const QString raw = shared(QStringLiteral("heart-disease/processed.cleveland.data"));
    const QString params = schemas(QStringLiteral("heart-disease.params.yaml"));
    const QStringList columns = {"age",     "sex",   "cp",      "trestbps", "chol", "fbs",  "restecg",
                                 "thalach", "exang", "oldpeak", "slope",    "ca",   "thal", "num"};

    // clean: the schema's column names become the header of a headerless file.
    Result r = run({"clean", "--in", raw, "--out", "h_clean.csv", "--params", params});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QList<QStringList> clean = table(path("h_clean.csv"));
    QCOMPARE(clean.size(), 1 + 303);
    QCOMPARE(clean[0], columns);
    QCOMPARE(clean[1].join(','), QStringLiteral("63.0,1.0,1.0,145.0,233.0,1.0,2.0,150.0,0.0,2.3,3.0,0.0,6.0,0"));

    r = run({"split", "--in", "h_clean.csv", "--train", "h_train.csv", "--test", "h_test.csv", "--params", params});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QList<QStringList> train = table(path("h_train.csv"));
    const QList<QStringList> test = table(path("h_test.csv"));
    QCOMPARE(train.size() - 1 + test.size() - 1, 303);
    QCOMPARE(train[0], columns);

    r = run({"train", "--data", "h_train.csv", "--params", params, "--out", "h_model.bin"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    r = run({"train", "--data", path("h_train.csv"), "--params", params, "--out", "h_model2.bin"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(TestUtil::readFile(path("h_model2.bin")), TestUtil::readFile(path("h_model.bin")));

    // The label is num, with the positive class {1, 2, 3, 4}.
    const auto positivesIn = [](const QList<QStringList> &rows) {
        return std::count_if(rows.begin() + 1, rows.end(), [](const QStringList &f) { return f.last() != QLatin1String("0"); });
    };
    r = run({"evaluate", "--model", "h_model.bin", "--data", "h_test.csv", "--out", "h_metrics.json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2((r.out + r.err).contains(QStringLiteral("rows %1 (positives %2)").arg(test.size() - 1).arg(positivesIn(test))),
             qPrintable(r.out + r.err));
    QCOMPARE(positivesIn(clean), 139); // README: 139 with disease

    // slices: a missing number is a slice of its own, "missing".
    r = run({"slices", "--model", "h_model.bin", "--data", "h_test.csv", "--out", "h_slices.json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonArray slices = json(path("h_slices.json")).value("slices").toArray();
    for (const QString &column : {QStringLiteral("ca"), QStringLiteral("thal")}) {
        const qsizetype at = columns.indexOf(column);
        const auto missing = std::count_if(test.begin() + 1, test.end(), [at](const QStringList &f) { return f[at] == "?"; });
        qsizetype found = 0;
        for (const QJsonValue &slice : slices) {
            const QJsonObject s = slice.toObject();
            if (s.value("feature").toString() == column && s.value("value").toString() == QLatin1String("missing"))
                found = s.value("n").toInteger();
        }
        QCOMPARE(found, qsizetype(missing));
    }

    r = run({"bias", "--model", "h_model.bin", "--data", "h_test.csv", "--out", "h_bias.json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const auto males = std::count_if(test.begin() + 1, test.end(), [](const QStringList &f) { return f[1] == "1.0"; });
    bool sawMale = false;
    for (const QJsonValue &group : json(path("h_bias.json")).value("groups").toArray()) {
        const QJsonObject g = group.toObject();
        if (g.value("attribute_name").toString() == "sex" && g.value("attribute_value").toString() == "1.0") {
            sawMale = true;
            QCOMPARE(g.value("group_size").toInteger(), qint64(males));
        }
    }
    QVERIFY(sawMale);

    // card: missingness per column, and the training medians the model imputes with,
    // recomputed here from the training file.
    r = run({"card", "--model", "h_model.bin", "--data", "h_test.csv", "--new", "--out", "h_card.md"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QString card = QString::fromUtf8(TestUtil::readFile(path("h_card.md")));
    std::vector<double> ca;
    for (qsizetype i = 1; i < train.size(); ++i) {
        if (train[i][11] != "?")
            ca.push_back(train[i][11].toDouble());
    }
    QVERIFY2(card.contains(QStringLiteral("ca (median %1)").arg(median(ca))), qPrintable(card.left(3000)));
    QVERIFY(card.contains(QStringLiteral("- Missing values: ")));

    // predict on the canonical headerless file and on the copy with a header: the same scores.
    r = run({"predict", "--model", "h_model.bin", "--data", raw, "--out", "h_pred.csv"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("ca: 4 missing value(s) read as the training median %1").arg(median(ca))),
             qPrintable(r.err));
    QVERIFY(r.err.contains(QStringLiteral("thal: 2 missing value(s)")));
    r = run({"predict", "--model", "h_model.bin", "--data", shared("heart-disease/processed.cleveland.with-header.csv"), "--out",
             "h_pred2.csv"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(TestUtil::readFile(path("h_pred2.csv")), TestUtil::readFile(path("h_pred.csv")));
    const QList<QStringList> predicted = table(path("h_pred.csv"));
    QCOMPARE(predicted.size(), 1 + 303);
    QCOMPARE(predicted[0].mid(14), (QStringList{"score", "prediction", "label_value"}));
    const QStringList withMissingCa = predicted[167]; // data line 167: ca is "?"
    QCOMPARE(withMissingCa[11], QStringLiteral("?"));

    // serve: the same row with "ca": null gets the same probability, and says it imputed.
    QProcess server;
    const QString url = serve(server, "h_model.bin");
    QVERIFY(!url.isEmpty());
    const QStringList numeric = {"age", "trestbps", "chol", "thalach", "oldpeak", "ca", "thal"};
    int status = 0;
    const QJsonObject answer = post(
        url, record(columns, withMissingCa.mid(0, 14), numeric, QStringLiteral("?"), QStringLiteral("num")), &status);
    QCOMPARE(status, 200);
    QCOMPARE(answer.value("probability").toDouble(), withMissingCa[14].toDouble());
    QCOMPARE(answer.value("prediction").toString(), withMissingCa[15]);
    QVERIFY(answer.value("prediction").toString() == QLatin1String("disease")
            || answer.value("prediction").toString() == QLatin1String("no disease"));
    QVERIFY2(answer.value("warnings")
                 .toArray()
                 .first()
                 .toString()
                 .startsWith(QStringLiteral("ca: missing; read as the training median")),
             qPrintable(QJsonDocument(answer).toJson()));
    // A category coded as a number may come as a JSON number: 1 is the category "1.0".
    QJsonObject numeric1 = record(columns, withMissingCa.mid(0, 14), numeric, QStringLiteral("?"), QStringLiteral("num"));
    numeric1.insert("sex", 1);
    numeric1.insert("cp", withMissingCa[2].toDouble());
    QCOMPARE(post(url, numeric1, &status).value("probability").toDouble(), withMissingCa[14].toDouble());
    QCOMPARE(status, 200);
    QCOMPARE(withMissingCa[1], QStringLiteral("1.0"));
    // The data's own token for a missing number, "?", reads as null does.
    QJsonObject token = numeric1;
    token.insert("ca", "?");
    QCOMPARE(post(url, token, &status).value("probability").toDouble(), withMissingCa[14].toDouble());
    // null is for numbers only.
    QJsonObject bad = record(columns, withMissingCa.mid(0, 14), numeric, QStringLiteral("?"), QStringLiteral("num"));
    bad.insert("sex", QJsonValue::Null);
    const QJsonObject refused = post(url, bad, &status);
    QCOMPARE(status, 422);
    QCOMPARE(refused.value("detail").toArray().first().toObject().value("loc").toArray().last().toString(),
             QStringLiteral("sex"));
    server.terminate();
    QVERIFY(server.waitForFinished(10000));
}

void TestRealData::bankMarketing_semicolonsAndSentinel_everyStage()
{
    const QString raw = shared(QStringLiteral("bank-marketing/bank.csv"));
    const QString params = schemas(QStringLiteral("bank-marketing.params.yaml"));

    // clean: semicolons detected; written comma-separated, the quotes dropped where not needed.
    Result r = run({"clean", "--in", raw, "--out", "b_clean.csv", "--params", params});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QList<QStringList> clean = table(path("b_clean.csv"));
    QCOMPARE(clean.size(), 1 + 4521);
    QCOMPARE(clean[0].size(), 17);
    QCOMPARE(clean[1].join(','),
             QStringLiteral("30,unemployed,married,primary,no,1787,no,no,cellular,19,oct,79,1,-1,0,unknown,no"));

    r = run({"split", "--in", "b_clean.csv", "--train", "b_train.csv", "--test", "b_test.csv", "--params", params});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QList<QStringList> test = table(path("b_test.csv"));
    r = run({"train", "--data", "b_train.csv", "--params", params, "--out", "b_model.bin"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    r = run({"evaluate", "--model", "b_model.bin", "--data", "b_test.csv", "--out", "b_metrics.json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const auto yes = std::count_if(test.begin() + 1, test.end(), [](const QStringList &f) { return f.last() == "yes"; });
    QVERIFY2((r.out + r.err).contains(QStringLiteral("rows %1 (positives %2)").arg(test.size() - 1).arg(yes)),
             qPrintable(r.out + r.err));

    // pdays = -1 ("not contacted before") is declared missing for that column only.
    const qsizetype pdays = clean[0].indexOf("pdays");
    const auto notContacted = std::count_if(test.begin() + 1, test.end(),
                                            [pdays](const QStringList &f) { return f[pdays] == "-1"; });
    r = run({"slices", "--model", "b_model.bin", "--data", "b_test.csv", "--out", "b_slices.json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    bool found = false;
    for (const QJsonValue &slice : json(path("b_slices.json")).value("slices").toArray()) {
        const QJsonObject s = slice.toObject();
        if (s.value("feature").toString() == "pdays" && s.value("value").toString() == "missing") {
            found = true;
            QCOMPARE(s.value("n").toInteger(), qint64(notContacted));
        }
    }
    QVERIFY(found);

    r = run({"bias", "--model", "b_model.bin", "--data", "b_test.csv", "--out", "b_bias.json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QStringList groups;
    for (const QJsonValue &group : json(path("b_bias.json")).value("groups").toArray())
        groups << group.toObject().value("attribute_value").toString();
    groups.sort();
    QCOMPARE(groups, (QStringList{"divorced", "married", "single"}));

    r = run({"card", "--model", "b_model.bin", "--data", "b_test.csv", "--new", "--out", "b_card.md"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QString card = QString::fromUtf8(TestUtil::readFile(path("b_card.md")));
    const qsizetype at = card.indexOf(QStringLiteral("- Missing values: "));
    QVERIFY2(card.mid(at, card.indexOf(QLatin1Char('\n'), at) - at).contains(QStringLiteral("pdays %1 (").arg(notContacted)),
             qPrintable(card.mid(at, 300)));

    // predict reads the raw semicolon file directly; 3,705 rows have pdays = -1 (README).
    r = run({"predict", "--model", "b_model.bin", "--data", raw, "--out", "b_pred.csv"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("pdays: 3705 missing value(s)")), qPrintable(r.err));
    const QList<QStringList> predicted = table(path("b_pred.csv"), QLatin1Char(';')); // the input's delimiter
    QCOMPARE(predicted.size(), 1 + 4521);

    QProcess server;
    const QString url = serve(server, "b_model.bin");
    QVERIFY(!url.isEmpty());
    const QStringList numeric = {"age", "balance", "day", "duration", "campaign", "pdays", "previous"};
    QJsonObject body = record(clean[0], predicted[1].mid(0, 17), numeric, QStringLiteral("-1"), QStringLiteral("y"));
    body.remove("duration"); // not a feature of this schema
    int status = 0;
    const QJsonObject answer = post(url, body, &status);
    QCOMPARE(status, 200);
    QVERIFY(body.value("pdays").isNull());
    QCOMPARE(answer.value("probability").toDouble(), predicted[1][17].toDouble());
    // -1, the column's declared missing token, as a JSON number: the same as null (and as the file).
    body.insert("pdays", -1);
    QCOMPARE(post(url, body, &status).value("probability").toDouble(), predicted[1][17].toDouble());
    QCOMPARE(status, 200);
    server.terminate();
    QVERIFY(server.waitForFinished(10000));
}

void TestRealData::delimiter_wrongOneNamedAndOverridable()
{
    // A schema that declares the comma, on the semicolon file: the message says what was used
    // and how to fix it; --delimiter overrides the schema.
    QByteArray yaml = TestUtil::readFile(schemas(QStringLiteral("bank-marketing.schema.yaml")));
    yaml.prepend("delimiter: \",\"\n");
    TestUtil::writeFile(m_dir, QStringLiteral("comma.schema.yaml"), yaml);
    const QString raw = shared(QStringLiteral("bank-marketing/bank.csv"));
    Result r = run({"train", "--data", raw, "--schema", "comma.schema.yaml", "--params",
                    schemas(QStringLiteral("bank-marketing.params.yaml")), "--out", "c.bin"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QStringLiteral("bank.csv:1: a semicolon follows a closing quote, but fields are read as "
                                           "separated by comma. Fix: give the delimiter (--delimiter")),
             qPrintable(r.err));
    // Unquoted, the header is one field naming no column: the message says so, with the same fix.
    QByteArray unquoted = TestUtil::readFile(raw);
    unquoted.replace('"', "");
    TestUtil::writeFile(m_dir, QStringLiteral("unquoted.csv"), unquoted);
    r = run({"train", "--data", "unquoted.csv", "--schema", "comma.schema.yaml", "--params",
             schemas(QStringLiteral("bank-marketing.params.yaml")), "--out", "c.bin"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QStringLiteral("unquoted.csv:1: no header row"))
                 && r.err.contains(QStringLiteral("separated by comma")) && r.err.contains(QStringLiteral("--delimiter")),
             qPrintable(r.err));
    r = run({"train", "--data", raw, "--schema", "comma.schema.yaml", "--params",
             schemas(QStringLiteral("bank-marketing.params.yaml")), "--delimiter", ";", "--out", "c.bin"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    r = run({"train", "--data", raw, "--schema", "comma.schema.yaml", "--params",
             schemas(QStringLiteral("bank-marketing.params.yaml")), "--delimiter", ":", "--out", "c.bin"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QStringLiteral("--delimiter: expected")), qPrintable(r.err));
}

void TestRealData::predict_outputColumnsNeverClashAndKeepTheDelimiter()
{
    // A feature named "score", semicolons: the outputs are renamed, the delimiter kept, and the
    // scored file audits with the model's score, not the feature.
    QDir(m_dir.path()).mkpath(QStringLiteral("clash"));
    TestUtil::writeFile(m_dir, QStringLiteral("clash/s.yaml"), TestUtil::tinySchemaYaml());
    TestUtil::writeFile(m_dir, QStringLiteral("clash/params.yaml"),
                        "data:\n  schema: s.yaml\nmodel:\n  learner: logistic\n  threshold: 0.5\n");
    QByteArray csv = "age;colour;score;shape;y\n";
    for (int i = 0; i < 200; ++i)
        csv += QByteArray::number(20 + i % 50) + (i % 3 ? ";red;" : ";blue;") + QByteArray::number((i * 37 % 100) / 10.0) + ";"
            + (i % 2 ? "round" : "square") + (i % 3 && i % 5 ? ";yes\n" : ";no\n");
    TestUtil::writeFile(m_dir, QStringLiteral("clash/d.csv"), csv);
    Result r = run({"train", "--data", "clash/d.csv", "--params", "clash/params.yaml", "--out", "clash/m.bin"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    r = run({"predict", "--model", "clash/m.bin", "--data", "clash/d.csv", "--out", "clash/p.csv"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("outputs are modelaudit_score, prediction, label_value")), qPrintable(r.err));
    const QByteArray scored = TestUtil::readFile(path("clash/p.csv"));
    QVERIFY(scored.startsWith("age;colour;score;shape;y;modelaudit_score;prediction;label_value\n"));
    r = run({"bias", "--scores", "clash/p.csv", "--score-col", "modelaudit_score", "--label-col", "label_value", "--threshold",
             "0.5", "--attributes", "colour", "--verdicts", "aequitas", "--out", "clash/b.json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    // The same file read back with the schema: its delimiter is detected again.
    r = run({"evaluate", "--model", "clash/m.bin", "--data", "clash/p.csv", "--out", "clash/e.json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    // Two columns of one name in a scored file are refused, not one picked.
    TestUtil::writeFile(m_dir, QStringLiteral("clash/two.csv"), "score,label_value,score\n0.5,1,0.2\n");
    r = run({"bias", "--scores", "clash/two.csv", "--score-col", "score", "--label-col", "label_value", "--attributes", "x",
             "--out", "clash/b2.json"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QStringLiteral("two.csv:1: the header names column \"score\" twice")), qPrintable(r.err));
    // Nothing to score: an error (exit 2) naming the first bad row, and no file.
    TestUtil::writeFile(m_dir, QStringLiteral("clash/bad.csv"), "age;colour;score;shape;y\nold;red;1;round;yes\n");
    r = run({"predict", "--model", "clash/m.bin", "--data", "clash/bad.csv", "--out", "clash/none.csv"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QStringLiteral("no row to score: all 1 rows were rejected; the first: "))
                 && r.err.contains("bad.csv:2"),
             qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(path("clash/none.csv")));
    // A label that is the schema's missing token ("?") loses no row in predict: the file is
    // scored unlabelled; evaluate, which needs labels, still rejects that row.
    TestUtil::writeFile(m_dir, QStringLiteral("clash/unknown.csv"),
                        "age;colour;score;shape;y\n30;red;1;round;?\n31;blue;2;square;yes\n");
    r = run({"predict", "--model", "clash/m.bin", "--data", "clash/unknown.csv", "--out", "clash/u.csv"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("note: 1 row(s) have no known label")), qPrintable(r.err));
    const QList<QByteArray> unknown = TestUtil::readFile(path("clash/u.csv")).trimmed().split('\n');
    QCOMPARE(unknown.size(), 3);
    QVERIFY(unknown[0].endsWith(";modelaudit_score;prediction"));
    r = run({"evaluate", "--model", "clash/m.bin", "--data", "clash/unknown.csv", "--out", "clash/ue.json"});
    QVERIFY2(r.exitCode == 0 && r.err.contains(QStringLiteral("1 row(s) rejected")), qPrintable(r.err));
    // Training on rows that were all rejected says so, not "needs the label column".
    r = run({"train", "--data", "clash/bad.csv", "--params", "clash/params.yaml", "--out", "clash/m2.bin"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QStringLiteral("no rows left for training: every row was rejected")), qPrintable(r.err));
}

void TestRealData::clean_readsTheSchemaOfParamsYaml()
{
    // In a project whose params.yaml names a schema declaring ";", clean keeps ";" (as split and
    // train read the same schema) without being told.
    QTemporaryDir project;
    TestUtil::writeFile(project, QStringLiteral("s.yaml"), "delimiter: \";\"\n" + TestUtil::tinySchemaYaml());
    TestUtil::writeFile(project, QStringLiteral("params.yaml"), "data:\n  schema: s.yaml\nmodel:\n  learner: logistic\n");
    TestUtil::writeFile(project, QStringLiteral("raw.csv"), "age ; colour;score;shape;y\n 30; red ;1,5;round;yes\n");
    QProcess process;
    process.setWorkingDirectory(project.path());
    process.start(QStringLiteral(CLI_BINARY), {"clean", "--in", "raw.csv", "--out", "clean.csv"});
    QVERIFY(process.waitForFinished(30000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    QCOMPARE(TestUtil::readFile(project.filePath(QStringLiteral("clean.csv"))),
             QByteArray("age;colour;score;shape;y\n30;red;\"1,5\";round;yes\n"));
}

QTEST_GUILESS_MAIN(TestRealData)
#include "tst_realdata.moc"
