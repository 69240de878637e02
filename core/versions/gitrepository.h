#pragma once

#include <map>
#include <memory>
#include <optional>

#include <QStringList>

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

struct git_repository;

namespace Audit {

// A read-only view of a git repository through libgit2: the commits that changed a file,
// and any file's bytes at any revision, without touching the working tree.
// Every failure is an AuditError naming the repository and the revision or path.
class GitRepository
{
public:
    struct Commit
    {
        QString hash; // 40 hex digits
        QDateTime time;
        QString summary; // first line of the message
        QString author; // "Name <email>"
        QString shortHash() const { return hash.left(7); }
    };

    // Opens the repository holding `path` (searching the parent folders).
    // Throws AuditError when `path` is in no git repository.
    explicit GitRepository(const QString &path);
    ~GitRepository();
    GitRepository(const GitRepository &) = delete;
    GitRepository &operator=(const GitRepository &) = delete;

    QString workdir() const; // absolute, with a trailing '/'

    // Commits reachable from HEAD whose tree changed `path` (relative to the working tree)
    // against their first parent, newest first. Empty for a repository without commits.
    QList<Commit> commitsChanging(const QString &path) const;

    // Resolves "HEAD", "HEAD~2", a tag, a branch or a (short) hash to a commit.
    // Throws AuditError naming the revision when it names no commit.
    Commit resolve(const QString &revision) const;

    // The bytes of `path` at `revision`; nullopt when the file is not in that commit.
    std::optional<QByteArray> fileAt(const QString &revision, const QString &path) const;

    // Every file of `revision`'s tree (repository-relative paths).
    QStringList filesAt(const QString &revision) const;

    // A commit whose parent is `parent` and whose tree is the parent's with `files` (path ->
    // bytes) written over it, stored under `ref` (created or moved); the working tree, the
    // index and HEAD are not touched (how DVC records an experiment). Returns its hash.
    QString commitOver(const QString &parent, const std::map<QString, QByteArray> &files, const QString &message,
                       const QString &ref) const;

    // The references matching `glob` ("refs/exps/*"), each with the commit it points at.
    std::map<QString, QString> references(const QString &glob) const;

private:
    struct ObjectHandle;
    void peel(const QString &revision, ObjectHandle &commit) const; // throws naming the revision

    struct Deleter
    {
        void operator()(git_repository *repo) const;
    };
    std::unique_ptr<git_repository, Deleter> m_repo;
    QString m_path;
};

} // namespace Audit
