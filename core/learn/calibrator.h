#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <QJsonObject>
#include <QString>

#include "enumnames.h"
#include "learner.h"

namespace Audit {

// How well scores fit labels on a set of rows, before or after calibration.
struct CalibrationFit
{
    double brier = 0;
    double logLoss = 0;
};

// A map from a model's P(positive) to a calibrated one, fit on training rows the model did not
// fit on (see trainModel) and stored in the model file.
//  - Platt (Platt 1999; the smoothed targets and Newton iteration of Lin, Lin and Weng 2007):
//    p' = sigmoid(a * logit(p) + b), a and b by maximum likelihood;
//  - isotonic (pool adjacent violators, ties pooled first, as scikit-learn's
//    IsotonicRegression(out_of_bounds="clip")): breakpoints (x, y) with x increasing and y
//    non-decreasing, linear between them, clipped outside.
struct ScoreCalibration
{
    CalibrationMethod method = CalibrationMethod::None;
    double a = 1; // Platt
    double b = 0;
    std::vector<double> x; // isotonic breakpoints
    std::vector<double> y;
    std::int64_t fitRows = 0;
    std::int64_t fitPositives = 0;
    QString fitOn; // which rows, for people: "xgboost's early-stopping rows (10% of the training rows)"
    CalibrationFit before; // on the rows it was fit on (in-sample for the map itself)
    CalibrationFit after;

    static constexpr std::size_t kMinRows = 50; // fewer held-out rows cannot pin a map down
    static constexpr std::size_t kMinPerClass = 5;
    static constexpr std::size_t kMaxBreakpoints = 1 << 18; // 2 per distinct held-out score at most
    static constexpr double kMaxPlatt = 1000; // |a|, |b|: fits give about 1

    bool active() const { return method != CalibrationMethod::None; }
    // Whether the map is a straight line in log-odds (attributions there stay exact).
    bool linearInLogOdds() const { return method == CalibrationMethod::Platt; }

    // Throws SchemaError when the rows cannot support a fit (too few, one class only).
    static ScoreCalibration fit(CalibrationMethod method, const std::vector<double> &scores,
                                const std::vector<std::int8_t> &labels, const QString &fitOn);

    double apply(double p) const;
    void applyAll(std::vector<double> &scores) const;
    QString describe() const; // "Platt: p' = sigmoid(1.0213 * logit(p) - 0.0312)" / "isotonic: 214 breakpoints"

    QJsonObject toJson() const;
    // Throws SchemaError naming the member at fault ("calibration.x[3]: ...").
    static ScoreCalibration fromJson(const QJsonObject &json);
};

// A learner whose scores go through a calibration map. Attributions still add up to the
// calibrated output: a Platt map is linear in log-odds, so a log-odds learner's exact values are
// scaled by a (and stay exact); otherwise the learner's values are rescaled so that they sum to
// the calibrated probability minus the calibrated base (they add up, but are not Shapley values).
class CalibratedLearner final : public Learner
{
public:
    CalibratedLearner(std::unique_ptr<Learner> base, ScoreCalibration calibration);

    const Learner &base() const { return *m_base; }
    const ScoreCalibration &calibration() const { return m_calibration; }

    LearnerKind kind() const override { return m_base->kind(); }
    void train(const FeatureMatrix &, const std::vector<std::int8_t> &, const LearnerParams &, const Progress &) override;
    double score(const float *row, std::size_t width) const override;
    std::vector<double> scoreAll(const FeatureMatrix &x) const override;
    std::optional<double> exactAttributions(const float *row, std::size_t width, const std::vector<double> &means,
                                            double *phi) const override;
    OutputSpace attributionSpace() const override;
    bool attributionsAreShapley() const override;
    QString attributionMethod() const override;
    QString library() const override { return m_base->library(); }
    QString heldOutScores(const LearnerParams &params) const override { return m_base->heldOutScores(params); }
    void save(std::ostream &out) const override { m_base->save(out); }
    void load(std::istream &in) override;
    void checkInputWidth(std::size_t width) const override { m_base->checkInputWidth(width); }
    std::unique_ptr<Learner> clone() const override;

private:
    std::unique_ptr<Learner> m_base;
    ScoreCalibration m_calibration;
};

} // namespace Audit
