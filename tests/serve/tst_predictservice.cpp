#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>

#include "auditerror.h"
#include "featureencoder.h"
#include "listenerror.h"
#include "prediction.h"
#include "predictservice.h"
#include "projectfixture.h"
#include "record.h"
#include "serverpool.h"
#include "testutil.h"

using namespace Audit;

// The predict API on a real server on an ephemeral 127.0.0.1 port, over real HTTP.
class TestPredictService : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_project;
    std::shared_ptr<const Model> m_model;
    Dataset m_data;
    std::unique_ptr<PredictService> m_service;
    quint16 m_port = 0;
    QNetworkAccessManager m_network;

    struct Answer
    {
        int status = 0;
        QJsonObject json;
        QByteArray body;
        QNetworkReply *reply = nullptr;
    };

    Answer call(const QByteArray &method, const QString &path, const QByteArray &body = {},
                const QByteArray &contentType = "application/json", const QByteArray &token = {}, quint16 port = 0)
    {
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port ? port : m_port).arg(path)));
        if (!contentType.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
        QElapsedTimer waited;
        waited.start();
        while (!reply->isFinished() && waited.elapsed() < 10000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        Answer a;
        a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        a.body = reply->readAll();
        a.json = QJsonDocument::fromJson(a.body).object();
        reply->deleteLater();
        return a;
    }

    QJsonObject recordJson(std::size_t row) const
    {
        QJsonObject json;
        for (const DataColumn &c : m_data.columns) {
            if (c.spec.isNumeric())
                json.insert(c.spec.name, c.numbers[row]);
            else
                json.insert(c.spec.name, QString::fromStdString(c.categories[std::size_t(c.codes[row])]));
        }
        return json;
    }

    std::size_t rowPredicted(bool positive) const
    {
        const std::vector<double> scores = m_model->score(m_data);
        for (std::size_t r = 0; r < scores.size(); ++r) {
            if ((scores[r] >= m_model->threshold()) == positive)
                return r;
        }
        qFatal("no row predicted %d", positive);
    }

    // Posts `count` records at once (rows i * stride) and checks every answer against core.
    void postAllAndCheck(quint16 port, std::size_t count, std::size_t stride)
    {
        std::vector<QNetworkReply *> replies;
        std::vector<std::size_t> rows;
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t row = (i * stride) % m_data.rowCount();
            QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/predict").arg(port)));
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
            replies.push_back(m_network.post(request, QJsonDocument(recordJson(row)).toJson()));
            rows.push_back(row);
        }
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.begin(), replies.end(), [](QNetworkReply *r) { return r->isFinished(); }),
                                 30000);
        const std::vector<double> scores = m_model->score(m_data.subset(rows));
        for (std::size_t i = 0; i < replies.size(); ++i) {
            QCOMPARE(replies[i]->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            QCOMPARE(QJsonDocument::fromJson(replies[i]->readAll()).object().value(QStringLiteral("probability")).toDouble(),
                     scores[i]);
            replies[i]->deleteLater();
        }
    }

private Q_SLOTS:
    void initTestCase();
    void welcomeHealthModelDocs();
    void predict_bothClassesFromCensusRows();
    void predict_batchInOrder();
    void explain_attributionsAddUpAndBadValuesAre422();
    void errors_eachClass_data();
    void errors_eachClass();
    void validation_listsEveryProblem();
    void unknownCategory_warnsOrRejectsWhenStrict();
    void token_requiredOffLoopback();
    void concurrent_hundredRequestsAllRight();
    void swapModel_answersWithTheNewOne();
    void groupThresholds_attributeRequiredEachRecordItsGroups();
    void pool_twoThreadsShareOnePort();
    void pool_servesIpv6Loopback();
    void pool_signalsEveryRequest();
    void handlerThrows_answers500WithRequestId();
    void errorMessages_nameNoCommandLineFlag();
    void oversizedBody_rejectedWhileReading();
    void oversizedHeaders_rejectedWhileReading();
    void slowHeaders_timeOut();
    void malformedRequestLine_closesConnection();
    void manyConnections_capStillServes();
    void framing_refusedBeforeTheBody();
    void token_checkedFirstSchemeInAnyCase();
    void connectionClose_closesAfterTheAnswer();
    void requestLog_escapesControlCharacters();
    void problems_cappedAndValuesTruncated();
    void values_outOfRangeWarnedOrRejectedAndLoneSurrogatesRefused();
};

void TestPredictService::initTestCase()
{
    TestUtil::makeProject(m_project);
    m_model = std::make_shared<const Model>(Model::load(m_project.filePath(QStringLiteral("models/model.bin"))));
    m_data = CsvReader::read(m_project.filePath(QStringLiteral("data/test.csv")), m_model->schema()).data;
    ServeOptions options;
    options.port = 0;
    options.batchLimit = 50;
    m_service = std::make_unique<PredictService>(options);
    m_service->setModel(m_model, recordFromDataset(m_data, 0));
    m_port = m_service->start();
    QVERIFY(m_port > 0);
}

void TestPredictService::welcomeHealthModelDocs()
{
    Answer a = call("GET", QStringLiteral("/"), {}, {});
    QCOMPARE(a.status, 200);
    QCOMPARE(a.json.value(QStringLiteral("model")).toString(), m_model->id());
    QCOMPARE(a.json.value(QStringLiteral("learner")).toString(), QStringLiteral("logistic"));
    QCOMPARE(a.json.value(QStringLiteral("docs")).toString(), QStringLiteral("/docs"));
    QCOMPARE(call("GET", QStringLiteral("/health"), {}, {}).json.value(QStringLiteral("status")).toString(),
             QStringLiteral("ok"));
    a = call("GET", QStringLiteral("/model"), {}, {});
    QCOMPARE(a.json.value(QStringLiteral("threshold")).toDouble(), m_model->threshold());
    QCOMPARE(a.json.value(QStringLiteral("training")).toObject().value(QStringLiteral("data_md5")).toString(),
             m_model->training().dataMd5);
    a = call("GET", QStringLiteral("/openapi.json"), {}, {});
    QCOMPARE(a.json.value(QStringLiteral("openapi")).toString(), QStringLiteral("3.1.0"));
    const QJsonObject record = a.json.value(QStringLiteral("components"))
                                   .toObject()
                                   .value(QStringLiteral("schemas"))
                                   .toObject()
                                   .value(QStringLiteral("Record"))
                                   .toObject();
    QCOMPARE(record.value(QStringLiteral("required")).toArray().size(), 14);
    QVERIFY(record.value(QStringLiteral("properties")).toObject().contains(QStringLiteral("marital-status")));
    const QJsonObject example = record.value(QStringLiteral("examples")).toArray().first().toObject();
    QCOMPARE(example, recordJson(0)); // a real census row
    a = call("GET", QStringLiteral("/docs"), {}, {});
    QCOMPARE(a.status, 200);
    QVERIFY(a.body.contains("<h1>ModelAudit predict API</h1>"));
    QVERIFY(!a.body.contains("http://") && !a.body.contains("https://"));
    QVERIFY(a.body.contains("<h2>Explanations</h2>"));
    // explain in the OpenAPI document: a body member, a query parameter, the answer's member.
    const QJsonObject api = call("GET", QStringLiteral("/openapi.json"), {}, {}).json;
    QVERIFY(record.value(QStringLiteral("properties")).toObject().contains(QStringLiteral("explain")));
    QCOMPARE(api.value(QStringLiteral("paths"))
                 .toObject()
                 .value(QStringLiteral("/predict"))
                 .toObject()
                 .value(QStringLiteral("post"))
                 .toObject()
                 .value(QStringLiteral("parameters"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("name"))
                 .toString(),
             QStringLiteral("explain"));
    QVERIFY(api.value(QStringLiteral("components"))
                .toObject()
                .value(QStringLiteral("schemas"))
                .toObject()
                .value(QStringLiteral("Prediction"))
                .toObject()
                .value(QStringLiteral("properties"))
                .toObject()
                .contains(QStringLiteral("explanation")));
}

void TestPredictService::predict_bothClassesFromCensusRows()
{
    for (bool positive : {false, true}) {
        const std::size_t row = rowPredicted(positive);
        const Answer a = call("POST", QStringLiteral("/predict"), QJsonDocument(recordJson(row)).toJson());
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json.value(QStringLiteral("prediction")).toString(),
                 positive ? QStringLiteral(">50K") : QStringLiteral("<=50K"));
        const double expected = m_model->score(m_data.subset({row}))[0];
        QCOMPARE(a.json.value(QStringLiteral("probability")).toDouble(), expected);
        QCOMPARE(a.json.value(QStringLiteral("threshold")).toDouble(), m_model->threshold());
        QCOMPARE(a.json.value(QStringLiteral("model")).toString(), m_model->id());
        QVERIFY(a.json.value(QStringLiteral("warnings")).toArray().isEmpty());
    }
}

void TestPredictService::predict_batchInOrder()
{
    QJsonArray records;
    for (std::size_t r = 0; r < 20; ++r)
        records.append(recordJson(r));
    const Answer a = call("POST", QStringLiteral("/predict/batch"),
                          QJsonDocument(QJsonObject{{QStringLiteral("records"), records}}).toJson());
    QCOMPARE(a.status, 200);
    const QJsonArray predictions = a.json.value(QStringLiteral("predictions")).toArray();
    QCOMPARE(predictions.size(), 20);
    std::vector<std::size_t> rows(20);
    std::iota(rows.begin(), rows.end(), std::size_t(0));
    const std::vector<double> scores = m_model->score(m_data.subset(rows));
    for (int i = 0; i < 20; ++i)
        QCOMPARE(predictions[i].toObject().value(QStringLiteral("probability")).toDouble(), scores[std::size_t(i)]);
}

// POST /predict and /predict/batch with "explain": the attributions add up to the answer's own
// output (the log-odds of its probability, or the probability); bad values name the member.
void TestPredictService::explain_attributionsAddUpAndBadValuesAre422()
{
    QJsonObject body = recordJson(3);
    body.insert(QStringLiteral("explain"), true);
    Answer a = call("POST", QStringLiteral("/predict"), QJsonDocument(body).toJson());
    QCOMPARE(a.status, 200);
    const double p = a.json.value(QStringLiteral("probability")).toDouble();
    QJsonObject e = a.json.value(QStringLiteral("explanation")).toObject();
    QCOMPARE(e.value(QStringLiteral("space")).toString(), QStringLiteral("log-odds"));
    QCOMPARE(e.value(QStringLiteral("exact")).toBool(), true);
    QJsonObject attributions = e.value(QStringLiteral("attributions")).toObject();
    QCOMPARE(attributions.size(), qsizetype(m_model->schema().features().size()));
    QVERIFY(attributions.contains(QStringLiteral("marital-status"))); // names as in the data
    double sum = e.value(QStringLiteral("base")).toDouble();
    for (const QJsonValue &v : attributions)
        sum += v.toDouble();
    QVERIFY(std::abs(sum - std::log(p / (1 - p))) < 1e-9);
    QVERIFY(std::abs(e.value(QStringLiteral("output")).toDouble() - sum) < 1e-9);

    a = call("POST", QStringLiteral("/predict?explain=probability"), QJsonDocument(recordJson(3)).toJson());
    QCOMPARE(a.status, 200);
    e = a.json.value(QStringLiteral("explanation")).toObject();
    QCOMPARE(e.value(QStringLiteral("space")).toString(), QStringLiteral("probability"));
    QCOMPARE(e.value(QStringLiteral("exact")).toBool(), false); // rescaled from the exact log-odds
    sum = e.value(QStringLiteral("base")).toDouble();
    for (const QJsonValue &v : e.value(QStringLiteral("attributions")).toObject())
        sum += v.toDouble();
    QVERIFY(std::abs(sum - p) < 1e-9);

    QVERIFY(!call("POST", QStringLiteral("/predict?explain=false"), QJsonDocument(recordJson(3)).toJson())
                 .json.contains(QStringLiteral("explanation")));
    body.insert(QStringLiteral("explain"), 3);
    a = call("POST", QStringLiteral("/predict"), QJsonDocument(body).toJson());
    QCOMPARE(a.status, 422);
    QCOMPARE(a.json.value(QStringLiteral("detail")).toArray().first().toObject().value(QStringLiteral("loc")).toArray(),
             (QJsonArray{QStringLiteral("body"), QStringLiteral("explain")}));
    a = call("POST", QStringLiteral("/predict?explain=maybe"), QJsonDocument(recordJson(3)).toJson());
    QCOMPARE(a.status, 422);
    QCOMPARE(a.json.value(QStringLiteral("detail")).toArray().first().toObject().value(QStringLiteral("loc")).toArray(),
             (QJsonArray{QStringLiteral("query"), QStringLiteral("explain")}));

    QJsonArray records;
    for (std::size_t r = 0; r < 5; ++r)
        records.append(recordJson(r));
    a = call("POST", QStringLiteral("/predict/batch"),
             QJsonDocument(QJsonObject{{QStringLiteral("records"), records}, {QStringLiteral("explain"), true}}).toJson());
    QCOMPARE(a.status, 200);
    const QJsonArray predictions = a.json.value(QStringLiteral("predictions")).toArray();
    QCOMPARE(predictions.size(), 5);
    body = recordJson(3);
    body.insert(QStringLiteral("explain"), true);
    // Explaining costs ~100x a prediction: a tenth of the batch limit (50 here) per request.
    QJsonArray six;
    for (std::size_t r = 0; r < 6; ++r)
        six.append(recordJson(r));
    QCOMPARE(call("POST", QStringLiteral("/predict/batch?explain=true"),
                  QJsonDocument(QJsonObject{{QStringLiteral("records"), six}}).toJson())
                 .status,
             413);
    QCOMPARE(predictions[3].toObject().value(QStringLiteral("explanation")),
             call("POST", QStringLiteral("/predict"), QJsonDocument(body).toJson()).json.value(QStringLiteral("explanation")));
}

void TestPredictService::errors_eachClass_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("detailPart");
    QTest::newRow("malformed JSON") << QByteArray("POST") << "/predict" << QByteArray("{\"age\": ")
                                    << QByteArray("application/json") << 400 << "JSON decode error";
    QTest::newRow("wrong content type") << QByteArray("POST") << "/predict" << QByteArray("age=3") << QByteArray("text/plain")
                                        << 415 << "Content-Type must be application/json";
    QTest::newRow("body over 1 MiB") << QByteArray("POST") << "/predict" << QByteArray(1100000, ' ')
                                     << QByteArray("application/json") << 413 << "the limit is 1048576";
    QTest::newRow("wrong method") << QByteArray("GET") << "/predict" << QByteArray() << QByteArray() << 405
                                  << "Method Not Allowed";
    QTest::newRow("delete on docs") << QByteArray("DELETE") << "/docs" << QByteArray() << QByteArray() << 405
                                    << "Method Not Allowed";
    QTest::newRow("unknown path") << QByteArray("GET") << "/predictions" << QByteArray() << QByteArray() << 404 << "Not Found";
    QTest::newRow("batch over the limit") << QByteArray("POST") << "/predict/batch"
                                          << QByteArray("{\"records\": [") + QByteArray("{},").repeated(50) + "{}]}"
                                          << QByteArray("application/json") << 413 << "51 records; the limit is 50";
    QTest::newRow("body is a list") << QByteArray("POST") << "/predict" << QByteArray("[1, 2]") << QByteArray("application/json")
                                    << 422 << "";
}

void TestPredictService::errors_eachClass()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(int, status);
    QFETCH(QString, detailPart);
    const Answer a = call(method, path, body, contentType);
    QCOMPARE(a.status, status);
    QVERIFY2(!QJsonDocument::fromJson(a.body).isNull(), a.body.constData()); // every error body is JSON
    QVERIFY2(a.json.value(QStringLiteral("detail")).toVariant().toString().contains(detailPart)
                 || QJsonDocument(a.json).toJson().contains(detailPart.toUtf8()),
             a.body.constData());
}

void TestPredictService::validation_listsEveryProblem()
{
    QJsonObject record = recordJson(0);
    record.remove(QStringLiteral("age"));
    record.insert(QStringLiteral("hours-per-week"), QStringLiteral("forty"));
    record.insert(QStringLiteral("education-num"), 9.5);
    record.insert(QStringLiteral("sex"), 1);
    record.insert(QStringLiteral("income"), 5);
    const Answer a = call("POST", QStringLiteral("/predict"), QJsonDocument(record).toJson());
    QCOMPARE(a.status, 422);
    const QJsonArray detail = a.json.value(QStringLiteral("detail")).toArray();
    QCOMPARE(detail.size(), 5);
    QStringList seen;
    for (const QJsonValue &d : detail) {
        const QJsonObject problem = d.toObject();
        seen << problem.value(QStringLiteral("loc")).toArray()[1].toString() + QLatin1Char(':')
                + problem.value(QStringLiteral("type")).toString();
        QCOMPARE(problem.value(QStringLiteral("loc")).toArray()[0].toString(), QStringLiteral("body"));
        QVERIFY(!problem.value(QStringLiteral("msg")).toString().isEmpty());
    }
    QVERIFY(seen.contains(QStringLiteral("age:missing")));
    QVERIFY(seen.contains(QStringLiteral("hours-per-week:int_type")));
    QVERIFY(seen.contains(QStringLiteral("education-num:int_from_float")));
    QVERIFY(seen.contains(QStringLiteral("sex:string_type")));
    QVERIFY(seen.contains(QStringLiteral("income:extra_forbidden")));
    // Batch errors name the record's index.
    const Answer b = call("POST", QStringLiteral("/predict/batch"),
                          QJsonDocument(QJsonObject{{QStringLiteral("records"), QJsonArray{recordJson(0), record}}}).toJson());
    QCOMPARE(b.status, 422);
    QCOMPARE(b.json.value(QStringLiteral("detail")).toArray()[0].toObject().value(QStringLiteral("loc")).toArray(),
             QJsonArray({QStringLiteral("body"), QStringLiteral("records"), 1, QStringLiteral("age")}));
}

void TestPredictService::unknownCategory_warnsOrRejectsWhenStrict()
{
    QJsonObject record = recordJson(0);
    record.insert(QStringLiteral("native-country"), QStringLiteral("Atlantis"));
    Answer a = call("POST", QStringLiteral("/predict"), QJsonDocument(record).toJson());
    QCOMPARE(a.status, 200);
    QVERIFY(a.json.value(QStringLiteral("warnings"))
                .toArray()
                .first()
                .toString()
                .contains(QStringLiteral("native-country: category \"Atlantis\"")));

    ServeOptions strict;
    strict.port = 0;
    strict.strict = true;
    PredictService service(strict);
    service.setModel(m_model);
    const quint16 port = service.start();
    a = call("POST", QStringLiteral("/predict"), QJsonDocument(record).toJson(), "application/json", {}, port);
    QCOMPARE(a.status, 422);
    QCOMPARE(a.json.value(QStringLiteral("detail")).toArray()[0].toObject().value(QStringLiteral("type")).toString(),
             QStringLiteral("enum"));
}

void TestPredictService::token_requiredOffLoopback()
{
    ServeOptions open;
    open.host = QHostAddress::AnyIPv4;
    open.port = 0;
    PredictService refused(open);
    try {
        refused.start();
        QFAIL("expected an error without a token");
    } catch (const AuditError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("0.0.0.0: binding a non-loopback address needs a bearer token")),
                 qPrintable(e.message()));
        QVERIFY2(!e.message().contains(QStringLiteral("--")), qPrintable(e.message())); // the CLI names its flag
    }
    open.token = QStringLiteral("s3cret");
    PredictService guarded(open);
    guarded.setModel(m_model);
    const quint16 port = guarded.start();
    const QByteArray body = QJsonDocument(recordJson(0)).toJson();
    Answer a = call("POST", QStringLiteral("/predict"), body, "application/json", {}, port);
    QCOMPARE(a.status, 401);
    QCOMPARE(a.json.value(QStringLiteral("detail")).toString(), QStringLiteral("Not authenticated"));
    a = call("POST", QStringLiteral("/predict"), body, "application/json", "wrong", port);
    QCOMPARE(a.status, 401);
    a = call("POST", QStringLiteral("/predict"), body, "application/json", "s3cret", port);
    QCOMPARE(a.status, 200);
}

void TestPredictService::concurrent_hundredRequestsAllRight()
{
    postAllAndCheck(m_port, 100, 17);
}

void TestPredictService::swapModel_answersWithTheNewOne()
{
    TrainParams params;
    params.learner.kind = LearnerKind::LinearSvm;
    auto other = std::make_shared<const Model>(trainModel(m_data, params));
    m_service->setModel(other);
    const Answer a = call("POST", QStringLiteral("/predict"), QJsonDocument(recordJson(3)).toJson());
    QCOMPARE(a.json.value(QStringLiteral("model")).toString(), other->id());
    m_service->setModel(nullptr);
    QCOMPARE(call("GET", QStringLiteral("/health"), {}, {}).status, 503);
    QCOMPARE(call("POST", QStringLiteral("/predict"), QJsonDocument(recordJson(3)).toJson()).status, 503);
    m_service->setModel(m_model);
}

void TestPredictService::groupThresholds_attributeRequiredEachRecordItsGroups()
{
    // Thresholds far apart, so the group visibly decides: Male 0.9, Female 0.1.
    GroupThresholds g;
    g.attribute = QStringLiteral("sex");
    g.constraint = QStringLiteral("equal_opportunity");
    g.tolerance = 0.02;
    g.objective = QStringLiteral("f1");
    g.fittedOn = QStringLiteral("a test");
    g.groups = {{QStringLiteral("Male"), {{0.9, 1.0}}}, {QStringLiteral("Female"), {{0.1, 1.0}}}};
    auto grouped = std::make_shared<const Model>(m_model->withGroupThresholds(g));
    m_service->setModel(grouped, recordFromDataset(m_data, 0));
    const DataColumn &sex = m_data.columns[std::size_t(m_data.schema.featureIndex(QStringLiteral("sex")))];
    const std::vector<double> scores = m_model->score(m_data);
    int checked = 0;
    for (std::size_t r = 0; r < 40; ++r) {
        const QString group = QString::fromStdString(sex.categories[std::size_t(sex.codes[r])]);
        const Answer a = call("POST", QStringLiteral("/predict"), QJsonDocument(recordJson(r)).toJson());
        QCOMPARE(a.status, 200);
        const double t = group == QLatin1String("Male") ? 0.9 : 0.1;
        QCOMPARE(a.json.value(QStringLiteral("threshold")).toDouble(), t);
        QCOMPARE(a.json.value(QStringLiteral("prediction")).toString(),
                 scores[r] >= t ? m_model->schema().positiveLabel() : m_model->schema().negativeLabel());
        ++checked;
    }
    QCOMPARE(checked, 40);
    // Without the attribute, or with a group the thresholds do not know: 422, naming the member.
    QJsonObject without = recordJson(0);
    without.remove(QStringLiteral("sex"));
    Answer a = call("POST", QStringLiteral("/predict"), QJsonDocument(without).toJson());
    QCOMPARE(a.status, 422);
    QJsonObject problem = a.json.value(QStringLiteral("detail")).toArray().first().toObject();
    QCOMPARE(problem.value(QStringLiteral("loc")).toArray(), (QJsonArray{QStringLiteral("body"), QStringLiteral("sex")}));
    QCOMPARE(problem.value(QStringLiteral("type")).toString(), QStringLiteral("missing"));
    QVERIFY2(problem.value(QStringLiteral("msg")).toString().contains(QStringLiteral("decides with thresholds by sex")),
             a.body.constData());
    QJsonObject stranger = recordJson(0);
    stranger.insert(QStringLiteral("sex"), QStringLiteral("Martian"));
    a = call("POST", QStringLiteral("/predict"), QJsonDocument(stranger).toJson());
    QCOMPARE(a.status, 422);
    problem = a.json.value(QStringLiteral("detail")).toArray().first().toObject();
    QCOMPARE(problem.value(QStringLiteral("type")).toString(), QStringLiteral("enum"));
    QVERIFY2(problem.value(QStringLiteral("msg")).toString().contains(QStringLiteral("(Male, Female); \"Martian\" is not")),
             a.body.constData());
    // In a batch, the record at fault by its index; nothing is predicted.
    a = call("POST", QStringLiteral("/predict/batch"),
             QJsonDocument(QJsonObject{{QStringLiteral("records"), QJsonArray{recordJson(1), without}}}).toJson());
    QCOMPARE(a.status, 422);
    QCOMPARE(a.json.value(QStringLiteral("detail")).toArray().first().toObject().value(QStringLiteral("loc")).toArray(),
             (QJsonArray{QStringLiteral("body"), QStringLiteral("records"), 1, QStringLiteral("sex")}));
    // The documents say so: /model carries the thresholds, the OpenAPI record lists the groups.
    a = call("GET", QStringLiteral("/model"), {}, {});
    QCOMPARE(a.json.value(QStringLiteral("group_thresholds")).toObject().value(QStringLiteral("attribute")).toString(),
             QStringLiteral("sex"));
    a = call("GET", QStringLiteral("/openapi.json"), {}, {});
    const QJsonObject field = a.json.value(QStringLiteral("components"))
                                  .toObject()
                                  .value(QStringLiteral("schemas"))
                                  .toObject()
                                  .value(QStringLiteral("Record"))
                                  .toObject()
                                  .value(QStringLiteral("properties"))
                                  .toObject()
                                  .value(QStringLiteral("sex"))
                                  .toObject();
    QCOMPARE(field.value(QStringLiteral("enum")).toArray(), (QJsonArray{QStringLiteral("Male"), QStringLiteral("Female")}));
    m_service->setModel(m_model, recordFromDataset(m_data, 0));
}

void TestPredictService::pool_twoThreadsShareOnePort()
{
    ServeOptions options;
    options.port = 0;
    ServerPool pool(options, 2);
    pool.setModel(m_model);
    const quint16 port = pool.start();
    QVERIFY(port > 0);
    postAllAndCheck(port, 60, 1);
    QCOMPARE(pool.requestCount(), qint64(60));
    // Another server on that port is an error, whatever its thread count: the port is shared
    // between this pool's threads only, never with another server (another model).
    for (int threads : {1, 2}) {
        ServeOptions same;
        same.port = port;
        ServerPool second(same, threads);
        second.setModel(m_model);
        QVERIFY_THROWS_EXCEPTION(ListenError, second.start());
    }
    postAllAndCheck(port, 20, 7); // and the first still answers every request
}

namespace {

// Whether this machine has a usable IPv6 loopback.
bool hasIpv6Loopback()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHostIPv6, 0);
}

// Reads from `socket` until `done(received)`, the server closes, or `ms` pass; returns what
// arrived. Runs the event loop, since the server under test lives on this thread.
QByteArray readUntil(QTcpSocket &socket, int ms, const std::function<bool(const QByteArray &)> &done)
{
    QByteArray received;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms && !done(received) && socket.state() != QAbstractSocket::UnconnectedState) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        received += socket.readAll();
    }
    return received + socket.readAll();
}

// Connects to 127.0.0.1:`port`, running the event loop meanwhile.
bool connectTo(QTcpSocket &socket, quint16 port)
{
    socket.connectToHost(QHostAddress::LocalHost, port);
    QElapsedTimer timer;
    timer.start();
    while (socket.state() != QAbstractSocket::ConnectedState && timer.elapsed() < 5000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    return socket.state() == QAbstractSocket::ConnectedState;
}

} // namespace

void TestPredictService::pool_servesIpv6Loopback()
{
    if (!hasIpv6Loopback())
        QSKIP("no IPv6 loopback on this machine");
    ServeOptions options;
    options.host = QHostAddress::LocalHostIPv6;
    options.port = 0;
    ServerPool pool(options, 2);
    pool.setModel(m_model);
    const quint16 port = pool.start();
    QVERIFY(port > 0);
    QNetworkRequest request(QUrl(QStringLiteral("http://[::1]:%1/predict").arg(port)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    QNetworkReply *reply = m_network.post(request, QJsonDocument(recordJson(0)).toJson());
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10000);
    reply->deleteLater();
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(QJsonDocument::fromJson(reply->readAll()).object().value(QStringLiteral("model")).toString(), m_model->id());
}

void TestPredictService::pool_signalsEveryRequest()
{
    ServeOptions options;
    options.port = 0;
    ServerPool pool(options, 2);
    pool.setModel(m_model);
    QList<RequestLog> logs;
    connect(
        &pool, &ServerPool::requestServed, this, [&logs](const RequestLog &log) { logs.append(log); }, Qt::QueuedConnection);
    const quint16 port = pool.start();
    postAllAndCheck(port, 30, 3);
    QTRY_COMPARE(logs.size(), 30);
    QCOMPARE(logs.first().method, QStringLiteral("POST"));
    QCOMPARE(logs.first().path, QStringLiteral("/predict"));
    QCOMPARE(logs.first().status, 200);
}

void TestPredictService::handlerThrows_answers500WithRequestId()
{
    ServeOptions options;
    options.port = 0;
    PredictService service(options);
    service.setModel(m_model);
    service.addRoute(QHttpServerRequest::Method::Get, QStringLiteral("/boom"),
                     [](const QHttpServerRequest &) -> HttpReply { throw std::runtime_error("secret internals"); });
    const quint16 port = service.start();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("request [0-9a-f]+: GET /boom: secret internals")));
    const Answer a = call("GET", QStringLiteral("/boom"), {}, {}, {}, port);
    QCOMPARE(a.status, 500);
    QCOMPARE(a.json.value(QStringLiteral("error")).toString(), QStringLiteral("internal error"));
    QVERIFY(!a.json.value(QStringLiteral("request_id")).toString().isEmpty());
    QVERIFY2(!a.body.contains("secret"), a.body.constData());
    // The service goes on answering.
    QCOMPARE(call("GET", QStringLiteral("/health"), {}, {}, {}, port).status, 200);
}

void TestPredictService::errorMessages_nameNoCommandLineFlag()
{
    ServeOptions busy;
    busy.port = 0;
    PredictService first(busy);
    busy.port = first.start();
    PredictService second(busy);
    try {
        second.start();
        QFAIL("expected an error for a port in use");
    } catch (const AuditError &e) {
        QVERIFY2(!e.message().contains(QStringLiteral("--")), qPrintable(e.message()));
        QVERIFY2(e.message().contains(QStringLiteral("port 0")), qPrintable(e.message()));
    }
}

void TestPredictService::oversizedBody_rejectedWhileReading()
{
    // Content-Length says 100 MB; the server answers 413 once the limit is passed, without
    // waiting for (or buffering) the rest.
    QTcpSocket socket;
    QVERIFY(connectTo(socket, m_port));
    socket.write("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Content-Length: 100000000\r\n\r\n");
    const QByteArray chunk(64 * 1024, ' ');
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    qint64 sent = 0;
    while (answer.isEmpty() && sent < (8 << 20) && timer.elapsed() < 10000 && socket.state() == QAbstractSocket::ConnectedState) {
        if (socket.bytesToWrite() < chunk.size()) {
            socket.write(chunk);
            sent += chunk.size();
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        answer += socket.readAll();
    }
    QVERIFY2(sent < (4 << 20), qPrintable(QString::number(sent))); // answered long before 100 MB
    answer += readUntil(socket, 3000, [](const QByteArray &got) { return got.contains("}"); });
    QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.left(200).constData());
    QVERIFY2(answer.contains("the limit is 1048576"), answer.constData());
}

void TestPredictService::oversizedHeaders_rejectedWhileReading()
{
    QTcpSocket socket;
    QVERIFY(connectTo(socket, m_port));
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: " + QByteArray(200 << 10, 'a') + "\r\n\r\n");
    const QByteArray answer = readUntil(socket, 5000, [](const QByteArray &got) { return got.contains("}"); });
    QVERIFY2(answer.startsWith("HTTP/1.1 431"), answer.left(200).constData());
    QVERIFY2(answer.contains("{\"detail\":\"Request line and headers are over 65536 bytes\"}"), answer.constData());
    // Headers just under the limit are fine.
    QTcpSocket fine;
    QVERIFY(connectTo(fine, m_port));
    fine.write("GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: " + QByteArray(60 << 10, 'a') + "\r\n\r\n");
    QVERIFY(readUntil(fine, 5000, [](const QByteArray &got) { return got.contains("}"); }).startsWith("HTTP/1.1 200"));
}

void TestPredictService::slowHeaders_timeOut()
{
    ServeOptions options;
    options.port = 0;
    options.requestTimeoutMs = 300;
    options.idleTimeoutMs = 300;
    PredictService service(options);
    service.setModel(m_model);
    const quint16 port = service.start();
    QTcpSocket socket;
    QVERIFY(connectTo(socket, port));
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\n"); // and never the blank line
    QElapsedTimer timer;
    timer.start();
    const QByteArray answer = readUntil(socket, 5000, [](const QByteArray &) { return false; });
    QVERIFY2(answer.startsWith("HTTP/1.1 408"), answer.constData());
    QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
    QVERIFY(timer.elapsed() < 3000);
    // An idle keep-alive connection is closed too.
    QTcpSocket idle;
    QVERIFY(connectTo(idle, port));
    readUntil(idle, 5000, [](const QByteArray &) { return false; });
    QCOMPARE(idle.state(), QAbstractSocket::UnconnectedState);
}

void TestPredictService::malformedRequestLine_closesConnection()
{
    QTcpSocket socket;
    QVERIFY(connectTo(socket, m_port));
    socket.write("GARBAGE \x01\x02\r\n\r\n");
    QElapsedTimer timer;
    timer.start();
    readUntil(socket, 3000, [](const QByteArray &) { return false; });
    QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState); // closed, not left hanging
    QVERIFY(timer.elapsed() < 2000);
    QCOMPARE(call("GET", QStringLiteral("/health"), {}, {}).status, 200);
}

void TestPredictService::manyConnections_capStillServes()
{
    ServeOptions options;
    options.port = 0;
    options.maxConnections = 20;
    PredictService service(options);
    service.setModel(m_model);
    const quint16 port = service.start();
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < 40; ++i) {
        idle.push_back(std::make_unique<QTcpSocket>());
        idle.back()->connectToHost(QHostAddress::LocalHost, port);
    }
    // Over the cap, the newest connections are answered 503 and closed.
    QByteArray refused;
    QTRY_VERIFY_WITH_TIMEOUT(std::count_if(idle.begin(), idle.end(),
                                           [&refused](const auto &s) {
                                               refused += s->peek(12);
                                               return s->state() == QAbstractSocket::UnconnectedState || s->bytesAvailable() > 0;
                                           })
                                 >= 20,
                             5000);
    QVERIFY2(refused.contains("HTTP/1.1 503"), refused.left(100).constData());
    idle.resize(10); // closes 30: room again
    QTRY_COMPARE_WITH_TIMEOUT(call("GET", QStringLiteral("/health"), {}, {}, {}, port).status, 200, 5000);
}

namespace {

// Sends `head` (and nothing more) on a fresh loopback connection and returns the answer; the
// server must answer without waiting for any body.
QByteArray answerTo(quint16 port, const QByteArray &head, int ms = 3000)
{
    QTcpSocket socket;
    if (!connectTo(socket, port))
        return "(no connection)";
    socket.write(head);
    return readUntil(socket, ms, [](const QByteArray &got) { return got.contains("}"); });
}

} // namespace

void TestPredictService::framing_refusedBeforeTheBody()
{
    // A Content-Length over the limit: 413 at once, with none of the 300 MB sent.
    QElapsedTimer timer;
    timer.start();
    QByteArray a = answerTo(m_port,
                            "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            "Content-Length: 300000000\r\n\r\n");
    QVERIFY2(a.startsWith("HTTP/1.1 413") && a.contains("the limit is 1048576"), a.constData());
    QVERIFY(timer.elapsed() < 2000);
    // Ambiguous framing is request smuggling's door: two different lengths, or a length and a
    // transfer encoding, are refused before the body.
    a = answerTo(m_port,
                 "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                 "Content-Length: 40\r\n\r\n");
    QVERIFY2(a.startsWith("HTTP/1.1 400") && a.contains("Two different Content-Length headers"), a.constData());
    a = answerTo(m_port,
                 "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n");
    QVERIFY2(a.startsWith("HTTP/1.1 400") && a.contains("Both Content-Length and Transfer-Encoding"), a.constData());
    a = answerTo(m_port, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: +2\r\n\r\n{}");
    QVERIFY2(a.startsWith("HTTP/1.1 400") && a.contains("Content-Length is not a number"), a.constData());
    // A space before a colon, a folded line or a line without a colon: 400, never the body read
    // as a second request (it held a hidden GET that was answered).
    const QByteArray hidden = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    for (const QByteArray &bad : {QByteArray("X-A : 5\r\n"), QByteArray("X-A: 5\r\n continued\r\n"), QByteArray("X-A\t: 5\r\n"),
                                  QByteArray("no colon here\r\n")}) {
        a = answerTo(m_port,
                     "POST /predict HTTP/1.1\r\nHost: x\r\n" + bad + "Content-Type: application/json\r\nContent-Length: "
                         + QByteArray::number(hidden.size()) + "\r\n\r\n" + hidden);
        QVERIFY2(a.startsWith("HTTP/1.1 400") && a.contains("is not \\\"Name: value\\\"") && !a.contains("\"ok\""),
                 a.constData());
    }
    // The same length twice is one length: answered as usual (422: an empty record).
    a = answerTo(m_port,
                 "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                 "Content-Length: 2\r\n\r\n{}");
    QVERIFY2(a.startsWith("HTTP/1.1 422"), a.constData());
    // At most 100 header fields.
    QByteArray many = "GET /health HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 100; ++i)
        many += "X-" + QByteArray::number(i) + ": 1\r\n";
    a = answerTo(m_port, many + "\r\n");
    QVERIFY2(a.startsWith("HTTP/1.1 431") && a.contains("101 header fields; at most 100"), a.constData());
    a = answerTo(m_port, many.left(many.lastIndexOf("X-")) + "\r\n");
    QVERIFY2(a.startsWith("HTTP/1.1 200"), a.left(100).constData());
}

void TestPredictService::token_checkedFirstSchemeInAnyCase()
{
    ServeOptions options;
    options.port = 0;
    options.token = QStringLiteral("s3cret");
    PredictService service(options);
    service.setModel(m_model);
    const quint16 port = service.start();
    // 401 before 404 or 405 (paths cannot be probed), and before a body is read.
    QByteArray a = answerTo(port, "GET /no/such/path HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY2(a.startsWith("HTTP/1.1 401") && a.contains("WWW-Authenticate: Bearer"), a.constData());
    a = answerTo(port, "DELETE /predict HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY2(a.startsWith("HTTP/1.1 401"), a.constData());
    a = answerTo(port, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 900000\r\n\r\n");
    QVERIFY2(a.startsWith("HTTP/1.1 401"), a.constData());
    // RFC 7235: the scheme in any case.
    for (const QByteArray &scheme : {QByteArray("Bearer"), QByteArray("bearer"), QByteArray("BEARER")}) {
        a = answerTo(port, "GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: " + scheme + " s3cret\r\n\r\n");
        QVERIFY2(a.startsWith("HTTP/1.1 200"), (scheme + ": " + a.left(100)).constData());
    }
    a = answerTo(port, "GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: Basic s3cret\r\n\r\n");
    QVERIFY2(a.startsWith("HTTP/1.1 401"), a.constData());
    a = answerTo(port, "GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cre\r\n\r\n");
    QVERIFY2(a.startsWith("HTTP/1.1 401"), a.constData());
}

void TestPredictService::connectionClose_closesAfterTheAnswer()
{
    for (const QByteArray &head : {QByteArray("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
                                   QByteArray("GET /health HTTP/1.0\r\n\r\n")}) {
        QTcpSocket socket;
        QVERIFY(connectTo(socket, m_port));
        socket.write(head);
        QElapsedTimer timer;
        timer.start();
        const QByteArray a = readUntil(socket, 3000, [](const QByteArray &) { return false; });
        QVERIFY2(a.contains(" 200 OK") && a.contains("}"), a.constData());
        // Answered in the request's version.
        QVERIFY2(a.startsWith(head.contains("HTTP/1.0") ? "HTTP/1.0 200 OK\r\n" : "HTTP/1.1 200 OK\r\n"), a.constData());
        QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState); // closed by the server
        QVERIFY(timer.elapsed() < 2000);
    }
    // So are errors, QHttpServer's and the guard's own.
    for (const QByteArray &head : {QByteArray("GET /nowhere HTTP/1.0\r\n\r\n"),
                                   QByteArray("POST /predict HTTP/1.0\r\nContent-Length: 99999999\r\n\r\n")}) {
        QTcpSocket socket;
        QVERIFY(connectTo(socket, m_port));
        socket.write(head);
        const QByteArray a = readUntil(socket, 3000, [](const QByteArray &got) { return got.contains("}"); });
        QVERIFY2(a.startsWith(head.startsWith("GET") ? "HTTP/1.0 404 " : "HTTP/1.0 413 "), a.constData());
    }
    // HTTP/1.0 with keep-alive: both answers say 1.0; then 1.1 on the same connection says 1.1.
    {
        QTcpSocket socket;
        QVERIFY(connectTo(socket, m_port));
        socket.write("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        QVERIFY(readUntil(socket, 2000, [](const QByteArray &got) { return got.contains("}"); }).startsWith("HTTP/1.0 200"));
        socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(readUntil(socket, 2000, [](const QByteArray &got) { return got.contains("}"); }).startsWith("HTTP/1.1 200"));
    }
    // Keep-alive stays open for the next request.
    QTcpSocket socket;
    QVERIFY(connectTo(socket, m_port));
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(readUntil(socket, 2000, [](const QByteArray &got) { return got.contains("}"); }).contains(" 200 OK"));
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(readUntil(socket, 2000, [](const QByteArray &got) { return got.contains("}"); }).contains(" 200 OK"));
}

void TestPredictService::requestLog_escapesControlCharacters()
{
    QList<RequestLog> logs;
    connect(m_service.get(), &PredictService::requestServed, this, [&logs](const RequestLog &log) { logs.append(log); });
    answerTo(m_port, "GET /a%0Aforged%0D HTTP/1.1\r\nHost: x\r\n\r\n");
    QTRY_COMPARE(logs.size(), 1);
    QCOMPARE(logs.front().path, QStringLiteral("/a\\x0aforged\\x0d")); // one line, whatever the path
    QCOMPARE(logs.front().status, 404);
    disconnect(m_service.get(), &PredictService::requestServed, this, nullptr);
}

void TestPredictService::problems_cappedAndValuesTruncated()
{
    // As many empty records as a batch may hold: every feature missing in each, answered as the
    // first 100 problems and a count, in a few kilobytes (1,000 records made 1.2 MB: an
    // amplification).
    ServeOptions options;
    options.port = 0;
    PredictService service(options);
    service.setModel(m_model);
    const quint16 port = service.start();
    const int records = options.batchLimit;
    QJsonArray empty;
    for (int i = 0; i < records; ++i)
        empty.append(QJsonObject());
    QElapsedTimer timer;
    timer.start();
    Answer a = call("POST", QStringLiteral("/predict/batch"),
                    QJsonDocument(QJsonObject{{QStringLiteral("records"), empty}}).toJson(QJsonDocument::Compact),
                    "application/json", {}, port);
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY2(a.status == 422, a.body.left(300).constData());
    const qsizetype features = qsizetype(m_model->schema().features().size());
    QCOMPARE(a.json.value(QStringLiteral("detail")).toArray().size(), 100);
    QCOMPARE(a.json.value(QStringLiteral("problem_count")).toInteger(), records * features);
    QVERIFY2(a.body.size() < 20000, qPrintable(QString::number(a.body.size())));
    // A 500,000-character category comes back as its first 80 characters and its length.
    QJsonObject record = recordJson(0);
    for (const ColumnSpec &spec : m_model->schema().features()) {
        if (!spec.isNumeric()) {
            record.insert(spec.name, QString(500000, QLatin1Char('x')));
            break;
        }
    }
    a = call("POST", QStringLiteral("/predict"), QJsonDocument(record).toJson());
    QCOMPARE(a.status, 200);
    QVERIFY2(a.body.size() < 2000, qPrintable(QString::number(a.body.size())));
    QVERIFY2(
        a.json.value(QStringLiteral("warnings")).toArray().first().toString().contains(QStringLiteral("… (500000 characters)")),
        a.body.left(300).constData());
}

void TestPredictService::values_outOfRangeWarnedOrRejectedAndLoneSurrogatesRefused()
{
    const FeatureEncoder &encoder = m_model->encoder();
    std::size_t numeric = 0;
    while (!encoder.columns()[numeric].spec.isNumeric())
        ++numeric;
    const FeatureEncoder::Column &column = encoder.columns()[numeric];
    QJsonObject record = recordJson(0);
    record.insert(column.spec.name, column.minimum - 5);
    Answer a = call("POST", QStringLiteral("/predict"), QJsonDocument(record).toJson());
    QCOMPARE(a.status, 200); // answered, with a word about it
    const QString warning = a.json.value(QStringLiteral("warnings")).toArray().first().toString();
    QVERIFY2(warning.startsWith(column.spec.name + QStringLiteral(": "))
                 && warning.contains(QStringLiteral("is outside the training range [%1, %2]")
                                         .arg(column.minimum, 0, 'g', 10)
                                         .arg(column.maximum, 0, 'g', 10)),
             qPrintable(warning));
    record.insert(column.spec.name, 9.3e18); // past 2^63: no 64-bit integer, as the CSV reader says
    a = call("POST", QStringLiteral("/predict"), QJsonDocument(record).toJson());
    QCOMPARE(a.status, 422);
    QCOMPARE(a.json.value(QStringLiteral("detail")).toArray()[0].toObject().value(QStringLiteral("type")).toString(),
             QStringLiteral("int_parsing"));
    record.insert(column.spec.name, 9.1e18); // just under 2^63
    a = call("POST", QStringLiteral("/predict"), QJsonDocument(record).toJson());
    QVERIFY(a.json.value(QStringLiteral("warnings"))
                .toArray()
                .first()
                .toString()
                .contains(QStringLiteral("outside the training range")));

    ServeOptions strict;
    strict.port = 0;
    strict.strict = true;
    PredictService service(strict);
    service.setModel(m_model);
    const quint16 port = service.start();
    a = call("POST", QStringLiteral("/predict"), QJsonDocument(record).toJson(), "application/json", {}, port);
    QCOMPARE(a.status, 422);
    QCOMPARE(a.json.value(QStringLiteral("detail")).toArray()[0].toObject().value(QStringLiteral("type")).toString(),
             QStringLiteral("range"));

    // A missing number: null, or the schema's missing token as the data files write it ("?"),
    // read as the training median with a warning, strict or not; the same answer either way.
    QJsonObject missing = recordJson(0);
    missing.insert(column.spec.name, QJsonValue::Null);
    const Answer byNull = call("POST", QStringLiteral("/predict"), QJsonDocument(missing).toJson(), "application/json", {}, port);
    QCOMPARE(byNull.status, 200);
    QCOMPARE(byNull.json.value(QStringLiteral("warnings")).toArray().first().toString(),
             QStringLiteral("%1: missing; read as the training median %2 (training had no missing values here)")
                 .arg(column.spec.name)
                 .arg(column.median, 0, 'g', 10));
    missing.insert(column.spec.name, m_model->schema().missingToken());
    const Answer byToken = call("POST", QStringLiteral("/predict"), QJsonDocument(missing).toJson());
    QCOMPARE(byToken.status, 200);
    QCOMPARE(byToken.json.value(QStringLiteral("probability")).toDouble(),
             byNull.json.value(QStringLiteral("probability")).toDouble());
    Record imputed = recordFromDataset(m_data, 0);
    imputed.numbers[numeric] = column.median;
    QCOMPARE(byNull.json.value(QStringLiteral("probability")).toDouble(), predictRecord(*m_model, imputed).probability);

    // A lone surrogate is no text: refused, strict or not (it used to become the category "?").
    std::size_t categorical = 0;
    while (encoder.columns()[categorical].spec.isNumeric())
        ++categorical;
    QByteArray body = QJsonDocument(recordJson(0)).toJson(QJsonDocument::Compact);
    const QByteArray name = "\"" + encoder.columns()[categorical].spec.name.toUtf8() + "\":\"";
    const qsizetype at = body.indexOf(name) + name.size();
    body = body.left(at) + "\\ud800" + body.mid(body.indexOf('"', at));
    a = call("POST", QStringLiteral("/predict"), body);
    QCOMPARE(a.status, 422);
    QCOMPARE(a.json.value(QStringLiteral("detail")).toArray()[0].toObject().value(QStringLiteral("type")).toString(),
             QStringLiteral("string_unicode"));
}

QTEST_GUILESS_MAIN(TestPredictService)
#include "tst_predictservice.moc"
