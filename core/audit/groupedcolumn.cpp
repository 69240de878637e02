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
    std::vector<double> values; // the numbers present; missing ones (NaN) get a group of their own
    values.reserve(column.numbers.size());
    for (double v : column.numbers) {
        if (!std::isnan(v))
            values.push_back(v);
    }
    const bool anyMissing = values.size() < column.numbers.size();
    if (values.empty()) {
        if (anyMissing) {
            grouped.groups << QStringLiteral("missing");
            grouped.codes.assign(column.numbers.size(), 0);
        }
        return grouped;
    }
    // Edges at the quantiles, kept unique: [e0, e1), [e1, e2), ..., [e(k-1), max]. When one
    // value fills a quantile (92% zeros, say), the next distinct value starts a bin of its own
    // once, so a heavy value does not swallow everything above it. The quantiles are order
    // statistics of the values (nth_element, each after the last: no full sort).
    std::vector<double> sorted = values; // partly ordered as the quantiles are found
    const auto [low, high] = std::minmax_element(sorted.begin(), sorted.end());
    const double minimum = *low;
    const double maximum = *high;
    std::vector<double> edges = {minimum};
    bool jumped = false;
    std::size_t ordered = 0; // sorted[0, ordered) <= sorted[ordered, end)
    for (int b = 1; b < bins; ++b) {
        const auto at = std::size_t(std::floor(double(b) * double(sorted.size()) / double(bins)));
        std::nth_element(sorted.begin() + std::ptrdiff_t(ordered), sorted.begin() + std::ptrdiff_t(at), sorted.end());
        ordered = at;
        const double edge = sorted[at];
        if (edge > edges.back()) {
            edges.push_back(edge);
            jumped = false;
        } else if (!jumped) {
            // The smallest value above the last edge, as upper_bound finds it in sorted values.
            const double last = edges.back();
            double next = maximum;
            bool found = false;
            for (double v : values) {
                if (v > last && v <= next) {
                    next = v;
                    found = true;
                }
            }
            if (found)
                edges.push_back(next);
            jumped = true;
        }
    }
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const bool last = i + 1 == edges.size();
        grouped.groups << (last ? QStringLiteral("[%1, %2]").arg(number(edges[i]), number(maximum))
                                : QStringLiteral("[%1, %2)").arg(number(edges[i]), number(edges[i + 1])));
    }
    if (anyMissing)
        grouped.groups << QStringLiteral("missing");
    const auto missingCode = std::int32_t(edges.size());
    grouped.codes.resize(column.numbers.size());
    for (std::size_t r = 0; r < column.numbers.size(); ++r) {
        if (std::isnan(column.numbers[r])) {
            grouped.codes[r] = missingCode;
            continue;
        }
        const auto above = std::upper_bound(edges.begin(), edges.end(), column.numbers[r]);
        grouped.codes[r] = std::int32_t(above - edges.begin()) - 1;
    }
    return grouped;
}

} // namespace Audit
