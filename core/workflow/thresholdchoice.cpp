#include "thresholdchoice.h"

#include <QFileInfo>

#include "auditerror.h"
#include "csvreader.h"
#include "project.h"
#include "trainer.h"

namespace Audit {

namespace {

bool sameFile(const QString &a, const QString &b)
{
    if (a.isEmpty() || b.isEmpty())
        return false;
    const QFileInfo x(a);
    const QFileInfo y(b);
    if (x.exists() && y.exists())
        return x.canonicalFilePath() == y.canonicalFilePath();
    return x.absoluteFilePath() == y.absoluteFilePath();
}

} // namespace

QStringList splitWarnings(const QString &dataPath, const Project *project)
{
    if (!project)
        return {};
    const TrainParams &params = project->params();
    if (sameFile(dataPath, params.testPath))
        return {QStringLiteral("%1 is the test split (data.test in %2): a threshold chosen on it makes every figure "
                               "reported on it afterwards optimistic. Choose on a validation split and report on the "
                               "test split.")
                    .arg(QFileInfo(dataPath).fileName(), project->paramsPath())};
    if (sameFile(dataPath, params.trainPath))
        return {QStringLiteral("%1 is the training split (data.train in %2): the model has seen these rows, so their "
                               "scores are in-sample and the chosen threshold may not carry over to new data.")
                    .arg(QFileInfo(dataPath).fileName(), project->paramsPath())};
    return {};
}

OperatingPointReport chooseThreshold(const ScoredData &scored, const Objective &objective, double currentThreshold,
                                     const Project *project, int resamples, std::uint64_t seed)
{
    OperatingPointReport report;
    try {
        report = optimiseThreshold(scored.scores, scored.labels, objective, currentThreshold, resamples, seed);
    } catch (const OptionError &e) {
        if (e.field() != QLatin1String("data"))
            throw;
        throw OptionError(e.field(), QStringLiteral("%1: %2").arg(scored.source, e.message())); // name the file
    }
    report.source = scored.source;
    report.modelId = scored.modelId;
    report.warnings = splitWarnings(scored.source, project);
    return report;
}

OperatingPointReport chooseThresholdByCrossValidation(const Project &project, int folds, const Objective &objective,
                                                      double currentThreshold, int resamples, std::uint64_t seed,
                                                      const Progress &progress)
{
    const TrainParams &params = project.params();
    if (params.trainPath.isEmpty())
        throw UsageError(
            QStringLiteral("%1 names no data.train: cross-validated scores need the training split").arg(project.paramsPath()));
    const Schema schema = project.loadSchema();
    const LoadReport train = CsvReader::read(params.trainPath, schema, {});
    const CrossValidationReport cv = crossValidate(train.data, params, folds, progress);
    OperatingPointReport report = optimiseThreshold(cv.outOfFold, train.data.labels, objective, currentThreshold, resamples,
                                                    seed);
    report.source = QStringLiteral("%1-fold out-of-fold scores of %2").arg(folds).arg(params.trainPath);
    report.modelId = QStringLiteral("cv");
    return report;
}

} // namespace Audit
