#pragma once

#include <memory>

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include "slicereport.h"

namespace Ui {

// The slice report as a table. Display text is formatted; RawValueRole holds the number
// the proxy sorts on. Computes nothing: every value comes from the core report.
class SliceTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SliceTableModel)

public:
    // Unscoped: these feed int column APIs.
    enum Column {
        Feature,
        Value,
        Size,
        LabelPositives,
        PredictedPositives,
        Precision,
        Recall,
        F1,
        Accuracy,
        Fpr,
        Fnr,
        Weak,
        ColumnCount
    };
    enum Role { RawValueRole = Qt::UserRole, SliceIndexRole, FeatureCountRole };

    explicit SliceTableModel(QObject *parent = nullptr);

    void setReport(std::shared_ptr<const Audit::SliceReport> report);
    const Audit::SliceReport *report() const { return m_report.get(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const Audit::SliceReport> m_report;
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
