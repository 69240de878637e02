#include "mlplearner.h"

#include "schemaerror.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

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

namespace {

// The MLP's own file format: its three fully connected layers' parameters and nothing else,
// every size checked against the bytes left before anything is allocated. (dlib's serialisation
// of a whole net reads tensor shapes it never checks: a negative one made it write through a
// null pointer, found by fuzz_model.)  "MAMLP1", then per layer (first to last): rows (its
// inputs + 1 bias), columns (its units), rows x columns float32; all little-endian.
constexpr char kMlpMagic[6] = {'M', 'A', 'M', 'L', 'P', '1'};
constexpr std::uint32_t kMaxLayerSide = 1u << 20;

void writeU32(std::ostream &out, std::uint32_t v)
{
    const unsigned char bytes[4] = {static_cast<unsigned char>(v), static_cast<unsigned char>(v >> 8),
                                    static_cast<unsigned char>(v >> 16), static_cast<unsigned char>(v >> 24)};
    out.write(reinterpret_cast<const char *>(bytes), 4);
}

std::uint32_t readU32(std::istream &in)
{
    unsigned char bytes[4];
    if (!in.read(reinterpret_cast<char *>(bytes), 4))
        throw dlib::serialization_error("MLP data ends inside a layer's size");
    return std::uint32_t(bytes[0]) | std::uint32_t(bytes[1]) << 8 | std::uint32_t(bytes[2]) << 16 | std::uint32_t(bytes[3]) << 24;
}

struct LayerParams
{
    std::uint32_t rows = 0;
    std::uint32_t cols = 0;
    std::vector<float> values;
};

template <typename Tensor>
void writeLayer(std::ostream &out, const Tensor &params)
{
    writeU32(out, std::uint32_t(params.num_samples()));
    writeU32(out, std::uint32_t(params.k()));
    for (const float v : params) {
        std::uint32_t bits = 0;
        std::memcpy(&bits, &v, 4);
        writeU32(out, bits);
    }
}

LayerParams readLayer(std::istream &in, std::streamsize &left, const char *name)
{
    LayerParams layer;
    layer.rows = readU32(in);
    layer.cols = readU32(in);
    left -= 8;
    if (layer.rows < 2 || layer.cols < 1 || layer.rows > kMaxLayerSide || layer.cols > kMaxLayerSide)
        throw dlib::serialization_error(std::string("MLP ") + name + " layer has an impossible shape "
                                        + std::to_string(layer.rows) + " x " + std::to_string(layer.cols));
    const std::uint64_t count = std::uint64_t(layer.rows) * layer.cols;
    if (count * 4 > std::uint64_t(std::max<std::streamsize>(0, left)))
        throw dlib::serialization_error(std::string("MLP ") + name + " layer says " + std::to_string(count)
                                        + " parameters, more than the data holds");
    layer.values.resize(std::size_t(count));
    for (float &v : layer.values) {
        const std::uint32_t bits = readU32(in);
        std::memcpy(&v, &bits, 4);
        if (!std::isfinite(v))
            throw dlib::serialization_error(std::string("MLP ") + name + " layer has a parameter that is not a number");
    }
    left -= std::streamsize(count * 4);
    return layer;
}

template <typename Tensor>
void copyInto(Tensor &params, const LayerParams &layer)
{
    if (params.num_samples() != long(layer.rows) || params.k() != long(layer.cols))
        throw dlib::serialization_error("MLP layer shape differs from the net's");
    std::copy(layer.values.begin(), layer.values.end(), params.begin());
}

} // namespace

void MlpLearner::save(std::ostream &out) const
{
    out.write(kMlpMagic, sizeof kMlpMagic);
    writeLayer(out, dlib::layer<5>(m_net->net).layer_details().get_layer_params()); // 0 is the loss
    writeLayer(out, dlib::layer<3>(m_net->net).layer_details().get_layer_params());
    writeLayer(out, dlib::layer<1>(m_net->net).layer_details().get_layer_params());
}

void MlpLearner::load(std::istream &in)
{
    const std::streampos start = in.tellg();
    in.seekg(0, std::ios::end);
    std::streamsize left = std::streamsize(in.tellg() - start);
    in.seekg(start);
    char magic[sizeof kMlpMagic] = {};
    if (!in.read(magic, sizeof magic) || !std::equal(magic, magic + sizeof magic, kMlpMagic))
        throw dlib::serialization_error("the MLP data is not in ModelAudit's MLP format (an MLP file from an earlier build "
                                        "stored dlib's whole net, which cannot be checked before it is "
                                        "read): retrain the model");
    left -= std::streamsize(sizeof magic);
    const LayerParams first = readLayer(in, left, "first");
    const LayerParams second = readLayer(in, left, "second");
    const LayerParams last = readLayer(in, left, "last");
    if (second.rows != first.cols + 1 || last.rows != second.cols + 1 || last.cols != 1)
        throw dlib::serialization_error("the MLP's layers do not fit together (" + std::to_string(first.rows - 1) + " -> "
                                        + std::to_string(first.cols) + ", " + std::to_string(second.rows - 1) + " -> "
                                        + std::to_string(second.cols) + ", " + std::to_string(last.rows - 1) + " -> "
                                        + std::to_string(last.cols) + ")");
    if (left != 0)
        throw dlib::serialization_error("MLP data has " + std::to_string(left) + " bytes after its last layer");
    // The net of these shapes, set up by one pass over a zero row, then given the parameters.
    NetType net;
    dlib::layer<3>(net).layer_details().set_num_outputs(second.cols);
    dlib::layer<5>(net).layer_details().set_num_outputs(first.cols);
    const std::vector<float> zero(first.rows - 1, 0.0f);
    net(toInput(zero.data(), zero.size()));
    copyInto(dlib::layer<5>(net).layer_details().get_layer_params(), first);
    copyInto(dlib::layer<3>(net).layer_details().get_layer_params(), second);
    copyInto(dlib::layer<1>(net).layer_details().get_layer_params(), last);
    net.clean();
    m_net->net = std::move(net);
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
