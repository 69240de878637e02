#include "yamlutil.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <QFile>
#include <QFileInfo>

#include "fileio.h"
#include "schemaerror.h"

namespace Audit {

QByteArray YamlReader::readFile(const QString &path, const QString &what)
{
    if (!QFileInfo::exists(path)) // bad input (exit 2), not an I/O failure
        throw SchemaError(QStringLiteral("%1: no such %2 file. Fix: check the path.").arg(path, what));
    checkInputFile(path, what, std::numeric_limits<qint64>::max()); // no device, FIFO or folder; the size below
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw IoError(QStringLiteral("%1: cannot open %2 file: %3").arg(path, what, file.errorString()));
    if (file.size() > kMaxFileBytes)
        throw SchemaError(QStringLiteral("%1: %2 bytes is too big for a %3 file (at most %4 MiB); not read")
                              .arg(path)
                              .arg(file.size())
                              .arg(what)
                              .arg(kMaxFileBytes >> 20));
    const QByteArray bytes = file.read(kMaxFileBytes + 1);
    if (bytes.size() > kMaxFileBytes)
        throw SchemaError(QStringLiteral("%1: grew past %2 MiB while being read").arg(path).arg(kMaxFileBytes >> 20));
    return bytes;
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

namespace {

// Byte offset of (line, column), both 0-based as yaml-cpp marks them; -1 when out of range.
qsizetype offsetOf(const QByteArray &text, int line, int column)
{
    qsizetype at = 0;
    for (int l = 0; l < line; ++l) {
        at = text.indexOf('\n', at);
        if (at < 0)
            return -1;
        ++at;
    }
    const qsizetype end = text.indexOf('\n', at) < 0 ? text.size() : text.indexOf('\n', at);
    // The column counts characters; step over UTF-8 continuation bytes.
    for (int c = 0; c < column && at < end; ++c) {
        ++at;
        while (at < end && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80)
            ++at;
    }
    return at;
}

// Length of the scalar written at `at`: a quoted one to its closing quote, a plain one to
// a comment (" #") or the end of the line, trailing spaces excluded.
qsizetype scalarLength(const QByteArray &text, qsizetype at)
{
    const qsizetype eol = text.indexOf('\n', at) < 0 ? text.size() : text.indexOf('\n', at);
    if (at < eol && (text[at] == '"' || text[at] == '\'')) {
        const char quote = text[at];
        for (qsizetype i = at + 1; i < eol; ++i) {
            if (quote == '"' && text[i] == '\\') {
                ++i;
            } else if (text[i] == quote) {
                if (quote == '\'' && i + 1 < eol && text[i + 1] == '\'') {
                    ++i;
                    continue;
                }
                return i + 1 - at;
            }
        }
        return -1; // a quoted scalar over several lines: not edited in place
    }
    qsizetype end = eol;
    const qsizetype comment = text.indexOf(" #", at);
    if (comment >= 0 && comment < eol)
        end = comment;
    while (end > at && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r'))
        --end;
    return end - at;
}

} // namespace

QByteArray YamlReader::withScalar(const QByteArray &yaml, const QString &path, const QString &value) const
{
    const QStringList keys = path.split(QLatin1Char('.'));
    YAML::Node node = parse(yaml);
    QString walked;
    for (qsizetype k = 0; k + 1 < keys.size(); ++k) {
        walked = walked.isEmpty() ? keys[k] : walked + QLatin1Char('.') + keys[k];
        const YAML::Node next = node[keys[k].toStdString()];
        if (!next || !next.IsMap())
            fail(next ? next : node, walked, QStringLiteral("expected a mapping to hold \"%1\"").arg(path));
        if (next.Style() == YAML::EmitterStyle::Flow)
            fail(next, walked,
                 QStringLiteral("written in flow style ({...}); write it as indented lines to set \"%1\"").arg(path));
        node = next;
    }
    const std::string last = keys.back().toStdString();
    QByteArray out = yaml;
    const QByteArray bytes = value.toUtf8();
    if (const YAML::Node target = node[last]) {
        if (!target.IsScalar() && !target.IsNull())
            fail(target, path, QStringLiteral("holds a list or mapping, not a single value"));
        const qsizetype at = offsetOf(yaml, target.Mark().line, target.Mark().column);
        const qsizetype length = target.IsNull() && at >= 0 && (at >= yaml.size() || yaml[at] == '\n') ? 0
                                                                                                       : scalarLength(yaml, at);
        if (at < 0 || length < 0)
            fail(target, path, QStringLiteral("its value spans lines; write it on one line to have it set"));
        // A trailing comment keeps its column where the spaces before it allow (one at least).
        qsizetype comment = at + length;
        while (comment < yaml.size() && yaml[comment] == ' ')
            ++comment;
        QByteArray replacement = bytes;
        qsizetype replaced = length;
        if (comment < yaml.size() && yaml[comment] == '#') {
            const qsizetype column = comment - at; // the comment's distance from the value
            replacement += QByteArray(std::max<qsizetype>(1, column - bytes.size()), ' ');
            replaced = column;
        }
        out.replace(at, replaced, replacement);
    } else {
        if (node.size() == 0)
            fail(node, walked, QStringLiteral("an empty mapping; add \"%1\" to it by hand").arg(path));
        const YAML::Mark first = node.begin()->first.Mark(); // the first key: its line and indentation
        const qsizetype lineStart = offsetOf(yaml, first.line, 0);
        if (lineStart < 0)
            fail(node, walked, QStringLiteral("cannot place the new key \"%1\"").arg(path));
        out.insert(lineStart, QByteArray(first.column, ' ') + QByteArray::fromStdString(last) + ": " + bytes + '\n');
    }
    YAML::Node check = parse(out);
    for (const QString &key : keys)
        check = check[key.toStdString()];
    if (!check || !check.IsScalar() || QString::fromStdString(check.Scalar()) != value)
        throw SchemaError(
            QStringLiteral("%1: setting %2 to %3 did not read back; the file is left as it was").arg(m_source, path, value));
    return out;
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

namespace {

// Edit distance, for "did you mean": keys are short, so the plain two-row table.
int editDistance(const QString &a, const QString &b)
{
    std::vector<int> previous(std::size_t(b.size()) + 1), current(previous.size());
    for (std::size_t j = 0; j < previous.size(); ++j)
        previous[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        current[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j)
            current[std::size_t(j)] = std::min({previous[std::size_t(j)] + 1, current[std::size_t(j - 1)] + 1,
                                                previous[std::size_t(j - 1)] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(previous, current);
    }
    return previous.back();
}

} // namespace

void YamlReader::onlyKeys(const YAML::Node &map, const QString &path, const QStringList &allowed) const
{
    if (!map || !map.IsMap()) // absent (or not a mapping: the readers of its keys say so)
        return;
    QStringList seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const QString key = QString::fromStdString(it->first.as<std::string>(std::string()));
        const QString at = path.isEmpty() ? key : path + QLatin1Char('.') + key;
        if (seen.contains(key))
            fail(it->first, at, QStringLiteral("given twice; keep one"));
        seen << key;
        if (allowed.contains(key))
            continue;
        QString closest;
        int best = 3; // a suggestion only for a near miss
        for (const QString &candidate : allowed) {
            const int d = editDistance(key, candidate);
            if (d < best) {
                best = d;
                closest = candidate;
            }
        }
        fail(it->first, at,
             closest.isEmpty() ? QStringLiteral("unknown key (known here: %1)").arg(allowed.join(QStringLiteral(", ")))
                               : QStringLiteral("unknown key; did you mean %1?").arg(closest));
    }
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

QStringList YamlReader::stringList(const YAML::Node &parent, const QString &path, const QStringList &fallback,
                                   bool allowEmptyItems, bool allowEmptyList) const
{
    const YAML::Node node = child(parent, path);
    if (!node)
        return fallback;
    QStringList values;
    const auto add = [&](const YAML::Node &item, const QString &itemPath) {
        if (!item.IsScalar())
            fail(item, itemPath, QStringLiteral("expected a text value"));
        const QString value = QString::fromStdString(item.Scalar()).trimmed();
        if (value.isEmpty() && !allowEmptyItems)
            fail(item, itemPath, QStringLiteral("must not be empty"));
        if (values.contains(value))
            fail(item, itemPath, QStringLiteral("\"%1\" is listed twice").arg(value));
        values << value;
    };
    if (node.IsSequence()) {
        if (node.size() == 0 && !allowEmptyList)
            fail(node, path, QStringLiteral("the list is empty"));
        // Every value is looked up per row: a list is a handful of tokens, not a data file.
        constexpr std::size_t kMaxItems = 100;
        if (node.size() > kMaxItems)
            fail(node, path, QStringLiteral("%1 values; at most %2 are allowed").arg(node.size()).arg(kMaxItems));
        for (std::size_t i = 0; i < node.size(); ++i)
            add(node[i], QStringLiteral("%1[%2]").arg(path).arg(i));
    } else if (node.IsNull()) {
        if (!allowEmptyItems)
            fail(node, path, QStringLiteral("must not be empty"));
        values << QString();
    } else {
        add(node, path);
    }
    return values;
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
