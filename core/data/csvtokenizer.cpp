#include "csvtokenizer.h"

#include <cmath>
#include <unordered_set>

#include "csverror.h"

namespace Audit {

namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && isBlank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && (isBlank(s.back()) || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

} // namespace

CsvTokenizer::CsvTokenizer(std::string_view text, QString path)
    : m_text(text)
    , m_path(std::move(path))
{
    if (m_text.substr(0, 3) == "\xEF\xBB\xBF") // a UTF-8 byte order mark is not part of the header
        m_pos = 3;
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
            if (m_pos < m_text.size() && m_text[m_pos] != ',' && m_text[m_pos] != '\n')
                throw CsvError(QStringLiteral("%1:%2: unexpected text after a closing quote. Fix: quote the whole "
                                              "field and double any quote inside it.")
                                   .arg(m_path)
                                   .arg(m_line),
                               m_path, m_line);
        } else {
            const std::size_t end = m_text.find_first_of(",\n", m_pos);
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
        ++m_pos; // the comma
    }
}

void appendCsvField(std::string &out, std::string_view field)
{
    const bool needsQuotes = field.find_first_of(",\"\r\n") != std::string_view::npos
        || (!field.empty() && (isBlank(field.front()) || isBlank(field.back())));
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
