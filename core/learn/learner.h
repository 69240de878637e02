#pragma once

#include <iosfwd>
#include <memory>
#include <vector>

#include "featurematrix.h"
#include "params.h"
#include "progress.h"

namespace Audit {

// A dlib model behind one interface: train on encoded rows, score a row as the
// probability of the positive class, save and load its own state.
// Not thread-safe for scoring (dlib nets keep per-call state): clone() one per thread.
class Learner
{
public:
    virtual ~Learner() = default;

    virtual LearnerKind kind() const = 0;

    // Requires: x.rows() == labels.size(), both classes present, labels 0/1 (checked by
    //           validateTrainingData; dlib itself checks nothing in this build).
    // Throws:   CancelledError when progress asks to stop.
    virtual void train(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, const LearnerParams &params,
                       const Progress &progress)
        = 0;

    virtual double score(const float *row, std::size_t width) const = 0; // P(positive), in [0, 1]
    virtual std::vector<double> scoreAll(const FeatureMatrix &x) const;

    // Scores of each training row by the parts of the model that did not see it (a random
    // forest's out-of-bag estimate), after train(); empty when the learner has none. The
    // trainer tunes the threshold on these instead of training a second model.
    virtual std::vector<double> outOfBagScores() const { return {}; }
    virtual bool providesOutOfBagScores() const { return false; }

    virtual void save(std::ostream &out) const = 0;
    virtual void load(std::istream &in) = 0; // throws dlib::serialization_error
    // After load(): throws SchemaError unless the learner scores rows of exactly `width`
    // features (a model file whose learner and encoder disagree would read past the row).
    virtual void checkInputWidth(std::size_t width) const = 0;
    virtual std::unique_ptr<Learner> clone() const = 0;
};

// Throws SchemaError describing what is wrong with the data before any dlib trainer sees it.
void validateTrainingData(const FeatureMatrix &x, const std::vector<std::int8_t> &labels);

} // namespace Audit
