#include "whatifsweep.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <mutex>

#include <QStringList>

#include "dataset.h"
#include "model.h"
#include "parallel.h"

namespace Audit {

namespace {

constexpr int kMaxBisections = 64;
constexpr double kRelativeTolerance = 1e-9;
constexpr qsizetype kCategoriesNamed = 6; // in a flip sentence, then "and N more"

// The data's column for model feature `feature`, when `data` has the model's features.
const DataColumn *dataColumn(const Model &model, const Dataset *data, std::size_t feature)
{
    const auto &columns = model.encoder().columns();
    if (!data || data->columns.size() != columns.size())
        return nullptr;
    const DataColumn &column = data->columns[feature];
    if (column.spec.name != columns[feature].spec.name || !column.spec.isNumeric() || column.numbers.empty())
        return nullptr;
    return &column;
}

std::vector<double> evenSteps(const FeatureEncoder::Column &column, double own, int steps)
{
    const int n = std::max(2, steps);
    std::vector<double> values;
    values.reserve(std::size_t(n) + 1);
    for (int i = 0; i < n; ++i) {
        double v = column.minimum + (column.maximum - column.minimum) * double(i) / double(n - 1);
        if (column.spec.type == ColumnType::Integer)
            v = std::round(v);
        values.push_back(v);
    }
    if (!std::isnan(own)) // a missing value has no place on the axis
        values.push_back(own);
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
}

// A variant's probability and the threshold it is decided at: `threshold`, or with a model
// deciding by group its own group's (the group attribute may be the feature swept).
WhatIfPoint pointOf(const Model &model, const Record &variant, double threshold, QString value, double number)
{
    const Prediction p = predictRecord(model, variant);
    return {std::move(value), number, p.probability, model.groupThresholds().active() ? p.threshold : threshold};
}

// The first number on the other side from `lo` (whose decision is `loPositive`) up to `hi`.
double bisect(const Model &model, Record variant, std::size_t feature, double threshold, double lo, bool loPositive, double hi,
              bool integer)
{
    for (int i = 0; i < kMaxBisections; ++i) {
        if (integer ? hi - lo <= 1 : hi - lo <= kRelativeTolerance * std::max({1.0, std::abs(lo), std::abs(hi)}))
            break;
        const double mid = integer ? std::floor((lo + hi) / 2) : lo + (hi - lo) / 2;
        variant.numbers[feature] = mid;
        (pointOf(model, variant, threshold, {}, mid).positive() == loPositive ? lo : hi) = mid;
    }
    return hi;
}

// quantileSweepValues without the record's own value: ascending, without repeats; empty when
// no value is finite.
std::vector<double> quantileSweepBase(const std::vector<double> &values, ColumnType type, const SweepOptions &options)
{
    const int n = std::max(2, options.steps);
    std::vector<double> probabilities;
    probabilities.reserve(std::size_t(n));
    for (int i = 0; i < n; ++i)
        probabilities.push_back(options.low + (options.high - options.low) * double(i) / double(n - 1));
    std::vector<double> finite;
    finite.reserve(values.size());
    std::copy_if(values.begin(), values.end(), std::back_inserter(finite), [](double v) { return std::isfinite(v); });
    if (finite.empty())
        return {};
    std::vector<double> sweep = quantiles(std::move(finite), probabilities);
    if (type == ColumnType::Integer) {
        for (double &v : sweep)
            v = std::round(v);
    }
    std::sort(sweep.begin(), sweep.end());
    sweep.erase(std::unique(sweep.begin(), sweep.end()), sweep.end());
    return sweep;
}

// The quantile part of a sweep (without the record's own value) of one column of one data
// file: a sort of a million numbers is worth doing once, not at every threshold change or
// keystroke. Keyed by the file's md5 (so a freed and reused Dataset cannot alias), the
// column and the options; a few dozen entries at most.
std::vector<double> cachedQuantileSweep(const Dataset &data, const DataColumn &column, const SweepOptions &options)
{
    static std::mutex lock;
    static std::map<QString, std::vector<double>> cache;
    constexpr std::size_t kMaxEntries = 64;
    const QString key = data.md5.isEmpty() ? QString()
                                           : QStringLiteral("%1\n%2\n%3\n%4\n%5\n%6")
                                                 .arg(data.md5, column.spec.name)
                                                 .arg(data.rowCount())
                                                 .arg(options.low, 0, 'g', 17)
                                                 .arg(options.high, 0, 'g', 17)
                                                 .arg(options.steps);
    if (!key.isEmpty()) {
        const std::lock_guard<std::mutex> hold(lock);
        const auto found = cache.find(key);
        if (found != cache.end())
            return found->second;
    }
    std::vector<double> base = quantileSweepBase(column.numbers, column.spec.type, options);
    if (!key.isEmpty()) {
        const std::lock_guard<std::mutex> hold(lock);
        if (cache.size() >= kMaxEntries)
            cache.clear();
        cache.emplace(key, base);
    }
    return base;
}

} // namespace

void prepareSweeps(const Dataset &data, const SweepOptions &options)
{
    std::vector<const DataColumn *> numeric;
    for (const DataColumn &column : data.columns) {
        if (column.spec.isNumeric() && !column.numbers.empty())
            numeric.push_back(&column);
    }
    forEachIndex(numeric.size(), [&](std::size_t i) { cachedQuantileSweep(data, *numeric[i], options); });
}

std::vector<double> quantiles(std::vector<double> values, const std::vector<double> &probabilities)
{
    Q_ASSERT(!values.empty());
    std::sort(values.begin(), values.end());
    std::vector<double> result;
    result.reserve(probabilities.size());
    for (const double p : probabilities) {
        const double h = double(values.size() - 1) * p;
        const auto below = std::size_t(std::floor(h));
        const std::size_t above = std::min(below + 1, values.size() - 1);
        result.push_back(values[below] + (h - double(below)) * (values[above] - values[below]));
    }
    return result;
}

std::vector<double> quantileGrid(const std::vector<double> &values, ColumnType type, const SweepOptions &options)
{
    return quantileSweepBase(values, type, options);
}

std::vector<double> quantileSweepValues(const std::vector<double> &values, ColumnType type, double own,
                                        const SweepOptions &options)
{
    std::vector<double> sweep = quantileSweepBase(values, type, options);
    if (sweep.empty())
        return {own};
    sweep.insert(std::upper_bound(sweep.begin(), sweep.end(), own), own);
    sweep.erase(std::unique(sweep.begin(), sweep.end()), sweep.end());
    return sweep;
}

WhatIfSweep sweepFeature(const Model &model, const Record &record, std::size_t feature, double threshold, const Dataset *data,
                         const SweepOptions &options)
{
    const FeatureEncoder::Column &column = model.encoder().columns().at(feature);
    WhatIfSweep sweep;
    sweep.feature = feature;
    sweep.numeric = column.spec.isNumeric();
    sweep.threshold = threshold;
    Record variant = record;
    if (!sweep.numeric) {
        for (const std::string &category : column.categories) {
            variant.texts[feature] = category;
            if (category == record.texts[feature])
                sweep.current = int(sweep.points.size());
            sweep.points.push_back(pointOf(model, variant, threshold, QString::fromStdString(category), 0));
        }
        return sweep;
    }
    const double own = record.numbers[feature];
    const DataColumn *values = dataColumn(model, data, feature);
    sweep.fromData = values != nullptr;
    std::vector<double> numbers;
    if (values) {
        numbers = cachedQuantileSweep(*data, *values, options);
        if (numbers.empty())
            numbers = {std::isnan(own) ? column.median : own};
        else if (!std::isnan(own) && !std::binary_search(numbers.begin(), numbers.end(), own))
            numbers.insert(std::upper_bound(numbers.begin(), numbers.end(), own), own);
    } else {
        numbers = evenSteps(column, own, options.evenSteps);
    }
    for (const double v : numbers) {
        variant.numbers[feature] = v;
        if (v == own)
            sweep.current = int(sweep.points.size());
        sweep.points.push_back(pointOf(model, variant, threshold, sweepValueText(v, column.spec.type), v));
    }
    for (std::size_t i = 0; i + 1 < sweep.points.size(); ++i) {
        const bool from = sweep.points[i].positive();
        const bool to = sweep.points[i + 1].positive();
        if (from != to)
            sweep.flips.push_back({i,
                                   bisect(model, record, feature, threshold, sweep.points[i].number, from,
                                          sweep.points[i + 1].number, column.spec.type == ColumnType::Integer),
                                   to});
    }
    return sweep;
}

QString sweepValueText(double value, ColumnType type)
{
    if (type == ColumnType::Integer)
        return QStringLiteral("%L1").arg(qlonglong(std::llround(value)));
    return QStringLiteral("%L1").arg(value, 0, 'g', 6);
}

QString describeFlips(const WhatIfSweep &sweep, const Schema &schema)
{
    const auto label = [&schema](bool positive) { return positive ? schema.positiveLabel() : schema.negativeLabel(); };
    if (sweep.points.empty())
        return {};
    if (!sweep.numeric) {
        if (sweep.current < 0)
            return {}; // the record's category was unseen in training: no answer of its own to flip
        const bool own = sweep.points[std::size_t(sweep.current)].positive();
        QStringList others;
        for (const WhatIfPoint &p : sweep.points) {
            if (p.positive() != own)
                others << p.value;
        }
        if (others.isEmpty())
            return QStringLiteral("no category changes the answer (%1)").arg(label(own));
        const qsizetype total = others.size();
        if (total > kCategoriesNamed)
            others = others.mid(0, kCategoriesNamed) << QStringLiteral("%1 more").arg(total - kCategoriesNamed);
        return QStringLiteral("flips to %1 with %2").arg(label(!own), others.join(QStringLiteral(", ")));
    }
    if (sweep.flips.empty()) {
        const bool positive = sweep.points.front().positive();
        return QStringLiteral("no value swept changes the answer (%1)").arg(label(positive));
    }
    const ColumnType type = schema.features().at(sweep.feature).type;
    QStringList parts;
    parts << QStringLiteral("%1 below %2")
                 .arg(label(!sweep.flips.front().toPositive), sweepValueText(sweep.flips.front().value, type));
    for (std::size_t i = 0; i < sweep.flips.size(); ++i)
        parts << QStringLiteral("%1 to %2 at %3 and above")
                     .arg(i == 0 ? QStringLiteral("flips") : QStringLiteral("back"), label(sweep.flips[i].toPositive),
                          sweepValueText(sweep.flips[i].value, type));
    return parts.join(QStringLiteral("; "));
}

} // namespace Audit
