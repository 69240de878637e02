#pragma once

#include <cstdint>
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
    // values repeat); the last bin is closed: "[48, 90]". Missing numbers (NaN) form a last
    // group, "missing".
    static GroupedColumn fromColumn(const DataColumn &column, int bins);
};

} // namespace Audit
