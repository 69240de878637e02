#pragma once

#include <functional>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include "dvcfiles.h"

namespace Audit {

// `dvc repro` without DVC: the stages of dvc.yaml in dependency order, each run through
// `/bin/sh -c` in the project folder when it is stale as `dvc repro` decides (its cmd, a
// dep, a param or an out differs from dvc.lock at its turn, after the stages upstream ran),
// stopping at the first command that fails.

struct ReproOptions
{
    bool dryRun = false; // say what would run and why; run nothing
    bool check = false; // run every stage, then compare every out with dvc.lock (never rewritten)
    bool updateLock = false; // rewrite dvc.lock (lockYaml) after a successful run
    QString toolDir; // prepended to PATH for the commands: where the running modelaudit-cli lives
    // The commands' output as it comes (stderr when `isError`); empty: they write straight
    // to this process's stdout and stderr.
    std::function<void(const QByteArray &bytes, bool isError)> output;
    std::function<void(const QString &line)> log; // progress lines for a person; may be empty
};

struct ReproStage
{
    QString name;
    QString cmd;
    bool run = false; // ran (with dryRun: would run)
    QStringList reasons; // why it runs: "changed deps: modified: data/train.csv", "upstream stage train runs"
};

// An out whose file does not have the md5 dvc.lock records.
struct LockMismatch
{
    QString stage;
    QString path;
    QString lockMd5; // empty: dvc.lock does not record it
    QString actualMd5; // empty: the file is missing
};

struct ReproResult
{
    QList<ReproStage> stages; // in run order, every stage of dvc.yaml
    QString failedStage; // empty when every command that ran succeeded
    int exitCode = 0; // the failed command's
    QString failure; // the failed stage's message for a person
    bool lockUpdated = false;
    QList<LockMismatch> mismatches; // with check: every out that differs from dvc.lock
    QStringList lockProblems; // with check: what else in dvc.lock a run would change

    bool ok() const { return failedStage.isEmpty(); }
    bool reproduced() const { return ok() && mismatches.isEmpty() && lockProblems.isEmpty(); }
    QStringList ran() const;
    QString checkText() const; // the mismatches and problems, one a line
};

class PipelineRunner
{
public:
    // Reads root/dvc.yaml and orders its stages: a stage comes after every stage that writes
    // one of its deps, ties in file order.
    // Throws: SchemaError when dvc.yaml is malformed, two stages write the same out, or the
    // stages form a cycle (naming them and the files that link them); IoError when it is missing.
    explicit PipelineRunner(const QString &root);

    const QList<DvcStage> &stages() const { return m_order; } // in run order

    // Runs (or with dryRun plans) the stale stages; see ReproOptions. A stage's outs that
    // are not `persist` are deleted before its command runs, as DVC does.
    // Throws: SchemaError for a malformed dvc.lock or params file; IoError when dvc.lock is
    // missing with check, or cannot be written.
    ReproResult repro(const ReproOptions &options) const;

    // Every out dvc.lock records against the workspace: the ones whose md5 differs.
    static QList<LockMismatch> compareWithLock(const QString &root, const QByteArray &lock);

private:
    QString m_root;
    QList<DvcStage> m_order;
};

} // namespace Audit
