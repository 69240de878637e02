#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include <QAbstractHttpServer>
#include <QHostAddress>
#include <QJsonObject>
#include <QMetaType>

#include "httpreply.h"
#include "record.h"
#include "routetable.h"

namespace Audit {

class Model;
class Explainer;
enum class OutputSpace;

struct ServeOptions
{
    QHostAddress host = QHostAddress::LocalHost;
    quint16 port = 8000; // 0: any free port
    QString token; // required when host is not loopback
    bool strict = false; // unknown categories: 422 instead of a warning
    QString corsOrigin; // empty: no CORS headers
    int batchLimit = 10000;
    qsizetype maxBody = 1 << 20; // 1 MiB
    int requestTimeoutMs = 10000; // from a request's first byte to its last
    int idleTimeoutMs = 30000; // a kept-alive connection with no request is closed
    int maxConnections = 512; // per service (thread); more are answered 503
    // >= 0: accept on a duplicate of this listening socket (another service of this process,
    // on another thread) instead of binding. The port is never shared with another process:
    // a port in use is an error, whatever the thread count.
    qintptr shareDescriptor = -1;
};

// One served request, for logs and the GUI's list.
struct RequestLog
{
    QString method;
    QString path;
    int status = 0;
    double milliseconds = 0;
};

// The local predict endpoint (QHttpServer): GET /, /health, /model, /openapi.json, /docs;
// POST /predict and /predict/batch with FastAPI-style validation. Every answer is JSON but
// /docs. Routes live in a RouteTable; every handler runs inside one catch-all that answers 500
// with a request id. Size, time and connection limits are enforced while reading
// (GuardedTcpServer). The model can be swapped at any time; a request in flight finishes on
// the model it started with. Lives on one thread (the one that calls start()); scoring
// happens there.
class PredictService final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PredictService)

public:
    explicit PredictService(ServeOptions options, QObject *parent = nullptr);
    ~PredictService() override;

    // Starts listening. Returns the port, or throws ListenError naming the address (in use,
    // or a non-loopback address without a token).
    quint16 start();
    void setPort(quint16 port) { m_options.port = port; } // before start()
    void setShareDescriptor(qintptr descriptor) { m_options.shareDescriptor = descriptor; } // before start()
    qintptr listeningDescriptor() const; // after start(): the socket other services may share

    void setModel(std::shared_ptr<const Model> model, std::optional<Record> example = std::nullopt);
    std::shared_ptr<const Model> model() const;
    qint64 requestCount() const { return m_requests.load(); }

    // Adds (or replaces) the handler for `method` `path`, before or after start(). It runs on
    // the service's thread; it may throw RequestError (answered with its status) or anything
    // else (answered 500 with a request id, and logged).
    void addRoute(QHttpServerRequest::Method method, const QString &path, RouteTable::Handler handler);

    QJsonObject openApi() const; // OpenAPI 3.1 document for the current model

Q_SIGNALS:
    // After every request, on the service's thread: connect with Qt::QueuedConnection to
    // touch anything that lives elsewhere.
    void requestServed(const Audit::RequestLog &log);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void addPredictRoutes();
    HttpReply dispatch(const QHttpServerRequest &request) const;
    std::shared_ptr<const Model> requireModel() const; // throws RequestError (503)
    HttpReply predictOne(const QHttpServerRequest &request) const;
    HttpReply predictBatch(const QHttpServerRequest &request) const;
    QJsonObject predictionJson(const Model &model, const Record &record, const Explainer *explainer,
                               std::optional<OutputSpace> space) const;
    // The explainer of `model`, made once per model (its construction costs a TreeSHAP run).
    // Throws RequestError (422) when the model cannot be explained.
    std::shared_ptr<const Explainer> explainerFor(const std::shared_ptr<const Model> &model) const;

    ServeOptions m_options;
    QTcpServer *m_listener = nullptr;
    RouteTable m_routes;
    mutable std::mutex m_mutex; // guards m_model and m_example
    std::shared_ptr<const Model> m_model;
    std::optional<Record> m_example;
    mutable std::shared_ptr<const Explainer> m_explainer; // for m_explainerModel; guarded by m_mutex
    mutable std::shared_ptr<const Model> m_explainerModel;
    std::atomic<qint64> m_requests = 0;
};

} // namespace Audit

Q_DECLARE_METATYPE(Audit::RequestLog)
