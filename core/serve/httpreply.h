#pragma once

#include <utility>

#include <QByteArray>
#include <QHttpServerResponder>
#include <QJsonObject>
#include <QList>

namespace Audit {

using HttpStatus = QHttpServerResponder::StatusCode;

// One answer of the predict service, before it is written to the socket.
struct HttpReply
{
    HttpStatus status = HttpStatus::Ok;
    QByteArray body;
    QByteArray contentType = "application/json";
    QList<std::pair<QByteArray, QByteArray>> headers;

    static HttpReply json(HttpStatus status, const QJsonObject &object);
};

} // namespace Audit
