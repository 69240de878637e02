#pragma once

#include "learner.h"

namespace Audit {

// Linear SVM from dlib's dual coordinate descent trainer (svm_c_linear_dcd_trainer), with
// Platt scaling (dlib::learn_platt_scaling) on its training decision values for probabilities.
class LinearSvmLearner final : public Learner
{
public:
    LearnerKind kind() const override { return LearnerKind::LinearSvm; }
    void train(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, const LearnerParams &params,
               const Progress &progress) override;
    double score(const float *row, std::size_t width) const override;
    void save(std::ostream &out) const override;
    void load(std::istream &in) override;
    void checkInputWidth(std::size_t width) const override;
    // Platt scaling is a logistic function of the linear decision value: the log-odds are
    // linear in the features, so their attributions are exact as a logistic model's.
    std::optional<double> exactAttributions(const float *row, std::size_t width, const std::vector<double> &means,
                                            double *phi) const override;
    OutputSpace attributionSpace() const override { return OutputSpace::LogOdds; }
    QString attributionMethod() const override { return QStringLiteral("linear (coefficient x centred value, exact)"); }
    std::unique_ptr<Learner> clone() const override { return std::make_unique<LinearSvmLearner>(*this); }

private:
    double decision(const float *row, std::size_t width) const;

    std::vector<double> m_weights;
    double m_bias = 0;
    double m_plattA = 0;
    double m_plattB = 0;
};

} // namespace Audit
