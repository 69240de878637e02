#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <QObject>
#include <QThread>

#include "predictservice.h"

namespace Audit {

// Several PredictServices on one port, each on its own thread with its own copy of the
// model (an MLP keeps per-call state); the kernel spreads connections across them
// (SO_REUSEPORT). Any address family. The pool itself lives on the thread that creates it.
class ServerPool final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerPool)

public:
    ServerPool(ServeOptions options, int threads, QObject *parent = nullptr);
    ~ServerPool() override; // stops every thread; requests in flight are dropped

    // Starts every service on one port. Returns it, or throws ListenError like
    // PredictService::start.
    quint16 start();
    // Thread-safe: each service swaps to its own copy; requests in flight finish on the old one.
    void setModel(const std::shared_ptr<const Model> &model, const std::optional<Record> &example = std::nullopt);
    qint64 requestCount() const;

Q_SIGNALS:
    // After every request, on the thread that served it. Connect with Qt::QueuedConnection
    // (and a context object) to update anything that lives on another thread.
    void requestServed(const Audit::RequestLog &log);

private:
    ServeOptions m_options;
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::vector<PredictService *> m_services; // each lives on its thread
};

} // namespace Audit
