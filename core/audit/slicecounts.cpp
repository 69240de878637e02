#include "slicecounts.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

namespace Audit {

namespace {

// Cells in all dense tables of one cache (two counts each, and as many again while counting):
// past it, or past kMaxCells for one combination, a combination is counted row by row in a
// hash map of the cells that occur. Two columns of 100,000 categories must not ask for 10^10
// counters.
constexpr std::size_t kMaxTableCells = std::size_t(1) << 23;
constexpr std::size_t kMaxCells = std::size_t(1) << 20;

std::size_t cellCount(const std::vector<const AuditCache::RankedColumn *> &columns)
{
    std::size_t cells = 1;
    for (const AuditCache::RankedColumn *c : columns) {
        if (cells > kMaxCells / c->cells)
            return kMaxCells + 1;
        cells *= c->cells;
    }
    return cells;
}

// Adds label counts of ranks [begin, end) into `table` (cell * 2 + label), branch-free.
void addLabelCounts(const std::vector<const AuditCache::RankedColumn *> &columns, std::size_t begin, std::size_t end,
                    std::int64_t *table)
{
    const std::uint32_t *last = columns.back()->withLabel.data();
    if (columns.size() == 1) {
        for (std::size_t i = begin; i < end; ++i)
            ++table[last[i]];
    } else if (columns.size() == 2) {
        const std::uint32_t *a = columns[0]->group.data();
        const std::size_t stride = std::size_t(columns[1]->cells) * 2;
        for (std::size_t i = begin; i < end; ++i)
            ++table[a[i] * stride + last[i]];
    } else {
        const std::uint32_t *a = columns[0]->group.data();
        const std::uint32_t *b = columns[1]->group.data();
        const std::size_t nb = columns[1]->cells;
        const std::size_t stride = std::size_t(columns[2]->cells) * 2;
        for (std::size_t i = begin; i < end; ++i)
            ++table[(a[i] * nb + b[i]) * stride + last[i]];
    }
}

// The groups of `cell` per column; false when one of them is the missing-value group.
bool groupsOf(std::size_t cell, const std::vector<const AuditCache::RankedColumn *> &columns, std::vector<std::uint32_t> &out)
{
    out.assign(columns.size(), 0);
    for (std::size_t j = columns.size(); j-- > 0;) {
        out[j] = std::uint32_t(cell % columns[j]->cells);
        cell /= columns[j]->cells;
        if (out[j] + 1 == columns[j]->cells)
            return false;
    }
    return true;
}

} // namespace

RankedRows::RankedRows(const ScoredData &data)
{
    // Ranked by what a threshold is compared with: the scores, or the keys of row thresholds.
    const std::vector<double> &keys = data.decisionScores();
    rows.resize(keys.size());
    std::iota(rows.begin(), rows.end(), std::uint32_t(0));
    std::sort(rows.begin(), rows.end(),
              [&keys](std::uint32_t a, std::uint32_t b) { return keys[a] > keys[b] || (keys[a] == keys[b] && a < b); });
    scores.resize(rows.size());
    labels.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        scores[i] = keys[rows[i]];
        labels[i] = std::uint8_t(data.labels[rows[i]] != 0);
    }
}

std::size_t RankedRows::predictedPositives(double threshold) const
{
    // The first rank whose score is below the threshold.
    return std::size_t(std::partition_point(scores.begin(), scores.end(), [threshold](double s) { return s >= threshold; })
                       - scores.begin());
}

std::shared_ptr<const GroupedColumn> AuditCache::grouped(const DataColumn &column, int bins)
{
    return findOrMake(m_grouped, columnKey(column, bins),
                      [&] { return std::make_shared<const GroupedColumn>(GroupedColumn::fromColumn(column, bins)); });
}

std::shared_ptr<const RankedRows> AuditCache::ranked(const ScoredData &data)
{
    {
        const std::lock_guard<std::mutex> hold(m_lock);
        if (m_ranked)
            return m_ranked;
    }
    auto made = std::make_shared<const RankedRows>(data);
    const std::lock_guard<std::mutex> hold(m_lock);
    if (!m_ranked)
        m_ranked = std::move(made);
    return m_ranked;
}

std::shared_ptr<const AuditCache::RankedColumn> AuditCache::rankedColumn(const ScoredData &data, const DataColumn &column,
                                                                         int bins)
{
    return findOrMake(m_rankedColumns, columnKey(column, bins), [&] {
        auto made = std::make_shared<RankedColumn>();
        made->grouped = grouped(column, bins);
        const std::shared_ptr<const RankedRows> order = ranked(data);
        const auto missing = std::uint32_t(made->grouped->groups.size());
        made->cells = missing + 1;
        made->group.resize(order->rows.size());
        made->withLabel.resize(order->rows.size());
        const std::vector<std::int32_t> &codes = made->grouped->codes;
        for (std::size_t i = 0; i < order->rows.size(); ++i) {
            const std::int32_t code = codes[order->rows[i]];
            const std::uint32_t g = code < 0 ? missing : std::uint32_t(code);
            made->group[i] = g;
            made->withLabel[i] = g * 2 + order->labels[i];
        }
        return std::shared_ptr<const RankedColumn>(std::move(made));
    });
}

std::shared_ptr<const AuditCache::LabelCounts> AuditCache::labelCounts(const std::vector<const RankedColumn *> &columns)
{
    const std::vector<const RankedColumn *> &key = columns;
    const std::size_t cells = cellCount(columns);
    {
        const std::lock_guard<std::mutex> hold(m_lock);
        const auto found = m_labelCounts.find(key);
        if (found != m_labelCounts.end())
            return found->second;
        if (cells > kMaxCells || m_tableCells + cells > kMaxTableCells) // counted row by row instead
            return m_labelCounts.emplace(key, std::make_shared<const LabelCounts>()).first->second;
        m_tableCells += cells;
    }
    auto made = std::make_shared<LabelCounts>(cells, std::array<std::int64_t, 2>{0, 0});
    addLabelCounts(columns, 0, columns.front()->group.size(), made->front().data());
    const std::lock_guard<std::mutex> hold(m_lock);
    return m_labelCounts.emplace(key, std::move(made)).first->second;
}

std::vector<OccupiedCell> countCells(const ScoredData &data, const std::vector<const AuditCache::RankedColumn *> &columns,
                                     double threshold, AuditCache &cache)
{
    const std::shared_ptr<const RankedRows> order = cache.ranked(data);
    const std::size_t rows = order->rows.size();
    const std::size_t positives = order->predictedPositives(threshold); // ranks [0, positives)
    const std::shared_ptr<const AuditCache::LabelCounts> labels = cache.labelCounts(columns);
    std::vector<OccupiedCell> out;
    std::vector<std::uint32_t> groups;
    if (!labels->empty()) {
        // Label counts of the smaller side of the threshold; the other side is the rest.
        const bool prefix = positives <= rows / 2;
        std::vector<std::array<std::int64_t, 2>> side(labels->size(), {0, 0});
        addLabelCounts(columns, prefix ? 0 : positives, prefix ? positives : rows, side.front().data());
        for (std::size_t cell = 0; cell < labels->size(); ++cell) {
            const auto &all = (*labels)[cell];
            if (all[0] + all[1] == 0 || !groupsOf(cell, columns, groups))
                continue;
            const std::int64_t fp = prefix ? side[cell][0] : all[0] - side[cell][0];
            const std::int64_t tp = prefix ? side[cell][1] : all[1] - side[cell][1];
            out.push_back({groups, {all[0] - fp, fp, all[1] - tp, tp}});
        }
        return out;
    }
    std::unordered_map<std::uint64_t, CellCounts> counts;
    for (std::size_t i = 0; i < rows; ++i) {
        std::uint64_t cell = 0;
        for (const AuditCache::RankedColumn *c : columns)
            cell = cell * c->cells + c->group[i];
        ++counts[cell][std::size_t(order->labels[i]) * 2 + (i < positives ? 1 : 0)];
    }
    std::vector<std::pair<std::uint64_t, CellCounts>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto &x, const auto &y) { return x.first < y.first; });
    for (const auto &[cell, c] : sorted) {
        if (groupsOf(std::size_t(cell), columns, groups))
            out.push_back({groups, c});
    }
    return out;
}

} // namespace Audit
