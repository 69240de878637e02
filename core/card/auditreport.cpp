#include "auditreport.h"

#include "biassummary.h"

#include <cmath>

#include <QFileInfo>
#include <QFont>
#include <QLocale>
#include <QTextDocument>
#include <QUrl>

#include "audit.h"
#include "learner.h"
#include "model.h"
#include "okabeito.h"

namespace Audit {

namespace {

constexpr std::size_t kWeakestShown = 10;
constexpr std::size_t kBaseParities = 10; // one per BiasMetric, in the same order

// Verdict cells: the Okabe–Ito pass and fail colours the charts and the app use, tinted over
// white so black text stays readable on paper.
const QColor kPassCell = OkabeIto::tint(OkabeIto::kPass, 0.22);
const QColor kFailCell = OkabeIto::tint(OkabeIto::kFail, 0.3);
const QColor kUndefinedCell = OkabeIto::tint(OkabeIto::kUndefined, 0.2);
const QColor kNotSignificantCell = OkabeIto::tint(OkabeIto::kFail, 0.1); // outside the band, within chance

// An overall metric as metrics.json, the Performance tab and the card state it: the exact
// value at 4 decimals.
QString exact(double v, int decimals = 4)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("n/a");
}

// A slice or bias number as slices.json and bias.json state it (reportNumber), at `decimals`.
QString reported(double v, int decimals = 4)
{
    return std::isfinite(v) ? QString::number(reportNumber(v), 'f', decimals) : QStringLiteral("n/a");
}

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

QString count(std::int64_t n)
{
    return QLocale::c().toString(qlonglong(n));
}

// The words bias.json's verdict states stand for, in a table cell.
QString verdictWord(VerdictState state)
{
    switch (state) { // a mark as well as the colour, as in the app
    case VerdictState::Pass:
        return QStringLiteral("✓ pass");
    case VerdictState::Fail:
        return QStringLiteral("✗ fail");
    case VerdictState::NotSignificant:
        return QStringLiteral("~ outside band, not significant");
    case VerdictState::Insufficient:
        return QStringLiteral("? insufficient data");
    case VerdictState::Undefined:
        break;
    }
    return QStringLiteral("– undefined");
}

QColor verdictColour(VerdictState state)
{
    switch (state) {
    case VerdictState::Pass:
        return kPassCell;
    case VerdictState::Fail:
        return kFailCell;
    case VerdictState::NotSignificant:
        return kNotSignificantCell;
    case VerdictState::Insufficient:
    case VerdictState::Undefined:
        break;
    }
    return kUndefinedCell;
}

// A table cell for a verdict, coloured inline (QTextDocument has no class selectors on cells).
QString verdictCell(VerdictState state)
{
    return QStringLiteral("<td class=\"verdict\" style=\"background-color: %1;\" bgcolor=\"%1\">%2</td>")
        .arg(OkabeIto::hex(verdictColour(state)), verdictWord(state));
}

// How a p or q value reads: 4 decimals, scientific when tiny, "–" when not tested.
QString pValue(double p)
{
    return pValueText(p, QStringLiteral("–"));
}

const char *const kStyle
    = "body { font-family: sans-serif; max-width: 62em; margin: 2em auto; line-height: 1.4; color: #222; }"
      "table { border-collapse: collapse; margin: 0.6em 0; } td, th { border: 1px solid #bbb; padding: 3px 8px; }"
      "th { background: #eee; text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: "
      "nowrap; }"
      "h1 { border-bottom: 2px solid #333; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc; }"
      "code { font-size: 90%; } img { max-width: 100%; } .sub { color: #555; } li { margin: 0.25em 0; }";

QString tableOpen()
{
    return QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"4\">\n");
}

} // namespace

ReportFacts ReportFacts::of(const Model *model, const QString &dataPath, const QString &dataMd5, const AuditResults &results)
{
    ReportFacts facts;
    if (model) {
        facts.modelMd5 = model->md5();
        facts.learner = enumName(model->params().kind);
        facts.modelThreshold = model->threshold();
        facts.title = QStringLiteral("Audit report: %1 %2 model").arg(model->schema().name(), facts.learner);
    } else {
        facts.title = QStringLiteral("Audit report: scores from %1").arg(QFileInfo(dataPath).fileName());
    }
    facts.dataFile = QFileInfo(dataPath).fileName();
    facts.dataMd5 = dataMd5;
    facts.rows = results.metrics.support;
    facts.positives = results.metrics.positives;
    facts.date = QDateTime::currentDateTimeUtc();
    facts.generator = QStringLiteral("ModelAudit " MODELAUDIT_VERSION);
    return facts;
}

std::vector<AuditReport::GroupSummary> AuditReport::biasSummary(const AuditResults &results, const QString &attribute)
{
    // The words are core's (biassummary), as the Bias tab and `bias` print them.
    std::vector<GroupSummary> summary;
    if (!results.bias)
        return summary;
    for (const AttributeSummary &a : Audit::biasSummary(*results.bias)) {
        if (a.attribute != attribute)
            continue;
        for (const Audit::GroupSummary &g : a.groups) {
            std::int64_t size = 0;
            for (const GroupMetrics &m : results.bias->groups) {
                if (m.attribute == attribute && m.value == g.group)
                    size = m.groupSize;
            }
            summary.push_back(GroupSummary{g.group, size, g.failures, g.undefined, g.notSignificantSentences,
                                           g.insufficientSentence, !g.groupInsufficient.isEmpty()});
        }
    }
    return summary;
}

QStringList AuditReport::GroupSummary::sentences() const
{
    QStringList out;
    if (groupInsufficient)
        return {insufficient}; // no verdict at all: its disparities are noise
    out << failures; // each names the group: "Female receives … — Statistical Parity fails (parity needs …)."
    out << notSignificant;
    if (!insufficient.isEmpty())
        out << insufficient;
    if (!undefined.isEmpty())
        out << QStringLiteral("%1: %2 parity cannot be judged (a rate of 0/0 in the group or its reference).")
                   .arg(group, undefined.join(QStringLiteral(", ")));
    return out;
}

QString AuditReport::body(const ReportFacts &facts, const AuditResults &results, const std::vector<CardChart> &charts,
                          const std::function<QString(std::size_t)> &imageSource)
{
    QString h;
    const BinaryMetrics &m = results.metrics;
    h += QStringLiteral("<h1>%1</h1>\n").arg(esc(facts.title));
    h += QStringLiteral("<p class=\"sub\">Threshold %1 · %2 rows · %3</p>\n")
             .arg(exact(results.threshold), count(facts.rows), facts.date.toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")));

    // Facts.
    h += tableOpen();
    const auto fact = [&h](const QString &name, const QString &value) {
        h += QStringLiteral("<tr><th>%1</th><td>%2</td></tr>\n").arg(name, value);
    };
    if (!facts.modelMd5.isEmpty()) {
        fact(QStringLiteral("Model id (md5)"), QStringLiteral("<code>%1</code>").arg(facts.modelMd5));
        fact(QStringLiteral("Learner"), esc(facts.learner));
    } else {
        fact(QStringLiteral("Model"), QStringLiteral("none: a scored CSV from a model trained elsewhere"));
    }
    fact(QStringLiteral("Data"),
         QStringLiteral("%1, md5 <code>%2</code>, %3 rows (%4 positive)")
             .arg(esc(facts.dataFile), facts.dataMd5, count(facts.rows), count(facts.positives)));
    QString threshold = QStringLiteral("<b>%1</b>").arg(exact(results.threshold));
    if (std::isfinite(facts.modelThreshold))
        threshold += results.threshold == facts.modelThreshold
            ? QStringLiteral(" (the model's)")
            : QStringLiteral(" (working threshold; the model's is %1)").arg(exact(facts.modelThreshold));
    fact(QStringLiteral("Decision threshold"), threshold + QStringLiteral(": positive when score ≥ threshold"));
    if (results.bias) {
        const BiasReport &bias = *results.bias;
        fact(QStringLiteral("Parity tolerance"),
             QStringLiteral("τ = %1: a group is in parity when %1 ≤ disparity ≤ %2")
                 .arg(exact(bias.options.tau, 2), exact(1 / bias.options.tau, 2)));
        QStringList references;
        for (const AttributeVerdict &a : bias.attributes)
            references << QStringLiteral("%1 = %2").arg(esc(a.attribute), esc(a.reference));
        fact(QStringLiteral("Reference groups"),
             QStringLiteral("%1 (%2)").arg(references.join(QStringLiteral(", ")), enumName(bias.options.method)));
    }
    fact(QStringLiteral("Date"), facts.date.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'")));
    fact(QStringLiteral("Made by"), esc(facts.generator));
    h += QStringLiteral("</table>\n");

    // Overall.
    h += QStringLiteral("<h2>Overall performance</h2>\n") + tableOpen()
        + QStringLiteral("<tr><th>Metric</th><th>Value</th><th>95% interval</th></tr>\n");
    const SliceRow *overall = results.slices ? &results.slices->overall : nullptr;
    const auto metricRow = [&](const QString &key, const QString &title, double value, const Interval *ci) {
        h += QStringLiteral("<tr id=\"metric-%1\"><td>%2</td><td class=\"num\" align=\"right\">%3</td><td class=\"num\" "
                            "align=\"right\">%4</td></tr>\n")
                 .arg(key, title, exact(value),
                      ci ? QStringLiteral("%1 – %2").arg(reported(ci->low), reported(ci->high)) : QStringLiteral("–"));
    };
    metricRow(QStringLiteral("precision"), QStringLiteral("Precision"), m.precision, overall ? &overall->precisionCi : nullptr);
    metricRow(QStringLiteral("recall"), QStringLiteral("Recall"), m.recall, overall ? &overall->recallCi : nullptr);
    metricRow(QStringLiteral("f1"), QStringLiteral("F1"), m.f1, overall ? &overall->f1Ci : nullptr);
    metricRow(QStringLiteral("accuracy"), QStringLiteral("Accuracy"), m.accuracy, overall ? &overall->accuracyCi : nullptr);
    metricRow(QStringLiteral("roc_auc"), QStringLiteral("ROC AUC"), m.rocAuc, nullptr);
    metricRow(QStringLiteral("pr_auc"), QStringLiteral("PR AUC"), m.prAuc, nullptr);
    metricRow(QStringLiteral("log_loss"), QStringLiteral("Log loss"), m.logLoss, nullptr);
    metricRow(QStringLiteral("brier"), QStringLiteral("Brier score"), m.brier, nullptr);
    h += QStringLiteral("</table>\n");
    const Confusion &c = m.confusion;
    h += QStringLiteral("<p>Confusion at threshold %1: %2 true positives, %3 false positives, %4 true negatives, "
                        "%5 false negatives. Intervals are 95% Wilson intervals.</p>\n")
             .arg(exact(results.threshold), count(c.tp), count(c.fp), count(c.tn), count(c.fn));

    // Weakest slices.
    if (results.slices) {
        const SliceReport &slices = *results.slices;
        const QString name = slices.options.weakMetric == SliceMetric::F1 ? QStringLiteral("F1")
                                                                          : enumName(slices.options.weakMetric);
        h += QStringLiteral("<h2>Weakest slices</h2>\n");
        const QString rule = QStringLiteral("more than %1 below the overall %2 (%3) and below the rest of the data beyond "
                                            "chance: Benjamini–Hochberg q ≤ %4 over the %5 slices tested (those with at least %6 "
                                            "positives)")
                                 .arg(slices.options.weakMargin)
                                 .arg(name, exact(slices.overall.metric(slices.options.weakMetric)))
                                 .arg(slices.options.fdrQ)
                                 .arg(slices.tested)
                                 .arg(slices.options.minPositives);
        if (slices.weak.empty()) {
            h += QStringLiteral("<p>No slice is %1.</p>\n").arg(rule);
        } else {
            h += QStringLiteral("<p>Slices whose %1 is %2; %3 (%4 of %5 slices%6).</p>\n")
                     .arg(name, rule,
                          slices.options.rank == SliceRank::Evidence
                              ? QStringLiteral("surest gap first: ranked by the gap's lower 95% bound")
                              : QStringLiteral("largest gap first"))
                     .arg(slices.weak.size())
                     .arg(slices.slices.size())
                     .arg(slices.weak.size() > kWeakestShown ? QStringLiteral("; the first %1 shown").arg(kWeakestShown)
                                                             : QString());
            h += tableOpen()
                + QStringLiteral("<tr><th>Slice</th><th>n</th><th>Positives</th><th>%1</th><th>95% interval</th>"
                                 "<th>Gap</th><th>Gap at least</th><th>p</th><th>q</th></tr>\n")
                      .arg(name);
            for (std::size_t k = 0; k < slices.weak.size() && k < kWeakestShown; ++k) {
                const SliceRow &row = slices.slices[slices.weak[k]];
                const Interval ci = row.interval(slices.options.weakMetric);
                const QString num = QStringLiteral("<td class=\"num\" align=\"right\">%1</td>");
                h += QStringLiteral("<tr><td>%1 = %2</td>").arg(esc(row.feature()), esc(row.value())) + num.arg(count(row.n))
                    + num.arg(count(row.labelPositives())) + num.arg(reported(row.metric(slices.options.weakMetric)))
                    + num.arg(QStringLiteral("%1 – %2").arg(reported(ci.low), reported(ci.high))) + num.arg(reported(row.gap))
                    + num.arg(reported(row.gapLow)) + num.arg(pValue(row.p)) + num.arg(pValue(row.q)) + QStringLiteral("</tr>\n");
            }
            h += QStringLiteral("</table>\n");
        }
    }

    // Bias.
    h += QStringLiteral("<h2>Bias</h2>\n");
    if (!results.bias) {
        h += QStringLiteral("<p>No bias audit: %1</p>\n").arg(esc(results.biasError));
    } else {
        const BiasReport &bias = *results.bias;
        const bool evidence = bias.options.verdicts == VerdictMode::Evidence;
        QStringList failing;
        for (const AttributeVerdict &a : bias.attributes) {
            QStringList parities;
            for (Parity p : {Parity::Statistical, Parity::Impact, Parity::Fpr, Parity::Fnr, Parity::EqualizedOdds}) {
                if (a.states[std::size_t(p)] == VerdictState::Fail)
                    parities << parityName(p);
            }
            if (!parities.isEmpty())
                failing << QStringLiteral("<b>%1</b> fails %2").arg(esc(a.attribute), parities.join(QStringLiteral(", ")));
        }
        if (!failing.isEmpty())
            failing.back() += QStringLiteral(" (of the main parities; all fifteen are in the Verdicts table)");
        h += QStringLiteral("<p>%1. Disparity is a group's metric divided by its reference group's; %2 %3</p>\n")
                 .arg(failing.isEmpty() ? QStringLiteral("Every attribute is within parity on the main metrics")
                                        : failing.join(QStringLiteral("; ")),
                      QStringLiteral("a group is in parity when it lies within %1–%2.")
                          .arg(exact(bias.options.tau, 2), exact(1 / bias.options.tau, 2)),
                      esc(biasVerdictRule(bias)));
        for (const AttributeVerdict &a : bias.attributes) {
            h += QStringLiteral("<h3>%1 (reference %2)</h3>\n<ul>\n").arg(esc(a.attribute), esc(a.reference));
            QStringList within;
            for (const GroupSummary &g : biasSummary(results, a.attribute)) {
                if (g.sentences().isEmpty()) {
                    within << esc(g.group);
                    continue;
                }
                h += QStringLiteral("<li><b>%1</b> (%2 rows)<ul>\n").arg(esc(g.group), count(g.size));
                for (const QString &sentence : g.sentences())
                    h += QStringLiteral("<li>%1</li>\n").arg(esc(sentence));
                h += QStringLiteral("</ul></li>\n");
            }
            if (!within.isEmpty())
                h += QStringLiteral("<li>Within parity on every metric: %1.</li>\n").arg(within.join(QStringLiteral(", ")));
            h += QStringLiteral("</ul>\n") + tableOpen()
                + QStringLiteral("<tr><th>Group</th><th>n</th><th>PPR disparity</th><th>PPREV disparity</th>"
                                 "<th>Precision disparity</th><th>FPR disparity</th><th>FNR disparity</th>"
                                 "<th>TPR disparity</th><th>Fails parity</th></tr>\n");
            for (const GroupMetrics &g : bias.groups) {
                if (g.attribute != a.attribute)
                    continue;
                QStringList failed;
                for (std::size_t p = 0; p < kBaseParities; ++p) {
                    if (g.states[p] == VerdictState::Fail)
                        failed << parityName(Parity(p)).remove(QStringLiteral(" Parity"));
                }
                h += QStringLiteral("<tr><td>%1%2</td><td class=\"num\" align=\"right\">%3</td>")
                         .arg(esc(g.value), g.value == g.references[0] ? QStringLiteral(" (ref)") : QString(),
                              count(g.groupSize));
                for (BiasMetric metric : {BiasMetric::Ppr, BiasMetric::Pprev, BiasMetric::Precision, BiasMetric::Fpr,
                                          BiasMetric::Fnr, BiasMetric::Tpr}) {
                    const std::size_t i = std::size_t(metric);
                    const Interval ci = g.disparityCi[i];
                    QString value = reported(g.disparity(metric), 3)
                        + (std::isfinite(ci.low)
                               ? QStringLiteral("<br><small>%1–%2</small>").arg(reported(ci.low, 3), reported(ci.high, 3))
                               : QString());
                    const VerdictState state = g.states[i];
                    // The state by a mark as well as the colour, as in the app.
                    const QString mark = g.value == g.references[i] ? QString()
                        : state == VerdictState::Fail               ? QStringLiteral("✗ ")
                        : state == VerdictState::NotSignificant     ? QStringLiteral("~ ")
                        : state == VerdictState::Insufficient       ? QStringLiteral("? ")
                                                                    : QString();
                    value = mark + value;
                    h += state == VerdictState::Pass || g.value == g.references[i]
                        ? QStringLiteral("<td class=\"num\" align=\"right\">%1</td>").arg(value)
                        : QStringLiteral("<td class=\"num\" align=\"right\" style=\"background-color: %1;\" bgcolor=\"%1\" "
                                         "title=\"%2\">%3</td>")
                              .arg(OkabeIto::hex(verdictColour(state)), verdictWord(state), value);
                }
                h += QStringLiteral("<td>%1</td></tr>\n")
                         .arg(!g.insufficient.isEmpty() && evidence
                                  ? QStringLiteral("insufficient data (%1)").arg(esc(g.insufficient))
                                  : failed.isEmpty() ? QStringLiteral("–")
                                                     : failed.join(QStringLiteral(", ")));
            }
            h += QStringLiteral("</table>\n");
        }

        // Verdicts: every parity per attribute and overall, as bias.json states them.
        h += QStringLiteral("<h2>Verdicts</h2>\n") + tableOpen() + QStringLiteral("<tr><th>Parity</th>");
        for (const AttributeVerdict &a : bias.attributes)
            h += QStringLiteral("<th>%1</th>").arg(esc(a.attribute));
        h += QStringLiteral("<th>Overall</th></tr>\n");
        for (std::size_t p = 0; p < kParityCount; ++p) {
            h += QStringLiteral("<tr><td>%1</td>").arg(parityName(Parity(p)));
            for (const AttributeVerdict &a : bias.attributes)
                h += verdictCell(a.states[p]);
            h += verdictCell(bias.overallStates[p]) + QStringLiteral("</tr>\n");
        }
        h += QStringLiteral("</table>\n");
    }

    if (!facts.versionDiff.isEmpty())
        h += QStringLiteral("<h2>Version diff</h2>\n<pre>%1</pre>\n").arg(esc(facts.versionDiff.trimmed()));

    if (!charts.empty()) {
        h += QStringLiteral("<h2>Charts</h2>\n");
        for (std::size_t i = 0; i < charts.size(); ++i)
            h += QStringLiteral("<p><img alt=\"%1\" src=\"%2\" width=\"%3\"><br>%1</p>\n")
                     .arg(esc(charts[i].title), imageSource(i))
                     .arg(charts[i].image.width());
    }
    return h;
}

QByteArray AuditReport::toHtml(const ReportFacts &facts, const AuditResults &results, const std::vector<CardChart> &charts)
{
    const QString content = body(facts, results, charts,
                                 [&charts](std::size_t i) { return CardRenderer::pngDataUri(charts[i].image); });
    const QString html = QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                                        "<title>%1</title>\n<style>%2</style>\n</head>\n<body>\n%3</body>\n</html>\n")
                             .arg(esc(facts.title), QLatin1String(kStyle), content);
    return html.toUtf8();
}

QByteArray AuditReport::toPdf(const ReportFacts &facts, const AuditResults &results, const std::vector<CardChart> &charts)
{
    return CardRenderer::printA4(facts.title, facts.generator, [&](QTextDocument &doc, qreal pageWidth) {
        // At 150 dpi a 10 pt font is 21 px; Qt's default would print at screen size, far too small.
        QFont font = doc.defaultFont();
        font.setPixelSize(19);
        doc.setDefaultFont(font);
        doc.setDefaultStyleSheet(QStringLiteral("th { background-color: #eeeeee; } h1, h2 { color: #222222; }"));
        doc.setHtml(body(facts, results, charts, [](std::size_t i) { return QStringLiteral("chart%1.png").arg(i); }));
        for (std::size_t i = 0; i < charts.size(); ++i) {
            // Scaled to the page width (less the margins) so a chart never overflows it.
            const QImage &image = charts[i].image;
            const QImage scaled = image.width() > pageWidth * 0.9
                ? image.scaledToWidth(int(pageWidth * 0.9), Qt::SmoothTransformation)
                : image;
            doc.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("chart%1.png").arg(i)), scaled);
        }
    });
}

} // namespace Audit
