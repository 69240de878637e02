#include "csvtokenizer.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "csverror.h"

namespace Audit {

namespace {

constexpr char kDelimiters[] = {',', ';', '\t', '|'}; // detection order: ties go to the earlier one

} // namespace

bool CsvTokenizer::isBlank(char c) const
{
    return c == ' ' || (c == '\t' && m_delimiter != '\t');
}

std::string_view CsvTokenizer::trimmed(std::string_view s) const
{
    while (!s.empty() && isBlank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && (isBlank(s.back()) || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

char detectDelimiter(std::string_view text, std::size_t expectedFields)
{
    if (text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3);
    // The first line that holds anything, outside quotes (a header's names may be quoted).
    std::size_t counts[std::size(kDelimiters)] = {};
    bool quoted = false;
    bool any = false;
    for (char c : text) {
        if (c == '"') {
            quoted = !quoted;
            continue;
        }
        if (quoted)
            continue;
        if (c == '\n') {
            if (any)
                break;
            continue;
        }
        if (c != ' ' && c != '\r')
            any = true;
        for (std::size_t k = 0; k < std::size(kDelimiters); ++k)
            counts[k] += c == kDelimiters[k];
    }
    // A known field count decides first: the one delimiter that splits the line into it.
    if (expectedFields > 1) {
        for (std::size_t k = 0; k < std::size(kDelimiters); ++k) {
            if (counts[k] + 1 == expectedFields)
                return kDelimiters[k];
        }
    }
    std::size_t best = 0;
    for (std::size_t k = 1; k < std::size(kDelimiters); ++k) {
        if (counts[k] > counts[best])
            best = k;
    }
    return kDelimiters[best];
}

QString delimiterName(char delimiter)
{
    switch (delimiter) {
    case '\t':
        return QStringLiteral("tab");
    case ',':
        return QStringLiteral("comma");
    case ';':
        return QStringLiteral("semicolon");
    case '|':
        return QStringLiteral("pipe");
    default:
        return QStringLiteral("\"%1\"").arg(QLatin1Char(delimiter));
    }
}

CsvTokenizer::CsvTokenizer(std::string_view text, QString path, char delimiter, std::size_t expectedFields)
    : m_text(text)
    , m_path(std::move(path))
    , m_delimiter(delimiter ? delimiter : detectDelimiter(text, expectedFields))
{
    if (m_text.substr(0, 3) == "\xEF\xBB\xBF") // a UTF-8 byte order mark is not part of the header
        m_pos = 3;
    m_stops[0] = m_delimiter;
}

std::string_view CsvTokenizer::parseQuoted(int startLine)
{
    // m_pos is just past the opening quote.
    const std::size_t begin = m_pos;
    std::string *unescaped = nullptr;
    std::size_t chunk = begin;
    while (true) {
        const std::size_t quote = m_text.find('"', m_pos);
        if (quote == std::string_view::npos)
            throw CsvError(QStringLiteral("%1:%2: a quoted field starts here and is never closed. Fix: add the "
                                          "closing quote (\") or double the quotes inside the field.")
                               .arg(m_path)
                               .arg(startLine),
                           m_path, startLine);
        for (std::size_t i = m_pos; i < quote; ++i) {
            if (m_text[i] == '\n')
                ++m_line;
        }
        if (quote + 1 < m_text.size() && m_text[quote + 1] == '"') {
            if (!unescaped)
                unescaped = &m_unescaped.emplace_back();
            unescaped->append(m_text.substr(chunk, quote + 1 - chunk));
            m_pos = quote + 2;
            chunk = m_pos;
            continue;
        }
        m_pos = quote + 1;
        if (!unescaped)
            return m_text.substr(begin, quote - begin);
        unescaped->append(m_text.substr(chunk, quote - chunk));
        return *unescaped;
    }
}

bool CsvTokenizer::next(std::vector<std::string_view> &fields)
{
    fields.clear();
    m_unescaped.clear();
    // Skip blank lines (including a trailing one).
    while (m_pos < m_text.size()) {
        std::size_t end = m_text.find('\n', m_pos);
        if (end == std::string_view::npos)
            end = m_text.size();
        if (!trimmed(m_text.substr(m_pos, end - m_pos)).empty())
            break;
        m_pos = end + 1;
        ++m_line;
    }
    if (m_pos >= m_text.size())
        return false;

    m_recordLine = m_line;
    while (true) {
        while (m_pos < m_text.size() && isBlank(m_text[m_pos]))
            ++m_pos;
        std::string_view field;
        if (m_pos < m_text.size() && m_text[m_pos] == '"') {
            ++m_pos;
            field = parseQuoted(m_line);
            while (m_pos < m_text.size() && (isBlank(m_text[m_pos]) || m_text[m_pos] == '\r'))
                ++m_pos;
            if (m_pos < m_text.size() && m_text[m_pos] != m_delimiter && m_text[m_pos] != '\n') {
                const char found = m_text[m_pos];
                const bool otherDelimiter = std::find(std::begin(kDelimiters), std::end(kDelimiters), found)
                    != std::end(kDelimiters);
                throw CsvError(otherDelimiter
                                   ? QStringLiteral("%1:%2: a %3 follows a closing quote, but fields are read as separated by "
                                                    "%4. Fix: give the delimiter (--delimiter, or delimiter: in the schema).")
                                         .arg(m_path)
                                         .arg(m_line)
                                         .arg(delimiterName(found), delimiterName(m_delimiter))
                                   : QStringLiteral("%1:%2: unexpected text after a closing quote. Fix: quote the whole "
                                                    "field and double any quote inside it.")
                                         .arg(m_path)
                                         .arg(m_line),
                               m_path, m_line);
            }
        } else {
            const std::size_t end = m_text.find_first_of(std::string_view(m_stops, 2), m_pos);
            const std::size_t stop = end == std::string_view::npos ? m_text.size() : end;
            field = trimmed(m_text.substr(m_pos, stop - m_pos));
            m_pos = stop;
        }
        fields.push_back(field);
        if (m_pos >= m_text.size())
            return true;
        if (m_text[m_pos] == '\n') {
            ++m_pos;
            ++m_line;
            return true;
        }
        ++m_pos; // the delimiter
    }
}

void appendCsvField(std::string &out, std::string_view field)
{
    // Any separator is quoted, not only the comma written here, so the delimiter of the file
    // written is detected as the comma again.
    const auto edge = [](char c) { return c == ' ' || c == '\t'; };
    const bool needsQuotes = field.find_first_of(",;|\t\"\r\n") != std::string_view::npos
        || (!field.empty() && (edge(field.front()) || edge(field.back())));
    if (!needsQuotes) {
        out.append(field);
        return;
    }
    out.push_back('"');
    for (char c : field) {
        if (c == '"')
            out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

bool namesAll(const std::vector<std::string_view> &record, const QStringList &names)
{
    for (const QString &name : names) {
        const std::string bytes = name.toStdString();
        if (std::find(record.begin(), record.end(), std::string_view(bytes)) == record.end())
            return false;
    }
    return true;
}

void requireUniqueHeader(const std::vector<std::string_view> &header, const QString &path, int line)
{
    std::unordered_set<std::string_view> seen;
    for (std::string_view name : header) {
        if (seen.insert(name).second)
            continue;
        const QString column = QString::fromUtf8(name.data(), qsizetype(name.size()));
        throw CsvError(QStringLiteral("%1:%2: the header names column \"%3\" twice. Fix: give every column a unique name.")
                           .arg(path)
                           .arg(line)
                           .arg(column),
                       path, line, column);
    }
}

QString csvQuoted(const QString &field)
{
    std::string out;
    appendCsvField(out, field.toStdString());
    return QString::fromStdString(out);
}

} // namespace Audit
