#include "metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace Audit {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kLogLossEps = 1e-15;

double ratioOrNaN(double numerator, double denominator)
{
    return denominator == 0 ? kNaN : numerator / denominator;
}

// Indices sorted by score, highest first; ties keep index order so results are stable.
std::vector<std::size_t> descendingOrder(const std::vector<double> &scores)
{
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    return order;
}

} // namespace

double ratioOrNaN(std::int64_t numerator, std::int64_t denominator)
{
    return denominator == 0 ? kNaN : double(numerator) / double(denominator);
}

double reportNumber(double value)
{
    if (!std::isfinite(value))
        return value;
    if (std::abs(value) < kReportZero)
        return 0.0;
    // Through the decimal text the CSV prints, so JSON and CSV state the same number.
    return QString::number(value, 'g', kReportDigits).toDouble();
}

QJsonValue jsonNumber(double value)
{
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

QJsonValue reportJsonNumber(double value)
{
    return jsonNumber(reportNumber(value));
}

QString csvNumber(double value)
{
    return std::isfinite(value) ? QString::number(reportNumber(value), 'g', kReportDigits) : QString();
}

double fBeta(const Confusion &c, double beta)
{
    const double b2 = beta * beta;
    return ratioOrNaN((1 + b2) * double(c.tp), (1 + b2) * double(c.tp) + b2 * double(c.fn) + double(c.fp));
}

Confusion confusionAt(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, double threshold)
{
    Confusion c;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const bool predicted = scores[i] >= threshold;
        if (labels[i])
            ++(predicted ? c.tp : c.fn);
        else
            ++(predicted ? c.fp : c.tn);
    }
    return c;
}

double rocAuc(const std::vector<double> &scores, const std::vector<std::int8_t> &labels)
{
    // Mann-Whitney U with average ranks for ties.
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
    double positives = 0;
    double rankSum = 0;
    std::size_t i = 0;
    while (i < order.size()) {
        std::size_t j = i;
        while (j < order.size() && scores[order[j]] == scores[order[i]])
            ++j;
        const double averageRank = (double(i) + double(j) + 1.0) / 2.0; // ranks are 1-based
        for (std::size_t k = i; k < j; ++k) {
            if (labels[order[k]]) {
                positives += 1;
                rankSum += averageRank;
            }
        }
        i = j;
    }
    const double negatives = double(scores.size()) - positives;
    if (positives == 0 || negatives == 0)
        return kNaN;
    return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
}

double averagePrecision(const std::vector<double> &scores, const std::vector<std::int8_t> &labels)
{
    // AP = sum over thresholds of (R_n - R_{n-1}) * P_n, thresholds at each distinct score.
    const std::vector<std::size_t> order = descendingOrder(scores);
    double totalPositives = 0;
    for (std::int8_t label : labels)
        totalPositives += label;
    if (totalPositives == 0 || totalPositives == double(labels.size()))
        return kNaN;
    double tp = 0;
    double fp = 0;
    double previousRecall = 0;
    double ap = 0;
    std::size_t i = 0;
    while (i < order.size()) {
        std::size_t j = i;
        while (j < order.size() && scores[order[j]] == scores[order[i]]) {
            (labels[order[j]] ? tp : fp) += 1;
            ++j;
        }
        const double recall = tp / totalPositives;
        ap += (recall - previousRecall) * (tp / (tp + fp));
        previousRecall = recall;
        i = j;
    }
    return ap;
}

double bestThreshold(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, double beta)
{
    const std::vector<std::size_t> order = descendingOrder(scores);
    Confusion c;
    for (std::int8_t label : labels)
        ++(label ? c.fn : c.tn);
    if (c.fn == 0 || c.tn == 0)
        return 0.5;
    double best = -1;
    double bestCut = 0.5;
    std::size_t i = 0;
    while (i < order.size()) {
        std::size_t j = i;
        while (j < order.size() && scores[order[j]] == scores[order[i]]) {
            if (labels[order[j]]) {
                ++c.tp;
                --c.fn;
            } else {
                ++c.fp;
                --c.tn;
            }
            ++j;
        }
        const double f = fBeta(c, beta);
        if (f > best) {
            best = f;
            const double here = scores[order[i]];
            bestCut = j < order.size() ? (here + scores[order[j]]) / 2 : here;
        }
        i = j;
    }
    return bestCut;
}

namespace {

void fillThresholdMetrics(BinaryMetrics &m, const std::vector<double> &scores, const std::vector<std::int8_t> &labels,
                          double threshold)
{
    m.threshold = threshold;
    m.support = std::int64_t(scores.size());
    m.confusion = confusionAt(scores, labels, threshold);
    const Confusion &c = m.confusion;
    m.positives = c.tp + c.fn;
    m.precision = ratioOrNaN(double(c.tp), double(c.tp + c.fp));
    m.recall = ratioOrNaN(double(c.tp), double(c.tp + c.fn));
    m.f1 = fBeta(c, m.beta);
    m.accuracy = ratioOrNaN(double(c.tp + c.tn), double(m.support));
}

} // namespace

BinaryMetrics metricsAtThreshold(const BinaryMetrics &ranked, const std::vector<double> &scores,
                                 const std::vector<std::int8_t> &labels, double threshold)
{
    BinaryMetrics m = ranked;
    fillThresholdMetrics(m, scores, labels, threshold);
    return m;
}

BinaryMetrics computeMetrics(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, double threshold,
                             double beta)
{
    BinaryMetrics m;
    m.beta = beta;
    fillThresholdMetrics(m, scores, labels, threshold);
    m.rocAuc = rocAuc(scores, labels);
    m.prAuc = averagePrecision(scores, labels);
    double logLoss = 0;
    double brier = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const double p = std::clamp(scores[i], kLogLossEps, 1 - kLogLossEps);
        logLoss -= labels[i] ? std::log(p) : std::log(1 - p);
        const double d = scores[i] - double(labels[i]);
        brier += d * d;
    }
    m.logLoss = scores.empty() ? kNaN : logLoss / double(scores.size());
    m.brier = scores.empty() ? kNaN : brier / double(scores.size());
    return m;
}

QJsonObject BinaryMetrics::toJson() const
{
    return QJsonObject{
        {QStringLiteral("precision"), jsonNumber(precision)},
        {QStringLiteral("recall"), jsonNumber(recall)},
        {QStringLiteral("f1"), jsonNumber(f1)},
        {QStringLiteral("accuracy"), jsonNumber(accuracy)},
        {QStringLiteral("roc_auc"), jsonNumber(rocAuc)},
        {QStringLiteral("pr_auc"), jsonNumber(prAuc)},
        {QStringLiteral("log_loss"), jsonNumber(logLoss)},
        {QStringLiteral("brier"), jsonNumber(brier)},
        {QStringLiteral("confusion"),
         QJsonObject{{QStringLiteral("tp"), qint64(confusion.tp)},
                     {QStringLiteral("fp"), qint64(confusion.fp)},
                     {QStringLiteral("tn"), qint64(confusion.tn)},
                     {QStringLiteral("fn"), qint64(confusion.fn)}}},
        {QStringLiteral("support"), qint64(support)},
        {QStringLiteral("positives"), qint64(positives)},
        {QStringLiteral("threshold"), threshold},
        {QStringLiteral("beta"), beta},
    };
}

} // namespace Audit
