#pragma once

#include <memory>
#include <vector>

#include <QAbstractTableModel>
#include <QColor>
#include <QSortFilterProxyModel>

#include "slicereport.h"

namespace Ui {

// The slice report as a table. Display text is formatted; RawValueRole holds the number
// the proxy sorts on. Computes nothing: every value comes from the core report.
//
// The key columns come first: the slice's name, its size and positives, then the report's
// chosen metric (options.weakMetric), its interval and its gap to overall; the other metrics
// follow. A column is a Column value and one case in cell(): the weak-slice table picks its
// columns from the same list.
class SliceTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SliceTableModel)

public:
    // Unscoped: these feed int column APIs.
    enum Column {
        Slice, // "feature = value", intersections joined by " & "
        Size,
        LabelPositives,
        Metric, // the report's chosen metric
        Interval, // its 95% interval, low–high
        Gap, // overall minus the slice (positive: below overall); red when the slice is weak
        GapLow, // the gap at least: overall minus the interval's upper bound
        P, // the test of the slice against the rest of the data
        Q, // its Benjamini-Hochberg q over every slice tested
        PredictedPositives,
        Precision,
        Recall,
        F1,
        Accuracy,
        Fpr,
        Fnr,
        ColumnCount
    };
    enum Role { RawValueRole = Qt::UserRole, SliceIndexRole, FeatureCountRole, WeakRole };

    explicit SliceTableModel(QObject *parent = nullptr);

    void setReport(std::shared_ptr<const Audit::SliceReport> report);
    // The text colour of a weak slice's gap (bold too): the view passes one readable on its
    // base colour, so it follows the theme.
    void setWarningColour(const QColor &colour);
    const Audit::SliceReport *report() const { return m_report.get(); }
    std::shared_ptr<const Audit::SliceReport> sharedReport() const { return m_report; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // One cell of slice `slice` of `report` (shared with WeakSliceModel).
    static QVariant cell(const Audit::SliceReport &report, std::size_t slice, int column, int role, const QColor &warning);
    static QVariant header(const Audit::SliceReport *report, int column, int role);
    static QString columnKey(int column); // stable name for settings: "n", "f1", "gap", ...
    static QString sliceName(const Audit::SliceRow &row); // "a = x & b = y"

private:
    std::shared_ptr<const Audit::SliceReport> m_report;
    QColor m_warning;
};

// The weak slices of a report, one row each in the core's rank order (by the gap's lower bound
// by default, or by the gap): rank, then SliceTableModel columns. Sort it through a
// QSortFilterProxyModel on RawValueRole.
class WeakSliceModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WeakSliceModel)

public:
    enum Column { Rank, Slice, Size, LabelPositives, Metric, Interval, Gap, GapLow, P, Q, ColumnCount };

    explicit WeakSliceModel(QObject *parent = nullptr);

    void setReport(std::shared_ptr<const Audit::SliceReport> report);
    void setWarningColour(const QColor &colour); // as SliceTableModel's

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    static int sliceColumn(int column); // the SliceTableModel column behind `column`

    std::shared_ptr<const Audit::SliceReport> m_report;
    QColor m_warning;
};

// Filters the slice table by text (feature or value), minimum size, and how many features
// a slice crosses (1 = plain slices, 2 = pairs, ...; 0 = all).
class SliceFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SliceFilterProxy)

public:
    explicit SliceFilterProxy(QObject *parent = nullptr);

    void setText(const QString &text);
    void setMinimumSize(int n);
    void setFeatureCount(int count);
    void setWeakOnly(bool weakOnly);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    int m_minimumSize = 0;
    int m_featureCount = 0;
    bool m_weakOnly = false;
};

} // namespace Ui
