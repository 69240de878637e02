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

QString BiasTableModel::cellTooltip(const Audit::GroupMetrics &g, BiasMetric metric) const
{
    const std::size_t i = std::size_t(metric);
    const Audit::Verdict verdict = g.parities[i];
    const QString &refName = g.references[i];
    const Audit::GroupMetrics *ref = nullptr;
    for (const Audit::GroupMetrics &other : m_report->groups) {
        if (other.attribute == g.attribute && other.value == refName)
            ref = &other;
    }
    const auto value = [](double v) { return std::isfinite(v) ? QString::number(v, 'f', 3) : tr("undefined"); };
    const double tau = m_report->options.tau;
    const double d = g.disparity(metric);
    QStringList lines;
    lines << tr("%1 — %2").arg(metricTitle(Audit::biasMetricName(metric)), metricTooltip(Audit::biasMetricName(metric)));
    lines << tr("%1: %2, %3").arg(g.value, value(g.metric(metric)), Audit::biasMetricFormula(g, metric).text);
    if (ref)
        lines << tr("%1 (reference): %2, %3")
                     .arg(ref->value, value(ref->metric(metric)), Audit::biasMetricFormula(*ref, metric).text);
    lines << tr("Disparity %1 against %2 (parity needs %3 to %4): %5")
                 .arg(value(d), refName)
                 .arg(tau, 0, 'f', 2)
                 .arg(1 / tau, 0, 'f', 2)
                 .arg(verdict.has_value() ? (*verdict ? tr("✓ %1 holds").arg(Audit::parityName(Audit::Parity(i)))
                                                      : tr("✗ %1 fails").arg(Audit::parityName(Audit::Parity(i))))
                                          : tr("no verdict"));
    return lines.join(QLatin1Char('\n'));
}

QVariant BiasTableModel::data(const QModelIndex &index, int role) const
{
    const Audit::GroupMetrics *g = group(index.row());
    if (!g)
        return {};
    const int column = index.column();
    const std::optional<BiasMetric> metric = metricOf(column);
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
            QStringList failed;
            for (std::size_t p = 0; p < Audit::kParityCount; ++p) {
                if (g->parities[p].has_value() && !*g->parities[p])
                    failed << Audit::parityName(Audit::Parity(p));
            }
            return failed.join(QStringLiteral(", "));
        }
        default:
            break;
        }
        const double v = g->metric(*metric);
        if (raw)
            return v;
        const Audit::Verdict verdict = g->parities[std::size_t(*metric)];
        const QString text = std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–");
        return verdict.has_value() && !*verdict ? tr("✗ %1").arg(text) : text; // never by colour alone
    }
    if (column == Failed && role == Qt::ToolTipRole) {
        QStringList lines;
        for (BiasMetric m : Audit::kBiasMetrics) {
            const std::size_t i = std::size_t(m);
            if (g->parities[i].has_value() && !*g->parities[i])
                lines << tr("✗ %1: %2 disparity %3 against %4 (%5)")
                             .arg(Audit::parityName(Audit::Parity(i)), metricTitle(Audit::biasMetricName(m)))
                             .arg(g->disparities[i], 0, 'f', 3)
                             .arg(g->references[i], Audit::biasMetricFormula(*g, m).text);
        }
        return lines.isEmpty() ? tr("%1 passes every one-metric parity it has a verdict for.").arg(g->value)
                               : lines.join(QLatin1Char('\n'));
    }
    if (!metric)
        return {};
    const Audit::Verdict verdict = g->parities[std::size_t(*metric)];
    if (role == Qt::BackgroundRole && verdict.has_value() && !*verdict) {
        QColor fail = Audit::OkabeIto::kFail; // over the view's base: readable in either theme
        fail.setAlpha(70);
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
            return tr("Fails");
        return isHighlighted(section) ? tr("▶ %1").arg(metricTitle(key)) : metricTitle(key);
    }
    if (role == Qt::FontRole && isHighlighted(section)) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::ToolTipRole)
        return section == Failed ? tr("The parities this group fails at the chosen tolerance.") : metricTooltip(key);
    return {};
}

} // namespace Ui
