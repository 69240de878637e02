// The card's refresh: every generated block and metric from a model and its audit.
#include "modelcard.h"

#include <cmath>
#include <limits>

#include <QFileInfo>
#include <QJsonDocument>
#include <QLocale>

#include "audit.h"
#include "biassummary.h"
#include "calibration.h"
#include "explainreport.h"
#include "learner.h"
#include "model.h"

namespace Audit {

namespace {

constexpr std::size_t kWeakestShown = 10;

QString num(double v, int decimals = 4)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("n/a");
}

QString mdCell(QString s)
{
    return s.replace(QLatin1Char('|'), QLatin1String("\\|"));
}

} // namespace

void ModelCard::refresh(const Model &model, const Dataset &data, const AuditResults &results, const ImportanceReport *importance)
{
    const QLocale c = QLocale::c();
    modelMd5 = model.md5();
    dataMd5 = data.md5;
    learner = enumName(model.params().kind);
    datasetName = model.schema().name();
    if (name.isEmpty())
        name = QStringLiteral("%1 %2 classifier").arg(datasetName, learner);
    tags = {QStringLiteral("tabular-classification"), QStringLiteral("modelaudit")};
    const QString library = model.learner().library().section(QLatin1Char(' '), 0, 0).toLower(); // "dlib", "xgboost"
    if (library != learner)
        tags << library;
    tags << learner;
    generated.clear();
    metrics.clear();
    const BinaryMetrics &m = results.metrics;
    const Schema &schema = model.schema();
    const TrainingInfo &t = model.training();

    QStringList details;
    details << QStringLiteral("| Fact | Value |") << QStringLiteral("|---|---|")
            << QStringLiteral("| Model id (md5) | `%1` |").arg(model.md5())
            << QStringLiteral("| Learner | %1 (%2) |").arg(learner, model.learner().library())
            << QStringLiteral("| Hyper-parameters | `%1` |")
                   .arg(QString::fromUtf8(QJsonDocument(model.params().toJson()).toJson(QJsonDocument::Compact)))
            << QStringLiteral("| Decision threshold | %1 (%2) |")
                   .arg(num(model.threshold()),
                        !t.thresholdTuned ? QStringLiteral("fixed in params.yaml")
                            : !model.learner().heldOutScores(model.params()).isEmpty()
                            ? QStringLiteral("tuned for F%1 on %2")
                                  .arg(t.validationMetrics.beta)
                                  .arg(model.learner().heldOutScores(model.params()))
                            : QStringLiteral("tuned for F%1 on an inner validation split of the training rows")
                                  .arg(t.validationMetrics.beta))
            << QStringLiteral("| Score calibration | %1 |")
                   .arg(model.calibration().active() ? mdCell(
                            QStringLiteral("%1, fit on %2").arg(model.calibration().describe(), model.calibration().fitOn))
                                                     : QStringLiteral("none (the learner's own scores)"))
            << QStringLiteral("| Features | %1 columns, %2 encoded inputs |")
                   .arg(schema.features().size())
                   .arg(model.encoder().width())
            << QStringLiteral("| Predicts | `%1` = `%2` (positive) or `%3` |")
                   .arg(schema.labelColumn(), schema.positiveLabel(), schema.negativeLabel());
    const GroupThresholds &byGroup = model.groupThresholds();
    if (byGroup.active()) {
        details << QStringLiteral("| Decision thresholds by group | %1 |").arg(mdCell(byGroup.describe()));
        QStringList rules;
        for (const GroupThresholds::Group &g : byGroup.groups) {
            QStringList draws;
            for (const auto &[threshold, probability] : g.mix)
                draws << (g.mix.size() == 1 ? num(threshold)
                                            : QStringLiteral("%1 (%2%)").arg(num(threshold), num(100 * probability, 1)));
            rules << QStringLiteral("%1 %2").arg(g.name, draws.join(QStringLiteral(" or ")));
        }
        const QString goal = byGroup.constraint == QLatin1String("demographic_parity")
            ? QStringLiteral("the groups' predicted-positive rates lie within %1 of each other on the rows fitted (demographic "
                             "parity)")
                  .arg(QString::number(byGroup.tolerance))
            : byGroup.constraint == QLatin1String("equal_opportunity")
            ? QStringLiteral("the groups' true-positive rates lie within %1 of each other on the rows fitted (equal opportunity)")
                  .arg(QString::number(byGroup.tolerance))
            : QStringLiteral("the groups' true- and false-positive rates are equal in expectation (equalized odds, Hardt et al. "
                             "2016)");
        // What the evaluation data shows of the constrained rates, next to what was asked of the fit.
        QStringList achieved;
        double low = 2, high = -1;
        const bool eo = byGroup.constraint == QLatin1String("equalized_odds");
        const bool dp = byGroup.constraint == QLatin1String("demographic_parity");
        if (results.bias) {
            for (const GroupMetrics &g : results.bias->groups) {
                if (g.attribute != byGroup.attribute)
                    continue;
                const double tpr = g.tp + g.fn > 0 ? double(g.tp) / double(g.tp + g.fn)
                                                   : std::numeric_limits<double>::quiet_NaN();
                const double fpr = g.fp + g.tn > 0 ? double(g.fp) / double(g.fp + g.tn)
                                                   : std::numeric_limits<double>::quiet_NaN();
                const double ppr = g.groupSize > 0 ? double(g.tp + g.fp) / double(g.groupSize)
                                                   : std::numeric_limits<double>::quiet_NaN();
                const double rate = dp ? ppr : tpr;
                if (std::isfinite(rate)) {
                    low = std::min(low, rate);
                    high = std::max(high, rate);
                }
                achieved << (eo ? QStringLiteral("%1 TPR %2, FPR %3").arg(g.value, num(tpr, 3), num(fpr, 3))
                                : QStringLiteral("%1 %2").arg(g.value, num(rate, 3)));
            }
        }
        const QString evaluation = achieved.isEmpty()
            ? QString()
            : QStringLiteral(" On the evaluation data (%1 rows) the %2 are %3%4; the overall figures under Quantitative "
                             "Analyses are the model's own, at these thresholds.")
                  .arg(c.toString(qlonglong(m.support)),
                       dp       ? QStringLiteral("predicted-positive rates")
                           : eo ? QStringLiteral("rates")
                                : QStringLiteral("true-positive rates"),
                       achieved.join(QStringLiteral("; ")),
                       !eo && high >= low ? QStringLiteral(" (a gap of %1)").arg(num(high - low, 3)) : QString());
        details << QString()
                << QStringLiteral("**Group-aware thresholds.** This model's decision depends on %1 as well as on the score: a "
                                  "row is predicted `%2` when its score reaches its group's threshold (%3). They were chosen "
                                  "so that %4, with the best %5, on %6 (%7 rows).%8 Two people with the same score but a "
                                  "different %1 can get different decisions: that is the point (the groups' chances are "
                                  "evened out at the cost of treating equal scores differently), and it means %1 must be "
                                  "known when predicting: the HTTP endpoint refuses (422) a request without it or with a "
                                  "group not listed. Offline (`predict`, `evaluate`), such a row meets the fallback threshold "
                                  "%9, and the output counts it.")
                       .arg(byGroup.attribute, schema.positiveLabel(), rules.join(QStringLiteral(", ")), goal,
                            byGroup.objective == QLatin1String("f1") ? QStringLiteral("F1") : byGroup.objective, byGroup.fittedOn,
                            c.toString(qlonglong(byGroup.fitRows)), evaluation, num(model.threshold()));
        if (byGroup.randomised())
            details.back() += QStringLiteral(" Where a group mixes thresholds, which one a record meets is drawn from the "
                                             "record itself (seeded), so the same record always gets the same decision.");
    }
    generated[QStringLiteral("model_details")] = details.join(QLatin1Char('\n'));

    QStringList factors;
    if (results.bias) {
        factors << QStringLiteral("Protected attributes audited, with their groups in the evaluation data:");
        for (const AttributeVerdict &a : results.bias->attributes) {
            QStringList groups;
            for (const GroupMetrics &g : results.bias->groups) {
                if (g.attribute == a.attribute)
                    groups << QStringLiteral("%1 (%2)").arg(g.value, c.toString(qlonglong(g.groupSize)));
            }
            factors
                << QStringLiteral("- **%1** (reference %2): %3").arg(a.attribute, a.reference, groups.join(QStringLiteral(", ")));
        }
    }
    generated[QStringLiteral("factors")] = factors.join(QLatin1Char('\n'));

    generated[QStringLiteral("metrics")]
        = QStringLiteral("Reported: precision, recall, F1, accuracy (with 95% Wilson intervals), ROC AUC, PR AUC, log loss "
                         "and Brier score; per slice precision, recall and F1; Aequitas group metrics and disparities at "
                         "tolerance %1. %2.")
              .arg(results.bias ? num(results.bias->options.tau, 2) : QStringLiteral("0.80"),
                   byGroup.active() ? QStringLiteral("Decisions: thresholds ") + byGroup.describe()
                                    : QStringLiteral("Decision threshold: ") + num(results.threshold));

    // The model records its training data by md5 and size only (no path), so the card does too.
    generated[QStringLiteral("training_data")] = QStringLiteral("- md5: `%1`\n- Rows: %2 (%3 positive)")
                                                     .arg(t.dataMd5, c.toString(qlonglong(t.rows)),
                                                          c.toString(qlonglong(t.positives)));
    QStringList imputed; // what the model does with a missing number, from the encoder it stores
    for (const FeatureEncoder::Column &column : model.encoder().columns()) {
        if (column.missingIndicator)
            imputed << QStringLiteral("%1 (median %2)").arg(column.spec.name, QString::number(column.median, 'g', 10));
    }
    if (!imputed.isEmpty())
        generated[QStringLiteral("training_data")]
            += QStringLiteral("\n- Missing numbers in training, read as the training median with a \"missing\" indicator "
                              "input: %1")
                   .arg(imputed.join(QStringLiteral(", ")));
    // Missingness per column of the evaluation data: missing numbers and the missing-value tokens.
    QStringList missing;
    for (const ColumnSummary &summary : data.summarize()) {
        if (summary.missing > 0)
            missing << QStringLiteral("%1 %2 (%3%)")
                           .arg(summary.name, c.toString(qulonglong(summary.missing)),
                                num(100.0 * double(summary.missing) / double(std::max<std::size_t>(1, data.rowCount())), 1));
    }
    generated[QStringLiteral("evaluation_data")]
        = QStringLiteral("- File: `%1`\n- md5: `%2`\n- Rows: %3 (%4 positive)\n- Missing values: %5")
              .arg(QFileInfo(data.path).fileName(), data.md5, c.toString(qulonglong(data.rowCount())),
                   c.toString(qulonglong(data.positives())),
                   missing.isEmpty() ? QStringLiteral("none") : missing.join(QStringLiteral(", ")));

    // Quantitative analyses: overall, weakest slices, every single-feature slice, bias.
    QStringList q;
    const SliceRow &overall = results.slices->overall;
    q << QStringLiteral("### Overall (%1, %2 rows)")
             .arg(byGroup.active() ? QStringLiteral("group thresholds by %1").arg(byGroup.attribute)
                                   : QStringLiteral("threshold %1").arg(num(results.threshold)),
                  c.toString(qlonglong(m.support)))
      << QString() << QStringLiteral("| Metric | Value | 95% interval |") << QStringLiteral("|---|---|---|");
    const auto addOverall = [&](const QString &type, const QString &title, double value, const Interval *ci) {
        q << QStringLiteral("| %1 | %2 | %3 |")
                 .arg(title, num(value), ci ? QStringLiteral("%1 – %2").arg(num(ci->low), num(ci->high)) : QStringLiteral("–"));
        metrics.push_back({type, num(value), {}, ci ? num(ci->low) : QString(), ci ? num(ci->high) : QString()});
    };
    addOverall(QStringLiteral("precision"), QStringLiteral("Precision"), m.precision, &overall.precisionCi);
    addOverall(QStringLiteral("recall"), QStringLiteral("Recall"), m.recall, &overall.recallCi);
    addOverall(QStringLiteral("f1"), QStringLiteral("F1"), m.f1, &overall.f1Ci);
    addOverall(QStringLiteral("accuracy"), QStringLiteral("Accuracy"), m.accuracy, &overall.accuracyCi);
    addOverall(QStringLiteral("roc_auc"), QStringLiteral("ROC AUC"), m.rocAuc, nullptr);
    addOverall(QStringLiteral("pr_auc"), QStringLiteral("PR AUC"), m.prAuc, nullptr);
    addOverall(QStringLiteral("log_loss"), QStringLiteral("Log loss"), m.logLoss, nullptr);
    addOverall(QStringLiteral("brier"), QStringLiteral("Brier score"), m.brier, nullptr);

    const SliceReport &slices = *results.slices;
    q << QString() << QStringLiteral("### Weakest slices") << QString();
    const QString rule = QStringLiteral("more than %1 below the overall %2 and below the rest of the data beyond chance "
                                        "(Benjamini–Hochberg q ≤ %3 over the %4 slices with at least %5 positives)")
                             .arg(slices.options.weakMargin)
                             .arg(enumName(slices.options.weakMetric))
                             .arg(slices.options.fdrQ)
                             .arg(slices.tested)
                             .arg(slices.options.minPositives);
    const auto pText = [](double p) { return pValueText(p, QStringLiteral("–")); };
    if (slices.weak.empty()) {
        q << QStringLiteral("No slice is %1.").arg(rule);
    } else {
        q << QStringLiteral("Slices %1, %2.")
                 .arg(rule,
                      slices.options.rank == SliceRank::Evidence ? QStringLiteral("ranked by the gap's lower 95% bound")
                                                                 : QStringLiteral("largest gap first"))
          << QString()
          << QStringLiteral("| Slice | n | %1 | 95% interval | Gap | Gap at least | p | q |")
                 .arg(enumName(slices.options.weakMetric))
          << QStringLiteral("|---|---|---|---|---|---|---|---|");
        for (std::size_t k = 0; k < slices.weak.size() && k < kWeakestShown; ++k) {
            const SliceRow &row = slices.slices[slices.weak[k]];
            const Interval ci = row.interval(slices.options.weakMetric);
            q << QStringLiteral("| %1 = %2 | %3 | %4 | %5 – %6 | %7 | %8 | %9 |")
                        .arg(mdCell(row.feature()), mdCell(row.value()), c.toString(qlonglong(row.n)),
                             num(row.metric(slices.options.weakMetric)), num(ci.low), num(ci.high), num(row.gap), num(row.gapLow),
                             pText(row.p))
                    + QStringLiteral(" %1 |").arg(pText(row.q));
        }
        q << QString()
          << QStringLiteral("%1 weak slices in all (of %2; %3 tested).")
                 .arg(slices.weak.size())
                 .arg(slices.slices.size())
                 .arg(slices.tested);
    }

    q << QString() << QStringLiteral("### Performance by feature") << QString()
      << QStringLiteral("| Feature | Value | n | Precision | Recall | F1 | F1 95% interval |")
      << QStringLiteral("|---|---|---|---|---|---|---|");
    for (const SliceRow &row : slices.slices) {
        if (row.features.size() != 1)
            continue;
        q << QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 – %8 |")
                 .arg(mdCell(row.feature()), mdCell(row.value()), c.toString(qlonglong(row.n)), num(row.precision),
                      num(row.recall), num(row.f1), num(row.f1Ci.low), num(row.f1Ci.high));
        if (std::isfinite(row.f1))
            metrics.push_back({QStringLiteral("f1"), num(row.f1), row.feature() + QLatin1Char('=') + row.value(),
                               num(row.f1Ci.low), num(row.f1Ci.high)});
    }

    if (results.bias) {
        const BiasReport &b = *results.bias;
        const bool evidence = b.options.verdicts == VerdictMode::Evidence;
        q << QString()
          << QStringLiteral("### Bias (tolerance %1: parity when %1 ≤ disparity ≤ %2)")
                 .arg(num(b.options.tau, 2), num(1 / b.options.tau, 2))
          << QString() << biasVerdictRule(b) << QString()
          << QStringLiteral("| Attribute | Group | n | PPR disparity | FPR disparity | FNR disparity | Verdict |")
          << QStringLiteral("|---|---|---|---|---|---|---|");
        for (const GroupMetrics &g : b.groups) {
            QStringList failed, notSignificant;
            for (std::size_t p = 0; p < 10; ++p) {
                if (g.states[p] == VerdictState::Fail)
                    failed << parityName(Parity(p));
                else if (g.states[p] == VerdictState::NotSignificant)
                    notSignificant << parityName(Parity(p));
            }
            QStringList verdict;
            if (!g.insufficient.isEmpty() && evidence)
                verdict << QStringLiteral("insufficient data (%1)").arg(g.insufficient);
            if (!failed.isEmpty())
                verdict << QStringLiteral("fails ") + failed.join(QStringLiteral(", "));
            if (!notSignificant.isEmpty())
                verdict << QStringLiteral("outside band, not significant: ") + notSignificant.join(QStringLiteral(", "));
            const auto cell = [&](BiasMetric metric) {
                const Interval ci = g.disparityCi[std::size_t(metric)];
                return num(g.disparity(metric), 3)
                    + (std::isfinite(ci.low) ? QStringLiteral(" (%1–%2)").arg(num(ci.low, 3), num(ci.high, 3)) : QString());
            };
            q << QStringLiteral("| %1 | %2%3 | %4 | %5 | %6 | %7 | %8 |")
                     .arg(mdCell(g.attribute), mdCell(g.value), g.value == g.references[0] ? QStringLiteral(" (ref)") : QString(),
                          c.toString(qlonglong(g.groupSize)), cell(BiasMetric::Ppr), cell(BiasMetric::Fpr), cell(BiasMetric::Fnr),
                          verdict.isEmpty() ? QStringLiteral("–") : mdCell(verdict.join(QStringLiteral("; "))));
            for (BiasMetric metric : {BiasMetric::Ppr, BiasMetric::Fpr, BiasMetric::Fnr}) {
                const Interval ci = g.disparityCi[std::size_t(metric)];
                if (std::isfinite(g.disparity(metric)))
                    metrics.push_back({biasMetricName(metric) + QStringLiteral("_disparity"), num(g.disparity(metric)),
                                       g.attribute + QLatin1Char('=') + g.value, std::isfinite(ci.low) ? num(ci.low) : QString(),
                                       std::isfinite(ci.high) ? num(ci.high) : QString()});
            }
        }
        QStringList verdicts;
        for (Parity p : {Parity::Statistical, Parity::EqualizedOdds, Parity::TypeI, Parity::TypeII, Parity::Supervised})
            verdicts
                << QStringLiteral("%1: **%2**").arg(parityName(p), verdictStateText(b.overallStates[std::size_t(p)]).toLower());
        q << QString()
          << QStringLiteral("Overall verdicts (the main parities; every parity per group and attribute is in bias.json): ")
                + verdicts.join(QStringLiteral("; ")) + QLatin1Char('.');
    }
    // Why: importance, and calibration overall and per protected group.
    q << QString() << QStringLiteral("### Importance: which columns drive the predictions") << QString();
    if (importance) {
        q << QStringLiteral("%1 over %2 rows, in %3. Mean |SHAP| carries a normal 95% interval of the mean; permutation "
                            "importance is the drop in ROC AUC when the column is shuffled (%4 seeded shuffles, Student's t "
                            "95% interval; baseline %5).")
                 .arg(importance->method)
                 .arg(importance->shap.rows)
                 .arg(enumName(importance->shap.space))
                 .arg(importance->permutation ? importance->permutation->repeats : 0)
                 .arg(importance->permutation ? num(importance->permutation->baseline) : QStringLiteral("n/a"))
          << QString() << QStringLiteral("| Column | Mean \\|SHAP\\| | 95% interval | ROC AUC drop | 95% interval |")
          << QStringLiteral("|---|---|---|---|---|");
        for (const ColumnImportance &col : importance->shap.columns) {
            const ColumnImportance *perm = nullptr;
            if (importance->permutation) {
                for (const ColumnImportance &p : importance->permutation->columns) {
                    if (p.column == col.column)
                        perm = &p;
                }
            }
            q << QStringLiteral("| %1 | %2 | %3–%4 | %5 | %6 |")
                     .arg(mdCell(col.column), num(col.value), num(col.low), num(col.high),
                          perm ? num(perm->value) : QStringLiteral("–"),
                          perm ? QStringLiteral("%1–%2").arg(num(perm->low), num(perm->high)) : QStringLiteral("–"));
        }
    } else {
        q << QStringLiteral("Not worked out for this card: `modelaudit-cli card` (or Refresh Numbers in the app once the "
                            "Performance tab shows the importance) adds it.");
    }
    q << QString() << QStringLiteral("### Calibration") << QString()
      << QStringLiteral(
             "Expected calibration error over %1 equal-width score bins: **%2** overall (95% bootstrap interval %3–%4; "
             "largest bin gap %5).")
             .arg(10)
             .arg(num(results.calibration.ece), num(results.eceCi.low), num(results.eceCi.high), num(results.calibration.mce));
    metrics.push_back(
        {QStringLiteral("ece"), num(results.calibration.ece), QString(), num(results.eceCi.low), num(results.eceCi.high)});
    if (results.uncalibrated && model.calibration().active()) {
        const ScoreCalibration &cal = model.calibration();
        q << QString()
          << QStringLiteral("The scores are calibrated after training (%1, fit on %2). Before that map the ECE here was %3 "
                            "(95% interval %4–%5).")
                 .arg(cal.describe(), mdCell(cal.fitOn), num(results.uncalibrated->ece), num(results.uncalibratedEceCi.low),
                      num(results.uncalibratedEceCi.high));
        metrics.push_back({QStringLiteral("ece_uncalibrated"), num(results.uncalibrated->ece), QString(),
                           num(results.uncalibratedEceCi.low), num(results.uncalibratedEceCi.high)});
    }
    if (importance && !importance->rows.empty() && importance->rows.back() < data.rowCount() && data.hasLabels()) {
        QStringList groups;
        std::vector<double> scores; // the explained rows' scores and labels
        std::vector<std::int8_t> labels;
        for (std::size_t i = 0; i < importance->rows.size(); ++i) {
            scores.push_back(importance->explanations[i].probability);
            labels.push_back(data.labels[importance->rows[i]]);
        }
        for (const ProtectedAttribute &a : schema.protectedAttributes()) {
            const int index = data.schema.featureIndex(a.column);
            if (index < 0 || data.columns[std::size_t(index)].spec.isNumeric())
                continue;
            const GroupedColumn grouped = GroupedColumn::fromColumn(data.columns[std::size_t(index)], 1);
            for (const GroupCalibration &g : calibrationByGroup(grouped, scores, labels, &importance->rows, 30)) {
                groups << QStringLiteral("%1=%2 %3 (n %4)").arg(a.column, g.group, num(g.calibration.ece)).arg(g.rows);
                metrics.push_back(
                    {QStringLiteral("ece"), num(g.calibration.ece), a.column + QLatin1Char('=') + g.group, QString(), QString()});
            }
        }
        if (!groups.isEmpty())
            q << QString()
              << QStringLiteral("By protected group (groups of 30 rows or more): ") + groups.join(QStringLiteral("; "))
                    + QLatin1Char('.');
    }
    generated[QStringLiteral("quantitative_analyses")] = q.join(QLatin1Char('\n'));
}

} // namespace Audit
