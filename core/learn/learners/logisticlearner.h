#pragma once

#include "learner.h"

namespace Audit {

// L2-regularised logistic regression, fitted with dlib's L-BFGS (find_min). The objective is
// scikit-learn's: C * sum(log loss) + |w|^2 / 2, scaled by 1/n for conditioning.
class LogisticLearner final : public Learner
{
public:
    LearnerKind kind() const override { return LearnerKind::Logistic; }
    void train(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, const LearnerParams &params,
               const Progress &progress) override;
    double score(const float *row, std::size_t width) const override;
    void save(std::ostream &out) const override;
    void load(std::istream &in) override;
    void checkInputWidth(std::size_t width) const override;
    std::unique_ptr<Learner> clone() const override { return std::make_unique<LogisticLearner>(*this); }
    // Linear in the log-odds: weight x (value - training mean), exactly.
    std::optional<double> exactAttributions(const float *row, std::size_t width, const std::vector<double> &means,
                                            double *phi) const override;
    OutputSpace attributionSpace() const override { return OutputSpace::LogOdds; }
    QString attributionMethod() const override { return QStringLiteral("linear (coefficient x centred value, exact)"); }

private:
    std::vector<double> m_weights; // last entry is the bias
};

// The logistic function, safe for large |z|.
double sigmoid(double z);
// Its inverse, the log-odds of p, with p held within [1e-15, 1 - 1e-15] (a probability of 0
// or 1 reads as -34.5 or 34.5).
double logit(double p);

} // namespace Audit
