#include "clicommands.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>

#include "auditerror.h"
#include "commandline.h"
#include "dvcworkspace.h"
#include "fileio.h"
#include "project.h"
#include "versionaudit.h"
#include "versiondiff.h"

// The version subcommands: versions, diff, lock.
namespace Cli {

using namespace Audit;

namespace {

void addProject(CommandLine &cli)
{
    cli.add(QStringLiteral("project"), QStringLiteral("Project folder (holds dvc.yaml)."), QStringLiteral("dir"),
            QStringLiteral("."));
}

// The headline metrics of a version for one line of the history: F1, ROC AUC, accuracy
// when the metrics file has them, else its first three numbers.
QString headline(const Version &v)
{
    QStringList parts;
    for (const QString &name : {QStringLiteral("f1"), QStringLiteral("roc_auc"), QStringLiteral("accuracy")}) {
        if (const std::optional<double> value = v.metric(name))
            parts << QStringLiteral("%1 %2").arg(name, QString::number(*value, 'f', 4));
    }
    for (auto it = v.metrics.begin(); parts.isEmpty() && it != v.metrics.end() && parts.size() < 3; ++it)
        parts << QStringLiteral("%1 %2").arg(it.key().section(QLatin1Char(':'), 1),
                                             QString::number(it.value().toDouble(), 'g', 4));
    return parts.isEmpty() ? QStringLiteral("(no metrics committed)") : parts.join(QStringLiteral("  "));
}

QJsonObject versionJson(const Version &v)
{
    return QJsonObject{{QStringLiteral("rev"), v.rev},
                       {QStringLiteral("label"), v.label},
                       {QStringLiteral("date"), v.isWorkspace() ? QJsonValue() : QJsonValue(v.commit.time.toString(Qt::ISODate))},
                       {QStringLiteral("author"), v.isWorkspace() ? QJsonValue() : QJsonValue(v.commit.author)},
                       {QStringLiteral("message"), v.isWorkspace() ? QJsonValue() : QJsonValue(v.commit.summary)},
                       {QStringLiteral("metrics"), v.metrics},
                       {QStringLiteral("params"), v.params}};
}

} // namespace

int versions(const QStringList &args)
{
    CommandLine cli(QStringLiteral("versions"),
                    QStringLiteral("Pipeline status (every tracked artifact and stage, as `dvc status`) "
                                   "and the versions: every commit that changed dvc.lock, with "
                                   "its metrics and params."));
    addProject(cli);
    cli.add(QStringLiteral("json"), QStringLiteral("Print everything as JSON on stdout."));
    cli.add(QStringLiteral("check"),
            QStringLiteral("Only the status; exit 1 unless every stage and artifact matches dvc.lock "
                           "(for CI: the committed lock is true)."));
    if (!cli.parse(args))
        return cli.exitCode();
    const QString dir = cli.value(QStringLiteral("project"));
    const WorkspaceStatus status = workspaceStatus(dir);
    if (cli.isSet(QStringLiteral("check"))) {
        printOut(status.toText());
        if (status.upToDate())
            return 0;
        printErr(QStringLiteral("versions: the workspace differs from dvc.lock (see above): run the pipeline (`dvc repro` or "
                                "`modelaudit-cli repro`), or `modelaudit-cli lock` after a deliberate change"));
        return 1;
    }
    QList<Version> history;
    QString historyProblem;
    try {
        history = VersionStore(dir).history();
    } catch (const AuditError &e) {
        historyProblem = e.message(); // status still stands without git
    }
    if (cli.isSet(QStringLiteral("json"))) {
        QJsonArray list;
        for (const Version &v : std::as_const(history))
            list.append(versionJson(v));
        QJsonObject out = status.toJson();
        out.insert(QStringLiteral("versions"), list);
        if (!historyProblem.isEmpty())
            out.insert(QStringLiteral("versions_problem"), historyProblem);
        printJson(out);
        return 0;
    }
    QString text = status.toText();
    text += QStringLiteral("Versions (commits that changed dvc.lock), newest first:\n");
    if (!historyProblem.isEmpty())
        text += QStringLiteral("  %1\n").arg(historyProblem);
    else if (history.isEmpty())
        text += QStringLiteral("  (none: commit dvc.lock to make the first version)\n");
    for (const Version &v : std::as_const(history)) {
        text += v.isWorkspace() ? QStringLiteral("  %1  %2  (uncommitted)\n").arg(v.label, -9).arg(headline(v))
                                : QStringLiteral("  %1  %2  %3  %4\n      %5\n")
                                      .arg(v.label, -9)
                                      .arg(v.commit.time.toString(QStringLiteral("yyyy-MM-dd HH:mm")), v.commit.summary.left(60),
                                           v.commit.author, headline(v));
    }
    printOut(text);
    return 0;
}

int diff(const QStringList &args)
{
    CommandLine cli(QStringLiteral("diff"),
                    QStringLiteral("Compares two versions: metrics (as `dvc metrics diff`), params (as `dvc params "
                                   "diff`), slices that got worse or better beyond chance (a two-sample test of each "
                                   "slice's F1 counts, Benjamini-Hochberg corrected) and parity verdicts that flipped. "
                                   "A revision is anything git names (HEAD~1, a tag, a hash) or "
                                   "\"workspace\"."));
    cli.addPositional(QStringLiteral("REV_A"), QStringLiteral("The older version."), true);
    cli.addPositional(QStringLiteral("REV_B"), QStringLiteral("The newer version (default: workspace)."), false);
    addProject(cli);
    cli.add(QStringLiteral("all"), QStringLiteral("List unchanged metrics, params and slices too."));
    cli.add(QStringLiteral("audit"),
            QStringLiteral("Instead of the committed reports, audit both versions' models (from the DVC "
                           "cache) on this labelled CSV."),
            QStringLiteral("csv"));
    cli.add(QStringLiteral("model"), QStringLiteral("With --audit: the model's path in dvc.lock."), QStringLiteral("path"),
            QLatin1String(Project::kModelFile));
    cli.add(QStringLiteral("versioned-data"),
            QStringLiteral("With --audit: each version's own copy of the CSV (a path in dvc.lock, "
                           "from the DVC cache) instead of today's file."));
    cli.add(QStringLiteral("top"), QStringLiteral("Worse and better slices to list."), QStringLiteral("n"), QStringLiteral("15"));
    cli.add(QStringLiteral("fdr-q"),
            QStringLiteral("False-discovery rate: a slice got worse or better when its Benjamini-Hochberg q is at most this."),
            QStringLiteral("q"), QStringLiteral("0.05"));
    cli.add(QStringLiteral("min-positives"), QStringLiteral("Label positives a slice needs in both versions to be tested."),
            QStringLiteral("n"), QStringLiteral("10"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the diff as JSON on stdout."));
    if (!cli.parse(args))
        return cli.exitCode();
    if (!cli.isSet(QStringLiteral("audit"))) {
        for (const char *option : {"model", "versioned-data"}) {
            if (cli.isSet(QLatin1String(option)))
                throw UsageError(QStringLiteral("--%1 goes with --audit CSV (auditing both versions' models); without "
                                                "it the diff compares the committed reports")
                                     .arg(QLatin1String(option)));
        }
    }
    const VersionStore store(cli.value(QStringLiteral("project")));
    const QString revA = cli.positional(0);
    const QString revB = cli.positional(1).isEmpty() ? kWorkspace : cli.positional(1);
    SliceDiffOptions sliceOptions;
    sliceOptions.fdrQ = cli.number(QStringLiteral("fdr-q"));
    sliceOptions.minPositives = cli.integer(QStringLiteral("min-positives"));
    VersionDiff result;
    if (cli.isSet(QStringLiteral("audit"))) {
        const QString model = cli.value(QStringLiteral("model"));
        const QString data = cli.value(QStringLiteral("audit"));
        const bool versioned = cli.isSet(QStringLiteral("versioned-data"));
        result = diffAudits(auditVersion(store, revA, model, data, versioned), auditVersion(store, revB, model, data, versioned),
                            sliceOptions);
    } else {
        result = diffVersions(store, revA, revB, sliceOptions);
    }
    const bool all = cli.isSet(QStringLiteral("all"));
    if (cli.isSet(QStringLiteral("json")))
        printJson(result.toJson(all));
    else
        printOut(result.toText(all, cli.integer(QStringLiteral("top"))));
    return 0;
}

int lock(const QStringList &args)
{
    CommandLine cli(QStringLiteral("lock"),
                    QStringLiteral("Writes dvc.lock from the workspace, as `dvc commit` would after a run: "
                                   "md5 and size of every dep and out, and the params of every stage."));
    addProject(cli);
    if (!cli.parse(args))
        return cli.exitCode();
    const QString dir = cli.value(QStringLiteral("project"));
    writeFileAtomically(QDir(dir).filePath(QStringLiteral("dvc.lock")), lockYaml(dir));
    printErr(QStringLiteral("lock: wrote %1").arg(QDir(dir).filePath(QStringLiteral("dvc.lock"))));
    return 0;
}

} // namespace Cli
