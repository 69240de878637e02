#pragma once

#include <memory>
#include <vector>

#include <QAbstractTableModel>

#include "featureinfluence.h"

namespace Ui {

// How much each feature moves one prediction (Audit::rankFeatures), one row per feature in
// the order core ranked them: the swing of P(positive) across the feature's sweep, its range
// (lowest to highest; sorts by the lowest), whether some value flips the decision, and the value that moves it most.
class InfluenceTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InfluenceTableModel)

public:
    // Unscoped: these feed int column and role APIs.
    enum Column { Feature, Swing, Range, Flips, Strongest, ColumnCount };
    enum Role { RawValueRole = Qt::UserRole, FeatureIndexRole };

    explicit InfluenceTableModel(QObject *parent = nullptr);

    // `positiveLabel` names the probability in the header.
    void setRanking(std::shared_ptr<const std::vector<Audit::FeatureInfluence>> ranking, const QString &positiveLabel);
    const Audit::FeatureInfluence *influence(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const std::vector<Audit::FeatureInfluence>> m_ranking;
    QString m_positive;
};

} // namespace Ui
