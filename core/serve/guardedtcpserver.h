#pragma once

#include <cstdint>
#include <unordered_set>

#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include "requesterror.h"

namespace Audit {

// What one connection may do before the server gives up on it; enforced while reading, before
// QHttpServer parses (and buffers) anything.
struct ConnectionLimits
{
    qint64 maxHeaderBytes = 64 << 10; // request line and headers
    qint64 maxRequestBytes = (1 << 20) + (64 << 10); // head + body of one request
    qint64 maxBodyBytes = 1 << 20; // for the 413 message
    int requestTimeoutMs = 10000; // first byte to the whole request
    int idleTimeoutMs = 30000; // a kept-alive connection with no request
    int maxConnections = 512; // open at once; more are answered 503 and closed
};

// A connection that enforces ConnectionLimits: answers 431 as soon as a request's headers pass
// their limit, 413 as soon as the whole request passes its own (and stops buffering it), 408 when a request is not complete in
// time (slow headers or body), and closes idle connections.
class GuardedSocket final : public QTcpSocket
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuardedSocket)

public:
    GuardedSocket(const ConnectionLimits &limits, QObject *parent);

    // Call after answering a request: the next one starts with fresh limits.
    void requestAnswered();
    // Called by the server's sweep with the current steady-clock time.
    void checkDeadline(std::int64_t nowMs);
    // Writes a JSON error answer, stops parsing and closes once it is written.
    void refuse(RequestError::Kind kind, const QString &detail);

private:
    void onReadyRead();

    const ConnectionLimits m_limits;
    std::int64_t m_deadlineMs = 0;
    qint64 m_received = 0;
    int m_headerEnd = 0; // how much of "\r\n\r\n" the last bytes matched; 4: headers complete
    QByteArray m_peeked;
    bool m_inRequest = false;
    bool m_refused = false;
};

// The predict service's listening socket: each connection is a GuardedSocket, at most
// ConnectionLimits::maxConnections open at once. Binds any address family, optionally with
// SO_REUSEPORT so several servers (threads) share one port.
class GuardedTcpServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuardedTcpServer)

public:
    GuardedTcpServer(ConnectionLimits limits, QObject *parent);

    // Like listen(), but with SO_REUSEPORT. Returns false (and leaves no socket) on failure.
    bool listenShared(const QHostAddress &host, quint16 port);

    static std::int64_t steadyNowMs();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void sweep();

    ConnectionLimits m_limits;
    std::unordered_set<GuardedSocket *> m_sockets;
    QTimer m_sweep;
};

} // namespace Audit
