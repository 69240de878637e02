#include "explainreport.h"

#include <algorithm>
#include <cmath>

#include <QJsonArray>

#include "groupedcolumn.h"
#include "metrics.h"
#include "model.h"
#include "rng.h"
#include "schemaerror.h"

namespace Audit {

namespace {

constexpr std::size_t kMinCalibrationGroup = 30; // as the card's per-group calibration

QString num(double v, int digits = 4)
{
    return std::isfinite(v) ? QString::number(v, 'f', digits) : QStringLiteral("n/a");
}

QJsonArray calibrationBins(const Calibration &c)
{
    QJsonArray bins;
    for (const CalibrationBin &b : c.bins)
        bins.append(QJsonObject{{QStringLiteral("low"), b.low},
                                {QStringLiteral("high"), b.high},
                                {QStringLiteral("n"), qint64(b.n)},
                                {QStringLiteral("positives"), qint64(b.positives)},
                                {QStringLiteral("mean_score"), jsonNumber(b.meanScore)},
                                {QStringLiteral("observed"), jsonNumber(b.observed)},
                                {QStringLiteral("observed_ci_low"), jsonNumber(b.observedCi.low)},
                                {QStringLiteral("observed_ci_high"), jsonNumber(b.observedCi.high)}});
    return bins;
}

std::vector<GroupedColumn> groupsOf(const Dataset &data, const QStringList &requested, int bins)
{
    QStringList columns;
    for (const QString &name : requested) { // each once, in order
        if (!columns.contains(name))
            columns << name;
    }
    std::vector<GroupedColumn> out;
    for (const QString &name : columns) {
        const int index = data.schema.featureIndex(name);
        if (index < 0)
            throw OptionError(QStringLiteral("by"),
                              QStringLiteral("--by: \"%1\" is not a column of %2; its columns are %3").arg(name, data.path, [&] {
                                  QStringList names;
                                  for (const ColumnSpec &c : data.schema.features())
                                      names << c.name;
                                  return names.join(QStringLiteral(", "));
                              }()));
        out.push_back(GroupedColumn::fromColumn(data.columns[std::size_t(index)], bins));
    }
    return out;
}

} // namespace

std::vector<std::size_t> parseRowList(const QString &text, std::size_t rowCount, const QString &option)
{
    std::vector<std::size_t> rows;
    if (text.trimmed().isEmpty()) {
        for (std::size_t r = 0; r < rowCount; ++r)
            rows.push_back(r);
        return rows;
    }
    const auto bad = [&](const QString &part, const QString &why) {
        return OptionError(option,
                           QStringLiteral("--%1: \"%2\" %3 (expected row numbers from 1 to %4, as 1,5-9)")
                               .arg(option, part.left(40), why)
                               .arg(rowCount));
    };
    for (const QString &raw : text.split(QLatin1Char(','))) {
        const QString part = raw.trimmed();
        const QStringList ends = part.split(QLatin1Char('-'));
        if (ends.size() > 2)
            throw bad(part, QStringLiteral("is not a row or a range"));
        bool ok1 = false;
        bool ok2 = false;
        const qlonglong first = ends[0].trimmed().toLongLong(&ok1);
        const qlonglong last = ends.size() == 2 ? ends[1].trimmed().toLongLong(&ok2) : first;
        if (!ok1 || (ends.size() == 2 && !ok2))
            throw bad(part, QStringLiteral("is not a row number"));
        if (last < first)
            throw bad(part, QStringLiteral("is a reversed range (write the smaller row first)"));
        if (first < 1 || std::size_t(last) > rowCount)
            throw bad(part, QStringLiteral("is outside the data's %1 rows").arg(rowCount));
        // Repeats are allowed, but never more rows in all than the data has (or 1,000).
        if (std::size_t(last - first) + 1 + rows.size() > std::max<std::size_t>(rowCount, 1000))
            throw bad(part, QStringLiteral("makes the list longer than the data's %1 rows").arg(rowCount));
        for (qlonglong r = first; r <= last; ++r)
            rows.push_back(std::size_t(r - 1));
    }
    return rows;
}

RowExplanations explainRows(const Model &model, const Dataset &data, const std::vector<std::size_t> &rows,
                            const ExplainOptions &options, const Progress &progress)
{
    const Explainer explainer(model);
    RowExplanations out;
    out.method = explainer.method(options);
    out.exact = explainer.exact() && explainer.nativeSpace() == options.space;
    out.space = options.space;
    out.columns = explainer.columns();
    out.rows = rows;
    const FeatureMatrix x = model.encoder().encode(data.subset(rows));
    out.explanations = explainer.explainAll(x, options, progress);
    return out;
}

QJsonObject RowExplanations::toJson(const Explainer &explainer, const ExplainOptions &options) const
{
    QJsonArray list;
    for (std::size_t i = 0; i < explanations.size(); ++i) {
        QJsonObject json = explainer.toJson(explanations[i], options);
        json.insert(QStringLiteral("row"), qint64(rows[i] + 1));
        json.remove(QStringLiteral("method")); // said once, below
        list.append(json);
    }
    return QJsonObject{{QStringLiteral("method"), method},
                       {QStringLiteral("exact"), exact},
                       {QStringLiteral("space"), enumName(space)},
                       {QStringLiteral("rows"), list}};
}

QByteArray RowExplanations::toCsv() const
{
    QByteArray out = "row,probability,base,output";
    for (const QString &c : columns) {
        QByteArray name = c.toUtf8();
        if (name.contains(',') || name.contains('"'))
            name = '"' + name.replace("\"", "\"\"") + '"';
        out += ',' + name;
    }
    out += '\n';
    const auto number = [](double v) { return QByteArray::number(v, 'g', 12); };
    for (std::size_t i = 0; i < explanations.size(); ++i) {
        const Explanation &e = explanations[i];
        out += QByteArray::number(qulonglong(rows[i] + 1)) + ',' + number(e.probability) + ',' + number(e.base) + ','
            + number(e.output);
        for (double v : e.values)
            out += ',' + number(v);
        out += '\n';
    }
    return out;
}

std::optional<GroupImportance> sliceImportance(const ImportanceReport &report, const Dataset &data, const QStringList &features,
                                               const QStringList &values, int bins, double threshold)
{
    if (features.size() != values.size() || features.isEmpty() || report.rows.empty() || report.rows.back() >= data.rowCount()
        || !data.hasLabels())
        return std::nullopt;
    std::vector<std::pair<GroupedColumn, std::int32_t>> conditions;
    for (qsizetype i = 0; i < features.size(); ++i) {
        const int index = data.schema.featureIndex(features[i]);
        if (index < 0)
            return std::nullopt;
        GroupedColumn grouped = GroupedColumn::fromColumn(data.columns[std::size_t(index)], bins);
        const qsizetype code = grouped.groups.indexOf(values[i]);
        if (code < 0)
            return std::nullopt;
        conditions.emplace_back(std::move(grouped), std::int32_t(code));
    }
    std::vector<std::size_t> members; // positions in the report's rows
    std::vector<std::size_t> errors;
    for (std::size_t i = 0; i < report.rows.size(); ++i) {
        const std::size_t r = report.rows[i];
        bool in = true;
        for (const auto &[grouped, code] : conditions)
            in = in && grouped.codes[r] == code;
        if (!in)
            continue;
        members.push_back(i);
        const double t = report.rowThresholds.empty() ? threshold : report.rowThresholds[i]; // the model's own decision
        if ((report.explanations[i].probability >= t) != bool(data.labels[r]))
            errors.push_back(i);
    }
    GroupImportance out;
    out.column = features.join(QStringLiteral(" & "));
    out.group = values.join(QStringLiteral(" & "));
    out.rows = members.size();
    out.errors = errors.size();
    if (!members.empty())
        out.all = shapImportance(report.columns, report.explanations, members);
    if (!errors.empty())
        out.onErrors = shapImportance(report.columns, report.explanations, errors);
    return out;
}

ImportanceRequest standardImportanceRequest(const Schema &schema)
{
    ImportanceRequest request;
    request.maxRows = 20000;
    for (const ProtectedAttribute &a : schema.protectedAttributes())
        request.byColumns << a.column;
    return request;
}

ImportanceReport importanceReport(const Model &model, const Dataset &data, const ImportanceRequest &request,
                                  const Progress &progress)
{
    if (!data.hasLabels())
        throw SchemaError(data.noLabelsMessage(QStringLiteral("importance")));
    ImportanceReport out;
    out.threshold = request.threshold.value_or(model.threshold());
    const Explainer explainer(model);
    out.method = explainer.method(request.explain);
    std::vector<std::size_t> rows(data.rowCount());
    for (std::size_t r = 0; r < rows.size(); ++r)
        rows[r] = r;
    if (request.maxRows > 0 && rows.size() > request.maxRows) {
        Rng rng(request.sampleSeed);
        rng.shuffle(rows);
        rows.resize(request.maxRows);
        std::sort(rows.begin(), rows.end());
    }
    const Dataset sample = rows.size() == data.rowCount() ? data : data.subset(rows);
    if (model.groupThresholds().active()) {
        if (request.threshold && *request.threshold != model.threshold())
            throw OptionError(QStringLiteral("threshold"),
                              QStringLiteral("the model decides with thresholds %1; misclassified rows at one threshold for "
                                             "every row would not be its errors")
                                  .arg(model.groupThresholds().describe()));
        model.score(sample, nullptr, &out.rowThresholds);
    }
    const FeatureMatrix x = model.encoder().encode(sample);
    Progress explainProgress = progress;
    if (progress.report)
        explainProgress.report = [&progress](int done, int total, const QString &stage) {
            progress.report(done * 500 / std::max(1, total), 1000, stage);
        };
    out.explanations = explainer.explainAll(x, request.explain, explainProgress);
    const std::vector<Explanation> &explanations = out.explanations;
    const QStringList names = explainer.columns();
    out.columns = names;
    out.rows = rows;
    out.shap = shapImportance(names, explanations);

    std::vector<std::size_t> errorRows;
    std::vector<char> wrong(sample.rowCount(), 0);
    for (std::size_t r = 0; r < sample.rowCount(); ++r) {
        const bool predicted = explanations[r].probability >= out.thresholdAt(r);
        if (predicted != bool(sample.labels[r])) {
            wrong[r] = 1;
            errorRows.push_back(r);
        }
    }
    out.errors = errorRows.size();
    if (!errorRows.empty())
        out.onErrors = shapImportance(names, explanations, errorRows);

    for (const GroupedColumn &g : groupsOf(sample, request.byColumns, request.bins)) {
        for (qsizetype code = 0; code < g.groups.size(); ++code) {
            std::vector<std::size_t> members;
            std::vector<std::size_t> errors;
            for (std::size_t r = 0; r < g.codes.size(); ++r) {
                if (g.codes[r] == code) {
                    members.push_back(r);
                    if (wrong[r])
                        errors.push_back(r);
                }
            }
            if (members.size() < std::size_t(std::max(1, request.minGroupRows)))
                continue;
            GroupImportance group;
            group.column = g.name;
            group.group = g.groups[code];
            group.rows = members.size();
            group.errors = errors.size();
            group.all = shapImportance(names, explanations, members);
            if (!errors.empty())
                group.onErrors = shapImportance(names, explanations, errors);
            out.groups.push_back(std::move(group));
        }
    }

    if (request.permutationToo) {
        PermutationOptions permutation = request.permutation;
        permutation.threshold = out.threshold;
        Progress permutationProgress = progress;
        if (progress.report)
            permutationProgress.report = [&progress](int done, int total, const QString &stage) {
                progress.report(500 + done * 500 / std::max(1, total), 1000, stage);
            };
        out.permutation = permutationImportance(model, x, sample.labels, permutation, permutationProgress);
    }
    return out;
}

QJsonObject ImportanceReport::toJson() const
{
    QJsonArray groupList;
    for (const GroupImportance &g : groups) {
        QJsonObject json{{QStringLiteral("column"), g.column},
                         {QStringLiteral("group"), g.group},
                         {QStringLiteral("rows"), qint64(g.rows)},
                         {QStringLiteral("errors"), qint64(g.errors)},
                         {QStringLiteral("mean_abs_shap"), g.all.toJson()}};
        if (g.errors > 0)
            json.insert(QStringLiteral("mean_abs_shap_on_errors"), g.onErrors.toJson());
        groupList.append(json);
    }
    QJsonObject json{{QStringLiteral("method"), method},
                     {QStringLiteral("threshold"), threshold},
                     {QStringLiteral("mean_abs_shap"), shap.toJson()},
                     {QStringLiteral("errors"), qint64(errors)},
                     {QStringLiteral("groups"), groupList}};
    if (errors > 0)
        json.insert(QStringLiteral("mean_abs_shap_on_errors"), onErrors.toJson());
    if (permutation)
        json.insert(QStringLiteral("permutation"), permutation->toJson());
    return json;
}

QString ImportanceReport::toText(int top) const
{
    QStringList lines;
    lines << QStringLiteral("Importance over %1 rows (%2; %3)").arg(shap.rows).arg(method, enumName(shap.space));
    lines << QStringLiteral("  %1 %2 %3")
                 .arg(QStringLiteral("column"), -24)
                 .arg(QStringLiteral("mean |SHAP| [95% CI]"), -28)
                 .arg(permutation ? QStringLiteral("permutation: drop in %1 [95% CI]").arg(enumName(permutation->metric))
                                  : QString());
    for (int i = 0; i < int(shap.columns.size()) && i < top; ++i) {
        const ColumnImportance &c = shap.columns[std::size_t(i)];
        QString perm;
        if (permutation) {
            for (const ColumnImportance &p : permutation->columns) {
                if (p.column == c.column)
                    perm = QStringLiteral("%1 [%2, %3]").arg(num(p.value), num(p.low), num(p.high));
            }
        }
        lines << QStringLiteral("  %1 %2 %3")
                     .arg(c.column, -24)
                     .arg(QStringLiteral("%1 [%2, %3]").arg(num(c.value), num(c.low), num(c.high)), -28)
                     .arg(perm);
    }
    if (int(shap.columns.size()) > top)
        lines << QStringLiteral("  … and %1 more columns (--top N, or --json for all)").arg(int(shap.columns.size()) - top);
    if (permutation)
        lines << QStringLiteral("  baseline %1 %2, %3 seeded shuffles per column")
                     .arg(enumName(permutation->metric), num(permutation->baseline))
                     .arg(permutation->repeats);
    for (const GroupImportance &g : groups) {
        QStringList topCols;
        for (int i = 0; i < 3 && i < int(g.all.columns.size()); ++i)
            topCols << QStringLiteral("%1 %2").arg(g.all.columns[std::size_t(i)].column,
                                                   num(g.all.columns[std::size_t(i)].value, 3));
        QStringList errorCols;
        for (int i = 0; i < 3 && i < int(g.onErrors.columns.size()); ++i)
            errorCols << QStringLiteral("%1 %2").arg(g.onErrors.columns[std::size_t(i)].column,
                                                     num(g.onErrors.columns[std::size_t(i)].value, 3));
        lines << QStringLiteral("  %1=%2 (%3 rows, %4 errors): %5%6")
                     .arg(g.column, g.group)
                     .arg(g.rows)
                     .arg(g.errors)
                     .arg(topCols.join(QStringLiteral(", ")),
                          errorCols.isEmpty() ? QString()
                                              : QStringLiteral("; on its errors: ") + errorCols.join(QStringLiteral(", ")));
    }
    return lines.join(QLatin1Char('\n'));
}

CalibrationReport calibrationReport(const Model &model, const Dataset &data, int bins, QStringList byColumns, int groupBins)
{
    if (!data.hasLabels())
        throw SchemaError(data.noLabelsMessage(QStringLiteral("calibration")));
    if (bins < 2 || bins > 100)
        throw OptionError(QStringLiteral("bins"), QStringLiteral("--bins: %1 is outside 2..100").arg(bins));
    if (byColumns.isEmpty()) {
        for (const ProtectedAttribute &a : model.schema().protectedAttributes())
            byColumns << a.column;
    }
    const std::vector<GroupedColumn> grouped = groupsOf(data, byColumns, groupBins);
    const auto [scores, before] = model.scoreBeforeAfter(data);
    CalibrationReport out;
    out.rows = scores.size();
    out.bins = bins;
    out.calibrationMethod = model.calibration().describe();
    out.calibrationFitOn = model.calibration().fitOn;
    const auto summary = [&](const std::vector<double> &s) {
        CalibrationReport::Scores r;
        r.curve = calibrationCurve(s, data.labels, bins);
        r.eceCi = eceInterval(s, data.labels, bins);
        const BinaryMetrics m = computeMetrics(s, data.labels, 0.5);
        r.brier = m.brier;
        r.logLoss = m.logLoss;
        return r;
    };
    out.overall = summary(scores);
    if (model.calibration().active())
        out.uncalibrated = summary(before);
    for (const GroupedColumn &g : grouped) {
        std::vector<GroupCalibration> after = calibrationByGroup(g, scores, data.labels, nullptr, kMinCalibrationGroup, bins,
                                                                 &out.smallGroups);
        std::vector<GroupCalibration> beforeGroups;
        if (out.uncalibrated)
            beforeGroups = calibrationByGroup(g, before, data.labels, nullptr, kMinCalibrationGroup, bins);
        for (std::size_t k = 0; k < after.size(); ++k) {
            out.overall.groupEce.push_back(after[k].calibration.ece);
            if (out.uncalibrated)
                out.uncalibrated->groupEce.push_back(beforeGroups[k].calibration.ece);
            out.groups.push_back(std::move(after[k]));
        }
    }
    return out;
}

QJsonObject CalibrationReport::toJson() const
{
    QJsonArray groupList;
    for (std::size_t k = 0; k < groups.size(); ++k) {
        const GroupCalibration &g = groups[k];
        QJsonObject group{{QStringLiteral("column"), g.column},
                          {QStringLiteral("group"), g.group},
                          {QStringLiteral("rows"), qint64(g.rows)},
                          {QStringLiteral("ece"), jsonNumber(g.calibration.ece)},
                          {QStringLiteral("mce"), jsonNumber(g.calibration.mce)},
                          {QStringLiteral("bins"), calibrationBins(g.calibration)}};
        if (uncalibrated)
            group.insert(QStringLiteral("ece_uncalibrated"), jsonNumber(uncalibrated->groupEce[k]));
        groupList.append(group);
    }
    const auto scoresJson = [this](const Scores &s) {
        return QJsonObject{{QStringLiteral("ece"), jsonNumber(s.curve.ece)},
                           {QStringLiteral("ece_ci_low"), jsonNumber(s.eceCi.low)},
                           {QStringLiteral("ece_ci_high"), jsonNumber(s.eceCi.high)},
                           {QStringLiteral("mce"), jsonNumber(s.curve.mce)},
                           {QStringLiteral("brier"), jsonNumber(s.brier)},
                           {QStringLiteral("log_loss"), jsonNumber(s.logLoss)},
                           {QStringLiteral("reliability"), calibrationBins(s.curve)}};
    };
    QJsonObject json = scoresJson(overall);
    json.insert(QStringLiteral("rows"), qint64(rows));
    json.insert(QStringLiteral("bins"), bins);
    json.insert(QStringLiteral("binning"),
                QStringLiteral("equal-width score bins, empty bins left out; observed rate with a 95% Wilson interval; ECE "
                               "with a 95% percentile-bootstrap interval (200 seeded resamples)"));
    json.insert(QStringLiteral("calibration"), calibrationMethod);
    if (uncalibrated) {
        json.insert(QStringLiteral("calibration_fit_on"), calibrationFitOn);
        json.insert(QStringLiteral("uncalibrated"), scoresJson(*uncalibrated));
    }
    json.insert(QStringLiteral("groups"), groupList);
    json.insert(QStringLiteral("groups_too_small"), smallGroups);
    json.insert(QStringLiteral("min_group_rows"), int(kMinCalibrationGroup));
    return json;
}

QString CalibrationReport::toText() const
{
    QStringList lines;
    const auto headline = [this](const Scores &s) {
        return QStringLiteral("ECE %1 [95% CI %2, %3], MCE %4, Brier %5, log loss %6")
            .arg(num(s.curve.ece), num(s.eceCi.low), num(s.eceCi.high), num(s.curve.mce), num(s.brier), num(s.logLoss));
    };
    lines << QStringLiteral("Calibration over %1 rows (%2 equal-width bins): %3").arg(rows).arg(bins).arg(headline(overall));
    if (uncalibrated) {
        lines << QStringLiteral("  calibrated with %1, fit on %2").arg(calibrationMethod, calibrationFitOn);
        lines << QStringLiteral("  before calibration: %1").arg(headline(*uncalibrated));
    }
    lines << QStringLiteral("  %1 %2 %3 %4")
                 .arg(QStringLiteral("scores"), -14)
                 .arg(QStringLiteral("n"), 6)
                 .arg(QStringLiteral("predicted"), 10)
                 .arg(QStringLiteral("observed [95% CI]"));
    for (const CalibrationBin &b : overall.curve.bins)
        lines << QStringLiteral("  %1 %2 %3 %4 [%5, %6]")
                     .arg(QStringLiteral("(%1, %2]").arg(b.low, 0, 'f', 2).arg(b.high, 0, 'f', 2), -14)
                     .arg(b.n, 6)
                     .arg(num(b.meanScore), 10)
                     .arg(num(b.observed), num(b.observedCi.low), num(b.observedCi.high));
    for (std::size_t k = 0; k < groups.size(); ++k) {
        const GroupCalibration &g = groups[k];
        lines << QStringLiteral("  %1=%2: ECE %3%4 (%5 rows)")
                     .arg(g.column, g.group, num(g.calibration.ece),
                          uncalibrated ? QStringLiteral(" (%1 before calibration)").arg(num(uncalibrated->groupEce[k]))
                                       : QString())
                     .arg(g.rows);
    }
    if (smallGroups > 0)
        lines << QStringLiteral("  (%1 group(s) of fewer than 30 rows left out: too few to say anything)").arg(smallGroups);
    return lines.join(QLatin1Char('\n'));
}

} // namespace Audit
