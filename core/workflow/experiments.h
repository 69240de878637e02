#pragma once

#include <map>

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "pipelinerunner.h"

namespace Audit {

// DVC experiments, recorded the way DVC records them: a commit whose parent is the baseline
// (HEAD when it ran) holding the changed params.yaml, dvc.lock and git-tracked outs (metrics,
// reports), under refs/exps/<baseline[0:2]>/<baseline[2:]>/<name>, so `dvc exp show` lists it;
// the DVC-cached outs (the model) go to the project's cache.

struct ExperimentRequest
{
    QStringList set; // "model.random_forest.trees=120": params.yaml keys to change
    QString name; // empty: exp-<5 hex of the changes>
    QString toolDir; // where modelaudit-cli lives, for the stages
};

struct Experiment
{
    QString name;
    QString ref;
    QString commit;
    QString baseline;
    QJsonObject params; // params.yaml at the experiment, flattened ("model.seed": 42)
    QJsonObject metrics; // reports/metrics.json's numbers at the experiment, flattened
};

// Runs the pipeline with `request.set` applied in a temporary copy of the project (the user's
// files are not touched) and records it. Throws: UsageError outside a git repository or for a
// malformed or unknown key; SchemaError naming params.yaml's line for a value train refuses;
// AuditError when a stage fails (naming it).
Experiment runExperiment(const QString &projectDir, const ExperimentRequest &request);

// Every experiment recorded for the current HEAD (DVC's and ours), oldest name first.
QList<Experiment> listExperiments(const QString &projectDir);

// `exp show`: the params that differ across the experiments (and the baseline) and every
// metric, one row each.
QString experimentsTable(const QList<Experiment> &experiments, const Experiment &baseline);

// The baseline as an Experiment (HEAD's params and metrics), for the table.
Experiment baselineOf(const QString &projectDir);

} // namespace Audit
