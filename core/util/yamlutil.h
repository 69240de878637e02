#pragma once

#include <yaml-cpp/yaml.h>

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace Audit {

// Reads values out of a YAML document and turns every problem into a SchemaError that
// names the file, the 1-based line and the dotted key path ("model.mlp.epochs").
// A `path` argument names the key to read: its last dotted segment is looked up in `parent`.
class YamlReader
{
public:
    static constexpr qint64 kMaxFileBytes = 16 << 20; // settings and schemas are far smaller

    explicit YamlReader(QString sourceName)
        : m_source(std::move(sourceName))
    {}

    // Reads a whole file of at most kMaxFileBytes. Throws IoError naming `what` ("schema",
    // "params") when unreadable; SchemaError when bigger (refused before reading).
    static QByteArray readFile(const QString &path, const QString &what);

    YAML::Node parse(const QByteArray &yaml) const; // root must be a mapping

    // `yaml` with the scalar at `path` ("model.threshold") set to `value`, every other byte
    // kept (comments, order, spacing), so a program can change one setting of a file people
    // write. The mappings on the way must exist in block style; a missing last key is added
    // as the first entry of its mapping. The result is parsed back and checked.
    // Throws: SchemaError naming the line and key: a missing or flow-style mapping, a key
    // that holds a list or mapping.
    QByteArray withScalar(const QByteArray &yaml, const QString &path, const QString &value) const;

    QString string(const YAML::Node &parent, const QString &path) const;
    QString optionalString(const YAML::Node &parent, const QString &path, const QString &fallback) const;
    // A text value or a list of them ("positive: 1" or "positive: [1, 2]"). Absent: `fallback`.
    // Items may be empty text only with allowEmptyItems (a missing-value token "" is one).
    // allowEmptyList: "[]" is an empty list rather than an error.
    QStringList stringList(const YAML::Node &parent, const QString &path, const QStringList &fallback,
                           bool allowEmptyItems = false, bool allowEmptyList = false) const;
    double number(const YAML::Node &parent, const QString &path, double fallback, double min, double max) const;
    int integer(const YAML::Node &parent, const QString &path, int fallback, int min, int max) const;
    YAML::Node map(const YAML::Node &parent, const QString &path) const; // required mapping
    YAML::Node sequence(const YAML::Node &parent, const QString &path) const; // required list

    [[noreturn]] void fail(const YAML::Node &node, const QString &path, const QString &problem) const;
    // Refuses a key of the mapping at `path` that is not one of `allowed` ("thresold: unknown
    // key; did you mean threshold?") or that is given twice, naming its line.
    void onlyKeys(const YAML::Node &map, const QString &path, const QStringList &allowed) const;

    static QString lastKey(const QString &path);

private:
    YAML::Node child(const YAML::Node &parent, const QString &path) const;

    QString m_source;
};

} // namespace Audit
