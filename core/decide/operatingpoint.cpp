#include "operatingpoint.h"

#include <algorithm>
#include <cmath>

#include <QJsonArray>
#include <QRegularExpression>

#include "auditerror.h"
#include "rng.h"

namespace Audit {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void badObjective(const QString &text, const QString &why)
{
    throw OptionError(QStringLiteral("objective"),
                      QStringLiteral("objective \"%1\": %2. Forms: f1, fbeta:B, cost:R (a false negative costs R false "
                                     "positives), cost:fp=A,fn=B, recall:T, precision:T, ppr:T")
                          .arg(text, why));
}

double number(const QString &text, const QString &whole, const QString &what)
{
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(v))
        badObjective(whole, QStringLiteral("%1 \"%2\" is not a number").arg(what, text));
    return v;
}

QString num(double v)
{
    return QString::number(v, 'g', 6);
}

// The counts of the first `k` score groups predicted positive.
struct Cut
{
    std::int64_t tp = 0;
    std::int64_t fp = 0;
};

OperatingPoint pointAt(const Objective &o, std::int64_t positives, std::int64_t negatives, Cut cut, double threshold)
{
    OperatingPoint p;
    p.threshold = threshold;
    p.confusion.tp = cut.tp;
    p.confusion.fp = cut.fp;
    p.confusion.fn = positives - cut.tp;
    p.confusion.tn = negatives - cut.fp;
    const auto rows = double(positives + negatives);
    const std::int64_t predicted = cut.tp + cut.fp;
    p.precision = predicted > 0 ? double(cut.tp) / double(predicted) : kNaN;
    p.recall = positives > 0 ? double(cut.tp) / double(positives) : kNaN;
    p.fBeta = fBeta(p.confusion, o.beta);
    p.positiveRate = rows > 0 ? double(predicted) / rows : kNaN;
    p.cost = rows > 0 ? (o.costFp * double(p.confusion.fp) + o.costFn * double(p.confusion.fn)) / rows : kNaN;
    switch (o.kind) {
    case Objective::Kind::FBeta:
        p.value = p.fBeta;
        break;
    case Objective::Kind::Cost:
        p.value = p.cost;
        break;
    case Objective::Kind::Recall:
        p.value = p.precision;
        p.feasible = p.recall >= o.target;
        break;
    case Objective::Kind::Precision:
        p.value = p.recall;
        p.feasible = predicted > 0 && p.precision >= o.target;
        break;
    case Objective::Kind::PositiveRate:
        p.value = p.positiveRate;
        break;
    }
    return p;
}

// How good a point is, larger better; infeasible points rank below every feasible one.
double merit(const Objective &o, const OperatingPoint &p)
{
    switch (o.kind) {
    case Objective::Kind::FBeta:
        return p.value;
    case Objective::Kind::Cost:
        return -p.value;
    case Objective::Kind::Recall:
    case Objective::Kind::Precision:
        if (!p.feasible) // the nearest miss: how far the constraint is from holding
            return -1e6 - std::abs((o.kind == Objective::Kind::Recall ? p.recall : p.precision) - o.target);
        return std::isnan(p.value) ? -1 : p.value;
    case Objective::Kind::PositiveRate:
        return -std::abs(p.value - o.target);
    }
    return 0;
}

// The cut points, highest threshold first: cuts[k] has the first k groups positive.
struct Cuts
{
    std::vector<double> thresholds;
    std::vector<std::uint32_t> groups; // how many groups each cut takes
};

Cuts cutPoints(const std::vector<ScoreGroup> &g)
{
    Cuts c;
    if (g.front().score < 1) {
        c.thresholds.push_back(std::nextafter(g.front().score, 2.0));
        c.groups.push_back(0);
    }
    for (std::size_t i = 0; i < g.size(); ++i) {
        c.thresholds.push_back(i + 1 < g.size() ? (g[i].score + g[i + 1].score) / 2 : g[i].score);
        c.groups.push_back(std::uint32_t(i + 1));
    }
    return c;
}

// The best cut for counts `pos`/`neg` per group (the first of equals: the highest threshold).
std::size_t bestCut(const Objective &o, const Cuts &cuts, const std::vector<std::int64_t> &pos,
                    const std::vector<std::int64_t> &neg, std::int64_t positives, std::int64_t negatives)
{
    Cut cut;
    std::size_t taken = 0;
    std::size_t best = 0;
    double bestMerit = -std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < cuts.thresholds.size(); ++k) {
        for (; taken < cuts.groups[k]; ++taken) {
            cut.tp += pos[taken];
            cut.fp += neg[taken];
        }
        const double m = merit(o, pointAt(o, positives, negatives, cut, cuts.thresholds[k]));
        if (m > bestMerit) {
            bestMerit = m;
            best = k;
        }
    }
    return best;
}

Cut countsAt(const Cuts &cuts, std::size_t k, const std::vector<std::int64_t> &pos, const std::vector<std::int64_t> &neg)
{
    Cut cut;
    for (std::size_t i = 0; i < cuts.groups[k]; ++i) {
        cut.tp += pos[i];
        cut.fp += neg[i];
    }
    return cut;
}

QJsonValue jsonOrNull(double v)
{
    return std::isfinite(v) ? QJsonValue(reportNumber(v)) : QJsonValue();
}

QJsonObject intervalJson(const Stats::Interval &i)
{
    return {{QStringLiteral("low"), jsonOrNull(i.low)}, {QStringLiteral("high"), jsonOrNull(i.high)}};
}

QString fmt(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 4) : QStringLiteral("–");
}

} // namespace

Objective Objective::parse(const QString &text)
{
    const QString t = text.trimmed().toLower();
    const qsizetype colon = t.indexOf(QLatin1Char(':'));
    const QString name = colon < 0 ? t : t.left(colon);
    const QString arg = colon < 0 ? QString() : t.mid(colon + 1);
    Objective o;
    if (name == QLatin1String("f1") && arg.isEmpty())
        return o;
    if (name == QLatin1String("fbeta")) {
        o.beta = number(arg, text, QStringLiteral("beta"));
        if (!(o.beta >= 0.01 && o.beta <= 100))
            badObjective(text, QStringLiteral("beta must be in [0.01, 100]"));
        return o;
    }
    if (name == QLatin1String("cost")) {
        o.kind = Kind::Cost;
        if (arg.contains(QLatin1Char('='))) {
            bool fp = false;
            bool fn = false;
            for (const QString &part : arg.split(QLatin1Char(','))) {
                const QStringList kv = part.split(QLatin1Char('='));
                const QString key = kv.value(0).trimmed();
                if (kv.size() != 2 || (key != QLatin1String("fp") && key != QLatin1String("fn")))
                    badObjective(text, QStringLiteral("\"%1\" is not fp=A or fn=B").arg(part));
                bool &seen = key == QLatin1String("fp") ? fp : fn;
                if (seen)
                    badObjective(text, QStringLiteral("%1 is given twice").arg(key));
                (key == QLatin1String("fp") ? o.costFp : o.costFn) = number(kv[1], text, key + QStringLiteral(" cost"));
                seen = true;
            }
            if (!fp || !fn)
                badObjective(text, QStringLiteral("give both costs, fp=A and fn=B"));
        } else {
            o.costFn = number(arg, text, QStringLiteral("cost ratio"));
            if (!(o.costFn > 0))
                badObjective(text,
                             QStringLiteral("a cost ratio above 0 (at 0 a false negative costs nothing: every row "
                                            "would be predicted negative)"));
        }
        if (!(o.costFp >= 0 && o.costFn >= 0 && o.costFp + o.costFn > 0 && o.costFp <= 1e9 && o.costFn <= 1e9))
            badObjective(text, QStringLiteral("costs must be 0 to 1e9 and not both 0"));
        return o;
    }
    const std::pair<const char *, Kind> targets[] = {
        {"recall", Kind::Recall}, {"precision", Kind::Precision}, {"ppr", Kind::PositiveRate}};
    for (const auto &[n, kind] : targets) {
        if (name != QLatin1String(n))
            continue;
        o.kind = kind;
        o.target = number(arg, text, QStringLiteral("target"));
        const bool rate = kind == Kind::PositiveRate;
        if (!(rate ? o.target >= 0 && o.target <= 1 : o.target > 0 && o.target <= 1))
            badObjective(text,
                         rate ? QStringLiteral("the target rate must be in [0, 1]")
                              : QStringLiteral("the target must be in (0, 1]"));
        return o;
    }
    badObjective(text, QStringLiteral("unknown objective"));
}

QString Objective::spec() const
{
    switch (kind) {
    case Kind::FBeta:
        return beta == 1 ? QStringLiteral("f1") : QStringLiteral("fbeta:") + num(beta);
    case Kind::Cost:
        return QStringLiteral("cost:fp=%1,fn=%2").arg(num(costFp), num(costFn));
    case Kind::Recall:
        return QStringLiteral("recall:") + num(target);
    case Kind::Precision:
        return QStringLiteral("precision:") + num(target);
    case Kind::PositiveRate:
        return QStringLiteral("ppr:") + num(target);
    }
    return {};
}

QString Objective::metricName() const
{
    switch (kind) {
    case Kind::FBeta:
        return beta == 1 ? QStringLiteral("F1") : QStringLiteral("F%1").arg(num(beta));
    case Kind::Cost:
        return QStringLiteral("expected cost");
    case Kind::Recall:
        return QStringLiteral("precision");
    case Kind::Precision:
        return QStringLiteral("recall");
    case Kind::PositiveRate:
        return QStringLiteral("positive rate");
    }
    return {};
}

QString Objective::description() const
{
    switch (kind) {
    case Kind::FBeta:
        return QStringLiteral("max ") + metricName();
    case Kind::Cost:
        return QStringLiteral("min expected cost per row (a false positive costs %1, a false negative %2)")
            .arg(num(costFp), num(costFn));
    case Kind::Recall:
        return QStringLiteral("recall >= %1 with the best precision").arg(num(target));
    case Kind::Precision:
        return QStringLiteral("precision >= %1 with the best recall").arg(num(target));
    case Kind::PositiveRate:
        return QStringLiteral("predicted-positive rate nearest %1").arg(num(target));
    }
    return {};
}

QJsonObject OperatingPoint::toJson() const
{
    return {{QStringLiteral("threshold"), reportNumber(threshold)},
            {QStringLiteral("value"), jsonOrNull(value)},
            {QStringLiteral("feasible"), feasible},
            {QStringLiteral("precision"), jsonOrNull(precision)},
            {QStringLiteral("recall"), jsonOrNull(recall)},
            {QStringLiteral("f_beta"), jsonOrNull(fBeta)},
            {QStringLiteral("positive_rate"), jsonOrNull(positiveRate)},
            {QStringLiteral("expected_cost"), jsonOrNull(cost)},
            {QStringLiteral("confusion"),
             QJsonObject{{QStringLiteral("tp"), qint64(confusion.tp)},
                         {QStringLiteral("fp"), qint64(confusion.fp)},
                         {QStringLiteral("tn"), qint64(confusion.tn)},
                         {QStringLiteral("fn"), qint64(confusion.fn)}}}};
}

QJsonObject OperatingPointReport::toJson() const
{
    QJsonArray points;
    for (const ThresholdCurvePoint &p : curve)
        points.append(QJsonArray{reportNumber(p.threshold), jsonOrNull(p.value), jsonOrNull(p.precision), jsonOrNull(p.recall),
                                 jsonOrNull(p.positiveRate)});
    QJsonObject o{{QStringLiteral("objective"), objective.spec()},
                  {QStringLiteral("objective_description"), objective.description()},
                  {QStringLiteral("metric"), objective.metricName()},
                  {QStringLiteral("source"), source},
                  {QStringLiteral("model"), modelId},
                  {QStringLiteral("rows"), qint64(rows)},
                  {QStringLiteral("positives"), qint64(positives)},
                  {QStringLiteral("found"), found},
                  {QStringLiteral("best"), best.toJson()},
                  {QStringLiteral("threshold_ci"), intervalJson(thresholdCi)},
                  {QStringLiteral("value_ci"), intervalJson(valueCi)},
                  {QStringLiteral("current"), current.toJson()},
                  {QStringLiteral("bootstrap"),
                   QJsonObject{{QStringLiteral("method"), QStringLiteral("poisson")},
                               {QStringLiteral("resamples"), resamples},
                               {QStringLiteral("seed"), QString::number(seed)}}},
                  {QStringLiteral("curve_columns"),
                   QJsonArray{QStringLiteral("threshold"), QStringLiteral("value"), QStringLiteral("precision"),
                              QStringLiteral("recall"), QStringLiteral("positive_rate")}},
                  {QStringLiteral("curve"), points},
                  {QStringLiteral("warnings"), QJsonArray::fromStringList(warnings)}};
    if (objective.kind == Objective::Kind::Recall || objective.kind == Objective::Kind::Precision)
        o.insert(QStringLiteral("feasible_share"), reportNumber(feasibleShare));
    if (objective.kind == Objective::Kind::Cost)
        o.insert(QStringLiteral("bayes_threshold"), reportNumber(objective.bayesThreshold()));
    return o;
}

QString OperatingPointReport::toText() const
{
    QStringList lines;
    lines << QStringLiteral("threshold: %1 on %2 (%3 rows, %4 positive; model %5)")
                 .arg(objective.description(), source)
                 .arg(rows)
                 .arg(positives)
                 .arg(modelId.left(12));
    for (const QString &w : warnings)
        lines << QStringLiteral("  warning: ") + w;
    const QString metric = objective.metricName();
    if (!found)
        lines << QStringLiteral("  no threshold reaches the target: the nearest is shown");
    lines << QStringLiteral("  best threshold %1 [95% CI %2, %3]: %4 %5 [%6, %7]")
                 .arg(fmt(best.threshold), fmt(thresholdCi.low), fmt(thresholdCi.high), metric, fmt(best.value), fmt(valueCi.low),
                      fmt(valueCi.high));
    const auto describe = [&](const OperatingPoint &p) {
        return QStringLiteral("precision %1, recall %2, F%3 %4, positive rate %5, expected cost %6 (TP %7 FP %8 TN %9 FN %10)")
            .arg(fmt(p.precision), fmt(p.recall), num(objective.beta), fmt(p.fBeta), fmt(p.positiveRate), fmt(p.cost))
            .arg(p.confusion.tp)
            .arg(p.confusion.fp)
            .arg(p.confusion.tn)
            .arg(p.confusion.fn);
    };
    lines << QStringLiteral("    ") + describe(best);
    if (objective.kind == Objective::Kind::Recall || objective.kind == Objective::Kind::Precision)
        lines << QStringLiteral("    the target holds at this threshold in %1% of %2 resamples")
                     .arg(QString::number(100 * feasibleShare, 'f', 1))
                     .arg(resamples);
    if (objective.kind == Objective::Kind::Cost)
        lines << QStringLiteral("    for perfectly calibrated scores the optimum would be %1 (FP cost / (FP + FN cost))")
                     .arg(fmt(objective.bayesThreshold()));
    lines << QStringLiteral("  the model's threshold %1: %2 %3%4")
                 .arg(fmt(current.threshold), metric, fmt(current.value),
                      current.feasible ? QString() : QStringLiteral(" (target not met)"));
    lines << QStringLiteral("    ") + describe(current);
    lines << QStringLiteral("  intervals: Poisson bootstrap, %1 resamples, seed %2").arg(resamples).arg(seed);
    return lines.join(QLatin1Char('\n'));
}

OperatingPointReport optimiseThreshold(const std::vector<double> &scores, const std::vector<std::int8_t> &labels,
                                       const Objective &objective, double currentThreshold, int resamples, std::uint64_t seed)
{
    OperatingPointReport r;
    r.objective = objective;
    r.resamples = std::max(0, resamples);
    r.seed = seed;
    const std::vector<ScoreGroup> groups = scoreGroups(scores, labels);
    std::vector<std::int64_t> pos;
    std::vector<std::int64_t> neg;
    pos.reserve(groups.size());
    neg.reserve(groups.size());
    for (const ScoreGroup &g : groups) {
        pos.push_back(g.positives);
        neg.push_back(g.negatives);
        r.positives += g.positives;
        r.rows += g.positives + g.negatives;
    }
    const std::int64_t negatives = r.rows - r.positives;
    if (r.positives == 0 || negatives == 0)
        throw OptionError(QStringLiteral("data"),
                          QStringLiteral("the labels hold %1 only: an operating point needs both classes")
                              .arg(r.positives == 0 ? QStringLiteral("negatives") : QStringLiteral("positives")));
    const Cuts cuts = cutPoints(groups);
    const std::size_t k = bestCut(objective, cuts, pos, neg, r.positives, negatives);
    r.best = pointAt(objective, r.positives, negatives, countsAt(cuts, k, pos, neg), cuts.thresholds[k]);
    r.found = r.best.feasible;

    // The model's own threshold: the rows with score >= it.
    Cut current;
    for (std::size_t i = 0; i < groups.size() && groups[i].score >= currentThreshold; ++i) {
        current.tp += pos[i];
        current.fp += neg[i];
    }
    r.current = pointAt(objective, r.positives, negatives, current, currentThreshold);

    // The curve, thinned to at most 400 points (the best kept), lowest threshold first.
    const std::size_t n = cuts.thresholds.size();
    const std::size_t step = std::max<std::size_t>(1, (n + 399) / 400);
    Cut cut;
    std::size_t taken = 0;
    for (std::size_t c = 0; c < n; ++c) {
        for (; taken < cuts.groups[c]; ++taken) {
            cut.tp += pos[taken];
            cut.fp += neg[taken];
        }
        if (c % step != 0 && c != k && c + 1 != n)
            continue;
        const OperatingPoint p = pointAt(objective, r.positives, negatives, cut, cuts.thresholds[c]);
        r.curve.push_back({p.threshold, p.value, p.precision, p.recall, p.positiveRate, p.feasible});
    }
    std::reverse(r.curve.begin(), r.curve.end());

    // Poisson bootstrap: a group of c rows of one class holds Poisson(c) of them in a resample.
    std::vector<double> thresholds;
    std::vector<double> values;
    int feasible = 0;
    Rng rng(seed ^ 0x0b7e5ULL);
    std::vector<std::int64_t> bp(groups.size());
    std::vector<std::int64_t> bn(groups.size());
    for (int b = 0; b < r.resamples; ++b) {
        std::int64_t p = 0;
        std::int64_t q = 0;
        for (std::size_t i = 0; i < groups.size(); ++i) {
            bp[i] = rng.poisson(double(pos[i]));
            bn[i] = rng.poisson(double(neg[i]));
            p += bp[i];
            q += bn[i];
        }
        if (p == 0 || q == 0)
            continue;
        const std::size_t kb = bestCut(objective, cuts, bp, bn, p, q);
        thresholds.push_back(cuts.thresholds[kb]);
        const OperatingPoint at = pointAt(objective, p, q, countsAt(cuts, k, bp, bn), cuts.thresholds[k]);
        values.push_back(at.value);
        feasible += at.feasible ? 1 : 0;
    }
    r.thresholdCi = Stats::percentileInterval(thresholds);
    r.valueCi = Stats::percentileInterval(values);
    r.feasibleShare = values.empty() ? kNaN : double(feasible) / double(values.size());
    return r;
}

} // namespace Audit
