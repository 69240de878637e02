#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "calibrator.h"
#include "dataset.h"
#include "featureencoder.h"
#include "groupthresholds.h"
#include "learner.h"
#include "metrics.h"
#include "params.h"
#include "schema.h"

namespace Audit {

// What a model file records about how the model was made: the training data by its bytes
// (md5, rows), never by a path, so the same data and params give the same file wherever the
// data lives and whichever front end trained it.
struct TrainingInfo
{
    QString dataMd5;
    std::int64_t rows = 0;
    std::int64_t positives = 0;
    BinaryMetrics trainMetrics; // the final model on its training rows
    BinaryMetrics validationMetrics; // the inner model on the validation rows (when tuned)
    bool thresholdTuned = false;
};

// What attributions are measured against, from the training rows (encoded): each feature's
// mean (a linear model's attributions are centred on it) and a seeded sample of rows (the
// background the model-agnostic sampling estimator averages over). Empty in files written
// before explanations existed.
struct ExplainBackground
{
    static constexpr std::size_t kRows = 50;
    std::vector<double> means; // one per encoded feature (NaN skipped)
    FeatureMatrix rows;
    bool empty() const { return means.empty(); }
    static ExplainBackground of(const FeatureMatrix &x, std::uint64_t seed);
};

// A trained model: schema + encoder + dlib learner + decision threshold, saved together in
// one versioned file. Copyable; copies are independent (each may score on its own thread).
class Model
{
public:
    // Format 2 is a file holding a calibration map (so an older build refuses it rather than
    // scoring uncalibrated), format 3 one holding group thresholds (so an older build refuses it
    // rather than deciding with one threshold); a model with neither is still written as format 1.
    static constexpr quint32 kFormatVersion = 3;

    // A calibration that is active() wraps `learner`: learner() then scores calibrated.
    Model(Schema schema, FeatureEncoder encoder, std::unique_ptr<Learner> learner, LearnerParams params, double threshold,
          TrainingInfo training, ExplainBackground background = {}, ScoreCalibration calibration = {},
          GroupThresholds groupThresholds = {});
    Model(const Model &other);
    Model &operator=(const Model &other);
    Model(Model &&) noexcept = default;
    Model &operator=(Model &&) noexcept = default;
    ~Model();

    // The file's bytes: magic, format version, JSON header, learner payload, md5 trailer.
    // Deterministic: the same model gives the same bytes.
    QByteArray serialize() const;
    void save(const QString &path) const; // atomic; throws IoError

    // Throws: ModelFileError for a missing, truncated, corrupt, foreign or newer-format file.
    static Model load(const QString &path);
    static Model deserialize(const QByteArray &bytes, const QString &path);

    const Schema &schema() const { return m_schema; }
    const FeatureEncoder &encoder() const { return m_encoder; }
    // Scores P(positive), calibrated when the model has a calibration map: what every front end uses.
    const Learner &learner() const { return *m_learner; }
    // The learner before calibration (the same as learner() without a map): for before/after views.
    const Learner &uncalibratedLearner() const;
    const ScoreCalibration &calibration() const { return m_calibration; }
    quint32 formatVersion() const { return m_groupThresholds.active() ? 3 : m_calibration.active() ? 2 : 1; }
    // The thresholds by group, when the model decides with them (inactive() otherwise).
    const GroupThresholds &groupThresholds() const { return m_groupThresholds; }
    // This model deciding with `thresholds` instead (a new file, a new id).
    // Throws: SchemaError when they do not fit the schema (see GroupThresholds::fromJson).
    Model withGroupThresholds(GroupThresholds thresholds) const;
    // The threshold the record of encoded `row` meets, whose value of the group attribute is
    // `group` (its text; ignored without group thresholds); nullopt when the model has group
    // thresholds and `group` is none of their groups.
    std::optional<double> thresholdFor(std::string_view group, const float *row, std::size_t width) const;
    const LearnerParams &params() const { return m_params; }
    const TrainingInfo &training() const { return m_training; }
    const ExplainBackground &background() const { return m_background; }
    double threshold() const { return m_threshold; }
    QString md5() const { return m_md5; } // md5 of the file bytes, lower-case hex
    QString id() const { return m_md5.left(12); } // short form shown to people

    // P(positive) for every row of `data` (encoded with this model's encoder).
    // With `thresholds`, also the threshold each row meets (thresholdFor; a row of no group
    // keeps the single threshold and is counted in `ungrouped`).
    std::vector<double> score(const Dataset &data, EncodeReport *report = nullptr, std::vector<double> *thresholds = nullptr,
                              std::size_t *ungrouped = nullptr) const;
    // Both at once, encoding once: {calibrated, uncalibrated} (equal without a map).
    std::pair<std::vector<double>, std::vector<double>> scoreBeforeAfter(const Dataset &data,
                                                                         std::vector<double> *thresholds = nullptr,
                                                                         std::size_t *ungrouped = nullptr) const;

    QJsonObject describe() const; // metadata for reports and the HTTP API (the file's header but the background)

private:
    Schema m_schema;
    FeatureEncoder m_encoder;
    std::unique_ptr<Learner> m_learner;
    LearnerParams m_params;
    double m_threshold = 0.5;
    TrainingInfo m_training;
    ExplainBackground m_background;
    ScoreCalibration m_calibration;
    GroupThresholds m_groupThresholds;
    QString m_md5;

    // The thresholds of a slice of rows starting at `first` (see score()).
    void sliceThresholds(const Dataset &data, const FeatureMatrix &slice, std::size_t first, std::vector<double> &out,
                         std::size_t *ungrouped) const;
};

} // namespace Audit
