#include "httpreply.h"

#include <QJsonDocument>

namespace Audit {

HttpReply HttpReply::json(HttpStatus status, const QJsonObject &object)
{
    return {status, QJsonDocument(object).toJson(QJsonDocument::Compact), "application/json", {}};
}

} // namespace Audit
