#include "datacleaner.h"

#include <string>

#include "csverror.h"
#include "csvtokenizer.h"
#include "fileio.h"

namespace Audit {

QByteArray cleanCsvBytes(const QByteArray &bytes, const QString &path, const CleanOptions &options, CleanReport &report)
{
    const bool strict = options.strict;
    const std::string_view text(bytes.constData(), std::size_t(bytes.size()));
    const char declared = options.schema ? options.schema->format().delimiter : 0;
    CsvTokenizer tokenizer(text, path, options.delimiter ? options.delimiter : declared,
                           options.schema ? options.schema->headerlessWidth() : 0);
    const char delimiter = declared ? declared : ',';
    std::vector<std::string_view> fields;
    if (!tokenizer.next(fields))
        throw CsvError(QStringLiteral("%1: the file is empty (no header, no rows)").arg(path), path);

    std::string out;
    out.reserve(std::size_t(bytes.size()));
    const auto appendRecord = [&out, delimiter](const std::vector<std::string_view> &record) {
        for (std::size_t i = 0; i < record.size(); ++i) {
            if (i)
                out.push_back(delimiter);
            appendCsvField(out, record[i]);
        }
        out.push_back('\n');
    };
    const std::vector<std::string_view> first = fields;
    const std::vector<std::string> names = options.schema ? options.schema->missingHeader(first) : std::vector<std::string>();
    if (!names.empty()) // a headerless file: the schema's columns are its header
        fields.assign(names.begin(), names.end());
    requireUniqueHeader(fields, path, tokenizer.recordLine());
    const std::size_t width = fields.size();
    appendRecord(fields);
    const std::size_t rawSize = std::size_t(bytes.size());
    bool pending = !names.empty(); // the first record is a row, not the header
    while (pending || tokenizer.next(fields)) {
        if (pending) {
            fields = first;
            pending = false;
        }
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

CleanReport cleanCsv(const QString &inPath, const QString &outPath, const CleanOptions &options)
{
    CleanReport report;
    const QByteArray cleaned = cleanCsvBytes(CsvReader::readFileBytes(inPath), inPath, options, report);
    writeFileAtomically(outPath, cleaned);
    return report;
}

} // namespace Audit
