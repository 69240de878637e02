#include "schema.h"

#include <charconv>
#include <cmath>
#include <set>

#include <yaml-cpp/yaml.h>

#include <QFile>
#include <QJsonArray>

#include "csvtokenizer.h"
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

char parseDelimiter(const YamlReader &reader, const YAML::Node &root)
{
    const YAML::Node node = root["delimiter"];
    if (!node || node.IsNull())
        return 0;
    if (!node.IsScalar())
        reader.fail(node, QStringLiteral("delimiter"), QStringLiteral("expected a text value"));
    const QString text = QString::fromStdString(node.Scalar()); // not trimmed: "\t" is a tab
    if (text == QLatin1String("auto"))
        return 0;
    if (text == QLatin1String("tab") || text == QLatin1String("\t"))
        return '\t';
    if (text == QLatin1String(",") || text == QLatin1String(";") || text == QLatin1String("|"))
        return text.front().toLatin1();
    reader.fail(node, QStringLiteral("delimiter"),
                QStringLiteral("expected one of \",\", \";\", tab, \"|\", auto; found \"%1\"").arg(text));
}

} // namespace

// A label value's normal form: numbers as their shortest text ("1.0" and "1" are "#1"),
// true/false in lower case, anything else as written.
std::string normalLabel(std::string_view text)
{
    double number = 0;
    std::string_view digits = text;
    if (!digits.empty() && digits.front() == '+')
        digits.remove_prefix(1);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (!digits.empty() && ec == std::errc() && ptr == digits.data() + digits.size() && std::isfinite(number)) {
        char buffer[64];
        const auto end = std::to_chars(buffer, buffer + sizeof buffer, number == 0 ? 0.0 : number).ptr;
        return '#' + std::string(buffer, end);
    }
    std::string lower(text);
    for (char &c : lower)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "true" || lower == "false")
        return lower;
    return std::string(text);
}

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
                     QStringLiteral("columns"), QStringLiteral("protected"), QStringLiteral("delimiter"),
                     QStringLiteral("decimal"), QStringLiteral("header")});
    schema.m_name = reader.optionalString(root, QStringLiteral("name"), QStringLiteral("dataset"));
    // "missing: []": no value stands for a missing one (every "?" is data).
    schema.m_missingTokens = reader.stringList(root, QStringLiteral("missing"), {QStringLiteral("?")}, true, true);
    schema.m_format.delimiter = parseDelimiter(reader, root);
    const QString decimal = reader.optionalString(root, QStringLiteral("decimal"), QStringLiteral("."));
    if (decimal != QLatin1String(".") && decimal != QLatin1String(","))
        reader.fail(root["decimal"], QStringLiteral("decimal"),
                    QStringLiteral("expected \".\" or \",\", found \"%1\"").arg(decimal));
    schema.m_format.decimal = decimal.front().toLatin1();
    if (schema.m_format.decimal == ',' && schema.m_format.delimiter == 0)
        reader.fail(root["decimal"], QStringLiteral("decimal"),
                    QStringLiteral("a decimal comma needs the delimiter declared (delimiter: \";\", say)"));
    const QString header = reader.optionalString(root, QStringLiteral("header"), QStringLiteral("true"));
    if (header != QLatin1String("true") && header != QLatin1String("false"))
        reader.fail(root["header"], QStringLiteral("header"), QStringLiteral("expected true or false, found \"%1\"").arg(header));
    schema.m_format.header = header == QLatin1String("true");

    const YAML::Node label = reader.map(root, QStringLiteral("label"));
    reader.onlyKeys(label, QStringLiteral("label"),
                    {QStringLiteral("column"), QStringLiteral("positive"), QStringLiteral("negative"),
                     QStringLiteral("positive_name"), QStringLiteral("negative_name")});
    schema.m_labelColumn = reader.string(label, QStringLiteral("label.column"));
    if (!label["positive"])
        reader.fail(label, QStringLiteral("label.positive"), QStringLiteral("required key is missing"));
    if (!label["negative"])
        reader.fail(label, QStringLiteral("label.negative"), QStringLiteral("required key is missing"));
    schema.m_positiveValues = reader.stringList(label, QStringLiteral("label.positive"), {});
    schema.m_negativeValues = reader.stringList(label, QStringLiteral("label.negative"), {});
    schema.m_positiveName = reader.optionalString(label, QStringLiteral("label.positive_name"), {});
    schema.m_negativeName = reader.optionalString(label, QStringLiteral("label.negative_name"), {});
    schema.prepareLabels();
    for (const QString &value : std::as_const(schema.m_positiveValues)) {
        const std::string bytes = value.toStdString();
        for (const auto &[text, cls] : schema.m_labelNormal) {
            if (cls == 0 && text == normalLabel(bytes))
                reader.fail(
                    label["negative"], QStringLiteral("label.negative"),
                    QStringLiteral("positive and negative are both \"%1\"; the classes must not share a value").arg(value));
        }
    }

    const YAML::Node columns = reader.sequence(root, QStringLiteral("columns"));
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const QString prefix = QStringLiteral("columns[%1]").arg(i);
        const YAML::Node column = columns[i];
        if (!column.IsMap())
            reader.fail(column, prefix, QStringLiteral("expected a mapping with name and type"));
        reader.onlyKeys(column, prefix,
                        {QStringLiteral("name"), QStringLiteral("type"), QStringLiteral("description"), QStringLiteral("missing"),
                         QStringLiteral("actionable")});
        ColumnSpec spec;
        spec.name = reader.string(column, prefix + QStringLiteral(".name"));
        if (schema.m_fileColumns.contains(spec.name))
            reader.fail(column, prefix + QStringLiteral(".name"), QStringLiteral("\"%1\" is declared twice").arg(spec.name));
        schema.m_fileColumns << spec.name;
        if (spec.name == schema.m_labelColumn)
            continue; // the label may be listed among the columns (in file order); it is not a feature
        spec.type = parseType(reader, column, prefix + QStringLiteral(".type"));
        spec.description = reader.optionalString(column, prefix + QStringLiteral(".description"), {});
        spec.missing = reader.stringList(column, prefix + QStringLiteral(".missing"), {}, true);
        const QString actionable = reader.optionalString(column, prefix + QStringLiteral(".actionable"), QStringLiteral("false"));
        if (actionable != QLatin1String("true") && actionable != QLatin1String("false"))
            reader.fail(column["actionable"], prefix + QStringLiteral(".actionable"),
                        QStringLiteral("expected true or false, found \"%1\"").arg(actionable));
        spec.actionable = actionable == QLatin1String("true");
        schema.m_features.push_back(spec);
    }
    if (!schema.m_format.header && !schema.m_fileColumns.contains(schema.m_labelColumn))
        reader.fail(columns, QStringLiteral("columns"),
                    QStringLiteral("with header: false the columns are read in the order listed here, so the label "
                                   "column \"%1\" must be listed too, at its place in the file")
                        .arg(schema.m_labelColumn));

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
            if (schema.m_features[std::size_t(schema.featureIndex(attribute.column))].actionable)
                reader.fail(prot[i], prefix + QStringLiteral(".column"),
                            QStringLiteral("\"%1\" is protected, so it cannot be actionable: a counterfactual never "
                                           "changes a protected attribute. Fix: drop its actionable: true")
                                .arg(attribute.column));
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
    if (m_positiveValues.isEmpty() || m_negativeValues.isEmpty())
        throw SchemaError(QStringLiteral("%1: label: both a positive and a negative value are needed").arg(sourceName));
    for (const QString &value : m_positiveValues) {
        if (m_negativeValues.contains(value))
            throw SchemaError(
                QStringLiteral("%1: label: positive and negative are both \"%2\"; they must differ").arg(sourceName, value));
    }
}

void Schema::prepareLabels()
{
    m_labelTexts.clear();
    m_labelNormal.clear();
    for (int cls = 0; cls < 2; ++cls) {
        for (const QString &value : cls ? m_positiveValues : m_negativeValues) {
            const std::string bytes = value.toStdString();
            m_labelTexts.emplace_back(bytes, cls);
            m_labelNormal.emplace_back(normalLabel(bytes), cls);
        }
    }
}

int Schema::labelOf(std::string_view text) const
{
    for (const auto &[value, cls] : m_labelTexts) {
        if (value == text)
            return cls;
    }
    const std::string normal = normalLabel(text);
    for (const auto &[value, cls] : m_labelNormal) {
        if (value == normal)
            return cls;
    }
    return -1;
}

QString Schema::positiveLabel() const
{
    return m_positiveName.isEmpty() ? m_positiveValues.join(QLatin1Char('|')) : m_positiveName;
}

QString Schema::negativeLabel() const
{
    return m_negativeName.isEmpty() ? m_negativeValues.join(QLatin1Char('|')) : m_negativeName;
}

const QStringList &Schema::missingTokens(std::size_t c) const
{
    return c < m_features.size() && !m_features[c].missing.isEmpty() ? m_features[c].missing : m_missingTokens;
}

std::vector<std::string> Schema::missingHeader(const std::vector<std::string_view> &first) const
{
    std::vector<std::string> names;
    if (!m_format.header && !namesAll(first, m_fileColumns)) {
        for (const QString &name : m_fileColumns)
            names.push_back(name.toStdString());
    }
    return names;
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

namespace {

// One value as a string, several as an array: a single-valued schema keeps the JSON it always had.
QJsonValue listValue(const QStringList &values)
{
    return values.size() == 1 ? QJsonValue(values.front()) : QJsonValue(QJsonArray::fromStringList(values));
}

QStringList listFrom(const QJsonValue &value)
{
    if (value.isArray()) {
        QStringList values;
        for (const QJsonValue &item : value.toArray())
            values << item.toString();
        return values;
    }
    return value.isString() ? QStringList{value.toString()} : QStringList();
}

} // namespace

QJsonObject Schema::toJson() const
{
    QJsonArray columns;
    for (const ColumnSpec &spec : m_features) {
        QJsonObject column{{QStringLiteral("name"), spec.name}, {QStringLiteral("type"), enumName(spec.type)}};
        if (!spec.description.isEmpty())
            column.insert(QStringLiteral("description"), spec.description);
        if (!spec.missing.isEmpty())
            column.insert(QStringLiteral("missing"), QJsonArray::fromStringList(spec.missing));
        if (spec.actionable)
            column.insert(QStringLiteral("actionable"), true);
        columns.append(column);
    }
    QJsonArray prot;
    for (const ProtectedAttribute &attribute : m_protected)
        prot.append(
            QJsonObject{{QStringLiteral("column"), attribute.column}, {QStringLiteral("reference"), attribute.reference}});
    QJsonObject label{{QStringLiteral("column"), m_labelColumn},
                      {QStringLiteral("positive"), listValue(m_positiveValues)},
                      {QStringLiteral("negative"), listValue(m_negativeValues)}};
    if (!m_positiveName.isEmpty())
        label.insert(QStringLiteral("positive_name"), m_positiveName);
    if (!m_negativeName.isEmpty())
        label.insert(QStringLiteral("negative_name"), m_negativeName);
    QJsonObject json{
        {QStringLiteral("name"), m_name},     {QStringLiteral("missing"), listValue(m_missingTokens)},
        {QStringLiteral("columns"), columns}, {QStringLiteral("label"), label},
        {QStringLiteral("protected"), prot},
    };
    // The file format only where it differs from the default (older models have none).
    if (m_format.delimiter)
        json.insert(QStringLiteral("delimiter"), QString(QLatin1Char(m_format.delimiter)));
    if (m_format.decimal != '.')
        json.insert(QStringLiteral("decimal"), QString(QLatin1Char(m_format.decimal)));
    if (!m_format.header) {
        json.insert(QStringLiteral("header"), false);
        json.insert(QStringLiteral("file_columns"), QJsonArray::fromStringList(m_fileColumns));
    }
    return json;
}

Schema Schema::fromJson(const QJsonObject &json)
{
    Schema schema;
    schema.m_name = json.value(QStringLiteral("name")).toString();
    schema.m_missingTokens = json.contains(QStringLiteral("missing")) ? listFrom(json.value(QStringLiteral("missing")))
                                                                      : QStringList{QStringLiteral("?")};
    const QJsonObject label = json.value(QStringLiteral("label")).toObject();
    schema.m_labelColumn = label.value(QStringLiteral("column")).toString();
    schema.m_positiveValues = listFrom(label.value(QStringLiteral("positive")));
    schema.m_negativeValues = listFrom(label.value(QStringLiteral("negative")));
    schema.m_positiveName = label.value(QStringLiteral("positive_name")).toString();
    schema.m_negativeName = label.value(QStringLiteral("negative_name")).toString();
    schema.prepareLabels();
    for (const QJsonValue &value : json.value(QStringLiteral("columns")).toArray()) {
        const QJsonObject column = value.toObject();
        schema.m_features.push_back(
            {column.value(QStringLiteral("name")).toString(),
             enumFromName<ColumnType>(column.value(QStringLiteral("type")).toString()).value_or(ColumnType::Categorical),
             column.value(QStringLiteral("description")).toString(), listFrom(column.value(QStringLiteral("missing"))),
             column.value(QStringLiteral("actionable")).toBool()});
    }
    for (const QJsonValue &value : json.value(QStringLiteral("protected")).toArray()) {
        const QJsonObject attribute = value.toObject();
        schema.m_protected.push_back(
            {attribute.value(QStringLiteral("column")).toString(), attribute.value(QStringLiteral("reference")).toString()});
    }
    const QString delimiter = json.value(QStringLiteral("delimiter")).toString();
    if (delimiter.size() == 1 && QStringLiteral(",;|\t").contains(delimiter))
        schema.m_format.delimiter = delimiter.front().toLatin1();
    if (json.value(QStringLiteral("decimal")).toString() == QLatin1String(","))
        schema.m_format.decimal = ',';
    schema.m_format.header = json.value(QStringLiteral("header")).toBool(true);
    schema.m_fileColumns = listFrom(json.value(QStringLiteral("file_columns")));
    if (!schema.m_format.header && !schema.m_fileColumns.contains(schema.m_labelColumn))
        throw SchemaError(QStringLiteral("schema stored in model: header is false but file_columns lacks the label"));
    schema.validate(QStringLiteral("schema stored in model"));
    return schema;
}

} // namespace Audit
