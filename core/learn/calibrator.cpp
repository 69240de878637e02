#include "calibrator.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <QJsonArray>

#include "learners/logisticlearner.h" // sigmoid, logit
#include "metrics.h" // jsonNumber
#include "schemaerror.h"

namespace Audit {

namespace {

// -[t log q + (1 - t) log(1 - q)] for q = sigmoid(m), without overflow for large |m|.
double logisticLoss(double m, double t)
{
    const double softplus = m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m)); // log(1 + e^m)
    return softplus - t * m;
}

CalibrationFit fitOf(const std::vector<double> &scores, const std::vector<std::int8_t> &labels)
{
    CalibrationFit f;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const double p = std::clamp(scores[i], 1e-15, 1 - 1e-15);
        const double y = labels[i];
        f.brier += (scores[i] - y) * (scores[i] - y);
        f.logLoss -= y * std::log(p) + (1 - y) * std::log(1 - p);
    }
    if (!scores.empty()) {
        f.brier /= double(scores.size());
        f.logLoss /= double(scores.size());
    }
    return f;
}

void fitPlatt(ScoreCalibration &c, const std::vector<double> &scores, const std::vector<std::int8_t> &labels)
{
    const double positives = double(c.fitPositives);
    const double negatives = double(c.fitRows - c.fitPositives);
    // Platt's targets: a little away from 0 and 1, so a separable set does not send a to infinity.
    const double hi = (positives + 1) / (positives + 2);
    const double lo = 1 / (negatives + 2);
    const std::size_t n = scores.size();
    std::vector<double> z(n);
    std::vector<double> t(n);
    for (std::size_t i = 0; i < n; ++i) {
        z[i] = logit(scores[i]);
        t[i] = labels[i] ? hi : lo;
    }
    const auto loss = [&](double a, double b) {
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i)
            sum += logisticLoss(a * z[i] + b, t[i]);
        return sum;
    };
    double a = 0;
    double b = std::log((positives + 1) / (negatives + 1));
    double current = loss(a, b);
    for (int iteration = 0; iteration < 100; ++iteration) {
        double ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
        for (std::size_t i = 0; i < n; ++i) {
            const double q = sigmoid(a * z[i] + b);
            const double d = q - t[i];
            const double w = q * (1 - q);
            ga += d * z[i];
            gb += d;
            haa += w * z[i] * z[i];
            hab += w * z[i];
            hbb += w;
        }
        if (std::max(std::abs(ga), std::abs(gb)) < 1e-9 * double(n))
            break;
        const double det = haa * hbb - hab * hab;
        const double da = -(hbb * ga - hab * gb) / det;
        const double db = -(haa * gb - hab * ga) / det;
        const double slope = ga * da + gb * db; // < 0: a descent direction
        double step = 1;
        while (step > 1e-10) {
            const double next = loss(a + step * da, b + step * db);
            if (next <= current + 1e-4 * step * slope) {
                a += step * da;
                b += step * db;
                current = next;
                break;
            }
            step /= 2;
        }
        if (step <= 1e-10)
            break; // no further decrease in double precision
    }
    c.a = a;
    c.b = b;
}

void fitIsotonic(ScoreCalibration &c, const std::vector<double> &scores, const std::vector<std::int8_t> &labels)
{
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t l, std::size_t r) { return scores[l] < scores[r]; });
    struct Block
    {
        double weight = 0;
        double sum = 0; // of labels
        double low = 0; // the smallest and largest score pooled into it
        double high = 0;
        double mean() const { return sum / weight; }
    };
    std::vector<Block> blocks;
    for (std::size_t k = 0; k < order.size();) {
        // Ties first: every row of one score is one point, weighted by its rows.
        Block point{0, 0, scores[order[k]], scores[order[k]]};
        while (k < order.size() && scores[order[k]] == point.low) {
            point.weight += 1;
            point.sum += labels[order[k]];
            ++k;
        }
        blocks.push_back(point);
        // Pool adjacent violators (and equal neighbours: one step of one value).
        while (blocks.size() > 1 && blocks[blocks.size() - 2].mean() >= blocks.back().mean()) {
            Block top = blocks.back();
            blocks.pop_back();
            Block &below = blocks.back();
            below.weight += top.weight;
            below.sum += top.sum;
            below.high = top.high;
        }
    }
    for (const Block &block : blocks) {
        c.x.push_back(block.low);
        c.y.push_back(block.mean());
        if (block.high > block.low) {
            c.x.push_back(block.high);
            c.y.push_back(block.mean());
        }
    }
}

double jsonFinite(const QJsonObject &json, const char *key, const QString &where)
{
    const QJsonValue v = json.value(QLatin1String(key));
    if (!v.isDouble() || !std::isfinite(v.toDouble()))
        throw SchemaError(QStringLiteral("%1.%2: expected a finite number").arg(where, QLatin1String(key)));
    return v.toDouble();
}

CalibrationFit fitFromJson(const QJsonObject &json, const QString &where)
{
    return {jsonFinite(json, "brier", where), jsonFinite(json, "log_loss", where)};
}

} // namespace

ScoreCalibration ScoreCalibration::fit(CalibrationMethod method, const std::vector<double> &scores,
                                       const std::vector<std::int8_t> &labels, const QString &fitOn)
{
    ScoreCalibration c;
    c.method = method;
    if (method == CalibrationMethod::None)
        return c;
    c.fitRows = std::int64_t(scores.size());
    c.fitPositives = std::int64_t(std::count(labels.begin(), labels.end(), std::int8_t(1)));
    c.fitOn = fitOn;
    const std::size_t negatives = scores.size() - std::size_t(c.fitPositives);
    if (scores.size() < kMinRows || std::size_t(c.fitPositives) < kMinPerClass || negatives < kMinPerClass)
        throw SchemaError(QStringLiteral("%1 calibration needs at least %2 held-out rows and %3 of each class; %4 has %5 "
                                         "positive and %6 negative of %7. Fix: train on more rows, or set "
                                         "model.calibration: none")
                              .arg(enumName(method))
                              .arg(kMinRows)
                              .arg(kMinPerClass)
                              .arg(fitOn)
                              .arg(c.fitPositives)
                              .arg(negatives)
                              .arg(scores.size()));
    for (double s : scores) {
        if (!std::isfinite(s))
            throw SchemaError(QStringLiteral("%1 calibration: a held-out score is not a number").arg(enumName(method)));
    }
    if (method == CalibrationMethod::Platt) {
        fitPlatt(c, scores, labels);
        if (!(c.a > 0 && c.a <= kMaxPlatt && std::abs(c.b) <= kMaxPlatt))
            throw SchemaError(QStringLiteral("platt calibration: the fit gives a = %1, b = %2 on %3: the scores do not rank "
                                             "those rows usefully. Fix: set model.calibration: none, or isotonic")
                                  .arg(c.a)
                                  .arg(c.b)
                                  .arg(fitOn));
    } else
        fitIsotonic(c, scores, labels);
    c.before = fitOf(scores, labels);
    std::vector<double> calibrated = scores;
    c.applyAll(calibrated);
    c.after = fitOf(calibrated, labels);
    return c;
}

double ScoreCalibration::apply(double p) const
{
    switch (method) {
    case CalibrationMethod::None:
        return p;
    case CalibrationMethod::Platt:
        return std::isnan(p) ? p : sigmoid(a * logit(p) + b);
    case CalibrationMethod::Isotonic:
        break;
    }
    if (std::isnan(p) || x.empty())
        return p;
    if (p <= x.front())
        return y.front();
    if (p >= x.back())
        return y.back();
    const auto upper = std::upper_bound(x.begin(), x.end(), p);
    const std::size_t k = std::size_t(upper - x.begin()); // x[k - 1] <= p < x[k]
    const double w = (p - x[k - 1]) / (x[k] - x[k - 1]);
    return y[k - 1] + w * (y[k] - y[k - 1]);
}

void ScoreCalibration::applyAll(std::vector<double> &scores) const
{
    if (!active())
        return;
    for (double &s : scores)
        s = apply(s);
}

QString ScoreCalibration::describe() const
{
    switch (method) {
    case CalibrationMethod::None:
        return QStringLiteral("none");
    case CalibrationMethod::Platt:
        return QStringLiteral("Platt: p' = sigmoid(%1 * logit(p) %2 %3)")
            .arg(a, 0, 'f', 4)
            .arg(b < 0 ? QLatin1Char('-') : QLatin1Char('+'))
            .arg(std::abs(b), 0, 'f', 4);
    case CalibrationMethod::Isotonic:
        break;
    }
    return QStringLiteral("isotonic: %1 breakpoints, linear between them").arg(x.size());
}

QJsonObject ScoreCalibration::toJson() const
{
    QJsonObject json{{QStringLiteral("method"), enumName(method)}};
    if (!active())
        return json;
    if (method == CalibrationMethod::Platt) {
        json.insert(QStringLiteral("a"), a);
        json.insert(QStringLiteral("b"), b);
    } else {
        QJsonArray xs;
        QJsonArray ys;
        for (std::size_t i = 0; i < x.size(); ++i) {
            xs.append(x[i]);
            ys.append(y[i]);
        }
        json.insert(QStringLiteral("x"), xs);
        json.insert(QStringLiteral("y"), ys);
    }
    const auto fitJson = [](const CalibrationFit &f) {
        return QJsonObject{{QStringLiteral("brier"), jsonNumber(f.brier)}, {QStringLiteral("log_loss"), jsonNumber(f.logLoss)}};
    };
    json.insert(QStringLiteral("fit_rows"), qint64(fitRows));
    json.insert(QStringLiteral("fit_positives"), qint64(fitPositives));
    json.insert(QStringLiteral("fit_on"), fitOn);
    json.insert(QStringLiteral("before"), fitJson(before));
    json.insert(QStringLiteral("after"), fitJson(after));
    return json;
}

ScoreCalibration ScoreCalibration::fromJson(const QJsonObject &json)
{
    const QString where = QStringLiteral("calibration");
    ScoreCalibration c;
    if (!json.value(QStringLiteral("method")).isString())
        throw SchemaError(QStringLiteral("calibration.method: expected \"platt\" or \"isotonic\""));
    const QString name = json.value(QStringLiteral("method")).toString();
    const std::optional<CalibrationMethod> method = enumFromName<CalibrationMethod>(name);
    if (!method)
        throw SchemaError(QStringLiteral("calibration.method: unknown method \"%1\"; expected %2")
                              .arg(name.left(40), enumNameList<CalibrationMethod>()));
    c.method = *method;
    if (!c.active())
        return c;
    if (c.method == CalibrationMethod::Platt) {
        c.a = jsonFinite(json, "a", where);
        c.b = jsonFinite(json, "b", where);
        // A map that reverses the ranking (a <= 0) is no calibration, and past these bounds the
        // attributions (scaled by a) overflow.
        if (!(c.a > 0 && c.a <= kMaxPlatt))
            throw SchemaError(QStringLiteral("calibration.a: %1 is outside (0, %2]").arg(c.a).arg(kMaxPlatt));
        if (!(std::abs(c.b) <= kMaxPlatt))
            throw SchemaError(QStringLiteral("calibration.b: %1 is outside [-%2, %2]").arg(c.b).arg(kMaxPlatt));
    } else {
        const QJsonArray xs = json.value(QStringLiteral("x")).toArray();
        const QJsonArray ys = json.value(QStringLiteral("y")).toArray();
        if (xs.isEmpty() || xs.size() != ys.size() || std::size_t(xs.size()) > kMaxBreakpoints)
            throw SchemaError(QStringLiteral("calibration.x, calibration.y: %1 and %2 breakpoints (expected the same number, "
                                             "1 to %3)")
                                  .arg(xs.size())
                                  .arg(ys.size())
                                  .arg(kMaxBreakpoints));
        for (qsizetype i = 0; i < xs.size(); ++i) {
            const double xv = xs[i].toDouble(std::nan(""));
            const double yv = ys[i].toDouble(std::nan(""));
            if (!(xv >= 0 && xv <= 1) || (i > 0 && !(xv > c.x.back())))
                throw SchemaError(QStringLiteral("calibration.x[%1]: expected a score in [0, 1] above the one before it").arg(i));
            if (!(yv >= 0 && yv <= 1))
                throw SchemaError(QStringLiteral("calibration.y[%1]: expected a probability in [0, 1]").arg(i));
            if (i > 0 && !(yv >= c.y.back()))
                throw SchemaError(
                    QStringLiteral("calibration.y[%1]: lower than the one before it (the map must not decrease)").arg(i));
            c.x.push_back(xv);
            c.y.push_back(yv);
        }
    }
    const auto count = [&json](const char *key) {
        const QJsonValue v = json.value(QLatin1String(key));
        const double d = v.toDouble(-1);
        if (!v.isDouble() || !(d >= 0 && d <= 9e15) || d != std::floor(d))
            throw SchemaError(QStringLiteral("calibration.%1: expected a whole number of rows").arg(QLatin1String(key)));
        return std::int64_t(d);
    };
    c.fitRows = count("fit_rows");
    c.fitPositives = count("fit_positives");
    if (c.fitPositives > c.fitRows)
        throw SchemaError(QStringLiteral("calibration.fit_positives: %1 positive of %2 rows").arg(c.fitPositives).arg(c.fitRows));
    if (!json.value(QStringLiteral("fit_on")).isString())
        throw SchemaError(QStringLiteral("calibration.fit_on: expected text"));
    // Shown in reports and cards: no control characters (a file could forge report lines), no
    // markup (<, >, |, `: the card is Markdown rendered to HTML).
    c.fitOn = json.value(QStringLiteral("fit_on")).toString().left(200);
    for (QChar &ch : c.fitOn) {
        if (ch.category() == QChar::Other_Control || ch.category() == QChar::Other_Format || ch == QLatin1Char('<')
            || ch == QLatin1Char('>') || ch == QLatin1Char('|') || ch == QLatin1Char('`'))
            ch = QLatin1Char(' ');
    }
    c.before = fitFromJson(json.value(QStringLiteral("before")).toObject(), QStringLiteral("calibration.before"));
    c.after = fitFromJson(json.value(QStringLiteral("after")).toObject(), QStringLiteral("calibration.after"));
    return c;
}

CalibratedLearner::CalibratedLearner(std::unique_ptr<Learner> base, ScoreCalibration calibration)
    : m_base(std::move(base))
    , m_calibration(std::move(calibration))
{}

void CalibratedLearner::train(const FeatureMatrix &, const std::vector<std::int8_t> &, const LearnerParams &, const Progress &)
{
    throw std::logic_error("a calibrated learner is made by trainModel, not trained again");
}

void CalibratedLearner::load(std::istream &)
{
    throw std::logic_error("a calibrated learner loads through Model::deserialize");
}

double CalibratedLearner::score(const float *row, std::size_t width) const
{
    return m_calibration.apply(m_base->score(row, width));
}

std::vector<double> CalibratedLearner::scoreAll(const FeatureMatrix &x) const
{
    std::vector<double> scores = m_base->scoreAll(x);
    m_calibration.applyAll(scores);
    return scores;
}

std::optional<double> CalibratedLearner::exactAttributions(const float *row, std::size_t width, const std::vector<double> &means,
                                                           double *phi) const
{
    // The base learner's values land in a scratch row first: phi may already hold other sums.
    std::vector<double> own(width, 0.0);
    const std::optional<double> base = m_base->exactAttributions(row, width, means, own.data());
    if (!base)
        return std::nullopt;
    const bool logOdds = m_base->attributionSpace() == OutputSpace::LogOdds;
    double factor = 0;
    double calibratedBase = 0;
    if (m_calibration.linearInLogOdds() && logOdds) {
        factor = m_calibration.a; // a * (base + sum phi) + b: every value scaled by a, the base mapped
        calibratedBase = m_calibration.a * *base + m_calibration.b;
    } else {
        double output = *base;
        for (double v : own)
            output += v;
        const auto calibrated = [&](double native) { return m_calibration.apply(logOdds ? sigmoid(native) : native); };
        calibratedBase = calibrated(*base);
        const double change = output - *base;
        if (std::abs(change) > 1e-12) {
            factor = (calibrated(output) - calibratedBase) / change;
        } else {
            constexpr double h = 1e-6; // the map's local slope: the values sum to ~0 here
            factor = (calibrated(output + h) - calibrated(output - h)) / (2 * h);
        }
    }
    for (std::size_t i = 0; i < width; ++i)
        phi[i] += own[i] * factor;
    return calibratedBase;
}

OutputSpace CalibratedLearner::attributionSpace() const
{
    return m_calibration.linearInLogOdds() && m_base->attributionSpace() == OutputSpace::LogOdds ? OutputSpace::LogOdds
                                                                                                 : OutputSpace::Probability;
}

bool CalibratedLearner::attributionsAreShapley() const
{
    return m_base->attributionsAreShapley() && m_calibration.linearInLogOdds()
        && m_base->attributionSpace() == OutputSpace::LogOdds;
}

QString CalibratedLearner::attributionMethod() const
{
    const QString base = m_base->attributionMethod();
    if (base.isEmpty())
        return base;
    if (attributionsAreShapley())
        return QStringLiteral("%1, through the Platt calibration (linear in log-odds: still exact)").arg(base);
    return QStringLiteral("%1 of the uncalibrated model, rescaled through the %2 calibration (they add up to the calibrated "
                          "probability, but are not Shapley values of it)")
        .arg(base, enumName(m_calibration.method));
}

std::unique_ptr<Learner> CalibratedLearner::clone() const
{
    return std::make_unique<CalibratedLearner>(m_base->clone(), m_calibration);
}

} // namespace Audit
