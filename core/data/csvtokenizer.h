#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include <QString>

namespace Audit {

// Splits RFC 4180 text into records. Accepts LF or CRLF line ends, quoted fields with
// embedded commas, quotes ("") and line breaks, and trims spaces and tabs around unquoted
// fields (the census file writes ", " between fields). Blank lines are skipped.
// The returned views stay valid until the next call to next().
class CsvTokenizer
{
public:
    CsvTokenizer(std::string_view text, QString path);

    // Reads the next record into `fields`; returns false at the end of the text.
    // Throws: CsvError naming the line where an unterminated quoted field starts.
    bool next(std::vector<std::string_view> &fields);

    int recordLine() const { return m_recordLine; } // 1-based line where the last record started

private:
    std::string_view parseQuoted(int startLine);

    std::string_view m_text;
    QString m_path;
    std::size_t m_pos = 0;
    int m_line = 1;
    int m_recordLine = 0;
    std::deque<std::string> m_unescaped; // storage for quoted fields that held ""
};

// Checks a header record (as next() returned it, `line` its 1-based file line) before any
// column is looked up by name; every reader and the cleaner call it.
// Throws: CsvError naming the first column the header names twice.
void requireUniqueHeader(const std::vector<std::string_view> &header, const QString &path, int line);

// Quotes a field for CSV output when it holds a comma, quote, line break or edge space.
void appendCsvField(std::string &out, std::string_view field);
QString csvQuoted(const QString &field); // the same for QString

} // namespace Audit
