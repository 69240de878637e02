#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <QString>
#include <QStringList>

#include "dataset.h"

namespace Audit {

// What the audit engine works on: attribute columns, 0/1 labels, scores and a threshold.
// Comes from the project's model on a labelled dataset, or from any scored CSV made
// elsewhere. Categorical code -1 marks a missing value: such a row belongs to no group of
// that attribute but still counts in the totals.
struct ScoredData
{
    std::vector<DataColumn> columns;
    std::vector<std::int8_t> labels;
    std::vector<double> scores;
    // The model's scores before its calibration map, when it has one (else empty): what the
    // calibration views show as "before".
    std::vector<double> uncalibratedScores;
    double threshold = 0.5;
    // When the model decides with thresholds by group: the threshold each row meets, what that
    // rule is ("by sex: Male 0.4057, Female 0.2839 (...)") and how many rows fell in no group
    // (they meet `threshold`). Empty otherwise. Set with setRowThresholds().
    std::vector<double> rowThresholds;
    QString decisionRule;
    std::size_t ungroupedRows = 0;
    // What a threshold is compared with: `scores`, or with row thresholds a key per row such that
    // key >= threshold exactly when score >= its row's threshold (so every view that ranks rows
    // and cuts at one threshold decides as the model does).
    const std::vector<double> &decisionScores() const { return m_decisionKeys.empty() ? scores : m_decisionKeys; }
    void setRowThresholds(std::vector<double> thresholds, QString rule, std::size_t ungrouped);
    QString source; // file the rows came from
    QString modelId; // empty for a scored CSV
    QString positiveLabel;

    std::size_t rowCount() const { return labels.size(); }
    const DataColumn *column(const QString &name) const; // nullptr when absent
    QStringList columnNames() const;

    // Predictions packed with labels: 0 tn, 1 fp, 2 fn, 3 tp (label*2 + pred), at `at`, or at
    // `threshold` when `at` is not given.
    std::vector<std::uint8_t> outcomes(std::optional<double> at = std::nullopt) const;

    // `at` when given, else `threshold`. Throws: OptionError("threshold") when `at` lies outside
    // [0, 1], so a leftover "-1 means default" can never pass as a threshold.
    double thresholdFor(std::optional<double> at) const;

private:
    std::vector<double> m_decisionKeys;
};

struct ScoredCsvOptions
{
    QString scoreColumn = QStringLiteral("score");
    QString labelColumn = QStringLiteral("label_value");
    QStringList attributes; // columns to keep as categorical attributes
    std::optional<double> threshold; // none: scores must already be 0/1
    QString labelPositive; // empty: labels must be 0/1
};

// Reads a scored CSV from any model.
// Throws: CsvError naming the file, line and column: a missing column, a non-number score,
//         a label column with more than two values, non-binary scores without a threshold.
ScoredData readScoredCsv(const QString &path, const ScoredCsvOptions &options);

} // namespace Audit
