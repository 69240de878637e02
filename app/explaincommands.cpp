// modelaudit-cli explain, importance, calibration and pdp: why the model decides as it does.
#include "clicommands.h"
#include "clisupport.h"

#include <cmath>

#include <QJsonArray>

#include "explainreport.h"
#include "fileio.h"
#include "model.h"
#include "record.h"
#include "schemaerror.h"

namespace Cli {

using namespace Audit;

namespace {

void addModelData(CommandLine &cli, const QString &dataHelp)
{
    cli.add(QStringLiteral("model"), QStringLiteral("Model file."), QStringLiteral("file"));
    cli.add(QStringLiteral("data"), dataHelp, QStringLiteral("file"));
    addStrict(cli);
}

ExplainOptions explainOptions(const CommandLine &cli)
{
    ExplainOptions options;
    options.space = enumOption<OutputSpace>(cli, QStringLiteral("space"));
    options.permutations = cli.integer(QStringLiteral("permutations"), 2, 10000);
    return options;
}

void addExplainOptions(CommandLine &cli)
{
    cli.add(QStringLiteral("space"),
            QStringLiteral("Attributions in log-odds (exact for xgboost, logistic, linear_svm) or probability (exact "
                           "for random_forest)."),
            QStringLiteral("space"), QStringLiteral("log-odds"));
    cli.add(QStringLiteral("permutations"),
            QStringLiteral("Permutations of the sampling estimator (mlp; its standard errors shrink as 1/sqrt)."),
            QStringLiteral("N"), QStringLiteral("32"));
}

QString signedNumber(double v)
{
    return (v >= 0 ? QStringLiteral("+") : QString()) + QString::number(v, 'f', 4);
}

} // namespace

int explain(const QStringList &args)
{
    CommandLine cli(QStringLiteral("explain"),
                    QStringLiteral("Per-column attributions (Shapley values) of each row's prediction: exact TreeSHAP for "
                                   "tree models, exact for linear ones, seeded sampling with standard errors otherwise. "
                                   "base + sum of the attributions = the model's output."));
    addModelData(cli, QStringLiteral("CSV to explain (the label column is optional)."));
    cli.add(QStringLiteral("rows"), QStringLiteral("Rows to explain, 1-based: 1,5-9 (default: every row)."),
            QStringLiteral("list"));
    cli.add(QStringLiteral("out"), QStringLiteral("Write the attributions as CSV (one row per explained row)."),
            QStringLiteral("file"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the attributions as JSON on stdout."));
    cli.add(QStringLiteral("top"), QStringLiteral("Columns printed per row in the text output."), QStringLiteral("N"),
            QStringLiteral("5"));
    cli.add(QStringLiteral("counterfactuals"),
            QStringLiteral("Also search each row's nearest changes of the schema's actionable columns that flip the "
                           "decision (up to 3)."));
    cli.add(QStringLiteral("threshold"), QStringLiteral("Decision threshold for counterfactuals (default: the model's)."),
            QStringLiteral("t"));
    addExplainOptions(cli);
    if (!cli.parse(args, {QStringLiteral("model"), QStringLiteral("data")}))
        return cli.exitCode();
    const Model model = Model::load(cli.value(QStringLiteral("model")));
    LoadOptions load = loadOptions(cli);
    load.requireLabel = false;
    const LoadReport data = CsvReader::read(cli.value(QStringLiteral("data")), model.schema(), load);
    reportRejected(data);
    if (data.data.rowCount() == 0)
        throw SchemaError(QStringLiteral("%1: no rows to explain (%2 rejected)").arg(data.data.path).arg(data.rejected.size()));
    if (!data.rejected.isEmpty() && cli.isSet(QStringLiteral("rows")))
        printErr(QStringLiteral("note: --rows counts the %1 rows read; the %2 rejected above are not numbered")
                     .arg(data.data.rowCount())
                     .arg(data.rejected.size()));
    const std::vector<std::size_t> rows = parseRowList(cli.value(QStringLiteral("rows")), data.data.rowCount(),
                                                       QStringLiteral("rows"));
    if (cli.isSet(QStringLiteral("counterfactuals")) && rows.size() > 1000)
        throw UsageError(QStringLiteral("--counterfactuals: at most 1000 rows at a time (%1 asked for); pick them with "
                                        "--rows")
                             .arg(rows.size()));
    const ExplainOptions options = explainOptions(cli);
    const RowExplanations result = explainRows(model, data.data, rows, options, stderrProgress(QStringLiteral("explain")));
    const Explainer explainer(model);
    if (cli.isSet(QStringLiteral("threshold")) && model.groupThresholds().active())
        throw OptionError(QStringLiteral("threshold"),
                          QStringLiteral("the model decides with thresholds %1: each record's counterfactuals are found at "
                                         "its group's threshold, not one for every row")
                              .arg(model.groupThresholds().describe()));
    const double threshold = thresholdOption(cli).value_or(model.threshold());
    const bool counterfactuals = cli.isSet(QStringLiteral("counterfactuals"));
    if (cli.isSet(QStringLiteral("threshold")) && !counterfactuals)
        throw UsageError(QStringLiteral("--threshold: only counterfactuals use a threshold; add --counterfactuals"));
    if (cli.isSet(QStringLiteral("out")))
        writeFileAtomically(cli.value(QStringLiteral("out")), result.toCsv());
    if (cli.isSet(QStringLiteral("json"))) {
        QJsonObject json = result.toJson(explainer, options);
        if (counterfactuals) {
            QJsonArray list = json.value(QStringLiteral("rows")).toArray();
            for (qsizetype i = 0; i < list.size(); ++i) {
                QJsonObject row = list[i].toObject();
                row.insert(QStringLiteral("counterfactuals"),
                           findCounterfactuals(model, recordFromDataset(data.data, rows[std::size_t(i)]), threshold, &data.data)
                               .toJson());
                list[i] = row;
            }
            json.insert(QStringLiteral("rows"), list);
        }
        printJson(json);
        return 0;
    }
    const int top = cli.integer(QStringLiteral("top"), 1);
    printOut(QStringLiteral("%1; values in %2").arg(result.method, enumName(result.space)));
    const std::size_t shown = cli.isSet(QStringLiteral("out")) ? std::min<std::size_t>(rows.size(), 10) : rows.size();
    for (std::size_t i = 0; i < shown; ++i) {
        const Explanation &e = result.explanations[i];
        std::vector<std::size_t> order(e.values.size());
        for (std::size_t c = 0; c < order.size(); ++c)
            order[c] = c;
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return std::abs(e.values[a]) > std::abs(e.values[b]); });
        QStringList parts;
        for (int k = 0; k < top && k < int(order.size()); ++k) {
            const std::size_t c = order[std::size_t(k)];
            QString part = QStringLiteral("%1 %2").arg(result.columns[qsizetype(c)], signedNumber(e.values[c]));
            if (!e.standardErrors.empty())
                part += QStringLiteral(" ± %1").arg(e.standardErrors[c], 0, 'f', 4);
            parts << part;
        }
        printOut(QStringLiteral("row %1: P(%2) %3, base %4 -> %5: %6")
                     .arg(rows[i] + 1)
                     .arg(model.schema().positiveLabel())
                     .arg(e.probability, 0, 'f', 4)
                     .arg(e.base, 0, 'f', 4)
                     .arg(e.output, 0, 'f', 4)
                     .arg(parts.join(QStringLiteral(", "))));
        if (counterfactuals) {
            const CounterfactualSearch search = findCounterfactuals(model, recordFromDataset(data.data, rows[i]), threshold,
                                                                    &data.data);
            if (search.answers.empty())
                printOut(QStringLiteral("  no counterfactual: ") + search.note);
            for (const Counterfactual &a : search.answers) {
                QStringList changes;
                for (const CounterfactualChange &c : a.changes)
                    changes << QStringLiteral("%1 %2 -> %3").arg(c.column, c.from, c.to);
                printOut(QStringLiteral("  counterfactual (cost %1): %2 gives P %3")
                             .arg(a.cost, 0, 'f', 2)
                             .arg(changes.join(QStringLiteral(", ")))
                             .arg(a.probability, 0, 'f', 4));
            }
        }
    }
    if (shown < rows.size())
        printErr(QStringLiteral("explain: %1 rows written to %2 (the first %3 shown)")
                     .arg(rows.size())
                     .arg(cli.value(QStringLiteral("out")))
                     .arg(shown));
    return 0;
}

int importance(const QStringList &args)
{
    CommandLine cli(QStringLiteral("importance"),
                    QStringLiteral("Global importance per column: mean |SHAP| (with a 95% interval) and permutation "
                                   "importance (drop in --metric over seeded shuffles, Student's t interval); --by "
                                   "COLUMN also per group of that column, overall and on the rows the model gets wrong."));
    addModelData(cli, QStringLiteral("Labelled CSV."));
    cli.add(QStringLiteral("metric"), QStringLiteral("Permutation metric: roc_auc, f1, accuracy or log_loss."),
            QStringLiteral("name"), QStringLiteral("roc_auc"));
    cli.add(QStringLiteral("repeats"), QStringLiteral("Shuffles per column."), QStringLiteral("N"), QStringLiteral("5"));
    cli.add(QStringLiteral("seed"), QStringLiteral("Seed of the shuffles."), QStringLiteral("N"), QStringLiteral("42"));
    cli.add(QStringLiteral("by"), QStringLiteral("Slices: the groups of these columns (comma-separated)."),
            QStringLiteral("columns"));
    cli.add(QStringLiteral("no-permutation"), QStringLiteral("Mean |SHAP| only (faster)."));
    cli.add(QStringLiteral("top"), QStringLiteral("Columns listed in the text output (--json has all)."), QStringLiteral("N"),
            QStringLiteral("14"));
    cli.add(QStringLiteral("threshold"), QStringLiteral("Decision threshold (default: the model's)."), QStringLiteral("t"));
    cli.add(QStringLiteral("out"), QStringLiteral("Write the report as JSON."), QStringLiteral("file"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the report as JSON on stdout."));
    addExplainOptions(cli);
    if (!cli.parse(args, {QStringLiteral("model"), QStringLiteral("data")}))
        return cli.exitCode();
    const Model model = Model::load(cli.value(QStringLiteral("model")));
    const LoadReport data = CsvReader::read(cli.value(QStringLiteral("data")), model.schema(), loadOptions(cli));
    reportRejected(data);
    ImportanceRequest request;
    request.explain = explainOptions(cli);
    request.permutation.metric = enumOption<ImportanceMetric>(cli, QStringLiteral("metric"));
    request.permutation.repeats = cli.integer(QStringLiteral("repeats"), 2, 1000);
    request.permutation.seed = std::uint64_t(cli.number(QStringLiteral("seed")));
    request.threshold = thresholdOption(cli);
    if (cli.isSet(QStringLiteral("by")))
        request.byColumns = cli.value(QStringLiteral("by")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    request.permutationToo = !cli.isSet(QStringLiteral("no-permutation"));
    const int top = cli.integer(QStringLiteral("top"), 1);
    const ImportanceReport report = importanceReport(model, data.data, request, stderrProgress(QStringLiteral("importance")));
    if (cli.isSet(QStringLiteral("out")))
        writeJson(cli.value(QStringLiteral("out")), report.toJson());
    if (cli.isSet(QStringLiteral("json")))
        printJson(report.toJson());
    else
        printOut(report.toText(top));
    return 0;
}

int calibration(const QStringList &args)
{
    CommandLine cli(QStringLiteral("calibration"),
                    QStringLiteral("Reliability diagram (observed rate per score bin with 95% Wilson intervals) and "
                                   "expected calibration error, overall and per group of --by columns (default: the "
                                   "protected attributes)."));
    addModelData(cli, QStringLiteral("Labelled CSV."));
    cli.add(QStringLiteral("bins"), QStringLiteral("Equal-width score bins."), QStringLiteral("N"), QStringLiteral("10"));
    cli.add(QStringLiteral("by"), QStringLiteral("Groups: these columns (comma-separated)."), QStringLiteral("columns"));
    cli.add(QStringLiteral("out"), QStringLiteral("Write the report as JSON."), QStringLiteral("file"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the report as JSON on stdout."));
    if (!cli.parse(args, {QStringLiteral("model"), QStringLiteral("data")}))
        return cli.exitCode();
    const Model model = Model::load(cli.value(QStringLiteral("model")));
    const LoadReport data = CsvReader::read(cli.value(QStringLiteral("data")), model.schema(), loadOptions(cli));
    reportRejected(data);
    const int bins = cli.integer(QStringLiteral("bins"), 2, 100);
    const CalibrationReport report = calibrationReport(
        model, data.data, bins, cli.value(QStringLiteral("by")).split(QLatin1Char(','), Qt::SkipEmptyParts));
    if (cli.isSet(QStringLiteral("out")))
        writeJson(cli.value(QStringLiteral("out")), report.toJson());
    if (cli.isSet(QStringLiteral("json")))
        printJson(report.toJson());
    else
        printOut(report.toText());
    return 0;
}

int pdp(const QStringList &args)
{
    CommandLine cli(QStringLiteral("pdp"),
                    QStringLiteral("Partial dependence of P(positive) on one column with ICE curves for a seeded sample "
                                   "of rows: numeric columns over their quantiles in the data, categorical ones per "
                                   "training category."));
    addModelData(cli, QStringLiteral("CSV (the label column is optional)."));
    cli.add(QStringLiteral("column"), QStringLiteral("The column to vary."), QStringLiteral("name"));
    cli.add(QStringLiteral("sample"), QStringLiteral("Rows drawn for ICE curves."), QStringLiteral("N"), QStringLiteral("100"));
    cli.add(QStringLiteral("seed"), QStringLiteral("Seed of the sample."), QStringLiteral("N"), QStringLiteral("42"));
    cli.add(QStringLiteral("json"), QStringLiteral("Print the curves as JSON on stdout."));
    if (!cli.parse(args, {QStringLiteral("model"), QStringLiteral("data"), QStringLiteral("column")}))
        return cli.exitCode();
    const Model model = Model::load(cli.value(QStringLiteral("model")));
    LoadOptions load = loadOptions(cli);
    load.requireLabel = false;
    const LoadReport data = CsvReader::read(cli.value(QStringLiteral("data")), model.schema(), load);
    reportRejected(data);
    if (data.data.rowCount() == 0)
        throw SchemaError(QStringLiteral("%1: no rows to vary (%2 rejected)").arg(data.data.path).arg(data.rejected.size()));
    PartialDependenceOptions options;
    options.sample = cli.integer(QStringLiteral("sample"), 1, 100000);
    options.seed = std::uint64_t(cli.number(QStringLiteral("seed")));
    const PartialDependence result = partialDependence(model, data.data, cli.value(QStringLiteral("column")), options);
    if (cli.isSet(QStringLiteral("json"))) {
        printJson(result.toJson());
        return 0;
    }
    printOut(QStringLiteral("Partial dependence of P(%1) on %2 (%3 rows, seed %4):")
                 .arg(model.schema().positiveLabel(), result.column)
                 .arg(result.curves.size())
                 .arg(result.seed));
    for (qsizetype g = 0; g < result.values.size(); ++g) {
        double low = 1;
        double high = 0;
        for (const IceCurve &c : result.curves) {
            low = std::min(low, c.probabilities[std::size_t(g)]);
            high = std::max(high, c.probabilities[std::size_t(g)]);
        }
        printOut(QStringLiteral("  %1 %2  (ICE %3 .. %4)")
                     .arg(result.values[g], -28)
                     .arg(result.average[std::size_t(g)], 0, 'f', 4)
                     .arg(low, 0, 'f', 3)
                     .arg(high, 0, 'f', 3));
    }
    return 0;
}

} // namespace Cli
