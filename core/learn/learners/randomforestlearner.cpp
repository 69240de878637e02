#include "randomforestlearner.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace Audit {

void RandomForestLearner::train(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, const LearnerParams &params,
                                const Progress &progress)
{
    validateTrainingData(x, labels);
    progress.step(0, 1, QStringLiteral("random forest"));
    std::vector<dlib::matrix<double, 0, 1>> samples(x.rows());
    std::vector<double> targets(x.rows());
    for (std::size_t r = 0; r < x.rows(); ++r) {
        samples[r].set_size(long(x.cols()));
        for (std::size_t c = 0; c < x.cols(); ++c)
            samples[r](long(c)) = x.row(r)[c];
        targets[r] = labels[r];
    }
    dlib::random_forest_regression_trainer<dlib::dense_feature_extractor> trainer;
    trainer.set_num_trees(std::size_t(params.trees));
    const auto scaledLeaf = std::size_t(std::ceil(params.minLeafFraction * double(x.rows())));
    trainer.set_min_samples_per_leaf(std::max(std::size_t(params.minLeaf), scaledLeaf));
    trainer.set_feature_subsampling_fraction(params.featureFraction);
    trainer.set_seed(std::to_string(params.seed));
    m_forest = trainer.train(samples, targets, m_outOfBag);
    for (double &score : m_outOfBag)
        score = std::clamp(score, 0.0, 1.0);
    progress.checkCancelled();
    progress.step(1, 1, QStringLiteral("random forest"));
}

double RandomForestLearner::score(const float *row, std::size_t width) const
{
    thread_local dlib::matrix<double, 0, 1> sample;
    sample.set_size(long(width));
    for (std::size_t c = 0; c < width; ++c)
        sample(long(c)) = row[c];
    return std::clamp(m_forest(sample), 0.0, 1.0);
}

void RandomForestLearner::save(std::ostream &out) const
{
    serialize(m_forest, out); // found by ADL: dlib declares it as a friend
}

void RandomForestLearner::load(std::istream &in)
{
    deserialize(m_forest, in);
}

} // namespace Audit
