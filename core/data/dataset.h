#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <QString>

#include "schema.h"

namespace Audit {

// One feature column, stored by type: numbers for integer/real columns, codes into
// `categories` for categorical ones (code order = first appearance in the file).
struct DataColumn
{
    ColumnSpec spec;
    std::vector<double> numbers;
    std::vector<std::int32_t> codes;
    std::vector<std::string> categories;
    std::string missingText = "?"; // how text() writes a missing number (NaN): the schema's first token

    std::size_t size() const { return spec.isNumeric() ? numbers.size() : codes.size(); }
    // The value of `row` as text, the way it appeared in the file (numbers without trailing zeros).
    std::string text(std::size_t row) const;
};

// What a column holds, for previews.
struct ColumnSummary
{
    QString name;
    ColumnType type = ColumnType::Categorical;
    std::size_t distinct = 0;
    std::size_t missing = 0; // rows holding one of the column's missing tokens, or no number
    double minimum = 0; // numeric columns
    double maximum = 0;
    double mean = 0;
    // The distribution: categories with their row counts, most frequent first (ties by name);
    // or, for a numeric column, `bins` equal-width bins from minimum to maximum (the last one
    // closed) with their counts, so the edges are histogramEdges.
    std::vector<std::pair<QString, std::int64_t>> categoryCounts;
    std::vector<double> histogramEdges;
    std::vector<std::int64_t> histogram;
};

// A loaded, columnar dataset. Columns follow the schema's feature order.
struct Dataset
{
    Schema schema;
    std::vector<DataColumn> columns;
    std::vector<std::int8_t> labels; // 1 = positive, 0 = negative; empty when the file has no label column
    std::vector<int> lines; // 1-based file line of every row
    QString path;
    QString md5; // of the file's bytes, lower-case hex

    std::size_t rowCount() const { return lines.size(); }
    bool hasLabels() const { return !labels.empty(); }
    std::size_t positives() const;

    std::vector<ColumnSummary> summarize() const;

    // Why `task` ("training", "evaluation", "an audit") cannot use this data: no rows were
    // kept at all, or the label column is absent. For a SchemaError when !hasLabels().
    QString noLabelsMessage(const QString &task) const;

    // Keeps only the given rows, in the given order.
    Dataset subset(const std::vector<std::size_t> &rows) const;
};

} // namespace Audit
