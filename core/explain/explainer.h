#pragma once

#include <cstdint>
#include <vector>

#include <QJsonObject>
#include <QStringList>

#include "featurematrix.h"
#include "learner.h"
#include "progress.h"

namespace Audit {

class Model;

struct ExplainOptions
{
    OutputSpace space = OutputSpace::LogOdds;
    int permutations = 32; // the sampling estimator's permutations (each over every background row)
    std::uint64_t seed = 42; // the same for every row: explaining a row twice gives the same numbers
};

// One row's attributions per original column (one-hot parts and a missing indicator summed
// into their column), in `space`: base + sum(values) == output.
struct Explanation
{
    OutputSpace space = OutputSpace::LogOdds;
    double base = 0; // what the attributions start from (the model's expected output)
    double output = 0; // the model's output for the row, in `space`
    double probability = 0; // the model's P(positive) for the row
    std::vector<double> values; // per schema feature
    std::vector<double> standardErrors; // per schema feature for the sampling estimator; empty when exact
};

// Shapley-value attributions for any model of this project:
//  - xgboost and random_forest: exact path-dependent TreeSHAP over the trees (log-odds for
//    xgboost, probability for the forest, where each adds up);
//  - logistic and linear_svm: exact, coefficient x (value - training mean), in log-odds;
//  - mlp (and a forest from before covers were saved): sampling Shapley over the columns
//    against the model's stored background rows (interventional), in probability, seeded, with
//    the standard error of each value.
// The other space is reached by scaling every attribution by (output - base) there over
// (output - base) in the native space (the base mapped through the logistic function or its
// inverse): the values still add up to the output, and keep their signs and ratios, but are
// not Shapley values of that space; exact() says so for the native space only.
class Explainer
{
public:
    // Throws AuditError when the model can be explained by neither way (a file from before
    // explanations, for an MLP: no background). Keeps a reference: the model must outlive it.
    explicit Explainer(const Model &model);

    // "TreeSHAP (path-dependent, exact)", "sampling Shapley (32 permutations x 50 background ...)"
    QString method(const ExplainOptions &options = {}) const;
    // Whether the values are Shapley values of the output in nativeSpace() (not through a
    // non-linear calibration map, not sampled).
    bool exact() const { return m_shapley; }
    OutputSpace nativeSpace() const { return m_native; }
    QStringList columns() const; // schema features, in order

    // Not thread-safe for the sampling estimator (an MLP keeps per-call state): explainAll
    // runs in parallel with its own copies.
    Explanation explain(const float *row, const ExplainOptions &options = {}) const;
    // The same for a row the caller has scored already: `probability` must be the model's
    // score of `row` (it is not worked out again).
    Explanation explain(const float *row, const ExplainOptions &options, double probability) const;
    std::vector<Explanation> explainAll(const FeatureMatrix &x, const ExplainOptions &options = {},
                                        const Progress &progress = {}) const;

    // {"space", "method", "exact", "base", "output", "probability", "attributions": {column: value},
    //  "standard_errors": {...} (sampling only)}.
    QJsonObject toJson(const Explanation &e, const ExplainOptions &options = {}) const;

private:
    Explanation explainWith(const Learner &learner, const float *row, const ExplainOptions &options,
                            const double *probability = nullptr) const;
    void sample(const Learner &learner, const float *row, const ExplainOptions &options, Explanation &out) const;

    const Model &m_model;
    bool m_exact = false; // computed by the learner's own method (deterministic), not sampled
    bool m_shapley = false;
    OutputSpace m_native = OutputSpace::Probability;
    std::vector<std::pair<int, int>> m_ranges; // per schema feature, its encoded outputs [first, end)
};

} // namespace Audit
