#include "groupthresholds.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include <QJsonArray>

#include "echovalue.h"
#include "schema.h"
#include "schemaerror.h"

namespace Audit {

namespace {

constexpr const char *kMember = "group_thresholds";

std::uint64_t mix64(std::uint64_t z)
{
    // splitmix64's finaliser: every input bit reaches every output bit.
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

[[noreturn]] void fail(const QString &where, const QString &why)
{
    throw SchemaError(QStringLiteral("%1%2: %3").arg(QLatin1String(kMember), where, why));
}

double largestThreshold()
{
    return std::nextafter(1.0, 2.0); // "above every score": a group that is never positive
}

QString constraintText(const QString &c)
{
    if (c == QLatin1String("demographic_parity"))
        return QStringLiteral("demographic parity");
    if (c == QLatin1String("equal_opportunity"))
        return QStringLiteral("equal opportunity");
    if (c == QLatin1String("equalized_odds"))
        return QStringLiteral("equalized odds");
    return c;
}

} // namespace

double GroupThresholds::Group::threshold() const
{
    if (mix.empty())
        return 0.5;
    return std::max_element(mix.begin(), mix.end(), [](const auto &a, const auto &b) { return a.second < b.second; })->first;
}

bool GroupThresholds::randomised() const
{
    return std::any_of(groups.begin(), groups.end(), [](const Group &g) { return g.mix.size() > 1; });
}

int GroupThresholds::groupIndex(std::string_view value) const
{
    const QString text = QString::fromUtf8(value.data(), qsizetype(value.size()));
    for (std::size_t g = 0; g < groups.size(); ++g) {
        if (groups[g].name == text)
            return int(g);
    }
    return -1;
}

QString GroupThresholds::shownGroups() const
{
    QStringList names;
    for (qsizetype g = 0; g < qsizetype(groups.size()) && g < kShownGroups; ++g)
        names << echoValue(groups[std::size_t(g)].name);
    if (qsizetype(groups.size()) > kShownGroups)
        names << QStringLiteral("and %1 more").arg(qsizetype(groups.size()) - kShownGroups);
    return names.join(QStringLiteral(", "));
}

QStringList GroupThresholds::groupNames() const
{
    QStringList names;
    for (const Group &g : groups)
        names << g.name;
    return names;
}

double GroupThresholds::thresholdOf(int group, std::uint64_t key, double single) const
{
    if (group < 0 || std::size_t(group) >= groups.size())
        return single;
    const std::vector<std::pair<double, double>> &mix = groups[std::size_t(group)].mix;
    if (mix.size() == 1)
        return mix.front().first;
    // A uniform number in [0, 1) from the key's top 53 bits, against the cumulative probabilities.
    const double u = double(key >> 11) * 0x1.0p-53;
    double cumulative = 0;
    for (const auto &[threshold, probability] : mix) {
        cumulative += probability;
        if (u < cumulative)
            return threshold;
    }
    return mix.back().first; // the rounding of the sum
}

std::uint64_t GroupThresholds::keyOf(const float *row, std::size_t width) const
{
    std::uint64_t h = mix64(seed ^ 0x6a09e667f3bcc909ULL);
    for (std::size_t i = 0; i < width; ++i) {
        float v = row[i];
        if (std::isnan(v))
            v = std::numeric_limits<float>::quiet_NaN();
        else if (v == 0.0f)
            v = 0.0f;
        std::uint32_t bits = 0;
        std::memcpy(&bits, &v, sizeof bits);
        h = mix64(h ^ (std::uint64_t(bits) + 0x9e3779b97f4a7c15ULL * (i + 1)));
    }
    return h;
}

QString GroupThresholds::describe() const
{
    QStringList parts;
    for (const Group &g : groups) {
        if (parts.size() == kShownGroups) {
            parts << QStringLiteral("and %1 more").arg(qsizetype(groups.size()) - kShownGroups);
            break;
        }
        if (g.mix.size() == 1) {
            parts << QStringLiteral("%1 %2").arg(echoValue(g.name)).arg(g.mix.front().first, 0, 'f', 4);
            continue;
        }
        QStringList draws;
        for (const auto &[t, p] : g.mix)
            draws << QStringLiteral("%1 (%2%)").arg(t, 0, 'f', 4).arg(100 * p, 0, 'f', 1);
        parts << QStringLiteral("%1 %2").arg(echoValue(g.name), draws.join(QStringLiteral(" or ")));
    }
    const QString how = constraint == QLatin1String("equalized_odds")
        ? QStringLiteral("equalized odds, randomised")
        : QStringLiteral("%1 within %2").arg(constraintText(constraint), QString::number(tolerance));
    QString goal = objective;
    if (objective == QLatin1String("f1"))
        goal = QStringLiteral("best F1");
    else if (objective.startsWith(QLatin1String("fbeta:")))
        goal = QStringLiteral("best F-beta, beta %1").arg(objective.mid(6));
    else if (objective.startsWith(QLatin1String("cost:")))
        goal = QStringLiteral("least expected cost, %1").arg(objective);
    return QStringLiteral("by %1: %2 (%3; %4)").arg(attribute, parts.join(QStringLiteral(", ")), how, goal);
}

QJsonObject GroupThresholds::toJson() const
{
    QJsonArray list;
    for (const Group &g : groups) {
        QJsonArray mixJson;
        for (const auto &[t, p] : g.mix)
            mixJson.append(QJsonObject{{QStringLiteral("threshold"), t}, {QStringLiteral("probability"), p}});
        list.append(QJsonObject{{QStringLiteral("group"), g.name}, {QStringLiteral("mix"), mixJson}});
    }
    return {{QStringLiteral("attribute"), attribute},        {QStringLiteral("constraint"), constraint},
            {QStringLiteral("tolerance"), tolerance},        {QStringLiteral("objective"), objective},
            {QStringLiteral("fitted_on"), fittedOn},         {QStringLiteral("fit_rows"), qint64(fitRows)},
            {QStringLiteral("seed"), QString::number(seed)}, {QStringLiteral("groups"), list}};
}

GroupThresholds GroupThresholds::fromJson(const QJsonObject &json, const Schema &schema)
{
    GroupThresholds out;
    const auto string = [&json](const char *key) {
        const QJsonValue v = json.value(QLatin1String(key));
        if (!v.isString())
            fail(QStringLiteral(".%1").arg(QLatin1String(key)), QStringLiteral("expected a string"));
        return v.toString();
    };
    out.attribute = string("attribute");
    if (out.attribute.size() > kMaxNameLength)
        fail(QStringLiteral(".attribute"),
             QStringLiteral("%1 characters (at most %2)").arg(out.attribute.size()).arg(kMaxNameLength));
    const int column = schema.featureIndex(out.attribute);
    if (column < 0)
        fail(QStringLiteral(".attribute"),
             QStringLiteral("\"%1\" is not a column of the model's schema").arg(echoValue(out.attribute)));
    if (schema.features()[std::size_t(column)].isNumeric())
        fail(QStringLiteral(".attribute"),
             QStringLiteral("\"%1\" is numeric; groups need a categorical column").arg(out.attribute));
    out.constraint = string("constraint");
    if (out.constraint != QLatin1String("demographic_parity") && out.constraint != QLatin1String("equal_opportunity")
        && out.constraint != QLatin1String("equalized_odds"))
        fail(QStringLiteral(".constraint"), QStringLiteral("\"%1\" is not a fairness constraint").arg(echoValue(out.constraint)));
    out.objective = string("objective");
    out.fittedOn = string("fitted_on");
    if (out.objective.size() > 100)
        fail(QStringLiteral(".objective"), QStringLiteral("%1 characters (at most 100)").arg(out.objective.size()));
    if (out.fittedOn.size() > 1000)
        fail(QStringLiteral(".fitted_on"), QStringLiteral("%1 characters (at most 1000)").arg(out.fittedOn.size()));
    const QJsonValue tolerance = json.value(QStringLiteral("tolerance"));
    if (!tolerance.isDouble() || !(tolerance.toDouble() >= 0 && tolerance.toDouble() <= 1))
        fail(QStringLiteral(".tolerance"), QStringLiteral("expected a number in [0, 1]"));
    out.tolerance = tolerance.toDouble();
    const QJsonValue rows = json.value(QStringLiteral("fit_rows"));
    if (!rows.isDouble() || rows.toDouble() < 0 || rows.toDouble() != std::floor(rows.toDouble()))
        fail(QStringLiteral(".fit_rows"), QStringLiteral("expected a count"));
    out.fitRows = rows.toInteger();
    bool ok = false;
    out.seed = string("seed").toULongLong(&ok);
    if (!ok)
        fail(QStringLiteral(".seed"), QStringLiteral("expected a whole number as text"));
    const QJsonValue groups = json.value(QStringLiteral("groups"));
    if (!groups.isArray())
        fail(QStringLiteral(".groups"), QStringLiteral("expected a list"));
    const QJsonArray list = groups.toArray();
    if (list.size() < 2 || std::size_t(list.size()) > kMaxGroups)
        fail(QStringLiteral(".groups"), QStringLiteral("%1 groups: between 2 and %2").arg(list.size()).arg(kMaxGroups));
    for (qsizetype g = 0; g < list.size(); ++g) {
        const QString at = QStringLiteral(".groups[%1]").arg(g);
        if (!list[g].isObject())
            fail(at, QStringLiteral("expected an object"));
        const QJsonObject o = list[g].toObject();
        Group group;
        if (!o.value(QStringLiteral("group")).isString())
            fail(at + QStringLiteral(".group"), QStringLiteral("expected a string"));
        group.name = o.value(QStringLiteral("group")).toString();
        if (group.name.size() > kMaxNameLength)
            fail(at + QStringLiteral(".group"),
                 QStringLiteral("%1 characters (at most %2)").arg(group.name.size()).arg(kMaxNameLength));
        if (out.groupIndex(group.name.toStdString()) >= 0)
            fail(at + QStringLiteral(".group"), QStringLiteral("\"%1\" is listed twice").arg(group.name));
        const QJsonValue mix = o.value(QStringLiteral("mix"));
        if (!mix.isArray() || mix.toArray().isEmpty() || std::size_t(mix.toArray().size()) > kMaxMix)
            fail(at + QStringLiteral(".mix"), QStringLiteral("expected a list of 1 to %1 thresholds").arg(kMaxMix));
        double sum = 0;
        double previous = 3;
        for (const QJsonValue &entry : mix.toArray()) {
            const double t = entry.toObject().value(QStringLiteral("threshold")).toDouble(-1);
            const double p = entry.toObject().value(QStringLiteral("probability")).toDouble(-1);
            if (!(t >= 0 && t <= largestThreshold()))
                fail(at + QStringLiteral(".mix"), QStringLiteral("a threshold in [0, 1] for each entry"));
            if (!(p > 0 && p <= 1))
                fail(at + QStringLiteral(".mix"), QStringLiteral("a probability in (0, 1] for each entry"));
            if (!(t < previous))
                fail(at + QStringLiteral(".mix"), QStringLiteral("thresholds in descending order, each once"));
            previous = t;
            sum += p;
            group.mix.push_back({t, p});
        }
        if (std::abs(sum - 1) > 1e-9)
            fail(at + QStringLiteral(".mix"), QStringLiteral("probabilities sum to %1, not 1").arg(sum, 0, 'g', 12));
        out.groups.push_back(std::move(group));
    }
    return out;
}

} // namespace Audit
