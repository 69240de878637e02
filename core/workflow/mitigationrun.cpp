#include "mitigationrun.h"

#include <algorithm>
#include <cmath>

#include <QFileInfo>
#include <QJsonArray>

#include "auditerror.h"
#include "csvreader.h"
#include "model.h"
#include "prediction.h"
#include "project.h"
#include "schemaerror.h"
#include "thresholdchoice.h"
#include "trainer.h"

namespace Audit {

namespace {

// Group codes of `attribute` in `columns`, mapped onto `names` (new values appended).
std::vector<std::int32_t> codesOf(const std::vector<DataColumn> &columns, const QString &attribute, const QString &source,
                                  QStringList &names)
{
    const DataColumn *column = nullptr;
    for (const DataColumn &c : columns)
        column = c.spec.name == attribute ? &c : column;
    if (!column)
        throw SchemaError(QStringLiteral("%1: no column \"%2\" to take the groups from").arg(source, attribute));
    if (column->spec.isNumeric())
        throw OptionError(QStringLiteral("attribute"),
                          QStringLiteral("\"%1\" is numeric: group thresholds need a categorical attribute").arg(attribute));
    std::vector<std::int32_t> mapped;
    mapped.reserve(column->codes.size());
    std::vector<std::int32_t> translate;
    for (const std::string &c : column->categories) {
        const QString name = QString::fromStdString(c);
        qsizetype i = names.indexOf(name);
        if (i < 0) {
            names << name;
            i = names.size() - 1;
        }
        translate.push_back(std::int32_t(i));
    }
    for (const std::int32_t code : column->codes)
        mapped.push_back(code >= 0 && std::size_t(code) < translate.size() ? translate[std::size_t(code)] : -1);
    return mapped;
}

QString fmt(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 4) : QStringLiteral("–");
}

std::vector<GroupRate> ratesOf(const MitigationOutcome &before, const MitigationOutcome &after, int which)
{
    std::vector<GroupRate> out;
    for (std::size_t k = 0; k < after.groups.size(); ++k) {
        const GroupOutcome &b = before.groups[k];
        const GroupOutcome &a = after.groups[k];
        GroupRate r;
        r.group = a.group;
        const auto rate = [which](const GroupOutcome &g) { return which == 0 ? g.tpr() : which == 1 ? g.fpr() : g.ppr(); };
        const auto ci = [which](const GroupOutcome &g) {
            const auto n = std::int64_t(std::llround(which == 0 ? g.tp + g.fn : which == 1 ? g.fp + g.tn : double(g.rows)));
            const auto k = std::int64_t(std::llround(which == 0 ? g.tp : which == 1 ? g.fp : g.tp + g.fp));
            return Stats::wilsonInterval(k, n, Stats::kZ95);
        };
        r.before = rate(b);
        r.after = rate(a);
        r.beforeCi = ci(b);
        r.afterCi = ci(a);
        out.push_back(r);
    }
    return out;
}

bool degenerateRate(double before, double after)
{
    return std::isfinite(after) && std::isfinite(before)
        && ((after >= 0.9 && before < 0.9) || (after <= 0.02 && before > 0.02) || std::abs(after - before) >= 0.4);
}

double constrainedGap(const MitigationOutcome &o, FairnessConstraint c)
{
    switch (c) {
    case FairnessConstraint::DemographicParity:
        return o.pprGap;
    case FairnessConstraint::EqualOpportunity:
        return o.tprGap;
    case FairnessConstraint::EqualizedOdds:
        return std::max(o.tprGap, o.fprGap);
    }
    return 0;
}

} // namespace

GroupedFitRows outOfFoldRows(const Dataset &train, const TrainParams &params, const QString &attribute, int folds,
                             const Progress &progress)
{
    GroupedFitRows rows;
    rows.codes = codesOf(train.columns, attribute, train.path, rows.names); // before the folds: fails fast
    const CrossValidationReport cv = crossValidate(train, params, folds, progress);
    rows.scores = cv.outOfFold;
    rows.labels = train.labels;
    rows.source = QStringLiteral("%1-fold out-of-fold scores of %2").arg(folds).arg(QFileInfo(train.path).fileName());
    return rows;
}

GroupThresholds toGroupThresholds(const MitigationReport &report, const QString &fittedOn, std::int64_t fitRows,
                                  std::uint64_t seed)
{
    GroupThresholds out;
    out.attribute = report.attribute;
    out.constraint = constraintName(report.constraint);
    out.tolerance = report.tolerance;
    out.objective = report.objective.spec();
    out.fittedOn = fittedOn;
    out.fitRows = fitRows;
    out.seed = seed;
    for (const GroupRule &rule : report.rules) {
        GroupThresholds::Group g;
        g.name = rule.group;
        g.mix = rule.mix.empty() ? std::vector<std::pair<double, double>>{{rule.threshold, 1.0}} : rule.mix;
        out.groups.push_back(std::move(g));
    }
    return out;
}

Model trainProjectModel(const Dataset &train, const TrainParams &params, const Progress &progress)
{
    const MitigationParams &m = params.mitigation;
    if (!m.active())
        return trainModel(train, params, progress);
    // Checked before any training, each against the line that says it.
    Objective objective;
    try {
        objective = Objective::parse(m.objective);
    } catch (const OptionError &e) {
        throw SchemaError(QStringLiteral("%1: %2").arg(m.objectiveWhere, e.message()));
    }
    if (objective.kind != Objective::Kind::FBeta && objective.kind != Objective::Kind::Cost)
        throw SchemaError(QStringLiteral("%1: group thresholds optimise F-beta or an expected cost, not %2")
                              .arg(m.objectiveWhere, objective.description()));
    const int column = train.schema.featureIndex(m.attribute);
    if (column < 0 || train.schema.features()[std::size_t(column)].isNumeric())
        throw SchemaError(
            QStringLiteral("%1: \"%2\" is %3; group thresholds need a categorical column of the schema")
                .arg(m.attributeWhere, m.attribute, column < 0 ? QStringLiteral("not a column") : QStringLiteral("numeric")));
    const int total = m.folds + 1;
    const auto part = [&progress, total](int offset) {
        Progress p = progress;
        p.report = [&progress, total, offset](int done, int of, const QString &stage) {
            progress.step(offset * 100 + (of > 0 ? done * 100 / of : 0), total * 100, stage);
        };
        return p;
    };
    Model model = trainModel(train, params, part(0));
    progress.checkCancelled();
    Progress folds = progress;
    folds.report = [&progress, total](int done, int of, const QString &stage) {
        progress.step(100 + (of > 0 ? done * (total - 1) * 100 / of : 0), total * 100, stage);
    };
    const GroupedFitRows rows = outOfFoldRows(train, params, m.attribute, m.folds, folds);
    MitigationReport fit;
    try {
        fit = fitGroupThresholds(rows.view(), parseConstraint(m.constraint), m.tolerance, objective, model.threshold(),
                                 m.attribute);
    } catch (const OptionError &e) {
        throw SchemaError(QStringLiteral("%1: %2").arg(m.attributeWhere, e.message()));
    }
    if (!fit.found)
        throw SchemaError(QStringLiteral("%1: no thresholds by %2 meet %3 within %4 on the %5; raise mitigation.tolerance "
                                         "or set mitigation.constraint to none")
                              .arg(m.attributeWhere, m.attribute, m.constraint, QString::number(m.tolerance), rows.source));
    const QString fittedOn
        = QStringLiteral("%1-fold out-of-fold scores of the training rows (data md5 %2)").arg(m.folds).arg(train.md5.left(12));
    return model.withGroupThresholds(toGroupThresholds(fit, fittedOn, std::int64_t(rows.scores.size()), params.learner.seed));
}

MitigationRun runMitigation(const MitigationRequest &request, const Project *project, const Progress &progress)
{
    MitigationRun run;
    run.request = request;
    const Model model = Model::load(request.modelPath);
    QStringList names;
    std::vector<double> fitScores;
    std::vector<std::int8_t> fitLabels;
    std::vector<std::int32_t> fitCodes;
    if (request.fitPath.isEmpty()) {
        if (!project)
            throw UsageError(QStringLiteral("out-of-fold scores need a project (its params.yaml names data.train)"));
        const TrainParams &params = project->params();
        if (params.trainPath.isEmpty())
            throw UsageError(QStringLiteral("%1 names no data.train: give --fit CSV").arg(project->paramsPath()));
        const LoadReport train = CsvReader::read(params.trainPath, project->loadSchema(), {});
        GroupedFitRows rows = outOfFoldRows(train.data, params, request.attribute, request.folds, progress);
        fitScores = std::move(rows.scores);
        fitLabels = std::move(rows.labels);
        fitCodes = std::move(rows.codes);
        names = rows.names;
        run.fitSource = rows.source;
    } else {
        const LoadReport fit = CsvReader::read(request.fitPath, model.schema(), {});
        const ScoredData scored = scoreDataset(model, fit.data);
        fitScores = scored.scores;
        fitLabels = scored.labels;
        fitCodes = codesOf(scored.columns, request.attribute, request.fitPath, names);
        run.fitSource = QFileInfo(request.fitPath).fileName();
        run.warnings = splitWarnings(request.fitPath, project);
    }
    run.fitRows = std::int64_t(fitScores.size());
    const GroupedScores fit{&fitScores, &fitLabels, &fitCodes, names};
    run.fitted = fitGroupThresholds(fit, request.constraint, request.tolerance, request.objective, model.threshold(),
                                    request.attribute);

    const LoadReport report = CsvReader::read(request.reportPath, model.schema(), {});
    const ScoredData scored = scoreDataset(model, report.data);
    const std::vector<std::int32_t> reportCodes = codesOf(scored.columns, request.attribute, request.reportPath, names);
    const GroupedScores shown{&scored.scores, &scored.labels, &reportCodes, names};
    run.reportSource = QFileInfo(request.reportPath).fileName();
    run.reportRows = std::int64_t(scored.scores.size());
    if (QFileInfo(request.reportPath).canonicalFilePath() == QFileInfo(request.fitPath).canonicalFilePath())
        run.warnings << QStringLiteral("fitted and reported on the same rows: the figures after are optimistic");
    run.before = evaluateRules(shown, run.fitted, false);
    run.after = evaluateRules(shown, run.fitted, true);
    if (run.after.ungrouped > 0)
        run.warnings << QStringLiteral("%1 of %2 rows have no %3 value, or one the fit rows did not have: they keep the "
                                       "single threshold %4")
                            .arg(run.after.ungrouped)
                            .arg(run.reportRows)
                            .arg(request.attribute)
                            .arg(run.fitted.singleThreshold, 0, 'f', 4);
    for (std::size_t k = 0; k < run.after.groups.size(); ++k) {
        // A degenerate fit: a group (nearly) all positive or all negative where it was not, or
        // its positive rate moved by 40 points or more.
        const double before = run.before.groups[k].ppr(), after = run.after.groups[k].ppr();
        if (degenerateRate(before, after))
            run.warnings << QStringLiteral("group \"%1\": its threshold makes %2% of its rows positive (%3% with the single "
                                           "threshold): a degenerate solution, bought with accuracy %4 -> %5; a larger "
                                           "tolerance avoids it")
                                .arg(run.after.groups[k].group)
                                .arg(100 * after, 0, 'f', 1)
                                .arg(100 * before, 0, 'f', 1)
                                .arg(run.before.accuracy, 0, 'f', 4)
                                .arg(run.after.accuracy, 0, 'f', 4);
    }
    for (const GroupOutcome &g : run.after.groups) {
        if (g.rows == 0)
            run.warnings
                << QStringLiteral("group \"%1\" has no rows in %2: its rates are undefined there").arg(g.group, run.reportSource);
    }
    {
        // Groups fitted on few rows: their thresholds rest on little evidence.
        const GroupedScores &f = fit;
        for (const GroupRule &rule : run.fitted.rules) {
            const auto code = std::int32_t(f.names.indexOf(rule.group));
            std::int64_t rows = 0, positives = 0;
            for (std::size_t i = 0; i < f.codes->size(); ++i) {
                if ((*f.codes)[i] == code) {
                    ++rows;
                    positives += (*f.labels)[i] ? 1 : 0;
                }
            }
            if (rows < 30 || positives < 10)
                run.warnings << QStringLiteral("group \"%1\" has %2 fit rows (%3 positive): its threshold rests on little "
                                               "evidence (at least 30 rows and 10 positives advised)")
                                    .arg(rule.group)
                                    .arg(rows)
                                    .arg(positives);
        }
    }
    run.tpr = ratesOf(run.before, run.after, 0);
    run.fpr = ratesOf(run.before, run.after, 1);
    run.ppr = ratesOf(run.before, run.after, 2);
    QList<double> tolerances = request.pareto;
    std::sort(tolerances.begin(), tolerances.end());
    tolerances.erase(std::unique(tolerances.begin(), tolerances.end()), tolerances.end());
    if (tolerances.size() > kMaxParetoPoints)
        throw OptionError(
            QStringLiteral("pareto"),
            QStringLiteral("%1 tolerances for the trade-off: at most %2").arg(tolerances.size()).arg(kMaxParetoPoints));
    if (request.constraint == FairnessConstraint::EqualizedOdds && tolerances.size() > 1)
        tolerances = {tolerances.front()}; // exact: one point, whatever the tolerance
    for (const double tolerance : tolerances) {
        progress.checkCancelled();
        const MitigationReport r = fitGroupThresholds(fit, request.constraint, tolerance, request.objective, model.threshold(),
                                                      request.attribute);
        const MitigationOutcome o = evaluateRules(shown, r, true);
        const MitigationOutcome onFit = evaluateRules(fit, r, true);
        run.pareto.push_back({tolerance, o.value, constrainedGap(o, request.constraint), o.f1, onFit.value,
                              constrainedGap(onFit, request.constraint), r, o});
    }
    return run;
}

std::vector<GroupRate> MitigationRun::ratesAt(const ParetoPoint &point, int which) const
{
    return ratesOf(before, point.after, which);
}

QJsonObject MitigationRun::toJson() const
{
    const auto rates = [](const std::vector<GroupRate> &v) {
        QJsonArray a;
        for (const GroupRate &r : v)
            a.append(QJsonObject{
                {QStringLiteral("group"), r.group},
                {QStringLiteral("before"), reportNumber(r.before)},
                {QStringLiteral("before_ci"), QJsonArray{reportNumber(r.beforeCi.low), reportNumber(r.beforeCi.high)}},
                {QStringLiteral("after"), reportNumber(r.after)},
                {QStringLiteral("after_ci"), QJsonArray{reportNumber(r.afterCi.low), reportNumber(r.afterCi.high)}}});
        return a;
    };
    QJsonArray front;
    for (const ParetoPoint &p : pareto)
        front.append(QJsonObject{{QStringLiteral("tolerance"), p.tolerance},
                                 {QStringLiteral("value"), reportNumber(p.value)},
                                 {QStringLiteral("f1"), reportNumber(p.f1)},
                                 {QStringLiteral("gap"), reportNumber(p.gap)},
                                 {QStringLiteral("fit_value"), reportNumber(p.fitValue)},
                                 {QStringLiteral("fit_gap"), reportNumber(p.fitGap)}});
    return {{QStringLiteral("fitted"), fitted.toJson()},
            {QStringLiteral("fit_source"), fitSource},
            {QStringLiteral("fit_rows"), qint64(fitRows)},
            {QStringLiteral("report_source"), reportSource},
            {QStringLiteral("report_rows"), qint64(reportRows)},
            {QStringLiteral("before"), before.toJson()},
            {QStringLiteral("after"), after.toJson()},
            {QStringLiteral("tpr"), rates(tpr)},
            {QStringLiteral("fpr"), rates(fpr)},
            {QStringLiteral("ppr"), rates(ppr)},
            {QStringLiteral("pareto"), front},
            {QStringLiteral("warnings"), QJsonArray::fromStringList(warnings)}};
}

QString MitigationRun::toText() const
{
    QStringList lines;
    lines << QStringLiteral("mitigate: %1 for %2 (%3), %4; fitted on %5 (%6 rows), reported on %7 (%8 rows)")
                 .arg(constraintName(fitted.constraint), fitted.attribute,
                      fitted.constraint == FairnessConstraint::EqualizedOdds
                          ? QStringLiteral("exact, by randomised thresholds")
                          : QStringLiteral("tolerance %1").arg(QString::number(fitted.tolerance)),
                      fitted.objective.description(), fitSource)
                 .arg(fitRows)
                 .arg(reportSource)
                 .arg(reportRows);
    for (const QString &w : warnings)
        lines << QStringLiteral("  warning: ") + w;
    if (!fitted.found)
        lines << QStringLiteral("  no group thresholds meet the constraint on the fit rows: the single threshold stays");
    if (fitted.levelsSearched < fitted.levels)
        lines << QStringLiteral("  searched %1 evenly spaced of the %2 common rate levels")
                     .arg(fitted.levelsSearched)
                     .arg(fitted.levels);
    if (fitted.constraint != FairnessConstraint::EqualizedOdds && fitted.tolerance == 0)
        lines << QStringLiteral("  tolerance 0: deterministic thresholds meet exact equality only where the groups' rates "
                                "coincide (often a degenerate 0 or 1); equalized_odds randomises to reach it");
    QStringList rules;
    for (const GroupRule &r : fitted.rules) {
        if (r.mix.empty()) {
            rules << QStringLiteral("%1 %2").arg(r.group, fmt(r.threshold));
            continue;
        }
        QStringList mix;
        for (const auto &[t, p] : r.mix)
            mix << QStringLiteral("%1 (p %2)").arg(fmt(t), QString::number(p, 'f', 3));
        rules << QStringLiteral("%1 %2").arg(r.group, mix.join(QStringLiteral(" or ")));
    }
    lines << QStringLiteral("  group thresholds: %1 (the single threshold: %2)")
                 .arg(rules.join(QStringLiteral("; ")), fmt(fitted.singleThreshold));
    if (fitted.constraint == FairnessConstraint::EqualizedOdds)
        lines << QStringLiteral(
            "  a mix: each prediction of the group uses one of its thresholds, drawn with these probabilities; "
            "the figures are the expectation over the draws");
    lines << QStringLiteral("  on %1:            before     after").arg(reportSource);
    const auto row = [&](const QString &name, double b, double a) {
        lines << QStringLiteral("    %1 %2  %3").arg(name, -22).arg(fmt(b), 9).arg(fmt(a), 9);
    };
    if (fitted.objective.metricName() != QLatin1String("F1"))
        row(fitted.objective.metricName(), before.value, after.value);
    row(QStringLiteral("F1"), before.f1, after.f1);
    row(QStringLiteral("accuracy"), before.accuracy, after.accuracy);
    row(QStringLiteral("TPR gap (max - min)"), before.tprGap, after.tprGap);
    row(QStringLiteral("TPR ratio (min / max)"), before.tprRatio, after.tprRatio);
    row(QStringLiteral("FPR gap"), before.fprGap, after.fprGap);
    row(QStringLiteral("FPR ratio"), before.fprRatio, after.fprRatio);
    row(QStringLiteral("positive-rate gap"), before.pprGap, after.pprGap);
    row(QStringLiteral("positive-rate ratio"), before.pprRatio, after.pprRatio);
    const auto groups = [&](const QString &name, const std::vector<GroupRate> &v) {
        QStringList parts;
        for (const GroupRate &r : v)
            parts << QStringLiteral("%1 %2 [%3, %4] -> %5 [%6, %7]")
                         .arg(r.group, fmt(r.before), fmt(r.beforeCi.low), fmt(r.beforeCi.high), fmt(r.after), fmt(r.afterCi.low),
                              fmt(r.afterCi.high));
        lines << QStringLiteral("    %1 per group (95% Wilson): %2").arg(name, parts.join(QStringLiteral("; ")));
    };
    groups(QStringLiteral("TPR"), tpr);
    groups(QStringLiteral("FPR"), fpr);
    groups(QStringLiteral("positive rate"), ppr);
    if (!pareto.empty()) {
        for (const ParetoPoint &p : pareto)
            lines << QStringLiteral("    tolerance %1: %2 %3, gap %4 on %5 (fitted: %6, gap %7)")
                         .arg(QString::number(p.tolerance), -5)
                         .arg(fitted.objective.metricName(), fmt(p.value), fmt(p.gap), reportSource, fmt(p.fitValue),
                              fmt(p.fitGap));
        lines.insert(lines.size() - qsizetype(pareto.size()),
                     QStringLiteral("  trade-off (each tolerance fitted again; the constrained rate's largest minus smallest):"));
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace Audit
