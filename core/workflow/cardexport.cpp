#include "cardexport.h"

#include <QJsonDocument>

#include "cardrenderer.h"
#include "fileio.h"

namespace Audit {

void exportCard(const ModelCard &card, const AuditResults *results, CardFormat format, const QString &path)
{
    const std::vector<CardChart> charts = results ? CardRenderer::charts(*results) : std::vector<CardChart>();
    switch (format) {
    case CardFormat::Markdown:
        card.save(path);
        return;
    case CardFormat::Json:
        writeFileAtomically(path, QJsonDocument(card.toJson()).toJson(QJsonDocument::Indented));
        return;
    case CardFormat::Html:
        writeFileAtomically(path, CardRenderer::toHtml(card, charts));
        return;
    case CardFormat::Pdf:
        writeFileAtomically(path, CardRenderer::toPdf(card, charts));
        return;
    }
}

} // namespace Audit
