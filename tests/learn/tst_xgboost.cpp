#include <cmath>
#include <limits>
#include <random>
#include <sstream>

#include <QtTest>
#include <xgboost/c_api.h>

#include "csvreader.h"
#include "learners/xgboostlearner.h"
#include "model.h"
#include "record.h"
#include "testutil.h"
#include "trainer.h"
#include "treeensemble.h"

using namespace Audit;

// The xgboost learner against libxgboost itself: the trees this project walks must score as
// XGBoost's own predictor does, its TreeSHAP must equal XGBoost's pred_contribs, and both must
// equal a brute-force Shapley computation on a small model. Real census rows throughout.
class TestXgboost : public QObject
{
    Q_OBJECT

private:
    Dataset m_train;
    Dataset m_test;

    static TrainParams paramsFor(int rounds = 200)
    {
        TrainParams params;
        params.learner.kind = LearnerKind::Xgboost;
        params.learner.rounds = rounds;
        return params;
    }

    // XGBoost's own predictor on `x`: type 0 (probability), 1 (margin), 2 (contributions).
    static std::vector<float> xgboostPredict(const std::string &json, const FeatureMatrix &x, int type)
    {
        BoosterHandle booster = nullptr;
        DMatrixHandle matrix = nullptr;
        [&] {
            QCOMPARE(XGBoosterCreate(nullptr, 0, &booster), 0);
            QCOMPARE(XGBoosterLoadModelFromBuffer(booster, json.data(), bst_ulong(json.size())), 0);
            QCOMPARE(XGDMatrixCreateFromMat(x.row(0), bst_ulong(x.rows()), bst_ulong(x.cols()), std::nanf(""), &matrix), 0);
        }();
        const bst_ulong *shape = nullptr;
        bst_ulong dims = 0;
        const float *result = nullptr;
        const std::string config = "{\"type\": " + std::to_string(type)
            + ", \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, \"strict_shape\": false}";
        std::vector<float> out;
        if (XGBoosterPredictFromDMatrix(booster, matrix, config.c_str(), &shape, &dims, &result) == 0) {
            std::size_t n = 1;
            for (bst_ulong d = 0; d < dims; ++d)
                n *= std::size_t(shape[d]);
            out.assign(result, result + n);
        }
        XGDMatrixFree(matrix);
        XGBoosterFree(booster);
        return out;
    }

    static const XgboostLearner &boosterOf(const Model &model) { return dynamic_cast<const XgboostLearner &>(model.learner()); }

private Q_SLOTS:
    void initTestCase();
    void scores_equalXgboostsOwnPredictor();
    void treeShap_equalsXgboostContributionsAndAddsUp();
    void treeShap_equalsBruteForceShapley();
    void earlyStopping_keepsTheBestRoundAndTunesOnHeldOutRows();
    void train_isByteIdenticalAndSeedMatters();
    void missingNumbers_reachXgboostAsMissing();
    void brokenBoosters_areRefused();
    void blockWalk_givesTheOneRowWalksBits();
};

void TestXgboost::initTestCase()
{
    const LoadReport all = CsvReader::read(TestUtil::censusRaw(), Schema::fromYamlFile(TestUtil::censusSchema()));
    std::vector<std::size_t> trainRows;
    std::vector<std::size_t> testRows;
    const std::vector<int> fold = stratifiedFolds(all.data.labels, 8, 7);
    for (std::size_t i = 0; i < fold.size(); ++i) {
        if (fold[i] == 0)
            trainRows.push_back(i);
        else if (fold[i] == 1)
            testRows.push_back(i);
    }
    m_train = all.data.subset(trainRows);
    m_test = all.data.subset(testRows);
}

void TestXgboost::scores_equalXgboostsOwnPredictor()
{
    const Model model = trainModel(m_train, paramsFor());
    const XgboostLearner &learner = boosterOf(model);
    QVERIFY(learner.rounds() >= 10);
    const FeatureMatrix x = model.encoder().encode(m_test);
    const std::vector<double> ours = model.score(m_test);
    const std::vector<float> theirs = xgboostPredict(learner.boosterJson(), x, 0);
    QCOMPARE(theirs.size(), ours.size());
    double worst = 0;
    for (std::size_t r = 0; r < ours.size(); ++r)
        worst = std::max(worst, std::abs(ours[r] - double(theirs[r])));
    // XGBoost adds the leaves in float; this project in double.
    QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
    const BinaryMetrics m = computeMetrics(ours, m_test.labels, model.threshold());
    QVERIFY2(m.rocAuc > 0.9, qPrintable(QString::number(m.rocAuc)));
}

void TestXgboost::treeShap_equalsXgboostContributionsAndAddsUp()
{
    const Model model = trainModel(m_train, paramsFor(60));
    const XgboostLearner &learner = boosterOf(model);
    const TreeEnsemble &trees = learner.ensemble();
    const FeatureMatrix all = model.encoder().encode(m_test);
    const FeatureMatrix x = all.subset({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
    const std::vector<float> contributions = xgboostPredict(learner.boosterJson(), x, 2);
    const std::size_t width = x.cols();
    QCOMPARE(contributions.size(), x.rows() * (width + 1)); // one per feature, then the bias
    for (std::size_t r = 0; r < x.rows(); ++r) {
        std::vector<double> phi(width, 0.0);
        trees.shap(x.row(r), phi.data());
        // The per-leaf tables and Algorithm 2 give the same values.
        std::vector<double> recursive(width, 0.0);
        trees.shapRecursive(x.row(r), recursive.data());
        for (std::size_t f = 0; f < width; ++f)
            QVERIFY2(std::abs(phi[f] - recursive[f]) < 1e-12, qPrintable(QString::number(phi[f] - recursive[f])));
        double sum = trees.expectedOutput();
        for (std::size_t f = 0; f < width; ++f) {
            sum += phi[f];
            QVERIFY2(std::abs(phi[f] - double(contributions[r * (width + 1) + f])) < 1e-4,
                     qPrintable(QStringLiteral("row %1 feature %2: %3 vs %4")
                                    .arg(r)
                                    .arg(f)
                                    .arg(phi[f])
                                    .arg(contributions[r * (width + 1) + f])));
        }
        QVERIFY(std::abs(trees.expectedOutput() - double(contributions[r * (width + 1) + width])) < 1e-4);
        // Local accuracy, in the log-odds the trees add up in.
        QVERIFY2(std::abs(sum - trees.output(x.row(r))) < 1e-9, qPrintable(QString::number(sum - trees.output(x.row(r)))));
    }
}

// Shapley values by their definition: every coalition S of the features the trees split on,
// v(S) = the trees' output with the features in S fixed to the row's values and the others
// averaged over the children by cover (what path-dependent TreeSHAP explains).
void TestXgboost::treeShap_equalsBruteForceShapley()
{
    TrainParams params = paramsFor(4);
    params.learner.maxDepth = 3;
    params.learner.maxLeaves = 0;
    params.learner.earlyStoppingRounds = 0;
    const Model model = trainModel(m_train, params);
    const TreeEnsemble &trees = boosterOf(model).ensemble();
    std::vector<std::uint32_t> players;
    for (const TreeEnsemble::Tree &tree : trees.trees) {
        for (const TreeEnsemble::Node &node : tree.nodes) {
            if (node.left != TreeEnsemble::kLeaf && std::find(players.begin(), players.end(), node.feature) == players.end())
                players.push_back(node.feature);
        }
    }
    const std::size_t m = players.size();
    QVERIFY2(m >= 4 && m <= 16, qPrintable(QString::number(m)));
    const FeatureMatrix x = model.encoder().encode(m_test);
    const auto value = [&](const float *row, std::uint32_t coalition) {
        double sum = 0;
        for (const TreeEnsemble::Tree &tree : trees.trees) {
            const std::function<double(std::uint32_t)> walk = [&](std::uint32_t i) -> double {
                const TreeEnsemble::Node &node = tree.nodes[i];
                if (node.left == TreeEnsemble::kLeaf)
                    return node.value;
                const auto p = std::size_t(std::find(players.begin(), players.end(), node.feature) - players.begin());
                if (coalition & (1u << p))
                    return walk(row[node.feature] < node.threshold ? node.left : node.right);
                const double l = tree.nodes[node.left].cover;
                const double r = tree.nodes[node.right].cover;
                return (l * walk(node.left) + r * walk(node.right)) / (l + r);
            };
            sum += walk(0);
        }
        return trees.base + trees.scale * sum;
    };
    std::vector<double> factorial(m + 1, 1.0);
    for (std::size_t k = 1; k <= m; ++k)
        factorial[k] = factorial[k - 1] * double(k);
    for (std::size_t r : {0, 5, 17, 123}) {
        std::vector<double> phi(x.cols(), 0.0);
        trees.shap(x.row(r), phi.data());
        std::vector<double> recursive(x.cols(), 0.0);
        trees.shapRecursive(x.row(r), recursive.data());
        for (std::size_t p = 0; p < m; ++p) {
            double exact = 0;
            for (std::uint32_t s = 0; s < (1u << m); ++s) {
                if (s & (1u << p))
                    continue;
                const auto size = std::size_t(std::popcount(s));
                exact += factorial[size] * factorial[m - size - 1] / factorial[m]
                    * (value(x.row(r), s | (1u << p)) - value(x.row(r), s));
            }
            QVERIFY(std::abs(exact - recursive[players[p]]) < 1e-9);
            QVERIFY2(std::abs(exact - phi[players[p]]) < 1e-9,
                     qPrintable(QStringLiteral("row %1 feature %2: brute force %3, TreeSHAP %4")
                                    .arg(r)
                                    .arg(players[p])
                                    .arg(exact)
                                    .arg(phi[players[p]])));
        }
        QVERIFY(std::abs(value(x.row(r), 0) - trees.expectedOutput()) < 1e-9);
    }
}

void TestXgboost::earlyStopping_keepsTheBestRoundAndTunesOnHeldOutRows()
{
    TrainParams params = paramsFor(2000);
    params.learner.eta = 0.3;
    const Model model = trainModel(m_train, params);
    const XgboostLearner &learner = boosterOf(model);
    // Stopped long before 2,000 rounds, at the best round on the held-out rows.
    QVERIFY2(learner.rounds() < 400, qPrintable(QString::number(learner.rounds())));
    QVERIFY(model.training().thresholdTuned);
    // The threshold was tuned on the early-stopping rows only: about 10% of the training rows.
    const std::int64_t support = model.training().validationMetrics.support;
    QVERIFY2(std::abs(double(support) / double(m_train.rowCount()) - 0.1) < 0.01, qPrintable(QString::number(support)));
    QVERIFY(learner.heldOutScores(model.params()).contains(QStringLiteral("10%")));
    QVERIFY(learner.library().startsWith(QStringLiteral("XGBoost 1.")));

    // Off: every round, every row fitted, and the threshold tuned on an inner split instead.
    TrainParams off = paramsFor(25);
    off.learner.earlyStoppingRounds = 0;
    const Model all = trainModel(m_train, off);
    QCOMPARE(boosterOf(all).rounds(), 25);
    QVERIFY(boosterOf(all).heldOutScores(all.params()).isEmpty());
}

void TestXgboost::train_isByteIdenticalAndSeedMatters()
{
    const QByteArray first = trainModel(m_train, paramsFor(80)).serialize();
    const QByteArray second = trainModel(m_train, paramsFor(80)).serialize();
    QVERIFY(first == second);
    TrainParams otherSeed = paramsFor(80);
    otherSeed.learner.seed = 7; // another early-stopping split
    QVERIFY(trainModel(m_train, otherSeed).serialize() != first);
    // And through the file.
    QTemporaryDir dir;
    const Model model = trainModel(m_train, paramsFor(80));
    model.save(dir.filePath(QStringLiteral("m.bin")));
    const Model loaded = Model::load(dir.filePath(QStringLiteral("m.bin")));
    QCOMPARE(loaded.md5(), model.md5());
    QCOMPARE(loaded.score(m_test), model.score(m_test));
}

void TestXgboost::missingNumbers_reachXgboostAsMissing()
{
    // Every third row's first numeric column blanked: XGBoost learns a default direction.
    Dataset train = m_train;
    DataColumn *numeric = nullptr;
    std::size_t index = 0;
    for (std::size_t c = 0; c < train.columns.size() && !numeric; ++c) {
        if (train.columns[c].spec.isNumeric()) {
            numeric = &train.columns[c];
            index = c;
        }
    }
    QVERIFY(numeric);
    for (std::size_t r = 0; r < numeric->numbers.size(); r += 3)
        numeric->numbers[r] = std::nan("");
    const Model model = trainModel(train, paramsFor(60));
    const FeatureEncoder::Column &column = model.encoder().columns()[index];
    QVERIFY(column.nativeMissing);
    QVERIFY(!column.missingIndicator);
    const FeatureMatrix x = model.encoder().encode(train);
    QVERIFY(std::isnan(x.row(0)[column.offset]));
    QVERIFY(!std::isnan(x.row(1)[column.offset]));
    const std::vector<float> theirs = xgboostPredict(boosterOf(model).boosterJson(), x, 0);
    const std::vector<double> ours = boosterOf(model).scoreAll(x);
    for (std::size_t r = 0; r < 300; ++r)
        QVERIFY(std::abs(ours[r] - double(theirs[r])) < 1e-5);
    // The block walk of scoreAll gives the very bits of the one-row walk, missing values too.
    for (std::size_t r = 0; r < x.rows(); ++r)
        QCOMPARE(ours[r], boosterOf(model).score(x.row(r), x.cols()));
    bool someDefaultLeft = false;
    for (const TreeEnsemble::Tree &tree : boosterOf(model).ensemble().trees) {
        for (const TreeEnsemble::Node &node : tree.nodes)
            someDefaultLeft |= node.left != TreeEnsemble::kLeaf && node.defaultLeft;
    }
    QVERIFY(someDefaultLeft);
    EncodeReport report;
    model.encoder().encode(train, &report);
    QVERIFY(report.imputedSummary().contains(QStringLiteral("passed to the learner as missing")));
    // A column never missing in training is imputed with its median for xgboost too: a tree's
    // default direction for a value it never saw missing is arbitrary.
    std::size_t other = index + 1;
    while (!train.columns[other].spec.isNumeric())
        ++other;
    const FeatureEncoder::Column &complete = model.encoder().columns()[other];
    QVERIFY(!complete.nativeMissing && !complete.missingIndicator);
    Record record = recordFromDataset(train, 1);
    std::vector<float> encoded(std::size_t(model.encoder().width()));
    record.numbers[other] = std::nan("");
    model.encoder().encodeRow(record.numbers, record.texts, encoded.data());
    std::vector<float> median(encoded.size());
    record.numbers[other] = complete.median;
    model.encoder().encodeRow(record.numbers, record.texts, median.data());
    QCOMPARE(encoded[std::size_t(complete.offset)], median[std::size_t(complete.offset)]);
}

void TestXgboost::brokenBoosters_areRefused()
{
    TrainParams params = paramsFor(3);
    params.learner.earlyStoppingRounds = 0;
    const Model model = trainModel(m_train, params);
    const std::string json = boosterOf(model).boosterJson();
    QVERIFY_THROWS_NO_EXCEPTION(XgboostLearner::parseBooster(json));
    const auto refusal = [](const QByteArray &bytes) {
        try {
            XgboostLearner::parseBooster(bytes.toStdString());
            return QString();
        } catch (const std::runtime_error &e) {
            return QString::fromUtf8(e.what());
        }
    };
    QJsonObject document = QJsonDocument::fromJson(QByteArray::fromStdString(json)).object();
    const auto edited = [&](const std::function<void(QJsonObject & tree)> &change) {
        QJsonObject d = document;
        QJsonObject learner = d[QStringLiteral("learner")].toObject();
        QJsonObject booster = learner[QStringLiteral("gradient_booster")].toObject();
        QJsonObject inner = booster[QStringLiteral("model")].toObject();
        QJsonArray trees = inner[QStringLiteral("trees")].toArray();
        QJsonObject tree = trees[0].toObject();
        change(tree);
        trees[0] = tree;
        inner[QStringLiteral("trees")] = trees;
        booster[QStringLiteral("model")] = inner;
        learner[QStringLiteral("gradient_booster")] = booster;
        d[QStringLiteral("learner")] = learner;
        return QJsonDocument(d).toJson(QJsonDocument::Compact);
    };
    const auto setIn = [](QJsonObject &tree, const char *key, int index, const QJsonValue &v) {
        QJsonArray a = tree[QLatin1String(key)].toArray();
        a[index] = v;
        tree[QLatin1String(key)] = a;
    };
    QVERIFY(refusal(edited([&](QJsonObject &t) { setIn(t, "left_children", 0, 9999); })).contains(QStringLiteral("outside")));
    QVERIFY(refusal(edited([&](QJsonObject &t) { setIn(t, "left_children", 0, 0); })).contains(QStringLiteral("outside")));
    QVERIFY(refusal(edited([&](QJsonObject &t) {
                setIn(t, "right_children", 0, t[QStringLiteral("left_children")].toArray()[0]);
            })).contains(QStringLiteral("same node")));
    QVERIFY(refusal(edited([&](QJsonObject &t) { setIn(t, "split_indices", 0, 100000); })).contains(QStringLiteral("feature")));
    QVERIFY(refusal(edited([&](QJsonObject &t) {
                QJsonArray a = t[QStringLiteral("sum_hessian")].toArray();
                a.removeLast();
                t[QStringLiteral("sum_hessian")] = a;
            })).contains(QStringLiteral("sum_hessian")));
    QVERIFY(refusal("{\"learner\": 1}").contains(QStringLiteral("objective")));
    QVERIFY(refusal(edited([](QJsonObject &) {}).replace("\"num_trees\":\"3\"", "\"num_trees\":\"227\""))
                .contains(QStringLiteral("num_trees")));
    QVERIFY(refusal(QByteArray::fromStdString(json).replace("\"num_class\":\"0\"", "\"num_class\":\"3\""))
                .contains(QStringLiteral("num_class")));
    QVERIFY(refusal("not json").contains(QStringLiteral("not XGBoost JSON")));

    // Through the model file: a corrupt booster is a clear ModelFileError, not a crash.
    QByteArray bytes = model.serialize();
    const qsizetype at = bytes.indexOf("\"left_children\":[");
    QVERIFY(at > 0);
    // Changing bytes breaks the checksum first; the loader's own check is what the fuzzer hits.
    bytes[at + 17] = '9';
    try {
        Model::deserialize(bytes, QStringLiteral("m.bin"));
        QFAIL("expected ModelFileError");
    } catch (const std::exception &e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("m.bin")), e.what());
    }
}

void TestXgboost::blockWalk_givesTheOneRowWalksBits()
{
    // Random trees of every depth from 0 (one leaf) past kFlatDepth (walked node by node), with
    // leaves at every level (padded in the complete layout), both default directions, and rows
    // with missing, infinite and exactly-at-threshold values: the block walk lands on the leaf
    // the one-row walk does, so the sums are the same bits.
    std::mt19937 random(7);
    std::uniform_real_distribution<float> uniform(-1, 1);
    const std::uint32_t width = 5;
    TreeEnsemble ensemble;
    ensemble.base = -0.25;
    std::vector<float> thresholds;
    for (std::uint32_t t = 0; t < 40; ++t) {
        TreeEnsemble::Tree tree;
        const std::uint32_t maxDepth = t % (TreeEnsemble::kFlatDepth + 3); // 0 .. kFlatDepth + 2
        // Breadth first, so a child always comes after its parent.
        std::vector<std::pair<std::uint32_t, std::uint32_t>> open{{0, 0}}; // node, depth
        tree.nodes.emplace_back();
        for (std::size_t k = 0; k < open.size(); ++k) {
            const auto [index, depth] = open[k];
            const bool split = depth < maxDepth && (depth == 0 || random() % 4 != 0);
            TreeEnsemble::Node &node = tree.nodes[index];
            node.cover = 1 + random() % 10;
            if (!split) {
                node.value = uniform(random);
                continue;
            }
            node.feature = random() % width;
            node.threshold = uniform(random);
            node.defaultLeft = random() % 2 == 0;
            thresholds.push_back(node.threshold);
            const auto left = std::uint32_t(tree.nodes.size());
            node.left = left;
            node.right = left + 1;
            tree.nodes.emplace_back(); // `node` dangles from here
            tree.nodes.emplace_back();
            open.push_back({left, depth + 1});
            open.push_back({left + 1, depth + 1});
        }
        ensemble.trees.push_back(std::move(tree));
    }
    ensemble.finish();
    QVERIFY(std::any_of(ensemble.trees.begin(), ensemble.trees.end(),
                        [](const TreeEnsemble::Tree &tree) { return tree.depth > TreeEnsemble::kFlatDepth; }));
    QCOMPARE(ensemble.trees.front().depth, 0u);
    std::vector<std::vector<float>> rows(3 * TreeEnsemble::kBlock / 2, std::vector<float>(width));
    for (std::size_t r = 0; r < rows.size(); ++r) {
        for (std::uint32_t c = 0; c < width; ++c) {
            switch (random() % 6) {
            case 0:
                rows[r][c] = std::numeric_limits<float>::quiet_NaN();
                break;
            case 1:
                rows[r][c] = thresholds[random() % thresholds.size()];
                break;
            case 2:
                rows[r][c] = random() % 2 ? INFINITY : -INFINITY;
                break;
            default:
                rows[r][c] = uniform(random);
            }
        }
    }
    std::vector<const float *> pointers;
    for (const std::vector<float> &row : rows)
        pointers.push_back(row.data());
    std::vector<double> block(rows.size());
    ensemble.outputBlock(pointers.data(), TreeEnsemble::kBlock, block.data());
    ensemble.outputBlock(pointers.data() + TreeEnsemble::kBlock, rows.size() - TreeEnsemble::kBlock,
                         block.data() + TreeEnsemble::kBlock);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        // The one-row walk written out here, node by node, as the class comment states it.
        double sum = 0;
        for (const TreeEnsemble::Tree &tree : ensemble.trees) {
            std::uint32_t i = 0;
            while (tree.nodes[i].left != TreeEnsemble::kLeaf) {
                const TreeEnsemble::Node &node = tree.nodes[i];
                const float v = rows[r][node.feature];
                const bool left = std::isnan(v) ? node.defaultLeft : v < node.threshold;
                i = left ? node.left : node.right;
            }
            sum += tree.nodes[i].value;
        }
        QVERIFY2(block[r] == ensemble.base + sum, qPrintable(QString::number(r))); // bit for bit, not fuzzy
        QVERIFY2(ensemble.output(rows[r].data()) == ensemble.base + sum, qPrintable(QString::number(r)));
    }
}

QTEST_GUILESS_MAIN(TestXgboost)
#include "tst_xgboost.moc"
