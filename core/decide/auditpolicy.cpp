#include "auditpolicy.h"

#include <algorithm>
#include <cmath>

#include <QRegularExpression>

#include <QJsonArray>
#include <QXmlStreamWriter>

#include "schemaerror.h"
#include "yamlutil.h"

namespace Audit {

namespace {

using Kind = PolicyRule::Kind;
using Status = RuleResult::Status;

const std::pair<const char *, Parity> kParityNames[] = {
    {"statistical", Parity::Statistical},
    {"impact", Parity::Impact},
    {"precision", Parity::Precision},
    {"fdr", Parity::Fdr},
    {"for", Parity::For},
    {"fpr", Parity::Fpr},
    {"fnr", Parity::Fnr},
    {"tpr", Parity::Tpr},
    {"tnr", Parity::Tnr},
    {"npv", Parity::Npv},
    {"type_i", Parity::TypeI},
    {"type_ii", Parity::TypeII},
    {"equalized_odds", Parity::EqualizedOdds},
    {"unsupervised", Parity::Unsupervised},
    {"supervised", Parity::Supervised},
};

// The metrics a parity verdict rests on (Aequitas: Type I = FPR and FDR, Type II = FNR and FOR,
// equalized odds = FPR and TPR, unsupervised = PPR and PPREV, supervised = Type I and II).
std::vector<BiasMetric> metricsOf(Parity p)
{
    switch (p) {
    case Parity::TypeI:
        return {BiasMetric::Fpr, BiasMetric::Fdr};
    case Parity::TypeII:
        return {BiasMetric::Fnr, BiasMetric::For};
    case Parity::EqualizedOdds:
        return {BiasMetric::Fpr, BiasMetric::Tpr};
    case Parity::Unsupervised:
        return {BiasMetric::Ppr, BiasMetric::Pprev};
    case Parity::Supervised:
        return {BiasMetric::Fpr, BiasMetric::Fdr, BiasMetric::Fnr, BiasMetric::For};
    default:
        return {BiasMetric(int(p))};
    }
}

QString parityKey(Parity p)
{
    for (const auto &[name, parity] : kParityNames) {
        if (parity == p)
            return QString::fromLatin1(name);
    }
    return {};
}

const QStringList kMetrics = {QStringLiteral("precision"), QStringLiteral("recall"),  QStringLiteral("f1"),
                              QStringLiteral("accuracy"),  QStringLiteral("roc_auc"), QStringLiteral("pr_auc"),
                              QStringLiteral("log_loss"),  QStringLiteral("brier")};

QString num(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 4) : QStringLiteral("–");
}

QString g(double v)
{
    return QString::number(v, 'g', 6);
}

bool flag(const YamlReader &reader, const YAML::Node &map, const QString &path, bool fallback)
{
    const QString key = YamlReader::lastKey(path);
    const YAML::Node node = map[key.toStdString()];
    if (!node)
        return fallback;
    const QString text = reader.optionalString(map, path, QString());
    if (text == QLatin1String("true"))
        return true;
    if (text == QLatin1String("false"))
        return false;
    reader.fail(node, path, QStringLiteral("expected true or false, found \"%1\"").arg(text));
}

Unclear unclear(const YamlReader &reader, const YAML::Node &map, const QString &path)
{
    const QString key = YamlReader::lastKey(path);
    if (!map[key.toStdString()])
        return Unclear::Warn;
    const QString text = reader.optionalString(map, path, QString());
    if (text == QLatin1String("pass"))
        return Unclear::Pass;
    if (text == QLatin1String("warn"))
        return Unclear::Warn;
    if (text == QLatin1String("fail"))
        return Unclear::Fail;
    reader.fail(map[key.toStdString()], path, QStringLiteral("expected pass, warn or fail, found \"%1\"").arg(text));
}

PolicyRule parseRule(const YamlReader &reader, const YAML::Node &node, const QString &at)
{
    PolicyRule r;
    if (!node.IsMap())
        reader.fail(node, at,
                    QStringLiteral("a rule is a mapping (name: …, and one of metric, weak_slices, parity, "
                                   "calibration, card, regression)"));
    r.line = node.Mark().line + 1;
    const QStringList kinds = {QStringLiteral("metric"),      QStringLiteral("weak_slices"), QStringLiteral("parity"),
                               QStringLiteral("calibration"), QStringLiteral("card"),        QStringLiteral("regression")};
    QStringList present;
    for (const QString &k : kinds) {
        if (node[k.toStdString()])
            present << k;
    }
    if (present.size() != 1)
        reader.fail(node, at,
                    present.isEmpty()
                        ? QStringLiteral("the rule says what it checks: one of %1").arg(kinds.join(QStringLiteral(", ")))
                        : QStringLiteral("one kind per rule, found %1").arg(present.join(QStringLiteral(" and "))));
    const QString kind = present.front();
    r.kind = Kind(kinds.indexOf(kind));
    // Control characters (a NUL, an escape, a newline) would forge lines of the text report and
    // break the Markdown: blanked, before names are compared.
    r.name = reader.string(node, at + QStringLiteral(".name"));
    for (QChar &c : r.name) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            c = QLatin1Char(' ');
    }
    r.name = r.name.simplified();
    if (r.name.isEmpty() || r.name.size() > 200)
        reader.fail(node["name"], at + QStringLiteral(".name"), QStringLiteral("a name of 1 to 200 characters"));
    const QString severity = reader.optionalString(node, at + QStringLiteral(".severity"), QStringLiteral("error"));
    if (severity != QLatin1String("error") && severity != QLatin1String("warning"))
        reader.fail(node["severity"], at + QStringLiteral(".severity"),
                    QStringLiteral("expected error or warning, found \"%1\"").arg(severity));
    r.warning = severity == QLatin1String("warning");
    r.reason = reader.optionalString(node, at + QStringLiteral(".reason"), QString()).trimmed();
    if (r.warning && r.reason.isEmpty())
        reader.fail(node, at + QStringLiteral(".reason"),
                    QStringLiteral("a warning rule says why it is only a warning (reason: …), so a failing check is "
                                   "never silently allowed"));
    QStringList common = {QStringLiteral("name"), QStringLiteral("severity"), QStringLiteral("reason"), kind};
    const QString sub = at + QLatin1Char('.') + kind;
    switch (r.kind) {
    case Kind::Metric: {
        reader.onlyKeys(node, at, common << QStringLiteral("min") << QStringLiteral("max") << QStringLiteral("require_interval"));
        r.metric = reader.string(node, sub);
        if (!kMetrics.contains(r.metric))
            reader.fail(node["metric"], sub,
                        QStringLiteral("unknown metric \"%1\"; one of %2").arg(r.metric, kMetrics.join(QStringLiteral(", "))));
        if (node["min"])
            r.min = reader.number(node, at + QStringLiteral(".min"), 0, -1e9, 1e9);
        if (node["max"])
            r.max = reader.number(node, at + QStringLiteral(".max"), 0, -1e9, 1e9);
        if (!r.min && !r.max)
            reader.fail(node, at, QStringLiteral("a metric rule sets min or max (or both)"));
        const bool bounded = r.metric != QLatin1String("log_loss");
        if (bounded && ((r.min && (*r.min < 0 || *r.min > 1)) || (r.max && (*r.max < 0 || *r.max > 1))))
            reader.fail(node[r.min ? "min" : "max"], at + (r.min ? QStringLiteral(".min") : QStringLiteral(".max")),
                        QStringLiteral("%1 lies in [0, 1]: a limit outside it can never or always be met").arg(r.metric));
        if (r.min && r.max && *r.min > *r.max)
            reader.fail(node["max"], at + QStringLiteral(".max"),
                        QStringLiteral("max %1 is below min %2: no value meets both").arg(*r.max).arg(*r.min));
        r.requireInterval = flag(reader, node, at + QStringLiteral(".require_interval"), false);
        break;
    }
    case Kind::WeakSlices:
    case Kind::Parity:
    case Kind::Calibration:
    case Kind::Card:
    case Kind::Regression: {
        reader.onlyKeys(node, at, common);
        const YAML::Node m = node[kind.toStdString()];
        if (!m.IsMap())
            reader.fail(m, sub, QStringLiteral("a mapping of the rule's settings (may be {})"));
        if (r.kind == Kind::WeakSlices) {
            reader.onlyKeys(m, sub,
                            {QStringLiteral("min_size"), QStringLiteral("q"), QStringLiteral("gap"), QStringLiteral("max"),
                             QStringLiteral("max_features")});
            r.maxFeatures = reader.integer(m, sub + QStringLiteral(".max_features"), 3, 1, 3);
            r.minSize = reader.integer(m, sub + QStringLiteral(".min_size"), 30, 1, 1 << 30);
            r.q = reader.number(m, sub + QStringLiteral(".q"), 0.05, 1e-12, 1);
            r.gap = reader.number(m, sub + QStringLiteral(".gap"), 0, 0, 1);
            r.maxCount = reader.integer(m, sub + QStringLiteral(".max"), 0, 0, 1 << 30);
        } else if (r.kind == Kind::Parity) {
            reader.onlyKeys(m, sub,
                            {QStringLiteral("attribute"), QStringLiteral("verdicts"), QStringLiteral("insufficient"),
                             QStringLiteral("not_significant")});
            r.attribute = reader.string(m, sub + QStringLiteral(".attribute"));
            r.attributeLine = m["attribute"].Mark().line + 1;
            QStringList names;
            for (const auto &[name, parity] : kParityNames)
                names << QString::fromLatin1(name);
            for (const QString &v : reader.stringList(m, sub + QStringLiteral(".verdicts"), {QStringLiteral("equalized_odds")})) {
                const qsizetype i = names.indexOf(v);
                if (i < 0)
                    reader.fail(m["verdicts"], sub + QStringLiteral(".verdicts"),
                                QStringLiteral("unknown verdict \"%1\"; one of %2").arg(v, names.join(QStringLiteral(", "))));
                r.parities.push_back(kParityNames[i].second);
            }
            r.insufficient = unclear(reader, m, sub + QStringLiteral(".insufficient"));
            r.notSignificant = unclear(reader, m, sub + QStringLiteral(".not_significant"));
        } else if (r.kind == Kind::Calibration) {
            reader.onlyKeys(m, sub, {QStringLiteral("ece_max"), QStringLiteral("require_interval")});
            r.eceMax = reader.number(m, sub + QStringLiteral(".ece_max"), 0.05, 0, 1);
            r.requireInterval = flag(reader, m, sub + QStringLiteral(".require_interval"), false);
        } else if (r.kind == Kind::Card) {
            reader.onlyKeys(m, sub, {QStringLiteral("complete"), QStringLiteral("fresh")});
            r.requireComplete = flag(reader, m, sub + QStringLiteral(".complete"), true);
            r.requireFresh = flag(reader, m, sub + QStringLiteral(".fresh"), true);
        } else {
            reader.onlyKeys(m, sub, {QStringLiteral("max_worse_slices"), QStringLiteral("metric"), QStringLiteral("max_drop")});
            r.maxWorseSlices = reader.integer(m, sub + QStringLiteral(".max_worse_slices"), 0, 0, 1 << 30);
            r.metric = reader.optionalString(m, sub + QStringLiteral(".metric"), QStringLiteral("f1"));
            if (!kMetrics.contains(r.metric))
                reader.fail(
                    m["metric"], sub + QStringLiteral(".metric"),
                    QStringLiteral("unknown metric \"%1\"; one of %2").arg(r.metric, kMetrics.join(QStringLiteral(", "))));
            r.maxDrop = reader.number(m, sub + QStringLiteral(".max_drop"), 0.01, 0, 1e9);
        }
        break;
    }
    }
    return r;
}

double metricValue(const BinaryMetrics &m, const QString &key)
{
    if (key == QLatin1String("precision"))
        return m.precision;
    if (key == QLatin1String("recall"))
        return m.recall;
    if (key == QLatin1String("f1"))
        return m.f1;
    if (key == QLatin1String("accuracy"))
        return m.accuracy;
    if (key == QLatin1String("roc_auc"))
        return m.rocAuc;
    if (key == QLatin1String("pr_auc"))
        return m.prAuc;
    if (key == QLatin1String("log_loss"))
        return m.logLoss;
    return m.brier;
}

// A metric where lower is better.
bool lowerIsBetter(const QString &key)
{
    return key == QLatin1String("log_loss") || key == QLatin1String("brier");
}

const Interval *metricInterval(const AuditResults &results, const QString &key)
{
    if (!results.slices)
        return nullptr;
    const SliceRow &o = results.slices->overall;
    if (key == QLatin1String("precision"))
        return &o.precisionCi;
    if (key == QLatin1String("recall"))
        return &o.recallCi;
    if (key == QLatin1String("f1"))
        return &o.f1Ci;
    if (key == QLatin1String("accuracy"))
        return &o.accuracyCi;
    return nullptr;
}

// A fail of a warning rule is reported as a warning.
Status failed(const PolicyRule &r)
{
    return r.warning ? Status::Warn : Status::Fail;
}

Status fromUnclear(Unclear u, const PolicyRule &r)
{
    switch (u) {
    case Unclear::Pass:
        return Status::Pass;
    case Unclear::Warn:
        return Status::Warn;
    case Unclear::Fail:
        return failed(r);
    }
    return Status::Warn;
}

RuleResult evaluate(const PolicyRule &r, const AuditResults &results, const CardFacts *card, const RegressionFacts *regression)
{
    RuleResult out;
    out.rule = r;
    switch (r.kind) {
    case Kind::Metric: {
        const double v = metricValue(results.metrics, r.metric);
        const Interval *ci = metricInterval(results, r.metric);
        out.measured = QStringLiteral("%1 %2").arg(r.metric, num(v));
        if (ci)
            out.measured += QStringLiteral(" [95% CI %1, %2]").arg(num(ci->low), num(ci->high));
        const bool belowMin = r.min && !(v >= *r.min);
        const bool aboveMax = r.max && !(v <= *r.max);
        const bool intervalOut = ci && ((r.min && !(ci->low >= *r.min)) || (r.max && !(ci->high <= *r.max)));
        if (belowMin || aboveMax) {
            out.status = failed(r);
            out.detail = QStringLiteral("%1 is %2 (%3)").arg(r.metric, num(v), r.requirement());
        } else if (intervalOut) {
            out.status = r.requireInterval ? failed(r) : Status::Pass;
            out.detail = QStringLiteral("the 95% interval reaches past the limit: the data cannot rule out that %1 misses it")
                             .arg(r.metric);
        }
        break;
    }
    case Kind::WeakSlices: {
        if (!results.slices) {
            out.status = Status::Skipped;
            out.detail = QStringLiteral("no slice report");
            break;
        }
        QStringList hits;
        std::int64_t count = 0;
        for (std::size_t i : results.slices->weak) {
            const SliceRow &s = results.slices->slices[i];
            if (s.features.size() <= r.maxFeatures && s.n >= r.minSize && s.q <= r.q && s.gap > r.gap) {
                ++count;
                if (hits.size() < 5)
                    hits << QStringLiteral("%1=%2 (n %3, gap %4, q %5)")
                                .arg(s.feature(), s.value())
                                .arg(s.n)
                                .arg(num(s.gap), pValueText(s.q));
            }
        }
        out.measured = QStringLiteral("%1 such slice(s) of %2 tested (weak metric %3)")
                           .arg(count)
                           .arg(results.slices->tested)
                           .arg(enumName(results.slices->options.weakMetric));
        if (count > r.maxCount) {
            out.status = failed(r);
            out.detail = hits.join(QStringLiteral("; ")) + (count > hits.size() ? QStringLiteral("; …") : QString());
        }
        break;
    }
    case Kind::Parity: {
        if (!results.bias) {
            out.status = Status::Skipped;
            out.detail = results.biasError.isEmpty() ? QStringLiteral("no bias report") : results.biasError;
            break;
        }
        const AttributeVerdict *a = nullptr;
        for (const AttributeVerdict &v : results.bias->attributes) {
            if (v.attribute == r.attribute)
                a = &v;
        }
        if (!a) {
            out.status = failed(r);
            out.detail = QStringLiteral("\"%1\" is not among the audited attributes").arg(r.attribute);
            break;
        }
        QStringList parts;
        Status worst = Status::Pass;
        const auto rank = [](Status s) { return s == Status::Fail ? 3 : s == Status::Warn ? 2 : s == Status::Skipped ? 1 : 0; };
        for (const Parity p : r.parities) {
            const VerdictState state = a->states[std::size_t(p)];
            parts << QStringLiteral("%1: %2").arg(parityKey(p), verdictStateText(state));
            Status s = Status::Pass;
            if (state == VerdictState::Fail)
                s = failed(r);
            else if (state == VerdictState::NotSignificant)
                s = fromUnclear(r.notSignificant, r);
            else if (state == VerdictState::Insufficient || state == VerdictState::Undefined)
                s = fromUnclear(r.insufficient, r);
            if (rank(s) > rank(worst))
                worst = s;
        }
        out.measured = QStringLiteral("%1 (τ %2, reference %3): %4")
                           .arg(r.attribute, g(results.bias->options.tau), a->reference, parts.join(QStringLiteral(", ")));
        out.status = worst;
        if (worst != Status::Pass) {
            // The groups behind it: each group whose verdict is not a pass, with the disparities
            // it rests on, their 95% intervals and BH q values.
            QStringList groups;
            for (const GroupMetrics &gm : results.bias->groups) {
                if (gm.attribute != r.attribute)
                    continue;
                for (const Parity p : r.parities) {
                    if (gm.states[std::size_t(p)] == VerdictState::Pass)
                        continue;
                    QStringList ds;
                    for (const BiasMetric m : metricsOf(p)) {
                        const std::size_t i = std::size_t(m);
                        ds << QStringLiteral("%1 disparity %2 [%3, %4], q %5")
                                  .arg(biasMetricName(m), num(gm.disparities[i]), num(gm.disparityCi[i].low),
                                       num(gm.disparityCi[i].high), pValueText(gm.qValues[i]));
                    }
                    groups << QStringLiteral("%1 %2 %3 (%4)")
                                  .arg(gm.value, parityKey(p), verdictStateText(gm.states[std::size_t(p)]),
                                       ds.join(QStringLiteral("; ")));
                }
            }
            out.detail = groups.isEmpty() ? QStringLiteral("see the bias report") : groups.join(QStringLiteral("; "));
        }
        break;
    }
    case Kind::Calibration: {
        const double ece = results.calibration.ece;
        out.measured = QStringLiteral("ECE %1 [95% CI %2, %3]").arg(num(ece), num(results.eceCi.low), num(results.eceCi.high));
        if (!(ece <= r.eceMax)) {
            out.status = failed(r);
            out.detail = QStringLiteral("ECE %1 > %2").arg(num(ece), g(r.eceMax));
        } else if (!(results.eceCi.high <= r.eceMax)) {
            out.status = r.requireInterval ? failed(r) : Status::Pass;
            out.detail = QStringLiteral("the interval reaches past %1").arg(g(r.eceMax));
        }
        break;
    }
    case Kind::Card: {
        if (!card) {
            out.status = Status::Skipped;
            out.detail = QStringLiteral("no model card given");
            break;
        }
        QStringList problems;
        if (!card->exists)
            problems << QStringLiteral("%1 does not exist").arg(card->path);
        else if (!card->problem.isEmpty())
            problems << card->problem;
        else {
            if (r.requireFresh && card->stale)
                problems << QStringLiteral(
                    "its numbers are from another model or data version (refresh it: modelaudit-cli card)");
            if (r.requireComplete && !card->emptyFields.isEmpty())
                problems << QStringLiteral("empty: %1").arg(card->emptyFields.join(QStringLiteral(", ")));
        }
        out.measured = card->exists && card->problem.isEmpty()
            ? QStringLiteral("%1: %2, %3 empty field(s)")
                  .arg(card->path, card->stale ? QStringLiteral("stale") : QStringLiteral("fresh"))
                  .arg(card->emptyFields.size())
            : card->path;
        if (!problems.isEmpty()) {
            out.status = failed(r);
            out.detail = problems.join(QStringLiteral("; "));
        }
        break;
    }
    case Kind::Regression: {
        if (!regression) {
            out.status = Status::Skipped;
            out.detail = QStringLiteral("no previous version to compare with (check --against REV)");
            break;
        }
        if (!regression->problem.isEmpty()) {
            out.status = failed(r);
            out.detail = regression->problem;
            break;
        }
        QStringList problems;
        out.measured = QStringLiteral("against %1: %2 of %3 tested slices significantly worse")
                           .arg(regression->against)
                           .arg(regression->worseSlices)
                           .arg(regression->testedSlices);
        if (regression->worseSlices > r.maxWorseSlices)
            problems << QStringLiteral("%1 slices significantly worse (at most %2)")
                            .arg(regression->worseSlices)
                            .arg(r.maxWorseSlices);
        const auto it = regression->metrics.find(r.metric);
        if (it != regression->metrics.end()) {
            const auto [before, after] = it->second;
            const double drop = lowerIsBetter(r.metric) ? after - before : before - after;
            out.measured += QStringLiteral("; %1 %2 -> %3").arg(r.metric, num(before), num(after));
            if (drop > r.maxDrop)
                problems << QStringLiteral("%1 worse by %2 (at most %3)").arg(r.metric, num(drop), g(r.maxDrop));
        }
        if (!problems.isEmpty()) {
            out.status = failed(r);
            out.detail = problems.join(QStringLiteral("; "));
        }
        break;
    }
    }
    if (out.status == Status::Warn && r.warning && !r.reason.isEmpty())
        out.detail += (out.detail.isEmpty() ? QString() : QStringLiteral(" — ")) + QStringLiteral("Kept as a warning: ")
            + r.reason;
    return out;
}

} // namespace

QString PolicyRule::kindName() const
{
    switch (kind) {
    case Kind::Metric:
        return QStringLiteral("metric");
    case Kind::WeakSlices:
        return QStringLiteral("weak_slices");
    case Kind::Parity:
        return QStringLiteral("parity");
    case Kind::Calibration:
        return QStringLiteral("calibration");
    case Kind::Card:
        return QStringLiteral("card");
    case Kind::Regression:
        return QStringLiteral("regression");
    }
    return {};
}

QString PolicyRule::requirement() const
{
    switch (kind) {
    case Kind::Metric: {
        QStringList parts;
        if (min)
            parts << QStringLiteral("%1 >= %2").arg(metric, g(*min));
        if (max)
            parts << QStringLiteral("%1 <= %2").arg(metric, g(*max));
        return parts.join(QStringLiteral(" and ")) + (requireInterval ? QStringLiteral(" (whole 95% interval)") : QString());
    }
    case Kind::WeakSlices:
        return QStringLiteral("at most %1 weak slice(s)%5 with n >= %2, q <= %3 and gap > %4")
            .arg(maxCount)
            .arg(minSize)
            .arg(g(q), g(gap),
                 maxFeatures == 1 ? QStringLiteral(" (single features)")
                                  : QStringLiteral(" (of up to %1 features)").arg(maxFeatures));
    case Kind::Parity: {
        QStringList names;
        for (const Parity p : parities)
            names << parityKey(p);
        return QStringLiteral("%1 passes for %2").arg(names.join(QStringLiteral(", ")), attribute);
    }
    case Kind::Calibration:
        return QStringLiteral("ECE <= %1%2")
            .arg(g(eceMax), requireInterval ? QStringLiteral(" (whole 95% interval)") : QString());
    case Kind::Card:
        return QStringList{requireComplete ? QStringLiteral("complete") : QString(),
                           requireFresh ? QStringLiteral("fresh") : QString()}
            .filter(QRegularExpression(QStringLiteral(".")))
            .join(QStringLiteral(" and "));
    case Kind::Regression:
        return QStringLiteral("at most %1 slice(s) significantly worse, %2 at most %3 worse")
            .arg(maxWorseSlices)
            .arg(metric, g(maxDrop));
    }
    return {};
}

AuditPolicy AuditPolicy::load(const QString &path)
{
    return parse(YamlReader::readFile(path, QStringLiteral("policy")), path);
}

AuditPolicy AuditPolicy::parse(const QByteArray &yaml, const QString &sourceName)
{
    const YamlReader reader(sourceName);
    const YAML::Node root = reader.parse(yaml);
    reader.onlyKeys(root, QString(), {QStringLiteral("version"), QStringLiteral("rules")});
    if (reader.integer(root, QStringLiteral("version"), 1, 1, 1) != 1)
        reader.fail(root["version"], QStringLiteral("version"), QStringLiteral("only version 1 exists"));
    const YAML::Node rules = reader.sequence(root, QStringLiteral("rules"));
    AuditPolicy policy;
    policy.path = sourceName;
    if (rules.size() == 0)
        reader.fail(rules, QStringLiteral("rules"), QStringLiteral("a policy has at least one rule"));
    if (rules.size() > 1000)
        reader.fail(rules, QStringLiteral("rules"), QStringLiteral("at most 1,000 rules"));
    QStringList names;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const QString at = QStringLiteral("rules[%1]").arg(i);
        PolicyRule rule = parseRule(reader, rules[i], at);
        if (names.contains(rule.name))
            reader.fail(rules[i]["name"], at + QStringLiteral(".name"),
                        QStringLiteral("\"%1\" names two rules (each test case needs its own name)").arg(rule.name));
        names << rule.name;
        policy.rules.push_back(std::move(rule));
    }
    return policy;
}

PolicyVerdict evaluatePolicy(const AuditPolicy &policy, const AuditResults &results, const CardFacts *card,
                             const RegressionFacts *regression)
{
    PolicyVerdict v;
    v.policyPath = policy.path;
    v.threshold = results.threshold;
    v.decisionRule = results.slices ? results.slices->decisionRule : QString();
    if (results.slices) {
        v.modelId = results.slices->modelId;
        v.source = results.slices->source;
    }
    for (const PolicyRule &rule : policy.rules)
        v.results.push_back(evaluate(rule, results, card, regression));
    return v;
}

QString ruleStatusName(RuleResult::Status status)
{
    switch (status) {
    case Status::Pass:
        return QStringLiteral("pass");
    case Status::Fail:
        return QStringLiteral("fail");
    case Status::Warn:
        return QStringLiteral("warn");
    case Status::Skipped:
        return QStringLiteral("skipped");
    }
    return {};
}

bool PolicyVerdict::passed() const
{
    return count(Status::Fail) == 0;
}

int PolicyVerdict::count(RuleResult::Status status) const
{
    return int(std::count_if(results.begin(), results.end(), [status](const RuleResult &r) { return r.status == status; }));
}

QString PolicyVerdict::decisionText() const
{
    return decisionRule.isEmpty() ? QStringLiteral("at threshold %1").arg(num(threshold))
                                  : QStringLiteral("with thresholds %1").arg(decisionRule);
}

QString PolicyVerdict::toText() const
{
    QStringList lines;
    lines << QStringLiteral("check: %1 — %2 (%3 pass, %4 fail, %5 warn, %6 skipped) %7")
                 .arg(policyPath, passed() ? QStringLiteral("PASS") : QStringLiteral("FAIL"))
                 .arg(count(Status::Pass))
                 .arg(count(Status::Fail))
                 .arg(count(Status::Warn))
                 .arg(count(Status::Skipped))
                 .arg(decisionText());
    for (const RuleResult &r : results) {
        lines << QStringLiteral("  [%1] %2 (%3)%4")
                     .arg(ruleStatusName(r.status).toUpper(), -7)
                     .arg(r.rule.name, r.rule.requirement(),
                          r.measured.isEmpty() ? QString() : QStringLiteral(": ") + r.measured);
        if (!r.detail.isEmpty())
            lines << QStringLiteral("          %1").arg(r.detail);
    }
    return lines.join(QLatin1Char('\n'));
}

QString PolicyVerdict::toMarkdown() const
{
    const auto cell = [](QString s) {
        return s.replace(QLatin1Char('|'), QStringLiteral("\\|")).replace(QLatin1Char('\n'), QLatin1Char(' '));
    };
    const auto icon = [](Status s) {
        switch (s) {
        case Status::Pass:
            return QStringLiteral("✅ pass");
        case Status::Fail:
            return QStringLiteral("❌ fail");
        case Status::Warn:
            return QStringLiteral("⚠️ warn");
        case Status::Skipped:
            return QStringLiteral("⏭️ skipped");
        }
        return QString();
    };
    QStringList md;
    md << QStringLiteral("## Audit gate: %1").arg(passed() ? QStringLiteral("passed") : QStringLiteral("failed")) << QString()
       << QStringLiteral("Policy `%1`, model `%2` on `%3` %4: %5 pass, %6 fail, %7 warn, %8 skipped.")
              .arg(cell(policyPath), cell(modelId), cell(source), cell(decisionText()))
              .arg(count(Status::Pass))
              .arg(count(Status::Fail))
              .arg(count(Status::Warn))
              .arg(count(Status::Skipped))
       << QString() << QStringLiteral("| Rule | Status | Requirement | Measured | Why |")
       << QStringLiteral("|---|---|---|---|---|");
    for (const RuleResult &r : results)
        md << QStringLiteral("| %1 | %2 | %3 | %4 | %5 |")
                  .arg(cell(r.rule.name), icon(r.status), cell(r.rule.requirement()), cell(r.measured), cell(r.detail));
    return md.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QByteArray PolicyVerdict::toJUnitXml() const
{
    QByteArray out;
    QXmlStreamWriter w(&out);
    w.setAutoFormatting(true);
    w.writeStartDocument();
    w.writeStartElement(QStringLiteral("testsuites"));
    w.writeStartElement(QStringLiteral("testsuite"));
    w.writeAttribute(QStringLiteral("name"), QStringLiteral("modelaudit check (%1)").arg(policyPath));
    w.writeAttribute(QStringLiteral("tests"), QString::number(results.size()));
    w.writeAttribute(QStringLiteral("failures"), QString::number(count(Status::Fail)));
    w.writeAttribute(QStringLiteral("skipped"), QString::number(count(Status::Skipped)));
    w.writeAttribute(QStringLiteral("errors"), QStringLiteral("0"));
    for (const RuleResult &r : results) {
        w.writeStartElement(QStringLiteral("testcase"));
        w.writeAttribute(QStringLiteral("classname"), QStringLiteral("audit.%1").arg(r.rule.kindName()));
        w.writeAttribute(QStringLiteral("name"), r.rule.name);
        if (r.status == Status::Fail) {
            w.writeStartElement(QStringLiteral("failure"));
            w.writeAttribute(QStringLiteral("message"), r.detail);
            w.writeAttribute(QStringLiteral("type"), r.rule.kindName());
            w.writeCharacters(QStringLiteral("%1\nmeasured: %2").arg(r.rule.requirement(), r.measured));
            w.writeEndElement();
        } else if (r.status == Status::Skipped) {
            w.writeStartElement(QStringLiteral("skipped"));
            w.writeAttribute(QStringLiteral("message"), r.detail);
            w.writeEndElement();
        }
        w.writeTextElement(QStringLiteral("system-out"),
                           QStringLiteral("%1: %2\nrequirement: %3\nmeasured: %4%5")
                               .arg(ruleStatusName(r.status), r.rule.name, r.rule.requirement(), r.measured,
                                    r.detail.isEmpty() ? QString() : QStringLiteral("\n") + r.detail));
        w.writeEndElement();
    }
    w.writeEndElement();
    w.writeEndElement();
    w.writeEndDocument();
    return out;
}

QJsonObject PolicyVerdict::toJson() const
{
    QJsonArray rules;
    for (const RuleResult &r : results)
        rules.append(
            QJsonObject{{QStringLiteral("name"), r.rule.name},
                        {QStringLiteral("kind"), r.rule.kindName()},
                        {QStringLiteral("severity"), r.rule.warning ? QStringLiteral("warning") : QStringLiteral("error")},
                        {QStringLiteral("line"), r.rule.line},
                        {QStringLiteral("status"), ruleStatusName(r.status)},
                        {QStringLiteral("requirement"), r.rule.requirement()},
                        {QStringLiteral("measured"), r.measured},
                        {QStringLiteral("detail"), r.detail}});
    QJsonObject json{{QStringLiteral("policy"), policyPath},
                     {QStringLiteral("model"), modelId},
                     {QStringLiteral("source"), source},
                     {QStringLiteral("threshold"), reportNumber(threshold)},
                     {QStringLiteral("passed"), passed()},
                     {QStringLiteral("counts"),
                      QJsonObject{{QStringLiteral("pass"), count(Status::Pass)},
                                  {QStringLiteral("fail"), count(Status::Fail)},
                                  {QStringLiteral("warn"), count(Status::Warn)},
                                  {QStringLiteral("skipped"), count(Status::Skipped)}}},
                     {QStringLiteral("rules"), rules}};
    if (!decisionRule.isEmpty()) // only then: a verdict at one threshold keeps its bytes
        json.insert(QStringLiteral("group_thresholds"), decisionRule);
    return json;
}

} // namespace Audit
