#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include <QString>
#include <QStringList>

namespace Audit {

// Splits RFC 4180 text into records, fields separated by comma (or semicolon, tab, pipe). Accepts LF or CRLF line ends, quoted
// fields with embedded commas, quotes ("") and line breaks, and trims spaces and tabs around unquoted fields (the census file
// writes ", " between fields). Blank lines are skipped. The returned views stay valid until the next call to next().
class CsvTokenizer
{
public:
    // delimiter 0: detected from the first line (detectDelimiter), given the field count when
    // known (a headerless file's schema lists its columns).
    CsvTokenizer(std::string_view text, QString path, char delimiter = 0, std::size_t expectedFields = 0);

    // Reads the next record into `fields`; returns false at the end of the text.
    // Throws: CsvError naming the line where an unterminated quoted field starts.
    bool next(std::vector<std::string_view> &fields);

    int recordLine() const { return m_recordLine; } // 1-based line where the last record started
    char delimiter() const { return m_delimiter; }

private:
    std::string_view parseQuoted(int startLine);
    bool isBlank(char c) const; // spaces, and tabs unless tabs separate the fields
    std::string_view trimmed(std::string_view s) const;

    std::string_view m_text;
    QString m_path;
    std::size_t m_pos = 0;
    int m_line = 1;
    int m_recordLine = 0;
    char m_delimiter = ',';
    char m_stops[2] = {',', '\n'};
    std::deque<std::string> m_unescaped; // storage for quoted fields that held ""
};

// The field separator of a CSV text: the one of comma, semicolon, tab and pipe that splits the
// first non-blank line (outside quotes) into `expectedFields` fields when that is known, else
// the one that appears most often there (ties: that order; none: comma).
char detectDelimiter(std::string_view text, std::size_t expectedFields = 0);
QString delimiterName(char delimiter); // "semicolon", "tab", ...

// Checks a header record (as next() returned it, `line` its 1-based file line) before any
// column is looked up by name; every reader and the cleaner call it.
// Throws: CsvError naming the first column the header names twice.
void requireUniqueHeader(const std::vector<std::string_view> &header, const QString &path, int line);

// True when `record` names every one of `names` (so it is a header line, not a row).
bool namesAll(const std::vector<std::string_view> &record, const QStringList &names);

// Quotes a field for CSV output when it holds a comma, quote, line break or edge space.
void appendCsvField(std::string &out, std::string_view field);
QString csvQuoted(const QString &field); // the same for QString

} // namespace Audit
