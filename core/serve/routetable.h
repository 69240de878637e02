#pragma once

#include <functional>

#include <QByteArray>
#include <QHash>
#include <QHttpServerRequest>
#include <QList>
#include <QString>

#include "httpreply.h"

namespace Audit {

// Method + path → handler, looked up once per request. Paths match exactly (no patterns:
// the predict API has none).
class RouteTable
{
public:
    using Handler = std::function<HttpReply(const QHttpServerRequest &)>;

    struct Match
    {
        const Handler *handler = nullptr; // null: no route for this method (or path)
        bool pathKnown = false; // some method has a route for this path
        QByteArray allowed; // "GET" or "GET, POST": the Allow header for a 405
    };

    // Requires: no route yet for `method` and `path` (a second one replaces the first).
    void add(QHttpServerRequest::Method method, const QString &path, Handler handler);
    Match find(QHttpServerRequest::Method method, const QString &path) const;

    // The method's name as HTTP spells it ("GET"), "OTHER" for the rare ones.
    static QByteArray methodName(QHttpServerRequest::Method method);

private:
    struct Entry
    {
        QHttpServerRequest::Method method;
        Handler handler;
    };
    struct PathRoutes
    {
        QList<Entry> entries;
        QByteArray allowed;
    };
    QHash<QString, PathRoutes> m_paths;
};

} // namespace Audit
