#pragma once

#include <QString>

#include "operatingpoint.h"
#include "progress.h"
#include "scoreddata.h"

namespace Audit {

class Project;

// How the rows a threshold is chosen on relate to the project's splits (params.yaml's
// data.train and data.test): the warnings both front ends show. Empty for any other file.
// Choosing on the test split makes every figure later reported on it optimistic; the training
// split's scores are in-sample.
QStringList splitWarnings(const QString &dataPath, const Project *project);

// The operating point for `objective` on already scored rows (the GUI's loaded data, the CLI's
// --data), at the data's current threshold for comparison, with the split warnings.
OperatingPointReport chooseThreshold(const ScoredData &scored, const Objective &objective, double currentThreshold,
                                     const Project *project, int resamples = 200, std::uint64_t seed = 42);

// The operating point on held-out scores of the project's training split (data.train): each
// row scored by the model of a `folds`-fold cross-validation (params.yaml's training procedure)
// that did not see it, as scikit-learn's TunedThresholdClassifierCV does; the test split is not
// touched. `currentThreshold` is the one to compare with (the project model's).
// Throws: UsageError when params.yaml names no data.train; the loader's and trainer's errors.
OperatingPointReport chooseThresholdByCrossValidation(const Project &project, int folds, const Objective &objective,
                                                      double currentThreshold, int resamples = 200, std::uint64_t seed = 42,
                                                      const Progress &progress = {});

} // namespace Audit
