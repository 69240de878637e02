#include "reportexport.h"

#include <QFile>

#include "audit.h"
#include "auditerror.h"
#include "fileio.h"

namespace Audit {

void exportReport(const ReportFacts &facts, const AuditResults &results, const QString &htmlPath, const QString &pdfPath)
{
    const std::vector<CardChart> charts = CardRenderer::charts(results);
    const QByteArray html = AuditReport::toHtml(facts, results, charts);
    const QByteArray pdf = pdfPath.isEmpty() ? QByteArray() : AuditReport::toPdf(facts, results, charts);
    writeFileAtomically(htmlPath, html);
    if (pdfPath.isEmpty())
        return;
    try {
        writeFileAtomically(pdfPath, pdf);
    } catch (const AuditError &) {
        QFile::remove(htmlPath); // one report or none
        throw;
    }
}

} // namespace Audit
