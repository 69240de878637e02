#include "evaluation.h"

#include <algorithm>
#include <charconv>
#include <string>

#include <QJsonArray>

#include "auditerror.h"
#include "csverror.h"
#include "csvtokenizer.h"
#include "fileio.h"
#include "model.h"
#include "schemaerror.h"
#include "scoreddata.h"
#include "threshold.h"

namespace Audit {

QJsonObject EvaluationReport::toJson() const
{
    QJsonObject json = metrics.toJson();
    json.insert(QStringLiteral("model_md5"), modelMd5);
    json.insert(QStringLiteral("data_md5"), dataMd5);
    json.insert(QStringLiteral("learner"), modelLearner);
    json.insert(QStringLiteral("data_path"), dataPath);
    json.insert(QStringLiteral("rejected_rows"), qint64(rejectedRows));
    QJsonArray unseen;
    for (const EncodeReport::Unseen &u : encode.unseen)
        unseen.append(QJsonObject{
            {QStringLiteral("column"), u.column}, {QStringLiteral("value"), u.value}, {QStringLiteral("rows"), qint64(u.rows)}});
    json.insert(QStringLiteral("unseen_categories"), unseen);
    if (!decisionRule.isEmpty()) {
        json.insert(QStringLiteral("group_thresholds"), decisionRule);
        json.insert(QStringLiteral("ungrouped_rows"), qint64(ungroupedRows));
    }
    return json;
}

QString EvaluationReport::toText() const
{
    const Confusion &c = metrics.confusion;
    const QString decision = decisionRule.isEmpty()
        ? QString()
        : QStringLiteral("decided with group thresholds %1%2\n")
              .arg(decisionRule,
                   ungroupedRows > 0 ? QStringLiteral("; %1 rows of no group met the single threshold %2")
                                           .arg(ungroupedRows)
                                           .arg(metrics.threshold, 0, 'f', 4)
                                     : QString());
    return decision
        + QStringLiteral("rows %1 (positives %2), %3\n"
                         "precision %4  recall %5  f1 %6  accuracy %7\n"
                         "roc_auc %8  pr_auc %9  log_loss %10  brier %11\n"
                         "confusion: tp %12  fp %13  tn %14  fn %15")
              .arg(metrics.support)
              .arg(metrics.positives)
              .arg(decisionRule.isEmpty()
                       ? QStringLiteral("threshold %1").arg(metrics.threshold, 0, 'f', 4)
                       : QStringLiteral("fallback threshold %1 (rows of no listed group)").arg(metrics.threshold, 0, 'f', 4))
              .arg(metrics.precision, 0, 'f', 4)
              .arg(metrics.recall, 0, 'f', 4)
              .arg(metrics.f1, 0, 'f', 4)
              .arg(metrics.accuracy, 0, 'f', 4)
              .arg(metrics.rocAuc, 0, 'f', 4)
              .arg(metrics.prAuc, 0, 'f', 4)
              .arg(metrics.logLoss, 0, 'f', 4)
              .arg(metrics.brier, 0, 'f', 4)
              .arg(c.tp)
              .arg(c.fp)
              .arg(c.tn)
              .arg(c.fn);
}

EvaluationReport evaluateModel(const Model &model, const LoadReport &data, double beta, std::optional<double> threshold)
{
    if (threshold)
        checkedThreshold(*threshold);
    if (!data.data.hasLabels())
        throw SchemaError(data.data.noLabelsMessage(QStringLiteral("evaluation")));
    const GroupThresholds &groups = model.groupThresholds();
    if (threshold && groups.active())
        throw OptionError(QStringLiteral("threshold"),
                          QStringLiteral("this model decides with thresholds %1; one threshold for every row would not be "
                                         "its decision (evaluate it without --threshold, or train one without "
                                         "mitigation)")
                              .arg(groups.describe()));
    EvaluationReport report;
    std::vector<double> rowThresholds;
    std::size_t ungrouped = 0;
    ScoredData scored;
    scored.scores = model.score(data.data, &report.encode, groups.active() ? &rowThresholds : nullptr, &ungrouped);
    scored.threshold = threshold.value_or(model.threshold());
    report.metrics = computeMetrics(scored.scores, data.data.labels, scored.threshold, beta);
    if (groups.active()) {
        scored.setRowThresholds(std::move(rowThresholds), groups.describe(), ungrouped);
        report.metrics = metricsAtThreshold(report.metrics, scored.decisionScores(), data.data.labels, scored.threshold);
        report.decisionRule = scored.decisionRule;
        report.ungroupedRows = qsizetype(ungrouped);
    }
    report.modelMd5 = model.md5();
    report.modelLearner = enumName(model.params().kind);
    report.dataPath = data.data.path;
    report.dataMd5 = data.data.md5;
    report.rejectedRows = data.rejected.size();
    return report;
}

PredictReport predictCsv(const Model &model, const QString &inPath, const QString &outPath, const LoadOptions &options)
{
    const QByteArray bytes = CsvReader::readFileBytes(inPath);
    LoadOptions loadOptions = options;
    loadOptions.requireLabel = false;
    const LoadReport loaded = CsvReader::readBytes(bytes, inPath, model.schema(), loadOptions);
    if (loaded.data.rowCount() == 0 && !loaded.rejected.isEmpty())
        throw CsvError(QStringLiteral("%1: no row to score: all %2 rows were rejected; the first: %3")
                           .arg(inPath)
                           .arg(loaded.rejected.size())
                           .arg(loaded.rejected.front().message),
                       inPath, loaded.rejected.front().line);
    PredictReport report;
    const bool byGroup = model.groupThresholds().active();
    std::vector<double> thresholds;
    std::size_t ungrouped = 0;
    const std::vector<double> scores = model.score(loaded.data, &report.encode, byGroup ? &thresholds : nullptr, &ungrouped);
    report.ungroupedRows = qsizetype(ungrouped);
    report.rejected = loaded.rejected;
    report.unknownLabels = loaded.unknownLabels;

    const std::string positive = model.schema().positiveLabel().toStdString();
    const std::string negative = model.schema().negativeLabel().toStdString();
    const bool withLabels = loaded.data.hasLabels();
    std::string out;
    out.reserve(std::size_t(bytes.size()) * 3 / 2);
    // The file again, as the reader split it, to copy each kept row through.
    CsvTokenizer tokenizer(std::string_view(bytes.constData(), std::size_t(bytes.size())), inPath, loaded.delimiter);
    std::vector<std::string_view> fields;
    std::vector<std::string> names;
    if (loaded.header) {
        tokenizer.next(fields);
    } else {
        for (const QString &name : model.schema().fileColumns())
            names.push_back(name.toStdString());
        fields.assign(names.begin(), names.end());
    }
    // Written with the input's delimiter, so the schema that read the input reads the output.
    const char delimiter = loaded.delimiter;
    const auto appendFields = [&out, delimiter](const std::vector<std::string_view> &record) {
        for (std::size_t i = 0; i < record.size(); ++i) {
            if (i)
                out.push_back(delimiter);
            appendCsvField(out, record[i]);
        }
    };
    appendFields(fields);
    // The added columns, renamed where the input has a column of that name already (a feature
    // called "score" must not be read back as the model's score).
    report.outputColumns = QStringList{QStringLiteral("score"), QStringLiteral("prediction")};
    if (byGroup)
        report.outputColumns << QStringLiteral("threshold");
    if (withLabels)
        report.outputColumns << QStringLiteral("label_value");
    for (QString &name : report.outputColumns) {
        while (std::find(fields.begin(), fields.end(), std::string_view(name.toStdString())) != fields.end())
            name.prepend(QStringLiteral("modelaudit_"));
        out.push_back(delimiter);
        appendCsvField(out, name.toStdString());
    }
    out.push_back('\n');

    std::size_t next = 0; // index of the next kept row
    char number[32];
    while (tokenizer.next(fields) && next < loaded.data.rowCount()) {
        if (tokenizer.recordLine() != loaded.data.lines[next])
            continue; // a rejected row
        const double score = scores[next];
        const double threshold = byGroup ? thresholds[next] : model.threshold();
        const bool predicted = score >= threshold;
        appendFields(fields);
        out.push_back(delimiter);
        out.append(number, std::to_chars(number, number + sizeof number, score).ptr);
        out.push_back(delimiter);
        appendCsvField(out, predicted ? positive : negative);
        if (byGroup) {
            out.push_back(delimiter);
            out.append(number, std::to_chars(number, number + sizeof number, threshold).ptr);
        }
        if (withLabels) {
            out.push_back(delimiter);
            out.push_back(loaded.data.labels[next] ? '1' : '0');
        }
        out.push_back('\n');
        report.positives += predicted;
        ++report.rows;
        ++next;
    }
    writeFileAtomically(outPath, QByteArray(out.data(), qsizetype(out.size())));
    return report;
}

} // namespace Audit
