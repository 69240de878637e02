#include "routetable.h"

namespace Audit {

void RouteTable::add(QHttpServerRequest::Method method, const QString &path, Handler handler)
{
    PathRoutes &routes = m_paths[path];
    const auto same = std::find_if(routes.entries.begin(), routes.entries.end(),
                                   [method](const Entry &e) { return e.method == method; });
    if (same != routes.entries.end()) {
        same->handler = std::move(handler);
        return;
    }
    routes.entries.append({method, std::move(handler)});
    routes.allowed += (routes.allowed.isEmpty() ? "" : ", ") + methodName(method);
}

RouteTable::Match RouteTable::find(QHttpServerRequest::Method method, const QString &path) const
{
    const auto found = m_paths.constFind(path);
    if (found == m_paths.constEnd())
        return {};
    Match match{nullptr, true, found->allowed};
    for (const Entry &e : found->entries) {
        if (e.method == method)
            match.handler = &e.handler;
    }
    return match;
}

QByteArray RouteTable::methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    default:
        return "OTHER";
    }
}

} // namespace Audit
