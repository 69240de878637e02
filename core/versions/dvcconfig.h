#pragma once

#include <map>
#include <optional>

#include <QString>

namespace Audit {

// A project's DVC configuration: .dvc/config, then .dvc/config.local over it (as DVC merges
// them), in DVC's INI dialect: `[core]`, `['remote "name"']` (or `[remote "name"]`) sections
// of `key = value` lines, `#` and `;` comments. Errors are SchemaErrors naming the file, the
// line or the section and key, and saying how to fix it.
class DvcConfig
{
public:
    // Reads root/.dvc/config and, when present, root/.dvc/config.local.
    // Throws: IoError when .dvc/config is missing or unreadable; SchemaError for a line that
    // is neither a section, a `key = value` nor a comment.
    static DvcConfig load(const QString &root);

    // Parses one file's text; `name` is how messages call the file (".dvc/config").
    void merge(const QByteArray &text, const QString &name);

    // The value of `key` in `section` ("core", "remote \"bundled\"", "cache"); nullopt when unset.
    std::optional<QString> value(const QString &section, const QString &key) const;

    // core.remote, the remote `dvc push` / `dvc pull` use when none is named; empty when unset.
    QString defaultRemote() const;

    // The local folder of remote `name` (empty: the default remote), absolute, with a relative
    // url resolved against .dvc/ as DVC resolves it.
    // Throws: SchemaError naming the file and key when no default remote is set, the remote is
    // not defined, its url is missing or not a local folder.
    QString remoteDirectory(const QString &name) const;
    // The http(s) url of remote `name`, when it is one (DVC's `http` remote), else empty; and
    // its `method` for uploads (post, as DVC's default, or put). Throws as remoteDirectory().
    QString remoteHttpUrl(const QString &name) const;
    QString remoteHttpMethod(const QString &name) const;
    QString remoteName(const QString &name) const; // `name`, or the default remote when empty

    // The cache folder: cache.dir resolved against .dvc/, else .dvc/cache.
    QString cacheDirectory() const;

    QString dvcDir() const { return m_dvcDir; }

private:
    struct Entry
    {
        QString value;
        QString file; // ".dvc/config" or ".dvc/config.local"
        int line = 0;
    };

    QString describe() const; // ".dvc/config" or ".dvc/config (and .dvc/config.local)"

    QString m_dvcDir;
    QString m_files;
    std::map<QString, std::map<QString, Entry>> m_sections;
};

} // namespace Audit
