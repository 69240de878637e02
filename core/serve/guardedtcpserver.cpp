#include "guardedtcpserver.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <vector>

namespace Audit {

namespace {

// After refusing a request, keep reading (and dropping) what the client still sends for this
// long, so the kernel does not reset the connection before the client has read the answer.
constexpr int kLingerMs = 1000;
// After an accept() failure (out of file descriptors), Qt stops accepting; try again after this.
constexpr int kAcceptRetryMs = 100;

// Guarded sockets open in this process, over every server thread.
std::atomic<int> s_openSockets = 0;

struct ProcessFileLimit
{
    int limit; // RLIMIT_NOFILE
    int serve; // sockets past this are answered 503
    int drop; // and past this closed at once
};

const ProcessFileLimit &processFileLimit()
{
    static const ProcessFileLimit limits = [] {
        rlimit r{};
        const long long soft = ::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY ? (long long)(r.rlim_cur)
                                                                                                  : 1 << 20;
        const int limit = int(std::min<long long>(soft, 1 << 20));
        // Room for the process's own files (the model, logs, the event loop) above the sockets.
        return ProcessFileLimit{limit, std::max(8, limit - 64), std::max(16, limit - 24)};
    }();
    return limits;
}

} // namespace

GuardedSocket::GuardedSocket(const ConnectionLimits &limits, QObject *parent)
    : QTcpSocket(parent)
    , m_limits(limits)
    , m_deadlineMs(GuardedTcpServer::steadyNowMs() + limits.idleTimeoutMs)
{
    // Never buffer more than one request may hold; past it the size check below refuses.
    setReadBufferSize(limits.maxRequestBytes + 1);
    // Connected before QHttpServer's own slot, so this one sees each chunk first.
    connect(this, &QIODevice::readyRead, this, &GuardedSocket::onReadyRead);
}

void GuardedSocket::onReadyRead()
{
    if (m_refused) {
        if (isTransactionStarted())
            commitTransaction();
        readAll(); // dropped
        return;
    }
    if (!m_inRequest) {
        m_inRequest = true;
        m_deadlineMs = GuardedTcpServer::steadyNowMs() + m_limits.requestTimeoutMs;
    }
    const qint64 fresh = bytesAvailable();
    if (m_headerEnd < 4) {
        // Look for the blank line that ends the headers; refuse if it comes too late.
        const qint64 headerSoFar = m_received;
        m_peeked.resize(qsizetype(std::min(fresh, m_limits.maxHeaderBytes + 4)));
        const qint64 got = peek(m_peeked.data(), m_peeked.size());
        static constexpr char kEnd[] = "\r\n\r\n";
        qint64 i = 0;
        for (; i < got && m_headerEnd < 4; ++i)
            m_headerEnd = m_peeked[i] == kEnd[m_headerEnd] ? m_headerEnd + 1 : (m_peeked[i] == '\r' ? 1 : 0);
        if (headerSoFar + i > m_limits.maxHeaderBytes && m_headerEnd < 4) {
            refuse(RequestError::Kind::HeaderTooLarge,
                   QStringLiteral("Request line and headers are over %1 bytes").arg(m_limits.maxHeaderBytes));
            return;
        }
        m_head.append(m_peeked.constData(), qsizetype(i));
        if (m_headerEnd == 4) {
            checkHead();
            if (m_refused)
                return;
        }
    }
    m_received += fresh;
    if (m_received > m_limits.maxRequestBytes)
        refuse(RequestError::Kind::TooLarge,
               QStringLiteral("Request is over %1 bytes; the limit is %2 for the body")
                   .arg(m_limits.maxRequestBytes)
                   .arg(m_limits.maxBodyBytes));
}

bool bearerMatches(const QByteArray &value, const QByteArray &token)
{
    const QByteArray v = value.trimmed();
    const qsizetype space = v.indexOf(' ');
    if (space < 0 || v.left(space).toLower() != "bearer")
        return false;
    const QByteArray given = v.mid(space + 1).trimmed();
    unsigned char diff = given.size() == token.size() ? 0 : 1;
    const qsizetype n = std::max(given.size(), token.size());
    for (qsizetype i = 0; i < n; ++i)
        diff |= static_cast<unsigned char>((i < given.size() ? given[i] : 0) ^ (i < token.size() ? token[i] : 0));
    return diff == 0;
}

void GuardedSocket::checkHead()
{
    const QList<QByteArray> lines = m_head.split('\n');
    int fields = 0;
    QList<QByteArray> lengths;
    bool chunked = false;
    bool authorized = m_limits.bearerToken.isEmpty();
    bool preflight = lines.value(0).startsWith("OPTIONS ");
    // HTTP/1.0 closes after the answer unless it asks to keep alive; HTTP/1.1 when it says close.
    m_http10 = lines.value(0).trimmed().endsWith("HTTP/1.0");
    m_statusPending = true;
    bool keepAlive = !m_http10;
    for (qsizetype l = 1; l < lines.size(); ++l) {
        QByteArray raw = lines[l];
        if (raw.endsWith('\r'))
            raw.chop(1);
        const QByteArray line = raw.trimmed();
        if (line.isEmpty())
            continue;
        ++fields;
        const qsizetype colon = raw.indexOf(':');
        // RFC 9112 5.1 and 5.2: no whitespace between a field name and its colon, no line
        // folding, no line without a colon; a server must answer 400. A parser that let such a
        // line through would lose the fields around it (Content-Length among them) and read the
        // body as another request.
        if (colon <= 0 || raw.front() == ' ' || raw.front() == '\t' || raw.left(colon).contains(' ')
            || raw.left(colon).contains('\t')) {
            refuse(RequestError::Kind::BadRequest,
                   QStringLiteral("Header line %1 is not \"Name: value\" (no space before the colon, no folding)").arg(l + 1));
            return;
        }
        const QByteArray name = raw.left(colon).toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length")
            lengths << value;
        else if (name == "transfer-encoding")
            chunked = true;
        else if (name == "authorization" && !authorized)
            authorized = bearerMatches(value, m_limits.bearerToken);
        else if (name == "connection")
            keepAlive = value.toLower().contains("keep-alive") || (keepAlive && !value.toLower().contains("close"));
    }
    m_closeAfter = !keepAlive;
    if (fields > m_limits.maxHeaderFields) {
        refuse(RequestError::Kind::HeaderTooLarge,
               QStringLiteral("%1 header fields; at most %2 are accepted").arg(fields).arg(m_limits.maxHeaderFields));
        return;
    }
    for (const QByteArray &length : std::as_const(lengths)) {
        bool number = false;
        const qlonglong n = length.toLongLong(&number);
        if (!number || n < 0 || length.contains('+')) {
            refuse(RequestError::Kind::BadRequest, QStringLiteral("Content-Length is not a number of bytes"));
            return;
        }
        if (length != lengths.front()) {
            refuse(RequestError::Kind::BadRequest,
                   QStringLiteral("Two different Content-Length headers: the request's end is ambiguous"));
            return;
        }
    }
    if (!lengths.isEmpty() && chunked) {
        refuse(RequestError::Kind::BadRequest,
               QStringLiteral("Both Content-Length and Transfer-Encoding: the request's end is ambiguous"));
        return;
    }
    if (!authorized && !preflight) {
        refuse(RequestError::Kind::Unauthorized, QStringLiteral("Not authenticated"));
        return;
    }
    if (!lengths.isEmpty() && lengths.front().toLongLong() > m_limits.maxBodyBytes)
        refuse(RequestError::Kind::TooLarge,
               QStringLiteral("Content-Length %1 is too large: the limit is %2 bytes for the body")
                   .arg(QString::fromLatin1(lengths.front()))
                   .arg(m_limits.maxBodyBytes));
}

void GuardedSocket::requestAnswered()
{
    if (m_closeAfter) {
        disconnectFromHost(); // once the answer is written
        return;
    }
    m_inRequest = false;
    m_received = 0;
    m_headerEnd = 0;
    m_head.clear();
    m_deadlineMs = GuardedTcpServer::steadyNowMs() + m_limits.idleTimeoutMs;
}

void GuardedSocket::checkDeadline(std::int64_t nowMs)
{
    if (nowMs < m_deadlineMs)
        return;
    if (m_refused) {
        abort();
        deleteLater();
    } else if (m_inRequest) {
        refuse(RequestError::Kind::Timeout,
               QStringLiteral("The request was not complete after %1 ms").arg(m_limits.requestTimeoutMs));
    } else {
        disconnectFromHost(); // idle
    }
}

qint64 GuardedSocket::writeData(const char *data, qint64 size)
{
    // The first bytes of an answer are its status line, written in one piece ("HTTP/1.1 200 OK").
    if (m_statusPending && size >= 9 && std::memcmp(data, "HTTP/1.1 ", 9) == 0) {
        m_statusPending = false;
        if (m_http10) {
            QByteArray copy(data, size);
            copy[7] = '0';
            return QTcpSocket::writeData(copy.constData(), size);
        }
    }
    return QTcpSocket::writeData(data, size);
}

void GuardedSocket::refuse(RequestError::Kind kind, const QString &detail)
{
    if (m_refused)
        return;
    m_refused = true;
    m_deadlineMs = GuardedTcpServer::steadyNowMs() + kLingerMs;
    // Stop QHttpServer's parser; from now on this socket only drains and closes.
    disconnect(this, &QIODevice::readyRead, nullptr, nullptr);
    connect(this, &QIODevice::readyRead, this, &GuardedSocket::onReadyRead);
    connect(this, &QAbstractSocket::disconnected, this, &QObject::deleteLater);
    const HttpReply reply = errorReply(RequestError(kind, detail));
    write(statusLine(kind) + "\r\nContent-Type: " + reply.contentType
          + (kind == RequestError::Kind::Unauthorized ? QByteArray("\r\nWWW-Authenticate: Bearer") : QByteArray())
          + "\r\nConnection: close\r\nContent-Length: " + QByteArray::number(reply.body.size()) + "\r\n\r\n" + reply.body);
    flush();
    if (bytesToWrite() == 0)
        ::shutdown(int(socketDescriptor()), SHUT_WR);
    else
        connect(this, &QIODevice::bytesWritten, this, [this] {
            if (bytesToWrite() == 0)
                ::shutdown(int(socketDescriptor()), SHUT_WR);
        });
    onReadyRead(); // drop what is already buffered
}

GuardedTcpServer::GuardedTcpServer(ConnectionLimits limits, QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits)
{
    m_sweep.setInterval(std::clamp(std::min(m_limits.requestTimeoutMs, m_limits.idleTimeoutMs) / 4, 20, 1000));
    connect(&m_sweep, &QTimer::timeout, this, &GuardedTcpServer::sweep);
    m_sweep.start();
    connect(this, &QTcpServer::acceptError, this,
            [this] { QTimer::singleShot(kAcceptRetryMs, this, &QTcpServer::resumeAccepting); });
}

std::int64_t GuardedTcpServer::steadyNowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    auto *socket = new GuardedSocket(m_limits, this);
    if (!socket->setSocketDescriptor(descriptor)) {
        ::close(int(descriptor));
        delete socket;
        return;
    }
    m_sockets.insert(socket);
    const int open = ++s_openSockets;
    connect(socket, &QObject::destroyed, this, [this, socket] {
        m_sockets.erase(socket);
        --s_openSockets;
    });
    // Near the process's file-descriptor limit, accept() would fail with nothing to refuse the
    // connection with, and Qt retries it at once, forever (both threads at 100% CPU): stay
    // under the limit, answering 503 while there is room and dropping at once just before it.
    const ProcessFileLimit &files = processFileLimit();
    if (open >= files.drop) {
        socket->abort();
        socket->deleteLater();
        return;
    }
    if (open > files.serve) {
        socket->refuse(
            RequestError::Kind::Busy,
            QStringLiteral("Too many open connections for this process's file limit (%1); try again later").arg(files.limit));
        return;
    }
    if (qsizetype(m_sockets.size()) > m_limits.maxConnections) {
        socket->refuse(
            RequestError::Kind::Busy,
            QStringLiteral("Too many open connections (the limit is %1); try again later").arg(m_limits.maxConnections));
        return; // never handed to QHttpServer; it closes and deletes itself
    }
    addPendingConnection(socket);
}

void GuardedTcpServer::sweep()
{
    const std::int64_t now = steadyNowMs();
    const std::vector<GuardedSocket *> sockets(m_sockets.begin(), m_sockets.end());
    for (GuardedSocket *socket : sockets)
        socket->checkDeadline(now);
}

} // namespace Audit
