#include "influencetablemodel.h"

namespace Ui {

InfluenceTableModel::InfluenceTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void InfluenceTableModel::setRanking(std::shared_ptr<const std::vector<Audit::FeatureInfluence>> ranking,
                                     const QString &positiveLabel)
{
    beginResetModel();
    m_ranking = std::move(ranking);
    m_positive = positiveLabel;
    endResetModel();
}

const Audit::FeatureInfluence *InfluenceTableModel::influence(int row) const
{
    return m_ranking && row >= 0 && std::size_t(row) < m_ranking->size() ? &(*m_ranking)[std::size_t(row)] : nullptr;
}

int InfluenceTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_ranking ? 0 : int(m_ranking->size());
}

int InfluenceTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant InfluenceTableModel::data(const QModelIndex &index, int role) const
{
    const Audit::FeatureInfluence *f = influence(index.row());
    if (!f)
        return {};
    if (role == FeatureIndexRole)
        return qulonglong(f->feature);
    if (role == Qt::TextAlignmentRole)
        return index.column() == Feature || index.column() == Strongest ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                                                        : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == Flips && f->flips)
        return tr("Some value of %1 gives the other answer than this record's.").arg(f->name);
    if (role == Qt::ToolTipRole) // the whole text of a cell the column is too narrow for
        return data(index, Qt::DisplayRole);
    if (role != Qt::DisplayRole && role != RawValueRole)
        return {};
    const bool raw = role == RawValueRole;
    const auto probability = [raw](double p) { return raw ? QVariant(p) : QVariant(QString::number(p, 'f', 3)); };
    switch (index.column()) {
    case Feature:
        return f->name;
    case Swing:
        return probability(f->swing());
    case Range:
        return raw ? QVariant(f->lowest) : QVariant(tr("%1–%2").arg(f->lowest, 0, 'f', 3).arg(f->highest, 0, 'f', 3));
    case Flips: // a mark and a word: colour never carries it alone
        return raw ? QVariant(f->flips) : QVariant(f->flips ? tr("⇄ yes") : tr("no"));
    case Strongest:
        return raw ? QVariant(f->strongestProbability)
                   : QVariant(tr("%1 → %2").arg(f->strongestValue).arg(f->strongestProbability, 0, 'f', 3));
    default:
        return {};
    }
}

QVariant InfluenceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Swing:
            return tr("Highest minus lowest P(%1) as this feature sweeps its values, the others kept.").arg(m_positive);
        case Range:
            return tr("Lowest to highest P(%1) over the sweep.").arg(m_positive);
        case Flips:
            return tr("Whether some swept value changes this record's answer at the working threshold.");
        case Strongest:
            return tr("The swept value that moves P(%1) furthest from this record's, and P there.").arg(m_positive);
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Feature:
        return tr("Feature");
    case Swing:
        return tr("Swing");
    case Range:
        return tr("P range");
    case Flips:
        return tr("Flips?");
    case Strongest:
        return tr("Moves it most at");
    default:
        return {};
    }
}

} // namespace Ui
