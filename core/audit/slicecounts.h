#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include <QString>

#include "groupedcolumn.h"
#include "scoreddata.h"

namespace Audit {

// Confusion counts {tn, fp, fn, tp} of one cell (a group, or a combination of groups).
using CellCounts = std::array<std::int64_t, 4>;

// The rows of a scored data set ranked by score, highest first: at any threshold the
// predicted positives are a prefix of this order.
struct RankedRows
{
    std::vector<double> scores; // descending
    std::vector<std::uint8_t> labels; // of the row at each rank
    std::vector<std::uint32_t> rows; // the row at each rank

    explicit RankedRows(const ScoredData &data);
    std::size_t predictedPositives(double threshold) const; // rows with score >= threshold
};

// What the audits of one scored data set share, made once and reused at every threshold: the
// grouped columns, the ranking, each column's groups in rank order and each combination's
// label counts per cell. With them a threshold change counts only the rows on the smaller
// side of the threshold. Safe to use from several threads. It must only ever see one data set.
class AuditCache
{
public:
    std::shared_ptr<const GroupedColumn> grouped(const DataColumn &column, int bins);
    std::shared_ptr<const RankedRows> ranked(const ScoredData &data);

    // A column's groups in rank order, a missing value as one more group (groups.size()):
    // `group` alone and `withLabel` = group * 2 + label.
    struct RankedColumn
    {
        std::shared_ptr<const GroupedColumn> grouped;
        std::uint32_t cells = 0; // groups + 1
        std::vector<std::uint32_t> group;
        std::vector<std::uint32_t> withLabel;
    };
    std::shared_ptr<const RankedColumn> rankedColumn(const ScoredData &data, const DataColumn &column, int bins);

    // Label counts {negatives, positives} per cell of a combination (mixed radix of the
    // columns' cells, the first column most significant); empty when the combination has too
    // many cells for a table (it is then counted row by row).
    using LabelCounts = std::vector<std::array<std::int64_t, 2>>;
    // `columns` come from this cache's rankedColumn() (they are the key).
    std::shared_ptr<const LabelCounts> labelCounts(const std::vector<const RankedColumn *> &columns);

private:
    using ColumnKey = std::pair<QString, int>; // name, bins (0 for a categorical: bins do not apply)
    static ColumnKey columnKey(const DataColumn &column, int bins)
    {
        return {column.spec.name, column.spec.isNumeric() ? bins : 0};
    }
    // The entry for `key`, made by make() outside the lock the first time (two threads may
    // both make it; the first stored wins and both get that one).
    template <typename Map, typename Make>
    typename Map::mapped_type findOrMake(Map &map, const typename Map::key_type &key, Make make)
    {
        {
            const std::lock_guard<std::mutex> hold(m_lock);
            const auto found = map.find(key);
            if (found != map.end())
                return found->second;
        }
        auto made = make();
        const std::lock_guard<std::mutex> hold(m_lock);
        return map.emplace(key, std::move(made)).first->second;
    }

    std::mutex m_lock;
    std::map<ColumnKey, std::shared_ptr<const GroupedColumn>> m_grouped;
    std::shared_ptr<const RankedRows> m_ranked;
    std::map<ColumnKey, std::shared_ptr<const RankedColumn>> m_rankedColumns;
    std::map<std::vector<const RankedColumn *>, std::shared_ptr<const LabelCounts>> m_labelCounts;
    std::size_t m_tableCells = 0; // cells in all tables so far, against kMaxTableCells
};

// Counts of every occupied cell of a combination at `threshold`, in cell order, each with
// the groups (index per column) it stands for; cells with a missing value are left out.
struct OccupiedCell
{
    std::vector<std::uint32_t> groups;
    CellCounts counts;
};
std::vector<OccupiedCell> countCells(const ScoredData &data, const std::vector<const AuditCache::RankedColumn *> &columns,
                                     double threshold, AuditCache &cache);

} // namespace Audit
