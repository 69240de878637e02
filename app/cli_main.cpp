#include <cstdio>
#include <exception>
#include <functional>
#include <map>

#include <memory>

#include <cerrno>

#include <sys/stat.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QGuiApplication>

#include "auditerror.h"
#include "clicommands.h"
#include "dvccommands.h"

namespace {

struct Command
{
    std::function<int(const QStringList &)> run;
    const char *summary;
};

const std::map<QString, Command> &commands()
{
    static const std::map<QString, Command> table = {
        {QStringLiteral("clean"), {Cli::clean, "normalise a raw CSV (trim spaces, LF, RFC 4180 quoting)"}},
        {QStringLiteral("split"), {Cli::split, "deterministic train/test split (--stratify)"}},
        {QStringLiteral("train"), {Cli::train, "train a model from params.yaml (--cv K: k-fold report)"}},
        {QStringLiteral("evaluate"), {Cli::evaluate, "metrics of a model on labelled data (metrics.json)"}},
        {QStringLiteral("predict"), {Cli::predict, "score a CSV: adds score, prediction, label_value"}},
        {QStringLiteral("slices"), {Cli::slices, "per-slice performance with intervals, intersections, weak slices"}},
        {QStringLiteral("bias"), {Cli::bias, "Aequitas-style group metrics, disparities and fairness verdicts"}},
        {QStringLiteral("explain"), {Cli::explain, "per-column attributions (SHAP) of each row; --counterfactuals"}},
        {QStringLiteral("importance"), {Cli::importance, "mean |SHAP| and permutation importance, overall and per slice"}},
        {QStringLiteral("calibration"), {Cli::calibration, "reliability diagram and ECE, overall and per group"}},
        {QStringLiteral("pdp"), {Cli::pdp, "partial dependence with ICE curves for one column"}},
        {QStringLiteral("threshold"), {Cli::threshold, "choose the threshold for an objective (F-beta, cost, targets)"}},
        {QStringLiteral("mitigate"),
         {Cli::mitigate, "group thresholds for a fairness constraint, fitted on one split, reported on another"}},
        {QStringLiteral("check"), {Cli::check, "the audit gate: evaluate audit.yaml; exit 0 pass, 1 fail (JUnit, Markdown)"}},
        {QStringLiteral("card"), {Cli::card, "refresh a model card's numbers; export md, html, pdf or json"}},
        {QStringLiteral("report"), {Cli::report, "one-file audit report (HTML, and PDF with --pdf) at a threshold"}},
        {QStringLiteral("serve"), {Cli::serve, "local HTTP predict endpoint (127.0.0.1:8000 by default)"}},
        {QStringLiteral("versions"), {Cli::versions, "pipeline status and every version of dvc.lock with its metrics"}},
        {QStringLiteral("diff"), {Cli::diff, "compare two versions: metrics, params, worse slices, parity flips"}},
        {QStringLiteral("lock"), {Cli::lock, "write dvc.lock from the workspace (as dvc commit)"}},
        {QStringLiteral("pull"), {Cli::pull, "fetch DVC-tracked data from a local or http remote (as dvc pull)"}},
        {QStringLiteral("push"), {Cli::push, "send DVC-tracked data to a local or http remote (as dvc push)"}},
        {QStringLiteral("exp"), {Cli::exp, "run and list experiments, recorded as DVC records them (exp run -S K=V, exp show)"}},
        {QStringLiteral("repro"), {Cli::repro, "run the stale stages of dvc.yaml in order (as dvc repro; --check)"}},
    };
    return table;
}

// The exit code for each kind of error: 2 when the user's command or input is at fault.
int exitCode(Audit::ErrorKind kind)
{
    return kind == Audit::ErrorKind::Internal ? 1 : 2;
}

// The option that sets each core setting an OptionError names.
QString flagFor(const QString &field)
{
    static const std::map<QString, QString> flags{
        {QStringLiteral("bins"), QStringLiteral("--bins")},
        {QStringLiteral("cross"), QStringLiteral("--cross")},
        {QStringLiteral("features"), QStringLiteral("--features")},
        {QStringLiteral("min_size"), QStringLiteral("--min-size")},
        {QStringLiteral("weak_margin"), QStringLiteral("--weak-margin")},
        {QStringLiteral("tau"), QStringLiteral("--tau")},
        {QStringLiteral("attributes"), QStringLiteral("--attributes")},
        {QStringLiteral("reference"), QStringLiteral("--ref")},
        {QStringLiteral("test_size"), QStringLiteral("--test-size")},
        {QStringLiteral("folds"), QStringLiteral("--cv")},
        {QStringLiteral("threshold"), QStringLiteral("--threshold")},
        {QStringLiteral("objective"), QStringLiteral("--objective")},
        {QStringLiteral("resamples"), QStringLiteral("--resamples")},
        {QStringLiteral("constraint"), QStringLiteral("--constraint")},
        {QStringLiteral("tolerance"), QStringLiteral("--tolerance")},
        {QStringLiteral("pareto"), QStringLiteral("--pareto")},
        {QStringLiteral("fdr_q"), QStringLiteral("--fdr-q")},
        {QStringLiteral("min_positives"), QStringLiteral("--min-positives")},
        {QStringLiteral("min_group_size"), QStringLiteral("--min-group-size")},
        {QStringLiteral("min_events"), QStringLiteral("--min-events")},
        {QStringLiteral("alpha"), QStringLiteral("--alpha")},
    };
    const auto found = flags.find(field);
    return found == flags.end() ? QString() : found->second;
}

void printUsage(std::FILE *to)
{
    std::fprintf(to, "Usage: modelaudit-cli <command> [options]\n\nCommands:\n");
    for (const auto &[name, command] : commands())
        std::fprintf(to, "  %-10s %s\n", qPrintable(name), command.summary);
    std::fprintf(to,
                 "\nRun `modelaudit-cli <command> --help` for a command's options.\n"
                 "Exit codes: 0 ok, 2 bad input or usage, 1 other failure.\n");
}

} // namespace

int main(int argc, char *argv[])
{
    // Rendering a card or a report (HTML, PDF) needs fonts, so `card` and `report` run a
    // QGuiApplication on the offscreen platform: still no display needed.
    const bool gui = argc > 1 && (qstrcmp(argv[1], "card") == 0 || qstrcmp(argv[1], "report") == 0);
    if (gui && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // The offscreen platform asks for a runtime directory; without a session (cron, CI, a
    // service) there is none and Qt warns on stderr. A private one under /tmp, as Qt would use.
    if (gui && qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
        const QByteArray dir = "/tmp/runtime-" + QByteArray::number(::getuid());
        if (::mkdir(dir.constData(), 0700) == 0 || errno == EEXIST) {
            struct stat info
            {};
            if (::lstat(dir.constData(), &info) == 0 && S_ISDIR(info.st_mode) && info.st_uid == ::getuid()
                && (info.st_mode & 0777) == 0700)
                qputenv("XDG_RUNTIME_DIR", dir);
        }
    }
    std::unique_ptr<QCoreApplication> app = gui ? std::make_unique<QGuiApplication>(argc, argv)
                                                : std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("modelaudit-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MODELAUDIT_VERSION));

    QStringList args = QCoreApplication::arguments().mid(1);
    if (args.isEmpty()) {
        printUsage(stderr);
        return 2;
    }
    const QString name = args.takeFirst();
    if (name == QLatin1String("--help") || name == QLatin1String("-h") || name == QLatin1String("help")) {
        printUsage(stdout);
        return 0;
    }
    if (name == QLatin1String("--version") || name == QLatin1String("version")) {
        std::printf("modelaudit-cli %s\n", MODELAUDIT_VERSION);
        return 0;
    }
    const auto found = commands().find(name);
    if (found == commands().end()) {
        std::fprintf(stderr, "modelaudit-cli: unknown command \"%s\"\n\n", qPrintable(name));
        printUsage(stderr);
        return 2;
    }
    try {
        return found->second.run(args);
    } catch (const Audit::OptionError &e) {
        // Core names the setting; the flag that sets it is the CLI's to say.
        const QString flag = flagFor(e.field());
        std::fprintf(stderr, "modelaudit-cli %s: error: %s%s\n", qPrintable(name), e.what(),
                     flag.isEmpty() ? "" : qPrintable(QStringLiteral(" (%1)").arg(flag)));
        return exitCode(e.kind());
    } catch (const Audit::AuditError &e) {
        std::fprintf(stderr, "modelaudit-cli %s: error: %s\n", qPrintable(name), e.what());
        return exitCode(e.kind());
    } catch (const std::exception &e) {
        std::fprintf(stderr, "modelaudit-cli %s: internal error: %s\n", qPrintable(name), e.what());
        return 1;
    }
}
