#include "mlplearner.h"

#include "schemaerror.h"

#include <cstdlib>

#include <dlib/dnn.h>

#include "logisticlearner.h"
#include "rng.h"

namespace Audit {

namespace {

using Input = dlib::matrix<float, 0, 1>;
using NetType = dlib::loss_binary_log<dlib::fc<1, dlib::relu<dlib::fc<32, dlib::relu<dlib::fc<64, dlib::input<Input>>>>>>>;

Input toInput(const float *row, std::size_t width)
{
    Input sample(long(width), 1);
    std::copy(row, row + width, sample.begin());
    return sample;
}

} // namespace

struct MlpLearner::Net
{
    NetType net; // mutable state per call: score() is not thread-safe, clone() per thread
};

MlpLearner::MlpLearner()
    : m_net(std::make_unique<Net>())
{}

MlpLearner::MlpLearner(const MlpLearner &other)
    : m_net(std::make_unique<Net>(*other.m_net))
{}

MlpLearner::~MlpLearner() = default;

void MlpLearner::train(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, const LearnerParams &params,
                       const Progress &progress)
{
    validateTrainingData(x, labels);
    NetType &net = m_net->net;
    net = NetType();
    dlib::layer<3>(net).layer_details().set_num_outputs(params.hidden2);
    dlib::layer<5>(net).layer_details().set_num_outputs(params.hidden1);

    std::vector<Input> samples(x.rows());
    std::vector<float> targets(x.rows());
    for (std::size_t r = 0; r < x.rows(); ++r) {
        samples[r] = toInput(x.row(r), x.cols());
        targets[r] = labels[r] ? 1.0f : -1.0f; // loss_binary_log wants +1/-1
    }

    // dlib draws initial weights from std::rand() when the first batch arrives.
    std::srand(unsigned(params.seed));
    Rng rng(params.seed);
    {
        dlib::dnn_trainer<NetType, dlib::adam> trainer(net, dlib::adam(params.weightDecay, 0.9, 0.999));
        trainer.be_quiet();
        trainer.set_learning_rate(params.learningRate);
        trainer.set_min_learning_rate(params.learningRate * 1e-3);
        trainer.set_mini_batch_size(std::size_t(params.batchSize));
        // We run a fixed number of epochs; keep dlib from lowering the rate on its own.
        trainer.set_learning_rate_shrink_factor(1.0);
        trainer.set_iterations_without_progress_threshold(1000000);

        std::vector<std::size_t> order(x.rows());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::vector<Input> batch;
        std::vector<float> batchTargets;
        const std::size_t batchSize = std::size_t(params.batchSize);
        for (int epoch = 0; epoch < params.epochs; ++epoch) {
            progress.checkCancelled();
            progress.step(epoch, params.epochs, QStringLiteral("epoch %1/%2").arg(epoch + 1).arg(params.epochs));
            rng.shuffle(order);
            for (std::size_t start = 0; start < order.size(); start += batchSize) {
                const std::size_t end = std::min(order.size(), start + batchSize);
                batch.clear();
                batchTargets.clear();
                for (std::size_t i = start; i < end; ++i) {
                    batch.push_back(samples[order[i]]);
                    batchTargets.push_back(targets[order[i]]);
                }
                trainer.train_one_step(batch, batchTargets);
            }
        }
        trainer.get_net(); // waits for the trainer's thread to finish the last step
    }
    net.clean();
    progress.step(params.epochs, params.epochs, QStringLiteral("done"));
}

double MlpLearner::score(const float *row, std::size_t width) const
{
    return sigmoid(double(m_net->net(toInput(row, width))));
}

std::vector<double> MlpLearner::scoreAll(const FeatureMatrix &x) const
{
    constexpr std::size_t kBatch = 1024;
    std::vector<double> scores;
    scores.reserve(x.rows());
    std::vector<Input> batch;
    for (std::size_t start = 0; start < x.rows(); start += kBatch) {
        const std::size_t end = std::min(x.rows(), start + kBatch);
        batch.clear();
        for (std::size_t r = start; r < end; ++r)
            batch.push_back(toInput(x.row(r), x.cols()));
        const std::vector<float> raw = m_net->net(batch, kBatch);
        for (float z : raw)
            scores.push_back(sigmoid(double(z)));
    }
    return scores;
}

void MlpLearner::save(std::ostream &out) const
{
    // Scoring leaves activations inside the net; a cleaned copy keeps the file the same
    // bytes whether or not the model has scored anything.
    NetType copy = m_net->net;
    copy.clean();
    dlib::serialize(copy, out);
}

void MlpLearner::load(std::istream &in)
{
    dlib::deserialize(m_net->net, in);
}

void MlpLearner::checkInputWidth(std::size_t width) const
{
    // Each fc layer's parameters: (its inputs + 1 bias) rows, one column per unit. A file whose
    // layers do not chain (each layer's inputs the previous one's units) would make dlib read
    // past a tensor; so would a first layer that does not take `width` inputs.
    const auto &first = dlib::layer<5>(m_net->net).layer_details().get_layer_params(); // 0 is the loss
    const auto &second = dlib::layer<3>(m_net->net).layer_details().get_layer_params();
    const auto &last = dlib::layer<1>(m_net->net).layer_details().get_layer_params();
    if (first.num_samples() != long(width) + 1)
        throw SchemaError(QStringLiteral("the MLP's first layer takes %1 inputs but rows have %2 features")
                              .arg(first.num_samples() - 1)
                              .arg(width));
    if (second.num_samples() != first.k() + 1 || last.num_samples() != second.k() + 1 || last.k() != 1)
        throw SchemaError(QStringLiteral("the MLP's layers do not fit together (%1 -> %2, %3 -> %4, %5 -> %6)")
                              .arg(first.num_samples() - 1)
                              .arg(first.k())
                              .arg(second.num_samples() - 1)
                              .arg(second.k())
                              .arg(last.num_samples() - 1)
                              .arg(last.k()));
}

} // namespace Audit
