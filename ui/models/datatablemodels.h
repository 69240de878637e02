#pragma once

#include <memory>

#include <QAbstractTableModel>

#include "csvreader.h"
#include "dataset.h"

namespace Ui {

// Every row of a dataset, read lazily from its columns (a million rows cost nothing).
class DatasetTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetTableModel)

public:
    explicit DatasetTableModel(QObject *parent = nullptr);
    void setDataset(std::shared_ptr<const Audit::Dataset> data);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const Audit::Dataset> m_data;
};

// A fixed table of already formatted rows: the column summary and the rejected rows.
class TextTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TextTableModel)

public:
    explicit TextTableModel(QStringList headers, QObject *parent = nullptr);
    void setRows(QList<QStringList> rows);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QList<QStringList> summaryRows(const std::vector<Audit::ColumnSummary> &summary);
    static QList<QStringList> rejectedRows(const QList<Audit::RejectedRow> &rejected);

private:
    QStringList m_headers;
    QList<QStringList> m_rows;
};

} // namespace Ui
