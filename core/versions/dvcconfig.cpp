#include "dvcconfig.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include "auditerror.h"
#include "schemaerror.h"

namespace Audit {

namespace {

// `['remote "x"']` and `[remote "x"]` name the same section; so do `"a"` and `a`.
QString sectionName(QString text)
{
    text = text.trimmed();
    if (text.size() >= 2 && (text.front() == QLatin1Char('\'') || text.front() == QLatin1Char('"'))
        && text.back() == text.front())
        text = text.mid(1, text.size() - 2).trimmed();
    return text.simplified();
}

QString unquote(QString text)
{
    text = text.trimmed();
    if (text.size() >= 2 && (text.front() == QLatin1Char('\'') || text.front() == QLatin1Char('"'))
        && text.back() == text.front())
        return text.mid(1, text.size() - 2);
    return text;
}

QString remoteSection(const QString &name)
{
    return QStringLiteral("remote \"%1\"").arg(name);
}

} // namespace

DvcConfig DvcConfig::load(const QString &root)
{
    DvcConfig config;
    config.m_dvcDir = QDir(root).absoluteFilePath(QStringLiteral(".dvc"));
    const QString main = QDir(config.m_dvcDir).filePath(QStringLiteral("config"));
    QFile file(main);
    if (!file.exists())
        throw IoError(QStringLiteral("%1: no such file: %2 is not a DVC project, or its .dvc/config was deleted. "
                                     "Fix: restore it from git, or run `dvc init`.")
                          .arg(QDir::cleanPath(main), QDir::cleanPath(root)));
    if (!file.open(QIODevice::ReadOnly))
        throw IoError(QStringLiteral("%1: cannot read: %2").arg(QDir::cleanPath(main), file.errorString()));
    config.m_files = QStringLiteral(".dvc/config");
    config.merge(file.readAll(), QStringLiteral(".dvc/config"));
    QFile local(QDir(config.m_dvcDir).filePath(QStringLiteral("config.local")));
    if (local.exists()) {
        if (!local.open(QIODevice::ReadOnly))
            throw IoError(QStringLiteral("%1: cannot read: %2").arg(local.fileName(), local.errorString()));
        config.m_files += QStringLiteral(" and .dvc/config.local");
        config.merge(local.readAll(), QStringLiteral(".dvc/config.local"));
    }
    return config;
}

void DvcConfig::merge(const QByteArray &text, const QString &name)
{
    static const QRegularExpression section(QStringLiteral("^\\[(.+)\\]$"));
    static const QRegularExpression assignment(QStringLiteral("^([A-Za-z0-9_.\\-]+)\\s*=\\s*(.*)$"));
    if (m_files.isEmpty())
        m_files = name;
    QString current;
    const QStringList lines = QString::fromUtf8(text).split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = lines[i].trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) || line.startsWith(QLatin1Char(';')))
            continue;
        if (const QRegularExpressionMatch m = section.match(line); m.hasMatch()) {
            current = sectionName(m.captured(1));
            m_sections[current];
            continue;
        }
        const QRegularExpressionMatch m = assignment.match(line);
        if (!m.hasMatch())
            throw SchemaError(QStringLiteral("%1:%2: expected a section such as [core] or a line `key = value`, found \"%3\". "
                                             "Fix: correct the line, or set values with `dvc config`.")
                                  .arg(name)
                                  .arg(i + 1)
                                  .arg(line));
        if (current.isEmpty())
            throw SchemaError(QStringLiteral("%1:%2: \"%3\" comes before any section. Fix: put it under a section "
                                             "such as [core].")
                                  .arg(name)
                                  .arg(i + 1)
                                  .arg(line));
        m_sections[current][m.captured(1)] = Entry{unquote(m.captured(2)), name, int(i + 1)};
    }
}

std::optional<QString> DvcConfig::value(const QString &sectionKey, const QString &key) const
{
    const auto s = m_sections.find(sectionName(sectionKey));
    if (s == m_sections.end())
        return std::nullopt;
    const auto k = s->second.find(key);
    if (k == s->second.end())
        return std::nullopt;
    return k->second.value;
}

QString DvcConfig::defaultRemote() const
{
    return value(QStringLiteral("core"), QStringLiteral("remote")).value_or(QString()).trimmed();
}

QString DvcConfig::describe() const
{
    return m_files.isEmpty() ? QStringLiteral(".dvc/config") : m_files;
}

QString DvcConfig::remoteName(const QString &name) const
{
    if (!name.isEmpty())
        return name;
    const QString fallback = defaultRemote();
    if (fallback.isEmpty())
        throw SchemaError(QStringLiteral("%1: [core] remote is not set, so there is no default remote. Fix: name one "
                                         "(`dvc remote default NAME`, or `remote = NAME` under [core]).")
                              .arg(describe()));
    return fallback;
}

QString DvcConfig::remoteDirectory(const QString &requested) const
{
    const QString name = remoteName(requested);
    const auto section = m_sections.find(remoteSection(name));
    if (section == m_sections.end()) {
        QStringList known;
        for (const auto &[key, entries] : m_sections) {
            if (key.startsWith(QLatin1String("remote \"")))
                known << key.mid(7);
        }
        throw SchemaError(QStringLiteral("%1: remote \"%2\" is not defined (%3). Fix: add a section ['remote \"%2\"'] "
                                         "with a url, or name another remote.")
                              .arg(describe(), name,
                                   known.isEmpty() ? QStringLiteral("no remote is")
                                                   : QStringLiteral("defined: %1").arg(known.join(QStringLiteral(", ")))));
    }
    const auto url = section->second.find(QStringLiteral("url"));
    if (url == section->second.end() || url->second.value.trimmed().isEmpty())
        throw SchemaError(QStringLiteral("%1: remote \"%2\": url is missing. Fix: add `url = PATH` under ['remote \"%2\"'] "
                                         "(a local folder; relative to .dvc/).")
                              .arg(describe(), name));
    QString path = url->second.value.trimmed();
    if (path.startsWith(QLatin1String("file://")))
        path = path.mid(7);
    static const QRegularExpression scheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.\\-]*://"));
    if (scheme.match(path).hasMatch())
        throw SchemaError(QStringLiteral("%1:%2: remote \"%3\": url \"%4\" is neither a local folder nor "
                                         "http(s), which is all modelaudit-cli reaches. Fix: use `dvc pull` (or `dvc push`) for "
                                         "this remote, then open the version again; or name a local or http one.")
                              .arg(url->second.file)
                              .arg(url->second.line)
                              .arg(name, path));
    return QDir::cleanPath(QDir(m_dvcDir).absoluteFilePath(path)); // relative to .dvc/, as DVC reads it
}

QString DvcConfig::remoteHttpUrl(const QString &requested) const
{
    const QString name = remoteName(requested);
    const auto section = m_sections.find(remoteSection(name));
    if (section == m_sections.end())
        return {};
    const auto url = section->second.find(QStringLiteral("url"));
    if (url == section->second.end())
        return {};
    const QString value = url->second.value.trimmed();
    return value.startsWith(QLatin1String("http://")) || value.startsWith(QLatin1String("https://")) ? value : QString();
}

QString DvcConfig::remoteHttpMethod(const QString &requested) const
{
    const QString name = remoteName(requested);
    QString m = QStringLiteral("post");
    if (const auto section = m_sections.find(remoteSection(name)); section != m_sections.end()) {
        if (const auto method = section->second.find(QStringLiteral("method")); method != section->second.end())
            m = method->second.value.trimmed().toLower();
    }
    if (m != QLatin1String("post") && m != QLatin1String("put"))
        throw SchemaError(
            QStringLiteral("%1: remote \"%2\": method \"%3\": an http remote uploads with post or put").arg(describe(), name, m));
    return m;
}

QString DvcConfig::cacheDirectory() const
{
    const QString dir = value(QStringLiteral("cache"), QStringLiteral("dir")).value_or(QString()).trimmed();
    return QDir::cleanPath(QDir(m_dvcDir).absoluteFilePath(dir.isEmpty() ? QStringLiteral("cache") : dir));
}

} // namespace Audit
