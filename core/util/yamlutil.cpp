#include "yamlutil.h"

#include <cmath>

#include <QFile>

#include "schemaerror.h"

namespace Audit {

QByteArray YamlReader::readFile(const QString &path, const QString &what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw IoError(QStringLiteral("%1: cannot open %2 file: %3").arg(path, what, file.errorString()));
    return file.readAll();
}

YAML::Node YamlReader::parse(const QByteArray &yaml) const
{
    YAML::Node root;
    try {
        root = YAML::Load(yaml.toStdString());
    } catch (const YAML::Exception &e) {
        throw SchemaError(
            QStringLiteral("%1:%2: not valid YAML: %3").arg(m_source).arg(e.mark.line + 1).arg(QString::fromStdString(e.msg)));
    }
    if (!root.IsMap())
        throw SchemaError(QStringLiteral("%1: expected a YAML mapping at the top level").arg(m_source));
    return root;
}

QString YamlReader::lastKey(const QString &path)
{
    return path.section(QLatin1Char('.'), -1);
}

void YamlReader::fail(const YAML::Node &node, const QString &path, const QString &problem) const
{
    const YAML::Mark mark = node.Mark();
    const QString where = mark.line >= 0 ? QStringLiteral("%1:%2").arg(m_source).arg(mark.line + 1) : m_source;
    throw SchemaError(QStringLiteral("%1: %2: %3").arg(where, path, problem));
}

YAML::Node YamlReader::child(const YAML::Node &parent, const QString &path) const
{
    if (!parent.IsMap())
        fail(parent, path, QStringLiteral("expected a mapping around this key"));
    return parent[lastKey(path).toStdString()];
}

QString YamlReader::string(const YAML::Node &parent, const QString &path) const
{
    const YAML::Node node = child(parent, path);
    if (!node)
        fail(parent, path, QStringLiteral("required key is missing"));
    if (!node.IsScalar())
        fail(node, path, QStringLiteral("expected a text value"));
    const QString value = QString::fromStdString(node.Scalar()).trimmed();
    if (value.isEmpty())
        fail(node, path, QStringLiteral("must not be empty"));
    return value;
}

QString YamlReader::optionalString(const YAML::Node &parent, const QString &path, const QString &fallback) const
{
    const YAML::Node node = child(parent, path);
    if (!node || node.IsNull())
        return fallback;
    if (!node.IsScalar())
        fail(node, path, QStringLiteral("expected a text value"));
    return QString::fromStdString(node.Scalar()).trimmed();
}

double YamlReader::number(const YAML::Node &parent, const QString &path, double fallback, double min, double max) const
{
    const YAML::Node node = child(parent, path);
    if (!node || node.IsNull())
        return fallback;
    const QString text = node.IsScalar() ? QString::fromStdString(node.Scalar()) : QString();
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !std::isfinite(value))
        fail(node, path, QStringLiteral("expected a number, found \"%1\"").arg(text));
    if (value < min || value > max)
        fail(node, path, QStringLiteral("%1 is out of range [%2, %3]").arg(text).arg(min).arg(max));
    return value;
}

int YamlReader::integer(const YAML::Node &parent, const QString &path, int fallback, int min, int max) const
{
    const YAML::Node node = child(parent, path);
    if (!node || node.IsNull())
        return fallback;
    const QString text = node.IsScalar() ? QString::fromStdString(node.Scalar()) : QString();
    bool ok = false;
    const int value = text.toInt(&ok);
    if (!ok)
        fail(node, path, QStringLiteral("expected a whole number, found \"%1\"").arg(text));
    if (value < min || value > max)
        fail(node, path, QStringLiteral("%1 is out of range [%2, %3]").arg(value).arg(min).arg(max));
    return value;
}

YAML::Node YamlReader::map(const YAML::Node &parent, const QString &path) const
{
    const YAML::Node node = child(parent, path);
    if (!node)
        fail(parent, path, QStringLiteral("required section is missing"));
    if (!node.IsMap())
        fail(node, path, QStringLiteral("expected a mapping"));
    return node;
}

YAML::Node YamlReader::sequence(const YAML::Node &parent, const QString &path) const
{
    const YAML::Node node = child(parent, path);
    if (!node)
        fail(parent, path, QStringLiteral("required list is missing"));
    if (!node.IsSequence())
        fail(node, path, QStringLiteral("expected a list"));
    return node;
}

} // namespace Audit
