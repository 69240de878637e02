#include "predictservice.h"

#include <QUrlQuery>

#include <fcntl.h>
#include <unistd.h>

#include <QElapsedTimer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMetaMethod>
#include <QUuid>

#include "echovalue.h"
#include "explainer.h"
#include "guardedtcpserver.h"
#include "listenerror.h"
#include "model.h"
#include "openapi.h"
#include "prediction.h"
#include "recordparser.h"
#include "requesterror.h"

namespace Audit {

namespace {

// Room for the request line and headers on top of the body limit.
constexpr qint64 kHeaderAllowance = 64 << 10;

using Method = QHttpServerRequest::Method;

// The body of a POST as a JSON document, after the checks every JSON route shares.
QJsonDocument jsonBody(const QHttpServerRequest &request, qsizetype maxBody)
{
    if (request.body().size() > maxBody)
        throw RequestError(RequestError::Kind::TooLarge,
                           QStringLiteral("Request body is %1 bytes; the limit is %2").arg(request.body().size()).arg(maxBody));
    const QByteArray contentType = request.value("Content-Type").toLower();
    if (!contentType.startsWith("application/json"))
        throw RequestError(
            RequestError::Kind::UnsupportedMediaType,
            QStringLiteral("Content-Type must be application/json, got \"%1\"").arg(QString::fromUtf8(contentType)));
    QJsonParseError error;
    QJsonDocument doc = QJsonDocument::fromJson(request.body(), &error);
    if (error.error != QJsonParseError::NoError)
        throw RequestError(RequestError::Kind::MalformedJson,
                           QStringLiteral("JSON decode error at offset %1: %2").arg(error.offset).arg(error.errorString()));
    return doc;
}

} // namespace

PredictService::PredictService(ServeOptions options, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_options(std::move(options))
{
    addPredictRoutes();
}

PredictService::~PredictService() = default;

quint16 PredictService::start()
{
    if (!m_options.host.isLoopback() && m_options.token.isEmpty())
        throw ListenError(ListenError::Reason::TokenRequired,
                          QStringLiteral("%1: binding a non-loopback address needs a bearer token; every request must then "
                                         "send Authorization: Bearer TOKEN")
                              .arg(m_options.host.toString()));
    ConnectionLimits limits;
    limits.maxHeaderBytes = kHeaderAllowance;
    limits.maxBodyBytes = m_options.maxBody;
    limits.maxRequestBytes = m_options.maxBody + kHeaderAllowance;
    limits.requestTimeoutMs = m_options.requestTimeoutMs;
    limits.idleTimeoutMs = m_options.idleTimeoutMs;
    limits.maxConnections = m_options.maxConnections;
    limits.bearerToken = m_options.token.toUtf8();
    auto *server = new GuardedTcpServer(limits, this);
    bool listening = false;
    if (m_options.shareDescriptor >= 0) {
        const int fd = ::fcntl(int(m_options.shareDescriptor), F_DUPFD_CLOEXEC, 0);
        listening = fd >= 0 && server->setSocketDescriptor(fd);
        if (!listening && fd >= 0)
            ::close(fd);
    } else {
        listening = server->listen(m_options.host, m_options.port);
    }
    if (!listening) {
        delete server;
        throw ListenError(ListenError::Reason::Unavailable,
                          QStringLiteral("%1:%2: cannot listen (the port may be in use; port 0 picks a free one)")
                              .arg(m_options.host.toString())
                              .arg(m_options.port));
    }
    bind(server);
    m_listener = server;
    return server->serverPort();
}

qintptr PredictService::listeningDescriptor() const
{
    return m_listener ? m_listener->socketDescriptor() : -1;
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

void PredictService::addRoute(QHttpServerRequest::Method method, const QString &path, RouteTable::Handler handler)
{
    m_routes.add(method, path, std::move(handler));
}

QJsonObject PredictService::openApi() const
{
    std::optional<Record> example;
    const std::shared_ptr<const Model> current = [this, &example] {
        const std::lock_guard lock(m_mutex);
        example = m_example;
        return m_model;
    }();
    return openApiDocument(current.get(), example, m_options.batchLimit);
}

void PredictService::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const HttpReply reply = errorReply(RequestError(RequestError::Kind::NotFound, QStringLiteral("Not Found")));
    makeResponder(request, socket).write(reply.body, reply.contentType, reply.status);
}

bool PredictService::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QElapsedTimer timer;
    timer.start();
    HttpReply reply = dispatch(request);
    if (!m_options.corsOrigin.isEmpty())
        reply.headers.emplaceBack("Access-Control-Allow-Origin", m_options.corsOrigin.toUtf8());
    QHttpServerResponder responder = makeResponder(request, socket);
    responder.writeStatusLine(reply.status);
    responder.writeHeader("Content-Type", reply.contentType);
    responder.writeHeader("Content-Length", QByteArray::number(reply.body.size()));
    for (const auto &[name, value] : std::as_const(reply.headers))
        responder.writeHeader(name, value);
    responder.writeBody(reply.body);
    if (auto *guarded = qobject_cast<GuardedSocket *>(socket))
        guarded->requestAnswered();
    ++m_requests;
    static const QMetaMethod served = QMetaMethod::fromSignal(&PredictService::requestServed);
    if (isSignalConnected(served))
        Q_EMIT requestServed({QString::fromLatin1(RouteTable::methodName(request.method())),
                              echoValue(request.url().path(), 200) /* a %0A cannot forge a log line */, int(reply.status),
                              double(timer.nsecsElapsed()) / 1e6});
    return true;
}

HttpReply PredictService::dispatch(const QHttpServerRequest &request) const
{
    const QString path = request.url().path();
    const RouteTable::Match route = m_routes.find(request.method(), path);
    if (!route.pathKnown)
        return errorReply(RequestError(RequestError::Kind::NotFound, QStringLiteral("Not Found")));
    if (request.method() == Method::Options && !m_options.corsOrigin.isEmpty())
        return {HttpStatus::NoContent,
                {},
                "text/plain",
                {{"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
                 {"Access-Control-Allow-Headers", "Content-Type, Authorization"}}};
    if (!route.handler) {
        HttpReply reply = errorReply(RequestError(RequestError::Kind::MethodNotAllowed, QStringLiteral("Method Not Allowed")));
        reply.headers.emplaceBack("Allow", route.allowed);
        return reply;
    }
    if (!m_options.token.isEmpty() && !bearerMatches(request.value("Authorization"), m_options.token.toUtf8())) {
        HttpReply reply = errorReply(RequestError(RequestError::Kind::Unauthorized, QStringLiteral("Not authenticated")));
        reply.headers.emplaceBack("WWW-Authenticate", "Bearer");
        return reply;
    }
    // The one catch-all: whatever a handler throws becomes an answer, never a dead thread.
    try {
        return (*route.handler)(request);
    } catch (const RequestError &e) {
        return errorReply(e);
    } catch (const std::exception &e) {
        const QString id = QUuid::createUuid().toString(QUuid::Id128);
        qWarning("request %s: %s %s: %s", qPrintable(id), RouteTable::methodName(request.method()).constData(), qPrintable(path),
                 e.what());
        return internalErrorReply(id);
    } catch (...) {
        const QString id = QUuid::createUuid().toString(QUuid::Id128);
        qWarning("request %s: %s %s: unknown exception", qPrintable(id), RouteTable::methodName(request.method()).constData(),
                 qPrintable(path));
        return internalErrorReply(id);
    }
}

std::shared_ptr<const Model> PredictService::requireModel() const
{
    std::shared_ptr<const Model> current = model(); // in-flight requests keep this one
    if (!current)
        throw RequestError(RequestError::Kind::NoModel, QStringLiteral("No model is loaded yet."));
    return current;
}

void PredictService::addPredictRoutes()
{
    m_routes.add(Method::Get, QStringLiteral("/"), [this](const QHttpServerRequest &) {
        const std::shared_ptr<const Model> current = model();
        return HttpReply::json(
            HttpStatus::Ok,
            QJsonObject{{QStringLiteral("name"), QStringLiteral("ModelAudit predict API")},
                        {QStringLiteral("version"), QStringLiteral(MODELAUDIT_VERSION)},
                        {QStringLiteral("docs"), QStringLiteral("/docs")},
                        {QStringLiteral("openapi"), QStringLiteral("/openapi.json")},
                        {QStringLiteral("model"), current ? QJsonValue(current->id()) : QJsonValue()},
                        {QStringLiteral("learner"), current ? QJsonValue(enumName(current->params().kind)) : QJsonValue()}});
    });
    m_routes.add(Method::Get, QStringLiteral("/health"), [this](const QHttpServerRequest &) {
        requireModel();
        return HttpReply::json(HttpStatus::Ok, QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}});
    });
    m_routes.add(Method::Get, QStringLiteral("/model"), [this](const QHttpServerRequest &) {
        const std::shared_ptr<const Model> current = requireModel();
        QJsonObject describe = current->describe();
        describe.insert(QStringLiteral("id"), current->id());
        describe.insert(QStringLiteral("md5"), current->md5());
        return HttpReply::json(HttpStatus::Ok, describe);
    });
    m_routes.add(Method::Get, QStringLiteral("/openapi.json"),
                 [this](const QHttpServerRequest &) { return HttpReply::json(HttpStatus::Ok, openApi()); });
    m_routes.add(Method::Get, QStringLiteral("/docs"), [this](const QHttpServerRequest &) {
        return HttpReply{HttpStatus::Ok, docsHtml(openApi()).toUtf8(), "text/html; charset=utf-8", {}};
    });
    m_routes.add(Method::Post, QStringLiteral("/predict"),
                 [this](const QHttpServerRequest &request) { return predictOne(request); });
    m_routes.add(Method::Post, QStringLiteral("/predict/batch"),
                 [this](const QHttpServerRequest &request) { return predictBatch(request); });
}

namespace {

// `explain` asked for in the query (?explain=true) or a body member: true/false, or the space
// by name ("log-odds", "probability"). nullopt: no explanation.
std::optional<OutputSpace> explainValue(const QJsonValue &value, const QJsonArray &loc)
{
    if (value.isBool())
        return value.toBool() ? std::optional(OutputSpace::LogOdds) : std::nullopt;
    if (value.isString()) {
        if (const std::optional<OutputSpace> space = enumFromName<OutputSpace>(value.toString()))
            return space;
    }
    throw RequestError(
        {{loc, QStringLiteral("Input should be true, false, \"log-odds\" or \"probability\""), QStringLiteral("bool_type")}});
}

std::optional<OutputSpace> explainQuery(const QHttpServerRequest &request)
{
    const QUrlQuery query = request.query();
    if (!query.hasQueryItem(QStringLiteral("explain")))
        return std::nullopt;
    const QString text = query.queryItemValue(QStringLiteral("explain"), QUrl::FullyDecoded);
    const QJsonArray loc{QStringLiteral("query"), QStringLiteral("explain")};
    if (text == QLatin1String("true") || text == QLatin1String("1"))
        return OutputSpace::LogOdds;
    if (text == QLatin1String("false") || text == QLatin1String("0"))
        return std::nullopt;
    return explainValue(QJsonValue(text), loc);
}

} // namespace

std::shared_ptr<const Explainer> PredictService::explainerFor(const std::shared_ptr<const Model> &model) const
{
    {
        const std::lock_guard lock(m_mutex);
        if (m_explainerModel == model && m_explainer)
            return m_explainer;
    }
    std::shared_ptr<const Explainer> made;
    try {
        made = std::make_shared<const Explainer>(*model);
    } catch (const AuditError &e) {
        throw RequestError({{QJsonArray{QStringLiteral("body"), QStringLiteral("explain")},
                             QStringLiteral("This model cannot be explained: ") + e.message(), QStringLiteral("value_error")}});
    }
    const std::lock_guard lock(m_mutex);
    m_explainerModel = model; // keeps the model alive as long as its explainer
    m_explainer = made;
    return made;
}

QJsonObject PredictService::predictionJson(const Model &model, const Record &record, const Explainer *explainer,
                                           std::optional<OutputSpace> space) const
{
    const Prediction p = predictRecord(model, record);
    QJsonObject json{{QStringLiteral("prediction"), p.label},
                     {QStringLiteral("probability"), p.probability},
                     {QStringLiteral("threshold"), p.threshold},
                     {QStringLiteral("model"), model.id()},
                     {QStringLiteral("warnings"), QJsonArray::fromStringList(p.warnings)}};
    if (explainer && space) {
        ExplainOptions options;
        options.space = *space;
        QJsonObject explanation = explainer->toJson(explainer->explain(p.encoded.data(), options, p.probability), options);
        explanation.remove(QStringLiteral("probability")); // the prediction's own, above
        json.insert(QStringLiteral("explanation"), explanation);
    }
    return json;
}

HttpReply PredictService::predictOne(const QHttpServerRequest &request) const
{
    const std::shared_ptr<const Model> current = requireModel();
    const QJsonDocument doc = jsonBody(request, m_options.maxBody);
    if (!doc.isObject())
        throw RequestError({{QJsonArray{QStringLiteral("body")}, QStringLiteral("Input should be a valid object"),
                             QStringLiteral("model_type")}});
    // "explain" in the body, unless the data has a column of that name (then only ?explain=).
    std::optional<OutputSpace> space = explainQuery(request);
    const QString member = QStringLiteral("explain");
    QJsonObject body = doc.object();
    if (body.contains(member) && current->schema().featureIndex(member) < 0) {
        space = explainValue(body.value(member), QJsonArray{QStringLiteral("body"), member});
        body.remove(member); // not a column: no "extra input" for the record parser
    }
    QList<RecordProblem> problems;
    const Record record = parseRecord(body, current->schema(), current->encoder(), m_options.strict,
                                      QJsonArray{QStringLiteral("body")}, problems, &current->groupThresholds());
    if (!problems.isEmpty())
        throw RequestError(std::move(problems));
    const std::shared_ptr<const Explainer> explainer = space ? explainerFor(current) : nullptr;
    return HttpReply::json(HttpStatus::Ok, predictionJson(*current, record, explainer.get(), space));
}

HttpReply PredictService::predictBatch(const QHttpServerRequest &request) const
{
    const std::shared_ptr<const Model> current = requireModel();
    const QJsonDocument doc = jsonBody(request, m_options.maxBody);
    const QJsonValue records = doc.object().value(QStringLiteral("records"));
    if (!doc.isObject() || !records.isArray())
        throw RequestError({{QJsonArray{QStringLiteral("body"), QStringLiteral("records")},
                             QStringLiteral("Field required: a list of records"), QStringLiteral("missing")}});
    std::optional<OutputSpace> space = explainQuery(request);
    if (doc.object().contains(QStringLiteral("explain")))
        space = explainValue(doc.object().value(QStringLiteral("explain")),
                             QJsonArray{QStringLiteral("body"), QStringLiteral("explain")});
    const QJsonArray list = records.toArray();
    // Explaining costs ~100x scoring a row: a tenth of the batch limit (1,000 by default) per request.
    const qsizetype explainLimit = std::max<qsizetype>(1, m_options.batchLimit / 10);
    if (space && list.size() > explainLimit)
        throw RequestError(RequestError::Kind::TooLarge,
                           QStringLiteral("%1 records with explain; the limit is %2 per request (explanations cost about "
                                          "100 times a prediction)")
                               .arg(list.size())
                               .arg(explainLimit));
    if (list.size() > m_options.batchLimit)
        throw RequestError(RequestError::Kind::TooLarge,
                           QStringLiteral("%1 records; the limit is %2 per request").arg(list.size()).arg(m_options.batchLimit));
    QList<RecordProblem> problems;
    qsizetype overflow = 0;
    std::vector<Record> parsed;
    parsed.reserve(std::size_t(list.size()));
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonArray loc{QStringLiteral("body"), QStringLiteral("records"), int(i)};
        if (!list[i].isObject()) {
            problems.append({loc, QStringLiteral("Input should be a valid object"), QStringLiteral("model_type")});
            continue;
        }
        parsed.push_back(parseRecord(list[i].toObject(), current->schema(), current->encoder(), m_options.strict, loc, problems,
                                     &current->groupThresholds()));
        if (problems.size() > RequestError::kMaxProblemsShown) { // keep the first ones and count the rest
            overflow += problems.size() - RequestError::kMaxProblemsShown;
            problems.resize(RequestError::kMaxProblemsShown);
        }
    }
    if (!problems.isEmpty())
        throw RequestError(std::move(problems), RequestError::kMaxProblemsShown + overflow);
    const std::shared_ptr<const Explainer> explainer = space ? explainerFor(current) : nullptr;
    QJsonArray predictions;
    for (const Record &record : parsed)
        predictions.append(predictionJson(*current, record, explainer.get(), space));
    return HttpReply::json(HttpStatus::Ok, QJsonObject{{QStringLiteral("predictions"), predictions}});
}

} // namespace Audit
