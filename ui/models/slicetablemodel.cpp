#include "slicetablemodel.h"

#include <cmath>

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>

#include "metricglossary.h"
#include "metrics.h"
#include "okabeito.h"

namespace Ui {

namespace {

QString formatRatio(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–");
}

QString formatRange(const Audit::Interval &ci)
{
    if (!std::isfinite(ci.low) || !std::isfinite(ci.high))
        return QStringLiteral("–");
    return QStringLiteral("%1–%2").arg(formatRatio(ci.low), formatRatio(ci.high));
}

QString formatSigned(double v)
{
    if (!std::isfinite(v))
        return QStringLiteral("–");
    // U+2212 for the minus: the same width as the digits' plus.
    // A value that rounds to 0 at three decimals is 0.000, not −0.000.
    return v < 0 && formatRatio(-v) != formatRatio(0) ? QStringLiteral("−%1").arg(formatRatio(-v)) : formatRatio(std::abs(v));
}

QString formatCount(std::int64_t n)
{
    return QLocale().toString(qlonglong(n));
}

// The settings key and glossary key of each SliceTableModel column.
const char *const kColumnKeys[] = {"slice", "n",        "label_pos", "metric", "interval", "gap",      "gap_low", "p",
                                   "q",     "pred_pos", "precision", "recall", "f1",       "accuracy", "fpr",     "fnr"};
static_assert(std::size(kColumnKeys) == SliceTableModel::ColumnCount);

} // namespace

SliceTableModel::SliceTableModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_warning(Audit::OkabeIto::readableOn(Audit::OkabeIto::kFail, Qt::white))
{}

void SliceTableModel::setWarningColour(const QColor &colour)
{
    m_warning = colour;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, Gap), index(rowCount() - 1, Gap), {Qt::ForegroundRole});
}

void SliceTableModel::setReport(std::shared_ptr<const Audit::SliceReport> report)
{
    beginResetModel();
    m_report = std::move(report);
    endResetModel();
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1); // the chosen metric's title
}

int SliceTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_report ? 0 : int(m_report->slices.size());
}

int SliceTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString SliceTableModel::columnKey(int column)
{
    return column >= 0 && column < ColumnCount ? QString::fromLatin1(kColumnKeys[column]) : QString();
}

QString SliceTableModel::sliceName(const Audit::SliceRow &row)
{
    QStringList parts;
    for (qsizetype i = 0; i < row.features.size(); ++i)
        parts << QStringLiteral("%1 = %2").arg(row.features[i], i < row.values.size() ? row.values[i] : QString());
    return parts.join(QStringLiteral(" & "));
}

QVariant SliceTableModel::cell(const Audit::SliceReport &report, std::size_t slice, int column, int role, const QColor &warning)
{
    const Audit::SliceRow &row = report.slices[slice];
    const Audit::SliceMetric chosen = report.options.weakMetric;
    if (role == SliceIndexRole)
        return int(slice);
    if (role == FeatureCountRole)
        return int(row.features.size());
    if (role == WeakRole)
        return row.weak;
    if (role == RawValueRole) {
        switch (column) {
        case Slice:
            return sliceName(row);
        case Size:
            return qlonglong(row.n);
        case LabelPositives:
            return qlonglong(row.labelPositives());
        case Metric:
            return row.metric(chosen);
        case Interval:
            return row.interval(chosen).low;
        case Gap:
            return row.gap;
        case GapLow:
            return row.gapLow;
        case P:
            return row.p;
        case Q:
            return row.q;
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
        }
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (column) {
        case Slice:
            return sliceName(row);
        case Size:
            return formatCount(row.n);
        case LabelPositives:
            return formatCount(row.labelPositives());
        case Metric:
            return formatRatio(row.metric(chosen));
        case Interval:
            return formatRange(row.interval(chosen));
        case Gap:
            return formatSigned(row.gap);
        case GapLow:
            return formatSigned(row.gapLow);
        case P:
            return Audit::pValueText(row.p, QStringLiteral("–"));
        case Q:
            return Audit::pValueText(row.q, QStringLiteral("–"));
        case PredictedPositives:
            return formatCount(row.predictedPositives());
        case Precision:
            return formatRatio(row.precision);
        case Recall:
            return formatRatio(row.recall);
        case F1:
            return formatRatio(row.f1);
        case Accuracy:
            return formatRatio(row.accuracy);
        case Fpr:
            return formatRatio(row.fpr);
        case Fnr:
            return formatRatio(row.fnr);
        }
        return {};
    }
    if (role == Qt::ForegroundRole && row.weak && (column == Gap || column == Q))
        return QBrush(warning);
    if (role == Qt::FontRole && row.weak && (column == Gap || column == Q)) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::TextAlignmentRole && column != Slice)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole) {
        if (column == Slice)
            return sliceName(row);
        const auto ci = [](double v, const Audit::Interval &i) {
            return QStringLiteral("%1 (95%: %2)").arg(formatRatio(v), formatRange(i));
        };
        switch (column) {
        case Gap:
        case GapLow:
        case Q:
            return row.weak ? QObject::tr("Weak slice: %1 below overall (at least %2 by its 95% interval), and below the "
                                          "rest of the data beyond chance: q = %3 ≤ %4")
                                  .arg(formatRatio(row.gap), formatRatio(row.gapLow), Audit::pValueText(row.q),
                                       QString::number(report.options.fdrQ))
                            : header(&report, column, Qt::ToolTipRole);
        case P:
            if (!row.untested.isEmpty())
                return QObject::tr("Not tested: %1. A slice needs %2 label positives (and predicted positives for "
                                   "precision) to be tested, and so to be called weak.")
                    .arg(row.untested)
                    .arg(report.options.minPositives);
            return QObject::tr("%1 of the slice's %2 against the rest of the data: p = %3")
                .arg(row.test == Stats::Test::Fisher ? QObject::tr("Fisher's exact test") : QObject::tr("Two-proportion z test"),
                     metricTitle(Audit::enumName(chosen)), Audit::pValueText(row.p));
        case Precision:
            return ci(row.precision, row.precisionCi);
        case Recall:
            return ci(row.recall, row.recallCi);
        case F1:
            return ci(row.f1, row.f1Ci);
        case Accuracy:
            return ci(row.accuracy, row.accuracyCi);
        default:
            return header(&report, column, Qt::ToolTipRole);
        }
    }
    return {};
}

QVariant SliceTableModel::header(const Audit::SliceReport *report, int column, int role)
{
    if (column < 0 || column >= ColumnCount)
        return {};
    const QString metricKey = report ? Audit::enumName(report->options.weakMetric) : QStringLiteral("f1");
    if (role == Qt::DisplayRole) {
        switch (column) {
        case Slice:
            return QObject::tr("Slice");
        case Metric:
            return metricTitle(metricKey);
        case Interval:
            return QObject::tr("95% interval");
        case Gap:
            return QObject::tr("Gap");
        case GapLow:
            return QObject::tr("Gap ≥");
        case P:
            return QObject::tr("p");
        case Q:
            return QObject::tr("q");
        default:
            return metricTitle(columnKey(column));
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (column) {
        case Slice:
            return QObject::tr("The feature (or features, joined by &) and the value or bin the slice's rows share.");
        case Metric:
            return QObject::tr("The chosen metric: %1").arg(metricTooltip(metricKey));
        case Interval:
            return QObject::tr("The 95% interval of the chosen metric (%1), low–high.").arg(metricTitle(metricKey));
        case Gap:
            return QObject::tr("Overall %1 minus the slice's: positive means below overall. Red: a weak slice "
                               "(more than the margin below overall, and below the rest of the data beyond chance).")
                .arg(metricTitle(metricKey));
        case GapLow:
            return QObject::tr("The gap at least: overall %1 minus the upper end of the slice's 95% interval. Weak "
                               "slices are ranked by it (the surest gaps first) unless you rank by gap.")
                .arg(metricTitle(metricKey));
        case P:
            return QObject::tr("The slice's %1 against the rest of the data: Fisher's exact test up to 1,000 rows, a "
                               "two-proportion z test above (F1 through tp / (tp + fp + fn)). – : not tested, too few "
                               "positives.")
                .arg(metricTitle(metricKey));
        case Q:
            return QObject::tr("Benjamini–Hochberg q over every slice tested: a weak slice needs q ≤ the FDR level. Of "
                               "the slices called weak, about that share are expected to be false discoveries.");
        default:
            return metricTooltip(columnKey(column));
        }
    }
    return {};
}

QVariant SliceTableModel::data(const QModelIndex &index, int role) const
{
    if (!m_report || !index.isValid() || index.row() >= rowCount())
        return {};
    return cell(*m_report, std::size_t(index.row()), index.column(), role, m_warning);
}

QVariant SliceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    return header(m_report.get(), section, role);
}

WeakSliceModel::WeakSliceModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_warning(Audit::OkabeIto::readableOn(Audit::OkabeIto::kFail, Qt::white))
{}

void WeakSliceModel::setWarningColour(const QColor &colour)
{
    m_warning = colour;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {Qt::ForegroundRole});
}

void WeakSliceModel::setReport(std::shared_ptr<const Audit::SliceReport> report)
{
    beginResetModel();
    m_report = std::move(report);
    endResetModel();
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
}

int WeakSliceModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_report ? 0 : int(m_report->weak.size());
}

int WeakSliceModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int WeakSliceModel::sliceColumn(int column)
{
    switch (column) {
    case Slice:
        return SliceTableModel::Slice;
    case Size:
        return SliceTableModel::Size;
    case LabelPositives:
        return SliceTableModel::LabelPositives;
    case Metric:
        return SliceTableModel::Metric;
    case Interval:
        return SliceTableModel::Interval;
    case Gap:
        return SliceTableModel::Gap;
    case GapLow:
        return SliceTableModel::GapLow;
    case P:
        return SliceTableModel::P;
    case Q:
        return SliceTableModel::Q;
    }
    return -1;
}

QVariant WeakSliceModel::data(const QModelIndex &index, int role) const
{
    if (!m_report || !index.isValid() || index.row() >= rowCount())
        return {};
    const std::size_t slice = m_report->weak[std::size_t(index.row())];
    if (index.column() == Rank) {
        switch (role) {
        case Qt::DisplayRole:
            return index.row() + 1;
        case SliceTableModel::RawValueRole:
            return index.row();
        case Qt::TextAlignmentRole:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        case Qt::ToolTipRole:
            return m_report->options.rank == Audit::SliceRank::Evidence
                ? tr("Rank: the surest gap first (the largest lower bound of the gap), then the smaller q, then the larger "
                     "slice.")
                : tr("Rank: largest gap first, equal gaps the larger slice first.");
        }
    }
    return SliceTableModel::cell(*m_report, slice, sliceColumn(index.column()), role, m_warning);
}

QVariant WeakSliceModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (section == Rank)
        return role == Qt::DisplayRole ? QVariant(QStringLiteral("#"))
            : role == Qt::ToolTipRole  ? QVariant(m_report && m_report->options.rank == Audit::SliceRank::Gap
                                                      ? tr("Rank: largest gap first.")
                                                      : tr("Rank: the surest gap first (by the gap's lower bound)."))
                                       : QVariant();
    return SliceTableModel::header(m_report.get(), sliceColumn(section), role);
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
    const QModelIndex index = sourceModel()->index(sourceRow, SliceTableModel::Slice, sourceParent);
    if (sourceModel()->index(sourceRow, SliceTableModel::Size, sourceParent).data(SliceTableModel::RawValueRole).toLongLong()
        < m_minimumSize)
        return false;
    if (m_featureCount > 0 && index.data(SliceTableModel::FeatureCountRole).toInt() != m_featureCount)
        return false;
    if (m_weakOnly && !index.data(SliceTableModel::WeakRole).toBool())
        return false;
    if (!m_text.isEmpty() && !index.data(SliceTableModel::RawValueRole).toString().contains(m_text, Qt::CaseInsensitive))
        return false;
    return true;
}

} // namespace Ui
