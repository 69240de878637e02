#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <QString>
#include <QStringList>

#include "dataset.h"

namespace Audit {

// A column turned into groups: a categorical column's values, or a numeric column's
// quantile bins. Code -1 = the row belongs to no group (a missing value).
struct GroupedColumn
{
    QString name;
    std::vector<std::int32_t> codes;
    QStringList groups; // label of each code: the category, or "[17, 28)" for a bin
    bool binned = false;

    // Requires: bins >= 1. Numeric columns get up to `bins` quantile bins (fewer when
    // values repeat); the last bin is closed: "[48, 90]".
    static GroupedColumn fromColumn(const DataColumn &column, int bins);
};

// The grouped columns of one scored data set, made once and shared by every audit of it
// (a threshold change regroups nothing). Safe to use from several threads.
class GroupingCache
{
public:
    std::shared_ptr<const GroupedColumn> get(const DataColumn &column, int bins);

private:
    std::mutex m_lock;
    std::map<std::pair<QString, int>, std::shared_ptr<const GroupedColumn>> m_columns;
};

// Grouped through `cache` when there is one, else made afresh.
std::shared_ptr<const GroupedColumn> groupColumn(const DataColumn &column, int bins, GroupingCache *cache);

} // namespace Audit
