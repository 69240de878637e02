#pragma once

#include <limits>
#include <optional>

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include "biasreport.h"
#include "versions.h"

namespace Audit {

// What changed between two versions: metrics and params as `dvc metrics diff` and
// `dvc params diff` say it, and what DVC cannot say: the slices that got worse or better
// beyond chance (a two-sample test per slice, FDR-corrected across slices) and the parity
// verdicts that flipped.

struct MetricDelta
{
    QString key; // "metrics.json:f1"
    std::optional<double> before;
    std::optional<double> after;
    bool changed() const { return before != after; }
};

struct ParamDelta
{
    QString key; // "params.yaml:model.random_forest.trees"
    QJsonValue before = QJsonValue::Undefined; // Undefined: absent
    QJsonValue after = QJsonValue::Undefined;
    bool changed() const { return before != after; }
};

struct SliceDelta
{
    QString feature; // "sex" or "race & sex"
    QString value; // "Female" or "Black & Female"
    double nBefore = -1, nAfter = -1; // -1: the slice is absent there
    double f1Before = 0, f1After = 0;
    double accuracyBefore = 0, accuracyAfter = 0;
    // The counts F1 rests on: F1 = 2J / (1 + J) with J = tp / (tp + fp + fn); -1 when the
    // report has no confusion counts.
    std::int64_t tpBefore = -1, fpBefore = -1, fnBefore = -1;
    std::int64_t tpAfter = -1, fpAfter = -1, fnAfter = -1;
    // The two-sample test of J, B against A (Fisher's exact test up to 1000 rows, else the
    // two-proportion z test), and its Benjamini-Hochberg q over every matched slice tested.
    double p = std::numeric_limits<double>::quiet_NaN();
    double q = std::numeric_limits<double>::quiet_NaN();
    QString test; // "fisher", "z"; empty when untested
    QString untested; // why not tested: "4 positives in A (minimum 10)"
    bool significant = false; // q <= the diff's FDR level: the change is beyond chance
    // The change in F1 at the precision the reports state it (reportNumber), so two reports
    // that differ only in how many digits they wrote compare as unchanged.
    double f1Delta() const;
    bool inBoth() const { return nBefore >= 0 && nAfter >= 0; }
    bool worse() const { return inBoth() && significant && f1Delta() < 0; }
    bool better() const { return inBoth() && significant && f1Delta() > 0; }
};

struct SliceDiffOptions
{
    double fdrQ = 0.05; // a change counts when its BH q is at most this
    int minPositives = 10; // label positives a slice needs in both versions to be tested
};

struct ParityFlip
{
    QString attribute; // empty: the overall verdict
    QString group; // empty: the attribute's verdict
    QString parity; // "FPR Parity"
    // The reports' verdicts: their evidence states when both have them, else Aequitas's plain
    // pass / fail.
    VerdictState before = VerdictState::Undefined;
    VerdictState after = VerdictState::Undefined;
};

struct VersionDiff
{
    QString labelA;
    QString labelB;
    QList<MetricDelta> metrics; // every metric of either side
    QList<ParamDelta> params; // every param of either side
    QList<SliceDelta> slices; // matched slices, worst F1 change first, then unmatched ones
    QList<ParityFlip> parities; // only the verdicts that changed
    QStringList notes; // what could not be compared, and why
    SliceDiffOptions sliceOptions;

    struct SliceCounts
    {
        qsizetype compared = 0; // slices in both versions
        qsizetype tested = 0; // of those, with enough positives on both sides to test
        qsizetype worse = 0; // significantly lower F1 (q <= fdrQ)
        qsizetype better = 0; // significantly higher F1
        qsizetype lower = 0; // any lower F1, significant or not
        qsizetype higher = 0; // any higher F1
    };

    // Lower (higher) F1 in B: the significant changes first, smallest q first, then the rest by
    // the size of the change.
    QList<SliceDelta> lowerSlices() const;
    QList<SliceDelta> higherSlices() const;
    SliceCounts sliceCounts() const;
    QJsonObject toJson(bool all = false) const;
    QString toText(bool all = false, int topSlices = 15) const; // `all`: unchanged metrics and params too
};

// The pieces of a diff, usable on any two reports (a past version against the current one).
QList<MetricDelta> diffMetrics(const QJsonObject &flatBefore, const QJsonObject &flatAfter);
QList<ParamDelta> diffParams(const QJsonObject &flatBefore, const QJsonObject &flatAfter);
// SliceReport JSON. Throws: OptionError("fdr_q" / "min_positives") for options out of range.
QList<SliceDelta> diffSlices(const QJsonObject &slicesBefore, const QJsonObject &slicesAfter,
                             const SliceDiffOptions &options = {});
// A JSON value as a person reads it: text unquoted, numbers to 12 digits, "(absent)" for none.
QString valueText(const QJsonValue &value);
QList<ParityFlip> diffParities(const QJsonObject &biasBefore, const QJsonObject &biasAfter); // BiasReport JSON

// Compares two versions: metrics and params as `dvc metrics diff` / `dvc params diff`, and
// the slice and bias reports found among the pipeline's JSON outputs.
VersionDiff diffVersions(const VersionStore &store, const QString &revA, const QString &revB,
                         const SliceDiffOptions &sliceOptions = {});

} // namespace Audit
