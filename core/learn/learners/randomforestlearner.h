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
    std::vector<double> scoreAll(const FeatureMatrix &x) const override;
    void save(std::ostream &out) const override;
    void load(std::istream &in) override;
    void checkInputWidth(std::size_t width) const override { checkWidth(width); }
    std::unique_ptr<Learner> clone() const override { return std::make_unique<RandomForestLearner>(*this); }
    std::vector<double> outOfBagScores() const override { return m_outOfBag; }
    bool providesOutOfBagScores() const override { return true; }

private:
    // dlib's trees with each leaf appended as a node whose children are itself (and whose
    // threshold holds the leaf's value), so a row walks a fixed number of steps (the tree's
    // depth) with no branch to mispredict.
    struct FlatNode
    {
        std::uint32_t feature = 0;
        float threshold = 0; // a leaf's value, at a leaf
        std::uint32_t child[2] = {0, 0}; // [value < threshold], [otherwise or NaN]
    };
    struct FlatTree
    {
        std::vector<FlatNode> nodes; // dlib's numbering: internal nodes, then its leaves
        std::uint32_t internal = 0;
        std::uint32_t depth = 0;
    };
    void flatten();
    void checkWidth(std::size_t width) const;

    dlib::random_forest_regression_function<dlib::dense_feature_extractor> m_forest;
    std::vector<FlatTree> m_flat;
    std::uint32_t m_featuresUsed = 0; // 1 + the largest feature index a split reads
    std::vector<double> m_outOfBag; // from the last train(); not saved
};

} // namespace Audit
