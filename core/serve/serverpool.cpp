#include "serverpool.h"

#include "listenerror.h"
#include "model.h"

namespace Audit {

ServerPool::ServerPool(ServeOptions options, int threads, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    for (int i = 0; i < std::max(1, threads); ++i) {
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(QStringLiteral("predict-%1").arg(i));
        auto *service = new PredictService(m_options);
        service->moveToThread(thread.get());
        // Direct: the pool's signal is emitted on the serving thread; its receivers choose.
        connect(service, &PredictService::requestServed, this, &ServerPool::requestServed, Qt::DirectConnection);
        connect(thread.get(), &QThread::finished, service, &QObject::deleteLater);
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
    // The first service binds the port (an error if another process has it); the others accept
    // on duplicates of its socket, so the port is shared between this process's threads only.
    quint16 port = m_options.port;
    qintptr shared = -1;
    for (PredictService *service : m_services) {
        std::optional<ListenError> error;
        quint16 got = 0;
        QMetaObject::invokeMethod(
            service,
            [&] {
                try {
                    service->setPort(port);
                    service->setShareDescriptor(shared);
                    got = service->start();
                    if (shared < 0)
                        shared = service->listeningDescriptor();
                } catch (const ListenError &e) {
                    error = e;
                }
            },
            Qt::BlockingQueuedConnection);
        if (error)
            throw *error;
        port = got;
    }
    return port;
}

void ServerPool::setModel(const std::shared_ptr<const Model> &model, const std::optional<Record> &example)
{
    for (PredictService *service : m_services)
        service->setModel(model ? std::make_shared<const Model>(*model) : nullptr, example);
}

qint64 ServerPool::requestCount() const
{
    qint64 total = 0;
    for (const PredictService *service : m_services)
        total += service->requestCount();
    return total;
}

} // namespace Audit
