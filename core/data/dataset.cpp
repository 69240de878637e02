#include "dataset.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace Audit {

std::string DataColumn::text(std::size_t row) const
{
    if (!spec.isNumeric())
        return categories[std::size_t(codes[row])];
    if (std::isnan(numbers[row]))
        return missingText;
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, numbers[row]);
    return std::string(buffer, result.ptr);
}

QString Dataset::noLabelsMessage(const QString &task) const
{
    if (rowCount() == 0)
        return QStringLiteral("%1: no rows left for %2: every row was rejected (see the rows listed above) or the file "
                              "has none")
            .arg(path, task);
    return QStringLiteral("%1: %2 needs the label column \"%3\"").arg(path, task, schema.labelColumn());
}

std::size_t Dataset::positives() const
{
    return std::size_t(std::count(labels.begin(), labels.end(), std::int8_t(1)));
}

namespace {

constexpr std::size_t kHistogramBins = 20;

} // namespace

std::vector<ColumnSummary> Dataset::summarize() const
{
    std::vector<ColumnSummary> out;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const DataColumn &column = columns[c];
        std::vector<std::string> missingTokens;
        for (const QString &token : schema.missingTokens(c))
            missingTokens.push_back(token.toStdString());
        ColumnSummary summary;
        summary.name = column.spec.name;
        summary.type = column.spec.type;
        if (column.spec.isNumeric()) {
            std::vector<double> sorted;
            sorted.reserve(column.numbers.size());
            for (double v : column.numbers) {
                if (std::isnan(v))
                    ++summary.missing;
                else
                    sorted.push_back(v);
            }
            std::sort(sorted.begin(), sorted.end());
            summary.distinct = std::size_t(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
            if (!sorted.empty()) {
                summary.minimum = sorted.front();
                summary.maximum = sorted.back();
            }
            double sum = 0;
            for (double v : sorted)
                sum += v;
            summary.mean = sorted.empty() ? 0 : sum / double(sorted.size());
            if (!sorted.empty()) {
                const int bins = summary.distinct < kHistogramBins ? int(std::max<std::size_t>(1, summary.distinct))
                                                                   : kHistogramBins;
                const double width = (summary.maximum - summary.minimum) / bins;
                for (int k = 0; k <= bins; ++k)
                    summary.histogramEdges.push_back(k == bins ? summary.maximum : summary.minimum + k * width);
                summary.histogram.assign(std::size_t(bins), 0);
                for (double v : sorted) {
                    int k = width > 0 ? int((v - summary.minimum) / width) : 0;
                    ++summary.histogram[std::size_t(std::clamp(k, 0, bins - 1))];
                }
            }
        } else {
            std::vector<std::size_t> counts(column.categories.size(), 0);
            for (std::int32_t code : column.codes)
                ++counts[std::size_t(code)];
            for (std::size_t k = 0; k < counts.size(); ++k) {
                summary.distinct += counts[k] > 0;
                if (std::find(missingTokens.begin(), missingTokens.end(), column.categories[k]) != missingTokens.end())
                    summary.missing += counts[k];
                if (counts[k] > 0)
                    summary.categoryCounts.emplace_back(QString::fromStdString(column.categories[k]), std::int64_t(counts[k]));
            }
            std::sort(summary.categoryCounts.begin(), summary.categoryCounts.end(), [](const auto &a, const auto &b) {
                return a.second != b.second ? a.second > b.second : a.first < b.first;
            });
        }
        out.push_back(summary);
    }
    return out;
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
        copy.missingText = column.missingText;
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
