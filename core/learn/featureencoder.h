#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <QJsonObject>
#include <QStringList>

#include "dataset.h"
#include "featurematrix.h"

namespace Audit {

struct EncoderOptions
{
    // Numeric columns that are never negative and strongly right-skewed (sample skewness
    // above kSkewForLog) get log(1 + x) before standardisation. Off: plain standardisation.
    bool autoLog1p = true;
    static constexpr double kSkewForLog = 3.0;
    // A missing number stays NaN for the learner (XGBoost routes it by each split's learned
    // default direction) instead of the median and an indicator.
    bool nativeMissing = false;
};

// What encoding found that a user should hear about: categories unseen in training.
struct EncodeReport
{
    struct Unseen
    {
        QString column;
        QString value;
        qsizetype rows = 0;
    };
    QList<Unseen> unseen;
    struct Imputed
    {
        QString column;
        double median = 0;
        qsizetype rows = 0;
        bool native = false; // passed on as missing, not imputed
    };
    QList<Imputed> imputed; // missing numbers, per column
    QString summary(int shown = 5) const; // the unseen categories
    QString imputedSummary() const; // "ca: 4 missing values read as the training median 0"
};

// One-hot for categoricals (categories sorted, fitted on training data; an unseen category
// encodes as all zeros), standardisation for numerics, a missing number imputed with the
// training median (plus an indicator output where training had missing values, as
// scikit-learn's SimpleImputer(strategy="median", add_indicator=True)). Stored inside the model file.
class FeatureEncoder
{
public:
    struct Column
    {
        ColumnSpec spec;
        std::vector<std::string> categories; // sorted; one output each
        double mean = 0;
        double scale = 1; // standard deviation, 1 when constant
        double minimum = 0; // range seen in training (numeric columns)
        double maximum = 0;
        bool log1p = false;
        // A missing number (NaN) is encoded as the training median; a column that had missing
        // values in training also gets a 0/1 "missing" output right after its value.
        double median = 0;
        bool missingIndicator = false;
        bool nativeMissing = false; // NaN reaches the learner as NaN (EncoderOptions::nativeMissing)
        int offset = 0; // first output of this column
    };

    // Requires: `data` has at least one row.
    static FeatureEncoder fit(const Dataset &data, const EncoderOptions &options = {});

    int width() const { return m_width; }
    const std::vector<Column> &columns() const { return m_columns; }
    QStringList featureNames() const; // "age", "workclass=Private", ...

    // Requires: data.schema has the same features as the fitted data (checked: SchemaError).
    FeatureMatrix encode(const Dataset &data, EncodeReport *report = nullptr) const;
    // The same rows, `sliceRows` at a time (the last slice may be shorter; once with no rows
    // for empty data): consume(slice, first data row of the slice). For data too large to
    // hold one-hot encoded at once. `report` gets the unseen categories of all slices.
    void encodeInSlices(const Dataset &data, std::size_t sliceRows,
                        const std::function<void(FeatureMatrix &&, std::size_t)> &consume, EncodeReport *report = nullptr) const;

    // Writes one row. `numbers[c]` is read for numeric columns, `texts[c]` for categorical
    // ones (both indexed by schema feature); a NaN number is missing. Returns false when some
    // category was unseen.
    bool encodeRow(const std::vector<double> &numbers, const std::vector<std::string> &texts, float *out) const;

    // Index of `value` among column `c`'s categories, -1 if unseen.
    int categoryIndex(std::size_t c, std::string_view value) const;

    QJsonObject toJson() const;
    static FeatureEncoder fromJson(const QJsonObject &json); // throws SchemaError

private:
    float numeric(const Column &column, double value) const;

    std::vector<Column> m_columns;
    int m_width = 0;
};

} // namespace Audit
