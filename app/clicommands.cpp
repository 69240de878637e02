#include "clicommands.h"

#include "clisupport.h"
#include "commandline.h"

#include <csignal>
#include <cstdio>
#include <optional>
#include <unistd.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSocketNotifier>

#include "auditdataset.h"
#include "biasreport.h"
#include "biassummary.h"
#include "cardexport.h"
#include "cardrenderer.h"
#include "datacleaner.h"
#include "datasplitter.h"
#include "evaluation.h"
#include "explainreport.h"
#include "fileio.h"
#include "listenerror.h"
#include "mitigationrun.h"
#include "modelcard.h"
#include "prediction.h"
#include "project.h"
#include "record.h"
#include "reportexport.h"
#include "schemaerror.h"
#include "serverpool.h"
#include "slicereport.h"
#include "threshold.h"
#include "trainer.h"

namespace Cli {

using namespace Audit;

// The helpers every command shares (clisupport.h declares those other files use).

// Every command that reads data rows: --strict, and --delimiter for a file the schema's
// delimiter (or the detection) gets wrong.
void addStrict(CommandLine &cli)
{
    cli.add(QStringLiteral("strict"), QStringLiteral("Stop at the first bad row instead of skipping it."));
    cli.add(QStringLiteral("delimiter"),
            QStringLiteral("Field separator of the data: \",\", \";\", tab, \"|\" (default: the schema's delimiter, "
                           "else detected from the first line)."),
            QStringLiteral("char"));
}

char delimiterOption(const CommandLine &cli)
{
    if (!cli.isSet(QStringLiteral("delimiter")))
        return 0;
    const QString text = cli.value(QStringLiteral("delimiter"));
    if (text == QLatin1String("tab") || text == QLatin1String("\\t") || text == QLatin1String("\t"))
        return '\t';
    if (text == QLatin1String(",") || text == QLatin1String(";") || text == QLatin1String("|"))
        return text.front().toLatin1();
    throw UsageError(QStringLiteral("--delimiter: expected \",\", \";\", tab or \"|\", found \"%1\"").arg(text));
}

void addSchemaOptions(CommandLine &cli)
{
    cli.add(QStringLiteral("schema"), QStringLiteral("Dataset schema YAML (default: data.schema from --params)."),
            QStringLiteral("file"));
    cli.add(QStringLiteral("params"), QStringLiteral("Parameters YAML."), QStringLiteral("file"),
            QLatin1String(Project::kParamsFile));
}

TrainParams loadParams(const CommandLine &cli)
{
    const QString path = cli.value(QStringLiteral("params"));
    if (!QFileInfo::exists(path)) {
        if (cli.isSet(QStringLiteral("params")) || cli.value(QStringLiteral("schema")).isEmpty())
            throw UsageError(QStringLiteral("%1: no such params file. Fix: pass --params FILE (and --schema FILE).").arg(path));
        TrainParams defaults;
        defaults.schemaPath = cli.value(QStringLiteral("schema"));
        return defaults;
    }
    TrainParams params = TrainParams::fromYamlFile(path);
    if (!cli.value(QStringLiteral("schema")).isEmpty())
        params.schemaPath = cli.value(QStringLiteral("schema"));
    if (params.schemaPath.isEmpty())
        throw UsageError(QStringLiteral("%1: data.schema is not set and --schema was not given").arg(path));
    return params;
}

LoadOptions loadOptions(const CommandLine &cli)
{
    LoadOptions options;
    options.strict = cli.isSet(QStringLiteral("strict"));
    options.delimiter = delimiterOption(cli);
    return options;
}

void reportRejected(const LoadReport &report)
{
    if (!report.rejected.isEmpty())
        printErr(report.rejectedSummary() + QStringLiteral("\n  (--strict stops at the first bad row instead)"));
}

void reportUnseen(const EncodeReport &report)
{
    if (!report.unseen.isEmpty())
        printErr(QStringLiteral("warning: ") + report.summary());
    if (!report.imputed.isEmpty())
        printErr(QStringLiteral("note: ") + report.imputedSummary());
}

// Prints "train: <stage>" to stderr when the stage changes, at most every 250 ms.
Progress stderrProgress(const QString &command)
{
    auto timer = std::make_shared<QElapsedTimer>();
    auto last = std::make_shared<QString>();
    timer->start();
    Progress progress;
    progress.report = [command, timer, last](int done, int total, const QString &stage) {
        if ((stage == *last || timer->elapsed() < 250) && done != total)
            return;
        *last = stage;
        timer->restart();
        std::fprintf(stderr, "%s: %3d%% %s\n", qPrintable(command), total > 0 ? 100 * done / total : 0, qPrintable(stage));
    };
    return progress;
}

void writeJson(const QString &path, const QJsonObject &json)
{
    writeFileAtomically(path, QJsonDocument(json).toJson(QJsonDocument::Indented));
}

void addScoredInputOptions(CommandLine &cli)
{
    cli.add(QStringLiteral("model"), QStringLiteral("Model file (with --data)."), QStringLiteral("file"));
    cli.add(QStringLiteral("data"), QStringLiteral("Labelled CSV to score with --model."), QStringLiteral("file"));
    cli.add(QStringLiteral("scores"), QStringLiteral("A scored CSV from any model, instead of --model/--data."),
            QStringLiteral("file"));
    cli.add(QStringLiteral("score-col"), QStringLiteral("Score column of --scores."), QStringLiteral("name"),
            QStringLiteral("score"));
    cli.add(QStringLiteral("label-col"), QStringLiteral("Label column of --scores."), QStringLiteral("name"),
            QStringLiteral("label_value"));
    cli.add(QStringLiteral("threshold"),
            QStringLiteral("Decision threshold (default: the model's; needed for "
                           "non-binary --scores)."),
            QStringLiteral("t"));
    cli.add(QStringLiteral("label-positive"), QStringLiteral("Positive value of a text label in --scores."),
            QStringLiteral("value"));
    addStrict(cli);
}

// --threshold T, when given (an OptionError outside [0, 1], which the CLI reports with the flag).
std::optional<double> thresholdOption(const CommandLine &cli)
{
    if (!cli.isSet(QStringLiteral("threshold")))
        return std::nullopt;
    return checkedThreshold(cli.number(QStringLiteral("threshold")));
}

// The audit source from --model/--data or --scores and its column options.
AuditSource auditSource(const CommandLine &cli)
{
    AuditSource source;
    source.modelPath = cli.value(QStringLiteral("model"));
    source.dataPath = cli.value(QStringLiteral("data"));
    source.load = loadOptions(cli);
    source.scoresPath = cli.value(QStringLiteral("scores"));
    source.scored.scoreColumn = cli.value(QStringLiteral("score-col"));
    source.scored.labelColumn = cli.value(QStringLiteral("label-col"));
    source.scored.labelPositive = cli.value(QStringLiteral("label-positive"));
    source.scored.threshold = thresholdOption(cli);
    if (source.scoresPath.isEmpty() == source.modelPath.isEmpty() || source.modelPath.isEmpty() != source.dataPath.isEmpty())
        throw UsageError(QStringLiteral("give either --model FILE --data CSV, or --scores CSV"));
    return source;
}

// An audit of the --model/--data or --scores source at --threshold (default: the model's).
AuditRequest auditRequest(const CommandLine &cli)
{
    AuditRequest request;
    request.source = auditSource(cli);
    request.threshold = thresholdOption(cli);
    return request;
}

void reportAudit(const DatasetAudit &audit)
{
    if (!audit.rejected.isEmpty())
        reportRejected(LoadReport{{}, audit.rejected});
}

int clean(const QStringList &args)
{
    CommandLine cli(QStringLiteral("clean"),
                    QStringLiteral("Writes a cleaned copy of a CSV file: spaces around fields removed, LF line ends, "
                                   "blank lines and rows with the wrong field count dropped."));
    cli.add(QStringLiteral("in"), QStringLiteral("Raw CSV file."), QStringLiteral("file"));
    cli.add(QStringLiteral("out"), QStringLiteral("Cleaned CSV file to write."), QStringLiteral("file"));
    cli.add(QStringLiteral("schema"),
            QStringLiteral("Dataset schema YAML: its delimiter is kept, and a file without a header line "
                           "(header: false) gets the schema's column names (default: data.schema from --params "
                           "when that file exists)."),
            QStringLiteral("file"));
    cli.add(QStringLiteral("params"), QStringLiteral("Parameters YAML."), QStringLiteral("file"),
            QLatin1String(Project::kParamsFile));
    addStrict(cli);
    if (!cli.parse(args, {QStringLiteral("in"), QStringLiteral("out")}))
        return cli.exitCode();
    CleanOptions options;
    options.strict = cli.isSet(QStringLiteral("strict"));
    options.delimiter = delimiterOption(cli);
    std::optional<Schema> schema; // as split and train: --schema, else data.schema of --params or ./params.yaml
    if (cli.isSet(QStringLiteral("schema")) || cli.isSet(QStringLiteral("params"))
        || QFileInfo::exists(cli.value(QStringLiteral("params"))))
        schema = Schema::fromYamlFile(loadParams(cli).schemaPath);
    options.schema = schema ? &*schema : nullptr;
    const CleanReport report = cleanCsv(cli.value(QStringLiteral("in")), cli.value(QStringLiteral("out")), options);
    for (const RejectedRow &row : report.rejected)
        printErr(QStringLiteral("dropped ") + row.message);
    printErr(QStringLiteral("clean: %1 rows written to %2 (%3 dropped)")
                 .arg(report.rows)
                 .arg(cli.value(QStringLiteral("out")))
                 .arg(report.rejected.size()));
    return 0;
}

int split(const QStringList &args)
{
    CommandLine cli(QStringLiteral("split"),
                    QStringLiteral("Splits a CSV file into train and test files, "
                                   "deterministically for a given seed."));
    cli.add(QStringLiteral("in"), QStringLiteral("CSV file to split."), QStringLiteral("file"));
    cli.add(QStringLiteral("train"), QStringLiteral("Train file to write."), QStringLiteral("file"));
    cli.add(QStringLiteral("test"), QStringLiteral("Test file to write."), QStringLiteral("file"));
    cli.add(QStringLiteral("test-size"),
            QStringLiteral("Fraction of rows for the test file (default: split.test_size "
                           "in --params, else 0.2)."),
            QStringLiteral("fraction"));
    cli.add(QStringLiteral("seed"), QStringLiteral("Random seed (default: split.seed in --params, else 42)."),
            QStringLiteral("n"));
    cli.add(QStringLiteral("stratify"),
            QStringLiteral("Keep the label's class proportions in both files (the label "
                           "column comes from the schema)."));
    cli.add(QStringLiteral("stratify-column"), QStringLiteral("Stratify on this column instead of the label."),
            QStringLiteral("name"));
    addSchemaOptions(cli);
    addStrict(cli);
    if (!cli.parse(args, {QStringLiteral("in"), QStringLiteral("train"), QStringLiteral("test")}))
        return cli.exitCode();
    // Defaults come from params.yaml's split section when it exists; options override them.
    SplitOptions options;
    const QString paramsPath = cli.value(QStringLiteral("params"));
    bool stratify = cli.isSet(QStringLiteral("stratify"));
    if (QFileInfo::exists(paramsPath)) {
        const SplitParams fromFile = SplitParams::fromYamlFile(paramsPath);
        options.testSize = fromFile.testSize;
        options.seed = fromFile.seed;
        stratify = stratify || fromFile.stratify;
    }
    if (cli.isSet(QStringLiteral("test-size")))
        options.testSize = cli.number(QStringLiteral("test-size"));
    if (cli.isSet(QStringLiteral("seed"))) {
        bool seedOk = false;
        options.seed = cli.value(QStringLiteral("seed")).toULongLong(&seedOk);
        if (!seedOk)
            throw UsageError(
                QStringLiteral("--seed: expected a whole number, found \"%1\"").arg(cli.value(QStringLiteral("seed"))));
    }
    options.stratifyColumn = cli.value(QStringLiteral("stratify-column"));
    options.delimiter = delimiterOption(cli);
    // The schema, where there is one, says whether the file may lack its header line.
    std::optional<Schema> schema;
    if (QFileInfo::exists(paramsPath) || cli.isSet(QStringLiteral("schema")))
        schema = Schema::fromYamlFile(loadParams(cli).schemaPath);
    options.schema = schema ? &*schema : nullptr;
    if (stratify && options.stratifyColumn.isEmpty())
        options.stratifyColumn = (schema ? *schema : Schema::fromYamlFile(loadParams(cli).schemaPath)).labelColumn();
    const SplitReport report = splitCsv(cli.value(QStringLiteral("in")), cli.value(QStringLiteral("train")),
                                        cli.value(QStringLiteral("test")), options);
    printErr(QStringLiteral("split: %1 train rows, %2 test rows").arg(report.trainRows).arg(report.testRows));
    return 0;
}

int train(const QStringList &args)
{
    CommandLine cli(QStringLiteral("train"),
                    QStringLiteral("Trains a model with the learner and hyper-parameters in "
                                   "params.yaml; --cv K cross-validates instead (or too)."));
    cli.add(QStringLiteral("data"), QStringLiteral("Labelled training CSV."), QStringLiteral("file"));
    cli.add(QStringLiteral("out"), QStringLiteral("Model file to write."), QStringLiteral("file"));
    cli.add(QStringLiteral("cv"), QStringLiteral("Report K-fold cross-validated metrics (mean ± sd)."), QStringLiteral("K"));
    cli.add(QStringLiteral("cv-out"), QStringLiteral("Write the cross-validation report as JSON."), QStringLiteral("file"));
    cli.add(QStringLiteral("learner"),
            QStringLiteral("Override model.learner: logistic, linear_svm, random_forest, mlp, xgboost."), QStringLiteral("name"));
    cli.add(QStringLiteral("calibration"),
            QStringLiteral("Override model.calibration: none, platt, isotonic (fit on held-out training rows)."),
            QStringLiteral("method"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the report as JSON on stdout."));
    addSchemaOptions(cli);
    addStrict(cli);
    if (!cli.parse(args, {QStringLiteral("data")}))
        return cli.exitCode();
    if (cli.value(QStringLiteral("out")).isEmpty() && cli.value(QStringLiteral("cv")).isEmpty()) {
        printErr(QStringLiteral("modelaudit-cli train: give --out FILE, --cv K, or both."));
        return kUsageError;
    }
    TrainParams params = loadParams(cli);
    if (cli.isSet(QStringLiteral("learner")))
        params.learner.kind = enumOption<LearnerKind>(cli, QStringLiteral("learner"));
    if (cli.isSet(QStringLiteral("calibration")))
        params.calibration = enumOption<CalibrationMethod>(cli, QStringLiteral("calibration"));
    const Schema schema = Schema::fromYamlFile(params.schemaPath);
    const LoadReport data = CsvReader::read(cli.value(QStringLiteral("data")), schema, loadOptions(cli));
    reportRejected(data);

    QJsonObject json{{QStringLiteral("learner"), enumName(params.learner.kind)}};
    if (cli.isSet(QStringLiteral("cv"))) {
        const int folds = cli.integer(QStringLiteral("cv"), 2, 1000);
        const CrossValidationReport cv = crossValidate(data.data, params, folds, stderrProgress(QStringLiteral("cv")));
        printErr(cv.toText());
        json.insert(QStringLiteral("cv"), cv.toJson());
        if (cli.isSet(QStringLiteral("cv-out")))
            writeJson(cli.value(QStringLiteral("cv-out")), cv.toJson());
    }
    if (cli.isSet(QStringLiteral("out"))) {
        const Model model = trainProjectModel(data.data, params, stderrProgress(QStringLiteral("train")));
        model.save(cli.value(QStringLiteral("out")));
        printErr(QStringLiteral("train: %1 model %2 written to %3 (threshold %4, training F1 %5)")
                     .arg(enumName(model.params().kind), model.id(), cli.value(QStringLiteral("out")))
                     .arg(model.threshold(), 0, 'f', 4)
                     .arg(model.training().trainMetrics.f1, 0, 'f', 4));
        if (model.calibration().active()) {
            const ScoreCalibration &c = model.calibration();
            printErr(QStringLiteral("train: calibrated with %1, fit on %2: Brier %3 -> %4, log loss %5 -> %6 on those "
                                    "rows (in-sample for the map; `calibration --data` on the test split shows "
                                    "before/after out of sample)")
                         .arg(c.describe(), c.fitOn)
                         .arg(c.before.brier, 0, 'f', 4)
                         .arg(c.after.brier, 0, 'f', 4)
                         .arg(c.before.logLoss, 0, 'f', 4)
                         .arg(c.after.logLoss, 0, 'f', 4));
        }
        json.insert(QStringLiteral("model"), model.describe());
    }
    if (cli.isSet(QStringLiteral("json")))
        printJson(json);
    return 0;
}

int evaluate(const QStringList &args)
{
    CommandLine cli(QStringLiteral("evaluate"),
                    QStringLiteral("Evaluates a model on labelled data and writes "
                                   "metrics.json."));
    cli.add(QStringLiteral("model"), QStringLiteral("Model file."), QStringLiteral("file"));
    cli.add(QStringLiteral("data"), QStringLiteral("Labelled CSV (raw or cleaned)."), QStringLiteral("file"));
    cli.add(QStringLiteral("out"), QStringLiteral("Metrics JSON to write."), QStringLiteral("file"));
    cli.add(QStringLiteral("threshold"), QStringLiteral("Decision threshold (default: the model's)."), QStringLiteral("t"));
    cli.add(QStringLiteral("beta"), QStringLiteral("F-beta's beta."), QStringLiteral("b"), QStringLiteral("1"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the metrics as JSON on stdout."));
    addStrict(cli);
    if (!cli.parse(args, {QStringLiteral("model"), QStringLiteral("data")}))
        return cli.exitCode();
    const Model model = Model::load(cli.value(QStringLiteral("model")));
    const LoadReport data = CsvReader::read(cli.value(QStringLiteral("data")), model.schema(), loadOptions(cli));
    reportRejected(data);
    const std::optional<double> threshold = thresholdOption(cli);
    const EvaluationReport report = evaluateModel(model, data, cli.number(QStringLiteral("beta")), threshold);
    reportUnseen(report.encode);
    if (cli.isSet(QStringLiteral("out")))
        writeJson(cli.value(QStringLiteral("out")), report.toJson());
    if (cli.isSet(QStringLiteral("json")))
        printJson(report.toJson());
    else
        printErr(report.toText());
    return 0;
}

int predict(const QStringList &args)
{
    CommandLine cli(QStringLiteral("predict"),
                    QStringLiteral("Scores every row of a CSV file and writes the rows with "
                                   "score, prediction and (if labelled) label_value."));
    cli.add(QStringLiteral("model"), QStringLiteral("Model file."), QStringLiteral("file"));
    cli.add(QStringLiteral("data"), QStringLiteral("CSV to score (the label column is optional)."), QStringLiteral("file"));
    cli.add(QStringLiteral("out"), QStringLiteral("CSV to write."), QStringLiteral("file"));
    addStrict(cli);
    if (!cli.parse(args, {QStringLiteral("model"), QStringLiteral("data"), QStringLiteral("out")}))
        return cli.exitCode();
    const Model model = Model::load(cli.value(QStringLiteral("model")));
    const PredictReport report = predictCsv(model, cli.value(QStringLiteral("data")), cli.value(QStringLiteral("out")),
                                            loadOptions(cli));
    if (!report.rejected.isEmpty())
        printErr(LoadReport{{}, report.rejected}.rejectedSummary());
    reportUnseen(report.encode);
    if (report.unknownLabels > 0)
        printErr(QStringLiteral("note: %1 row(s) have no known label (a missing-value token), so the file is scored as "
                                "unlabelled: no label_value column")
                     .arg(report.unknownLabels));
    if (report.ungroupedRows > 0)
        printErr(QStringLiteral("warning: %1 row(s) have a %2 that is none of the groups the model's thresholds were fitted "
                                "for (%3): they met the single threshold %4 (the HTTP server refuses such records)")
                     .arg(report.ungroupedRows)
                     .arg(model.groupThresholds().attribute, model.groupThresholds().shownGroups())
                     .arg(model.threshold(), 0, 'f', 4));
    if (report.outputColumns.value(0) != QLatin1String("score"))
        printErr(QStringLiteral("note: the data has a column named like an output column, so the outputs are %1")
                     .arg(report.outputColumns.join(QStringLiteral(", "))));
    printErr(QStringLiteral("predict: %1 rows scored (%2 predicted \"%3\"), %4 rejected; written to %5")
                 .arg(report.rows)
                 .arg(report.positives)
                 .arg(model.schema().positiveLabel())
                 .arg(report.rejected.size())
                 .arg(cli.value(QStringLiteral("out"))));
    return 0;
}

int slices(const QStringList &args)
{
    CommandLine cli(QStringLiteral("slices"),
                    QStringLiteral("Performance on every slice of the data: each value of each "
                                   "feature, numeric features in quantile bins, and their "
                                   "intersections; weak slices ranked."));
    addScoredInputOptions(cli);
    cli.add(QStringLiteral("out"), QStringLiteral("Slice report JSON to write."), QStringLiteral("file"));
    cli.add(QStringLiteral("csv"), QStringLiteral("Slice table CSV to write."), QStringLiteral("file"));
    cli.add(QStringLiteral("text"), QStringLiteral("Plain listing to write (slice_output.txt)."), QStringLiteral("file"));
    cli.add(QStringLiteral("features"), QStringLiteral("Features to slice (default: all)."), QStringLiteral("a,b"));
    cli.add(QStringLiteral("cross"), QStringLiteral("Intersections of up to N features (1, 2 or 3)."), QStringLiteral("N"),
            QStringLiteral("2"));
    cli.add(QStringLiteral("min-size"), QStringLiteral("Smallest intersection kept."), QStringLiteral("n"), QStringLiteral("30"));
    cli.add(QStringLiteral("bins"), QStringLiteral("Quantile bins for numeric features."), QStringLiteral("n"),
            QStringLiteral("4"));
    cli.add(QStringLiteral("weak-metric"), QStringLiteral("precision, recall, f1 or accuracy."), QStringLiteral("name"),
            QStringLiteral("f1"));
    cli.add(QStringLiteral("weak-margin"), QStringLiteral("How far below overall a weak slice is."), QStringLiteral("m"),
            QStringLiteral("0.05"));
    cli.add(QStringLiteral("fdr-q"),
            QStringLiteral("False-discovery rate: a weak slice differs from the rest of the data at Benjamini-Hochberg "
                           "q <= this."),
            QStringLiteral("q"), QStringLiteral("0.05"));
    cli.add(QStringLiteral("min-positives"),
            QStringLiteral("Label positives (and predicted positives for precision) a slice needs to be tested."),
            QStringLiteral("n"), QStringLiteral("10"));
    cli.add(QStringLiteral("rank"), QStringLiteral("Order of the weak slices: evidence (the lower 95% bound of the gap) or gap."),
            QStringLiteral("how"), QStringLiteral("evidence"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the report as JSON on stdout."));
    if (!cli.parse(args))
        return cli.exitCode();
    AuditRequest request = auditRequest(cli);
    request.bias = false;
    SliceOptions &options = request.sliceOptions;
    options.features = cli.values(QStringLiteral("features"));
    options.cross = cli.integer(QStringLiteral("cross"), 1, 3);
    options.minSize = cli.integer(QStringLiteral("min-size"), 1);
    options.bins = cli.integer(QStringLiteral("bins"), 1, 1000);
    options.weakMargin = cli.number(QStringLiteral("weak-margin"));
    options.weakMetric = enumOption<SliceMetric>(cli, QStringLiteral("weak-metric"));
    options.fdrQ = cli.number(QStringLiteral("fdr-q"));
    options.minPositives = cli.integer(QStringLiteral("min-positives"));
    options.rank = enumOption<SliceRank>(cli, QStringLiteral("rank"));
    const DatasetAudit audit = auditDataset(request);
    reportAudit(audit);
    const SliceReport &report = *audit.results.slices;
    if (cli.isSet(QStringLiteral("out")))
        writeJson(cli.value(QStringLiteral("out")), report.toJson());
    if (cli.isSet(QStringLiteral("csv")))
        writeFileAtomically(cli.value(QStringLiteral("csv")), report.toCsv());
    if (cli.isSet(QStringLiteral("text")))
        writeFileAtomically(cli.value(QStringLiteral("text")), report.toText().toUtf8());
    if (cli.isSet(QStringLiteral("json")))
        printJson(report.toJson());
    printErr(QStringLiteral("slices: %1 slices, %2 tested, %3 weak (q <= %4)")
                 .arg(report.slices.size())
                 .arg(report.tested)
                 .arg(report.weak.size())
                 .arg(report.options.fdrQ));
    return 0;
}

int bias(const QStringList &args)
{
    CommandLine cli(QStringLiteral("bias"),
                    QStringLiteral("Aequitas-compatible group metrics, disparities against a "
                                   "reference group and fairness verdicts at tolerance tau."));
    addScoredInputOptions(cli);
    cli.add(QStringLiteral("attributes"), QStringLiteral("Attributes to audit (default: the schema's protected ones)."),
            QStringLiteral("a,b"));
    cli.add(QStringLiteral("ref"), QStringLiteral("Reference group, repeatable or comma-separated: race=White."),
            QStringLiteral("attr=value"));
    cli.add(QStringLiteral("ref-method"),
            QStringLiteral("predefined, majority or min_metric (default: predefined when every attribute has a "
                           "reference group, else majority)."),
            QStringLiteral("method"));
    cli.add(QStringLiteral("tau"), QStringLiteral("Parity tolerance: tau <= disparity <= 1/tau."), QStringLiteral("tau"),
            QStringLiteral("0.8"));
    cli.add(QStringLiteral("verdicts"),
            QStringLiteral("evidence (outside the band fails only when significant; small groups are insufficient data) "
                           "or aequitas (the plain band check)."),
            QStringLiteral("mode"), QStringLiteral("evidence"));
    cli.add(QStringLiteral("min-group-size"), QStringLiteral("Rows a group needs to be judged (and to be a reference)."),
            QStringLiteral("n"), QStringLiteral("30"));
    cli.add(QStringLiteral("min-events"),
            QStringLiteral("Rows a metric needs to rate, in the group and the reference (label positives for TPR/FNR, ...)."),
            QStringLiteral("n"), QStringLiteral("10"));
    cli.add(QStringLiteral("alpha"),
            QStringLiteral("A disparity outside the band fails when its Benjamini-Hochberg q is at most this."),
            QStringLiteral("a"), QStringLiteral("0.05"));
    cli.add(QStringLiteral("out"), QStringLiteral("Bias report JSON to write."), QStringLiteral("file"));
    cli.add(QStringLiteral("csv"), QStringLiteral("Group table CSV to write (Aequitas columns)."), QStringLiteral("file"));
    cli.add(QStringLiteral("text"), QStringLiteral("Plain listing to write."), QStringLiteral("file"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the report as JSON on stdout."));
    if (!cli.parse(args))
        return cli.exitCode();
    AuditRequest request = auditRequest(cli);
    request.slices = false;
    BiasRequest &bias = request.biasRequest;
    bias.attributes = cli.values(QStringLiteral("attributes"));
    bias.tau = cli.number(QStringLiteral("tau"));
    bias.verdicts = enumOption<VerdictMode>(cli, QStringLiteral("verdicts"));
    bias.minGroupSize = cli.integer(QStringLiteral("min-group-size"));
    bias.minEvents = cli.integer(QStringLiteral("min-events"));
    bias.alpha = cli.number(QStringLiteral("alpha"));
    if (cli.isSet(QStringLiteral("ref-method")))
        bias.method = enumOption<ReferenceMethod>(cli, QStringLiteral("ref-method"));
    for (const QString &ref : cli.values(QStringLiteral("ref"))) {
        const qsizetype eq = ref.indexOf(QLatin1Char('='));
        if (eq <= 0)
            throw UsageError(QStringLiteral("--ref: expected attribute=value, found \"%1\"").arg(ref));
        const auto [at, added] = bias.references.emplace(ref.left(eq), ref.mid(eq + 1));
        if (!added && at->second != ref.mid(eq + 1))
            throw UsageError(QStringLiteral("--ref: two reference groups for \"%1\" (%2 and %3)")
                                 .arg(ref.left(eq), at->second, ref.mid(eq + 1)));
    }
    if (!bias.references.empty() && bias.method && *bias.method != ReferenceMethod::Predefined)
        throw UsageError(QStringLiteral("--ref names reference groups, which only the predefined method uses; --ref-method %1 "
                                        "picks its own. Fix: drop --ref, or use --ref-method predefined.")
                             .arg(enumName(*bias.method)));
    const DatasetAudit audit = auditDataset(request);
    reportAudit(audit);
    const BiasReport &report = *audit.results.bias;
    if (cli.isSet(QStringLiteral("out")))
        writeJson(cli.value(QStringLiteral("out")), report.toJson());
    if (cli.isSet(QStringLiteral("csv")))
        writeFileAtomically(cli.value(QStringLiteral("csv")), report.toCsv());
    if (cli.isSet(QStringLiteral("text")))
        writeFileAtomically(cli.value(QStringLiteral("text")), report.toText().toUtf8());
    if (cli.isSet(QStringLiteral("json")))
        printJson(report.toJson());
    else
        printErr(report.toText() + QStringLiteral("\nIn words:\n") + biasSummaryText(report));
    return 0;
}

int card(const QStringList &args)
{
    CommandLine cli(QStringLiteral("card"),
                    QStringLiteral("Refreshes the numbers of a model card from a model and its "
                                   "evaluation data, keeping every hand-written text, and "
                                   "writes it as Markdown, HTML, PDF or Model Card Toolkit JSON."));
    cli.add(QStringLiteral("model"), QStringLiteral("Model file."), QStringLiteral("file"));
    cli.add(QStringLiteral("data"), QStringLiteral("Labelled evaluation CSV."), QStringLiteral("file"));
    cli.add(QStringLiteral("card"), QStringLiteral("Existing card whose prose to keep (Markdown)."), QStringLiteral("file"));
    cli.add(QStringLiteral("new"), QStringLiteral("With --card: start a new card when that file does not exist yet."));
    cli.add(QStringLiteral("out"), QStringLiteral("File to write."), QStringLiteral("file"));
    cli.add(QStringLiteral("format"), QStringLiteral("md, html, pdf or json."), QStringLiteral("format"), QStringLiteral("md"));
    addStrict(cli);
    if (!cli.parse(args, {QStringLiteral("model"), QStringLiteral("data"), QStringLiteral("out")}))
        return cli.exitCode();
    const CardFormat format = enumOption<CardFormat>(cli, QStringLiteral("format"));
    ModelCard card;
    const QString cardPath = cli.value(QStringLiteral("card"));
    // A misspelt --card must not start an empty card over the real one: every hand-written
    // section would be lost.
    if (!cardPath.isEmpty() && !QFileInfo::exists(cardPath) && !cli.isSet(QStringLiteral("new")))
        throw UsageError(QStringLiteral("--card %1: no such card, so its prose cannot be kept. Fix: check the path, or give "
                                        "--new to start a new card there.")
                             .arg(cardPath));
    if (!cardPath.isEmpty() && QFileInfo::exists(cardPath))
        card = ModelCard::load(cardPath);
    AuditRequest request;
    request.source.modelPath = cli.value(QStringLiteral("model"));
    request.source.dataPath = cli.value(QStringLiteral("data"));
    request.source.load = loadOptions(cli);
    const DatasetAudit audit = auditDataset(request);
    reportAudit(audit);
    const ImportanceReport importance = importanceReport(*audit.model, *audit.data,
                                                         standardImportanceRequest(audit.model->schema()));
    card.refresh(*audit.model, *audit.data, audit.results, &importance);
    const QString out = cli.value(QStringLiteral("out"));
    exportCard(card, &audit.results, format, out);
    printErr(
        QStringLiteral("card: \"%1\" (model %2) written to %3 as %4").arg(card.name, audit.model->id(), out, enumName(format)));
    return 0;
}

int report(const QStringList &args)
{
    CommandLine cli(QStringLiteral("report"),
                    QStringLiteral("Writes a one-file audit report at a threshold: the model and data md5, overall "
                                   "metrics with 95% intervals, the weakest slices, bias per protected attribute in "
                                   "words and numbers, and the parity verdicts; HTML (self-contained) and PDF."));
    cli.add(QStringLiteral("model"), QStringLiteral("Model file."), QStringLiteral("file"));
    cli.add(QStringLiteral("data"), QStringLiteral("Labelled evaluation CSV."), QStringLiteral("file"));
    cli.add(QStringLiteral("threshold"), QStringLiteral("Decision threshold (default: the model's)."), QStringLiteral("t"));
    cli.add(QStringLiteral("tau"), QStringLiteral("Parity tolerance: tau <= disparity <= 1/tau."), QStringLiteral("tau"),
            QStringLiteral("0.8"));
    cli.add(QStringLiteral("out"), QStringLiteral("HTML report to write."), QStringLiteral("file"));
    cli.add(QStringLiteral("pdf"), QStringLiteral("PDF report to write too."), QStringLiteral("file"));
    addStrict(cli);
    if (!cli.parse(args, {QStringLiteral("model"), QStringLiteral("data"), QStringLiteral("out")}))
        return cli.exitCode();
    AuditRequest request;
    request.source.modelPath = cli.value(QStringLiteral("model"));
    request.source.dataPath = cli.value(QStringLiteral("data"));
    request.source.load = loadOptions(cli);
    request.threshold = thresholdOption(cli);
    request.biasRequest.tau = cli.number(QStringLiteral("tau"));
    const DatasetAudit audit = auditDataset(request);
    reportAudit(audit);
    if (!audit.results.bias)
        printErr(QStringLiteral("warning: no bias audit: ") + audit.results.biasError);
    const QString out = cli.value(QStringLiteral("out"));
    const QString pdf = cli.value(QStringLiteral("pdf"));
    const ReportFacts facts = ReportFacts::of(audit.model.get(), audit.data->path, audit.data->md5, audit.results);
    exportReport(facts, audit.results, out, pdf);
    if (audit.results.bias) {
        for (const AttributeVerdict &a : audit.results.bias->attributes) {
            for (const AuditReport::GroupSummary &g : AuditReport::biasSummary(audit.results, a.attribute)) {
                for (const QString &sentence : g.sentences())
                    printErr(QStringLiteral("%1: %2").arg(a.attribute, sentence));
            }
        }
    }
    printErr(QStringLiteral("report: model %1 at threshold %2 (F1 %3) written to %4%5")
                 .arg(audit.model->id())
                 .arg(audit.results.threshold, 0, 'f', 4)
                 .arg(audit.results.metrics.f1, 0, 'f', 4)
                 .arg(out, pdf.isEmpty() ? QString() : QStringLiteral(" and ") + pdf));
    return 0;
}

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_signalPipe[1], &byte, 1); // async-signal-safe
}

// Quits the event loop on SIGINT or SIGTERM, through a pipe read on the loop's thread.
void quitOnSignals()
{
    if (::pipe(g_signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, QCoreApplication::instance(), [] {
        char byte = 0;
        [[maybe_unused]] const auto got = ::read(g_signalPipe[0], &byte, 1);
        QCoreApplication::quit();
    });
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
}

// Starts the pool; a listen failure names the flag that fixes it.
quint16 startNamingFlags(ServerPool &service)
{
    try {
        return service.start();
    } catch (const ListenError &e) {
        if (e.reason() == ListenError::Reason::TokenRequired)
            throw ListenError(
                e.reason(),
                e.message().replace(QStringLiteral("needs a bearer token"),
                                    QStringLiteral("needs --token SECRET (or MODELAUDIT_TOKEN in the environment)")));
        throw ListenError(e.reason(), e.message() + QStringLiteral(" (--host, --port; --port 0 picks a free one)"));
    }
}

} // namespace

int serve(const QStringList &args)
{
    CommandLine cli(QStringLiteral("serve"),
                    QStringLiteral("Serves predictions over HTTP: POST /predict, /predict/batch; "
                                   "GET /, /health, /model, /openapi.json, /docs."));
    cli.add(QStringLiteral("model"), QStringLiteral("Model file."), QStringLiteral("file"), QStringLiteral("models/model.bin"));
    cli.add(QStringLiteral("host"), QStringLiteral("Address to bind (not loopback: needs --token)."), QStringLiteral("address"),
            QStringLiteral("127.0.0.1"));
    cli.add(QStringLiteral("port"), QStringLiteral("Port (0: any free port)."), QStringLiteral("port"), QStringLiteral("8000"));
    cli.add(QStringLiteral("token"),
            QStringLiteral("Require Authorization: Bearer TOKEN (default: the MODELAUDIT_TOKEN environment variable)."),
            QStringLiteral("token"));
    cli.add(QStringLiteral("strict"), QStringLiteral("Reject categories not seen in training (422) instead of warning."));
    cli.add(QStringLiteral("cors"), QStringLiteral("Send Access-Control-Allow-Origin: ORIGIN."), QStringLiteral("origin"));
    cli.add(QStringLiteral("batch-limit"), QStringLiteral("Most records in one batch request."), QStringLiteral("n"),
            QStringLiteral("10000"));
    cli.add(QStringLiteral("example"), QStringLiteral("CSV whose first row is the example in /openapi.json."),
            QStringLiteral("file"));
    cli.add(QStringLiteral("quiet"), QStringLiteral("Do not log each request."));
    cli.add(QStringLiteral("threads"), QStringLiteral("Server threads sharing the port."), QStringLiteral("n"),
            QStringLiteral("2"));
    if (!cli.parse(args))
        return cli.exitCode();
    ServeOptions options;
    if (!options.host.setAddress(cli.value(QStringLiteral("host"))))
        throw SchemaError(QStringLiteral("--host: \"%1\" is not an IP address").arg(cli.value(QStringLiteral("host"))));
    bool ok = false;
    options.port = cli.value(QStringLiteral("port")).toUShort(&ok);
    if (!ok)
        throw SchemaError(QStringLiteral("--port: expected 0 to 65535, found \"%1\"").arg(cli.value(QStringLiteral("port"))));
    // The environment keeps a token off the command line (and out of the process list): a
    // systemd EnvironmentFile or `docker run -e` sets it.
    options.token = cli.isSet(QStringLiteral("token")) ? cli.value(QStringLiteral("token"))
                                                       : qEnvironmentVariable("MODELAUDIT_TOKEN");
    options.strict = cli.isSet(QStringLiteral("strict"));
    options.corsOrigin = cli.value(QStringLiteral("cors"));
    options.batchLimit = cli.integer(QStringLiteral("batch-limit"), 1);

    auto model = std::make_shared<const Model>(Model::load(cli.value(QStringLiteral("model"))));
    std::optional<Record> example;
    if (cli.isSet(QStringLiteral("example"))) {
        const LoadReport data = CsvReader::read(cli.value(QStringLiteral("example")), model->schema(), {false, false});
        if (data.data.rowCount() > 0)
            example = recordFromDataset(data.data, 0);
    }
    const int threads = cli.integer(QStringLiteral("threads"), 1, 64);
    ServerPool service(options, threads);
    service.setModel(model, example);
    if (!cli.isSet(QStringLiteral("quiet"))) {
        // Direct: printed on the serving thread, one whole line per fprintf.
        QObject::connect(&service, &ServerPool::requestServed, [](const RequestLog &log) {
            std::fprintf(stderr, "%s %s %d %.2f ms\n", qPrintable(log.method), qPrintable(log.path), log.status,
                         log.milliseconds);
        });
    }
    const quint16 port = startNamingFlags(service);
    std::fprintf(stderr, "serve: model %s (%s) on http://%s:%u/ (docs at /docs); Ctrl+C stops\n", qPrintable(model->id()),
                 qPrintable(enumName(model->params().kind)), qPrintable(options.host.toString()), unsigned(port));
    std::fflush(stderr);
    quitOnSignals();
    QCoreApplication::exec();
    std::fprintf(stderr, "serve: stopped after %lld requests\n", static_cast<long long>(service.requestCount()));
    return 0;
}

} // namespace Cli
