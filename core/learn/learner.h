#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <vector>

#include "featurematrix.h"
#include "params.h"
#include "progress.h"

namespace Audit {

// The scale attributions add up in: the probability itself, or its log-odds.
enum class OutputSpace { Probability, LogOdds };

template <>
struct EnumNames<OutputSpace>
{
    static constexpr std::array<std::pair<OutputSpace, const char *>, 2> table{
        {{OutputSpace::Probability, "probability"}, {OutputSpace::LogOdds, "log-odds"}}};
};

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
    // forest's out-of-bag estimate; NaN for a row every part saw), after train(); empty when
    // the learner has none. The trainer tunes the threshold on these instead of training a
    // second model.
    virtual std::vector<double> outOfBagScores() const { return {}; }
    // What outOfBagScores() will hold after train(params), for people ("the forest's
    // out-of-bag scores of the training rows"); empty when it holds nothing.
    virtual QString heldOutScores(const LearnerParams &) const { return {}; }
    // Exact Shapley values of one encoded row: adds each encoded feature's attribution to
    // phi[0, width) and returns the base value they start from, in attributionSpace(), so that
    // base + sum(phi) is the model's output there. `means` are the encoded training rows'
    // feature means (what a linear model's attributions are centred on). Empty when the
    // learner has no exact method (the explainer then samples).
    virtual std::optional<double> exactAttributions(const float *, std::size_t, const std::vector<double> &, double *) const
    {
        return std::nullopt;
    }
    virtual OutputSpace attributionSpace() const { return OutputSpace::Probability; }
    // Whether exactAttributions() gives Shapley values of the output (false when they are
    // rescaled to add up to it, as through a non-linear calibration map).
    virtual bool attributionsAreShapley() const { return true; }
    virtual QString attributionMethod() const { return {}; } // for people: "TreeSHAP (path-dependent, exact)"

    // Who made the learner: "dlib", "XGBoost 1.7.4".
    virtual QString library() const { return QStringLiteral("dlib"); }

    virtual void save(std::ostream &out) const = 0;
    virtual void load(std::istream &in) = 0; // throws dlib::serialization_error
    // After load(): throws SchemaError unless the learner scores rows of exactly `width`
    // features (a model file whose learner and encoder disagree would read past the row).
    virtual void checkInputWidth(std::size_t width) const = 0;
    virtual std::unique_ptr<Learner> clone() const = 0;
};

// Throws SchemaError describing what is wrong with the data before any dlib trainer sees it.
// `missingAllowed`: NaN is a missing value the learner handles itself (xgboost), not an error.
void validateTrainingData(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, bool missingAllowed = false);

} // namespace Audit
