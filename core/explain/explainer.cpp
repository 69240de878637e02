#include "explainer.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include <QJsonArray>

#include "learners/logisticlearner.h" // sigmoid, logit
#include "metrics.h" // jsonNumber
#include "model.h"
#include "parallel.h"
#include "rng.h"

namespace Audit {

namespace {

double toSpace(double value, OutputSpace from, OutputSpace to)
{
    if (from == to)
        return value;
    return to == OutputSpace::Probability ? sigmoid(value) : logit(value);
}

} // namespace

Explainer::Explainer(const Model &model)
    : m_model(model)
{
    const FeatureEncoder &encoder = model.encoder();
    const auto &columns = encoder.columns();
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const int end = c + 1 < columns.size() ? columns[c + 1].offset : encoder.width();
        m_ranges.emplace_back(columns[c].offset, end);
    }
    // Exact when the learner has a method for this model (a forest needs its covers).
    std::vector<double> phi(std::size_t(encoder.width()), 0.0);
    const std::vector<float> zero(std::size_t(encoder.width()), 0.0f);
    m_exact = model.learner().exactAttributions(zero.data(), zero.size(), model.background().means, phi.data()).has_value();
    m_native = m_exact ? model.learner().attributionSpace() : OutputSpace::Probability;
    m_shapley = m_exact && model.learner().attributionsAreShapley();
    if (!m_exact && model.background().empty())
        throw AuditError(QStringLiteral("this model file has no background rows to explain its %1 learner against (it was "
                                        "written before explanations existed). Fix: retrain it (`modelaudit-cli train`).")
                             .arg(enumName(model.params().kind)));
}

QString Explainer::method(const ExplainOptions &options) const
{
    if (m_exact && options.space != m_native)
        return QStringLiteral("%1 in %2, rescaled to %3 (they add up there, but are not Shapley values of it, and one "
                              "column's share can exceed the output's own change)")
            .arg(m_model.learner().attributionMethod(), enumName(m_native), enumName(options.space));
    if (m_exact)
        return m_model.learner().attributionMethod();
    return QStringLiteral("sampling Shapley (%1 permutations x %2 background training rows, interventional)")
        .arg(std::max(2, options.permutations))
        .arg(m_model.background().rows.rows());
}

QStringList Explainer::columns() const
{
    QStringList names;
    for (const FeatureEncoder::Column &c : m_model.encoder().columns())
        names << c.spec.name;
    return names;
}

Explanation Explainer::explain(const float *row, const ExplainOptions &options) const
{
    return explainWith(m_model.learner(), row, options);
}

Explanation Explainer::explain(const float *row, const ExplainOptions &options, double probability) const
{
    return explainWith(m_model.learner(), row, options, &probability);
}

Explanation Explainer::explainWith(const Learner &learner, const float *row, const ExplainOptions &options,
                                   const double *probability) const
{
    const std::size_t width = std::size_t(m_model.encoder().width());
    Explanation e;
    e.probability = probability ? *probability : learner.score(row, width);
    if (m_exact) {
        std::vector<double> phi(width, 0.0);
        const double base = *learner.exactAttributions(row, width, m_model.background().means, phi.data());
        e.space = m_native;
        e.base = base;
        e.values.assign(m_ranges.size(), 0.0);
        for (std::size_t c = 0; c < m_ranges.size(); ++c) {
            for (int f = m_ranges[c].first; f < m_ranges[c].second; ++f)
                e.values[c] += phi[std::size_t(f)];
        }
        double sum = base;
        for (double v : e.values)
            sum += v;
        e.output = sum; // the exact methods add up to the model's output (tested to 1e-9)
    } else {
        sample(learner, row, options, e);
    }
    if (options.space != e.space) {
        const double base = toSpace(e.base, e.space, options.space);
        const double output = options.space == OutputSpace::Probability ? e.probability : logit(e.probability);
        const double change = e.output - e.base;
        // Scaled so the values add up in the other space; a row at the base value itself gets
        // the local slope instead of 0/0.
        const double slope = options.space == OutputSpace::Probability
            ? e.probability * (1 - e.probability)
            : 1.0 / std::max(1e-15, e.probability * (1 - e.probability));
        const double factor = std::abs(change) > 1e-12 ? (output - base) / change : slope;
        for (double &v : e.values)
            v *= factor;
        for (double &s : e.standardErrors)
            s *= std::abs(factor);
        e.base = base;
        e.output = output;
        e.space = options.space;
    }
    return e;
}

// Permutation sampling of Shapley values over the columns, each permutation walked from every
// background row to the explained row (Strumbelj and Kononenko 2014, with the background
// averaged inside each permutation): per permutation the contributions add up to
// f(row) - mean f(background) exactly, so the estimate does too; the spread across
// permutations gives each value's standard error.
void Explainer::sample(const Learner &learner, const float *row, const ExplainOptions &options, Explanation &out) const
{
    const FeatureMatrix &background = m_model.background().rows;
    const std::size_t width = std::size_t(m_model.encoder().width());
    const std::size_t columns = m_ranges.size();
    const std::size_t k = background.rows();
    const int permutations = std::max(2, options.permutations);
    out.space = OutputSpace::Probability;
    std::vector<double> sum(columns, 0.0);
    std::vector<double> squares(columns, 0.0);
    std::vector<std::size_t> order(columns);
    Rng rng(options.seed);
    FeatureMatrix walk(k * (columns + 1), width);
    for (int m = 0; m < permutations; ++m) {
        for (std::size_t c = 0; c < columns; ++c)
            order[c] = c;
        rng.shuffle(order);
        for (std::size_t b = 0; b < k; ++b) {
            float *z = walk.row(b * (columns + 1));
            std::copy(background.row(b), background.row(b) + width, z);
            for (std::size_t j = 0; j < columns; ++j) {
                float *next = walk.row(b * (columns + 1) + j + 1);
                std::copy(z, z + width, next);
                const auto [first, end] = m_ranges[order[j]];
                std::copy(row + first, row + end, next + first);
                z = next;
            }
        }
        const std::vector<double> f = learner.scoreAll(walk);
        std::vector<double> estimate(columns, 0.0);
        for (std::size_t b = 0; b < k; ++b) {
            for (std::size_t j = 0; j < columns; ++j)
                estimate[order[j]] += f[b * (columns + 1) + j + 1] - f[b * (columns + 1) + j];
        }
        for (std::size_t c = 0; c < columns; ++c) {
            const double v = estimate[c] / double(k);
            sum[c] += v;
            squares[c] += v * v;
        }
        if (m == 0) {
            double base = 0;
            for (std::size_t b = 0; b < k; ++b)
                base += f[b * (columns + 1)];
            out.base = base / double(k);
        }
    }
    out.values.assign(columns, 0.0);
    out.standardErrors.assign(columns, 0.0);
    for (std::size_t c = 0; c < columns; ++c) {
        const double mean = sum[c] / permutations;
        const double variance = std::max(0.0, (squares[c] - permutations * mean * mean) / (permutations - 1));
        out.values[c] = mean;
        out.standardErrors[c] = std::sqrt(variance / permutations);
    }
    out.output = out.probability;
}

std::vector<Explanation> Explainer::explainAll(const FeatureMatrix &x, const ExplainOptions &options,
                                               const Progress &progress) const
{
    std::vector<Explanation> out(x.rows());
    std::atomic<std::size_t> done{0};
    std::atomic<bool> cancelled{false};
    forEachRange(x.rows(), m_exact ? 256 : 4, [&](std::size_t begin, std::size_t end) {
        std::unique_ptr<Learner> own; // the sampling estimator scores through a copy per thread
        if (!m_exact)
            own = m_model.learner().clone();
        const Learner &learner = own ? *own : m_model.learner();
        for (std::size_t r = begin; r < end && !cancelled; ++r) {
            out[r] = explainWith(learner, x.row(r), options);
            const std::size_t n = ++done;
            if (begin == 0 && (n % 64 == 0 || n == x.rows())) {
                if (progress.isCancelled && progress.isCancelled())
                    cancelled = true;
                progress.step(int(std::min<std::size_t>(n, x.rows())), int(x.rows()), QStringLiteral("explaining"));
            }
        }
    });
    progress.checkCancelled();
    return out;
}

QJsonObject Explainer::toJson(const Explanation &e, const ExplainOptions &options) const
{
    const QStringList names = columns();
    QJsonObject values;
    QJsonObject errors;
    for (std::size_t c = 0; c < e.values.size(); ++c) {
        values.insert(names[qsizetype(c)], jsonNumber(e.values[c]));
        if (!e.standardErrors.empty())
            errors.insert(names[qsizetype(c)], jsonNumber(e.standardErrors[c]));
    }
    QJsonObject json{{QStringLiteral("space"), enumName(e.space)},
                     {QStringLiteral("method"), method(options)},
                     {QStringLiteral("exact"), m_shapley && e.space == m_native},
                     {QStringLiteral("base"), jsonNumber(e.base)},
                     {QStringLiteral("output"), jsonNumber(e.output)},
                     {QStringLiteral("probability"), jsonNumber(e.probability)},
                     {QStringLiteral("attributions"), values}};
    if (!e.standardErrors.empty())
        json.insert(QStringLiteral("standard_errors"), errors);
    return json;
}

} // namespace Audit
