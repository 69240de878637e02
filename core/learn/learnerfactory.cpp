#include "learnerfactory.h"

#include "learners/linearsvmlearner.h"
#include "learners/logisticlearner.h"
#include "learners/mlplearner.h"
#include "learners/randomforestlearner.h"
#include "learners/xgboostlearner.h"

namespace Audit {

std::unique_ptr<Learner> makeLearner(LearnerKind kind)
{
    switch (kind) {
    case LearnerKind::Logistic:
        return std::make_unique<LogisticLearner>();
    case LearnerKind::LinearSvm:
        return std::make_unique<LinearSvmLearner>();
    case LearnerKind::RandomForest:
        return std::make_unique<RandomForestLearner>();
    case LearnerKind::Mlp:
        return std::make_unique<MlpLearner>();
    case LearnerKind::Xgboost:
        return std::make_unique<XgboostLearner>();
    }
    return nullptr;
}

} // namespace Audit
