#pragma once

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

    bool isNumeric() const { return type != ColumnType::Categorical; }
};

struct ProtectedAttribute
{
    QString column;
    QString reference; // default reference group for disparities
};

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
    QString positiveLabel() const { return m_positiveLabel; }
    QString negativeLabel() const { return m_negativeLabel; }
    QString missingToken() const { return m_missingToken; }
    const std::vector<ProtectedAttribute> &protectedAttributes() const { return m_protected; }
    QStringList categoricalColumns() const;

private:
    void validate(const QString &sourceName) const;

    QString m_name;
    std::vector<ColumnSpec> m_features;
    QString m_labelColumn;
    QString m_positiveLabel;
    QString m_negativeLabel;
    QString m_missingToken = QStringLiteral("?");
    std::vector<ProtectedAttribute> m_protected;
};

} // namespace Audit
