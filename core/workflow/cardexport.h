#pragma once

#include <QString>

#include "audit.h"
#include "enumnames.h"
#include "modelcard.h"

namespace Audit {

enum class CardFormat { Markdown, Html, Pdf, Json };
template <>
struct EnumNames<CardFormat>
{
    static constexpr std::array<std::pair<CardFormat, const char *>, 4> table{
        {{CardFormat::Markdown, "md"}, {CardFormat::Html, "html"}, {CardFormat::Pdf, "pdf"}, {CardFormat::Json, "json"}}};
};

// Writes `card` to `path` (atomically) as Markdown with front matter, HTML or PDF with the
// charts of `results` (none when null), or Model Card Toolkit JSON.
// Requires: a QGuiApplication for Html and Pdf (fonts).
// Throws:   IoError naming the path when it cannot be written.
void exportCard(const ModelCard &card, const AuditResults *results, CardFormat format, const QString &path);

} // namespace Audit
