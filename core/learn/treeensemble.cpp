#include "treeensemble.h"

#include <cmath>
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

void extendPath(PathElement *path, std::uint32_t depth, double zero, double one, std::int64_t feature)
{
    path[depth] = {feature, zero, one, depth == 0 ? 1.0 : 0.0};
    for (std::int64_t i = std::int64_t(depth) - 1; i >= 0; --i) {
        path[i + 1].weight += one * path[i].weight * double(i + 1) / double(depth + 1);
        path[i].weight = zero * path[i].weight * double(depth - std::uint32_t(i)) / double(depth + 1);
    }
}

void unwindPath(PathElement *path, std::uint32_t depth, std::uint32_t index)
{
    const double one = path[index].one;
    const double zero = path[index].zero;
    double nextOne = path[depth].weight;
    for (std::int64_t i = std::int64_t(depth) - 1; i >= 0; --i) {
        if (one != 0) {
            const double kept = path[i].weight;
            path[i].weight = nextOne * double(depth + 1) / (double(i + 1) * one);
            nextOne = kept - path[i].weight * zero * double(depth - std::uint32_t(i)) / double(depth + 1);
        } else {
            path[i].weight = path[i].weight * double(depth + 1) / (zero * double(depth - std::uint32_t(i)));
        }
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
    double nextOne = path[depth].weight;
    double total = 0;
    for (std::int64_t i = std::int64_t(depth) - 1; i >= 0; --i) {
        const double share = double(depth - std::uint32_t(i)) / double(depth + 1);
        if (one != 0) {
            const double t = nextOne * double(depth + 1) / (double(i + 1) * one);
            total += t;
            nextOne = path[i].weight - t * zero * share;
        } else {
            total += path[i].weight / zero / share;
        }
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
            for (std::uint32_t i = 1; i <= depth; ++i) {
                const double w = unwoundPathSum(path, depth, i);
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

[[noreturn]] void bad(std::size_t tree, const std::string &what)
{
    throw std::runtime_error("tree " + std::to_string(tree) + ": " + what);
}

} // namespace

void TreeEnsemble::finish()
{
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
    std::vector<PathElement> buffer;
    for (const Tree &tree : trees) {
        const std::size_t d = tree.depth + 2;
        if (buffer.size() < (d + 1) * (d + 2) / 2)
            buffer.resize((d + 1) * (d + 2) / 2);
        ShapWalk{tree, row, phi, scale}.recurse(0, 0, buffer.data(), 1, 1, -1);
    }
}

} // namespace Audit
