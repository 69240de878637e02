#include "dvccommands.h"

#include <cstdio>

#include <QCoreApplication>
#include <QJsonArray>

#include "commandline.h"
#include "dvcremote.h"
#include "experiments.h"
#include "pipelinerunner.h"

namespace Cli {

using namespace Audit;

namespace {

void addProject(CommandLine &cli)
{
    cli.add(QStringLiteral("project"), QStringLiteral("Project folder (holds dvc.yaml and .dvc/)."), QStringLiteral("dir"),
            QStringLiteral("."));
}

} // namespace

int pull(const QStringList &args)
{
    CommandLine cli(QStringLiteral("pull"),
                    QStringLiteral("`dvc pull` from a local or http remote: every file a *.dvc file or dvc.lock records that is "
                                   "missing or differs is copied from .dvc/cache or the remote (md5 and size checked) "
                                   "into the cache and the workspace. Exit 1 when a file nothing can regenerate is "
                                   "not in the remote."));
    addProject(cli);
    cli.add(QLatin1Char('r'), QStringLiteral("remote"),
            QStringLiteral("The remote to pull from (default: core.remote in .dvc/config)."), QStringLiteral("name"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the report as JSON on stdout."));
    if (!cli.parse(args))
        return cli.exitCode();
    const PullReport report = DvcRemote(cli.value(QStringLiteral("project")), cli.value(QStringLiteral("remote"))).pull();
    if (cli.isSet(QStringLiteral("json")))
        printJson(report.toJson());
    else
        printOut(report.toText());
    if (report.complete())
        return 0;
    printErr(QStringLiteral("pull: some files are in neither the cache nor remote \"%1\" (%2); see above")
                 .arg(report.remote, report.remoteDir));
    return 1;
}

int push(const QStringList &args)
{
    CommandLine cli(QStringLiteral("push"),
                    QStringLiteral("`dvc push` to a local or http remote: every file a *.dvc file or dvc.lock records that the "
                                   "remote lacks is copied there (DVC's layout, files/md5/xx/...) from the workspace or "
                                   ".dvc/cache, md5 checked. Exit 1 when a recorded file is in neither."));
    addProject(cli);
    cli.add(QLatin1Char('r'), QStringLiteral("remote"),
            QStringLiteral("The remote to push to (default: core.remote in .dvc/config)."), QStringLiteral("name"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the report as JSON on stdout."));
    if (!cli.parse(args))
        return cli.exitCode();
    const PushReport report = DvcRemote(cli.value(QStringLiteral("project")), cli.value(QStringLiteral("remote"))).push();
    if (cli.isSet(QStringLiteral("json")))
        printJson(report.toJson());
    else
        printOut(report.toText());
    if (report.complete())
        return 0;
    printErr(QStringLiteral("push: some recorded files are in neither the workspace nor the cache; see above"));
    return 1;
}

int exp(const QStringList &args)
{
    const QString what = args.value(0);
    if (what != QLatin1String("run") && what != QLatin1String("show")) {
        printErr(QStringLiteral("modelaudit-cli exp: expected `exp run [-S KEY=VALUE ...] [--name N]` or `exp show [--json]`"));
        return kUsageError;
    }
    CommandLine cli(QStringLiteral("exp ") + what,
                    what == QLatin1String("run")
                        ? QStringLiteral("`dvc exp run`: the pipeline with changed params (-S KEY=VALUE, repeatable) in a "
                                         "temporary copy of the project, recorded as DVC does (a commit on the baseline under "
                                         "refs/exps/..., the cached outs in .dvc/cache); your files are not touched.")
                        : QStringLiteral("`dvc exp show`: the experiments of the current commit (DVC's and these), the params "
                                         "that differ and the metrics."));
    addProject(cli);
    if (what == QLatin1String("run")) {
        cli.add(QLatin1Char('S'), QStringLiteral("set-param"), QStringLiteral("A params.yaml key to change (repeatable)."),
                QStringLiteral("KEY=VALUE"));
        cli.add(QStringLiteral("name"), QStringLiteral("The experiment's name (default exp-<hash of the changes>)."),
                QStringLiteral("name"));
    }
    cli.add(QStringLiteral("json"), QStringLiteral("Print JSON on stdout."));
    if (!cli.parse(args.mid(1)))
        return cli.exitCode();
    const QString project = cli.value(QStringLiteral("project"));
    const auto toJson = [](const Experiment &e) {
        return QJsonObject{{QStringLiteral("name"), e.name},     {QStringLiteral("ref"), e.ref},
                           {QStringLiteral("commit"), e.commit}, {QStringLiteral("baseline"), e.baseline},
                           {QStringLiteral("params"), e.params}, {QStringLiteral("metrics"), e.metrics}};
    };
    if (what == QLatin1String("run")) {
        ExperimentRequest request;
        request.set = cli.rawValues(QStringLiteral("set-param"));
        request.name = cli.value(QStringLiteral("name"));
        request.toolDir = QCoreApplication::applicationDirPath();
        const Experiment e = runExperiment(project, request);
        printErr(QStringLiteral("exp run: %1 recorded as %2 (commit %3); f1 %4")
                     .arg(e.name, e.ref, e.commit.left(7))
                     .arg(e.metrics.value(QStringLiteral("f1")).toDouble(), 0, 'f', 4));
        if (cli.isSet(QStringLiteral("json")))
            printJson(toJson(e));
        return 0;
    }
    const QList<Experiment> list = listExperiments(project);
    if (cli.isSet(QStringLiteral("json"))) {
        QJsonArray all;
        for (const Experiment &e : list)
            all.append(toJson(e));
        printJson(QJsonObject{{QStringLiteral("baseline"), toJson(baselineOf(project))}, {QStringLiteral("experiments"), all}});
    } else {
        printOut(experimentsTable(list, baselineOf(project)));
    }
    return 0;
}

int repro(const QStringList &args)
{
    CommandLine cli(QStringLiteral("repro"),
                    QStringLiteral("`dvc repro` without DVC: runs the stale stages of dvc.yaml in dependency order "
                                   "(each cmd through /bin/sh in the project folder, with this program's folder first "
                                   "on PATH) and stops at the first that fails."));
    addProject(cli);
    cli.add(QStringLiteral("dry-run"), QStringLiteral("Print what would run and why; run nothing."));
    cli.add(QStringLiteral("update-lock"), QStringLiteral("Rewrite dvc.lock after a successful run."));
    cli.add(QStringLiteral("check"),
            QStringLiteral("Run every stage, then exit 1 unless every out matches dvc.lock byte for byte "
                           "(dvc.lock is not rewritten)."));
    if (!cli.parse(args))
        return cli.exitCode();
    ReproOptions options;
    options.dryRun = cli.isSet(QStringLiteral("dry-run"));
    options.check = cli.isSet(QStringLiteral("check"));
    options.updateLock = cli.isSet(QStringLiteral("update-lock"));
    if (options.check && options.updateLock) {
        printErr(QStringLiteral("modelaudit-cli repro: --check compares with dvc.lock, --update-lock rewrites it: give one"));
        return kUsageError;
    }
    options.toolDir = QCoreApplication::applicationDirPath();
    options.log = [](const QString &line) {
        std::fprintf(stdout, "%s\n", qPrintable(line));
        std::fflush(stdout); // the commands write to the same stdout
    };
    const ReproResult result = PipelineRunner(cli.value(QStringLiteral("project"))).repro(options);
    if (!result.ok()) {
        printErr(QStringLiteral("repro: %1").arg(result.failure));
        return 1;
    }
    if (options.dryRun) {
        printOut(QStringLiteral("repro: %1 of %2 stages would run").arg(result.ran().size()).arg(result.stages.size()));
        return 0;
    }
    if (options.check) {
        if (result.reproduced()) {
            printOut(QStringLiteral("repro: every out matches dvc.lock byte for byte"));
            return 0;
        }
        printOut(result.checkText());
        printErr(QStringLiteral("repro: the run does not reproduce dvc.lock (see above): find what changed, or record a "
                                "deliberate change with `modelaudit-cli repro --update-lock`"));
        return 1;
    }
    printOut(result.ran().isEmpty() ? QStringLiteral("repro: every stage is up to date")
                                    : QStringLiteral("repro: ran %1").arg(result.ran().join(QStringLiteral(", "))));
    if (options.updateLock)
        printOut(result.lockUpdated ? QStringLiteral("repro: dvc.lock updated") : QStringLiteral("repro: dvc.lock unchanged"));
    return 0;
}

} // namespace Cli
