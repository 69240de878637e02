#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include "dataset.h"

namespace Audit {

// A row the reader left out, with the same message a CsvError would carry.
struct RejectedRow
{
    int line = 0; // 1-based file line
    QString column;
    QString value;
    QString message;
};

struct LoadOptions
{
    bool strict = false; // the first rejected row becomes a CsvError
    bool requireLabel = true; // false: a file without the label column loads without labels
    char delimiter = 0; // 0: the schema's, else detected; ',' ';' '\t' '|' override both (--delimiter)
};

struct LoadReport
{
    Dataset data;
    QList<RejectedRow> rejected;
    char delimiter = ','; // the one the file was read with
    bool header = true; // false: the file had no header line (columns in the schema's file order)
    // Rows whose label is a missing token, where labels are optional: then data has no labels.
    qsizetype unknownLabels = 0;

    // "3 rows rejected; first: ..." for the CLI; empty when none were.
    QString rejectedSummary(int shown = 5) const;
};

// Reads a CSV file into a typed, columnar Dataset that follows `schema`.
class CsvReader
{
public:
    // Requires: nothing; every problem is reported.
    // Ensures:  data.columns follow schema.features(); every kept row parsed cleanly.
    // Throws:   CsvError (missing or empty file, no header, a schema column absent from the
    //           header, an unterminated quote; with options.strict, the first bad row);
    //           IoError when the file cannot be read.
    static LoadReport read(const QString &path, const Schema &schema, const LoadOptions &options = {});

    // The same, from bytes already in memory; `path` names them in messages.
    static LoadReport readBytes(const QByteArray &bytes, const QString &path, const Schema &schema,
                                const LoadOptions &options = {});

    // Reads a whole file, with the error messages every command uses.
    static QByteArray readFileBytes(const QString &path);
};

} // namespace Audit
