#pragma once

#include <QString>

#include "pipelinerunner.h"
#include "project.h"

namespace Audit {

struct ThresholdSave
{
    QString previous; // model.threshold as params.yaml had it ("tune", "0.5", ...)
    QString written; // as it has it now
    ReproResult repro; // the stages that ran to bring the model and reports up to date
    bool restored = false; // a stage failed, so params.yaml was put back as it was
    bool outputsRestored = false; // and the stages ran again on it, so the model and reports match it
};

// Makes `threshold` the model's own: writes `model.threshold` into the project's params.yaml
// (every comment and other line kept), then runs the stale stages of dvc.yaml (train and what
// follows it) and rewrites dvc.lock, so the model file, reports, card and lock agree with
// params.yaml as `dvc repro` would leave them. When a stage fails, params.yaml is put back.
// Throws: OptionError("threshold") outside [0, 1]; UsageError when the project has no dvc.yaml
//         (nothing would keep the model true to its params); SchemaError / IoError naming the
//         file for a params.yaml it cannot edit or write.
ThresholdSave saveThresholdToModel(const Project &project, double threshold, const ReproOptions &options);

// Makes group thresholds the model's own (or, with a constraint of "none", takes them away):
// writes params.yaml's `mitigation` section (adding it when absent), then reruns what is stale
// and rewrites dvc.lock as saveThresholdToModel does; train fits the thresholds on the training
// rows' out-of-fold scores and stores them in the model file. When a stage fails, params.yaml
// is put back.
// Throws: UsageError when the project has no dvc.yaml, or no stage of it lists the `mitigation`
//         params (a change to them would not retrain the model); SchemaError naming params.yaml's
//         line for settings train would refuse; IoError.
ThresholdSave saveMitigationToModel(const Project &project, const MitigationParams &mitigation, const ReproOptions &options);

} // namespace Audit
