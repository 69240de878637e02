#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace Audit {

// Checks a JSON value against a JSON Schema (draft-07), as `jsonschema.validate` does without a
// format checker. The keywords the vendored schemas use are understood: type, properties,
// additionalProperties, items, required, enum, const, oneOf, anyOf, allOf, not, and local $ref
// ("#/definitions/x", any "#/..." pointer). Others (format, description, ...) are annotations
// and ignored.
class JsonSchema
{
public:
    // `schema` is the whole schema document; `subject` names what it describes in messages
    // ("Model Card Toolkit" gives "x: not a Model Card Toolkit field").
    JsonSchema(QJsonObject schema, QString subject);

    // Throws: SchemaError "<source>: <path>: <problem>" for the first violation, with the path
    //         written as members and indices ("model_details.owners[0].name"). A $ref that
    //         does not resolve, or one that loops, is reported the same way.
    void validate(const QJsonValue &value, const QString &source) const;

private:
    QJsonObject m_root;
    QString m_subject;
};

} // namespace Audit
