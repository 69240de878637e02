#include "params.h"

#include <limits>

#include <QDir>
#include <QFileInfo>

#include "schemaerror.h"
#include "yamlutil.h"

namespace Audit {

namespace {

constexpr int kMaxWhole = std::numeric_limits<int>::max();

} // namespace

QJsonObject LearnerParams::toJson() const
{
    QJsonObject json{{QStringLiteral("learner"), enumName(kind)}, {QStringLiteral("seed"), qint64(seed)}};
    switch (kind) {
    case LearnerKind::Logistic:
        json.insert(QStringLiteral("c"), c);
        json.insert(QStringLiteral("max_iterations"), maxIterations);
        break;
    case LearnerKind::LinearSvm:
        json.insert(QStringLiteral("c"), c);
        break;
    case LearnerKind::RandomForest:
        json.insert(QStringLiteral("trees"), trees);
        json.insert(QStringLiteral("min_leaf"), minLeaf);
        json.insert(QStringLiteral("min_leaf_fraction"), minLeafFraction);
        json.insert(QStringLiteral("feature_fraction"), featureFraction);
        break;
    case LearnerKind::Mlp:
        json.insert(QStringLiteral("hidden1"), hidden1);
        json.insert(QStringLiteral("hidden2"), hidden2);
        json.insert(QStringLiteral("epochs"), epochs);
        json.insert(QStringLiteral("batch_size"), batchSize);
        json.insert(QStringLiteral("learning_rate"), learningRate);
        json.insert(QStringLiteral("weight_decay"), weightDecay);
        break;
    case LearnerKind::Xgboost:
        json.insert(QStringLiteral("rounds"), rounds);
        json.insert(QStringLiteral("eta"), eta);
        json.insert(QStringLiteral("max_depth"), maxDepth);
        json.insert(QStringLiteral("max_leaves"), maxLeaves);
        json.insert(QStringLiteral("min_child_weight"), minChildWeight);
        json.insert(QStringLiteral("lambda"), lambda);
        json.insert(QStringLiteral("alpha"), alpha);
        json.insert(QStringLiteral("gamma"), gamma);
        json.insert(QStringLiteral("subsample"), subsample);
        json.insert(QStringLiteral("colsample_bytree"), colsampleByTree);
        json.insert(QStringLiteral("max_bin"), maxBin);
        json.insert(QStringLiteral("early_stopping_rounds"), earlyStoppingRounds);
        json.insert(QStringLiteral("early_stopping_fraction"), earlyStoppingFraction);
        json.insert(QStringLiteral("threads"), threads);
        break;
    }
    return json;
}

LearnerParams LearnerParams::fromJson(const QJsonObject &json)
{
    LearnerParams p;
    const std::optional<LearnerKind> kind = enumFromName<LearnerKind>(json.value(QStringLiteral("learner")).toString());
    if (!kind)
        throw SchemaError(QStringLiteral("params: unknown learner \"%1\"").arg(json.value(QStringLiteral("learner")).toString()));
    p.kind = *kind;
    p.seed = std::uint64_t(json.value(QStringLiteral("seed")).toInteger(42));
    p.c = json.value(QStringLiteral("c")).toDouble(p.c);
    p.maxIterations = json.value(QStringLiteral("max_iterations")).toInt(p.maxIterations);
    p.trees = json.value(QStringLiteral("trees")).toInt(p.trees);
    p.minLeaf = json.value(QStringLiteral("min_leaf")).toInt(p.minLeaf);
    p.minLeafFraction = json.value(QStringLiteral("min_leaf_fraction")).toDouble(p.minLeafFraction);
    p.featureFraction = json.value(QStringLiteral("feature_fraction")).toDouble(p.featureFraction);
    p.hidden1 = json.value(QStringLiteral("hidden1")).toInt(p.hidden1);
    p.hidden2 = json.value(QStringLiteral("hidden2")).toInt(p.hidden2);
    p.epochs = json.value(QStringLiteral("epochs")).toInt(p.epochs);
    p.batchSize = json.value(QStringLiteral("batch_size")).toInt(p.batchSize);
    p.learningRate = json.value(QStringLiteral("learning_rate")).toDouble(p.learningRate);
    p.weightDecay = json.value(QStringLiteral("weight_decay")).toDouble(p.weightDecay);
    p.rounds = json.value(QStringLiteral("rounds")).toInt(p.rounds);
    p.eta = json.value(QStringLiteral("eta")).toDouble(p.eta);
    p.maxDepth = json.value(QStringLiteral("max_depth")).toInt(p.maxDepth);
    p.maxLeaves = json.value(QStringLiteral("max_leaves")).toInt(p.maxLeaves);
    p.minChildWeight = json.value(QStringLiteral("min_child_weight")).toDouble(p.minChildWeight);
    p.lambda = json.value(QStringLiteral("lambda")).toDouble(p.lambda);
    p.alpha = json.value(QStringLiteral("alpha")).toDouble(p.alpha);
    p.gamma = json.value(QStringLiteral("gamma")).toDouble(p.gamma);
    p.subsample = json.value(QStringLiteral("subsample")).toDouble(p.subsample);
    p.colsampleByTree = json.value(QStringLiteral("colsample_bytree")).toDouble(p.colsampleByTree);
    p.maxBin = json.value(QStringLiteral("max_bin")).toInt(p.maxBin);
    p.earlyStoppingRounds = json.value(QStringLiteral("early_stopping_rounds")).toInt(p.earlyStoppingRounds);
    p.earlyStoppingFraction = json.value(QStringLiteral("early_stopping_fraction")).toDouble(p.earlyStoppingFraction);
    p.threads = json.value(QStringLiteral("threads")).toInt(p.threads);
    return p;
}

SplitParams SplitParams::fromYamlFile(const QString &path)
{
    const YamlReader reader(path);
    const YAML::Node root = reader.parse(YamlReader::readFile(path, QStringLiteral("params")));
    SplitParams params;
    if (const YAML::Node split = root["split"]; split) {
        reader.onlyKeys(split, QStringLiteral("split"),
                        {QStringLiteral("test_size"), QStringLiteral("seed"), QStringLiteral("stratify")});
        params.testSize = reader.number(split, QStringLiteral("split.test_size"), params.testSize, 1e-6, 1 - 1e-6);
        params.seed = std::uint64_t(reader.integer(split, QStringLiteral("split.seed"), 42, 0, kMaxWhole));
        params.stratify = reader.optionalString(split, QStringLiteral("split.stratify"), QStringLiteral("false"))
            == QLatin1String("true");
    }
    return params;
}

TrainParams TrainParams::fromYamlFile(const QString &path)
{
    TrainParams params = fromYaml(YamlReader::readFile(path, QStringLiteral("params")), path);
    // Relative data paths are relative to the folder the params file lives in.
    for (QString *p : {&params.schemaPath, &params.trainPath, &params.testPath, &params.rawPath}) {
        if (!p->isEmpty() && QFileInfo(*p).isRelative())
            *p = QFileInfo(path).dir().filePath(*p);
    }
    return params;
}

TrainParams TrainParams::fromYaml(const QByteArray &yaml, const QString &sourceName)
{
    const YamlReader reader(sourceName);
    const YAML::Node root = reader.parse(yaml);
    TrainParams params;
    // Other sections may hold other tools' params, but none twice: YAML readers disagree on
    // which of two "model:" blocks counts (this one took the first, PyYAML and DVC the last).
    if (root.IsMap()) {
        QStringList seen;
        for (auto it = root.begin(); it != root.end(); ++it) {
            const QString key = QString::fromStdString(it->first.as<std::string>(std::string()));
            if (seen.contains(key))
                reader.fail(it->first, key, QStringLiteral("a second \"%1:\" section; keep one").arg(key));
            seen << key;
        }
    }

    if (const YAML::Node data = root["data"]; data) {
        reader.onlyKeys(data, QStringLiteral("data"),
                        {QStringLiteral("schema"), QStringLiteral("train"), QStringLiteral("test"), QStringLiteral("raw"),
                         QStringLiteral("clean")});
        params.schemaPath = reader.optionalString(data, QStringLiteral("data.schema"), {});
        params.trainPath = reader.optionalString(data, QStringLiteral("data.train"), {});
        params.testPath = reader.optionalString(data, QStringLiteral("data.test"), {});
        params.rawPath = reader.optionalString(data, QStringLiteral("data.raw"), {});
    }

    const YAML::Node model = reader.map(root, QStringLiteral("model"));
    reader.onlyKeys(model, QStringLiteral("model"),
                    {QStringLiteral("learner"), QStringLiteral("seed"), QStringLiteral("threshold"),
                     QStringLiteral("validation_fraction"), QStringLiteral("calibration"), QStringLiteral("log1p"),
                     QStringLiteral("logistic"), QStringLiteral("linear_svm"), QStringLiteral("random_forest"),
                     QStringLiteral("mlp"), QStringLiteral("xgboost")});
    reader.onlyKeys(model["logistic"], QStringLiteral("model.logistic"), {QStringLiteral("c"), QStringLiteral("max_iterations")});
    reader.onlyKeys(model["linear_svm"], QStringLiteral("model.linear_svm"), {QStringLiteral("c")});
    reader.onlyKeys(model["random_forest"], QStringLiteral("model.random_forest"),
                    {QStringLiteral("trees"), QStringLiteral("min_leaf"), QStringLiteral("min_leaf_fraction"),
                     QStringLiteral("feature_fraction")});
    reader.onlyKeys(model["mlp"], QStringLiteral("model.mlp"),
                    {QStringLiteral("hidden1"), QStringLiteral("hidden2"), QStringLiteral("epochs"), QStringLiteral("batch_size"),
                     QStringLiteral("learning_rate"), QStringLiteral("weight_decay")});
    reader.onlyKeys(model["xgboost"], QStringLiteral("model.xgboost"),
                    {QStringLiteral("rounds"), QStringLiteral("eta"), QStringLiteral("max_depth"), QStringLiteral("max_leaves"),
                     QStringLiteral("min_child_weight"), QStringLiteral("lambda"), QStringLiteral("alpha"),
                     QStringLiteral("gamma"), QStringLiteral("subsample"), QStringLiteral("colsample_bytree"),
                     QStringLiteral("max_bin"), QStringLiteral("early_stopping_rounds"),
                     QStringLiteral("early_stopping_fraction"), QStringLiteral("threads")});
    LearnerParams &l = params.learner;
    const QString learner = reader.string(model, QStringLiteral("model.learner"));
    const std::optional<LearnerKind> kind = enumFromName<LearnerKind>(learner);
    if (!kind)
        reader.fail(model["learner"], QStringLiteral("model.learner"),
                    QStringLiteral("unknown learner \"%1\"; expected %2").arg(learner, enumNameList<LearnerKind>()));
    l.kind = *kind;
    l.seed = std::uint64_t(reader.integer(model, QStringLiteral("model.seed"), 42, 0, kMaxWhole));

    const QString threshold = reader.optionalString(model, QStringLiteral("model.threshold"), QStringLiteral("tune"));
    if (threshold == QLatin1String("tune")) {
        params.tuneThreshold = true;
    } else {
        params.tuneThreshold = false;
        params.threshold = reader.number(model, QStringLiteral("model.threshold"), 0.5, 0.0, 1.0);
    }
    params.validationFraction = reader.number(model, QStringLiteral("model.validation_fraction"), params.validationFraction, 0.05,
                                              0.5);
    const QString calibration = reader.optionalString(model, QStringLiteral("model.calibration"), QStringLiteral("none"));
    const std::optional<CalibrationMethod> method = enumFromName<CalibrationMethod>(calibration);
    if (!method)
        reader.fail(
            model["calibration"], QStringLiteral("model.calibration"),
            QStringLiteral("unknown calibration \"%1\"; expected %2").arg(calibration, enumNameList<CalibrationMethod>()));
    params.calibration = *method;
    const QString log1p = reader.optionalString(model, QStringLiteral("model.log1p"), QStringLiteral("auto"));
    if (log1p != QLatin1String("auto") && log1p != QLatin1String("none"))
        reader.fail(model["log1p"], QStringLiteral("model.log1p"),
                    QStringLiteral("expected auto or none, found \"%1\"").arg(log1p));
    params.encoder.autoLog1p = log1p == QLatin1String("auto");

    if (const YAML::Node n = model["logistic"]; n && l.kind == LearnerKind::Logistic) {
        l.c = reader.number(n, QStringLiteral("model.logistic.c"), l.c, 1e-6, 1e6);
        l.maxIterations = reader.integer(n, QStringLiteral("model.logistic.max_iterations"), l.maxIterations, 1, 100000);
    }
    if (const YAML::Node n = model["linear_svm"]; n && l.kind == LearnerKind::LinearSvm)
        l.c = reader.number(n, QStringLiteral("model.linear_svm.c"), 1.0, 1e-6, 1e6);
    if (const YAML::Node n = model["random_forest"]; n) {
        l.trees = reader.integer(n, QStringLiteral("model.random_forest.trees"), l.trees, 1, 10000);
        l.minLeaf = reader.integer(n, QStringLiteral("model.random_forest.min_leaf"), l.minLeaf, 1, kMaxWhole);
        l.featureFraction = reader.number(n, QStringLiteral("model.random_forest.feature_fraction"), l.featureFraction, 1e-3,
                                          1.0);
        l.minLeafFraction = reader.number(n, QStringLiteral("model.random_forest.min_leaf_fraction"), l.minLeafFraction, 0.0,
                                          0.5);
    }
    if (const YAML::Node n = model["mlp"]; n) {
        l.hidden1 = reader.integer(n, QStringLiteral("model.mlp.hidden1"), l.hidden1, 1, 4096);
        l.hidden2 = reader.integer(n, QStringLiteral("model.mlp.hidden2"), l.hidden2, 1, 4096);
        l.epochs = reader.integer(n, QStringLiteral("model.mlp.epochs"), l.epochs, 1, 10000);
        l.batchSize = reader.integer(n, QStringLiteral("model.mlp.batch_size"), l.batchSize, 1, 1 << 20);
        l.learningRate = reader.number(n, QStringLiteral("model.mlp.learning_rate"), l.learningRate, 1e-7, 1.0);
        l.weightDecay = reader.number(n, QStringLiteral("model.mlp.weight_decay"), l.weightDecay, 0.0, 1.0);
    }
    if (const YAML::Node n = model["xgboost"]; n) {
        const auto key = [](const char *name) { return QStringLiteral("model.xgboost.") + QLatin1String(name); };
        l.rounds = reader.integer(n, key("rounds"), l.rounds, 1, 100000);
        l.eta = reader.number(n, key("eta"), l.eta, 1e-6, 1.0);
        l.maxDepth = reader.integer(n, key("max_depth"), l.maxDepth, 0, 32);
        l.maxLeaves = reader.integer(n, key("max_leaves"), l.maxLeaves, 0, 1 << 16);
        l.minChildWeight = reader.number(n, key("min_child_weight"), l.minChildWeight, 0.0, 1e9);
        l.lambda = reader.number(n, key("lambda"), l.lambda, 0.0, 1e9);
        l.alpha = reader.number(n, key("alpha"), l.alpha, 0.0, 1e9);
        l.gamma = reader.number(n, key("gamma"), l.gamma, 0.0, 1e9);
        l.subsample = reader.number(n, key("subsample"), l.subsample, 1e-3, 1.0);
        l.colsampleByTree = reader.number(n, key("colsample_bytree"), l.colsampleByTree, 1e-3, 1.0);
        l.maxBin = reader.integer(n, key("max_bin"), l.maxBin, 2, 65536);
        l.earlyStoppingRounds = reader.integer(n, key("early_stopping_rounds"), l.earlyStoppingRounds, 0, 100000);
        l.earlyStoppingFraction = reader.number(n, key("early_stopping_fraction"), l.earlyStoppingFraction, 0.01, 0.5);
        l.threads = reader.integer(n, key("threads"), l.threads, 1, 256);
        if (l.maxDepth == 0 && l.maxLeaves == 0)
            reader.fail(n["max_depth"], key("max_depth"),
                        QStringLiteral("max_depth 0 needs max_leaves > 0: a tree must be bounded by one of them"));
    }
    if (const YAML::Node evaluate = root["evaluate"]; evaluate)
        reader.onlyKeys(evaluate, QStringLiteral("evaluate"), {QStringLiteral("beta")});
    if (const YAML::Node evaluate = root["evaluate"]; evaluate)
        params.beta = reader.number(evaluate, QStringLiteral("evaluate.beta"), params.beta, 1e-3, 1e3);
    if (const YAML::Node m = root["mitigation"]; m) {
        reader.onlyKeys(m, QStringLiteral("mitigation"),
                        {QStringLiteral("constraint"), QStringLiteral("attribute"), QStringLiteral("tolerance"),
                         QStringLiteral("objective"), QStringLiteral("folds")});
        MitigationParams &p = params.mitigation;
        p.constraint = reader.optionalString(m, QStringLiteral("mitigation.constraint"), p.constraint);
        const QStringList constraints{QStringLiteral("none"), QStringLiteral("demographic_parity"),
                                      QStringLiteral("equal_opportunity"), QStringLiteral("equalized_odds")};
        if (!constraints.contains(p.constraint))
            reader.fail(m["constraint"], QStringLiteral("mitigation.constraint"),
                        QStringLiteral("unknown constraint \"%1\"; expected %2")
                            .arg(p.constraint, constraints.join(QStringLiteral(", "))));
        p.attribute = reader.optionalString(m, QStringLiteral("mitigation.attribute"), {});
        if (p.active() && p.attribute.isEmpty())
            reader.fail(m["attribute"] ? m["attribute"] : m, QStringLiteral("mitigation.attribute"),
                        QStringLiteral("a constraint needs the attribute whose groups get thresholds"));
        p.tolerance = reader.number(m, QStringLiteral("mitigation.tolerance"), p.tolerance, 0.0, 1.0);
        p.objective = reader.optionalString(m, QStringLiteral("mitigation.objective"), p.objective);
        p.folds = reader.integer(m, QStringLiteral("mitigation.folds"), p.folds, 2, 20);
        const auto where = [&](const char *key) {
            const YAML::Node n = m[key] ? m[key] : m;
            return QStringLiteral("%1:%2: mitigation.%3").arg(sourceName).arg(n.Mark().line + 1).arg(QLatin1String(key));
        };
        p.attributeWhere = where("attribute");
        p.objectiveWhere = where("objective");
    }
    return params;
}

} // namespace Audit
