#include "treeensemble.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

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

struct TreeEnsemble::Flat
{
    struct Split
    {
        std::uint32_t feature; // the high bit set: a missing value goes right
        float threshold;
    };
    struct Tree
    {
        std::uint32_t depth; // 0 for a tree that is one leaf; past kFlatDepth: not laid out
        std::uint32_t splits; // the first of its 2^depth - 1 splits in `splits`
        std::uint32_t leaves; // the first of its 2^depth leaves in `leaves`
    };
    static constexpr std::uint32_t kRight = 0x80000000u;
    std::vector<Tree> trees; // trees[t].depth > kFlatDepth: walked node by node
    std::vector<Split> splits;
    std::vector<double> leaves;
};

namespace {

// Writes node `i` of `nodes` at position `pos` (0 the root, children of p at 2p+1 and 2p+2) of a
// complete tree of `depth` levels, `level` levels down; a leaf above the last level fills its
// whole subtree, whose padding splits then lead to its value whichever way a row goes.
void layOut(const std::vector<Node> &nodes, std::uint32_t i, std::uint32_t pos, std::uint32_t level, std::uint32_t depth,
            TreeEnsemble::Flat::Split *splits, double *leaves)
{
    const Node &node = nodes[i];
    if (level == depth) {
        leaves[pos - ((std::uint32_t(1) << depth) - 1)] = node.value;
        return;
    }
    const bool leaf = node.left == TreeEnsemble::kLeaf;
    splits[pos] = leaf
        ? TreeEnsemble::Flat::Split{0, 0}
        : TreeEnsemble::Flat::Split{node.feature | (node.defaultLeft ? 0 : TreeEnsemble::Flat::kRight), node.threshold};
    layOut(nodes, leaf ? i : node.left, 2 * pos + 1, level + 1, depth, splits, leaves);
    layOut(nodes, leaf ? i : node.right, 2 * pos + 2, level + 1, depth, splits, leaves);
}

} // namespace

// Per tree: for every split, which bit of a leaf's pattern it decides (its feature's place among
// the distinct features of the path down to it: the same for every leaf below), and per leaf
// what its attributions are made of for every pattern (see tables()).
struct TreeEnsemble::Tables
{
    struct Split
    {
        std::uint32_t node;
        std::uint32_t bit; // 1 << the feature's place on the path
    };
    struct LeafRef
    {
        std::uint32_t node; // the leaf's node: its pattern is the row's mask there
        std::uint32_t features; // first, in Tree::slots
        std::uint32_t values; // first, in Tree::values: 2^count numbers B, then count ratios
        std::uint32_t count; // distinct features on the path
    };
    struct Tree
    {
        bool tabled = false; // else Algorithm 2
        std::vector<Split> splits; // parents before children
        std::vector<LeafRef> leaves;
        std::vector<std::uint32_t> slots; // per leaf feature: its place in shap()'s accumulators, 4 * feature
        std::vector<double> values;
        std::uint32_t maskBase = 0; // where its nodes' masks start in shap()'s one array
    };
    // Every tabled tree's leaves together, grouped by their number of distinct features, so that
    // shap() runs one loop of a fixed length per group (no branch to mispredict inside it, and
    // the table loads of many leaves in flight at once).
    struct FlatLeaf
    {
        std::uint32_t mask; // the leaf's node's mask, in shap()'s array
        std::uint32_t values; // in `values`
        std::uint32_t slots; // in `slots`
    };
    std::once_flag built;
    std::vector<Tree> trees;
    std::array<std::vector<FlatLeaf>, kTableFeatures + 1> byCount;
    std::vector<double> values;
    std::vector<std::uint32_t> slots;
    std::uint32_t masks = 0; // nodes of the tabled trees
};

const TreeEnsemble::Tables &TreeEnsemble::tables() const
{
    std::call_once(m_tables->built, [this] {
        Tables &t = *m_tables;
        t.trees.resize(trees.size());
        for (std::size_t ti = 0; ti < trees.size(); ++ti) {
            const std::vector<Node> &nodes = trees[ti].nodes;
            Tables::Tree &table = t.trees[ti];
            // Each node's distinct path features (first occurrence order) and zero fractions.
            std::vector<std::vector<std::uint32_t>> features(nodes.size());
            std::vector<std::vector<double>> zeros(nodes.size());
            bool small = true;
            for (std::uint32_t i = 0; i < nodes.size() && small; ++i) {
                if (nodes[i].left == kLeaf)
                    continue;
                const std::uint32_t f = nodes[i].feature;
                const auto at = std::find(features[i].begin(), features[i].end(), f);
                const auto place = std::size_t(at - features[i].begin());
                if (place >= kTableFeatures) {
                    small = false;
                    break;
                }
                table.splits.push_back({i, 1u << place});
                for (const bool goLeft : {true, false}) {
                    const std::uint32_t child = goLeft ? nodes[i].left : nodes[i].right;
                    features[child] = features[i];
                    zeros[child] = zeros[i];
                    if (place == features[child].size()) {
                        features[child].push_back(f);
                        zeros[child].push_back(1.0);
                    }
                    zeros[child][place] *= nodes[child].cover / nodes[i].cover;
                }
            }
            for (std::uint32_t i = 0; i < nodes.size() && small; ++i) {
                if (nodes[i].left != kLeaf)
                    continue;
                const std::vector<double> &zero = zeros[i];
                // A leaf's attributions given the set H of its features the row follows (Yang 2021,
                // "Fast TreeSHAP" v2), written with one number per subset instead of one per
                // (subset, feature): with z_j the zero fractions, w the Shapley weights of d players,
                //   A(T) = sum over S in T of w(|S|) * prod_{j in T\S} z_j,  B(T) = v * prod_{j not in T} z_j * A(T),
                // a feature k the row follows gets (1 - z_k) / z_k * B(H \ {k}), and every other
                // feature of the leaf gets -B(H). Stored per leaf: B over the 2^d subsets, then
                // the d ratios (1 - z_k) / z_k (covers are positive, so z_k > 0).
                const auto d = std::uint32_t(features[i].size());
                table.leaves.push_back({i, std::uint32_t(table.slots.size()), std::uint32_t(table.values.size()), d});
                for (const std::uint32_t f : features[i])
                    table.slots.push_back(4 * f);
                const std::size_t offset = table.values.size();
                table.values.resize(offset + (std::size_t(1) << d) + d, 0.0);
                double *values = table.values.data() + offset;
                // B of the whole set is never used (no feature is then outside H): left 0.
                for (std::uint32_t subset = 0; subset + 1 < (1u << d); ++subset) {
                    double sum = 0;
                    for (std::uint32_t s = subset;; s = (s - 1) & subset) { // every S in the subset
                        double product = 1;
                        for (std::uint32_t j = 0; j < d; ++j) {
                            if (((subset & ~s) >> j) & 1u)
                                product *= zero[j];
                        }
                        sum += shapleyWeight(std::uint32_t(std::popcount(s)), d) * product;
                        if (s == 0)
                            break;
                    }
                    double outside = 1;
                    for (std::uint32_t j = 0; j < d; ++j) {
                        if (!((subset >> j) & 1u))
                            outside *= zero[j];
                    }
                    values[subset] = nodes[i].value * scale * outside * sum;
                }
                for (std::uint32_t k = 0; k < d; ++k)
                    values[(std::size_t(1) << d) + k] = (1 - zero[k]) / zero[k];
            }
            table.tabled = small;
            if (!small) // Algorithm 2 for this tree: free what was made
                table = Tables::Tree{};
        }
        for (Tables::Tree &table : t.trees) {
            if (!table.tabled)
                continue;
            table.maskBase = t.masks;
            const auto valueBase = std::uint32_t(t.values.size());
            const auto slotBase = std::uint32_t(t.slots.size());
            for (const Tables::LeafRef &leaf : table.leaves)
                t.byCount[leaf.count].push_back({table.maskBase + leaf.node, valueBase + leaf.values, slotBase + leaf.features});
            t.values.insert(t.values.end(), table.values.begin(), table.values.end());
            t.slots.insert(t.slots.end(), table.slots.begin(), table.slots.end());
            t.masks += std::uint32_t(trees[std::size_t(&table - t.trees.data())].nodes.size());
            table.leaves = {};
            table.values = {};
            table.slots = {};
        }
    });
    return *m_tables;
}

void TreeEnsemble::finish()
{
    m_tables = std::make_shared<Tables>();
    m_flat.reset();
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
            if (node.feature >= Flat::kRight)
                bad(t, "node " + std::to_string(i) + " splits on a feature past 2^31");
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
    auto flat = std::make_shared<Flat>();
    flat->trees.reserve(trees.size());
    for (const Tree &tree : trees) {
        Flat::Tree ft{tree.depth, std::uint32_t(flat->splits.size()), std::uint32_t(flat->leaves.size())};
        // A sparse tree (a long path, say) would pad into far more entries than it has nodes: it
        // is walked node by node, so the layout never holds more than 8 entries per node.
        if (tree.depth > kFlatDepth || (std::size_t(1) << tree.depth) > 4 * tree.nodes.size())
            ft.depth = kFlatDepth + 1;
        flat->trees.push_back(ft);
        if (ft.depth > kFlatDepth)
            continue;
        flat->splits.resize(flat->splits.size() + (std::size_t(1) << tree.depth) - 1);
        flat->leaves.resize(flat->leaves.size() + (std::size_t(1) << tree.depth));
        layOut(tree.nodes, 0, 0, 0, tree.depth, flat->splits.data() + ft.splits, flat->leaves.data() + ft.leaves);
    }
    m_flat = std::move(flat);
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

void TreeEnsemble::outputBlock(const float *const *rows, std::size_t count, double *out) const
{
    std::uint32_t node[kBlock];
    std::uint32_t live[kBlock];
    double sum[kBlock];
    count = std::min(count, kBlock);
    std::fill(sum, sum + count, 0.0);
    const Flat *flat = m_flat.get();
    for (std::size_t t = 0; t < trees.size(); ++t) {
        if (flat && flat->trees[t].depth <= kFlatDepth) {
            const Flat::Tree &ft = flat->trees[t];
            const Flat::Split *splits = flat->splits.data() + ft.splits;
            std::fill(node, node + count, 0u);
            for (std::uint32_t level = 0; level < ft.depth; ++level) {
                for (std::uint32_t i = 0; i < count; ++i) {
                    const Flat::Split split = splits[node[i]];
                    const float v = rows[i][split.feature & ~Flat::kRight];
                    const bool right = std::isnan(v) ? (split.feature & Flat::kRight) != 0 : !(v < split.threshold);
                    node[i] = 2 * node[i] + 1 + std::uint32_t(right);
                }
            }
            const double *leaves = flat->leaves.data() + ft.leaves - ((std::uint32_t(1) << ft.depth) - 1);
            for (std::uint32_t i = 0; i < count; ++i)
                sum[i] += leaves[node[i]];
            continue;
        }
        const Node *nodes = trees[t].nodes.data();
        std::uint32_t active = 0;
        for (std::uint32_t i = 0; i < count; ++i) {
            node[i] = 0;
            live[active] = i;
            active += nodes[0].left != kLeaf;
        }
        // A row leaves the active list once at its leaf (the list rewritten in place each step).
        while (active > 0) {
            std::uint32_t kept = 0;
            for (std::uint32_t k = 0; k < active; ++k) {
                const std::uint32_t i = live[k];
                const std::uint32_t child = next(nodes[node[i]], rows[i]);
                node[i] = child;
                live[kept] = i;
                kept += nodes[child].left != kLeaf;
            }
            active = kept;
        }
        for (std::uint32_t i = 0; i < count; ++i)
            sum[i] += nodes[node[i]].value;
    }
    for (std::size_t i = 0; i < count; ++i)
        out[i] = base + scale * sum[i];
}

double TreeEnsemble::expectedOutput() const
{
    double sum = 0;
    for (const Tree &tree : trees)
        sum += tree.expected;
    return base + scale * sum;
}

namespace {

// The leaves of `count` distinct features: a feature the row follows gets
// (1 - z_k) / z_k * B(H \ {k}), the others -B(H) (see TreeEnsemble::tables()), written without a
// branch; consecutive leaves add into different copies of the accumulators.
template <std::uint32_t count, typename Leaf>
void addLeaves(const std::vector<Leaf> &leaves, const std::uint32_t *masks, const double *all, const std::uint32_t *slots,
               double *lanes)
{
    std::size_t lane = 0;
    for (const Leaf &leaf : leaves) {
        const std::uint32_t hot = masks[leaf.mask] & ((1u << count) - 1);
        const double *values = all + leaf.values;
        const double *ratios = values + (std::size_t(1) << count);
        const double others = values[hot];
        const std::uint32_t *slot = slots + leaf.slots;
        double *acc = lanes + lane;
        for (std::uint32_t k = 0; k < count; ++k) {
            const double followed = double((hot >> k) & 1u);
            acc[slot[k]] += followed * (ratios[k] * values[hot ^ (1u << k)] + others) - others;
        }
        lane = (lane + 1) & 3;
    }
}

template <std::uint32_t... counts, typename Groups>
void addAllLeaves(std::integer_sequence<std::uint32_t, counts...>, const Groups &groups, const std::uint32_t *masks,
                  const double *all, const std::uint32_t *slots, double *lanes)
{
    (addLeaves<counts>(groups[counts], masks, all, slots, lanes), ...);
}

} // namespace

void TreeEnsemble::shap(const float *row, double *phi) const
{
    if (!m_tables) { // finish() was never called: no tables to build
        shapRecursive(row, phi);
        return;
    }
    const Tables &t = tables();
    // The row's pattern at every node of the tabled trees: a bit cleared where the path down to
    // it goes the other way from the row.
    std::vector<std::uint32_t> masks(t.masks);
    std::vector<PathElement> buffer;
    for (std::size_t ti = 0; ti < trees.size(); ++ti) {
        const Tree &tree = trees[ti];
        const Tables::Tree &table = t.trees[ti];
        if (table.tabled) {
            std::uint32_t *mask = masks.data() + table.maskBase;
            mask[0] = ~0u;
            for (const Tables::Split &split : table.splits) {
                const Node &node = tree.nodes[split.node];
                const bool rowLeft = next(node, row) == node.left;
                mask[node.left] = mask[split.node] & ~(rowLeft ? 0u : split.bit);
                mask[node.right] = mask[split.node] & ~(rowLeft ? split.bit : 0u);
            }
            continue;
        }
        const std::size_t d = tree.depth + 2;
        if (buffer.size() < (d + 1) * (d + 2) / 2)
            buffer.resize((d + 1) * (d + 2) / 2);
        ShapWalk{tree, row, phi, scale}.recurse(0, 0, buffer.data(), 1, 1, -1);
    }
    // Four copies of phi, leaves taking turns: consecutive leaves add to the same features, and
    // one copy would chain every addition on the one before.
    const std::size_t width = m_featuresUsed;
    std::vector<double> lanes(4 * width, 0.0);
    addAllLeaves(std::make_integer_sequence<std::uint32_t, kTableFeatures + 1>{}, t.byCount, masks.data(), t.values.data(),
                 t.slots.data(), lanes.data());
    for (std::size_t f = 0; f < width; ++f)
        phi[f] += (lanes[4 * f] + lanes[4 * f + 1]) + (lanes[4 * f + 2] + lanes[4 * f + 3]);
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
