#pragma once

#include <memory>

#include "learner.h"

namespace Audit {

// A small dlib DNN: input -> fc(hidden1) -> relu -> fc(hidden2) -> relu -> fc(1), trained with
// loss_binary_log and adam on shuffled mini-batches we draw ourselves (dnn_trainer does not
// shuffle). Deterministic: weights are seeded through std::srand, batches through Rng.
class MlpLearner final : public Learner
{
public:
    MlpLearner();
    MlpLearner(const MlpLearner &other);
    ~MlpLearner() override;

    LearnerKind kind() const override { return LearnerKind::Mlp; }
    void train(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, const LearnerParams &params,
               const Progress &progress) override;
    double score(const float *row, std::size_t width) const override;
    std::vector<double> scoreAll(const FeatureMatrix &x) const override;
    void save(std::ostream &out) const override;
    void load(std::istream &in) override;
    void checkInputWidth(std::size_t width) const override;
    std::unique_ptr<Learner> clone() const override { return std::make_unique<MlpLearner>(*this); }

private:
    struct Net;
    std::unique_ptr<Net> m_net; // dlib's net type stays inside mlplearner.cpp (slow to compile)
};

} // namespace Audit
