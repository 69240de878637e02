#pragma once

#include <dlib/random_forest.h>

#include "learner.h"
#include "treeensemble.h"

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
    // TreeSHAP over the forest's trees in probability (the mean of the leaves), with each
    // node's cover the training rows that reach it (counted after training, saved with the
    // trees). A file from before covers were saved has none: empty.
    std::optional<double> exactAttributions(const float *row, std::size_t width, const std::vector<double> &means,
                                            double *phi) const override;
    QString attributionMethod() const override { return QStringLiteral("TreeSHAP (path-dependent, exact)"); }
    const TreeEnsemble &ensemble() const { return m_ensemble; }
    QString heldOutScores(const LearnerParams &) const override
    {
        return QStringLiteral("the forest's out-of-bag scores of the training rows");
    }

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
    void buildEnsemble(); // m_ensemble from m_flat and m_leafRows
    void checkWidth(std::size_t width) const;

    dlib::random_forest_regression_function<dlib::dense_feature_extractor> m_forest;
    std::vector<FlatTree> m_flat;
    std::uint32_t m_featuresUsed = 0; // 1 + the largest feature index a split reads
    std::vector<double> m_outOfBag; // from the last train(); not saved
    std::vector<std::vector<std::uint32_t>> m_leafRows; // per tree, training rows per leaf (flat order)
    TreeEnsemble m_ensemble; // empty without m_leafRows
};

} // namespace Audit
