#pragma once

#include <QString>

#include "auditreport.h"

namespace Audit {

// Writes the audit report of `results` as a self-contained HTML page to `htmlPath` and, when
// `pdfPath` is not empty, as a PDF too: the use case behind File → Export Report… and
// `modelaudit-cli report`. Both are rendered before either is written, each is written
// atomically, and when the second cannot be written the first is removed again.
// Requires: a QGuiApplication (fonts); may run on a worker thread.
// Throws:   IoError naming the path that cannot be written.
void exportReport(const ReportFacts &facts, const AuditResults &results, const QString &htmlPath, const QString &pdfPath = {});

} // namespace Audit
