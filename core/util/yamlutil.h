#pragma once

#include <yaml-cpp/yaml.h>

#include <QByteArray>
#include <QString>

namespace Audit {

// Reads values out of a YAML document and turns every problem into a SchemaError that
// names the file, the 1-based line and the dotted key path ("model.mlp.epochs").
// A `path` argument names the key to read: its last dotted segment is looked up in `parent`.
class YamlReader
{
public:
    explicit YamlReader(QString sourceName)
        : m_source(std::move(sourceName))
    {}

    // Reads a whole file. Throws IoError naming `what` ("schema", "params") when unreadable.
    static QByteArray readFile(const QString &path, const QString &what);

    YAML::Node parse(const QByteArray &yaml) const; // root must be a mapping

    QString string(const YAML::Node &parent, const QString &path) const;
    QString optionalString(const YAML::Node &parent, const QString &path, const QString &fallback) const;
    double number(const YAML::Node &parent, const QString &path, double fallback, double min, double max) const;
    int integer(const YAML::Node &parent, const QString &path, int fallback, int min, int max) const;
    YAML::Node map(const YAML::Node &parent, const QString &path) const; // required mapping
    YAML::Node sequence(const YAML::Node &parent, const QString &path) const; // required list

    [[noreturn]] void fail(const YAML::Node &node, const QString &path, const QString &problem) const;

    static QString lastKey(const QString &path);

private:
    YAML::Node child(const YAML::Node &parent, const QString &path) const;

    QString m_source;
};

} // namespace Audit
