#include "dataset.h"

#include <algorithm>
#include <charconv>

namespace Audit {

std::string DataColumn::text(std::size_t row) const
{
    if (!spec.isNumeric())
        return categories[std::size_t(codes[row])];
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, numbers[row]);
    return std::string(buffer, result.ptr);
}

std::size_t Dataset::positives() const
{
    return std::size_t(std::count(labels.begin(), labels.end(), std::int8_t(1)));
}

Dataset Dataset::subset(const std::vector<std::size_t> &rows) const
{
    Dataset out;
    out.schema = schema;
    out.path = path;
    out.md5 = md5;
    out.columns.reserve(columns.size());
    for (const DataColumn &column : columns) {
        DataColumn copy;
        copy.spec = column.spec;
        copy.categories = column.categories;
        if (column.spec.isNumeric()) {
            copy.numbers.reserve(rows.size());
            for (std::size_t r : rows)
                copy.numbers.push_back(column.numbers[r]);
        } else {
            copy.codes.reserve(rows.size());
            for (std::size_t r : rows)
                copy.codes.push_back(column.codes[r]);
        }
        out.columns.push_back(std::move(copy));
    }
    out.lines.reserve(rows.size());
    for (std::size_t r : rows)
        out.lines.push_back(lines[r]);
    if (hasLabels()) {
        out.labels.reserve(rows.size());
        for (std::size_t r : rows)
            out.labels.push_back(labels[r]);
    }
    return out;
}

} // namespace Audit
