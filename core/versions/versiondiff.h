#pragma once

#include <optional>

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include "versions.h"

namespace Audit {

// What changed between two versions: metrics and params as `dvc metrics diff` and
// `dvc params diff` say it, and what DVC cannot say: the slices that got worse and the
// parity verdicts that flipped.

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
    bool significant = false; // the new F1 lies outside the old one's confidence interval
    // The change in F1 at the precision the reports state it (reportNumber), so two reports
    // that differ only in how many digits they wrote compare as unchanged.
    double f1Delta() const;
    bool inBoth() const { return nBefore >= 0 && nAfter >= 0; }
};

struct ParityFlip
{
    QString attribute; // empty: the overall verdict
    QString group; // empty: the attribute's verdict
    QString parity; // "FPR Parity"
    bool before = false;
    bool after = false;
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

    struct SliceCounts
    {
        qsizetype compared = 0; // slices in both versions
        qsizetype worse = 0; // of those, with a lower F1
        qsizetype worseSignificant = 0; // of those, outside A's 95% interval
    };

    QList<SliceDelta> worseSlices() const;
    SliceCounts sliceCounts() const;
    QJsonObject toJson(bool all = false) const;
    QString toText(bool all = false, int topSlices = 15) const; // `all`: unchanged metrics and params too
};

// The pieces of a diff, usable on any two reports (a past version against the current one).
QList<MetricDelta> diffMetrics(const QJsonObject &flatBefore, const QJsonObject &flatAfter);
QList<ParamDelta> diffParams(const QJsonObject &flatBefore, const QJsonObject &flatAfter);
QList<SliceDelta> diffSlices(const QJsonObject &slicesBefore, const QJsonObject &slicesAfter); // SliceReport JSON
// A JSON value as a person reads it: text unquoted, numbers to 12 digits, "(absent)" for none.
QString valueText(const QJsonValue &value);
QList<ParityFlip> diffParities(const QJsonObject &biasBefore, const QJsonObject &biasAfter); // BiasReport JSON

// Compares two versions: metrics and params as `dvc metrics diff` / `dvc params diff`, and
// the slice and bias reports found among the pipeline's JSON outputs.
VersionDiff diffVersions(const VersionStore &store, const QString &revA, const QString &revB);

} // namespace Audit
