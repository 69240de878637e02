#pragma once

#include <memory>

#include <QAbstractTableModel>

#include "biasreport.h"

namespace Ui {

// The groups of one attribute of a bias report (or of every attribute), with their metrics.
// A metric cell is marked (✗ and a vermillion background) when that metric's parity fails for
// the group; its tooltip gives the metric's definition and counts, the group's and the
// reference's values, the disparity and the tolerance band. The columns of the parities the
// fairness tree recommends are highlighted in the header (▶).
class BiasTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BiasTableModel)

public:
    // Unscoped: these feed int column APIs.
    enum Column { Attribute, Group, Size, Prev, Ppr, Pprev, Precision, Fdr, For, Fpr, Fnr, Tpr, Tnr, Npv, Failed, ColumnCount };
    enum Role { RawValueRole = Qt::UserRole };

    explicit BiasTableModel(QObject *parent = nullptr);

    void setReport(std::shared_ptr<const Audit::BiasReport> report, const QString &attribute);
    const Audit::GroupMetrics *group(int row) const;
    const Audit::BiasReport *report() const { return m_report.get(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static std::optional<Audit::BiasMetric> metricOf(int column);
    static int columnOf(Audit::BiasMetric metric);

    void setHighlightedMetrics(const std::vector<Audit::BiasMetric> &metrics);
    bool isHighlighted(int column) const;

private:
    QString cellTooltip(const Audit::GroupMetrics &group, Audit::BiasMetric metric) const;

    std::shared_ptr<const Audit::BiasReport> m_report;
    std::vector<const Audit::GroupMetrics *> m_rows;
    std::vector<Audit::BiasMetric> m_highlighted;
};

} // namespace Ui
