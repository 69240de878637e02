#include "requesterror.h"

#include <QJsonArray>
#include <QStringList>

namespace Audit {

namespace {

// A body's problems are reported up to kMaxProblemsShown, with the count of all: 1,000 empty
// records would otherwise answer 14,000 problems in a megabyte (an amplification).
constexpr qsizetype kMaxProblemsShown = RequestError::kMaxProblemsShown;

QString problemsText(const QList<RecordProblem> &problems, qsizetype total)
{
    QStringList parts;
    for (const RecordProblem &p : problems.mid(0, kMaxProblemsShown)) {
        QStringList loc;
        for (const QJsonValue &part : p.loc)
            loc << (part.isString() ? part.toString() : QString::number(part.toInt()));
        parts << loc.join(QLatin1Char('.')) + QStringLiteral(": ") + p.msg;
    }
    if (total > kMaxProblemsShown)
        parts << QStringLiteral("and %1 more").arg(total - kMaxProblemsShown);
    return parts.join(QStringLiteral("; "));
}

} // namespace

RequestError::RequestError(Kind kind, const QString &message)
    : AuditError(message)
    , m_kind(kind)
{}

RequestError::RequestError(QList<RecordProblem> problems, qsizetype total)
    : AuditError(problemsText(problems, std::max(total, problems.size())))
    , m_kind(Kind::InvalidField)
    , m_problems(std::move(problems))
    , m_total(std::max(total, m_problems.size()))
{}

namespace {

struct KindStatus
{
    HttpStatus status;
    const char *phrase;
};

// The one table from failure to status.
KindStatus kindStatus(RequestError::Kind kind)
{
    using Kind = RequestError::Kind;
    switch (kind) {
    case Kind::MalformedJson:
    case Kind::BadRequest:
        return {HttpStatus::BadRequest, "Bad Request"};
    case Kind::Unauthorized:
        return {HttpStatus::Unauthorized, "Unauthorized"};
    case Kind::NotFound:
        return {HttpStatus::NotFound, "Not Found"};
    case Kind::MethodNotAllowed:
        return {HttpStatus::MethodNotAllowed, "Method Not Allowed"};
    case Kind::Timeout:
        return {HttpStatus::RequestTimeout, "Request Timeout"};
    case Kind::TooLarge:
        return {HttpStatus::PayloadTooLarge, "Payload Too Large"};
    case Kind::UnsupportedMediaType:
        return {HttpStatus::UnsupportedMediaType, "Unsupported Media Type"};
    case Kind::InvalidField:
        return {HttpStatus::UnprocessableEntity, "Unprocessable Entity"};
    case Kind::HeaderTooLarge:
        return {HttpStatus::RequestHeaderFieldsTooLarge, "Request Header Fields Too Large"};
    case Kind::Internal:
        break;
    case Kind::NoModel:
    case Kind::Busy:
        return {HttpStatus::ServiceUnavailable, "Service Unavailable"};
    }
    return {HttpStatus::InternalServerError, "Internal Server Error"};
}

} // namespace

HttpStatus httpStatus(RequestError::Kind kind)
{
    return kindStatus(kind).status;
}

QByteArray statusLine(RequestError::Kind kind)
{
    const KindStatus s = kindStatus(kind);
    return "HTTP/1.1 " + QByteArray::number(int(s.status)) + ' ' + s.phrase;
}

HttpReply errorReply(const RequestError &error)
{
    const HttpStatus status = httpStatus(error.reason());
    switch (error.reason()) {
    case RequestError::Kind::InvalidField: {
        QJsonArray details;
        for (const RecordProblem &p : error.problems().mid(0, kMaxProblemsShown))
            details.append(p.toJson());
        QJsonObject body{{QStringLiteral("detail"), details}};
        if (error.problemCount() > kMaxProblemsShown) {
            body.insert(QStringLiteral("problem_count"), error.problemCount());
            body.insert(
                QStringLiteral("truncated"),
                QStringLiteral("the first %1 problems of %2 are listed").arg(kMaxProblemsShown).arg(error.problemCount()));
        }
        return HttpReply::json(status, body);
    }
    case RequestError::Kind::NoModel:
        return HttpReply::json(status,
                               QJsonObject{{QStringLiteral("status"), QStringLiteral("no model loaded")},
                                           {QStringLiteral("detail"), error.message()}});
    default:
        return HttpReply::json(status, QJsonObject{{QStringLiteral("detail"), error.message()}});
    }
}

HttpReply internalErrorReply(const QString &requestId)
{
    return HttpReply::json(
        httpStatus(RequestError::Kind::Internal),
        QJsonObject{{QStringLiteral("error"), QStringLiteral("internal error")}, {QStringLiteral("request_id"), requestId}});
}

} // namespace Audit
