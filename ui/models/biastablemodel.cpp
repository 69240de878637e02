#include "biastablemodel.h"

#include <algorithm>
#include <cmath>

#include <QBrush>
#include <QColor>

#include "okabeito.h"
#include <QFont>
#include <QLocale>

#include "biassummary.h"
#include "metricglossary.h"
#include "metrics.h"

namespace Ui {

using Audit::BiasMetric;

BiasTableModel::BiasTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void BiasTableModel::setReport(std::shared_ptr<const Audit::BiasReport> report, const QString &attribute)
{
    beginResetModel();
    m_report = std::move(report);
    m_rows.clear();
    if (m_report) {
        for (const Audit::GroupMetrics &g : m_report->groups) {
            if (attribute.isEmpty() || g.attribute == attribute)
                m_rows.push_back(&g);
        }
    }
    endResetModel();
}

const Audit::GroupMetrics *BiasTableModel::group(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[std::size_t(row)] : nullptr;
}

int BiasTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int BiasTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

std::optional<BiasMetric> BiasTableModel::metricOf(int column)
{
    switch (column) {
    case Ppr:
        return BiasMetric::Ppr;
    case Pprev:
        return BiasMetric::Pprev;
    case Precision:
        return BiasMetric::Precision;
    case Fdr:
        return BiasMetric::Fdr;
    case For:
        return BiasMetric::For;
    case Fpr:
        return BiasMetric::Fpr;
    case Fnr:
        return BiasMetric::Fnr;
    case Tpr:
        return BiasMetric::Tpr;
    case Tnr:
        return BiasMetric::Tnr;
    case Npv:
        return BiasMetric::Npv;
    default:
        return std::nullopt;
    }
}

int BiasTableModel::columnOf(BiasMetric metric)
{
    for (int c = 0; c < ColumnCount; ++c) {
        if (metricOf(c) == metric)
            return c;
    }
    return -1;
}

void BiasTableModel::setHighlightedMetrics(const std::vector<BiasMetric> &metrics)
{
    m_highlighted = metrics;
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
}

bool BiasTableModel::isHighlighted(int column) const
{
    const std::optional<BiasMetric> metric = metricOf(column);
    return metric && std::find(m_highlighted.begin(), m_highlighted.end(), *metric) != m_highlighted.end();
}

namespace {

QString testTitle(Stats::Test test)
{
    switch (test) {
    case Stats::Test::Fisher:
        return BiasTableModel::tr("Fisher's exact test");
    case Stats::Test::ZTest:
        return BiasTableModel::tr("Two-proportion z test");
    case Stats::Test::Binomial:
        return BiasTableModel::tr("Binomial test of the two counts");
    case Stats::Test::CountZTest:
        return BiasTableModel::tr("z test of the two counts");
    case Stats::Test::None:
        break;
    }
    return BiasTableModel::tr("No test");
}

} // namespace

QString BiasTableModel::cellTooltip(const Audit::GroupMetrics &g, BiasMetric metric) const
{
    const std::size_t i = std::size_t(metric);
    const Audit::VerdictState state = g.states[i];
    const QString &refName = g.references[i];
    const Audit::GroupMetrics *ref = nullptr;
    for (const Audit::GroupMetrics &other : m_report->groups) {
        if (other.attribute == g.attribute && other.value == refName)
            ref = &other;
    }
    const auto value = [](double v) { return std::isfinite(v) ? QString::number(v, 'f', 3) : tr("undefined"); };
    const double tau = m_report->options.tau;
    const double d = g.disparity(metric);
    const QString parity = Audit::parityName(Audit::Parity(i));
    QStringList lines;
    lines << tr("%1 — %2").arg(metricTitle(Audit::biasMetricName(metric)), metricTooltip(Audit::biasMetricName(metric)));
    lines << tr("%1: %2, %3").arg(g.value, value(g.metric(metric)), Audit::biasMetricFormula(g, metric).text);
    if (ref)
        lines << tr("%1 (reference): %2, %3")
                     .arg(ref->value, value(ref->metric(metric)), Audit::biasMetricFormula(*ref, metric).text);
    if (&g == ref)
        return (lines << tr("Disparity %1 against %2, the reference group itself (parity needs %3 to %4)")
                             .arg(value(d), refName)
                             .arg(tau, 0, 'f', 2)
                             .arg(1 / tau, 0, 'f', 2))
            .join(QLatin1Char('\n'));
    const Stats::Interval ci = g.disparityCi[i];
    lines << tr("Disparity %1%2 against %3 (parity needs %4 to %5)")
                 .arg(value(d), std::isfinite(ci.low) ? tr(", 95% interval %1–%2").arg(value(ci.low), value(ci.high)) : QString(),
                      refName)
                 .arg(tau, 0, 'f', 2)
                 .arg(1 / tau, 0, 'f', 2);
    if (std::isfinite(g.significance[i]))
        lines << tr("%1 against the reference: p = %2, q = %3 (Benjamini–Hochberg over the report's %4 tests)")
                     .arg(testTitle(g.tests[i]), Audit::pValueText(g.significance[i]), Audit::pValueText(g.qValues[i]))
                     .arg(m_report->tested);
    switch (state) {
    case Audit::VerdictState::Pass:
        lines << (std::isfinite(ci.low) && (ci.low < tau || ci.high > 1 / tau)
                      ? tr("✓ %1 holds, but the 95% interval reaches outside the band: parity is not shown, only not "
                           "contradicted")
                            .arg(parity)
                      : tr("✓ %1 holds").arg(parity));
        break;
    case Audit::VerdictState::Fail:
        lines << tr("✗ %1 fails: outside the band, and q ≤ %2").arg(parity).arg(m_report->options.alpha);
        break;
    case Audit::VerdictState::NotSignificant:
        lines << tr("~ %1: outside the band, but not significant (q > %2): no evidence of a real difference")
                     .arg(parity)
                     .arg(m_report->options.alpha);
        break;
    case Audit::VerdictState::Insufficient:
        lines << tr("? %1: insufficient data (%2) — no verdict").arg(parity, g.notes[i]);
        break;
    case Audit::VerdictState::Undefined:
        lines << tr("– %1: no verdict (a rate of 0/0)").arg(parity);
        break;
    }
    return lines.join(QLatin1Char('\n'));
}

QVariant BiasTableModel::data(const QModelIndex &index, int role) const
{
    const Audit::GroupMetrics *g = group(index.row());
    if (!g)
        return {};
    const int column = index.column();
    const std::optional<BiasMetric> metric = metricOf(column);
    const bool evidence = m_report->options.verdicts == Audit::VerdictMode::Evidence;
    const bool groupInsufficient = evidence && !g->insufficient.isEmpty();
    if (role == RawValueRole || role == Qt::DisplayRole) {
        const bool raw = role == RawValueRole;
        switch (column) {
        case Attribute:
            return g->attribute;
        case Group:
            return raw || g->value != g->references[0] ? QVariant(g->value) : QVariant(tr("%1 (ref)").arg(g->value));
        case Size:
            return raw ? QVariant(qlonglong(g->groupSize)) : QVariant(QLocale().toString(qlonglong(g->groupSize)));
        case Prev:
            return raw ? QVariant(g->prev) : QVariant(QString::number(g->prev, 'f', 3));
        case Failed: {
            if (groupInsufficient)
                return tr("? insufficient data (%1)").arg(g->insufficient);
            QStringList failed, notSignificant, insufficient;
            for (std::size_t p = 0; p < Audit::kParityCount; ++p) {
                const QString shortName = Audit::parityName(Audit::Parity(p)).remove(QStringLiteral(" Parity"));
                if (g->states[p] == Audit::VerdictState::Fail)
                    failed << Audit::parityName(Audit::Parity(p));
                else if (g->states[p] == Audit::VerdictState::NotSignificant && p < Audit::kBiasMetricCount)
                    notSignificant << shortName;
                else if (g->states[p] == Audit::VerdictState::Insufficient && p < Audit::kBiasMetricCount
                         && g->value != g->references[p])
                    insufficient << shortName;
            }
            QStringList parts;
            if (!failed.isEmpty())
                parts << tr("✗ %1").arg(failed.join(QStringLiteral(", ")));
            if (!notSignificant.isEmpty())
                parts << tr("~ not significant: %1").arg(notSignificant.join(QStringLiteral(", ")));
            if (!insufficient.isEmpty())
                parts << tr("? too few rows: %1").arg(insufficient.join(QStringLiteral(", ")));
            return parts.join(QStringLiteral("; "));
        }
        default:
            break;
        }
        const double v = g->metric(*metric);
        if (raw)
            return v;
        const QString text = std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–");
        switch (g->states[std::size_t(*metric)]) { // never by colour alone
        case Audit::VerdictState::Fail:
            return tr("✗ %1").arg(text);
        case Audit::VerdictState::NotSignificant:
            return tr("~ %1").arg(text);
        case Audit::VerdictState::Insufficient:
            return g->value == g->references[std::size_t(*metric)] ? text : tr("? %1").arg(text);
        default:
            return text;
        }
    }
    if (role == Qt::ForegroundRole && groupInsufficient)
        return QBrush(QColor(Audit::OkabeIto::kUndefined.darker(140))); // greyed: no verdict
    if (column == Failed && role == Qt::ToolTipRole) {
        if (groupInsufficient)
            return tr("%1 has %2: too few rows for any verdict. Its disparities are shown but decide nothing, and it does "
                      "not count in %3's verdicts.")
                .arg(g->value, g->insufficient, g->attribute);
        QStringList lines;
        for (BiasMetric m : Audit::kBiasMetrics) {
            const std::size_t i = std::size_t(m);
            const Audit::VerdictState state = g->states[i];
            if (state != Audit::VerdictState::Fail && state != Audit::VerdictState::NotSignificant
                && state != Audit::VerdictState::Insufficient)
                continue;
            const QString mark = state == Audit::VerdictState::Fail ? QStringLiteral("✗")
                : state == Audit::VerdictState::NotSignificant      ? QStringLiteral("~")
                                                                    : QStringLiteral("?");
            lines << tr("%1 %2: %3 disparity %4 against %5 (%6)%7")
                         .arg(mark, Audit::parityName(Audit::Parity(i)), metricTitle(Audit::biasMetricName(m)))
                         .arg(g->disparities[i], 0, 'f', 3)
                         .arg(g->references[i], Audit::biasMetricFormula(*g, m).text,
                              state == Audit::VerdictState::Insufficient ? tr("; insufficient data: %1").arg(g->notes[i])
                                  : std::isfinite(g->qValues[i])         ? tr("; q = %1").arg(Audit::pValueText(g->qValues[i]))
                                                                         : QString());
        }
        return lines.isEmpty() ? tr("%1 passes every one-metric parity it has a verdict for.").arg(g->value)
                               : lines.join(QLatin1Char('\n'));
    }
    if (!metric)
        return {};
    const Audit::VerdictState state = g->states[std::size_t(*metric)];
    if (role == Qt::BackgroundRole && (state == Audit::VerdictState::Fail || state == Audit::VerdictState::NotSignificant)) {
        QColor fail = Audit::OkabeIto::kFail; // over the view's base: readable in either theme
        fail.setAlpha(state == Audit::VerdictState::Fail ? 70 : 25);
        return QBrush(fail);
    }
    if (role == Qt::ToolTipRole)
        return cellTooltip(*g, *metric);
    if (role == Qt::TextAlignmentRole)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant BiasTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    static const char *const keys[] = {"attribute", "group", "group_size", "prev", "ppr", "pprev", "precision", "fdr",
                                       "for",       "fpr",   "fnr",        "tpr",  "tnr", "npv",   "failed"};
    const QString key = QLatin1String(keys[section]);
    if (role == Qt::DisplayRole) {
        if (section == Attribute)
            return tr("Attribute");
        if (section == Group)
            return tr("Group");
        if (section == Failed)
            return tr("Verdict");
        return isHighlighted(section) ? tr("▶ %1").arg(metricTitle(key)) : metricTitle(key);
    }
    if (role == Qt::FontRole && isHighlighted(section)) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::ToolTipRole)
        return section == Failed ? tr("The parities this group fails (✗: outside the band and significant), those outside the "
                                      "band but within chance (~), or why it has no verdict (?).")
                                 : metricTooltip(key);
    return {};
}

} // namespace Ui
