#include "gitrepository.h"

#include <git2.h>

#include <QDir>
#include <QTimeZone>

#include "auditerror.h"

namespace Audit {

namespace {

// libgit2 objects, freed by their own function.
template <typename T, void (*Free)(T *)>
struct Handle
{
    T *ptr = nullptr;
    Handle() = default;
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    ~Handle()
    {
        if (ptr)
            Free(ptr);
    }
    T **out() { return &ptr; }
    T *get() const { return ptr; }
};

using CommitHandle = Handle<git_commit, git_commit_free>;
using TreeHandle = Handle<git_tree, git_tree_free>;
using EntryHandle = Handle<git_tree_entry, git_tree_entry_free>;
using BlobHandle = Handle<git_blob, git_blob_free>;
using WalkHandle = Handle<git_revwalk, git_revwalk_free>;

QString lastError()
{
    const git_error *error = git_error_last();
    return error && error->message ? QString::fromUtf8(error->message) : QStringLiteral("unknown libgit2 error");
}

GitRepository::Commit describe(const git_commit *commit)
{
    GitRepository::Commit c;
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, git_commit_id(commit));
    c.hash = QString::fromLatin1(hex);
    const git_signature *author = git_commit_author(commit);
    c.time = QDateTime::fromSecsSinceEpoch(author->when.time, QTimeZone(author->when.offset * 60));
    c.author = QStringLiteral("%1 <%2>").arg(QString::fromUtf8(author->name), QString::fromUtf8(author->email));
    const char *summary = git_commit_summary(const_cast<git_commit *>(commit));
    c.summary = summary ? QString::fromUtf8(summary) : QString();
    return c;
}

// The blob id of `path` in a commit's tree; zero when absent.
git_oid blobId(const git_commit *commit, const QByteArray &path)
{
    git_oid id{};
    TreeHandle tree;
    if (git_commit_tree(tree.out(), commit) != 0)
        return id;
    EntryHandle entry;
    if (git_tree_entry_bypath(entry.out(), tree.get(), path.constData()) == 0)
        git_oid_cpy(&id, git_tree_entry_id(entry.get()));
    return id;
}

} // namespace

struct GitRepository::ObjectHandle : Handle<git_object, git_object_free>
{};

void GitRepository::Deleter::operator()(git_repository *repo) const
{
    git_repository_free(repo);
    git_libgit2_shutdown();
}

GitRepository::GitRepository(const QString &path)
    : m_path(QDir(path).absolutePath())
{
    git_libgit2_init();
    git_repository *repo = nullptr;
    if (git_repository_open_ext(&repo, QDir::toNativeSeparators(m_path).toUtf8().constData(), 0, nullptr) != 0) {
        const QString why = lastError();
        git_libgit2_shutdown();
        throw AuditError(QStringLiteral("%1: not in a git repository (%2); versions come from the commits that changed dvc.lock")
                             .arg(m_path, why));
    }
    m_repo.reset(repo);
    if (!git_repository_workdir(repo))
        throw AuditError(QStringLiteral("%1: a bare git repository has no working tree").arg(m_path));
}

GitRepository::~GitRepository() = default;

void GitRepository::peel(const QString &revision, ObjectHandle &commit) const
{
    ObjectHandle object;
    if (git_revparse_single(object.out(), m_repo.get(), revision.toUtf8().constData()) != 0)
        throw AuditError(QStringLiteral("%1: no revision \"%2\" (%3)").arg(m_path, revision, lastError()));
    if (git_object_peel(commit.out(), object.get(), GIT_OBJECT_COMMIT) != 0)
        throw AuditError(QStringLiteral("%1: \"%2\" does not name a commit").arg(m_path, revision));
}

QString GitRepository::workdir() const
{
    return QDir::fromNativeSeparators(QString::fromUtf8(git_repository_workdir(m_repo.get())));
}

QList<GitRepository::Commit> GitRepository::commitsChanging(const QString &path) const
{
    QList<Commit> commits;
    WalkHandle walk;
    if (git_revwalk_new(walk.out(), m_repo.get()) != 0)
        throw AuditError(QStringLiteral("%1: cannot walk the history: %2").arg(m_path, lastError()));
    git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
    if (git_revwalk_push_head(walk.get()) != 0)
        return commits; // no commit yet
    const QByteArray file = path.toUtf8();
    git_oid id;
    while (git_revwalk_next(&id, walk.get()) == 0) {
        CommitHandle commit;
        if (git_commit_lookup(commit.out(), m_repo.get(), &id) != 0)
            throw AuditError(QStringLiteral("%1: cannot read commit: %2").arg(m_path, lastError()));
        const git_oid now = blobId(commit.get(), file);
        if (git_oid_is_zero(&now))
            continue;
        git_oid before{};
        if (git_commit_parentcount(commit.get()) > 0) {
            CommitHandle parent;
            if (git_commit_parent(parent.out(), commit.get(), 0) == 0)
                before = blobId(parent.get(), file);
        }
        if (!git_oid_equal(&now, &before))
            commits << describe(commit.get());
    }
    return commits;
}

GitRepository::Commit GitRepository::resolve(const QString &revision) const
{
    ObjectHandle commit;
    peel(revision, commit);
    return describe(reinterpret_cast<const git_commit *>(commit.get()));
}

std::optional<QByteArray> GitRepository::fileAt(const QString &revision, const QString &path) const
{
    ObjectHandle commit;
    peel(revision, commit);
    const git_oid id = blobId(reinterpret_cast<const git_commit *>(commit.get()), path.toUtf8());
    if (git_oid_is_zero(&id))
        return std::nullopt;
    BlobHandle blob;
    if (git_blob_lookup(blob.out(), m_repo.get(), &id) != 0)
        return std::nullopt; // a folder, or a submodule
    return QByteArray(static_cast<const char *>(git_blob_rawcontent(blob.get())), qsizetype(git_blob_rawsize(blob.get())));
}

QStringList GitRepository::filesAt(const QString &revision) const
{
    ObjectHandle commit;
    peel(revision, commit);
    TreeHandle tree;
    if (git_commit_tree(tree.out(), reinterpret_cast<git_commit *>(commit.ptr)) != 0)
        throw AuditError(QStringLiteral("%1: cannot read the tree of %2: %3").arg(m_path, revision, lastError()));
    QStringList files;
    git_tree_walk(
        tree.get(), GIT_TREEWALK_PRE,
        [](const char *root, const git_tree_entry *entry, void *payload) {
            if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB)
                static_cast<QStringList *>(payload)->append(QString::fromUtf8(root)
                                                            + QString::fromUtf8(git_tree_entry_name(entry)));
            return 0;
        },
        &files);
    return files;
}

QString GitRepository::commitOver(const QString &parent, const std::map<QString, QByteArray> &files, const QString &message,
                                  const QString &ref) const
{
    ObjectHandle base;
    peel(parent, base);
    auto *parentCommit = reinterpret_cast<git_commit *>(base.ptr);
    TreeHandle tree;
    if (git_commit_tree(tree.out(), parentCommit) != 0)
        throw AuditError(QStringLiteral("%1: cannot read the tree of %2: %3").arg(m_path, parent, lastError()));
    git_index *index = nullptr;
    if (git_index_new(&index) != 0)
        throw AuditError(QStringLiteral("%1: cannot make an index: %2").arg(m_path, lastError()));
    const std::unique_ptr<git_index, void (*)(git_index *)> hold(index, git_index_free);
    if (git_index_read_tree(index, tree.get()) != 0)
        throw AuditError(QStringLiteral("%1: cannot read the tree of %2: %3").arg(m_path, parent, lastError()));
    for (const auto &[path, bytes] : files) {
        // The blob in the object store, then its entry in the in-memory index.
        git_index_entry entry{};
        const QByteArray name = path.toUtf8();
        entry.path = name.constData();
        entry.mode = GIT_FILEMODE_BLOB;
        if (git_blob_create_from_buffer(&entry.id, m_repo.get(), bytes.constData(), std::size_t(bytes.size())) != 0
            || git_index_add(index, &entry) != 0)
            throw AuditError(QStringLiteral("%1: cannot store %2: %3").arg(m_path, path, lastError()));
    }
    git_oid treeId, commitId;
    if (git_index_write_tree_to(&treeId, index, m_repo.get()) != 0)
        throw AuditError(QStringLiteral("%1: cannot write a tree: %2").arg(m_path, lastError()));
    TreeHandle newTree;
    git_tree_lookup(newTree.out(), m_repo.get(), &treeId);
    git_signature *who = nullptr;
    if (git_signature_default(&who, m_repo.get()) != 0 && git_signature_now(&who, "ModelAudit", "modelaudit@localhost") != 0)
        throw AuditError(QStringLiteral("%1: cannot sign a commit: %2").arg(m_path, lastError()));
    const std::unique_ptr<git_signature, void (*)(git_signature *)> signer(who, git_signature_free);
    const git_commit *parents[] = {parentCommit};
    if (git_commit_create(&commitId, m_repo.get(), nullptr, who, who, nullptr, message.toUtf8().constData(), newTree.get(), 1,
                          parents)
        != 0)
        throw AuditError(QStringLiteral("%1: cannot commit: %2").arg(m_path, lastError()));
    git_reference *created = nullptr;
    if (git_reference_create(&created, m_repo.get(), ref.toUtf8().constData(), &commitId, 1, message.toUtf8().constData()) != 0)
        throw AuditError(QStringLiteral("%1: cannot write %2: %3").arg(m_path, ref, lastError()));
    git_reference_free(created);
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, &commitId);
    return QString::fromLatin1(hex);
}

std::map<QString, QString> GitRepository::references(const QString &glob) const
{
    std::map<QString, QString> out;
    struct Payload
    {
        git_repository *repo;
        std::map<QString, QString> *out;
    } payload{m_repo.get(), &out};
    git_reference_foreach_glob(
        m_repo.get(), glob.toUtf8().constData(),
        [](const char *name, void *data) {
            auto *p = static_cast<Payload *>(data);
            git_oid id;
            if (git_reference_name_to_id(&id, p->repo, name) == 0) {
                char hex[GIT_OID_HEXSZ + 1] = {};
                git_oid_tostr(hex, sizeof hex, &id);
                (*p->out)[QString::fromUtf8(name)] = QString::fromLatin1(hex);
            }
            return 0;
        },
        &payload);
    return out;
}

} // namespace Audit
