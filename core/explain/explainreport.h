#pragma once

#include <optional>
#include <vector>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "calibration.h"
#include "counterfactuals.h"
#include "dataset.h"
#include "explainer.h"
#include "importance.h"
#include "partialdependence.h"
#include "progress.h"

namespace Audit {

class Model;

// Attributions of some rows of a data file, with the row numbers they came from.
struct RowExplanations
{
    QString method;
    bool exact = false;
    OutputSpace space = OutputSpace::LogOdds;
    QStringList columns;
    std::vector<std::size_t> rows; // 0-based rows of the data
    std::vector<Explanation> explanations;
    QJsonObject toJson(const Explainer &explainer, const ExplainOptions &options) const;
    QByteArray toCsv() const; // row (1-based), probability, base, output, one column per attribution
};

// "1,5-9" -> {0, 4, 5, 6, 7, 8} (1-based, inclusive ranges); empty text: every row.
// Throws OptionError naming `option` for a malformed list or a row past `rowCount`.
std::vector<std::size_t> parseRowList(const QString &text, std::size_t rowCount, const QString &option);

RowExplanations explainRows(const Model &model, const Dataset &data, const std::vector<std::size_t> &rows,
                            const ExplainOptions &options, const Progress &progress = {});

// Importance of one group of rows (a slice: a column's category or quantile bin) next to
// overall: what drives the model there, and on the rows it gets wrong there.
struct GroupImportance
{
    QString column;
    QString group;
    std::size_t rows = 0;
    std::size_t errors = 0; // false positives and negatives at the threshold
    ShapImportance all;
    ShapImportance onErrors; // empty columns when no errors
};

struct ImportanceRequest
{
    ExplainOptions explain; // space and sampling of the attributions
    PermutationOptions permutation; // its threshold is set from the request's threshold
    std::optional<double> threshold; // default: the model's
    QStringList byColumns; // slices: each group of these columns (numeric ones in `bins` quantile bins)
    int bins = 4;
    int minGroupRows = 30; // smaller groups are left out (too few rows to say anything)
    bool permutationToo = true;
    std::size_t maxRows = 0; // > 0: a seeded sample of this many rows (the GUI's, for large data)
    std::uint64_t sampleSeed = 42;
};

struct ImportanceReport
{
    ShapImportance shap;
    std::optional<PermutationImportance> permutation;
    std::size_t errors = 0;
    ShapImportance onErrors; // mean |SHAP| over every misclassified row
    std::vector<GroupImportance> groups;
    double threshold = 0.5;
    // With a model deciding by group thresholds: the threshold each explained row met (per
    // entry of rows); empty otherwise.
    std::vector<double> rowThresholds;
    double thresholdAt(std::size_t i) const { return rowThresholds.empty() ? threshold : rowThresholds[i]; }
    QString method;
    QStringList columns; // schema features
    std::vector<std::size_t> rows; // the data rows explained (all, or the sample), ascending
    std::vector<Explanation> explanations; // per entry of rows
    QJsonObject toJson() const;
    QString toText(int top = 8) const;
};

// The importance the app's Performance tab and the model card show, so both give the same
// numbers: by the protected attributes, permutation on ROC AUC (5 seeded shuffles), at most
// 20,000 rows (a seeded sample beyond).
ImportanceRequest standardImportanceRequest(const Schema &schema);

// One slice's importance (a slice report's row: features and their values, as
// GroupedColumn labels them with `bins` quantile bins) from a report's attributions of `data`:
// in the slice, and on the slice's rows misclassified at `threshold`. nullopt when a feature
// or value is not in the data, or the report's rows are not `data`'s.
std::optional<GroupImportance> sliceImportance(const ImportanceReport &report, const Dataset &data, const QStringList &features,
                                               const QStringList &values, int bins, double threshold);

// Requires labelled data. Throws SchemaError (an unknown --by column, unlabelled data).
ImportanceReport importanceReport(const Model &model, const Dataset &data, const ImportanceRequest &request,
                                  const Progress &progress = {});

// The calibration on the data of what the model scores now, and, for a model with a calibration
// map, of its scores before the map: the before/after of post-hoc calibration on data the map
// never saw (the test split), next to what its fit rows said.
struct CalibrationReport
{
    struct Scores
    {
        Calibration curve;
        Interval eceCi; // 95% bootstrap
        double brier = 0;
        double logLoss = 0;
        std::vector<double> groupEce; // per groups[k]
    };
    Scores overall;
    std::optional<Scores> uncalibrated; // set when the model has a calibration map
    QString calibrationMethod; // ScoreCalibration::describe(), "none"
    QString calibrationFitOn;
    std::size_t rows = 0;
    int bins = 10;
    std::vector<GroupCalibration> groups; // groups of 30 rows or more (their curves: calibrated scores)
    int smallGroups = 0; // left out
    QJsonObject toJson() const;
    QString toText() const;
};

// Reliability diagram and ECE overall and per group of `byColumns` (default: the schema's
// protected attributes), on labelled data.
CalibrationReport calibrationReport(const Model &model, const Dataset &data, int bins = 10, QStringList byColumns = {},
                                    int groupBins = 4);

} // namespace Audit
