// modelaudit-cli threshold: turning the audit into a decision.
#include "clicommands.h"
#include "clisupport.h"

#include <QCoreApplication>
#include <QFileInfo>

#include "auditcheck.h"
#include "fileio.h"
#include "mitigationrun.h"
#include "model.h"
#include "prediction.h"
#include "project.h"
#include "thresholdchoice.h"
#include "thresholdsave.h"
#include "trainer.h"

namespace Cli {

using namespace Audit;

int threshold(const QStringList &args)
{
    CommandLine cli(QStringLiteral("threshold"),
                    QStringLiteral("Chooses the operating point (decision threshold) that best meets an objective on the "
                                   "labelled rows of --data, with 95% Poisson-bootstrap intervals for the threshold and "
                                   "for the objective there, next to the model's own threshold. Name a validation split: "
                                   "choosing on the test split makes what is later reported on it optimistic (warned)."));
    cli.add(QStringLiteral("model"), QStringLiteral("Model file."), QStringLiteral("file"));
    cli.add(QStringLiteral("data"), QStringLiteral("Labelled CSV to choose on (a validation split)."), QStringLiteral("file"));
    cli.add(QStringLiteral("cv"),
            QStringLiteral("Instead of --data: choose on the K-fold out-of-fold scores of the project's training split "
                           "(params.yaml's procedure retrained K times; the test split is not touched)."),
            QStringLiteral("K"));
    cli.add(QStringLiteral("objective"),
            QStringLiteral("f1, fbeta:B, cost:R (a false negative costs R false positives), cost:fp=A,fn=B, recall:T "
                           "(best precision with recall >= T), precision:T, ppr:T (predicted-positive rate)."),
            QStringLiteral("spec"), QStringLiteral("f1"));
    cli.add(QStringLiteral("resamples"), QStringLiteral("Bootstrap resamples (0: no intervals)."), QStringLiteral("N"),
            QStringLiteral("200"));
    cli.add(QStringLiteral("seed"), QStringLiteral("Seed of the bootstrap."), QStringLiteral("N"), QStringLiteral("42"));
    cli.add(QStringLiteral("project"),
            QStringLiteral("Project folder: its params.yaml names the splits (for the warnings) and --save writes there."),
            QStringLiteral("dir"), QStringLiteral("."));
    cli.add(QStringLiteral("save"),
            QStringLiteral("Make the chosen threshold the model's: write model.threshold to the project's params.yaml, "
                           "re-run the stale pipeline stages and rewrite dvc.lock (the model must be the project's)."));
    cli.add(QStringLiteral("out"), QStringLiteral("Write the report as JSON."), QStringLiteral("file"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the report as JSON on stdout."));
    addStrict(cli);
    if (!cli.parse(args))
        return cli.exitCode();
    const bool cv = cli.isSet(QStringLiteral("cv"));
    if (cv == cli.isSet(QStringLiteral("data")))
        throw UsageError(QStringLiteral("name the rows to choose on: --data CSV (a validation split) or --cv K (the "
                                        "training split's out-of-fold scores), one of them"));
    if (!cv && !cli.isSet(QStringLiteral("model")))
        throw UsageError(QStringLiteral("--data needs --model (the model whose scores are thresholded)"));
    const Objective objective = Objective::parse(cli.value(QStringLiteral("objective")));
    const int resamples = cli.integer(QStringLiteral("resamples"), 0, 100000);
    if (resamples > 0 && resamples < 50)
        throw OptionError(QStringLiteral("resamples"),
                          QStringLiteral("%1 resamples cannot bound a 95% interval: give at least 50 (200 by default), or 0 "
                                         "for no intervals")
                              .arg(resamples));
    const auto seed = std::uint64_t(cli.integer(QStringLiteral("seed"), 0, std::numeric_limits<int>::max()));
    const QString projectDir = cli.value(QStringLiteral("project"));
    const std::optional<Project> project = Project::openIfProject(projectDir);
    if (!project && (cli.isSet(QStringLiteral("project")) || cli.isSet(QStringLiteral("save")) || cv))
        throw UsageError(QStringLiteral("%1 holds no params.yaml: not a project").arg(projectDir));
    const QString modelPath = cli.isSet(QStringLiteral("model")) ? cli.value(QStringLiteral("model")) : project->modelPath();
    if (QFileInfo::exists(modelPath)) {
        if (const Model model = Model::load(modelPath); model.groupThresholds().active())
            throw UsageError(QStringLiteral("%1 decides with thresholds %2: one threshold chosen for every row would not be "
                                            "its decision. Choose group thresholds with `mitigate`, or take them away first "
                                            "(`mitigate --remove`).")
                                 .arg(modelPath, model.groupThresholds().describe()));
    }

    OperatingPointReport report;
    if (cv) {
        const int folds = cli.integer(QStringLiteral("cv"), 2, 20);
        const double current = QFileInfo::exists(modelPath) ? Model::load(modelPath).threshold() : project->params().threshold;
        report = chooseThresholdByCrossValidation(*project, folds, objective, current, resamples, seed,
                                                  stderrProgress(QStringLiteral("threshold")));
    } else {
        const Model model = Model::load(modelPath);
        const LoadReport data = CsvReader::read(cli.value(QStringLiteral("data")), model.schema(), loadOptions(cli));
        reportRejected(data);
        const ScoredData scored = scoreDataset(model, data.data);
        report = chooseThreshold(scored, objective, model.threshold(), project ? &*project : nullptr, resamples, seed);
    }
    if (cli.isSet(QStringLiteral("json"))) // the text report carries them
        for (const QString &warning : report.warnings)
            printErr(QStringLiteral("threshold: warning: ") + warning);
    if (cli.isSet(QStringLiteral("out")))
        writeJson(cli.value(QStringLiteral("out")), report.toJson());
    if (cli.isSet(QStringLiteral("json")))
        printJson(report.toJson());
    else
        printOut(report.toText());
    if (!cli.isSet(QStringLiteral("save")))
        return 0;
    if (QFileInfo(modelPath).canonicalFilePath() != QFileInfo(project->modelPath()).canonicalFilePath())
        throw UsageError(QStringLiteral("--save writes the threshold of the project's model (%1), not of %2")
                             .arg(project->modelPath(), modelPath));
    if (!report.found)
        throw UsageError(
            QStringLiteral("--save: no threshold reaches the target (%1); nothing saved").arg(objective.description()));
    ReproOptions options;
    options.toolDir = QCoreApplication::applicationDirPath();
    options.log = [](const QString &line) { printErr(QStringLiteral("threshold: ") + line); };
    const ThresholdSave save = saveThresholdToModel(*project, report.best.threshold, options);
    if (!save.repro.ok()) {
        printErr(QStringLiteral("threshold: the pipeline failed (%1); params.yaml was put back (model.threshold %2) and %3")
                     .arg(save.repro.failure, save.previous.isEmpty() ? QStringLiteral("unset") : save.previous,
                          save.outputsRestored
                              ? QStringLiteral("the stages ran again on it: the model and reports match it")
                              : QStringLiteral("the stages ran again on it up to the one that fails: fix it and run repro")));
        return 1;
    }
    printErr(QStringLiteral("threshold: model.threshold %1 -> %2 in %3; ran %4; dvc.lock %5")
                 .arg(save.previous.isEmpty() ? QStringLiteral("unset") : save.previous, save.written, project->paramsPath(),
                      save.repro.ran().isEmpty() ? QStringLiteral("nothing") : save.repro.ran().join(QStringLiteral(", ")),
                      save.repro.lockUpdated ? QStringLiteral("updated") : QStringLiteral("unchanged")));
    return 0;
}

int check(const QStringList &args)
{
    CommandLine cli(QStringLiteral("check"),
                    QStringLiteral("The audit gate: audits the model on the data and evaluates the policy (audit.yaml: metric "
                                   "floors, weak slices, parity verdicts, calibration, the model card, regression against "
                                   "a previous version). Exit 0 when no rule fails (warning rules and skipped ones do not), "
                                   "1 when one does, 2 for bad input. Writes a Markdown summary for a pull-request comment "
                                   "and a JUnit XML report, one test case per rule."));
    cli.add(QStringLiteral("project"), QStringLiteral("Project folder."), QStringLiteral("dir"), QStringLiteral("."));
    cli.add(QStringLiteral("policy"), QStringLiteral("Policy file (default: audit.yaml in the project)."),
            QStringLiteral("file"));
    cli.add(QStringLiteral("model"), QStringLiteral("Model file (default: the project's)."), QStringLiteral("file"));
    cli.add(QStringLiteral("data"), QStringLiteral("Labelled CSV (default: the project's data.test)."), QStringLiteral("file"));
    cli.add(QStringLiteral("card"), QStringLiteral("Model card (default: the project's model_card.md)."), QStringLiteral("file"));
    cli.add(QStringLiteral("against"),
            QStringLiteral("A git revision whose model (from dvc.lock and the DVC cache) the regression rules compare with."),
            QStringLiteral("rev"));
    cli.add(QStringLiteral("threshold"), QStringLiteral("Decision threshold (default: the model's)."), QStringLiteral("t"));
    cli.add(QStringLiteral("markdown"), QStringLiteral("Write the summary as Markdown."), QStringLiteral("file"));
    cli.add(QStringLiteral("junit"), QStringLiteral("Write a JUnit XML report (one test case per rule)."),
            QStringLiteral("file"));
    cli.add(QStringLiteral("out"), QStringLiteral("Write the verdicts as JSON."), QStringLiteral("file"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the verdicts as JSON on stdout."));
    cli.add(QStringLiteral("report-only"),
            QStringLiteral("Write the reports and exit 0 even when a rule fails (the pipeline's stage: the verdict is "
                           "recorded and versioned, and a threshold or retraining that fails the policy still runs "
                           "through; CI's own check step is the gate)."));
    if (!cli.parse(args))
        return cli.exitCode();
    CheckRequest request;
    request.projectDir = cli.value(QStringLiteral("project"));
    request.policyPath = cli.value(QStringLiteral("policy"));
    request.modelPath = cli.value(QStringLiteral("model"));
    request.dataPath = cli.value(QStringLiteral("data"));
    request.cardPath = cli.value(QStringLiteral("card"));
    request.against = cli.value(QStringLiteral("against"));
    request.threshold = thresholdOption(cli);
    if (!cli.isSet(QStringLiteral("against")))
        request.against = QString(); // null: not asked for
    // Every output is checked before any is written: no partial set of reports.
    for (const char *output : {"markdown", "junit", "out"})
        if (cli.isSet(QLatin1String(output)))
            checkOutputFile(cli.value(QLatin1String(output)));
    const CheckRun run = runAuditCheck(request);
    const PolicyVerdict &v = run.verdict;
    if (cli.isSet(QStringLiteral("markdown")))
        writeFileAtomically(cli.value(QStringLiteral("markdown")), v.toMarkdown().toUtf8());
    if (cli.isSet(QStringLiteral("junit")))
        writeFileAtomically(cli.value(QStringLiteral("junit")), v.toJUnitXml());
    if (cli.isSet(QStringLiteral("out")))
        writeJson(cli.value(QStringLiteral("out")), v.toJson());
    if (cli.isSet(QStringLiteral("json")))
        printJson(v.toJson());
    else
        printOut(v.toText());
    if (!v.passed() && cli.isSet(QStringLiteral("report-only")))
        printErr(QStringLiteral("check: %1 rule(s) failed (--report-only: exit 0)").arg(v.count(RuleResult::Status::Fail)));
    return v.passed() || cli.isSet(QStringLiteral("report-only")) ? 0 : 1;
}

namespace {

int saveMitigation(const Project &project, const MitigationParams &params)
{
    ReproOptions options;
    options.toolDir = QCoreApplication::applicationDirPath();
    options.log = [](const QString &line) { printErr(QStringLiteral("mitigate: ") + line); };
    const ThresholdSave save = saveMitigationToModel(project, params, options);
    if (!save.repro.ok()) {
        printErr(QStringLiteral("mitigate: the pipeline failed (%1); params.yaml was put back (mitigation: %2) and %3")
                     .arg(save.repro.failure, save.previous.isEmpty() ? QStringLiteral("unset") : save.previous,
                          save.outputsRestored
                              ? QStringLiteral("the stages ran again on it: the model and reports match it")
                              : QStringLiteral("the stages ran again on it up to the one that fails: fix it and run repro")));
        return 1;
    }
    printErr(QStringLiteral("mitigate: mitigation %1 -> %2 in %3; ran %4; dvc.lock %5")
                 .arg(save.previous.isEmpty() ? QStringLiteral("unset") : save.previous, save.written, project.paramsPath(),
                      save.repro.ran().isEmpty() ? QStringLiteral("nothing") : save.repro.ran().join(QStringLiteral(", ")),
                      save.repro.lockUpdated ? QStringLiteral("updated") : QStringLiteral("unchanged")));
    const Model model = Model::load(project.modelPath());
    printErr(
        model.groupThresholds().active()
            ? QStringLiteral("mitigate: model %1 decides with thresholds %2").arg(model.id(), model.groupThresholds().describe())
            : QStringLiteral("mitigate: model %1 decides with one threshold, %2")
                  .arg(model.id())
                  .arg(model.threshold(), 0, 'f', 4));
    return 0;
}

} // namespace

int mitigate(const QStringList &args)
{
    CommandLine cli(QStringLiteral("mitigate"),
                    QStringLiteral("Fairness mitigation by post-processing: one threshold per group of --attribute so the "
                                   "groups' rates meet --constraint (demographic_parity: positive rates, equal_opportunity: "
                                   "true-positive rates, within --tolerance; equalized_odds: true- and false-positive rates "
                                   "equal by randomised thresholds, Hardt et al. 2016) with the best --objective. Fitted on "
                                   "--fit CSV or the training split's out-of-fold scores (--cv K), reported on --report "
                                   "CSV next to the single threshold, with a trade-off over --pareto tolerances."));
    cli.add(QStringLiteral("model"), QStringLiteral("Model file (default: the project's)."), QStringLiteral("file"));
    cli.add(QStringLiteral("attribute"), QStringLiteral("The protected attribute (a categorical column)."),
            QStringLiteral("name"));
    cli.add(QStringLiteral("constraint"), QStringLiteral("demographic_parity, equal_opportunity or equalized_odds."),
            QStringLiteral("name"), QStringLiteral("equal_opportunity"));
    cli.add(QStringLiteral("tolerance"), QStringLiteral("Largest allowed difference of the groups' rates."), QStringLiteral("d"),
            QStringLiteral("0.02"));
    cli.add(QStringLiteral("objective"), QStringLiteral("f1, fbeta:B, cost:R or cost:fp=A,fn=B."), QStringLiteral("spec"),
            QStringLiteral("f1"));
    cli.add(QStringLiteral("fit"), QStringLiteral("Labelled CSV to fit the thresholds on (a validation split)."),
            QStringLiteral("file"));
    cli.add(QStringLiteral("cv"), QStringLiteral("Instead of --fit: K-fold out-of-fold scores of the project's data.train."),
            QStringLiteral("K"));
    cli.add(QStringLiteral("report"), QStringLiteral("Labelled CSV to report on (default: the project's data.test)."),
            QStringLiteral("file"));
    cli.add(QStringLiteral("pareto"), QStringLiteral("Tolerances for the trade-off (comma-separated)."), QStringLiteral("list"),
            QStringLiteral("0,0.01,0.02,0.05,0.1,0.2,1"));
    cli.add(QStringLiteral("project"), QStringLiteral("Project folder."), QStringLiteral("dir"), QStringLiteral("."));
    cli.add(QStringLiteral("out"), QStringLiteral("Write the result as JSON."), QStringLiteral("file"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the result as JSON on stdout."));
    cli.add(QStringLiteral("apply"),
            QStringLiteral("Make these group thresholds the model's (with --cv): params.yaml's mitigation section, then the "
                           "pipeline, then dvc.lock; predict, the audit, the card and the server then use them."));
    cli.add(QStringLiteral("remove"),
            QStringLiteral("Take the model's group thresholds away (mitigation.constraint none), then the pipeline."));
    if (!cli.parse(args, {}))
        return cli.exitCode();
    if (cli.isSet(QStringLiteral("remove"))) {
        if (cli.isSet(QStringLiteral("apply")))
            throw UsageError(QStringLiteral("--apply and --remove: one of them"));
        const Project project = Project::open(cli.value(QStringLiteral("project")));
        return saveMitigation(project, MitigationParams{});
    }
    // What params.yaml's mitigation section says is the default for what is not given.
    const QString projectDir = cli.value(QStringLiteral("project"));
    const std::optional<Project> project = Project::openIfProject(projectDir);
    const MitigationParams fromParams = project ? project->params().mitigation : MitigationParams{};
    const bool defaults = fromParams.active();
    const auto option = [&](const char *name, const QString &fallback) {
        const QString key = QLatin1String(name);
        return cli.isSet(key) || !defaults ? cli.value(key) : fallback;
    };
    const QString attribute = option("attribute", fromParams.attribute);
    if (attribute.isEmpty())
        throw UsageError(QStringLiteral("--attribute is required: the protected attribute whose groups get thresholds"));
    const bool cvFromParams = defaults && !cli.isSet(QStringLiteral("cv")) && !cli.isSet(QStringLiteral("fit"));
    if (cli.isSet(QStringLiteral("apply")) && cli.isSet(QStringLiteral("fit")))
        throw UsageError(QStringLiteral("--apply fits as training does, on the training split's out-of-fold scores: give --cv "
                                        "K, not --fit"));
    if (cli.isSet(QStringLiteral("apply")) && !cli.isSet(QStringLiteral("cv")) && !cvFromParams)
        throw UsageError(QStringLiteral("--apply fits as training does, on the training split's out-of-fold scores: give --cv "
                                        "K"));
    if (!cvFromParams && cli.isSet(QStringLiteral("fit")) == cli.isSet(QStringLiteral("cv")))
        throw UsageError(QStringLiteral("name the rows to fit on: --fit CSV (a validation split) or --cv K (the training "
                                        "split's out-of-fold scores), one of them"));
    MitigationRequest request;
    request.modelPath = cli.isSet(QStringLiteral("model")) ? cli.value(QStringLiteral("model"))
        : project                                          ? project->modelPath()
                                                           : QString();
    if (request.modelPath.isEmpty())
        throw UsageError(QStringLiteral("--model is needed outside a project"));
    request.attribute = attribute;
    request.constraint = parseConstraint(option("constraint", fromParams.constraint));
    request.tolerance = cli.isSet(QStringLiteral("tolerance")) || !defaults ? cli.number(QStringLiteral("tolerance"))
                                                                            : fromParams.tolerance;
    request.objective = Objective::parse(option("objective", fromParams.objective));
    request.fitPath = cli.value(QStringLiteral("fit"));
    if (cli.isSet(QStringLiteral("cv")))
        request.folds = cli.integer(QStringLiteral("cv"), 2, 20);
    else if (cvFromParams)
        request.folds = fromParams.folds;
    if (defaults)
        printErr(QStringLiteral("mitigate: defaults from %1's mitigation section (%2 for %3, tolerance %4, %5, %6 folds); "
                                "options given override them")
                     .arg(project->paramsPath(), fromParams.constraint, fromParams.attribute)
                     .arg(fromParams.tolerance)
                     .arg(fromParams.objective)
                     .arg(fromParams.folds));
    request.reportPath = cli.isSet(QStringLiteral("report")) ? cli.value(QStringLiteral("report"))
        : project                                            ? project->auditDataPath()
                                                             : QString();
    if (request.reportPath.isEmpty())
        throw UsageError(QStringLiteral("--report is needed outside a project"));
    for (const QString &t : cli.value(QStringLiteral("pareto")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = t.trimmed().toDouble(&ok);
        if (!ok || !(v >= 0 && v <= 1))
            throw OptionError(QStringLiteral("pareto"),
                              QStringLiteral("tolerance \"%1\" of the trade-off: a number in [0, 1]").arg(t));
        request.pareto << v;
    }
    const MitigationRun run = runMitigation(request, project ? &*project : nullptr, stderrProgress(QStringLiteral("mitigate")));
    if (cli.isSet(QStringLiteral("out")))
        writeJson(cli.value(QStringLiteral("out")), run.toJson());
    if (cli.isSet(QStringLiteral("json")))
        printJson(run.toJson());
    else
        printOut(run.toText());
    if (!cli.isSet(QStringLiteral("apply")))
        return 0;
    std::fflush(stdout); // the report before the pipeline's lines, when both go to one place
    if (!project)
        throw UsageError(QStringLiteral("--apply needs a project (its params.yaml and dvc.yaml): %1 is none").arg(projectDir));
    if (!run.fitted.found)
        throw UsageError(QStringLiteral("--apply: no group thresholds meet the constraint; nothing saved"));
    MitigationParams params;
    params.constraint = constraintName(request.constraint);
    params.attribute = request.attribute;
    params.tolerance = request.tolerance;
    params.objective = request.objective.spec();
    params.folds = request.folds;
    return saveMitigation(*project, params);
}

} // namespace Cli
