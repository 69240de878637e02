#include "predictservice.h"
#include "prediction.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QElapsedTimer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>

#include "auditerror.h"
#include "model.h"
#include "recordparser.h"

namespace Audit {

namespace {

using Status = QHttpServerResponder::StatusCode;

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject detail(const QString &message)
{
    return QJsonObject{{QStringLiteral("detail"), message}};
}

// Compares without an early exit, so the time taken says nothing about the token.
bool constantTimeEqual(const QByteArray &a, const QByteArray &b)
{
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const qsizetype n = std::max(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i)
        diff |= static_cast<unsigned char>((i < a.size() ? a[i] : 0) ^ (i < b.size() ? b[i] : 0));
    return diff == 0;
}

QString methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return QStringLiteral("GET");
    case QHttpServerRequest::Method::Post:
        return QStringLiteral("POST");
    case QHttpServerRequest::Method::Put:
        return QStringLiteral("PUT");
    case QHttpServerRequest::Method::Delete:
        return QStringLiteral("DELETE");
    case QHttpServerRequest::Method::Head:
        return QStringLiteral("HEAD");
    case QHttpServerRequest::Method::Options:
        return QStringLiteral("OPTIONS");
    case QHttpServerRequest::Method::Patch:
        return QStringLiteral("PATCH");
    default:
        return QStringLiteral("OTHER");
    }
}

QJsonObject fieldSchema(const FeatureEncoder::Column &column)
{
    if (!column.spec.isNumeric()) {
        QJsonArray values;
        for (const std::string &c : column.categories)
            values.append(QString::fromStdString(c));
        return QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                           {QStringLiteral("examples"), QJsonArray{values.isEmpty() ? QJsonValue() : values.first()}},
                           {QStringLiteral("description"),
                            QStringLiteral("One of the %1 categories seen in training (others "
                                           "are accepted with a warning).")
                                .arg(values.size())},
                           {QStringLiteral("x-categories"), values}};
    }
    return QJsonObject{
        {QStringLiteral("type"), column.spec.type == ColumnType::Integer ? QStringLiteral("integer") : QStringLiteral("number")},
        {QStringLiteral("description"),
         QStringLiteral("Seen in training from %1 to %2.").arg(column.minimum).arg(column.maximum)},
        {QStringLiteral("x-training-range"), QJsonArray{column.minimum, column.maximum}}};
}

} // namespace

struct PredictService::Reply
{
    Reply(Status s, QByteArray b, QByteArray type = "application/json", QList<std::pair<QByteArray, QByteArray>> h = {})
        : status(s)
        , body(std::move(b))
        , contentType(std::move(type))
        , headers(std::move(h))
    {}

    Status status;
    QByteArray body;
    QByteArray contentType;
    QList<std::pair<QByteArray, QByteArray>> headers;
};

PredictService::PredictService(ServeOptions options, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_options(std::move(options))
{}

PredictService::~PredictService() = default;

quint16 PredictService::start()
{
    if (!m_options.host.isLoopback() && m_options.token.isEmpty())
        throw AuditError(QStringLiteral("%1: binding a non-loopback address needs --token SECRET; every request must then "
                                        "send Authorization: Bearer SECRET")
                             .arg(m_options.host.toString()));
    quint16 port = 0;
    if (m_options.sharePort) {
        // A listening socket with SO_REUSEPORT, handed to a QTcpServer: other services (threads)
        // bind the same port and the kernel spreads connections across them.
        const int fd = ::socket(m_options.host.protocol() == QAbstractSocket::IPv6Protocol ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(m_options.port);
        address.sin_addr.s_addr = htonl(m_options.host.toIPv4Address());
        auto *server = new QTcpServer(this);
        if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0 && ::listen(fd, 256) == 0
            && server->setSocketDescriptor(fd)) {
            bind(server);
            port = server->serverPort();
        } else if (fd >= 0) {
            ::close(fd);
        }
    } else {
        port = listen(m_options.host, m_options.port);
    }
    if (port == 0)
        throw IoError(QStringLiteral("%1:%2: cannot listen (the port may be in use; try --port 0 for a free one)")
                          .arg(m_options.host.toString())
                          .arg(m_options.port));
    return port;
}

void PredictService::setModel(std::shared_ptr<const Model> model, std::optional<Record> example)
{
    const std::lock_guard lock(m_mutex);
    m_model = std::move(model);
    m_example = std::move(example);
}

std::shared_ptr<const Model> PredictService::model() const
{
    const std::lock_guard lock(m_mutex);
    return m_model;
}

void PredictService::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    makeResponder(request, socket).write(json(detail(QStringLiteral("Not Found"))), "application/json", Status::NotFound);
}

bool PredictService::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QElapsedTimer timer;
    timer.start();
    Reply reply = route(request);
    if (!m_options.corsOrigin.isEmpty())
        reply.headers.append({"Access-Control-Allow-Origin", m_options.corsOrigin.toUtf8()});
    QHttpServerResponder responder = makeResponder(request, socket);
    responder.writeStatusLine(reply.status);
    responder.writeHeader("Content-Type", reply.contentType);
    responder.writeHeader("Content-Length", QByteArray::number(reply.body.size()));
    for (const auto &[name, value] : std::as_const(reply.headers))
        responder.writeHeader(name, value);
    responder.writeBody(reply.body);
    ++m_requests;
    if (onRequest)
        onRequest({methodName(request.method()), request.url().path(), int(reply.status), double(timer.nsecsElapsed()) / 1e6});
    return true;
}

PredictService::Reply PredictService::route(const QHttpServerRequest &request) const
{
    const QString path = request.url().path();
    const QHttpServerRequest::Method method = request.method();
    static const QStringList gets = {QStringLiteral("/"), QStringLiteral("/health"), QStringLiteral("/model"),
                                     QStringLiteral("/openapi.json"), QStringLiteral("/docs")};
    static const QStringList posts = {QStringLiteral("/predict"), QStringLiteral("/predict/batch")};
    if (!gets.contains(path) && !posts.contains(path))
        return {Status::NotFound, json(detail(QStringLiteral("Not Found")))};

    if (method == QHttpServerRequest::Method::Options && !m_options.corsOrigin.isEmpty())
        return {Status::NoContent,
                {},
                "text/plain",
                {{"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
                 {"Access-Control-Allow-Headers", "Content-Type, Authorization"}}};
    const bool isGet = gets.contains(path);
    if ((isGet && method != QHttpServerRequest::Method::Get) || (!isGet && method != QHttpServerRequest::Method::Post))
        return {Status::MethodNotAllowed,
                json(detail(QStringLiteral("Method Not Allowed"))),
                "application/json",
                {{"Allow", isGet ? "GET" : "POST"}}};

    if (!m_options.token.isEmpty()) {
        const QByteArray expected = "Bearer " + m_options.token.toUtf8();
        if (!constantTimeEqual(request.value("Authorization"), expected))
            return {Status::Unauthorized,
                    json(detail(QStringLiteral("Not authenticated"))),
                    "application/json",
                    {{"WWW-Authenticate", "Bearer"}}};
    }

    const std::shared_ptr<const Model> current = model(); // in-flight requests keep this one
    if (path == QLatin1String("/docs"))
        return {Status::Ok, docsHtml().toUtf8(), "text/html; charset=utf-8"};
    if (path == QLatin1String("/openapi.json"))
        return {Status::Ok, json(openApi())};
    if (path == QLatin1String("/")) {
        QJsonObject welcome{{QStringLiteral("name"), QStringLiteral("ModelAudit predict API")},
                            {QStringLiteral("version"), QStringLiteral(MODELAUDIT_VERSION)},
                            {QStringLiteral("docs"), QStringLiteral("/docs")},
                            {QStringLiteral("openapi"), QStringLiteral("/openapi.json")}};
        welcome.insert(QStringLiteral("model"), current ? QJsonValue(current->id()) : QJsonValue());
        welcome.insert(QStringLiteral("learner"), current ? QJsonValue(enumName(current->params().kind)) : QJsonValue());
        return {Status::Ok, json(welcome)};
    }
    if (!current)
        return {Status::ServiceUnavailable,
                json(QJsonObject{{QStringLiteral("status"), QStringLiteral("no model loaded")},
                                 {QStringLiteral("detail"), QStringLiteral("No model is loaded yet.")}})};
    if (path == QLatin1String("/health"))
        return {Status::Ok, json(QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}})};
    if (path == QLatin1String("/model")) {
        QJsonObject describe = current->describe();
        describe.insert(QStringLiteral("id"), current->id());
        describe.insert(QStringLiteral("md5"), current->md5());
        return {Status::Ok, json(describe)};
    }

    if (request.body().size() > m_options.maxBody)
        return {
            Status::PayloadTooLarge,
            json(detail(
                QStringLiteral("Request body is %1 bytes; the limit is %2").arg(request.body().size()).arg(m_options.maxBody)))};
    const QByteArray contentType = request.value("Content-Type").toLower();
    if (!contentType.startsWith("application/json"))
        return {Status::UnsupportedMediaType,
                json(detail(
                    QStringLiteral("Content-Type must be application/json, got \"%1\"").arg(QString::fromUtf8(contentType))))};
    return path == QLatin1String("/predict") ? predictOne(request, *current) : predictBatch(request, *current);
}

QJsonObject PredictService::predictionJson(const Model &model, const Record &record) const
{
    const Prediction p = predictRecord(model, record);
    return QJsonObject{{QStringLiteral("prediction"), p.label},
                       {QStringLiteral("probability"), p.probability},
                       {QStringLiteral("threshold"), model.threshold()},
                       {QStringLiteral("model"), model.id()},
                       {QStringLiteral("warnings"), QJsonArray::fromStringList(p.warnings)}};
}

PredictService::Reply PredictService::predictOne(const QHttpServerRequest &request, const Model &model) const
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body(), &error);
    if (error.error != QJsonParseError::NoError)
        return {Status::BadRequest,
                json(detail(QStringLiteral("JSON decode error at offset %1: %2").arg(error.offset).arg(error.errorString())))};
    QList<RecordProblem> problems;
    if (!doc.isObject()) {
        problems.append(
            {QJsonArray{QStringLiteral("body")}, QStringLiteral("Input should be a valid object"), QStringLiteral("model_type")});
    } else {
        const Record record = parseRecord(doc.object(), model.schema(), model.encoder(), m_options.strict,
                                          QJsonArray{QStringLiteral("body")}, problems);
        if (problems.isEmpty())
            return {Status::Ok, json(predictionJson(model, record))};
    }
    QJsonArray details;
    for (const RecordProblem &p : problems)
        details.append(p.toJson());
    return {Status::UnprocessableEntity, json(QJsonObject{{QStringLiteral("detail"), details}})};
}

PredictService::Reply PredictService::predictBatch(const QHttpServerRequest &request, const Model &model) const
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body(), &error);
    if (error.error != QJsonParseError::NoError)
        return {Status::BadRequest,
                json(detail(QStringLiteral("JSON decode error at offset %1: %2").arg(error.offset).arg(error.errorString())))};
    QList<RecordProblem> problems;
    const QJsonValue records = doc.object().value(QStringLiteral("records"));
    if (!doc.isObject() || !records.isArray()) {
        problems.append({QJsonArray{QStringLiteral("body"), QStringLiteral("records")},
                         QStringLiteral("Field required: a list of records"), QStringLiteral("missing")});
    } else if (records.toArray().size() > m_options.batchLimit) {
        return {Status::PayloadTooLarge,
                json(detail(QStringLiteral("%1 records; the limit is %2 per request")
                                .arg(records.toArray().size())
                                .arg(m_options.batchLimit)))};
    }
    std::vector<Record> parsed;
    if (problems.isEmpty()) {
        const QJsonArray list = records.toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QJsonArray loc{QStringLiteral("body"), QStringLiteral("records"), int(i)};
            if (!list[i].isObject()) {
                problems.append({loc, QStringLiteral("Input should be a valid object"), QStringLiteral("model_type")});
                continue;
            }
            parsed.push_back(parseRecord(list[i].toObject(), model.schema(), model.encoder(), m_options.strict, loc, problems));
        }
    }
    if (!problems.isEmpty()) {
        QJsonArray details;
        for (const RecordProblem &p : problems)
            details.append(p.toJson());
        return {Status::UnprocessableEntity, json(QJsonObject{{QStringLiteral("detail"), details}})};
    }
    QJsonArray predictions;
    for (const Record &record : parsed)
        predictions.append(predictionJson(model, record));
    return {Status::Ok, json(QJsonObject{{QStringLiteral("predictions"), predictions}})};
}

QJsonObject PredictService::openApi() const
{
    std::optional<Record> example;
    const std::shared_ptr<const Model> current = [this, &example] {
        const std::lock_guard lock(m_mutex);
        example = m_example;
        return m_model;
    }();
    QJsonObject properties;
    QJsonArray required;
    QJsonObject exampleRecord;
    if (current) {
        const auto &columns = current->encoder().columns();
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const QString name = columns[c].spec.name;
            properties.insert(name, fieldSchema(columns[c]));
            required.append(name);
            if (columns[c].spec.isNumeric())
                exampleRecord.insert(name, example ? example->numbers[c] : std::round(columns[c].mean));
            else
                exampleRecord.insert(name,
                                     example ? QString::fromStdString(example->texts[c])
                                             : QString::fromStdString(columns[c].categories.front()));
        }
    }
    const QJsonObject record{{QStringLiteral("type"), QStringLiteral("object")},
                             {QStringLiteral("properties"), properties},
                             {QStringLiteral("required"), required},
                             {QStringLiteral("additionalProperties"), false},
                             {QStringLiteral("examples"), QJsonArray{exampleRecord}}};
    const QJsonObject prediction{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("prediction"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}},
                     {QStringLiteral("probability"), QJsonObject{{QStringLiteral("type"), QStringLiteral("number")}}},
                     {QStringLiteral("threshold"), QJsonObject{{QStringLiteral("type"), QStringLiteral("number")}}},
                     {QStringLiteral("model"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}},
                     {QStringLiteral("warnings"),
                      QJsonObject{{QStringLiteral("type"), QStringLiteral("array")},
                                  {QStringLiteral("items"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}}}}}}};
    const QJsonObject validationError{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"),
         QJsonObject{
             {QStringLiteral("detail"),
              QJsonObject{
                  {QStringLiteral("type"), QStringLiteral("array")},
                  {QStringLiteral("items"),
                   QJsonObject{
                       {QStringLiteral("type"), QStringLiteral("object")},
                       {QStringLiteral("properties"),
                        QJsonObject{
                            {QStringLiteral("loc"), QJsonObject{{QStringLiteral("type"), QStringLiteral("array")}}},
                            {QStringLiteral("msg"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}},
                            {QStringLiteral("type"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}}}}}}}}}}};
    const auto ref = [](const char *name) {
        return QJsonObject{{QStringLiteral("$ref"), QStringLiteral("#/components/schemas/") + QLatin1String(name)}};
    };
    const auto content = [](const QJsonObject &schema) {
        return QJsonObject{{QStringLiteral("application/json"), QJsonObject{{QStringLiteral("schema"), schema}}}};
    };
    const QJsonObject errors{
        {QStringLiteral("422"),
         QJsonObject{{QStringLiteral("description"), QStringLiteral("Validation error")},
                     {QStringLiteral("content"), content(ref("ValidationError"))}}},
        {QStringLiteral("400"), QJsonObject{{QStringLiteral("description"), QStringLiteral("Malformed JSON")}}},
        {QStringLiteral("413"),
         QJsonObject{{QStringLiteral("description"), QStringLiteral("Body over 1 MiB or too many records")}}},
        {QStringLiteral("415"),
         QJsonObject{{QStringLiteral("description"), QStringLiteral("Content-Type is not application/json")}}}};
    QJsonObject predictResponses = errors;
    predictResponses.insert(QStringLiteral("200"),
                            QJsonObject{{QStringLiteral("description"), QStringLiteral("The prediction")},
                                        {QStringLiteral("content"), content(ref("Prediction"))}});
    QJsonObject batchResponses = errors;
    batchResponses.insert(
        QStringLiteral("200"),
        QJsonObject{{QStringLiteral("description"), QStringLiteral("One prediction per record, in order")},
                    {QStringLiteral("content"),
                     content(QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                         {QStringLiteral("properties"),
                                          QJsonObject{{QStringLiteral("predictions"),
                                                       QJsonObject{{QStringLiteral("type"), QStringLiteral("array")},
                                                                   {QStringLiteral("items"), ref("Prediction")}}}}}})}});
    const auto get = [](const QString &summary) {
        return QJsonObject{{QStringLiteral("get"),
                            QJsonObject{{QStringLiteral("summary"), summary},
                                        {QStringLiteral("responses"),
                                         QJsonObject{{QStringLiteral("200"),
                                                      QJsonObject{{QStringLiteral("description"), QStringLiteral("OK")}}}}}}}};
    };
    const QJsonObject paths{
        {QStringLiteral("/"), get(QStringLiteral("Welcome: name, version, the loaded model's id and learner"))},
        {QStringLiteral("/health"), get(QStringLiteral("ok once a model is loaded (503 before)"))},
        {QStringLiteral("/model"),
         get(QStringLiteral("The model's schema, categories, ranges, learner, params, data md5, metrics, threshold"))},
        {QStringLiteral("/openapi.json"), get(QStringLiteral("This document"))},
        {QStringLiteral("/docs"), get(QStringLiteral("Readable documentation"))},
        {QStringLiteral("/predict"),
         QJsonObject{{QStringLiteral("post"),
                      QJsonObject{{QStringLiteral("summary"), QStringLiteral("Predict one record")},
                                  {QStringLiteral("requestBody"),
                                   QJsonObject{{QStringLiteral("required"), true},
                                               {QStringLiteral("content"),
                                                QJsonObject{{QStringLiteral("application/json"),
                                                             QJsonObject{{QStringLiteral("schema"), ref("Record")},
                                                                         {QStringLiteral("example"), exampleRecord}}}}}}},
                                  {QStringLiteral("responses"), predictResponses}}}}},
        {QStringLiteral("/predict/batch"),
         QJsonObject{
             {QStringLiteral("post"),
              QJsonObject{
                  {QStringLiteral("summary"), QStringLiteral("Predict up to %1 records").arg(m_options.batchLimit)},
                  {QStringLiteral("requestBody"),
                   QJsonObject{
                       {QStringLiteral("required"), true},
                       {QStringLiteral("content"),
                        QJsonObject{
                            {QStringLiteral("application/json"),
                             QJsonObject{{QStringLiteral("schema"),
                                          QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                                      {QStringLiteral("properties"),
                                                       QJsonObject{{QStringLiteral("records"),
                                                                    QJsonObject{{QStringLiteral("type"), QStringLiteral("array")},
                                                                                {QStringLiteral("items"), ref("Record")}}}}},
                                                      {QStringLiteral("required"), QJsonArray{QStringLiteral("records")}}}},
                                         {QStringLiteral("example"),
                                          QJsonObject{{QStringLiteral("records"), QJsonArray{exampleRecord}}}}}}}}}},
                  {QStringLiteral("responses"), batchResponses}}}}},
    };
    return QJsonObject{
        {QStringLiteral("openapi"), QStringLiteral("3.1.0")},
        {QStringLiteral("info"),
         QJsonObject{{QStringLiteral("title"), QStringLiteral("ModelAudit predict API")},
                     {QStringLiteral("version"), QStringLiteral(MODELAUDIT_VERSION)},
                     {QStringLiteral("description"),
                      current ? QStringLiteral("Model %1 (%2) predicting %3.")
                                    .arg(current->id(), enumName(current->params().kind), current->schema().labelColumn())
                              : QStringLiteral("No model loaded.")}}},
        {QStringLiteral("paths"), paths},
        {QStringLiteral("components"),
         QJsonObject{{QStringLiteral("schemas"),
                      QJsonObject{{QStringLiteral("Record"), record},
                                  {QStringLiteral("Prediction"), prediction},
                                  {QStringLiteral("ValidationError"), validationError}}}}},
    };
}

QString PredictService::docsHtml() const
{
    const QJsonObject doc = openApi();
    const QJsonObject record = doc.value(QStringLiteral("components"))
                                   .toObject()
                                   .value(QStringLiteral("schemas"))
                                   .toObject()
                                   .value(QStringLiteral("Record"))
                                   .toObject();
    QString rows;
    const QJsonObject properties = record.value(QStringLiteral("properties")).toObject();
    for (const QJsonValue &name : record.value(QStringLiteral("required")).toArray()) {
        const QJsonObject field = properties.value(name.toString()).toObject();
        rows += QStringLiteral("<tr><td><code>%1</code></td><td>%2</td><td>%3</td></tr>\n")
                    .arg(name.toString().toHtmlEscaped(), field.value(QStringLiteral("type")).toString(),
                         field.value(QStringLiteral("description")).toString().toHtmlEscaped());
    }
    const QString example = QString::fromUtf8(
        QJsonDocument(record.value(QStringLiteral("examples")).toArray().first().toObject()).toJson(QJsonDocument::Indented));
    QString endpoints;
    const QJsonObject paths = doc.value(QStringLiteral("paths")).toObject();
    for (auto it = paths.begin(); it != paths.end(); ++it) {
        const QJsonObject ops = it.value().toObject();
        for (auto op = ops.begin(); op != ops.end(); ++op)
            endpoints += QStringLiteral("<tr><td><code>%1 %2</code></td><td>%3</td></tr>\n")
                             .arg(op.key().toUpper(), it.key(),
                                  op.value().toObject().value(QStringLiteral("summary")).toString().toHtmlEscaped());
    }
    return QStringLiteral(
               "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ModelAudit predict API</title>"
               "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}table{border-collapse:collapse}"
               "td,th{border:1px solid #bbb;padding:3px 8px}pre{background:#f4f4f4;padding:1em}</style></head><body>"
               "<h1>ModelAudit predict API</h1><p>%1</p><h2>Endpoints</h2><table><tr><th>Endpoint</th><th>What it "
               "does</th></tr>%2</table>"
               "<h2>Record</h2><p>Members are exactly the dataset's column names; all are required, no others are allowed "
               "(the label column is ignored).</p><table><tr><th>Member</th><th>Type</th><th>Notes</th></tr>%3</table>"
               "<h2>Example</h2><pre>curl -s localhost:8000/predict -H 'Content-Type: application/json' -d '%4'</pre>"
               "<p>Errors are JSON: 400 malformed JSON; 422 <code>{\"detail\": [{\"loc\": [\"body\", \"age\"], \"msg\": ..., "
               "\"type\": ...}]}</code> listing every problem; 413 body over 1 MiB; 405 wrong method; 404 unknown path; "
               "415 wrong content type; 401 missing or wrong token. The machine-readable form is <a href=\"/openapi.json\">"
               "/openapi.json</a>.</p></body></html>\n")
        .arg(doc.value(QStringLiteral("info")).toObject().value(QStringLiteral("description")).toString().toHtmlEscaped(),
             endpoints, rows,
             QString::fromUtf8(QJsonDocument::fromJson(example.toUtf8()).toJson(QJsonDocument::Compact)).toHtmlEscaped());
}

ServerPool::ServerPool(ServeOptions options, int threads)
    : m_options(std::move(options))
{
    m_options.sharePort = threads > 1;
    for (int i = 0; i < std::max(1, threads); ++i) {
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(QStringLiteral("predict-%1").arg(i));
        auto *service = new PredictService(m_options);
        service->moveToThread(thread.get());
        QObject::connect(thread.get(), &QThread::finished, service, &QObject::deleteLater);
        thread->start();
        m_services.push_back(service);
        m_threads.push_back(std::move(thread));
    }
}

ServerPool::~ServerPool()
{
    for (auto &thread : m_threads) {
        thread->quit();
        thread->wait();
    }
}

quint16 ServerPool::start()
{
    quint16 port = m_options.port;
    for (PredictService *service : m_services) {
        QString error;
        bool badInput = false;
        quint16 got = 0;
        QMetaObject::invokeMethod(
            service,
            [&] {
                try {
                    service->setPort(port);
                    got = service->start();
                } catch (const AuditError &e) {
                    error = e.message();
                    badInput = e.isBadInput();
                }
            },
            Qt::BlockingQueuedConnection);
        if (!error.isEmpty()) {
            if (badInput)
                throw AuditError(error);
            throw IoError(error);
        }
        port = got; // the next services share the port the first one got
    }
    return port;
}

void ServerPool::setModel(const std::shared_ptr<const Model> &model, const std::optional<Record> &example)
{
    for (PredictService *service : m_services)
        service->setModel(model ? std::make_shared<const Model>(*model) : nullptr, example);
}

void ServerPool::setLogger(const std::function<void(const RequestLog &)> &log)
{
    for (PredictService *service : m_services)
        service->onRequest = log;
}

qint64 ServerPool::requestCount() const
{
    qint64 total = 0;
    for (const PredictService *service : m_services)
        total += service->requestCount();
    return total;
}

} // namespace Audit
