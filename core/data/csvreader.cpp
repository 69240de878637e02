#include "csvreader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>

#include "csverror.h"
#include "csvtokenizer.h"
#include "echovalue.h"
#include "fileio.h"

namespace Audit {

namespace {

// Held in memory whole; 1,000,000 census rows are 127 MB.
constexpr qint64 kMaxCsvBytes = qint64(2000) << 20;
constexpr std::size_t kMaxFieldBytes = std::size_t(1) << 20;

struct StringHash
{
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

QString fromView(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

// Where one schema column (or the label) is found in the file, and how to turn its text into data.
struct ColumnSlot
{
    int field = -1;
    DataColumn *column = nullptr;
    std::unordered_map<std::string, std::int32_t, StringHash, std::equal_to<>> codeOf;
    std::vector<std::string> missing; // tokens that mean "no value" (a number column reads them as NaN)
};

bool parseNumber(std::string_view text, ColumnType type, char decimal, double &value)
{
    if (text.empty())
        return false;
    std::string buffer;
    if (decimal == ',') {
        // With a decimal comma a point is a thousands separator ("1.000" is 1000 in such files,
        // 1.0 here): neither is read, rather than one guessed.
        if (text.find('.') != std::string_view::npos)
            return false;
        if (text.find(',') != std::string_view::npos) {
            buffer.assign(text);
            std::replace(buffer.begin(), buffer.end(), ',', '.');
            text = buffer;
        }
    }
    if (text.front() == '+') {
        text.remove_prefix(1);
        if (!text.empty() && (text.front() == '-' || text.front() == '+'))
            return false; // "+-39" is no number
    }
    if (type == ColumnType::Integer) {
        long long whole = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), whole);
        if (ec == std::errc() && ptr == text.data() + text.size()) {
            value = double(whole);
            return true;
        }
        // A whole number written as a decimal ("67.0", as the heart-disease file writes them).
        double number = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(number) || number != std::trunc(number)
            || std::abs(number) >= 9.2e18)
            return false;
        value = number;
        return true;
    }
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(value);
}

class Loader
{
public:
    Loader(const QString &path, const Schema &schema, const LoadOptions &options)
        : m_path(path)
        , m_schema(schema)
        , m_options(options)
    {}

    LoadReport load(const QByteArray &bytes)
    {
        LoadReport report;
        report.data.schema = m_schema;
        report.data.path = m_path;
        report.data.md5 = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex());
        m_report = &report;

        const std::string_view text(bytes.constData(), std::size_t(bytes.size()));
        // A file that may lack its header has the schema's columns: their count helps detection.
        CsvTokenizer tokenizer(text, m_path, m_options.delimiter ? m_options.delimiter : m_schema.format().delimiter,
                               m_schema.headerlessWidth());
        report.delimiter = m_delimiter = tokenizer.delimiter();
        std::vector<std::string_view> fields;
        if (!tokenizer.next(fields))
            throw CsvError(QStringLiteral("%1: the file is empty (no header, no rows). Fix: point to a CSV file "
                                          "whose first line names the columns.")
                               .arg(m_path),
                           m_path);
        // A file that may lack its header has one when its first line names the schema's columns.
        report.header = m_schema.format().header || namesColumns(fields);
        if (report.header) {
            mapHeader(fields, tokenizer.recordLine());
        } else {
            std::vector<std::string_view> names;
            std::vector<std::string> storage;
            for (const QString &name : m_schema.fileColumns())
                storage.push_back(name.toStdString());
            names.assign(storage.begin(), storage.end());
            mapHeader(names, tokenizer.recordLine());
            addRow(fields, tokenizer.recordLine());
        }

        // Rough row estimate to avoid regrowing the columns.
        const std::size_t estimate = std::size_t(bytes.size()) / std::max<std::size_t>(1, m_headerBytes) + 1;
        for (DataColumn &column : report.data.columns) {
            if (column.spec.isNumeric())
                column.numbers.reserve(estimate);
            else
                column.codes.reserve(estimate);
        }

        while (tokenizer.next(fields))
            addRow(fields, tokenizer.recordLine());
        if (m_unknownLabels > 0) {
            report.data.labels.clear();
            report.unknownLabels = m_unknownLabels;
        }
        return report;
    }

private:
    bool namesColumns(const std::vector<std::string_view> &fields) const
    {
        for (const ColumnSpec &spec : m_schema.features()) {
            if (std::find(fields.begin(), fields.end(), std::string_view(spec.name.toStdString())) == fields.end())
                return false;
        }
        return true;
    }

    void mapHeader(const std::vector<std::string_view> &header, int line)
    {
        m_fieldCount = header.size();
        m_fieldNames.clear();
        for (std::string_view name : header)
            m_fieldNames << fromView(name.substr(0, 200));
        m_headerBytes = 0;
        requireUniqueHeader(header, m_path, line);
        std::unordered_map<std::string_view, int> index;
        for (std::size_t i = 0; i < header.size(); ++i) {
            m_headerBytes += header[i].size() + 2;
            index.emplace(header[i], int(i));
        }

        Dataset &data = m_report->data;
        data.columns.resize(m_schema.features().size());
        m_slots.resize(m_schema.features().size());
        m_numbers.assign(m_schema.features().size(), 0.0);
        QStringList absent;
        for (std::size_t c = 0; c < m_schema.features().size(); ++c) {
            const ColumnSpec &spec = m_schema.features()[c];
            data.columns[c].spec = spec;
            m_slots[c].column = &data.columns[c];
            const auto found = index.find(spec.name.toStdString());
            if (found == index.end())
                absent << spec.name;
            else
                m_slots[c].field = found->second;
            for (const QString &token : m_schema.missingTokens(c))
                m_slots[c].missing.push_back(token.toStdString());
            data.columns[c].missingText = m_schema.missingTokens(c).value(0).toStdString();
        }
        if (absent.size() == int(m_schema.features().size()))
            throw CsvError(QStringLiteral("%1:%2: no header row: the first line names none of the schema's columns "
                                          "(it starts with \"%3\"; fields separated by %5). Fix: add a header line "
                                          "with the column names (%4, ...), set header: false in the schema when the "
                                          "file has none, or give the delimiter (--delimiter, or delimiter: in the "
                                          "schema).")
                               .arg(m_path)
                               .arg(line)
                               .arg(header.empty() ? QString() : echoValue(fromView(header.front())))
                               .arg(m_schema.features().front().name, delimiterName(m_delimiter)),
                           m_path, line);
        if (!absent.isEmpty())
            throw CsvError(QStringLiteral("%1:%2: schema column \"%3\" is absent from the header. Fix: add the "
                                          "column, or use a schema that matches this file.")
                               .arg(m_path)
                               .arg(line)
                               .arg(absent.front()),
                           m_path, line, absent.front());

        const auto label = index.find(m_schema.labelColumn().toStdString());
        if (label != index.end()) {
            m_labelField = label->second;
        } else if (m_options.requireLabel) {
            throw CsvError(QStringLiteral("%1:%2: label column \"%3\" is absent from the header. Fix: use a "
                                          "labelled file for this command.")
                               .arg(m_path)
                               .arg(line)
                               .arg(m_schema.labelColumn()),
                           m_path, line, m_schema.labelColumn());
        }
    }

    void reject(int line, const QString &column, std::string_view value, const QString &problem)
    {
        RejectedRow row;
        row.line = line;
        row.column = column;
        row.value = fromView(value);
        row.message = column.isEmpty() ? QStringLiteral("%1:%2: %3").arg(m_path).arg(line).arg(problem)
                                       : QStringLiteral("%1:%2: column \"%3\": %4").arg(m_path).arg(line).arg(column, problem);
        if (m_options.strict)
            throw CsvError(row.message
                               + QStringLiteral(" Fix: correct or remove the row (strict reading stops at the "
                                                "first bad row; otherwise such rows are listed and skipped)."),
                           m_path, line, column, row.value);
        m_report->rejected.append(row);
    }

    void addRow(const std::vector<std::string_view> &fields, int line)
    {
        if (fields.size() != m_fieldCount) {
            reject(line, {}, {},
                   QStringLiteral("expected %1 fields as in the header, found %2").arg(m_fieldCount).arg(fields.size()));
            return;
        }
        // No value of a table is a megabyte: such a field is a broken quote or an attack, and
        // would be kept whole as a category.
        for (std::size_t f = 0; f < fields.size(); ++f) {
            if (fields[f].size() > kMaxFieldBytes) {
                reject(line, m_fieldNames.value(qsizetype(f)), fields[f].substr(0, 40),
                       QStringLiteral("a field of %1 bytes; at most %2 are read").arg(fields[f].size()).arg(kMaxFieldBytes));
                return;
            }
        }
        std::int8_t label = 0;
        if (m_labelField >= 0) {
            const std::string_view value = fields[std::size_t(m_labelField)];
            const int cls = m_schema.labelOf(value);
            // Where labels are optional (predict), an unknown label ("?", "") does not lose the
            // row: the file is read as unlabelled instead.
            if (cls < 0 && !m_options.requireLabel
                && m_schema.missingTokens().contains(QString::fromUtf8(value.data(), qsizetype(value.size())))) {
                ++m_unknownLabels;
            } else if (cls < 0) {
                const auto values = [](const QStringList &list) {
                    QStringList quoted;
                    for (const QString &v : list)
                        quoted << QStringLiteral("\"%1\"").arg(v);
                    return quoted.join(QStringLiteral(", "));
                };
                const bool single = m_schema.positiveValues().size() == 1 && m_schema.negativeValues().size() == 1;
                reject(
                    line, m_schema.labelColumn(), value,
                    (single ? QStringLiteral("label \"%1\" is neither %2 nor %3")
                            : QStringLiteral("label \"%1\" is neither positive (%2) nor negative (%3)"))
                        .arg(echoValue(fromView(value)), values(m_schema.positiveValues()), values(m_schema.negativeValues())));
                return;
            }
            label = std::int8_t(std::max(cls, 0)); // an unknown one is dropped with all labels below
        }
        // Validate every numeric field before appending anything, so a bad row leaves no trace.
        const std::size_t columnCount = m_slots.size();
        for (std::size_t c = 0; c < columnCount; ++c) {
            const ColumnSlot &slot = m_slots[c];
            if (!slot.column->spec.isNumeric())
                continue;
            const std::string_view value = fields[std::size_t(slot.field)];
            double parsed = 0;
            if (std::find(slot.missing.begin(), slot.missing.end(), value) != slot.missing.end()) {
                parsed = std::numeric_limits<double>::quiet_NaN(); // missing: imputed by the model
            } else if (!parseNumber(value, slot.column->spec.type, m_schema.format().decimal, parsed)) {
                QStringList tokens;
                for (const std::string &token : slot.missing)
                    tokens << QStringLiteral("\"%1\"").arg(QString::fromStdString(token));
                reject(line, slot.column->spec.name, value,
                       QStringLiteral("expected %1, found \"%2\" (a missing value is written %3)")
                           .arg(slot.column->spec.type == ColumnType::Integer ? QStringLiteral("a whole number")
                                                                              : QStringLiteral("a number"),
                                echoValue(fromView(value)),
                                tokens.isEmpty() ? QStringLiteral("nowhere") : tokens.join(QStringLiteral(" or "))));
                return;
            }
            m_numbers[c] = parsed;
        }
        for (std::size_t c = 0; c < columnCount; ++c) {
            ColumnSlot &slot = m_slots[c];
            DataColumn &column = *slot.column;
            if (column.spec.isNumeric()) {
                column.numbers.push_back(m_numbers[c]);
                continue;
            }
            const std::string_view value = fields[std::size_t(slot.field)];
            auto found = slot.codeOf.find(value);
            if (found == slot.codeOf.end()) {
                found = slot.codeOf.emplace(std::string(value), std::int32_t(column.categories.size())).first;
                column.categories.emplace_back(value);
            }
            column.codes.push_back(found->second);
        }
        if (m_labelField >= 0)
            m_report->data.labels.push_back(label);
        m_report->data.lines.push_back(line);
    }

    QString m_path;
    const Schema &m_schema;
    LoadOptions m_options;
    LoadReport *m_report = nullptr;
    std::vector<ColumnSlot> m_slots;
    std::vector<double> m_numbers; // the row being validated
    std::size_t m_fieldCount = 0;
    std::size_t m_headerBytes = 1;
    int m_labelField = -1;
    char m_delimiter = ',';
    QStringList m_fieldNames; // the header's, for messages
    qsizetype m_unknownLabels = 0; // rows whose label is a missing token (labels optional only)
};

} // namespace

QString LoadReport::rejectedSummary(int shown) const
{
    if (rejected.isEmpty())
        return {};
    QStringList lines;
    lines << QStringLiteral("%1 row(s) rejected:").arg(rejected.size());
    for (int i = 0; i < rejected.size() && i < shown; ++i)
        lines << QStringLiteral("  ") + rejected[i].message;
    if (rejected.size() > shown)
        lines << QStringLiteral("  ... and %1 more").arg(rejected.size() - shown);
    return lines.join(QLatin1Char('\n'));
}

QByteArray CsvReader::readFileBytes(const QString &path)
{
    QFile file(path);
    if (!QFileInfo::exists(path))
        throw CsvError(QStringLiteral("%1: no such file. Fix: check the path (relative paths start from %2).")
                           .arg(path, QFileInfo(QStringLiteral(".")).absoluteFilePath()),
                       path);
    return readInputFile(path, QStringLiteral("CSV"), kMaxCsvBytes);
}

LoadReport CsvReader::read(const QString &path, const Schema &schema, const LoadOptions &options)
{
    return readBytes(readFileBytes(path), path, schema, options);
}

LoadReport CsvReader::readBytes(const QByteArray &bytes, const QString &path, const Schema &schema, const LoadOptions &options)
{
    // Say what the file is when it is no UTF-8 CSV at all, rather than "no header row".
    const QByteArray start = bytes.left(512);
    if (start.startsWith("\xff\xfe") || start.startsWith("\xfe\xff") || start.count('\0') > start.size() / 4)
        throw CsvError(QStringLiteral("%1: UTF-16 text (a byte-order mark, or NUL bytes between the letters). Fix: save it "
                                      "as UTF-8.")
                           .arg(path),
                       path);
    if (bytes.contains('\r') && !bytes.contains('\n'))
        throw CsvError(QStringLiteral("%1: its lines end in CR only (old Mac line endings), so it reads as one line. Fix: "
                                      "save it with LF or CRLF line endings.")
                           .arg(path),
                       path);
    Loader loader(path, schema, options);
    return loader.load(bytes);
}

} // namespace Audit
