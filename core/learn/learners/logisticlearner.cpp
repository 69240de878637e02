#include "logisticlearner.h"

#include "schemaerror.h"

#include <algorithm>
#include <cmath>

#include <dlib/optimization.h>
#include <dlib/serialize.h>

namespace Audit {

double logit(double p)
{
    const double q = std::clamp(p, 1e-15, 1 - 1e-15);
    return std::log(q / (1 - q));
}

double sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + std::exp(-z));
    const double e = std::exp(z);
    return e / (1.0 + e);
}

namespace {

using Vector = dlib::matrix<double, 0, 1>;

// log(1 + exp(-m)) without overflow.
double logLoss(double margin)
{
    return margin > 0 ? std::log1p(std::exp(-margin)) : -margin + std::log1p(std::exp(margin));
}

} // namespace

void LogisticLearner::train(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, const LearnerParams &params,
                            const Progress &progress)
{
    validateTrainingData(x, labels);
    const std::size_t n = x.rows();
    const std::size_t d = x.cols();
    const double invN = 1.0 / double(n);
    const double ridge = 1.0 / (params.c * double(n));
    int evaluations = 0;

    const auto objective = [&](const Vector &w) {
        double loss = 0;
        for (std::size_t r = 0; r < n; ++r) {
            const float *row = x.row(r);
            double z = w(long(d));
            for (std::size_t c = 0; c < d; ++c)
                z += w(long(c)) * row[c];
            loss += logLoss(labels[r] ? z : -z);
        }
        double norm = 0;
        for (std::size_t c = 0; c < d; ++c)
            norm += w(long(c)) * w(long(c));
        return loss * invN + 0.5 * ridge * norm;
    };
    const auto gradient = [&](const Vector &w) {
        progress.checkCancelled();
        progress.step(++evaluations, params.maxIterations, QStringLiteral("logistic regression"));
        Vector g(long(d + 1));
        g = 0;
        for (std::size_t r = 0; r < n; ++r) {
            const float *row = x.row(r);
            double z = w(long(d));
            for (std::size_t c = 0; c < d; ++c)
                z += w(long(c)) * row[c];
            const double residual = sigmoid(z) - double(labels[r]);
            for (std::size_t c = 0; c < d; ++c)
                g(long(c)) += residual * row[c];
            g(long(d)) += residual;
        }
        g *= invN;
        for (std::size_t c = 0; c < d; ++c)
            g(long(c)) += ridge * w(long(c));
        return g;
    };

    Vector w(long(d + 1));
    w = 0;
    dlib::find_min(dlib::lbfgs_search_strategy(10), dlib::objective_delta_stop_strategy(1e-10, params.maxIterations), objective,
                   gradient, w, -1.0);
    m_weights.assign(w.begin(), w.end());
}

double LogisticLearner::score(const float *row, std::size_t width) const
{
    double z = m_weights.back();
    for (std::size_t c = 0; c < width; ++c)
        z += m_weights[c] * row[c];
    return sigmoid(z);
}

std::optional<double> LogisticLearner::exactAttributions(const float *row, std::size_t width, const std::vector<double> &means,
                                                         double *phi) const
{
    if (means.size() != width || m_weights.size() != width + 1)
        return std::nullopt;
    double base = m_weights.back();
    for (std::size_t c = 0; c < width; ++c) {
        base += m_weights[c] * means[c];
        phi[c] += m_weights[c] * (double(row[c]) - means[c]);
    }
    return base;
}

void LogisticLearner::save(std::ostream &out) const
{
    dlib::serialize(m_weights, out);
}

void LogisticLearner::load(std::istream &in)
{
    dlib::deserialize(m_weights, in);
    if (m_weights.empty())
        throw dlib::serialization_error("logistic model has no weights");
}

void LogisticLearner::checkInputWidth(std::size_t width) const
{
    if (m_weights.size() != width + 1)
        throw SchemaError(QStringLiteral("the logistic model has %1 weights but rows have %2 features (and a bias)")
                              .arg(m_weights.size())
                              .arg(width));
}

} // namespace Audit
