#include "xgboostlearner.h"

#include <cmath>
#include <cstring>
#include <istream>
#include <mutex>
#include <ostream>
#include <stdexcept>

#include <xgboost/c_api.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <dlib/serialize.h>

#include "logisticlearner.h" // sigmoid
#include "parallel.h"
#include "schemaerror.h"
#include "trainer.h" // stratifiedFolds

namespace Audit {

namespace {

constexpr char kMagic[8] = {'M', 'A', 'X', 'G', 'B', '1', '\n', '\0'};
constexpr std::uint64_t kMaxBoosterBytes = std::uint64_t(1) << 30;

void check(int rc, const char *what)
{
    if (rc != 0)
        throw std::runtime_error(std::string("xgboost: ") + what + ": " + XGBGetLastError());
}

// XGBoost logs through its own callback; a warning there is not the user's business here
// (every parameter it reads is validated by params.yaml's reader first).
void quietXgboost()
{
    static std::once_flag once;
    std::call_once(once, [] {
        XGBRegisterLogCallback([](const char *) {});
        XGBSetGlobalConfig("{\"verbosity\": 0}");
    });
}

struct DMatrix
{
    DMatrixHandle handle = nullptr;
    DMatrix(const FeatureMatrix &x, const std::vector<std::size_t> &rows, const std::vector<std::int8_t> &labels, int threads)
    {
        const FeatureMatrix part = x.subset(rows);
        check(XGDMatrixCreateFromMat_omp(part.row(0), bst_ulong(part.rows()), bst_ulong(part.cols()), std::nanf(""), &handle,
                                         threads),
              "reading the training rows");
        std::vector<float> y(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
            y[i] = float(labels[rows[i]]);
        check(XGDMatrixSetFloatInfo(handle, "label", y.data(), bst_ulong(y.size())), "setting the labels");
    }
    ~DMatrix() { XGDMatrixFree(handle); }
    DMatrix(const DMatrix &) = delete;
    DMatrix &operator=(const DMatrix &) = delete;
};

struct Booster
{
    BoosterHandle handle = nullptr;
    ~Booster() { XGBoosterFree(handle); }
    void set(const char *name, const std::string &value) { check(XGBoosterSetParam(handle, name, value.c_str()), name); }
};

std::string number(double v)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.17g", v);
    return buffer;
}

// "[12]\tvalidation-logloss:0.281234" -> 0.281234
double lastMetric(const char *evaluation)
{
    const char *colon = std::strrchr(evaluation, ':');
    if (!colon)
        throw std::runtime_error(std::string("xgboost: unexpected evaluation text ") + evaluation);
    return std::strtod(colon + 1, nullptr);
}

QJsonArray array(const QJsonObject &tree, const char *key, qsizetype size)
{
    const QJsonArray a = tree.value(QLatin1String(key)).toArray();
    if (a.size() != size)
        throw std::runtime_error(std::string("booster: a tree's ") + key + " has " + std::to_string(a.size()) + " entries, not "
                                 + std::to_string(size));
    return a;
}

} // namespace

void XgboostLearner::train(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, const LearnerParams &params,
                           const Progress &progress)
{
    validateTrainingData(x, labels, true);
    quietXgboost();
    std::vector<std::size_t> fitRows;
    std::vector<std::size_t> stopRows;
    const bool earlyStopping = params.earlyStoppingRounds > 0;
    if (earlyStopping) {
        // A stratified share of the rows, drawn with the learner's seed.
        const int groups = std::max(2, int(std::lround(1.0 / params.earlyStoppingFraction)));
        const std::vector<int> fold = stratifiedFolds(labels, groups, params.seed ^ 0xb0057ULL);
        for (std::size_t i = 0; i < fold.size(); ++i)
            (fold[i] == 0 ? stopRows : fitRows).push_back(i);
    } else {
        for (std::size_t i = 0; i < labels.size(); ++i)
            fitRows.push_back(i);
    }
    const DMatrix fit(x, fitRows, labels, params.threads);
    std::unique_ptr<DMatrix> stop;
    if (earlyStopping)
        stop = std::make_unique<DMatrix>(x, stopRows, labels, params.threads);

    Booster booster;
    std::vector<DMatrixHandle> cached{fit.handle};
    if (stop)
        cached.push_back(stop->handle);
    check(XGBoosterCreate(cached.data(), bst_ulong(cached.size()), &booster.handle), "creating the booster");
    booster.set("objective", "binary:logistic");
    booster.set("tree_method", "hist");
    booster.set("eval_metric", "logloss");
    booster.set("base_score", "0.5");
    booster.set("eta", number(params.eta));
    booster.set("max_depth", std::to_string(params.maxDepth));
    booster.set("max_leaves", std::to_string(params.maxLeaves));
    booster.set("grow_policy", params.maxDepth == 0 ? "lossguide" : "depthwise");
    booster.set("min_child_weight", number(params.minChildWeight));
    booster.set("lambda", number(params.lambda));
    booster.set("alpha", number(params.alpha));
    booster.set("gamma", number(params.gamma));
    booster.set("subsample", number(params.subsample));
    booster.set("colsample_bytree", number(params.colsampleByTree));
    booster.set("max_bin", std::to_string(params.maxBin));
    booster.set("nthread", std::to_string(params.threads));
    booster.set("seed", std::to_string(params.seed));

    int best = 0;
    double bestLoss = std::numeric_limits<double>::infinity();
    int done = 0;
    for (int round = 0; round < params.rounds; ++round) {
        progress.checkCancelled();
        check(XGBoosterUpdateOneIter(booster.handle, round, fit.handle), "boosting");
        done = round + 1;
        if (stop) {
            const char *names[] = {"stop"};
            const char *evaluation = nullptr;
            check(XGBoosterEvalOneIter(booster.handle, round, &stop->handle, names, 1, &evaluation), "evaluating");
            const double loss = lastMetric(evaluation);
            if (loss < bestLoss) {
                bestLoss = loss;
                best = round;
            } else if (round - best >= params.earlyStoppingRounds) {
                break;
            }
        } else {
            best = round;
        }
        progress.step(round + 1, params.rounds, QStringLiteral("xgboost round %1").arg(round + 1));
    }

    Booster kept;
    if (best + 1 < done)
        check(XGBoosterSlice(booster.handle, 0, best + 1, 1, &kept.handle), "keeping the best rounds");
    const BoosterHandle chosen = kept.handle ? kept.handle : booster.handle;
    bst_ulong length = 0;
    const char *bytes = nullptr;
    check(XGBoosterSaveModelToBuffer(chosen, "{\"format\": \"json\"}", &length, &bytes), "saving the booster");
    m_json.assign(bytes, std::size_t(length));
    m_trees = parseBooster(m_json);

    m_heldOut.clear();
    if (stop) {
        m_heldOut.assign(labels.size(), std::numeric_limits<double>::quiet_NaN());
        for (std::size_t r : stopRows)
            m_heldOut[r] = sigmoid(m_trees.output(x.row(r)));
    }
}

QString XgboostLearner::heldOutScores(const LearnerParams &params) const
{
    if (params.earlyStoppingRounds <= 0)
        return {};
    return QStringLiteral("the %1% of the training rows held out of boosting for early stopping")
        .arg(params.earlyStoppingFraction * 100, 0, 'g', 3);
}

QString XgboostLearner::library() const
{
    int major = 0, minor = 0, patch = 0;
    XGBoostVersion(&major, &minor, &patch);
    return QStringLiteral("XGBoost %1.%2.%3").arg(major).arg(minor).arg(patch);
}

TreeEnsemble XgboostLearner::parseBooster(const std::string &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromRawData(json.data(), qsizetype(json.size())), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        throw std::runtime_error("booster: not XGBoost JSON: " + error.errorString().toStdString());
    const QJsonObject learner = document.object().value(QStringLiteral("learner")).toObject();
    const QString objective = learner.value(QStringLiteral("objective")).toObject().value(QStringLiteral("name")).toString();
    if (objective != QLatin1String("binary:logistic"))
        throw std::runtime_error("booster: objective \"" + objective.toStdString() + "\", expected binary:logistic");
    const QJsonObject booster = learner.value(QStringLiteral("gradient_booster")).toObject();
    if (booster.value(QStringLiteral("name")).toString() != QLatin1String("gbtree"))
        throw std::runtime_error("booster: not a gbtree booster");
    const QJsonObject parameters = learner.value(QStringLiteral("learner_model_param")).toObject();
    bool ok = false;
    const double baseScore = parameters.value(QStringLiteral("base_score")).toString().toDouble(&ok);
    if (!ok || !(baseScore > 0 && baseScore < 1))
        throw std::runtime_error("booster: base_score is not a probability");
    const int features = parameters.value(QStringLiteral("num_feature")).toString().toInt(&ok);
    if (!ok || features < 0 || features > (1 << 24))
        throw std::runtime_error("booster: num_feature is not a count of features");
    const QString classes = parameters.value(QStringLiteral("num_class")).toString();
    if (classes != QLatin1String("0") && classes != QLatin1String("1"))
        throw std::runtime_error("booster: num_class " + classes.toStdString() + ": a binary model has 0");

    TreeEnsemble ensemble;
    ensemble.base = std::log(baseScore / (1 - baseScore)); // the margin every row starts from
    ensemble.scale = 1;
    const QJsonObject treesModel = booster.value(QStringLiteral("model")).toObject();
    if (!treesModel.value(QStringLiteral("trees")).isArray())
        throw std::runtime_error("booster: no list of trees");
    const QJsonArray trees = treesModel.value(QStringLiteral("trees")).toArray();
    const qlonglong stated = treesModel.value(QStringLiteral("gbtree_model_param"))
                                 .toObject()
                                 .value(QStringLiteral("num_trees"))
                                 .toString()
                                 .toLongLong(&ok);
    if (!ok || stated != trees.size())
        throw std::runtime_error("booster: gbtree_model_param.num_trees does not match the " + std::to_string(trees.size())
                                 + " trees");
    ensemble.trees.resize(std::size_t(trees.size()));
    for (qsizetype t = 0; t < trees.size(); ++t) {
        const QJsonObject tree = trees[t].toObject();
        const qsizetype n
            = tree.value(QStringLiteral("tree_param")).toObject().value(QStringLiteral("num_nodes")).toString().toLongLong(&ok);
        if (!ok || n < 1 || n > (qsizetype(1) << 24))
            throw std::runtime_error("booster: tree " + std::to_string(t) + " has no valid num_nodes");
        const QJsonArray left = array(tree, "left_children", n);
        const QJsonArray right = array(tree, "right_children", n);
        const QJsonArray feature = array(tree, "split_indices", n);
        const QJsonArray condition = array(tree, "split_conditions", n);
        const QJsonArray defaultLeft = array(tree, "default_left", n);
        const QJsonArray hessian = array(tree, "sum_hessian", n);
        const QJsonArray splitType = tree.value(QStringLiteral("split_type")).toArray();
        std::vector<TreeEnsemble::Node> &nodes = ensemble.trees[std::size_t(t)].nodes;
        nodes.resize(std::size_t(n));
        for (qsizetype i = 0; i < n; ++i) {
            TreeEnsemble::Node &node = nodes[std::size_t(i)];
            const qint64 l = left[i].toInteger(-2);
            const qint64 r = right[i].toInteger(-2);
            if (l == -1 && r == -1) {
                node.value = condition[i].toDouble(std::numeric_limits<double>::quiet_NaN());
                node.cover = hessian[i].toDouble(std::numeric_limits<double>::quiet_NaN());
                continue;
            }
            if (l < 0 || r < 0 || l >= n || r >= n)
                throw std::runtime_error("booster: tree " + std::to_string(t) + " node " + std::to_string(i)
                                         + " has a child outside the tree");
            const qint64 f = feature[i].toInteger(-1);
            if (f < 0 || f >= features)
                throw std::runtime_error("booster: tree " + std::to_string(t) + " node " + std::to_string(i)
                                         + " splits on a feature outside 0.." + std::to_string(features - 1));
            if (i < splitType.size() && splitType[i].toInteger(0) != 0)
                throw std::runtime_error("booster: categorical splits are not supported");
            node.left = std::uint32_t(l);
            node.right = std::uint32_t(r);
            node.feature = std::uint32_t(f);
            node.threshold = float(condition[i].toDouble(std::numeric_limits<double>::quiet_NaN()));
            node.defaultLeft = defaultLeft[i].toInteger(0) != 0;
        }
    }
    ensemble.finish();
    return ensemble;
}

double XgboostLearner::score(const float *row, std::size_t width) const
{
    checkInputWidth(width);
    return sigmoid(m_trees.output(row));
}

std::vector<double> XgboostLearner::scoreAll(const FeatureMatrix &x) const
{
    checkInputWidth(x.cols());
    std::vector<double> scores(x.rows());
    forEachRange(x.rows(), 2048, [&](std::size_t begin, std::size_t end) {
        const float *rows[TreeEnsemble::kBlock];
        for (std::size_t block = begin; block < end; block += TreeEnsemble::kBlock) {
            const std::size_t count = std::min(end - block, TreeEnsemble::kBlock);
            for (std::size_t i = 0; i < count; ++i)
                rows[i] = x.row(block + i);
            m_trees.outputBlock(rows, count, scores.data() + block);
            for (std::size_t i = 0; i < count; ++i)
                scores[block + i] = sigmoid(scores[block + i]);
        }
    });
    return scores;
}

std::optional<double> XgboostLearner::exactAttributions(const float *row, std::size_t width, const std::vector<double> &,
                                                        double *phi) const
{
    checkInputWidth(width);
    m_trees.shap(row, phi);
    return m_trees.expectedOutput();
}

void XgboostLearner::checkInputWidth(std::size_t width) const
{
    if (m_trees.featuresUsed() > width)
        throw SchemaError(
            QStringLiteral("the booster splits on feature %1 but rows have %2 features").arg(m_trees.featuresUsed()).arg(width));
}

void XgboostLearner::save(std::ostream &out) const
{
    out.write(kMagic, sizeof kMagic);
    const std::uint64_t size = m_json.size();
    char le[8];
    for (int i = 0; i < 8; ++i)
        le[i] = char((size >> (8 * i)) & 0xff);
    out.write(le, 8);
    out.write(m_json.data(), std::streamsize(m_json.size()));
}

void XgboostLearner::load(std::istream &in)
{
    char magic[sizeof kMagic];
    if (!in.read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0)
        throw dlib::serialization_error("not an XGBoost booster (wrong signature)");
    unsigned char le[8];
    if (!in.read(reinterpret_cast<char *>(le), 8))
        throw dlib::serialization_error("booster: truncated before its size");
    std::uint64_t size = 0;
    for (int i = 0; i < 8; ++i)
        size |= std::uint64_t(le[i]) << (8 * i);
    const std::streampos here = in.tellg();
    in.seekg(0, std::ios::end);
    const std::uint64_t left = std::uint64_t(in.tellg() - here);
    in.seekg(here);
    if (size > kMaxBoosterBytes || size != left)
        throw dlib::serialization_error("booster: says " + std::to_string(size) + " bytes, the data holds "
                                        + std::to_string(left));
    m_json.resize(std::size_t(size));
    in.read(m_json.data(), std::streamsize(size));
    try {
        m_trees = parseBooster(m_json);
    } catch (const std::runtime_error &e) {
        throw dlib::serialization_error(e.what());
    }
    m_heldOut.clear();
}

} // namespace Audit
