#include "thresholdsave.h"

#include <QFile>

#include "dvcfiles.h"
#include "fileio.h"
#include "threshold.h"
#include "yamlutil.h"

namespace Audit {

namespace {

ThresholdSave rewriteParamsAndRepro(const Project &project, const QByteArray &before, const QByteArray &after,
                                    const ReproOptions &options, ThresholdSave save)
{
    const QString paramsPath = project.paramsPath();
    writeFileAtomically(paramsPath, after);
    ReproOptions run = options;
    run.updateLock = true;
    run.check = false;
    run.dryRun = false;
    try {
        save.repro = PipelineRunner(project.dir()).repro(run);
    } catch (...) {
        writeFileAtomically(paramsPath, before);
        throw;
    }
    if (!save.repro.ok()) {
        // params.yaml back, and what the failed run already rewrote (the model, say) brought
        // back to it: the stages run again on the old params.
        writeFileAtomically(paramsPath, before);
        save.restored = true;
        try {
            save.outputsRestored = PipelineRunner(project.dir()).repro(run).ok();
        } catch (const AuditError &) {
            save.outputsRestored = false;
        }
    }
    return save;
}

} // namespace

ThresholdSave saveThresholdToModel(const Project &project, double threshold, const ReproOptions &options)
{
    checkedThreshold(threshold);
    if (project.params().mitigation.active())
        throw UsageError(QStringLiteral("%1 sets group thresholds (mitigation.constraint %2): model.threshold would only "
                                        "decide rows of no listed group. Take them away first (`mitigate --remove`).")
                             .arg(project.paramsPath(), project.params().mitigation.constraint));
    if (!QFile::exists(project.path(QStringLiteral("dvc.yaml"))))
        throw UsageError(QStringLiteral("%1 has no dvc.yaml: set model.threshold in %2 and train the model again")
                             .arg(project.dir(), project.paramsPath()));
    const QString paramsPath = project.paramsPath();
    const QByteArray before = YamlReader::readFile(paramsPath, QStringLiteral("params"));
    const YamlReader reader(paramsPath);
    ThresholdSave save;
    const YAML::Node model = reader.parse(before)["model"];
    save.previous = model && model["threshold"] && model["threshold"].IsScalar()
        ? QString::fromStdString(model["threshold"].Scalar())
        : QString();
    save.written = QString::number(threshold, 'g', 10);
    const QByteArray after = reader.withScalar(before, QStringLiteral("model.threshold"), save.written);
    return rewriteParamsAndRepro(project, before, after, options, save);
}

ThresholdSave saveMitigationToModel(const Project &project, const MitigationParams &mitigation, const ReproOptions &options)
{
    if (!QFile::exists(project.path(QStringLiteral("dvc.yaml"))))
        throw UsageError(QStringLiteral("%1 has no dvc.yaml: set the mitigation section of %2 and train the model again")
                             .arg(project.dir(), project.paramsPath()));
    bool listed = false;
    const DvcPipeline pipeline = DvcPipeline::load(project.dir()); // kept: stages() is a reference into it
    for (const DvcStage &stage : pipeline.stages()) {
        for (const DvcParamRef &param : stage.params)
            listed = listed || param.key == QLatin1String("mitigation") || param.key.startsWith(QLatin1String("mitigation."));
    }
    if (!listed)
        throw UsageError(QStringLiteral("%1: no stage lists the `mitigation` params, so changing them would not retrain the "
                                        "model; add \"- mitigation\" under the train stage's params")
                             .arg(project.path(QStringLiteral("dvc.yaml"))));
    const QString paramsPath = project.paramsPath();
    const QByteArray before = YamlReader::readFile(paramsPath, QStringLiteral("params"));
    const YamlReader reader(paramsPath);
    const YAML::Node existing = reader.parse(before)["mitigation"];
    ThresholdSave save;
    // Each as a person reads it: "equal_opportunity for sex, tolerance 0.02, f1, 5 folds".
    const auto described = [](const MitigationParams &m) {
        return m.active() ? QStringLiteral("%1 for %2, tolerance %3, %4, %5 folds")
                                .arg(m.constraint, m.attribute, QString::number(m.tolerance), m.objective)
                                .arg(m.folds)
                          : m.constraint;
    };
    if (existing)
        save.previous = described(TrainParams::fromYaml(before, paramsPath).mitigation);
    save.written = described(mitigation);
    QByteArray after = before;
    if (!existing) {
        if (!after.isEmpty() && !after.endsWith('\n'))
            after += '\n';
        // The keys in the order a person reads them (withScalar would put new ones first).
        after += "\n# Group thresholds fitted after training on the training rows' out-of-fold scores, stored in the\n"
                 "# model (`modelaudit-cli mitigate --apply`; README, Mitigation). constraint: none |\n"
                 "# demographic_parity | equal_opportunity | equalized_odds\nmitigation:\n  constraint: none\n";
        if (mitigation.active())
            after += "  attribute: x\n  tolerance: 0\n  objective: f1\n  folds: 5\n";
    }
    after = reader.withScalar(after, QStringLiteral("mitigation.constraint"), mitigation.constraint);
    if (mitigation.active()) {
        after = reader.withScalar(after, QStringLiteral("mitigation.attribute"), mitigation.attribute);
        after = reader.withScalar(after, QStringLiteral("mitigation.tolerance"), QString::number(mitigation.tolerance, 'g', 10));
        after = reader.withScalar(after, QStringLiteral("mitigation.objective"), mitigation.objective);
        after = reader.withScalar(after, QStringLiteral("mitigation.folds"), QString::number(mitigation.folds));
    }
    TrainParams::fromYaml(after, paramsPath); // what train would refuse, refused before anything is written
    return rewriteParamsAndRepro(project, before, after, options, save);
}

} // namespace Audit
