#include "pipelinerunner.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSet>

#include "auditerror.h"
#include "dvcworkspace.h"
#include "fileio.h"
#include "schemaerror.h"
#include "yamlutil.h"

namespace Audit {

namespace {

// A dep is written by a stage when it is one of its outs, or lies inside an out folder.
bool covers(const QString &out, const QString &dep)
{
    return dep == out || dep.startsWith(out + QLatin1Char('/')) || out.startsWith(dep + QLatin1Char('/'));
}

QList<DvcStage> ordered(const QList<DvcStage> &stages, const QString &source)
{
    QHash<QString, QString> writer; // out -> stage
    for (const DvcStage &stage : stages) {
        for (const DvcOutput &out : stage.outs) {
            if (writer.contains(out.path))
                throw SchemaError(QStringLiteral("%1: %2 is an out of both stage \"%3\" and stage \"%4\". Fix: let one "
                                                 "stage write it.")
                                      .arg(source, out.path, writer.value(out.path), stage.name));
            writer.insert(out.path, stage.name);
        }
    }
    // upstream[i]: the stages i needs, with the dep that links them
    QList<QList<std::pair<qsizetype, QString>>> upstream(stages.size());
    for (qsizetype i = 0; i < stages.size(); ++i) {
        for (const QString &dep : stages[i].deps) {
            for (qsizetype j = 0; j < stages.size(); ++j) {
                for (const DvcOutput &out : stages[j].outs) {
                    if (covers(out.path, dep))
                        upstream[i] << std::pair{j, dep};
                }
            }
        }
    }
    QList<DvcStage> order;
    QList<bool> placed(stages.size(), false);
    while (order.size() < stages.size()) {
        bool progress = false;
        for (qsizetype i = 0; i < stages.size(); ++i) {
            if (placed[i])
                continue;
            const bool ready = std::all_of(upstream[i].cbegin(), upstream[i].cend(),
                                           [&](const auto &link) { return placed[link.first] && link.first != i; });
            if (ready) {
                placed[i] = true;
                order << stages[i];
                progress = true;
                break; // restart: ties go to the earliest stage in the file
            }
        }
        if (progress)
            continue;
        // Every stage left waits for another one left: walk back from one to find the cycle.
        qsizetype at = placed.indexOf(false);
        QList<qsizetype> path;
        QStringList links;
        while (!path.contains(at)) {
            path << at;
            for (const auto &[j, dep] : std::as_const(upstream[at])) {
                if (!placed[j]) {
                    links << QStringLiteral("\"%1\" needs %2 from \"%3\"").arg(stages[at].name, dep, stages[j].name);
                    at = j;
                    break;
                }
            }
        }
        const qsizetype start = path.indexOf(at);
        QStringList names;
        for (qsizetype k = start; k < path.size(); ++k)
            names << QStringLiteral("\"%1\"").arg(stages[path[k]].name);
        throw SchemaError(QStringLiteral("%1: the stages %2 form a cycle (%3), so none of them can run first. Fix: remove "
                                         "one of those deps or outs.")
                              .arg(source, names.join(QStringLiteral(", ")), links.mid(start).join(QStringLiteral("; "))));
    }
    return order;
}

QString lockPath(const QString &root)
{
    return QDir(root).filePath(QStringLiteral("dvc.lock"));
}

struct CommandResult
{
    bool started = false;
    bool crashed = false;
    int exitCode = 0;
    QString error;
};

CommandResult runCommand(const QString &root, const QString &cmd, const ReproOptions &options)
{
    QProcess process;
    process.setWorkingDirectory(root);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!options.toolDir.isEmpty()) {
        const QString path = env.value(QStringLiteral("PATH"));
        env.insert(QStringLiteral("PATH"), path.isEmpty() ? options.toolDir : options.toolDir + QLatin1Char(':') + path);
    }
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(options.output ? QProcess::SeparateChannels : QProcess::ForwardedChannels);
    process.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), cmd});
    CommandResult result;
    if (!process.waitForStarted(-1)) {
        result.error = process.errorString();
        return result;
    }
    result.started = true;
    const auto pump = [&] {
        if (!options.output)
            return;
        if (const QByteArray out = process.readAllStandardOutput(); !out.isEmpty())
            options.output(out, false);
        if (const QByteArray err = process.readAllStandardError(); !err.isEmpty())
            options.output(err, true);
    };
    while (!process.waitForFinished(100)) {
        if (process.state() == QProcess::NotRunning)
            break;
        pump();
    }
    pump();
    result.crashed = process.exitStatus() == QProcess::CrashExit;
    result.exitCode = process.exitCode();
    return result;
}

} // namespace

QStringList ReproResult::ran() const
{
    QStringList names;
    for (const ReproStage &s : stages) {
        if (s.run)
            names << s.name;
    }
    return names;
}

QString ReproResult::checkText() const
{
    QStringList lines;
    for (const LockMismatch &m : mismatches) {
        lines << QStringLiteral("%1: %2: dvc.lock has md5 %3, the run produced %4")
                     .arg(m.stage, m.path, m.lockMd5.isEmpty() ? QStringLiteral("(none)") : m.lockMd5,
                          m.actualMd5.isEmpty() ? QStringLiteral("no file") : m.actualMd5);
    }
    lines << lockProblems;
    return lines.join(QLatin1Char('\n'));
}

PipelineRunner::PipelineRunner(const QString &root)
    : m_root(QDir(root).absolutePath())
    , m_order(ordered(DvcPipeline::load(m_root).stages(), QDir(m_root).filePath(QStringLiteral("dvc.yaml"))))
{}

QList<LockMismatch> PipelineRunner::compareWithLock(const QString &root, const QByteArray &lockBytes)
{
    const DvcLock lock = DvcLock::parse(lockBytes, QStringLiteral("dvc.lock"));
    QList<LockMismatch> mismatches;
    for (const DvcLockStage &stage : lock.stages()) {
        for (const DvcFileEntry &out : stage.outs) {
            const QString file = QDir(root).filePath(out.path);
            const QString md5 = QFileInfo(file).isFile() ? fileMd5(file) : QString();
            if (md5 != out.md5)
                mismatches << LockMismatch{stage.name, out.path, out.md5, md5};
        }
    }
    return mismatches;
}

ReproResult PipelineRunner::repro(const ReproOptions &options) const
{
    const auto log = [&options](const QString &line) {
        if (options.log)
            options.log(line);
    };
    QByteArray lockBefore;
    if (options.check) {
        if (!QFileInfo::exists(lockPath(m_root)))
            throw IoError(QStringLiteral("%1: no such file, so there is nothing to check the outs against. Fix: run the "
                                         "pipeline and record dvc.lock first.")
                              .arg(lockPath(m_root)));
        lockBefore = YamlReader::readFile(lockPath(m_root), QStringLiteral("lock"));
        DvcLock::parse(lockBefore, lockPath(m_root)); // a malformed lock fails before anything runs
    }
    ReproResult result;
    QSet<QString> willRun; // stages that ran (or would run)
    for (const DvcStage &stage : m_order) {
        ReproStage entry{stage.name, stage.cmd, false, {}};
        if (options.check) {
            entry.reasons << QStringLiteral("checking that dvc.lock reproduces: every stage runs");
        } else {
            const WorkspaceStatus status = workspaceStatus(m_root);
            for (const StageStatus &s : status.stages) {
                if (s.name == stage.name)
                    entry.reasons = s.reasons;
            }
            if (options.dryRun) {
                // Nothing ran, so the files upstream stages would rewrite still look current.
                for (const DvcStage &other : m_order) {
                    if (!willRun.contains(other.name))
                        continue;
                    const bool needs = std::any_of(stage.deps.cbegin(), stage.deps.cend(), [&](const QString &dep) {
                        return std::any_of(other.outs.cbegin(), other.outs.cend(),
                                           [&](const DvcOutput &out) { return covers(out.path, dep); });
                    });
                    if (needs)
                        entry.reasons << QStringLiteral("upstream stage \"%1\" would run first").arg(other.name);
                }
            }
        }
        entry.run = !entry.reasons.isEmpty();
        if (!entry.run) {
            log(QStringLiteral("Stage '%1' didn't change, skipping").arg(stage.name));
            result.stages << entry;
            continue;
        }
        willRun.insert(stage.name);
        if (options.dryRun) {
            log(QStringLiteral("Would run stage '%1' (%2):\n> %3")
                    .arg(stage.name, entry.reasons.join(QStringLiteral("; ")), stage.cmd));
            result.stages << entry;
            continue;
        }
        log(QStringLiteral("Running stage '%1' (%2):\n> %3")
                .arg(stage.name, entry.reasons.join(QStringLiteral("; ")), stage.cmd));
        for (const DvcOutput &out : stage.outs) {
            if (!out.persist)
                QFile::remove(QDir(m_root).filePath(out.path));
        }
        result.stages << entry;
        const CommandResult run = runCommand(m_root, stage.cmd, options);
        QString problem;
        if (!run.started)
            problem = QStringLiteral("could not start /bin/sh: %1").arg(run.error);
        else if (run.crashed)
            problem = QStringLiteral("its command crashed");
        else if (run.exitCode != 0)
            problem = QStringLiteral("its command exited with code %1").arg(run.exitCode);
        for (const DvcOutput &out : stage.outs) {
            if (problem.isEmpty() && !QFileInfo::exists(QDir(m_root).filePath(out.path)))
                problem = QStringLiteral("its command succeeded but did not write %1, an out in dvc.yaml").arg(out.path);
        }
        if (!problem.isEmpty()) {
            result.failedStage = stage.name;
            result.exitCode = run.started && !run.crashed ? run.exitCode : -1;
            result.failure = QStringLiteral("stage \"%1\" failed: %2. The stages after it did not run.\n> %3")
                                 .arg(stage.name, problem, stage.cmd);
            return result;
        }
    }
    if (options.dryRun)
        return result;
    if (options.check) {
        result.mismatches = compareWithLock(m_root, lockBefore);
        const DvcLock lock = DvcLock::parse(lockBefore, lockPath(m_root));
        for (const DvcStage &stage : m_order) {
            if (!lock.stage(stage.name))
                result.lockProblems << QStringLiteral("%1: not in dvc.lock").arg(stage.name);
        }
        if (result.mismatches.isEmpty() && result.lockProblems.isEmpty() && lockYaml(m_root) != lockBefore)
            result.lockProblems << QStringLiteral("dvc.lock: every out matches, but the file a run writes differs from it "
                                                  "(a cmd, a dep or a param, or its layout)");
        return result;
    }
    if (options.updateLock) {
        const QByteArray lock = lockYaml(m_root);
        const QString path = lockPath(m_root);
        if (!QFileInfo::exists(path) || YamlReader::readFile(path, QStringLiteral("lock")) != lock) {
            writeFileAtomically(path, lock);
            result.lockUpdated = true;
        }
    }
    return result;
}

} // namespace Audit
