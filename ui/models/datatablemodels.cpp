#include "datatablemodels.h"

#include <cmath>

#include <QLocale>

namespace Ui {

DatasetTableModel::DatasetTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void DatasetTableModel::setDataset(std::shared_ptr<const Audit::Dataset> data)
{
    beginResetModel();
    m_data = std::move(data);
    endResetModel();
}

int DatasetTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_data ? 0 : int(m_data->rowCount());
}

int DatasetTableModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_data)
        return 0;
    return int(m_data->columns.size()) + (m_data->hasLabels() ? 1 : 0);
}

QVariant DatasetTableModel::data(const QModelIndex &index, int role) const
{
    if (!m_data || !index.isValid() || role != Qt::DisplayRole)
        return {};
    const std::size_t row = std::size_t(index.row());
    const std::size_t column = std::size_t(index.column());
    if (column == m_data->columns.size())
        return m_data->labels[row] ? m_data->schema.positiveLabel() : m_data->schema.negativeLabel();
    return QString::fromStdString(m_data->columns[column].text(row));
}

QVariant DatasetTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (!m_data || role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return m_data->lines[std::size_t(section)]; // the row's line in the file
    if (std::size_t(section) == m_data->columns.size())
        return m_data->schema.labelColumn();
    const Audit::DataColumn &c = m_data->columns[std::size_t(section)];
    return QStringLiteral("%1\n%2").arg(c.spec.name, Audit::enumName(c.spec.type));
}

TextTableModel::TextTableModel(QStringList headers, QObject *parent)
    : QAbstractTableModel(parent)
    , m_headers(std::move(headers))
{}

void TextTableModel::setRows(QList<QStringList> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int TextTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TextTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_headers.size());
}

QVariant TextTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    return m_rows[index.row()].value(index.column());
}

QVariant TextTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return m_headers.value(section);
}

namespace {

// A number as a person reads it: whole numbers in full (1484705, not 1.48471e+06), others
// to 6 significant digits.
QString plainNumber(double v)
{
    if (std::isfinite(v) && v == std::round(v) && std::abs(v) < 1e15)
        return QString::number(qlonglong(v));
    return QString::number(v, 'g', 6);
}

} // namespace

QList<QStringList> TextTableModel::summaryRows(const std::vector<Audit::ColumnSummary> &summary)
{
    QList<QStringList> rows;
    const QLocale locale;
    for (const Audit::ColumnSummary &s : summary) {
        const bool numeric = s.type != Audit::ColumnType::Categorical;
        rows << QStringList{s.name,
                            Audit::enumName(s.type),
                            locale.toString(qulonglong(s.distinct)),
                            numeric ? QStringLiteral("–") : locale.toString(qulonglong(s.missing)),
                            numeric ? QStringLiteral("%1 – %2").arg(plainNumber(s.minimum), plainNumber(s.maximum)) : QString(),
                            numeric ? QString::number(s.mean, 'f', 2) : QString()};
    }
    return rows;
}

QList<QStringList> TextTableModel::rejectedRows(const QList<Audit::RejectedRow> &rejected)
{
    QList<QStringList> rows;
    for (const Audit::RejectedRow &r : rejected)
        rows << QStringList{QString::number(r.line), r.column, r.value, r.message};
    return rows;
}

} // namespace Ui
