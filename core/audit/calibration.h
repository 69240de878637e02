#pragma once

#include <cstdint>
#include <vector>

#include <QString>

#include "groupedcolumn.h"
#include "slicereport.h" // Interval

namespace Audit {

// One bin of a reliability diagram: the rows whose score falls in it.
struct CalibrationBin
{
    double low = 0; // score range: (low, high], the first bin [0, high]
    double high = 0;
    std::int64_t n = 0;
    std::int64_t positives = 0;
    double meanScore = 0; // what the model predicted, on average
    double observed = 0; // what happened: positives / n
    Interval observedCi; // 95% Wilson interval of `observed`
};

// Reliability diagram with `bins` equal-width score bins over [0, 1], binned as scikit-learn's
// calibration_curve(strategy="uniform") does (np.searchsorted on the inner edges, so a score on an
// edge belongs to the bin below it); empty bins are left out, as there.
struct Calibration
{
    std::vector<CalibrationBin> bins;
    double ece = 0; // expected calibration error: sum over bins of n/N * |observed - meanScore|
    double mce = 0; // maximum calibration error: the largest |observed - meanScore| of a bin
};
Calibration calibrationCurve(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, int bins = 10);

// 95% percentile-bootstrap interval of the ECE (`resamples` seeded resamples of the rows, each
// binned as above): how sure the ECE is. The ECE of a finite sample is biased upward (even a
// perfectly calibrated score shows one), so an interval far from 0 is what says "miscalibrated".
// Beyond kExactBootstrapDraws row draws (100,000 rows at 200 resamples) the resampling is
// replaced by its normal limit per bin (see calibration.cpp), for the same interval in
// milliseconds instead of seconds.
constexpr std::size_t kExactBootstrapDraws = std::size_t(20'000'000);
Interval eceInterval(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, int bins = 10,
                     int resamples = 200, std::uint64_t seed = 42);

// One group of a column (a category, or a numeric column's bin) and its reliability diagram.
struct GroupCalibration
{
    QString column;
    QString group;
    std::size_t rows = 0;
    Calibration calibration;
};

// The reliability diagram of every group of `groups` holding at least `minRows` of the scored
// rows; scores[i] and labels[i] belong to data row rows[i] (to row i when `rows` is null).
// Groups with fewer rows (but some) are counted in *smallGroups when it is given.
std::vector<GroupCalibration> calibrationByGroup(const GroupedColumn &groups, const std::vector<double> &scores,
                                                 const std::vector<std::int8_t> &labels, const std::vector<std::size_t> *rows,
                                                 std::size_t minRows, int bins = 10, int *smallGroups = nullptr);

// Score distribution by true class: counts per equal-width bin over [0, 1] (same binning).
struct ScoreHistogram
{
    std::vector<double> edges; // bins + 1 edges, 0 .. 1
    std::vector<std::int64_t> positives; // per bin, rows labelled positive
    std::vector<std::int64_t> negatives;
};
ScoreHistogram scoreHistogram(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, int bins = 20);

} // namespace Audit
