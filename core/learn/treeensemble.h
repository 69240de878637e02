#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace Audit {

// Binary decision trees added up: output = base + scale * sum of each tree's leaf value.
// A gradient-boosted model (scale 1, base the starting margin, output in log-odds) and a
// random forest (scale 1/trees, base 0, output a probability) are both one. Every node also
// has a cover (the training weight that reached it: XGBoost's hessian sum, the forest's
// training-row count), which is what path-dependent TreeSHAP needs.
//
// A split sends a row left when value < threshold, right otherwise; a missing value (NaN)
// goes where defaultLeft says (XGBoost's rule; a dlib forest sends NaN right).
class TreeEnsemble
{
public:
    static constexpr std::uint32_t kLeaf = 0xffffffffu;
    static constexpr std::uint32_t kMaxDepth = 64; // deeper trees are refused (TreeSHAP recursion)

    struct Node
    {
        std::uint32_t feature = 0;
        float threshold = 0;
        std::uint32_t left = kLeaf; // kLeaf at a leaf
        std::uint32_t right = kLeaf;
        bool defaultLeft = false;
        double value = 0; // a leaf's value
        double cover = 0;
    };
    struct Tree
    {
        std::vector<Node> nodes; // nodes[0] is the root; a child comes after its parent
        std::uint32_t depth = 0;
        double expected = 0; // the cover-weighted mean leaf value (set by finish())
    };

    std::vector<Tree> trees;
    double base = 0;
    double scale = 1;

    // Checks the structure (every child index after its parent and inside the tree, every node
    // reached exactly once, a depth within kMaxDepth, positive covers) and sets each internal
    // cover to the sum of its children's, each tree's depth and expected value. Throws
    // std::runtime_error describing the first problem (a model file's learner data is bad).
    void finish();

    std::size_t featuresUsed() const { return m_featuresUsed; } // 1 + the largest split feature

    double output(const float *row) const; // base + scale * sum of leaves
    // output() of `count` rows at once, the same bits: tree by tree, every row of the block
    // one step at a time (one tree stays in cache and the rows' walks overlap). count <= kBlock.
    static constexpr std::size_t kBlock = 128;
    void outputBlock(const float *const *rows, std::size_t count, double *out) const;

    // base + scale * sum of each tree's expected value: the output TreeSHAP starts from.
    double expectedOutput() const;

    // Exact path-dependent TreeSHAP of `row`: adds each feature's attribution to
    // phi[0, width). Local accuracy: expectedOutput() + sum(phi) == output(row) (to rounding).
    // A tree whose leaves each depend on at most kTableFeatures distinct features uses
    // precomputed tables (built on first use, shared by copies): a leaf's attributions depend
    // only on which of its path's features the row follows, so they are looked up per leaf
    // (Yang 2021, "Fast TreeSHAP" v2). Other trees use Lundberg et al. 2020, Algorithm 2.
    void shap(const float *row, double *phi) const;
    // Algorithm 2 for every tree (the tables are then never built): for tests.
    void shapRecursive(const float *row, double *phi) const;

    static constexpr std::uint32_t kTableFeatures = 8;

    // Trees of depth <= kFlatDepth laid out as complete binary trees (finish() pads a shallow
    // leaf into a subtree whose leaves all hold its value): outputBlock() walks them without a
    // branch, exactly depth steps per row, and reaches the same leaf as output().
    static constexpr std::uint32_t kFlatDepth = 8;
    struct Flat;

private:
    struct Tables;
    const Tables &tables() const;
    std::shared_ptr<const Flat> m_flat; // made by finish()

    std::size_t m_featuresUsed = 0;
    std::shared_ptr<Tables> m_tables; // made by finish(), filled on first shap()
};

} // namespace Audit
