#pragma once

#include <QList>

#include "auditerror.h"
#include "httpreply.h"
#include "recordparser.h"

namespace Audit {

// A request the predict service cannot answer with a result. `kind` decides the HTTP status
// (httpStatus below, the one place that maps them); the message is the answer's "detail".
class RequestError final : public AuditError
{
public:
    enum class Kind {
        MalformedJson, // 400
        BadRequest, // 400: the request's framing (its headers)
        Unauthorized, // 401
        NotFound, // 404
        MethodNotAllowed, // 405
        Timeout, // 408
        TooLarge, // 413
        UnsupportedMediaType, // 415
        InvalidField, // 422
        HeaderTooLarge, // 431
        Internal, // 500
        NoModel, // 503
        Busy, // 503
    };

    RequestError(Kind kind, const QString &message);
    // Kind::InvalidField, every problem of one body at once.
    // `total`: how many problems there were when `problems` holds only the first of them.
    explicit RequestError(QList<RecordProblem> problems, qsizetype total = -1);
    static constexpr qsizetype kMaxProblemsShown = 100; // a body's problems reported, with the count of all

    ErrorKind kind() const override { return ErrorKind::Request; }
    Kind reason() const { return m_kind; }
    const QList<RecordProblem> &problems() const { return m_problems; }
    qsizetype problemCount() const { return m_total; }

private:
    Kind m_kind;
    QList<RecordProblem> m_problems;
    qsizetype m_total = 0;
};

// The HTTP status for each kind of failed request: the one place that maps them.
HttpStatus httpStatus(RequestError::Kind kind);
// The same as a status line: "HTTP/1.1 413 Payload Too Large".
QByteArray statusLine(RequestError::Kind kind);

// The JSON answer for `error`, in FastAPI's shapes: {"detail": "..."}, or for invalid fields
// {"detail": [{"loc": [...], "msg": ..., "type": ...}, ...]}.
HttpReply errorReply(const RequestError &error);

// The answer to a request whose handler failed unexpectedly: {"error": "internal error",
// "request_id": id}. The real message goes to the log with the id, never to the client.
HttpReply internalErrorReply(const QString &requestId);

} // namespace Audit
