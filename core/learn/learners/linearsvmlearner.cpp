#include "linearsvmlearner.h"

#include "schemaerror.h"

#include <cmath>

#include <dlib/svm.h>

namespace Audit {

namespace {

using Sample = dlib::matrix<double, 0, 1>;
using Kernel = dlib::linear_kernel<Sample>;

} // namespace

void LinearSvmLearner::train(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, const LearnerParams &params,
                             const Progress &progress)
{
    validateTrainingData(x, labels);
    progress.step(0, 2, QStringLiteral("linear SVM"));
    std::vector<Sample> samples(x.rows());
    std::vector<double> targets(x.rows());
    for (std::size_t r = 0; r < x.rows(); ++r) {
        samples[r].set_size(long(x.cols()));
        for (std::size_t c = 0; c < x.cols(); ++c)
            samples[r](long(c)) = x.row(r)[c];
        targets[r] = labels[r] ? +1.0 : -1.0; // dlib SVMs want +1/-1
    }
    dlib::svm_c_linear_dcd_trainer<Kernel> trainer;
    trainer.set_c(params.c);
    trainer.set_max_iterations(static_cast<unsigned long>(std::max(1, params.maxIterations)) * 20);
    const dlib::decision_function<Kernel> df = trainer.train(samples, targets);
    progress.checkCancelled();

    // A linear decision function is one basis vector (w) with alpha 1: f(x) = w.x - b.
    const Sample w = df.alpha(0) * df.basis_vectors(0);
    m_weights.assign(w.begin(), w.end());
    m_bias = df.b;

    std::vector<double> decisions(x.rows());
    for (std::size_t r = 0; r < x.rows(); ++r)
        decisions[r] = decision(x.row(r), x.cols());
    const auto platt = dlib::learn_platt_scaling(decisions, targets);
    m_plattA = platt.first;
    m_plattB = platt.second;
    progress.step(2, 2, QStringLiteral("linear SVM"));
}

double LinearSvmLearner::decision(const float *row, std::size_t width) const
{
    double z = -m_bias;
    for (std::size_t c = 0; c < width; ++c)
        z += m_weights[c] * row[c];
    return z;
}

// dlib's platt_scale is 1 / (1 + exp(A d + B)): the log-odds are -(A d + B), d = w.x - b.
std::optional<double> LinearSvmLearner::exactAttributions(const float *row, std::size_t width, const std::vector<double> &means,
                                                          double *phi) const
{
    if (means.size() != width || m_weights.size() != width)
        return std::nullopt;
    double meanDecision = -m_bias;
    for (std::size_t c = 0; c < width; ++c) {
        meanDecision += m_weights[c] * means[c];
        phi[c] += -m_plattA * m_weights[c] * (double(row[c]) - means[c]);
    }
    return -(m_plattA * meanDecision + m_plattB);
}

double LinearSvmLearner::score(const float *row, std::size_t width) const
{
    return dlib::platt_scale({m_plattA, m_plattB}, decision(row, width));
}

void LinearSvmLearner::save(std::ostream &out) const
{
    dlib::serialize(m_weights, out);
    dlib::serialize(m_bias, out);
    dlib::serialize(m_plattA, out);
    dlib::serialize(m_plattB, out);
}

void LinearSvmLearner::load(std::istream &in)
{
    dlib::deserialize(m_weights, in);
    dlib::deserialize(m_bias, in);
    dlib::deserialize(m_plattA, in);
    dlib::deserialize(m_plattB, in);
    if (m_weights.empty())
        throw dlib::serialization_error("linear SVM model has no weights");
}

void LinearSvmLearner::checkInputWidth(std::size_t width) const
{
    if (m_weights.size() != width)
        throw SchemaError(
            QStringLiteral("the linear SVM has %1 weights but rows have %2 features").arg(m_weights.size()).arg(width));
}

} // namespace Audit
