#include "slicetablemodel.h"

#include <cmath>

#include <QBrush>
#include <QColor>
#include <QLocale>

#include "metricglossary.h"

namespace Ui {

namespace {

QString formatRatio(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–");
}

QString formatInterval(double v, const Audit::Interval &ci)
{
    if (!std::isfinite(v))
        return QStringLiteral("–");
    return QStringLiteral("%1  [%2, %3]").arg(formatRatio(v), formatRatio(ci.low), formatRatio(ci.high));
}

} // namespace

SliceTableModel::SliceTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void SliceTableModel::setReport(std::shared_ptr<const Audit::SliceReport> report)
{
    beginResetModel();
    m_report = std::move(report);
    endResetModel();
}

int SliceTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_report ? 0 : int(m_report->slices.size());
}

int SliceTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SliceTableModel::data(const QModelIndex &index, int role) const
{
    if (!m_report || !index.isValid() || index.row() >= rowCount())
        return {};
    const Audit::SliceRow &row = m_report->slices[std::size_t(index.row())];
    if (role == SliceIndexRole)
        return index.row();
    if (role == FeatureCountRole)
        return int(row.features.size());
    if (role == RawValueRole) {
        switch (index.column()) {
        case Feature:
            return row.feature();
        case Value:
            return row.value();
        case Size:
            return qlonglong(row.n);
        case LabelPositives:
            return qlonglong(row.labelPositives());
        case PredictedPositives:
            return qlonglong(row.predictedPositives());
        case Precision:
            return row.precision;
        case Recall:
            return row.recall;
        case F1:
            return row.f1;
        case Accuracy:
            return row.accuracy;
        case Fpr:
            return row.fpr;
        case Fnr:
            return row.fnr;
        case Weak:
            return row.weak ? row.gap : -1.0;
        }
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Feature:
            return row.feature();
        case Value:
            return row.value();
        case Size:
            return QLocale().toString(qlonglong(row.n));
        case LabelPositives:
            return QLocale().toString(qlonglong(row.labelPositives()));
        case PredictedPositives:
            return QLocale().toString(qlonglong(row.predictedPositives()));
        case Precision:
            return formatInterval(row.precision, row.precisionCi);
        case Recall:
            return formatInterval(row.recall, row.recallCi);
        case F1:
            return formatInterval(row.f1, row.f1Ci);
        case Accuracy:
            return formatInterval(row.accuracy, row.accuracyCi);
        case Fpr:
            return formatRatio(row.fpr);
        case Fnr:
            return formatRatio(row.fnr);
        case Weak:
            return row.weak ? tr("weak (−%1)").arg(formatRatio(row.gap)) : QString();
        }
    }
    if (role == Qt::ForegroundRole && row.weak && index.column() == Weak)
        return QBrush(QColor(200, 40, 40));
    if (role == Qt::TextAlignmentRole && index.column() >= Size)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return headerData(index.column(), Qt::Horizontal, Qt::ToolTipRole);
    return {};
}

QVariant SliceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    static const char *const keys[] = {"feature", "value", "n",        "label_pos", "pred_pos", "precision",
                                       "recall",  "f1",    "accuracy", "fpr",       "fnr",      "weak"};
    if (section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole)
        return metricTitle(QLatin1String(keys[section]));
    if (role == Qt::ToolTipRole)
        return metricTooltip(QLatin1String(keys[section]));
    return {};
}

SliceFilterProxy::SliceFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(SliceTableModel::RawValueRole);
}

void SliceFilterProxy::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateRowsFilter();
}

void SliceFilterProxy::setMinimumSize(int n)
{
    m_minimumSize = n;
    invalidateRowsFilter();
}

void SliceFilterProxy::setFeatureCount(int count)
{
    m_featureCount = count;
    invalidateRowsFilter();
}

void SliceFilterProxy::setWeakOnly(bool weakOnly)
{
    m_weakOnly = weakOnly;
    invalidateRowsFilter();
}

bool SliceFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *model = sourceModel();
    const auto raw = [&](int column) {
        return model->index(sourceRow, column, sourceParent).data(SliceTableModel::RawValueRole);
    };
    if (raw(SliceTableModel::Size).toLongLong() < m_minimumSize)
        return false;
    if (m_featureCount > 0
        && model->index(sourceRow, 0, sourceParent).data(SliceTableModel::FeatureCountRole).toInt() != m_featureCount)
        return false;
    if (m_weakOnly && raw(SliceTableModel::Weak).toDouble() < 0)
        return false;
    if (!m_text.isEmpty() && !raw(SliceTableModel::Feature).toString().contains(m_text, Qt::CaseInsensitive)
        && !raw(SliceTableModel::Value).toString().contains(m_text, Qt::CaseInsensitive))
        return false;
    return true;
}

} // namespace Ui
