#pragma once

#include <dlib/random_forest.h>

#include "learner.h"

namespace Audit {

// dlib's random forest regression on 0/1 labels: the mean leaf value is P(positive).
class RandomForestLearner final : public Learner
{
public:
    LearnerKind kind() const override { return LearnerKind::RandomForest; }
    void train(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, const LearnerParams &params,
               const Progress &progress) override;
    double score(const float *row, std::size_t width) const override;
    void save(std::ostream &out) const override;
    void load(std::istream &in) override;
    std::unique_ptr<Learner> clone() const override { return std::make_unique<RandomForestLearner>(*this); }
    std::vector<double> outOfBagScores() const override { return m_outOfBag; }
    bool providesOutOfBagScores() const override { return true; }

private:
    dlib::random_forest_regression_function<dlib::dense_feature_extractor> m_forest;
    std::vector<double> m_outOfBag; // from the last train(); not saved
};

} // namespace Audit
