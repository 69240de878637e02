#pragma once

#include <optional>

#include <QJsonObject>
#include <QString>

#include "record.h"

namespace Audit {

class Model;

// The OpenAPI 3.1 document of the predict API for `model` (null: none loaded yet): one
// member per feature with its type, categories or training range, and `example` (or a
// made-up record of training means and first categories) as the example body.
QJsonObject openApiDocument(const Model *model, const std::optional<Record> &example, int batchLimit);

// Readable HTML for /docs, built from `openApi` (openApiDocument's result). No remote assets.
QString docsHtml(const QJsonObject &openApi);

} // namespace Audit
