#include "datacleaner.h"

#include <string>

#include "csverror.h"
#include "csvtokenizer.h"
#include "fileio.h"

namespace Audit {

QByteArray cleanCsvBytes(const QByteArray &bytes, const QString &path, bool strict, CleanReport &report)
{
    const std::string_view text(bytes.constData(), std::size_t(bytes.size()));
    CsvTokenizer tokenizer(text, path);
    std::vector<std::string_view> fields;
    if (!tokenizer.next(fields))
        throw CsvError(QStringLiteral("%1: the file is empty (no header, no rows)").arg(path), path);
    requireUniqueHeader(fields, path, tokenizer.recordLine());

    std::string out;
    out.reserve(std::size_t(bytes.size()));
    const auto appendRecord = [&out](const std::vector<std::string_view> &record) {
        for (std::size_t i = 0; i < record.size(); ++i) {
            if (i)
                out.push_back(',');
            appendCsvField(out, record[i]);
        }
        out.push_back('\n');
    };
    const std::size_t width = fields.size();
    appendRecord(fields);
    const std::size_t rawSize = std::size_t(bytes.size());
    while (tokenizer.next(fields)) {
        if (fields.size() != width) {
            RejectedRow row;
            row.line = tokenizer.recordLine();
            row.message = QStringLiteral("%1:%2: expected %3 fields as in the header, found %4")
                              .arg(path)
                              .arg(row.line)
                              .arg(width)
                              .arg(fields.size());
            if (strict)
                throw CsvError(row.message, path, row.line);
            report.rejected.append(row);
            continue;
        }
        appendRecord(fields);
        ++report.rows;
    }
    // Quoting can only add bytes, so this is a lower bound of what was dropped.
    report.bytesRemoved = qsizetype(rawSize > out.size() ? rawSize - out.size() : 0);
    return QByteArray(out.data(), qsizetype(out.size()));
}

CleanReport cleanCsv(const QString &inPath, const QString &outPath, bool strict)
{
    CleanReport report;
    const QByteArray cleaned = cleanCsvBytes(CsvReader::readFileBytes(inPath), inPath, strict, report);
    writeFileAtomically(outPath, cleaned);
    return report;
}

} // namespace Audit
