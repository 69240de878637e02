#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include <QAbstractHttpServer>
#include <QHostAddress>
#include <QJsonObject>
#include <QThread>

#include "record.h"

namespace Audit {

class Model;

struct ServeOptions
{
    QHostAddress host = QHostAddress::LocalHost;
    quint16 port = 8000; // 0: any free port
    QString token; // required when host is not loopback
    bool strict = false; // unknown categories: 422 instead of a warning
    QString corsOrigin; // empty: no CORS headers
    int batchLimit = 10000;
    qsizetype maxBody = 1 << 20; // 1 MiB
    bool sharePort = false; // SO_REUSEPORT, so several services (threads) can serve one port
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
// /docs. The model can be swapped at any time; a request in flight finishes on the model it
// started with. Lives on one thread (the one that calls listen()); scoring happens there.
class PredictService final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PredictService)

public:
    explicit PredictService(ServeOptions options, QObject *parent = nullptr);
    ~PredictService() override;

    // Starts listening. Returns the port, or throws AuditError naming the address (in use,
    // or a non-loopback address without a token).
    quint16 start();
    void setPort(quint16 port) { m_options.port = port; } // before start()

    void setModel(std::shared_ptr<const Model> model, std::optional<Record> example = std::nullopt);
    std::shared_ptr<const Model> model() const;
    qint64 requestCount() const { return m_requests.load(); }

    // Called after every request (on the server's thread).
    std::function<void(const RequestLog &)> onRequest;

    QJsonObject openApi() const; // OpenAPI 3.1 document for the current model

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    struct Reply;
    Reply route(const QHttpServerRequest &request) const;
    Reply predictOne(const QHttpServerRequest &request, const Model &model) const;
    Reply predictBatch(const QHttpServerRequest &request, const Model &model) const;
    QJsonObject predictionJson(const Model &model, const Record &record) const;
    QString docsHtml() const;

    ServeOptions m_options;
    mutable std::mutex m_mutex; // guards m_model and m_example
    std::shared_ptr<const Model> m_model;
    std::optional<Record> m_example;
    std::atomic<qint64> m_requests = 0;
};

// Several PredictServices on one port, each on its own thread with its own copy of the
// model (an MLP keeps per-call state); the kernel spreads connections across them.
class ServerPool
{
public:
    ServerPool(ServeOptions options, int threads);
    ~ServerPool(); // stops every thread
    quint16 start(); // throws like PredictService::start
    void setModel(const std::shared_ptr<const Model> &model, const std::optional<Record> &example = std::nullopt);
    void setLogger(const std::function<void(const RequestLog &)> &log);
    qint64 requestCount() const;

private:
    ServeOptions m_options;
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::vector<PredictService *> m_services; // each lives on its thread
};

} // namespace Audit
