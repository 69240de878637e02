#pragma once

#include <algorithm>

#include <string>
#include <string_view>
#include <vector>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "enumnames.h"

namespace Audit {

enum class ColumnType { Categorical, Integer, Real };

template <>
struct EnumNames<ColumnType>
{
    static constexpr std::array<std::pair<ColumnType, const char *>, 3> table{
        {{ColumnType::Categorical, "categorical"}, {ColumnType::Integer, "integer"}, {ColumnType::Real, "real"}}};
};

struct ColumnSpec
{
    QString name;
    ColumnType type = ColumnType::Categorical;
    QString description;
    QStringList missing; // this column's missing-value tokens; empty: the schema's
    bool actionable = false; // a counterfactual may change it (never a protected attribute)

    bool isNumeric() const { return type != ColumnType::Categorical; }
};

struct ProtectedAttribute
{
    QString column;
    QString reference; // default reference group for disparities
};

// How a dataset's files are written. Readers detect the delimiter when none is declared.
struct CsvFormat
{
    char delimiter = 0; // 0: detected from each file's first line (comma, semicolon, tab, pipe)
    char decimal = '.'; // '.' or ','; with ',' a number is written "1,5" (quoted where commas separate)
    bool header = true; // false: files may lack a header line; their columns are then fileColumns()
};

// A label value's normal form, so "1", "1.0" and "+1" are one value and TRUE is true.
std::string normalLabel(std::string_view text);

// What a dataset looks like: its feature columns, the label, the positive class and the
// protected attributes. Loaded from YAML; nothing in code names a dataset's columns.
class Schema
{
public:
    // Reads and validates a schema YAML file.
    // Throws: SchemaError naming the file, line and key at fault; IoError if unreadable.
    static Schema fromYamlFile(const QString &path);
    static Schema fromYaml(const QByteArray &yaml, const QString &sourceName);

    // The schema as stored inside a model file. fromJson(toJson()) round-trips.
    QJsonObject toJson() const;
    static Schema fromJson(const QJsonObject &json); // throws SchemaError

    QString name() const { return m_name; }
    const std::vector<ColumnSpec> &features() const { return m_features; }
    int featureIndex(const QString &column) const; // -1 when absent
    QString labelColumn() const { return m_labelColumn; }
    // The classes' names in predictions and reports: label.positive_name, else the value (a
    // set of values joined with "|").
    QString positiveLabel() const;
    QString negativeLabel() const;
    const QStringList &positiveValues() const { return m_positiveValues; }
    const QStringList &negativeValues() const { return m_negativeValues; }
    // 1 when `text` is one of the positive values, 0 a negative one, -1 neither. Numbers
    // compare as numbers ("1.0" is 1) and true/false in any case.
    int labelOf(std::string_view text) const;
    // The missing-value tokens of feature `c` (its own, else the schema's), and the schema's.
    const QStringList &missingTokens(std::size_t c) const;
    const QStringList &missingTokens() const { return m_missingTokens; }
    QString missingToken() const { return m_missingTokens.value(0); } // how a missing number is written ("" if none)
    const CsvFormat &format() const { return m_format; }
    void setDelimiter(char delimiter) { m_format.delimiter = delimiter; } // a --delimiter override
    // Every column in file order, the label included: a file without a header line has these.
    const QStringList &fileColumns() const { return m_fileColumns; }
    // How many fields a file without a header line has (for delimiter detection); 0 when the
    // schema's files have a header.
    std::size_t headerlessWidth() const { return m_format.header ? 0 : std::size_t(m_fileColumns.size()); }
    // The header a file lacks: the columns in file order when files may have none and the file's
    // first record `first` does not name them; empty when `first` is the header.
    std::vector<std::string> missingHeader(const std::vector<std::string_view> &first) const;
    const std::vector<ProtectedAttribute> &protectedAttributes() const { return m_protected; }
    bool isProtected(const QString &column) const
    {
        return std::any_of(m_protected.begin(), m_protected.end(),
                           [&](const ProtectedAttribute &a) { return a.column == column; });
    }
    QStringList categoricalColumns() const;

private:
    void validate(const QString &sourceName) const;
    void prepareLabels(); // fills the label lookups below from the value lists

    QString m_name;
    std::vector<ColumnSpec> m_features;
    QString m_labelColumn;
    QStringList m_positiveValues;
    QStringList m_negativeValues;
    QString m_positiveName; // empty: the values
    QString m_negativeName;
    QStringList m_missingTokens{QStringLiteral("?")};
    CsvFormat m_format;
    QStringList m_fileColumns;
    std::vector<ProtectedAttribute> m_protected;
    // Label lookups: the values as bytes, and their normal forms (numbers, true/false).
    std::vector<std::pair<std::string, int>> m_labelTexts;
    std::vector<std::pair<std::string, int>> m_labelNormal;
};

} // namespace Audit
