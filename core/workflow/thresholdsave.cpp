#include "thresholdsave.h"

#include <QFile>

#include "fileio.h"
#include "threshold.h"
#include "yamlutil.h"

namespace Audit {

ThresholdSave saveThresholdToModel(const Project &project, double threshold, const ReproOptions &options)
{
    checkedThreshold(threshold);
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
        writeFileAtomically(paramsPath, before);
        save.restored = true;
    }
    return save;
}

} // namespace Audit
