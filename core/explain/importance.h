#pragma once

#include <cstdint>
#include <vector>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "enumnames.h"
#include "explainer.h"
#include "featurematrix.h"
#include "progress.h"

namespace Audit {

class Model;

// One column's importance with a 95% interval.
struct ColumnImportance
{
    QString column;
    double value = 0;
    double low = 0;
    double high = 0;
};

// Mean |attribution| per column over rows (SHAP's global importance), in the attributions'
// space, with a normal 95% interval of the mean; most important first.
struct ShapImportance
{
    OutputSpace space = OutputSpace::LogOdds;
    std::size_t rows = 0;
    std::vector<ColumnImportance> columns;
    QJsonObject toJson() const;
};
// Over `rows` of `explanations` (all when empty). Requires: every explanation has `names.size()` values.
ShapImportance shapImportance(const QStringList &names, const std::vector<Explanation> &explanations,
                              const std::vector<std::size_t> &rows = {});

enum class ImportanceMetric { RocAuc, F1, Accuracy, LogLoss };

template <>
struct EnumNames<ImportanceMetric>
{
    static constexpr std::array<std::pair<ImportanceMetric, const char *>, 4> table{{{ImportanceMetric::RocAuc, "roc_auc"},
                                                                                     {ImportanceMetric::F1, "f1"},
                                                                                     {ImportanceMetric::Accuracy, "accuracy"},
                                                                                     {ImportanceMetric::LogLoss, "log_loss"}}};
};

struct PermutationOptions
{
    ImportanceMetric metric = ImportanceMetric::RocAuc;
    int repeats = 5;
    std::uint64_t seed = 42;
    double threshold = 0.5; // for f1 and accuracy
    double beta = 1.0;
};

// Permutation importance (Breiman 2001; scikit-learn's permutation_importance): how much the
// metric worsens when one column's values are shuffled across the rows (its encoded outputs
// moved together), `repeats` seeded shuffles per column; the interval is Student's t over the
// repeats. Positive = the model relies on the column (for log loss, the rise).
struct PermutationImportance
{
    ImportanceMetric metric = ImportanceMetric::RocAuc;
    double baseline = 0;
    int repeats = 0;
    std::size_t rows = 0;
    std::vector<ColumnImportance> columns; // most important first
    std::vector<std::vector<double>> drops; // per column (schema order), per repeat
    QJsonObject toJson() const;
};
// Throws: CancelledError; SchemaError when the metric cannot be computed (one class only).
PermutationImportance permutationImportance(const Model &model, const FeatureMatrix &x, const std::vector<std::int8_t> &labels,
                                            const PermutationOptions &options = {}, const Progress &progress = {});

// Student's t quantile at 0.975 for `df` degrees of freedom (1.96 from 31 on).
double tQuantile975(int df);

} // namespace Audit
