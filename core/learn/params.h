#pragma once

#include <cstdint>

#include <QJsonObject>
#include <QString>

#include "enumnames.h"
#include "featureencoder.h"

namespace Audit {

enum class LearnerKind { Logistic, LinearSvm, RandomForest, Mlp, Xgboost };

template <>
struct EnumNames<LearnerKind>
{
    static constexpr std::array<std::pair<LearnerKind, const char *>, 5> table{{{LearnerKind::Logistic, "logistic"},
                                                                                {LearnerKind::LinearSvm, "linear_svm"},
                                                                                {LearnerKind::RandomForest, "random_forest"},
                                                                                {LearnerKind::Mlp, "mlp"},
                                                                                {LearnerKind::Xgboost, "xgboost"}}};
};

// Post-hoc calibration of a model's scores: none, Platt scaling (a logistic curve on the
// score's log-odds) or isotonic regression (a non-decreasing step map, linear between steps).
enum class CalibrationMethod { None, Platt, Isotonic };

template <>
struct EnumNames<CalibrationMethod>
{
    static constexpr std::array<std::pair<CalibrationMethod, const char *>, 3> table{
        {{CalibrationMethod::None, "none"}, {CalibrationMethod::Platt, "platt"}, {CalibrationMethod::Isotonic, "isotonic"}}};
};

// Hyper-parameters of every learner; only the chosen learner's are used and stored.
struct LearnerParams
{
    LearnerKind kind = LearnerKind::Mlp;
    std::uint64_t seed = 42;
    // logistic (L2, like scikit-learn's C) and linear_svm
    double c = 1.0;
    int maxIterations = 500;
    // random_forest
    int trees = 100;
    int minLeaf = 50;
    double minLeafFraction = 0.0; // leaves hold at least this fraction of the rows too (keeps depth, and
                                  // so time per row, constant as data grows); 0 = off
    double featureFraction = 0.15;
    // mlp: two hidden relu layers, adam
    int hidden1 = 64;
    int hidden2 = 32;
    int epochs = 10;
    int batchSize = 128;
    double learningRate = 0.001;
    double weightDecay = 0.0005;
    // xgboost (libxgboost, tree_method hist, objective binary:logistic)
    int rounds = 1000; // the most boosting rounds; early stopping usually ends sooner
    double eta = 0.1; // learning rate
    int maxDepth = 6; // XGBoost's default; 0: no depth limit (maxLeaves bounds the tree, lossguide)
    int maxLeaves = 0; // 0: no limit beyond the depth
    double minChildWeight = 1.0;
    double lambda = 1.0; // L2 on leaf weights
    double alpha = 0.0; // L1 on leaf weights
    double gamma = 0.0; // minimum loss reduction to split
    double subsample = 1.0;
    double colsampleByTree = 1.0;
    int maxBin = 256;
    int earlyStoppingRounds = 20; // 0: off (all rounds, no inner validation split)
    double earlyStoppingFraction = 0.1; // training rows held out to decide when to stop
    int threads = 2; // fixed so the model is the same on every machine

    QJsonObject toJson() const; // the chosen learner's parameters plus "learner" and "seed"
    static LearnerParams fromJson(const QJsonObject &json);
};

// The split section of params.yaml.
struct SplitParams
{
    double testSize = 0.2;
    std::uint64_t seed = 42;
    bool stratify = false;
    static SplitParams fromYamlFile(const QString &path); // throws SchemaError / IoError
};

// params.yaml's `mitigation`: group thresholds fitted after training (on the training rows'
// out-of-fold scores) and stored in the model. Checked against the schema and the objective
// grammar where they are used (train), with `where` naming the file and line.
struct MitigationParams
{
    QString constraint = QStringLiteral("none"); // none | demographic_parity | equal_opportunity | equalized_odds
    QString attribute; // a categorical column (a protected attribute)
    double tolerance = 0.02;
    QString objective = QStringLiteral("f1"); // as `threshold --objective`: f1, fbeta:B, cost:R, cost:fp=A,fn=B
    int folds = 5;
    QString attributeWhere; // "params.yaml:42: mitigation.attribute" for an error about it
    QString objectiveWhere;
    bool active() const { return constraint != QLatin1String("none"); }
};

// Everything `train` reads from params.yaml.
struct TrainParams
{
    LearnerParams learner;
    bool tuneThreshold = true; // pick the F1-best threshold on an inner validation split
    double threshold = 0.5; // used when tuneThreshold is false
    double validationFraction = 0.2;
    double beta = 1.0; // F-beta used for tuning and reports
    // Fit on held-out training rows after the learner, applied to every score (threshold included).
    CalibrationMethod calibration = CalibrationMethod::None;
    EncoderOptions encoder;
    MitigationParams mitigation;
    QString schemaPath; // data.schema, relative to the params file's folder
    QString trainPath; // data.train (resolved like schemaPath); may be empty
    QString testPath; // data.test
    QString rawPath; // data.raw

    // Throws: SchemaError naming the file, line and key; IoError when unreadable.
    static TrainParams fromYamlFile(const QString &path);
    static TrainParams fromYaml(const QByteArray &yaml, const QString &sourceName);
};

} // namespace Audit
