#pragma once

#include <string>

#include "learner.h"
#include "treeensemble.h"

namespace Audit {

// Gradient-boosted trees from libxgboost (Debian's 1.7 C API): objective binary:logistic,
// tree_method hist, a fixed thread count and seed, so the same data and params give the same
// booster bytes. With early stopping on, a stratified part of the training rows is held out:
// boosting stops once their log loss has not improved for early_stopping_rounds rounds, and
// the booster keeps the best round's trees (as scikit-learn's HistGradientBoosting does).
//
// The booster is stored as XGBoost's own JSON model (what XGBoosterSaveModelToBuffer writes;
// real XGBoost loads it). Scoring and attributions walk the trees read from that JSON by this
// class (with its own bounds checks), not by XGBoost: the same trees, no call overhead per row.
class XgboostLearner final : public Learner
{
public:
    LearnerKind kind() const override { return LearnerKind::Xgboost; }
    void train(const FeatureMatrix &x, const std::vector<std::int8_t> &labels, const LearnerParams &params,
               const Progress &progress) override;
    double score(const float *row, std::size_t width) const override;
    std::vector<double> scoreAll(const FeatureMatrix &x) const override;
    std::vector<double> outOfBagScores() const override { return m_heldOut; }
    QString heldOutScores(const LearnerParams &params) const override;
    QString library() const override;
    std::optional<double> exactAttributions(const float *row, std::size_t width, const std::vector<double> &means,
                                            double *phi) const override;
    OutputSpace attributionSpace() const override { return OutputSpace::LogOdds; }
    QString attributionMethod() const override { return QStringLiteral("TreeSHAP (path-dependent, exact)"); }
    void save(std::ostream &out) const override;
    void load(std::istream &in) override;
    void checkInputWidth(std::size_t width) const override;
    std::unique_ptr<Learner> clone() const override { return std::make_unique<XgboostLearner>(*this); }

    const TreeEnsemble &ensemble() const { return m_trees; } // output in log-odds
    const std::string &boosterJson() const { return m_json; }
    int rounds() const { return int(m_trees.trees.size()); }

    // Reads XGBoost's JSON model (binary:logistic gbtree with numeric splits) into trees.
    // Throws std::runtime_error naming what is wrong.
    static TreeEnsemble parseBooster(const std::string &json);

private:
    std::string m_json;
    TreeEnsemble m_trees;
    std::vector<double> m_heldOut; // NaN for the rows boosting fitted on; not saved
};

} // namespace Audit
