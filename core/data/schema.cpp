#include "schema.h"

#include <set>

#include <yaml-cpp/yaml.h>

#include <QFile>
#include <QJsonArray>

#include "schemaerror.h"
#include "yamlutil.h"

namespace Audit {

namespace {

ColumnType parseType(const YamlReader &reader, const YAML::Node &node, const QString &key)
{
    const QString text = reader.string(node, key);
    if (text == QLatin1String("categorical"))
        return ColumnType::Categorical;
    if (text == QLatin1String("integer"))
        return ColumnType::Integer;
    if (text == QLatin1String("real") || text == QLatin1String("numeric"))
        return ColumnType::Real;
    reader.fail(node, key, QStringLiteral("expected one of categorical, integer, real; found \"%1\"").arg(text));
}

} // namespace

Schema Schema::fromYamlFile(const QString &path)
{
    return fromYaml(YamlReader::readFile(path, QStringLiteral("schema")), path);
}

Schema Schema::fromYaml(const QByteArray &yaml, const QString &sourceName)
{
    const YamlReader reader(sourceName);
    const YAML::Node root = reader.parse(yaml);

    Schema schema;
    // A misspelt key is refused with the closest known one, never silently ignored.
    reader.onlyKeys(root, QString(),
                    {QStringLiteral("name"), QStringLiteral("description"), QStringLiteral("missing"), QStringLiteral("label"),
                     QStringLiteral("columns"), QStringLiteral("protected")});
    schema.m_name = reader.optionalString(root, QStringLiteral("name"), QStringLiteral("dataset"));
    schema.m_missingToken = reader.optionalString(root, QStringLiteral("missing"), QStringLiteral("?"));

    const YAML::Node label = reader.map(root, QStringLiteral("label"));
    reader.onlyKeys(label, QStringLiteral("label"),
                    {QStringLiteral("column"), QStringLiteral("positive"), QStringLiteral("negative")});
    schema.m_labelColumn = reader.string(label, QStringLiteral("label.column"));
    schema.m_positiveLabel = reader.string(label, QStringLiteral("label.positive"));
    schema.m_negativeLabel = reader.string(label, QStringLiteral("label.negative"));

    const YAML::Node columns = reader.sequence(root, QStringLiteral("columns"));
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const QString prefix = QStringLiteral("columns[%1]").arg(i);
        const YAML::Node column = columns[i];
        if (!column.IsMap())
            reader.fail(column, prefix, QStringLiteral("expected a mapping with name and type"));
        reader.onlyKeys(column, prefix, {QStringLiteral("name"), QStringLiteral("type"), QStringLiteral("description")});
        ColumnSpec spec;
        spec.name = reader.string(column, prefix + QStringLiteral(".name"));
        spec.type = parseType(reader, column, prefix + QStringLiteral(".type"));
        spec.description = reader.optionalString(column, prefix + QStringLiteral(".description"), {});
        if (spec.name == schema.m_labelColumn)
            continue; // the label may be listed among the columns; it is not a feature
        schema.m_features.push_back(spec);
    }

    if (const YAML::Node prot = root["protected"]; prot) {
        if (!prot.IsSequence())
            reader.fail(prot, QStringLiteral("protected"), QStringLiteral("expected a list"));
        for (std::size_t i = 0; i < prot.size(); ++i) {
            const QString prefix = QStringLiteral("protected[%1]").arg(i);
            ProtectedAttribute attribute;
            reader.onlyKeys(prot[i], prefix, {QStringLiteral("column"), QStringLiteral("reference")});
            attribute.column = reader.string(prot[i], prefix + QStringLiteral(".column"));
            attribute.reference = reader.optionalString(prot[i], prefix + QStringLiteral(".reference"), {});
            if (schema.featureIndex(attribute.column) < 0)
                reader.fail(prot[i], prefix + QStringLiteral(".column"),
                            QStringLiteral("\"%1\" is not one of the columns").arg(attribute.column));
            schema.m_protected.push_back(attribute);
        }
    }

    schema.validate(sourceName);
    return schema;
}

void Schema::validate(const QString &sourceName) const
{
    if (m_features.empty())
        throw SchemaError(QStringLiteral("%1: columns: no feature columns are declared").arg(sourceName));
    std::set<QString> seen;
    for (const ColumnSpec &spec : m_features) {
        if (!seen.insert(spec.name).second)
            throw SchemaError(QStringLiteral("%1: columns: \"%2\" is declared twice").arg(sourceName, spec.name));
    }
    if (m_positiveLabel == m_negativeLabel)
        throw SchemaError(QStringLiteral("%1: label: positive and negative are both \"%2\"; they must differ")
                              .arg(sourceName, m_positiveLabel));
}

int Schema::featureIndex(const QString &column) const
{
    for (std::size_t i = 0; i < m_features.size(); ++i) {
        if (m_features[i].name == column)
            return int(i);
    }
    return -1;
}

QStringList Schema::categoricalColumns() const
{
    QStringList names;
    for (const ColumnSpec &spec : m_features) {
        if (!spec.isNumeric())
            names << spec.name;
    }
    return names;
}

QJsonObject Schema::toJson() const
{
    QJsonArray columns;
    for (const ColumnSpec &spec : m_features) {
        QJsonObject column{{QStringLiteral("name"), spec.name}, {QStringLiteral("type"), enumName(spec.type)}};
        if (!spec.description.isEmpty())
            column.insert(QStringLiteral("description"), spec.description);
        columns.append(column);
    }
    QJsonArray prot;
    for (const ProtectedAttribute &attribute : m_protected)
        prot.append(
            QJsonObject{{QStringLiteral("column"), attribute.column}, {QStringLiteral("reference"), attribute.reference}});
    return QJsonObject{
        {QStringLiteral("name"), m_name},
        {QStringLiteral("missing"), m_missingToken},
        {QStringLiteral("columns"), columns},
        {QStringLiteral("label"),
         QJsonObject{{QStringLiteral("column"), m_labelColumn},
                     {QStringLiteral("positive"), m_positiveLabel},
                     {QStringLiteral("negative"), m_negativeLabel}}},
        {QStringLiteral("protected"), prot},
    };
}

Schema Schema::fromJson(const QJsonObject &json)
{
    Schema schema;
    schema.m_name = json.value(QStringLiteral("name")).toString();
    schema.m_missingToken = json.value(QStringLiteral("missing")).toString(QStringLiteral("?"));
    const QJsonObject label = json.value(QStringLiteral("label")).toObject();
    schema.m_labelColumn = label.value(QStringLiteral("column")).toString();
    schema.m_positiveLabel = label.value(QStringLiteral("positive")).toString();
    schema.m_negativeLabel = label.value(QStringLiteral("negative")).toString();
    for (const QJsonValue &value : json.value(QStringLiteral("columns")).toArray()) {
        const QJsonObject column = value.toObject();
        schema.m_features.push_back(
            {column.value(QStringLiteral("name")).toString(),
             enumFromName<ColumnType>(column.value(QStringLiteral("type")).toString()).value_or(ColumnType::Categorical),
             column.value(QStringLiteral("description")).toString()});
    }
    for (const QJsonValue &value : json.value(QStringLiteral("protected")).toArray()) {
        const QJsonObject attribute = value.toObject();
        schema.m_protected.push_back(
            {attribute.value(QStringLiteral("column")).toString(), attribute.value(QStringLiteral("reference")).toString()});
    }
    schema.validate(QStringLiteral("schema stored in model"));
    return schema;
}

} // namespace Audit
