#include "importance.h"

#include <algorithm>
#include <cmath>

#include <QJsonArray>

#include "metrics.h"
#include "model.h"
#include "rng.h"
#include "schemaerror.h"

namespace Audit {

namespace {

void sortByValue(std::vector<ColumnImportance> &columns)
{
    std::stable_sort(columns.begin(), columns.end(),
                     [](const ColumnImportance &a, const ColumnImportance &b) { return a.value > b.value; });
}

QJsonArray toJsonArray(const std::vector<ColumnImportance> &columns)
{
    QJsonArray out;
    for (const ColumnImportance &c : columns)
        out.append(QJsonObject{{QStringLiteral("column"), c.column},
                               {QStringLiteral("value"), jsonNumber(c.value)},
                               {QStringLiteral("ci_low"), jsonNumber(c.low)},
                               {QStringLiteral("ci_high"), jsonNumber(c.high)}});
    return out;
}

double metricOf(ImportanceMetric metric, const std::vector<double> &scores, const std::vector<std::int8_t> &labels,
                const PermutationOptions &options)
{
    switch (metric) {
    case ImportanceMetric::RocAuc:
        return rocAuc(scores, labels);
    case ImportanceMetric::F1:
        return computeMetrics(scores, labels, options.threshold, options.beta).f1;
    case ImportanceMetric::Accuracy:
        return computeMetrics(scores, labels, options.threshold, options.beta).accuracy;
    case ImportanceMetric::LogLoss:
        return computeMetrics(scores, labels, options.threshold, options.beta).logLoss;
    }
    return 0;
}

} // namespace

double tQuantile975(int df)
{
    // Student's t, two-sided 95% (any statistics table, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2).
    static constexpr double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                       2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                       2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (df < 1)
        return std::numeric_limits<double>::quiet_NaN();
    return df <= 30 ? table[df - 1] : 1.96;
}

ShapImportance shapImportance(const QStringList &names, const std::vector<Explanation> &explanations,
                              const std::vector<std::size_t> &rows)
{
    ShapImportance out;
    const std::size_t n = rows.empty() ? explanations.size() : rows.size();
    out.rows = n;
    if (!explanations.empty())
        out.space = explanations.front().space;
    for (qsizetype c = 0; c < names.size(); ++c) {
        double sum = 0;
        double squares = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double v = std::abs(explanations[rows.empty() ? i : rows[i]].values[std::size_t(c)]);
            sum += v;
            squares += v * v;
        }
        ColumnImportance column;
        column.column = names[c];
        if (n == 0) {
            column.value = column.low = column.high = std::numeric_limits<double>::quiet_NaN();
        } else {
            column.value = sum / double(n);
            const double variance = n > 1 ? std::max(0.0, (squares - double(n) * column.value * column.value) / double(n - 1))
                                          : 0.0;
            const double half = 1.96 * std::sqrt(variance / double(n));
            column.low = std::max(0.0, column.value - half);
            column.high = column.value + half;
        }
        out.columns.push_back(column);
    }
    sortByValue(out.columns);
    return out;
}

QJsonObject ShapImportance::toJson() const
{
    return QJsonObject{{QStringLiteral("kind"), QStringLiteral("mean_abs_shap")},
                       {QStringLiteral("space"), enumName(space)},
                       {QStringLiteral("rows"), qint64(rows)},
                       {QStringLiteral("interval"), QStringLiteral("normal 95% interval of the mean")},
                       {QStringLiteral("columns"), toJsonArray(columns)}};
}

PermutationImportance permutationImportance(const Model &model, const FeatureMatrix &x, const std::vector<std::int8_t> &labels,
                                            const PermutationOptions &options, const Progress &progress)
{
    if (x.rows() != labels.size())
        throw SchemaError(QStringLiteral("permutation importance: %1 rows but %2 labels").arg(x.rows()).arg(labels.size()));
    const auto positives = std::size_t(std::count(labels.begin(), labels.end(), std::int8_t(1)));
    if (positives == 0 || positives == labels.size())
        throw SchemaError(QStringLiteral("permutation importance needs both classes among the rows (%1 of %2 positive)")
                              .arg(positives)
                              .arg(labels.size()));
    const int repeats = std::max(2, options.repeats);
    const FeatureEncoder &encoder = model.encoder();
    const auto &columns = encoder.columns();
    PermutationImportance out;
    out.metric = options.metric;
    out.repeats = repeats;
    out.rows = x.rows();
    out.baseline = metricOf(options.metric, model.learner().scoreAll(x), labels, options);
    const bool lowerIsBetter = options.metric == ImportanceMetric::LogLoss;
    FeatureMatrix shuffled = x;
    std::vector<std::size_t> order(x.rows());
    const int total = int(columns.size()) * repeats;
    int done = 0;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const int first = columns[c].offset;
        const int end = c + 1 < columns.size() ? columns[c + 1].offset : encoder.width();
        std::vector<double> drops;
        for (int k = 0; k < repeats; ++k) {
            progress.checkCancelled();
            progress.step(done++, total, QStringLiteral("permuting %1").arg(columns[c].spec.name));
            for (std::size_t i = 0; i < order.size(); ++i)
                order[i] = i;
            Rng(options.seed + 1000003ULL * c + std::uint64_t(k)).shuffle(order);
            for (std::size_t r = 0; r < x.rows(); ++r)
                std::copy(x.row(order[r]) + first, x.row(order[r]) + end, shuffled.row(r) + first);
            const double value = metricOf(options.metric, model.learner().scoreAll(shuffled), labels, options);
            drops.push_back(lowerIsBetter ? value - out.baseline : out.baseline - value);
        }
        for (std::size_t r = 0; r < x.rows(); ++r) // restore the column
            std::copy(x.row(r) + first, x.row(r) + end, shuffled.row(r) + first);
        double mean = 0;
        for (double d : drops)
            mean += d;
        mean /= double(repeats);
        double squares = 0;
        for (double d : drops)
            squares += (d - mean) * (d - mean);
        const double half = tQuantile975(repeats - 1) * std::sqrt(squares / double(repeats - 1) / double(repeats));
        out.columns.push_back({columns[c].spec.name, mean, mean - half, mean + half});
        out.drops.push_back(std::move(drops));
    }
    progress.step(total, total, QStringLiteral("permutation importance"));
    sortByValue(out.columns);
    return out;
}

QJsonObject PermutationImportance::toJson() const
{
    return QJsonObject{{QStringLiteral("kind"), QStringLiteral("permutation")},
                       {QStringLiteral("metric"), enumName(metric)},
                       {QStringLiteral("baseline"), jsonNumber(baseline)},
                       {QStringLiteral("repeats"), repeats},
                       {QStringLiteral("rows"), qint64(rows)},
                       {QStringLiteral("interval"), QStringLiteral("Student's t 95% interval over the repeats")},
                       {QStringLiteral("columns"), toJsonArray(columns)}};
}

} // namespace Audit
