#pragma once

#include <cstdint>

#include <QJsonObject>
#include <QString>

#include "enumnames.h"
#include "featureencoder.h"

namespace Audit {

enum class LearnerKind { Logistic, LinearSvm, RandomForest, Mlp };

template <>
struct EnumNames<LearnerKind>
{
    static constexpr std::array<std::pair<LearnerKind, const char *>, 4> table{{{LearnerKind::Logistic, "logistic"},
                                                                                {LearnerKind::LinearSvm, "linear_svm"},
                                                                                {LearnerKind::RandomForest, "random_forest"},
                                                                                {LearnerKind::Mlp, "mlp"}}};
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

// Everything `train` reads from params.yaml.
struct TrainParams
{
    LearnerParams learner;
    bool tuneThreshold = true; // pick the F1-best threshold on an inner validation split
    double threshold = 0.5; // used when tuneThreshold is false
    double validationFraction = 0.2;
    double beta = 1.0; // F-beta used for tuning and reports
    EncoderOptions encoder;
    QString schemaPath; // data.schema, relative to the params file's folder
    QString trainPath; // data.train (resolved like schemaPath); may be empty
    QString testPath; // data.test
    QString rawPath; // data.raw

    // Throws: SchemaError naming the file, line and key; IoError when unreadable.
    static TrainParams fromYamlFile(const QString &path);
    static TrainParams fromYaml(const QByteArray &yaml, const QString &sourceName);
};

} // namespace Audit
