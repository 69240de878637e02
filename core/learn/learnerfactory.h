#pragma once

#include <memory>

#include "learner.h"

namespace Audit {

// A fresh, untrained learner of `kind`. The one place that knows every implementation.
std::unique_ptr<Learner> makeLearner(LearnerKind kind);

} // namespace Audit
