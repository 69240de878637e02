#pragma once

#include <cstdint>
#include <unordered_set>

#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include "requesterror.h"

namespace Audit {

// An Authorization header's value against a bearer token: the scheme in any case (RFC 7235),
// the token compared without an early exit (the time taken says nothing about it).
bool bearerMatches(const QByteArray &value, const QByteArray &token);

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
    int maxHeaderFields = 100; // header lines in one request; more: 431
    QByteArray bearerToken; // non-empty: a request without it is answered 401 before its body is read
};

// A connection that enforces ConnectionLimits: answers 431 as soon as a request's headers pass
// their limit, 413 as soon as the whole request passes its own (and stops buffering it), 408 when a request is not complete in
// time (slow headers or body), and closes idle connections. Once a request's headers are in,
// and before any of its body is read, it answers 400 to ambiguous framing (two different
// Content-Length headers, Content-Length with Transfer-Encoding: request smuggling), 413 to a
// Content-Length over the body limit, 431 to too many header fields, and 401 to a missing or
// wrong bearer token (the scheme in any case, RFC 7235), whatever the path.
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

protected:
    // Answers an HTTP/1.0 request with an HTTP/1.0 status line (QHttpServer writes 1.1 always).
    qint64 writeData(const char *data, qint64 size) override;

private:
    void onReadyRead();

    const ConnectionLimits m_limits;
    bool m_http10 = false; // the request being answered is HTTP/1.0
    bool m_statusPending = false; // its answer's status line is not written yet
    std::int64_t m_deadlineMs = 0;
    qint64 m_received = 0;
    int m_headerEnd = 0; // how much of "\r\n\r\n" the last bytes matched; 4: headers complete
    QByteArray m_peeked;
    QByteArray m_head; // this request's line and headers, as they come in
    bool m_closeAfter = false; // Connection: close, or HTTP/1.0 without keep-alive
    void checkHead(); // once m_head is complete
    bool m_inRequest = false;
    bool m_refused = false;
};

// The predict service's listening socket: each connection is a GuardedSocket, at most
// ConnectionLimits::maxConnections open at once.
class GuardedTcpServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuardedTcpServer)

public:
    GuardedTcpServer(ConnectionLimits limits, QObject *parent);

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
