#include "trainer.h"

#include <cmath>

#include <QJsonArray>

#include "learnerfactory.h"
#include "rng.h"
#include "schemaerror.h"

namespace Audit {

namespace {

std::vector<std::int8_t> pick(const std::vector<std::int8_t> &labels, const std::vector<std::size_t> &rows)
{
    std::vector<std::int8_t> out;
    out.reserve(rows.size());
    for (std::size_t r : rows)
        out.push_back(labels[r]);
    return out;
}

// Scales a sub-task's progress into a slice [from, to) of the caller's 0..1000 range.
Progress subProgress(const Progress &outer, int from, int to, const QString &prefix)
{
    Progress inner;
    inner.isCancelled = outer.isCancelled;
    if (outer.report) {
        inner.report = [outer, from, to, prefix](int done, int total, const QString &stage) {
            const int scaled = from + (total > 0 ? (to - from) * done / total : 0);
            outer.report(scaled, 1000, prefix.isEmpty() ? stage : prefix + QStringLiteral(": ") + stage);
        };
    }
    return inner;
}

} // namespace

std::vector<int> stratifiedFolds(const std::vector<std::int8_t> &labels, int folds, std::uint64_t seed)
{
    std::vector<int> fold(labels.size(), 0);
    Rng rng(seed);
    for (std::int8_t cls : {std::int8_t(0), std::int8_t(1)}) {
        std::vector<std::size_t> members;
        for (std::size_t i = 0; i < labels.size(); ++i) {
            if (labels[i] == cls)
                members.push_back(i);
        }
        rng.shuffle(members);
        for (std::size_t k = 0; k < members.size(); ++k)
            fold[members[k]] = int(k % std::size_t(folds));
    }
    return fold;
}

Model trainModel(const Dataset &train, const TrainParams &params, const Progress &progress)
{
    if (!train.hasLabels())
        throw SchemaError(train.noLabelsMessage(QStringLiteral("training")));
    progress.step(0, 1000, QStringLiteral("encoding"));
    EncoderOptions encoderOptions = params.encoder;
    encoderOptions.nativeMissing = params.learner.kind == LearnerKind::Xgboost;
    const FeatureEncoder encoder = FeatureEncoder::fit(train, encoderOptions);
    const FeatureMatrix x = encoder.encode(train);
    validateTrainingData(x, train.labels, encoderOptions.nativeMissing);

    TrainingInfo info;
    info.dataMd5 = train.md5;
    info.rows = std::int64_t(train.rowCount());
    info.positives = std::int64_t(train.positives());

    double threshold = params.threshold;
    std::unique_ptr<Learner> learner = makeLearner(params.learner.kind);
    const bool calibrate = params.calibration != CalibrationMethod::None;
    // Held-out training rows (never test rows) tune the threshold and fit the calibration map.
    const bool heldOutNeeded = params.tuneThreshold || calibrate;
    const QString outOfBagRows = learner->heldOutScores(params.learner);
    const bool outOfBag = heldOutNeeded && !outOfBagRows.isEmpty();
    std::vector<double> heldScores;
    std::vector<std::int8_t> heldLabels;
    QString heldOutRows;
    int finalFrom = 0;
    if (heldOutNeeded && !outOfBag) {
        // Hold out a stratified validation slice of the training rows: one fold of round(1/fraction).
        // The map fit on the inner model's scores there is applied to the final model, as
        // scikit-learn's CalibratedClassifierCV(ensemble=False) does with its folds.
        const int groups = std::max(2, int(std::lround(1.0 / params.validationFraction)));
        const std::vector<int> fold = stratifiedFolds(train.labels, groups, params.learner.seed ^ 0x5eedULL);
        std::vector<std::size_t> fitRows;
        std::vector<std::size_t> validationRows;
        for (std::size_t i = 0; i < fold.size(); ++i)
            (fold[i] == 0 ? validationRows : fitRows).push_back(i);
        const std::vector<std::int8_t> fitLabels = pick(train.labels, fitRows);
        heldLabels = pick(train.labels, validationRows);

        std::unique_ptr<Learner> inner = makeLearner(params.learner.kind);
        inner->train(x.subset(fitRows), fitLabels, params.learner,
                     subProgress(progress, 0, 450, QStringLiteral("threshold tuning")));
        heldScores = inner->scoreAll(x.subset(validationRows));
        heldOutRows = QStringLiteral("an inner validation split (%1 training rows, scored by a model fit on the others)")
                          .arg(validationRows.size());
        finalFrom = 500;
    }

    learner->train(x, train.labels, params.learner, subProgress(progress, finalFrom, 950, QStringLiteral("final model")));
    if (outOfBag) {
        // The rows some part of the model did not see (all of them for a forest's out-of-bag
        // scores; the early-stopping rows for boosting).
        const std::vector<double> all = learner->outOfBagScores();
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (!std::isnan(all[i])) {
                heldScores.push_back(all[i]);
                heldLabels.push_back(train.labels[i]);
            }
        }
        heldOutRows = QStringLiteral("%1 (%2 rows)").arg(outOfBagRows).arg(heldScores.size());
    }
    ScoreCalibration calibration;
    if (calibrate) {
        calibration = ScoreCalibration::fit(params.calibration, heldScores, heldLabels, heldOutRows);
        calibration.applyAll(heldScores);
    }
    if (params.tuneThreshold) {
        threshold = bestThreshold(heldScores, heldLabels, params.beta);
        info.thresholdTuned = true;
    }
    if (heldOutNeeded)
        info.validationMetrics = computeMetrics(heldScores, heldLabels, threshold, params.beta);
    std::vector<double> trainScores = learner->scoreAll(x);
    calibration.applyAll(trainScores);
    info.trainMetrics = computeMetrics(trainScores, train.labels, threshold, params.beta);
    progress.step(1000, 1000, QStringLiteral("done"));
    return Model(train.schema, encoder, std::move(learner), params.learner, threshold, std::move(info),
                 ExplainBackground::of(x, params.learner.seed), std::move(calibration));
}

CrossValidationReport crossValidate(const Dataset &data, const TrainParams &params, int folds, const Progress &progress)
{
    if (folds < 2)
        throw OptionError(QStringLiteral("folds"), QStringLiteral("%1-fold cross-validation: needs at least 2 folds").arg(folds));
    const std::size_t positives = data.positives();
    const std::size_t fewest = std::min(positives, data.rowCount() - positives);
    if (fewest < std::size_t(folds))
        throw OptionError(QStringLiteral("folds"),
                          QStringLiteral("%1-fold cross-validation: the smaller class has only %2 rows; use fewer folds")
                              .arg(folds)
                              .arg(fewest));

    const std::vector<int> fold = stratifiedFolds(data.labels, folds, params.learner.seed);
    CrossValidationReport report;
    report.folds = folds;
    report.outOfFold.assign(data.rowCount(), 0.0);
    for (int k = 0; k < folds; ++k) {
        progress.checkCancelled();
        std::vector<std::size_t> trainRows;
        std::vector<std::size_t> testRows;
        for (std::size_t i = 0; i < fold.size(); ++i)
            (fold[i] == k ? testRows : trainRows).push_back(i);
        const Dataset trainPart = data.subset(trainRows);
        const Dataset testPart = data.subset(testRows);
        const Model model = trainModel(
            trainPart, params,
            subProgress(progress, 1000 * k / folds, 1000 * (k + 1) / folds, QStringLiteral("fold %1/%2").arg(k + 1).arg(folds)));
        const std::vector<double> scores = model.score(testPart);
        for (std::size_t i = 0; i < testRows.size(); ++i)
            report.outOfFold[testRows[i]] = scores[i];
        report.perFold.append(computeMetrics(scores, testPart.labels, model.threshold(), params.beta));
    }

    const std::vector<std::pair<QString, double BinaryMetrics::*>> fields = {
        {QStringLiteral("precision"), &BinaryMetrics::precision},
        {QStringLiteral("recall"), &BinaryMetrics::recall},
        {QStringLiteral("f1"), &BinaryMetrics::f1},
        {QStringLiteral("accuracy"), &BinaryMetrics::accuracy},
        {QStringLiteral("roc_auc"), &BinaryMetrics::rocAuc},
        {QStringLiteral("pr_auc"), &BinaryMetrics::prAuc},
        {QStringLiteral("log_loss"), &BinaryMetrics::logLoss},
        {QStringLiteral("brier"), &BinaryMetrics::brier},
        {QStringLiteral("threshold"), &BinaryMetrics::threshold},
    };
    for (const auto &[name, member] : fields) {
        double sum = 0;
        for (const BinaryMetrics &m : report.perFold)
            sum += m.*member;
        const double mean = sum / folds;
        double squares = 0;
        for (const BinaryMetrics &m : report.perFold)
            squares += (m.*member - mean) * (m.*member - mean);
        report.summary.append({name, mean, std::sqrt(squares / (folds - 1))});
    }
    return report;
}

QJsonObject CrossValidationReport::toJson() const
{
    QJsonObject mean;
    QJsonObject sd;
    for (const MetricSummary &s : summary) {
        mean.insert(s.name, jsonNumber(s.mean));
        sd.insert(s.name, jsonNumber(s.sd));
    }
    QJsonArray perFoldJson;
    for (const BinaryMetrics &m : perFold)
        perFoldJson.append(m.toJson());
    return QJsonObject{{QStringLiteral("folds"), folds},
                       {QStringLiteral("mean"), mean},
                       {QStringLiteral("sd"), sd},
                       {QStringLiteral("per_fold"), perFoldJson}};
}

QString CrossValidationReport::toText() const
{
    QStringList lines;
    lines << QStringLiteral("%1-fold cross-validation (mean ± sd):").arg(folds);
    for (const MetricSummary &s : summary)
        lines << QStringLiteral("  %1 %2 ± %3").arg(s.name, -10).arg(s.mean, 0, 'f', 4).arg(s.sd, 0, 'f', 4);
    return lines.join(QLatin1Char('\n'));
}

} // namespace Audit
