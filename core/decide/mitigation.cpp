#include "mitigation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QJsonArray>

#include "auditerror.h"

namespace Audit {

namespace {

constexpr double kEps = 1e-12;
constexpr std::size_t kMaxLevels = 512; // each level scans every group's cuts in its band

// One group's cut points, highest threshold first: cut k takes its first k distinct scores.
struct Cuts
{
    std::vector<double> threshold;
    std::vector<std::int64_t> tp;
    std::vector<std::int64_t> fp;
    std::int64_t rows = 0;
    std::int64_t positives = 0;
    std::int64_t negatives() const { return rows - positives; }
};

Cuts cutsOf(std::vector<std::pair<double, std::int8_t>> rows)
{
    std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    Cuts c;
    c.rows = std::int64_t(rows.size());
    // Cut 0: nothing positive (a threshold above every score, 1 + ulp when the top is 1).
    c.threshold.push_back(std::nextafter(rows.empty() ? 1.0 : std::max(rows.front().first, 0.0), 2.0));
    c.tp.push_back(0);
    c.fp.push_back(0);
    std::int64_t tp = 0;
    std::int64_t fp = 0;
    for (std::size_t i = 0; i < rows.size();) {
        std::size_t j = i;
        for (; j < rows.size() && rows[j].first == rows[i].first; ++j)
            (rows[j].second ? tp : fp) += 1;
        c.threshold.push_back(j < rows.size() ? (rows[i].first + rows[j].first) / 2 : rows[i].first);
        c.tp.push_back(tp);
        c.fp.push_back(fp);
        i = j;
    }
    c.positives = tp;
    return c;
}

// Counts at a threshold (score >= t positive) of the rows of `group` (-2: every row).
struct Counts
{
    double tp = 0, fp = 0, tn = 0, fn = 0;
};

Counts countAt(const GroupedScores &d, std::int32_t group, double t)
{
    Counts c;
    for (std::size_t i = 0; i < d.scores->size(); ++i) {
        if (group != -2 && (*d.codes)[i] != group)
            continue;
        const bool predicted = (*d.scores)[i] >= t;
        const bool positive = (*d.labels)[i] != 0;
        (predicted ? (positive ? c.tp : c.fp) : (positive ? c.fn : c.tn)) += 1;
    }
    return c;
}

double objectiveOf(const Objective &o, double tp, double fp, double fn, double rows)
{
    if (o.kind == Objective::Kind::Cost)
        return rows > 0 ? (o.costFp * fp + o.costFn * fn) / rows : 0;
    const double b2 = o.beta * o.beta;
    const double d = (1 + b2) * tp + b2 * fn + fp;
    return d > 0 ? (1 + b2) * tp / d : 0;
}

bool better(const Objective &o, double a, double b)
{
    return o.minimise() ? a < b - kEps : a > b + kEps;
}

struct Point
{
    double x = 0; // FPR
    double y = 0; // TPR
    int cut = -1; // the cut it is (hull vertices), -1 for a clipped vertex
};

double cross(const Point &o, const Point &a, const Point &b)
{
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

std::vector<Point> hull(std::vector<Point> p) // counter-clockwise, Andrew's monotone chain
{
    std::sort(p.begin(), p.end(), [](const Point &a, const Point &b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
    if (p.size() < 3)
        return p;
    std::vector<Point> h(2 * p.size());
    std::size_t k = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0)
            --k;
        h[k++] = p[i];
    }
    for (std::size_t i = p.size() - 1, t = k + 1; i-- > 0;) {
        while (k >= t && cross(h[k - 2], h[k - 1], p[i]) <= 0)
            --k;
        h[k++] = p[i];
    }
    h.resize(k - 1);
    return h;
}

// Sutherland-Hodgman: `subject` clipped by the convex counter-clockwise `clip`.
std::vector<Point> clipped(const std::vector<Point> &subject, const std::vector<Point> &clip)
{
    std::vector<Point> out = subject;
    for (std::size_t e = 0; e < clip.size() && !out.empty(); ++e) {
        const Point &a = clip[e];
        const Point &b = clip[(e + 1) % clip.size()];
        const std::vector<Point> in = out;
        out.clear();
        const auto inside = [&](const Point &p) { return cross(a, b, p) >= -kEps; };
        for (std::size_t i = 0; i < in.size(); ++i) {
            const Point &p = in[i];
            const Point &q = in[(i + 1) % in.size()];
            const bool pin = inside(p);
            const bool qin = inside(q);
            if (pin)
                out.push_back({p.x, p.y, -1});
            if (pin != qin) {
                const double d = cross(a, b, p) - cross(a, b, q);
                const double s = std::abs(d) > 0 ? cross(a, b, p) / d : 0;
                out.push_back({p.x + s * (q.x - p.x), p.y + s * (q.y - p.y), -1});
            }
        }
    }
    return out;
}

// (x, y) as a convex combination of at most three of `h`'s vertices: (vertex index, weight).
std::vector<std::pair<int, double>> combination(const std::vector<Point> &h, double x, double y)
{
    const Point target{x, y, -1};
    for (std::size_t i = 1; i + 1 < h.size(); ++i) {
        const Point &a = h[0];
        const Point &b = h[i];
        const Point &c = h[i + 1];
        const double area = cross(a, b, c);
        if (std::abs(area) < 1e-15)
            continue;
        const double wa = cross(target, b, c) / area;
        const double wb = cross(a, target, c) / area;
        const double wc = 1 - wa - wb;
        if (wa >= -1e-9 && wb >= -1e-9 && wc >= -1e-9)
            return {{0, std::max(0.0, wa)}, {int(i), std::max(0.0, wb)}, {int(i + 1), std::max(0.0, wc)}};
    }
    // Degenerate (a segment): the nearest point of the nearest edge.
    double best = std::numeric_limits<double>::infinity();
    std::vector<std::pair<int, double>> out;
    for (std::size_t i = 0; i < h.size(); ++i) {
        const Point &a = h[i];
        const Point &b = h[(i + 1) % h.size()];
        const double len = (b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y);
        const double s = len > 0 ? std::clamp(((x - a.x) * (b.x - a.x) + (y - a.y) * (b.y - a.y)) / len, 0.0, 1.0) : 0;
        const double dx = a.x + s * (b.x - a.x) - x;
        const double dy = a.y + s * (b.y - a.y) - y;
        if (dx * dx + dy * dy < best) {
            best = dx * dx + dy * dy;
            out = {{int(i), 1 - s}, {int((i + 1) % h.size()), s}};
        }
    }
    return out;
}

} // namespace

QString constraintName(FairnessConstraint c)
{
    switch (c) {
    case FairnessConstraint::DemographicParity:
        return QStringLiteral("demographic_parity");
    case FairnessConstraint::EqualOpportunity:
        return QStringLiteral("equal_opportunity");
    case FairnessConstraint::EqualizedOdds:
        return QStringLiteral("equalized_odds");
    }
    return {};
}

FairnessConstraint parseConstraint(const QString &text)
{
    for (const FairnessConstraint c :
         {FairnessConstraint::DemographicParity, FairnessConstraint::EqualOpportunity, FairnessConstraint::EqualizedOdds}) {
        if (constraintName(c) == text.trimmed().toLower())
            return c;
    }
    throw OptionError(QStringLiteral("constraint"),
                      QStringLiteral("unknown fairness constraint \"%1\"; one of demographic_parity, equal_opportunity, "
                                     "equalized_odds")
                          .arg(text));
}

QJsonObject GroupRule::toJson() const
{
    QJsonObject o{{QStringLiteral("group"), group}, {QStringLiteral("threshold"), threshold}};
    if (!mix.empty()) {
        QJsonArray m;
        for (const auto &[t, p] : mix)
            m.append(QJsonObject{{QStringLiteral("threshold"), t}, {QStringLiteral("probability"), p}});
        o.insert(QStringLiteral("mix"), m);
    }
    return o;
}

QJsonObject MitigationReport::toJson() const
{
    QJsonArray r;
    for (const GroupRule &g : rules)
        r.append(g.toJson());
    return {{QStringLiteral("attribute"), attribute},
            {QStringLiteral("constraint"), constraintName(constraint)},
            {QStringLiteral("tolerance"), tolerance},
            {QStringLiteral("objective"), objective.spec()},
            {QStringLiteral("found"), found},
            {QStringLiteral("single_threshold"), singleThreshold},
            {QStringLiteral("levels_searched"), qint64(levelsSearched)},
            {QStringLiteral("levels"), qint64(levels)},
            {QStringLiteral("groups"), r}};
}

QJsonObject MitigationOutcome::toJson() const
{
    QJsonArray g;
    for (const GroupOutcome &o : groups)
        g.append(QJsonObject{{QStringLiteral("group"), o.group},
                             {QStringLiteral("rows"), qint64(o.rows)},
                             {QStringLiteral("ppr"), reportJsonNumber(o.ppr())},
                             {QStringLiteral("tpr"), reportJsonNumber(o.tpr())},
                             {QStringLiteral("fpr"), reportJsonNumber(o.fpr())}});
    return {{QStringLiteral("value"), reportNumber(value)},
            {QStringLiteral("f1"), reportNumber(f1)},
            {QStringLiteral("accuracy"), reportNumber(accuracy)},
            {QStringLiteral("ungrouped_rows"), qint64(ungrouped)},
            {QStringLiteral("ppr_gap"), reportJsonNumber(pprGap)},
            {QStringLiteral("tpr_gap"), reportJsonNumber(tprGap)},
            {QStringLiteral("fpr_gap"), reportJsonNumber(fprGap)},
            {QStringLiteral("ppr_ratio"), reportJsonNumber(pprRatio)},
            {QStringLiteral("tpr_ratio"), reportJsonNumber(tprRatio)},
            {QStringLiteral("fpr_ratio"), reportJsonNumber(fprRatio)},
            {QStringLiteral("groups"), g}};
}

MitigationReport fitGroupThresholds(const GroupedScores &fit, FairnessConstraint constraint, double tolerance,
                                    const Objective &objective, double singleThreshold, const QString &attribute)
{
    if (objective.kind != Objective::Kind::FBeta && objective.kind != Objective::Kind::Cost)
        throw OptionError(
            QStringLiteral("objective"),
            QStringLiteral("group thresholds optimise F-beta or an expected cost, not %1").arg(objective.description()));
    if (!(tolerance >= 0 && tolerance <= 1))
        throw OptionError(QStringLiteral("tolerance"),
                          QStringLiteral("tolerance %1: a difference of rates, in [0, 1]").arg(tolerance));
    MitigationReport report;
    report.constraint = constraint;
    report.tolerance = tolerance;
    report.objective = objective;
    report.attribute = attribute;
    report.singleThreshold = singleThreshold;

    const std::size_t groupCount = std::size_t(fit.names.size());
    std::vector<std::vector<std::pair<double, std::int8_t>>> rows(groupCount);
    for (std::size_t i = 0; i < fit.scores->size(); ++i) {
        const std::int32_t g = (*fit.codes)[i];
        if (g >= 0 && std::size_t(g) < groupCount)
            rows[std::size_t(g)].push_back({(*fit.scores)[i], (*fit.labels)[i]});
    }
    std::vector<Cuts> cuts;
    std::vector<std::size_t> present; // groups with rows
    for (std::size_t g = 0; g < groupCount; ++g) {
        if (rows[g].empty())
            continue;
        cuts.push_back(cutsOf(std::move(rows[g])));
        present.push_back(g);
        const Cuts &c = cuts.back();
        const bool needsBoth = constraint != FairnessConstraint::DemographicParity;
        if (needsBoth && (c.positives == 0 || c.negatives() == 0))
            throw OptionError(QStringLiteral("attribute"),
                              QStringLiteral("group \"%1\" of %2 has %3 only on these rows: its true- or false-positive rate "
                                             "is undefined, so no threshold can make it equal; fit on more rows or merge "
                                             "the group")
                                  .arg(fit.names[qsizetype(g)], attribute,
                                       c.positives == 0 ? QStringLiteral("negatives") : QStringLiteral("positives")));
    }
    if (cuts.size() < 2)
        throw OptionError(QStringLiteral("attribute"),
                          QStringLiteral("%1 has fewer than two groups on these rows").arg(attribute));
    // Rows without a group keep the single threshold: their counts are fixed.
    Counts fixed = countAt(fit, -1, singleThreshold);
    const double total = double(fit.scores->size());

    if (constraint == FairnessConstraint::EqualizedOdds) {
        std::vector<std::vector<Point>> hulls;
        std::vector<Point> common;
        for (std::size_t k = 0; k < cuts.size(); ++k) {
            const Cuts &c = cuts[k];
            std::vector<Point> points;
            for (std::size_t j = 0; j < c.threshold.size(); ++j)
                points.push_back({double(c.fp[j]) / double(c.negatives()), double(c.tp[j]) / double(c.positives), int(j)});
            hulls.push_back(hull(points));
            common = k == 0 ? hulls.back() : clipped(common, hulls.back());
        }
        common.push_back({0, 0, -1});
        common.push_back({1, 1, -1});
        Point best = common.front();
        double bestValue = objective.minimise() ? 1e300 : -1e300;
        for (const Point &p : common) {
            double tp = fixed.tp, fp = fixed.fp, fn = fixed.fn;
            for (const Cuts &c : cuts) {
                tp += p.y * double(c.positives);
                fn += (1 - p.y) * double(c.positives);
                fp += p.x * double(c.negatives());
            }
            const double v = objectiveOf(objective, tp, fp, fn, total);
            if (better(objective, v, bestValue)) {
                bestValue = v;
                best = p;
            }
        }
        for (std::size_t k = 0; k < cuts.size(); ++k) {
            GroupRule rule;
            rule.group = fit.names[qsizetype(present[k])];
            const std::vector<Point> &h = hulls[k];
            for (const auto &[vertex, weight] : combination(h, best.x, best.y)) {
                if (weight <= 1e-12)
                    continue;
                const double t = cuts[k].threshold[std::size_t(h[std::size_t(vertex)].cut)];
                auto same = std::find_if(rule.mix.begin(), rule.mix.end(), [t](const auto &m) { return m.first == t; });
                if (same != rule.mix.end())
                    same->second += weight;
                else
                    rule.mix.push_back({t, weight});
            }
            std::sort(rule.mix.begin(), rule.mix.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
            double sum = 0;
            for (const auto &m : rule.mix)
                sum += m.second;
            for (auto &m : rule.mix)
                m.second /= sum;
            // The most likely threshold stands for the group where a single number is shown.
            rule.threshold = std::max_element(rule.mix.begin(), rule.mix.end(), [](const auto &a, const auto &b) {
                                 return a.second < b.second;
                             })->first;
            if (rule.mix.size() == 1)
                rule.mix.clear();
            report.rules.push_back(rule);
        }
        return report;
    }

    // Demographic parity (predicted-positive rate) or equal opportunity (true-positive rate).
    const bool dp = constraint == FairnessConstraint::DemographicParity;
    std::vector<std::vector<double>> rates(cuts.size());
    std::vector<double> levels;
    for (std::size_t k = 0; k < cuts.size(); ++k) {
        const Cuts &c = cuts[k];
        for (std::size_t j = 0; j < c.threshold.size(); ++j) {
            const double r = dp ? double(c.tp[j] + c.fp[j]) / double(c.rows) : double(c.tp[j]) / double(c.positives);
            rates[k].push_back(r);
            levels.push_back(r);
        }
    }
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
    report.levels = levels.size();
    if (levels.size() > kMaxLevels) {
        std::vector<double> thinned;
        for (std::size_t i = 0; i < kMaxLevels; ++i)
            thinned.push_back(levels[i * (levels.size() - 1) / (kMaxLevels - 1)]);
        levels = std::move(thinned);
    }
    report.levelsSearched = levels.size();
    const double b2 = objective.beta * objective.beta;
    std::vector<std::size_t> bestPick;
    double bestValue = objective.minimise() ? 1e300 : -1e300;
    std::vector<std::size_t> pick(cuts.size());
    std::vector<std::pair<std::size_t, std::size_t>> range(cuts.size());
    for (const double level : levels) {
        bool feasible = true;
        for (std::size_t k = 0; k < cuts.size() && feasible; ++k) {
            const std::vector<double> &r = rates[k];
            const auto lo = std::size_t(std::lower_bound(r.begin(), r.end(), level - kEps) - r.begin());
            const auto hi = std::size_t(std::upper_bound(r.begin(), r.end(), level + tolerance + kEps) - r.begin());
            range[k] = {lo, hi};
            feasible = lo < hi;
        }
        if (!feasible)
            continue;
        // Each group's best cut in its range for the additive criterion at lambda (Dinkelbach for
        // F-beta; lambda is unused for a cost).
        double lambda = 0;
        double value = 0;
        for (int iteration = 0; iteration < 100; ++iteration) {
            double tp = fixed.tp, fp = fixed.fp, fn = fixed.fn;
            for (std::size_t k = 0; k < cuts.size(); ++k) {
                const Cuts &c = cuts[k];
                double bestScore = -1e300;
                for (std::size_t j = range[k].first; j < range[k].second; ++j) {
                    const double t = double(c.tp[j]);
                    const double f = double(c.fp[j]);
                    const double n = double(c.positives) - t;
                    const double score = objective.minimise() ? -(objective.costFp * f + objective.costFn * n)
                                                              : (1 + b2) * t - lambda * ((1 + b2) * t + b2 * n + f);
                    if (score > bestScore + kEps) {
                        bestScore = score;
                        pick[k] = j;
                    }
                }
                tp += double(c.tp[pick[k]]);
                fp += double(c.fp[pick[k]]);
                fn += double(c.positives - c.tp[pick[k]]);
            }
            value = objectiveOf(objective, tp, fp, fn, total);
            if (objective.minimise() || value <= lambda + 1e-15)
                break;
            lambda = value;
        }
        if (better(objective, value, bestValue)) {
            bestValue = value;
            bestPick = pick;
        }
    }
    if (bestPick.empty()) {
        report.found = false;
        for (std::size_t k = 0; k < cuts.size(); ++k)
            report.rules.push_back({fit.names[qsizetype(present[k])], singleThreshold, {}});
        return report;
    }
    for (std::size_t k = 0; k < cuts.size(); ++k)
        report.rules.push_back({fit.names[qsizetype(present[k])], cuts[k].threshold[bestPick[k]], {}});
    return report;
}

MitigationOutcome evaluateRules(const GroupedScores &data, const MitigationReport &report, bool mitigated)
{
    MitigationOutcome out;
    double tp = 0, fp = 0, tn = 0, fn = 0;
    for (const GroupRule &rule : report.rules) {
        const auto code = std::int32_t(data.names.indexOf(rule.group));
        GroupOutcome g;
        g.group = rule.group;
        std::vector<std::pair<double, double>> mix = rule.mix;
        if (!mitigated)
            mix = {{report.singleThreshold, 1.0}};
        else if (mix.empty())
            mix = {{rule.threshold, 1.0}};
        for (const auto &[t, p] : mix) {
            const Counts c = code >= 0 ? countAt(data, code, t) : Counts{};
            g.tp += p * c.tp;
            g.fp += p * c.fp;
            g.tn += p * c.tn;
            g.fn += p * c.fn;
        }
        g.rows = std::int64_t(std::llround(g.tp + g.fp + g.tn + g.fn));
        g.positives = std::int64_t(std::llround(g.tp + g.fn));
        tp += g.tp;
        fp += g.fp;
        tn += g.tn;
        fn += g.fn;
        out.groups.push_back(g);
    }
    // Rows of no group (and of a group the rules do not know) keep the single threshold.
    for (std::size_t i = 0; i < data.scores->size(); ++i) {
        const std::int32_t code = (*data.codes)[i];
        const bool known = code >= 0 && std::any_of(report.rules.begin(), report.rules.end(), [&](const GroupRule &r) {
                               return r.group == data.names.value(code);
                           });
        if (known)
            continue;
        ++out.ungrouped;
        const bool predicted = (*data.scores)[i] >= report.singleThreshold;
        const bool positive = (*data.labels)[i] != 0;
        (predicted ? (positive ? tp : fp) : (positive ? fn : tn)) += 1;
    }
    out.overall.group = QStringLiteral("overall");
    out.overall.tp = tp;
    out.overall.fp = fp;
    out.overall.tn = tn;
    out.overall.fn = fn;
    out.overall.rows = std::int64_t(std::llround(tp + fp + tn + fn));
    out.overall.positives = std::int64_t(std::llround(tp + fn));
    const double rows = tp + fp + tn + fn;
    out.value = objectiveOf(report.objective, tp, fp, fn, rows);
    out.f1 = 2 * tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : 0;
    out.accuracy = rows > 0 ? (tp + tn) / rows : 0;
    const auto spread = [&](auto rate, double &gap, double &ratio) {
        double lo = 1e300, hi = -1e300;
        int defined = 0;
        for (const GroupOutcome &g : out.groups) {
            const double v = rate(g);
            if (std::isnan(v))
                continue;
            ++defined;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        const double nan = std::numeric_limits<double>::quiet_NaN();
        gap = defined >= 2 ? hi - lo : nan;
        ratio = defined >= 2 ? (hi > 0 ? lo / hi : 1) : nan;
    };
    spread([](const GroupOutcome &g) { return g.ppr(); }, out.pprGap, out.pprRatio);
    spread([](const GroupOutcome &g) { return g.tpr(); }, out.tprGap, out.tprRatio);
    spread([](const GroupOutcome &g) { return g.fpr(); }, out.fprGap, out.fprRatio);
    return out;
}

} // namespace Audit
