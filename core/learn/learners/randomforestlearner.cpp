#include "randomforestlearner.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include <dlib/serialize.h>

#include "parallel.h"
#include "schemaerror.h"

namespace Audit {

void RandomForestLearner::train(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, const LearnerParams &params,
                                const Progress &progress)
{
    validateTrainingData(x, labels);
    progress.step(0, 1, QStringLiteral("random forest"));
    std::vector<dlib::matrix<double, 0, 1>> samples(x.rows());
    std::vector<double> targets(x.rows());
    for (std::size_t r = 0; r < x.rows(); ++r) {
        samples[r].set_size(long(x.cols()));
        for (std::size_t c = 0; c < x.cols(); ++c)
            samples[r](long(c)) = x.row(r)[c];
        targets[r] = labels[r];
    }
    dlib::random_forest_regression_trainer<dlib::dense_feature_extractor> trainer;
    trainer.set_num_trees(std::size_t(params.trees));
    const auto scaledLeaf = std::size_t(std::ceil(params.minLeafFraction * double(x.rows())));
    trainer.set_min_samples_per_leaf(std::max(std::size_t(params.minLeaf), scaledLeaf));
    trainer.set_feature_subsampling_fraction(params.featureFraction);
    trainer.set_seed(std::to_string(params.seed));
    m_forest = trainer.train(samples, targets, m_outOfBag);
    flatten();
    // Covers for TreeSHAP: how many training rows reach each leaf.
    m_leafRows.assign(m_flat.size(), {});
    for (std::size_t t = 0; t < m_flat.size(); ++t) {
        const FlatTree &tree = m_flat[t];
        std::vector<std::uint32_t> &rows = m_leafRows[t];
        rows.assign(tree.nodes.size() - tree.internal, 0);
        for (std::size_t r = 0; r < x.rows(); ++r) {
            std::uint32_t node = 0;
            while (node < tree.internal)
                node = tree.nodes[node].child[!(x.row(r)[tree.nodes[node].feature] < tree.nodes[node].threshold)];
            ++rows[node - tree.internal];
        }
    }
    buildEnsemble();
    for (double &score : m_outOfBag)
        score = std::clamp(score, 0.0, 1.0);
    progress.checkCancelled();
    progress.step(1, 1, QStringLiteral("random forest"));
}

void RandomForestLearner::flatten()
{
    const auto &trees = m_forest.get_internal_tree_nodes();
    const auto &leaves = m_forest.get_tree_leaves();
    if (leaves.size() != trees.size()) // dlib reads the two lists separately and does not compare them
        throw dlib::serialization_error("random forest: " + std::to_string(trees.size()) + " trees but "
                                        + std::to_string(leaves.size()) + " lists of leaves");
    m_flat.assign(trees.size(), {});
    m_featuresUsed = 0;
    for (std::size_t t = 0; t < trees.size(); ++t) {
        FlatTree &flat = m_flat[t];
        const auto &tree = trees[t];
        flat.internal = std::uint32_t(tree.size());
        const std::size_t total = tree.size() + leaves[t].size();
        flat.nodes.resize(total);
        for (std::size_t i = 0; i < tree.size(); ++i) {
            const auto &split = tree[i];
            if (split.left >= total || split.right >= total)
                throw dlib::serialization_error("random forest: a tree node points past its tree");
            flat.nodes[i] = {split.split_feature, split.split_threshold, {split.left, split.right}};
            m_featuresUsed = std::max(m_featuresUsed, split.split_feature + 1);
        }
        for (std::size_t i = tree.size(); i < total; ++i)
            flat.nodes[i] = {0, leaves[t][i - tree.size()], {std::uint32_t(i), std::uint32_t(i)}};
        // Depth: the most splits on a path from the root to a leaf (0 when the root is a leaf).
        std::vector<std::uint32_t> depth(total, 0);
        for (std::size_t i = 0; i < tree.size(); ++i) { // dlib numbers a child after its parent
            for (std::uint32_t child : flat.nodes[i].child) {
                if (child <= i)
                    throw dlib::serialization_error("random forest: a tree node points back up its tree");
                depth[child] = std::max(depth[child], depth[i] + 1);
            }
        }
        for (std::size_t i = tree.size(); i < total; ++i)
            flat.depth = std::max(flat.depth, depth[i]);
    }
}

void RandomForestLearner::buildEnsemble()
{
    m_ensemble = TreeEnsemble();
    if (m_leafRows.empty())
        return;
    m_ensemble.scale = m_flat.empty() ? 1.0 : 1.0 / double(m_flat.size());
    m_ensemble.trees.resize(m_flat.size());
    for (std::size_t t = 0; t < m_flat.size(); ++t) {
        const FlatTree &flat = m_flat[t];
        // TreeEnsemble wants a child after its parent: dlib's numbering already is (internal
        // nodes in creation order, leaves after them), checked by flatten().
        std::vector<TreeEnsemble::Node> &nodes = m_ensemble.trees[t].nodes;
        nodes.resize(flat.nodes.size());
        for (std::size_t i = 0; i < flat.nodes.size(); ++i) {
            TreeEnsemble::Node &node = nodes[i];
            if (i < flat.internal) {
                node.feature = flat.nodes[i].feature;
                node.threshold = flat.nodes[i].threshold;
                node.left = flat.nodes[i].child[0];
                node.right = flat.nodes[i].child[1];
                node.defaultLeft = false; // dlib: NaN < t is false, so NaN goes right
            } else {
                node.value = double(flat.nodes[i].threshold);
                // A leaf no training row reaches (a float threshold rounding past the only row
                // dlib's double comparison put there) weighs next to nothing, not zero.
                node.cover = std::max(0.5, double(m_leafRows[t][i - flat.internal]));
            }
        }
    }
    try {
        m_ensemble.finish();
    } catch (const std::runtime_error &e) {
        throw dlib::serialization_error(std::string("random forest: ") + e.what());
    }
}

std::optional<double> RandomForestLearner::exactAttributions(const float *row, std::size_t width, const std::vector<double> &,
                                                             double *phi) const
{
    if (m_ensemble.trees.empty())
        return std::nullopt;
    checkWidth(width);
    m_ensemble.shap(row, phi);
    return m_ensemble.expectedOutput();
}

void RandomForestLearner::checkWidth(std::size_t width) const
{
    if (m_featuresUsed > width)
        throw SchemaError(
            QStringLiteral("the random forest splits on feature %1 but rows have %2 features").arg(m_featuresUsed).arg(width));
}

// The same walk as dlib's random_forest_regression_function::operator() (which copies the row
// into a matrix<double> first): its thresholds are floats, and a float widened to double
// compares the same. The leaves are added in tree order into a double and the sum divided by
// the tree count, as dlib does: the same bits.
double RandomForestLearner::score(const float *row, std::size_t width) const
{
    checkWidth(width);
    double sum = 0;
    for (const FlatTree &tree : m_flat) {
        std::uint32_t node = 0;
        while (node < tree.internal) {
            const FlatNode &split = tree.nodes[node];
            node = split.child[!(row[split.feature] < split.threshold)];
        }
        sum += double(tree.nodes[node].threshold);
    }
    return m_flat.empty() ? 0.0 : std::clamp(sum / double(m_flat.size()), 0.0, 1.0);
}

// Tree by tree over blocks of rows, every row of the block one step at a time for the tree's
// depth (a leaf is its own child): one tree stays in L1, the rows' walks are independent so
// the core overlaps them, and there is no branch to mispredict. Per row the leaves are added
// in tree order as in score(): the same bits.
std::vector<double> RandomForestLearner::scoreAll(const FeatureMatrix &x) const
{
    constexpr std::size_t kBlock = 128;
    checkWidth(x.cols());
    std::vector<double> scores(x.rows(), 0.0);
    forEachRange(x.rows(), 4096, [&](std::size_t begin, std::size_t end) {
        std::uint32_t node[kBlock];
        std::uint32_t live[kBlock];
        const float *rows[kBlock];
        for (std::size_t block = begin; block < end; block += kBlock) {
            const std::size_t count = std::min(end - block, kBlock);
            for (std::size_t i = 0; i < count; ++i)
                rows[i] = x.row(block + i);
            double *out = scores.data() + block;
            for (const FlatTree &tree : m_flat) {
                const FlatNode *nodes = tree.nodes.data();
                // Every row of the block one step at a time; a row leaves the active list
                // once at a leaf (no branch: the list is rewritten in place each step).
                std::uint32_t active = 0;
                for (std::size_t i = 0; i < count; ++i) {
                    node[i] = 0;
                    live[active] = std::uint32_t(i);
                    active += tree.internal > 0;
                }
                while (active > 0) {
                    std::uint32_t kept = 0;
                    for (std::uint32_t k = 0; k < active; ++k) {
                        const std::uint32_t i = live[k];
                        const FlatNode &split = nodes[node[i]];
                        const std::uint32_t next = split.child[!(rows[i][split.feature] < split.threshold)];
                        node[i] = next;
                        live[kept] = i;
                        kept += next < tree.internal;
                    }
                    active = kept;
                }
                for (std::size_t i = 0; i < count; ++i)
                    out[i] += double(nodes[node[i]].threshold);
            }
            for (std::size_t i = 0; i < count; ++i)
                out[i] = m_flat.empty() ? 0.0 : std::clamp(out[i] / double(m_flat.size()), 0.0, 1.0);
        }
    });
    return scores;
}

namespace {
constexpr char kCoverMagic[8] = {'M', 'A', 'C', 'O', 'V', 'E', 'R', '1'};
}

// dlib's forest, then the leaf row counts: "MACOVER1", and per tree its leaf count and counts
// (dlib's own serialisation of the vectors).
void RandomForestLearner::save(std::ostream &out) const
{
    serialize(m_forest, out); // found by ADL: dlib declares it as a friend
    if (!m_leafRows.empty()) {
        out.write(kCoverMagic, sizeof kCoverMagic);
        dlib::serialize(m_leafRows, out);
    }
}

void RandomForestLearner::load(std::istream &in)
{
    deserialize(m_forest, in);
    flatten();
    m_leafRows.clear();
    char magic[sizeof kCoverMagic];
    if (in.read(magic, sizeof magic)) {
        if (std::memcmp(magic, kCoverMagic, sizeof magic) != 0)
            throw dlib::serialization_error("random forest: unexpected data after the trees");
        dlib::deserialize(m_leafRows, in);
        if (m_leafRows.size() != m_flat.size())
            throw dlib::serialization_error("random forest: covers for " + std::to_string(m_leafRows.size()) + " trees, not "
                                            + std::to_string(m_flat.size()));
        for (std::size_t t = 0; t < m_flat.size(); ++t) {
            if (m_leafRows[t].size() != m_flat[t].nodes.size() - m_flat[t].internal)
                throw dlib::serialization_error("random forest: tree " + std::to_string(t) + "'s covers do not match its leaves");
        }
    } else {
        if (in.gcount() > 0)
            throw dlib::serialization_error("random forest: unexpected data after the trees");
        in.clear(); // a file from before covers were saved: no attributions
    }
    buildEnsemble();
}

} // namespace Audit
