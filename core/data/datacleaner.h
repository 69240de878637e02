#pragma once

#include <QList>
#include <QString>

#include "csvreader.h"

namespace Audit {

struct CleanReport
{
    qsizetype rows = 0; // data rows written
    qsizetype bytesRemoved = 0; // spaces, carriage returns and blank lines dropped
    QList<RejectedRow> rejected; // rows with a field count unlike the header's; left out
};

struct CleanOptions
{
    bool strict = false; // the first ragged row is an error
    // The data's schema, when known: its declared delimiter is read and written, and a file
    // without a header line (header: false) gets the schema's column names as its header.
    const Schema *schema = nullptr;
    char delimiter = 0; // read with this one (--delimiter); 0: the schema's, else detected
};

// Normalises a CSV file: spaces around fields removed, LF line ends, blank lines dropped,
// fields quoted only where RFC 4180 needs it. The header keeps its names and order.
// Idempotent: cleaning a cleaned file gives the same bytes.
// Throws: CsvError (missing, empty or malformed file; a header naming a column twice, which
//         CsvReader would refuse too; with `strict`, the first ragged row);
//         IoError when the output cannot be written. A failure writes no output.
// Fields are written comma-separated unless the schema declares another delimiter.
CleanReport cleanCsv(const QString &inPath, const QString &outPath, const CleanOptions &options);
inline CleanReport cleanCsv(const QString &inPath, const QString &outPath, bool strict = false)
{
    return cleanCsv(inPath, outPath, CleanOptions{strict, nullptr, 0});
}

// The same on bytes in memory; returns the cleaned text.
QByteArray cleanCsvBytes(const QByteArray &bytes, const QString &path, const CleanOptions &options, CleanReport &report);

} // namespace Audit
