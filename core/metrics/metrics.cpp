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

double reportP(double p)
{
    return std::isfinite(p) ? QString::number(p, 'g', kReportDigits).toDouble() : p;
}

QJsonValue reportJsonP(double p)
{
    return std::isfinite(p) ? QJsonValue(reportP(p)) : QJsonValue(QJsonValue::Null);
}

QString csvP(double p)
{
    return std::isfinite(p) ? QString::number(p, 'g', kReportDigits) : QString();
}

QString pValueText(double p, const QString &none)
{
    if (!std::isfinite(p))
        return none;
    p = reportP(p);
    if (p < 1e-300)
        return QStringLiteral("<1e-300");
    return p < 1e-4 ? QString::number(p, 'e', 1) : QString::number(p, 'f', 4);
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

std::vector<ScoreGroup> scoreGroups(const std::vector<double> &scores, const std::vector<std::int8_t> &labels)
{
    std::vector<std::pair<double, bool>> ranked(scores.size());
    for (std::size_t i = 0; i < scores.size(); ++i)
        ranked[i] = {scores[i], labels[i] != 0};
    std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    std::vector<ScoreGroup> groups;
    for (const auto &[score, positive] : ranked) {
        if (groups.empty() || groups.back().score != score)
            groups.push_back({score, 0, 0});
        ++(positive ? groups.back().positives : groups.back().negatives);
    }
    return groups;
}

double rocAuc(const std::vector<double> &scores, const std::vector<std::int8_t> &labels)
{
    return rocAuc(scoreGroups(scores, labels));
}

double rocAuc(const std::vector<ScoreGroup> &groups)
{
    // Mann-Whitney U with average ranks for ties: ranks 1..n from the lowest score up. Every
    // rank sum is a multiple of 0.5 below 2^53, so the sums are exact.
    double positives = 0;
    double rankSum = 0;
    double below = 0; // rows with a lower score
    for (auto it = groups.rbegin(); it != groups.rend(); ++it) {
        const double rows = double(it->positives + it->negatives);
        const double averageRank = (below + (below + rows) + 1.0) / 2.0;
        positives += double(it->positives);
        rankSum += double(it->positives) * averageRank;
        below += rows;
    }
    const double negatives = below - positives;
    if (positives == 0 || negatives == 0)
        return kNaN;
    return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
}

double averagePrecision(const std::vector<double> &scores, const std::vector<std::int8_t> &labels)
{
    return averagePrecision(scoreGroups(scores, labels));
}

double averagePrecision(const std::vector<ScoreGroup> &groups)
{
    // AP = sum over thresholds of (R_n - R_{n-1}) * P_n, thresholds at each distinct score.
    double totalPositives = 0;
    double rows = 0;
    for (const ScoreGroup &g : groups) {
        totalPositives += double(g.positives);
        rows += double(g.positives + g.negatives);
    }
    if (totalPositives == 0 || totalPositives == rows)
        return kNaN;
    double tp = 0;
    double fp = 0;
    double previousRecall = 0;
    double ap = 0;
    for (const ScoreGroup &g : groups) {
        tp += double(g.positives);
        fp += double(g.negatives);
        const double recall = tp / totalPositives;
        ap += (recall - previousRecall) * (tp / (tp + fp));
        previousRecall = recall;
    }
    return ap;
}

double bestThreshold(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, double beta)
{
    return bestThreshold(scoreGroups(scores, labels), beta);
}

double bestThreshold(const std::vector<ScoreGroup> &groups, double beta)
{
    Confusion c;
    for (const ScoreGroup &g : groups) {
        c.fn += g.positives;
        c.tn += g.negatives;
    }
    if (c.fn == 0 || c.tn == 0)
        return 0.5;
    double best = -1;
    double bestCut = 0.5;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        c.tp += groups[i].positives;
        c.fn -= groups[i].positives;
        c.fp += groups[i].negatives;
        c.tn -= groups[i].negatives;
        const double f = fBeta(c, beta);
        if (f > best) {
            best = f;
            const double here = groups[i].score;
            bestCut = i + 1 < groups.size() ? (here + groups[i + 1].score) / 2 : here;
        }
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
    return computeMetrics(scores, labels, threshold, beta, scoreGroups(scores, labels));
}

BinaryMetrics computeMetrics(const std::vector<double> &scores, const std::vector<std::int8_t> &labels, double threshold,
                             double beta, const std::vector<ScoreGroup> &groups)
{
    BinaryMetrics m;
    m.beta = beta;
    fillThresholdMetrics(m, scores, labels, threshold);
    m.rocAuc = rocAuc(groups);
    m.prAuc = averagePrecision(groups);
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
