#include "biastablemodel.h"

#include <cmath>

#include <QBrush>
#include <QColor>
#include <QLocale>

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
        return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–");
    }
    if (!metric)
        return {};
    const Audit::Verdict verdict = g->parities[std::size_t(*metric)];
    if (role == Qt::BackgroundRole && verdict.has_value() && !*verdict)
        return QBrush(QColor(220, 60, 60, 70));
    if (role == Qt::ToolTipRole) {
        const double d = g->disparity(*metric);
        return tr("%1\nDisparity %2 against %3: %4")
            .arg(metricTooltip(Audit::biasMetricName(*metric)))
            .arg(std::isfinite(d) ? QString::number(d, 'f', 3) : QStringLiteral("undefined"))
            .arg(g->references[std::size_t(*metric)])
            .arg(verdict.has_value() ? (*verdict ? tr("within tolerance") : tr("outside tolerance")) : tr("undefined"));
    }
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
        return metricTitle(key);
    }
    if (role == Qt::ToolTipRole)
        return section == Failed ? tr("The parities this group fails at the chosen tolerance.") : metricTooltip(key);
    return {};
}

} // namespace Ui
