#include "jsonschema.h"

#include <optional>

#include <QJsonArray>
#include <QStringList>

#include "schemaerror.h"

namespace Audit {

namespace {

constexpr int kMaxDepth = 64; // $ref chains and nesting deeper than this are refused, not followed

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("a list");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    default:
        return QStringLiteral("nothing");
    }
}

QString wantedName(const QString &type)
{
    if (type == QLatin1String("object"))
        return QStringLiteral("an object");
    if (type == QLatin1String("array"))
        return QStringLiteral("a list");
    if (type == QLatin1String("integer"))
        return QStringLiteral("a whole number");
    if (type == QLatin1String("null"))
        return QStringLiteral("null");
    return QStringLiteral("a ") + type;
}

bool hasType(const QJsonValue &v, const QString &type)
{
    if (type == QLatin1String("string"))
        return v.isString();
    if (type == QLatin1String("number"))
        return v.isDouble();
    if (type == QLatin1String("integer"))
        return v.isDouble() && v.toDouble() == double(qint64(v.toDouble()));
    if (type == QLatin1String("boolean"))
        return v.isBool();
    if (type == QLatin1String("object"))
        return v.isObject();
    if (type == QLatin1String("array"))
        return v.isArray();
    if (type == QLatin1String("null"))
        return v.isNull();
    return false;
}

QString child(const QString &path, const QString &member)
{
    return path.isEmpty() ? member : path + QLatin1Char('.') + member;
}

class Checker
{
public:
    Checker(const QJsonObject &root, const QString &subject)
        : m_root(root)
        , m_subject(subject)
    {}

    // The first problem, as "<path>: <problem>", or nothing when `value` fits `schema`.
    std::optional<QString> check(const QJsonValue &value, const QJsonValue &schemaValue, const QString &path, int depth) const
    {
        const QString where = path.isEmpty() ? QStringLiteral("(top level)") : path;
        if (depth > kMaxDepth)
            return where + QStringLiteral(": the schema nests deeper than %1 levels (a $ref loop?)").arg(kMaxDepth);
        if (schemaValue.isBool())
            return schemaValue.toBool() ? std::nullopt : std::optional<QString>(where + QStringLiteral(": not allowed"));
        const QJsonObject schema = schemaValue.toObject();
        if (schema.contains(QLatin1String("$ref"))) { // draft-07: $ref replaces its siblings
            const QString ref = schema.value(QLatin1String("$ref")).toString();
            const std::optional<QJsonValue> target = resolve(ref);
            if (!target)
                return where + QStringLiteral(": the schema's reference \"%1\" does not resolve within the schema").arg(ref);
            return check(value, *target, path, depth + 1);
        }

        if (const QJsonValue type = schema.value(QLatin1String("type")); !type.isUndefined()) {
            QStringList types;
            if (type.isArray()) {
                for (const QJsonValue &t : type.toArray())
                    types << t.toString();
            } else {
                types << type.toString();
            }
            bool fits = false;
            QStringList wanted;
            for (const QString &t : std::as_const(types)) {
                fits = fits || hasType(value, t);
                wanted << wantedName(t);
            }
            if (!fits)
                return where
                    + QStringLiteral(": expected %1, found %2").arg(wanted.join(QStringLiteral(" or ")), typeName(value));
        }
        if (const QJsonValue allowed = schema.value(QLatin1String("enum"));
            allowed.isArray() && !allowed.toArray().contains(value))
            return where + QStringLiteral(": not one of the allowed values");
        if (schema.contains(QLatin1String("const")) && schema.value(QLatin1String("const")) != value)
            return where + QStringLiteral(": not the one allowed value");

        if (value.isObject()) {
            const QJsonObject object = value.toObject();
            for (const QJsonValue &name : schema.value(QLatin1String("required")).toArray()) {
                if (!object.contains(name.toString()))
                    return child(path, name.toString()) + QStringLiteral(": required, and missing");
            }
            const QJsonObject properties = schema.value(QLatin1String("properties")).toObject();
            const QJsonValue additional = schema.value(QLatin1String("additionalProperties"));
            for (auto it = object.begin(); it != object.end(); ++it) {
                const QString member = child(path, it.key());
                if (properties.contains(it.key())) {
                    if (auto problem = check(it.value(), properties.value(it.key()), member, depth + 1))
                        return problem;
                } else if (additional.isBool() && !additional.toBool()) {
                    return member + QStringLiteral(": not a %1 field").arg(m_subject);
                } else if (additional.isObject()) {
                    if (auto problem = check(it.value(), additional, member, depth + 1))
                        return problem;
                }
            }
        }
        if (value.isArray() && schema.value(QLatin1String("items")).isObject()) {
            const QJsonArray list = value.toArray();
            for (qsizetype i = 0; i < list.size(); ++i) {
                if (auto problem = check(list[i], schema.value(QLatin1String("items")), QStringLiteral("%1[%2]").arg(path).arg(i),
                                         depth + 1))
                    return problem;
            }
        }

        for (const QJsonValue &sub : schema.value(QLatin1String("allOf")).toArray()) {
            if (auto problem = check(value, sub, path, depth + 1))
                return problem;
        }
        if (const QJsonArray anyOf = schema.value(QLatin1String("anyOf")).toArray(); !anyOf.isEmpty()) {
            std::optional<QString> first;
            bool any = false;
            for (const QJsonValue &sub : anyOf) {
                auto problem = check(value, sub, path, depth + 1);
                any = any || !problem;
                if (problem && !first)
                    first = problem;
            }
            if (!any)
                return where
                    + QStringLiteral(": fits none of the %1 allowed forms (the first: %2)").arg(anyOf.size()).arg(*first);
        }
        if (const QJsonArray oneOf = schema.value(QLatin1String("oneOf")).toArray(); !oneOf.isEmpty()) {
            QStringList problems;
            int fitting = 0;
            for (const QJsonValue &sub : oneOf) {
                if (auto problem = check(value, sub, path, depth + 1))
                    problems << *problem;
                else
                    ++fitting;
            }
            if (fitting == 0)
                return where
                    + QStringLiteral(": must fit exactly one of %1 forms, fits none (%2)")
                          .arg(oneOf.size())
                          .arg(problems.join(QStringLiteral("; ")));
            if (fitting > 1)
                return where + QStringLiteral(": must fit exactly one of %1 forms, fits %2").arg(oneOf.size()).arg(fitting);
        }
        if (schema.contains(QLatin1String("not")) && !check(value, schema.value(QLatin1String("not")), path, depth + 1))
            return where + QStringLiteral(": matches a form the schema forbids");
        return std::nullopt;
    }

private:
    // A local JSON pointer ("#/definitions/owner"); nothing for any other reference.
    std::optional<QJsonValue> resolve(const QString &ref) const
    {
        if (!ref.startsWith(QLatin1String("#")))
            return std::nullopt;
        QJsonValue node = m_root;
        for (QString token : ref.mid(1).split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
            token.replace(QLatin1String("~1"), QLatin1String("/")).replace(QLatin1String("~0"), QLatin1String("~"));
            node = node.toObject().value(token);
            if (node.isUndefined())
                return std::nullopt;
        }
        return node;
    }

    const QJsonObject &m_root;
    const QString &m_subject;
};

} // namespace

JsonSchema::JsonSchema(QJsonObject schema, QString subject)
    : m_root(std::move(schema))
    , m_subject(std::move(subject))
{}

void JsonSchema::validate(const QJsonValue &value, const QString &source) const
{
    if (const auto problem = Checker(m_root, m_subject).check(value, m_root, {}, 0))
        throw SchemaError(QStringLiteral("%1: %2").arg(source, *problem));
}

} // namespace Audit
