#include "treeensemble.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>

namespace Audit {

namespace {

using Node = TreeEnsemble::Node;

std::uint32_t next(const Node &node, const float *row)
{
    const float v = row[node.feature];
    if (std::isnan(v))
        return node.defaultLeft ? node.left : node.right;
    return v < node.threshold ? node.left : node.right;
}

// One element of TreeSHAP's path: the feature split on, the fraction of "zero" paths (the
// feature not in the coalition: cover-weighted) and "one" paths (in it: follows the row)
// that flow through, and the permutation weight.
struct PathElement
{
    std::int64_t feature = -1;
    double zero = 0;
    double one = 0;
    double weight = 0;
};

// The ratios the path updates multiply by, for every path length up to kMaxDepth + 2: the
// divisions (depth + 1) / (i + 1), (depth - i) / (depth + 1) and (depth + 1) / (depth - i),
// looked up instead of computed in the innermost loops.
struct Ratios
{
    static constexpr std::size_t kSize = TreeEnsemble::kMaxDepth + 3;
    double up[kSize][kSize] = {}; // (d + 1) / (i + 1)
    double share[kSize][kSize] = {}; // (d - i) / (d + 1)
    double inverseShare[kSize][kSize] = {}; // (d + 1) / (d - i)
    Ratios()
    {
        for (std::size_t d = 0; d < kSize; ++d) {
            for (std::size_t i = 0; i < kSize; ++i) {
                up[d][i] = double(d + 1) / double(i + 1);
                share[d][i] = double(std::int64_t(d) - std::int64_t(i)) / double(d + 1);
                inverseShare[d][i] = i < d ? double(d + 1) / double(d - i) : 0.0;
            }
        }
    }
};
const Ratios kRatios;

void extendPath(PathElement *path, std::uint32_t depth, double zero, double one, std::int64_t feature)
{
    path[depth] = {feature, zero, one, depth == 0 ? 1.0 : 0.0};
    const double inverse = 1.0 / double(depth + 1);
    for (std::int64_t i = std::int64_t(depth) - 1; i >= 0; --i) {
        path[i + 1].weight += one * path[i].weight * double(i + 1) * inverse;
        path[i].weight = zero * path[i].weight * kRatios.share[depth][i];
    }
}

void unwindPath(PathElement *path, std::uint32_t depth, std::uint32_t index)
{
    const double one = path[index].one;
    const double zero = path[index].zero;
    double nextOne = path[depth].weight;
    if (one != 0) {
        const double inverseOne = 1.0 / one;
        for (std::int64_t i = std::int64_t(depth) - 1; i >= 0; --i) {
            const double kept = path[i].weight;
            path[i].weight = nextOne * kRatios.up[depth][i] * inverseOne;
            nextOne = kept - path[i].weight * zero * kRatios.share[depth][i];
        }
    } else {
        const double inverseZero = 1.0 / zero;
        for (std::int64_t i = std::int64_t(depth) - 1; i >= 0; --i)
            path[i].weight = path[i].weight * kRatios.inverseShare[depth][i] * inverseZero;
    }
    for (std::uint32_t i = index; i < depth; ++i) {
        path[i].feature = path[i + 1].feature;
        path[i].zero = path[i + 1].zero;
        path[i].one = path[i + 1].one;
    }
}

// The total permutation weight the path would have with element `index` unwound.
double unwoundPathSum(const PathElement *path, std::uint32_t depth, std::uint32_t index)
{
    const double one = path[index].one;
    const double zero = path[index].zero;
    double total = 0;
    if (one != 0) {
        const double inverseOne = 1.0 / one;
        double nextOne = path[depth].weight;
        for (std::int64_t i = std::int64_t(depth) - 1; i >= 0; --i) {
            const double t = nextOne * kRatios.up[depth][i] * inverseOne;
            total += t;
            nextOne = path[i].weight - t * zero * kRatios.share[depth][i];
        }
    } else {
        for (std::int64_t i = std::int64_t(depth) - 1; i >= 0; --i)
            total += path[i].weight * kRatios.inverseShare[depth][i];
        total /= zero;
    }
    return total;
}

struct ShapWalk
{
    const TreeEnsemble::Tree &tree;
    const float *row;
    double *phi;
    double scale;

    void recurse(std::uint32_t nodeIndex, std::uint32_t depth, PathElement *parentPath, double zero, double one,
                 std::int64_t feature) const
    {
        PathElement *path = parentPath + depth; // a fresh segment after the parent's
        std::copy(parentPath, parentPath + depth, path);
        extendPath(path, depth, zero, one, feature);
        const Node &node = tree.nodes[nodeIndex];
        if (node.left == TreeEnsemble::kLeaf) {
            // For an element the row does not follow (one == 0) the unwound sum is the same
            // weighted sum divided by that element's zero fraction: computed once per leaf.
            double coldSum = -1;
            for (std::uint32_t i = 1; i <= depth; ++i) {
                double w;
                if (path[i].one == 0) {
                    if (coldSum < 0) {
                        coldSum = 0;
                        for (std::int64_t j = std::int64_t(depth) - 1; j >= 0; --j)
                            coldSum += path[j].weight * kRatios.inverseShare[depth][j];
                    }
                    w = coldSum / path[i].zero;
                } else {
                    w = unwoundPathSum(path, depth, i);
                }
                phi[path[i].feature] += scale * w * (path[i].one - path[i].zero) * node.value;
            }
            return;
        }
        const std::uint32_t hot = next(node, row);
        const std::uint32_t cold = hot == node.left ? node.right : node.left;
        const double hotZero = tree.nodes[hot].cover / node.cover;
        const double coldZero = tree.nodes[cold].cover / node.cover;
        double incomingZero = 1;
        double incomingOne = 1;
        // A feature split on twice along the path counts once: undo its earlier element.
        std::uint32_t k = 1;
        while (k <= depth && path[k].feature != std::int64_t(node.feature))
            ++k;
        std::uint32_t nextDepth = depth + 1;
        if (k <= depth) {
            incomingZero = path[k].zero;
            incomingOne = path[k].one;
            unwindPath(path, depth, k);
            --nextDepth;
        }
        recurse(hot, nextDepth, path, hotZero * incomingZero, incomingOne, node.feature);
        recurse(cold, nextDepth, path, coldZero * incomingZero, 0, node.feature);
    }
};

// Shapley weight of a coalition of `s` of `d` players: s! (d - s - 1)! / d!.
double shapleyWeight(std::uint32_t s, std::uint32_t d)
{
    double w = 1.0 / double(d);
    for (std::uint32_t k = 1; k <= s; ++k) // s! (d-1-s)! / (d-1)! = 1 / C(d-1, s)
        w *= double(k) / double(d - k);
    return w;
}

[[noreturn]] void bad(std::size_t tree, const std::string &what)
{
    throw std::runtime_error("tree " + std::to_string(tree) + ": " + what);
}

} // namespace

// Per leaf: its path's distinct features, how to tell from the row which of them it follows,
// and for every such pattern the attribution of each of them (times the leaf value).
struct TreeEnsemble::Tables
{
    struct Condition
    {
        std::uint32_t parent; // a split on the path
        bool left; // the path goes left there
        std::uint8_t index; // which of the leaf's distinct features it tests
    };
    struct Leaf
    {
        std::vector<std::uint32_t> features; // distinct, at most kTableFeatures
        std::vector<Condition> conditions;
        std::size_t offset = 0; // into values: (1 << features.size()) * features.size() entries
    };
    // The same, flat: what a row reads, contiguous.
    struct LeafRef
    {
        std::uint32_t conditions; // first, in Tree::conditions
        std::uint32_t features; // first, in Tree::features
        std::uint32_t values; // first, in Tree::values
        std::uint8_t conditionCount;
        std::uint8_t featureCount;
    };
    struct Tree
    {
        bool tabled = false; // else Algorithm 2
        std::vector<std::uint32_t> internal; // the split nodes, for the row's directions
        std::vector<Leaf> leaves; // while building
        std::vector<LeafRef> refs;
        std::vector<Condition> conditions;
        std::vector<std::uint32_t> features;
        std::vector<double> values;
    };
    std::once_flag built;
    std::vector<Tree> trees;
};

const TreeEnsemble::Tables &TreeEnsemble::tables() const
{
    std::call_once(m_tables->built, [this] {
        Tables &t = *m_tables;
        t.trees.resize(trees.size());
        for (std::size_t ti = 0; ti < trees.size(); ++ti) {
            const std::vector<Node> &nodes = trees[ti].nodes;
            Tables::Tree &table = t.trees[ti];
            // Each node's path from the root, as (split node, went left) pairs.
            std::vector<std::vector<std::pair<std::uint32_t, bool>>> paths(nodes.size());
            bool small = true;
            for (std::uint32_t i = 0; i < nodes.size() && small; ++i) {
                if (nodes[i].left == kLeaf)
                    continue;
                table.internal.push_back(i);
                for (const bool goLeft : {true, false}) {
                    const std::uint32_t child = goLeft ? nodes[i].left : nodes[i].right;
                    paths[child] = paths[i];
                    paths[child].emplace_back(i, goLeft);
                }
            }
            for (std::uint32_t i = 0; i < nodes.size() && small; ++i) {
                if (nodes[i].left != kLeaf)
                    continue;
                Tables::Leaf leaf;
                std::vector<double> zero;
                for (const auto &[parent, goLeft] : paths[i]) {
                    const std::uint32_t f = nodes[parent].feature;
                    auto at = std::find(leaf.features.begin(), leaf.features.end(), f);
                    if (at == leaf.features.end()) {
                        leaf.features.push_back(f);
                        zero.push_back(1.0);
                        at = leaf.features.end() - 1;
                    }
                    const auto k = std::size_t(at - leaf.features.begin());
                    const std::uint32_t child = goLeft ? nodes[parent].left : nodes[parent].right;
                    zero[k] *= nodes[child].cover / nodes[parent].cover;
                    leaf.conditions.push_back({parent, goLeft, std::uint8_t(std::min<std::size_t>(k, 255))});
                }
                if (leaf.features.size() > kTableFeatures) {
                    small = false;
                    break;
                }
                const auto d = std::uint32_t(leaf.features.size());
                leaf.offset = table.values.size();
                table.values.resize(leaf.offset + (std::size_t(1) << d) * d, 0.0);
                // For each pattern H of followed features and each feature k of the leaf: the sum
                // over coalitions S of the others followed, of the Shapley weight times
                // (one_k - zero_k) times the product of the zero fractions of those not in S.
                for (std::uint32_t hot = 0; hot < (1u << d); ++hot) {
                    for (std::uint32_t k = 0; k < d; ++k) {
                        const double one = (hot >> k) & 1u ? 1.0 : 0.0;
                        const std::uint32_t others = hot & ~(1u << k);
                        double sum = 0;
                        for (std::uint32_t s = others;; s = (s - 1) & others) { // every subset of `others`
                            double product = 1;
                            for (std::uint32_t j = 0; j < d; ++j) {
                                if (j != k && !((s >> j) & 1u))
                                    product *= zero[j];
                            }
                            sum += shapleyWeight(std::uint32_t(std::popcount(s)), d) * product;
                            if (s == 0)
                                break;
                        }
                        table.values[leaf.offset + std::size_t(hot) * d + k] = sum * (one - zero[k]) * nodes[i].value * scale;
                    }
                }
                table.leaves.push_back(std::move(leaf));
            }
            table.tabled = small;
            if (small) {
                for (const Tables::Leaf &leaf : table.leaves) {
                    table.refs.push_back({std::uint32_t(table.conditions.size()), std::uint32_t(table.features.size()),
                                          std::uint32_t(leaf.offset), std::uint8_t(leaf.conditions.size()),
                                          std::uint8_t(leaf.features.size())});
                    table.conditions.insert(table.conditions.end(), leaf.conditions.begin(), leaf.conditions.end());
                    table.features.insert(table.features.end(), leaf.features.begin(), leaf.features.end());
                }
                table.leaves = {};
            } else { // Algorithm 2 for this tree: free what was made
                table.leaves = {};
                table.values = {};
                table.internal = {};
            }
        }
    });
    return *m_tables;
}

void TreeEnsemble::finish()
{
    m_tables = std::make_shared<Tables>();
    if (!std::isfinite(base) || !std::isfinite(scale))
        throw std::runtime_error("the ensemble's base or scale is not a number");
    m_featuresUsed = 0;
    for (std::size_t t = 0; t < trees.size(); ++t) {
        Tree &tree = trees[t];
        std::vector<Node> &nodes = tree.nodes;
        if (nodes.empty())
            bad(t, "no nodes");
        std::vector<std::uint32_t> parents(nodes.size(), 0);
        std::vector<std::uint32_t> depth(nodes.size(), 0);
        tree.depth = 0;
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            Node &node = nodes[i];
            if ((node.left == kLeaf) != (node.right == kLeaf))
                bad(t, "node " + std::to_string(i) + " has one child");
            if (node.left == kLeaf) {
                if (!std::isfinite(node.value))
                    bad(t, "leaf " + std::to_string(i) + " has no finite value");
                if (!(node.cover > 0) || !std::isfinite(node.cover))
                    bad(t, "leaf " + std::to_string(i) + " has no positive cover");
                continue;
            }
            if (std::isnan(node.threshold))
                bad(t, "node " + std::to_string(i) + " has no threshold");
            for (const std::uint32_t child : {node.left, node.right}) {
                if (child <= i || child >= nodes.size())
                    bad(t, "node " + std::to_string(i) + " points outside its tree or back up it");
                ++parents[child];
                depth[child] = depth[i] + 1;
                tree.depth = std::max(tree.depth, depth[child]);
            }
            if (node.left == node.right)
                bad(t, "node " + std::to_string(i) + " has the same node on both sides");
            m_featuresUsed = std::max(m_featuresUsed, std::size_t(node.feature) + 1);
        }
        for (std::size_t i = 1; i < nodes.size(); ++i) {
            if (parents[i] != 1)
                bad(t, "node " + std::to_string(i) + " has " + std::to_string(parents[i]) + " parents");
        }
        if (tree.depth > kMaxDepth)
            bad(t, "deeper than " + std::to_string(kMaxDepth));
        // Covers and expected values from the leaves up (children come after their parent).
        std::vector<double> expected(nodes.size(), 0);
        for (std::size_t i = nodes.size(); i-- > 0;) {
            Node &node = nodes[i];
            if (node.left == kLeaf) {
                expected[i] = node.value;
                continue;
            }
            const Node &l = nodes[node.left];
            const Node &r = nodes[node.right];
            node.cover = l.cover + r.cover;
            expected[i] = (l.cover * expected[node.left] + r.cover * expected[node.right]) / node.cover;
        }
        tree.expected = expected[0];
    }
}

double TreeEnsemble::output(const float *row) const
{
    double sum = 0;
    for (const Tree &tree : trees) {
        std::uint32_t i = 0;
        while (tree.nodes[i].left != kLeaf)
            i = next(tree.nodes[i], row);
        sum += tree.nodes[i].value;
    }
    return base + scale * sum;
}

double TreeEnsemble::expectedOutput() const
{
    double sum = 0;
    for (const Tree &tree : trees)
        sum += tree.expected;
    return base + scale * sum;
}

void TreeEnsemble::shap(const float *row, double *phi) const
{
    if (!m_tables) { // finish() was never called: no tables to build
        shapRecursive(row, phi);
        return;
    }
    const Tables &t = tables();
    std::vector<PathElement> buffer;
    std::vector<std::uint8_t> left(64);
    for (std::size_t ti = 0; ti < trees.size(); ++ti) {
        const Tree &tree = trees[ti];
        const Tables::Tree &table = t.trees[ti];
        if (table.tabled) {
            if (left.size() < tree.nodes.size())
                left.resize(tree.nodes.size());
            for (const std::uint32_t i : table.internal)
                left[i] = next(tree.nodes[i], row) == tree.nodes[i].left;
            const Tables::Condition *conditions = table.conditions.data();
            const std::uint32_t *features = table.features.data();
            for (const Tables::LeafRef &leaf : table.refs) {
                std::uint32_t hot = (1u << leaf.featureCount) - 1;
                for (std::uint32_t c = leaf.conditions; c < leaf.conditions + leaf.conditionCount; ++c) // no branch
                    hot &= ~(std::uint32_t(left[conditions[c].parent] != std::uint8_t(conditions[c].left))
                             << conditions[c].index);
                const double *values = table.values.data() + leaf.values + std::size_t(hot) * leaf.featureCount;
                for (std::uint32_t k = 0; k < leaf.featureCount; ++k)
                    phi[features[leaf.features + k]] += values[k];
            }
            continue;
        }
        const std::size_t d = tree.depth + 2;
        if (buffer.size() < (d + 1) * (d + 2) / 2)
            buffer.resize((d + 1) * (d + 2) / 2);
        ShapWalk{tree, row, phi, scale}.recurse(0, 0, buffer.data(), 1, 1, -1);
    }
}

void TreeEnsemble::shapRecursive(const float *row, double *phi) const
{
    std::vector<PathElement> buffer;
    for (const Tree &tree : trees) {
        const std::size_t d = tree.depth + 2;
        if (buffer.size() < (d + 1) * (d + 2) / 2)
            buffer.resize((d + 1) * (d + 2) / 2);
        ShapWalk{tree, row, phi, scale}.recurse(0, 0, buffer.data(), 1, 1, -1);
    }
}

} // namespace Audit
