#include "groupedcolumn.h"

#include <algorithm>
#include <cmath>

namespace Audit {

namespace {

// Bin edges as people write them: whole numbers in full (1484705, not 1.48471e+06, which
// is another number), others to 6 significant digits without an exponent where it fits.
QString number(double v)
{
    if (std::isfinite(v) && std::abs(v) < 1e15 && v == std::trunc(v))
        return QString::number(qint64(v));
    if (std::isfinite(v) && std::abs(v) >= 1e-4 && std::abs(v) < 1e15) {
        const int digits = std::max(0, 5 - int(std::floor(std::log10(std::abs(v)))));
        QString text = QString::number(v, 'f', digits);
        if (text.contains(QLatin1Char('.'))) {
            while (text.endsWith(QLatin1Char('0')))
                text.chop(1);
            if (text.endsWith(QLatin1Char('.')))
                text.chop(1);
        }
        return text;
    }
    return QString::number(v, 'g', 6);
}

} // namespace

GroupedColumn GroupedColumn::fromColumn(const DataColumn &column, int bins)
{
    GroupedColumn grouped;
    grouped.name = column.spec.name;
    if (!column.spec.isNumeric()) {
        grouped.codes = column.codes;
        for (const std::string &category : column.categories)
            grouped.groups << QString::fromStdString(category);
        return grouped;
    }

    grouped.binned = true;
    std::vector<double> sorted = column.numbers;
    std::sort(sorted.begin(), sorted.end());
    if (sorted.empty())
        return grouped;
    // Edges at the quantiles, kept unique: [e0, e1), [e1, e2), ..., [e(k-1), max]. When one
    // value fills a quantile (92% zeros, say), the next distinct value starts a bin of its own
    // once, so a heavy value does not swallow everything above it.
    std::vector<double> edges = {sorted.front()};
    bool jumped = false;
    for (int b = 1; b < bins; ++b) {
        const double edge = sorted[std::size_t(std::floor(double(b) * double(sorted.size()) / double(bins)))];
        if (edge > edges.back()) {
            edges.push_back(edge);
            jumped = false;
        } else if (!jumped) {
            const auto next = std::upper_bound(sorted.begin(), sorted.end(), edges.back());
            if (next != sorted.end())
                edges.push_back(*next);
            jumped = true;
        }
    }
    const double maximum = sorted.back();
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const bool last = i + 1 == edges.size();
        grouped.groups << (last ? QStringLiteral("[%1, %2]").arg(number(edges[i]), number(maximum))
                                : QStringLiteral("[%1, %2)").arg(number(edges[i]), number(edges[i + 1])));
    }
    grouped.codes.resize(column.numbers.size());
    for (std::size_t r = 0; r < column.numbers.size(); ++r) {
        const auto above = std::upper_bound(edges.begin(), edges.end(), column.numbers[r]);
        grouped.codes[r] = std::int32_t(above - edges.begin()) - 1;
    }
    return grouped;
}

} // namespace Audit
