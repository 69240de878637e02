#include "versiondiff.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include <QJsonArray>
#include <QJsonDocument>

#include "auditerror.h"
#include "dvcfiles.h"
#include "metrics.h"
#include "significance.h"

namespace Audit {

namespace {

struct Reports
{
    std::optional<QJsonObject> slices;
    std::optional<QJsonObject> bias;
};

Reports reportsAt(const VersionStore &store, const QString &rev, const std::optional<DvcPipeline> &pipeline)
{
    Reports reports;
    if (!pipeline)
        return reports;
    for (const DvcStage &stage : pipeline->stages()) {
        for (const DvcOutput &out : stage.outs) {
            if (!out.path.endsWith(QLatin1String(".json")) || out.kind == DvcOutput::Kind::Metric)
                continue;
            const std::optional<QJsonObject> json = store.jsonFile(rev, out.path);
            if (!json)
                continue;
            if (!reports.slices && json->value(QStringLiteral("slices")).isArray()
                && json->value(QStringLiteral("overall")).isObject())
                reports.slices = json;
            else if (!reports.bias && json->value(QStringLiteral("groups")).isArray()
                     && json->value(QStringLiteral("attributes")).isArray())
                reports.bias = json;
        }
    }
    return reports;
}

QString sliceKey(const QString &feature, const QString &value)
{
    return feature + QChar(0x1f) + value;
}

// Four decimals; a count (a whole number) as one.
QString number(double value)
{
    return value == std::floor(value) && std::abs(value) < 1e15 ? QString::number(value, 'f', 0) : QString::number(value, 'f', 4);
}

QJsonValue optionalNumber(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue();
}

} // namespace

QList<MetricDelta> diffMetrics(const QJsonObject &flatBefore, const QJsonObject &flatAfter)
{
    QStringList keys = flatBefore.keys() + flatAfter.keys();
    keys.sort();
    keys.removeDuplicates();
    QList<MetricDelta> deltas;
    for (const QString &key : std::as_const(keys)) {
        MetricDelta d;
        d.key = key;
        if (flatBefore.value(key).isDouble())
            d.before = flatBefore.value(key).toDouble();
        if (flatAfter.value(key).isDouble())
            d.after = flatAfter.value(key).toDouble();
        deltas << d;
    }
    return deltas;
}

QList<ParamDelta> diffParams(const QJsonObject &flatBefore, const QJsonObject &flatAfter)
{
    QStringList keys = flatBefore.keys() + flatAfter.keys();
    keys.sort();
    keys.removeDuplicates();
    QList<ParamDelta> deltas;
    for (const QString &key : std::as_const(keys))
        deltas << ParamDelta{key, flatBefore.value(key), flatAfter.value(key)};
    return deltas;
}

QList<SliceDelta> diffSlices(const QJsonObject &slicesBefore, const QJsonObject &slicesAfter, const SliceDiffOptions &options)
{
    if (!(options.fdrQ > 0 && options.fdrQ <= 1))
        throw OptionError(QStringLiteral("fdr_q"),
                          QStringLiteral("false-discovery rate q = %1: must be in (0, 1], e.g. 0.05").arg(options.fdrQ));
    if (options.minPositives < 0)
        throw OptionError(QStringLiteral("min_positives"),
                          QStringLiteral("minimum positives = %1: must be 0 or more").arg(options.minPositives));
    struct Side
    {
        double n, f1, accuracy;
        std::int64_t tp, fp, fn; // -1: the report has no confusion counts
    };
    const auto index = [](const QJsonObject &report, QStringList &order) {
        std::map<QString, std::pair<QJsonObject, Side>> slices;
        for (const QJsonValue &value : report.value(QStringLiteral("slices")).toArray()) {
            const QJsonObject s = value.toObject();
            const QString key = sliceKey(s.value(QStringLiteral("feature")).toString(),
                                         s.value(QStringLiteral("value")).toString());
            const auto countOf = [&s](const char *name) {
                const QJsonValue v = s.value(QLatin1String(name));
                return v.isDouble() && v.toDouble() >= 0 ? std::int64_t(v.toDouble()) : std::int64_t(-1);
            };
            slices[key] = {s,
                           Side{s.value(QStringLiteral("n")).toDouble(), s.value(QStringLiteral("f1")).toDouble(),
                                s.value(QStringLiteral("accuracy")).toDouble(), countOf("tp"), countOf("fp"), countOf("fn")}};
            order << key;
        }
        return slices;
    };
    QStringList orderBefore, orderAfter;
    const auto before = index(slicesBefore, orderBefore);
    const auto after = index(slicesAfter, orderAfter);
    QList<SliceDelta> matched, unmatched;
    const auto make = [](const QJsonObject &s) {
        SliceDelta d;
        d.feature = s.value(QStringLiteral("feature")).toString();
        d.value = s.value(QStringLiteral("value")).toString();
        return d;
    };
    for (const QString &key : std::as_const(orderBefore)) {
        const auto &[json, old] = before.at(key);
        SliceDelta d = make(json);
        d.nBefore = old.n;
        d.f1Before = old.f1;
        d.accuracyBefore = old.accuracy;
        d.tpBefore = old.tp;
        d.fpBefore = old.fp;
        d.fnBefore = old.fn;
        const auto found = after.find(key);
        if (found == after.end()) {
            unmatched << d;
            continue;
        }
        const Side &now = found->second.second;
        d.nAfter = now.n;
        d.f1After = now.f1;
        d.accuracyAfter = now.accuracy;
        d.tpAfter = now.tp;
        d.fpAfter = now.fp;
        d.fnAfter = now.fn;
        // Counts a report cannot have had (more than its rows, or not its F1) are not tested on.
        const auto consistent = [](const Side &side) {
            if (double(side.tp + side.fp + side.fn) > side.n)
                return false;
            const double denominator = double(2 * side.tp + side.fp + side.fn);
            return denominator == 0 || std::abs(2.0 * double(side.tp) / denominator - side.f1) < 1e-6;
        };
        if (old.tp < 0 || old.fp < 0 || old.fn < 0 || now.tp < 0 || now.fp < 0 || now.fn < 0) {
            d.untested = QStringLiteral("no confusion counts in %1's slice report")
                             .arg(old.tp < 0 ? QLatin1Char('A') : QLatin1Char('B'));
        } else if (!consistent(old) || !consistent(now)) {
            d.untested = QStringLiteral("%1's slice report has counts that do not add up (tp + fp + fn above n, or not its F1)")
                             .arg(!consistent(old) ? QLatin1Char('A') : QLatin1Char('B'));
        } else if (old.tp + old.fn < options.minPositives || now.tp + now.fn < options.minPositives) {
            const bool inA = old.tp + old.fn < options.minPositives;
            d.untested = QStringLiteral("%1 positives in %2 (minimum %3)")
                             .arg(inA ? old.tp + old.fn : now.tp + now.fn)
                             .arg(inA ? QLatin1Char('A') : QLatin1Char('B'))
                             .arg(options.minPositives);
        } else if (old.tp + old.fp + old.fn == 0 || now.tp + now.fp + now.fn == 0) {
            d.untested = QStringLiteral("F1 undefined (no positives predicted or labelled)");
        } else {
            // F1 is a monotone function of J = tp / (tp + fp + fn): comparing J compares F1.
            const Stats::TestResult r = Stats::compareProportions(now.tp, now.tp + now.fp + now.fn, old.tp,
                                                                  old.tp + old.fp + old.fn);
            d.p = r.p;
            d.test = QString::fromLatin1(Stats::testName(r.test));
        }
        matched << d;
    }
    std::vector<double> p;
    p.reserve(std::size_t(matched.size()));
    for (const SliceDelta &d : std::as_const(matched))
        p.push_back(d.p);
    const std::vector<double> q = Stats::benjaminiHochberg(p);
    for (qsizetype i = 0; i < matched.size(); ++i) {
        matched[i].q = q[std::size_t(i)];
        matched[i].significant = matched[i].q <= options.fdrQ && matched[i].f1Delta() != 0;
    }
    for (const QString &key : std::as_const(orderAfter)) {
        if (before.count(key))
            continue;
        const auto &[json, now] = after.at(key);
        SliceDelta d = make(json);
        d.nAfter = now.n;
        d.f1After = now.f1;
        d.accuracyAfter = now.accuracy;
        d.tpAfter = now.tp;
        d.fpAfter = now.fp;
        d.fnAfter = now.fn;
        unmatched << d;
    }
    std::stable_sort(matched.begin(), matched.end(),
                     [](const SliceDelta &a, const SliceDelta &b) { return a.f1Delta() < b.f1Delta(); });
    return matched + unmatched;
}

QList<ParityFlip> diffParities(const QJsonObject &biasBefore, const QJsonObject &biasAfter)
{
    // The evidence verdicts ("verdict": state names) when both reports have them; a report
    // written before them, or with Aequitas's verdicts only, compares on the plain booleans.
    const bool states = biasBefore.value(QStringLiteral("overall_verdict")).isObject()
        && biasAfter.value(QStringLiteral("overall_verdict")).isObject();
    using Key = std::tuple<QString, QString, QString>;
    const auto verdicts = [states](const QJsonObject &report) {
        std::map<Key, VerdictState> all;
        const auto add = [&all, states](const QString &attribute, const QString &group, const QJsonObject &parity) {
            for (auto it = parity.begin(); it != parity.end(); ++it) {
                if (states) {
                    if (const std::optional<VerdictState> state = enumFromName<VerdictState>(it.value().toString()))
                        all[{attribute, group, it.key()}] = *state;
                } else if (it.value().isBool()) {
                    all[{attribute, group, it.key()}] = it.value().toBool() ? VerdictState::Pass : VerdictState::Fail;
                }
            }
        };
        const QString key = states ? QStringLiteral("verdict") : QStringLiteral("parity");
        add(QString(), QString(),
            report.value(states ? QStringLiteral("overall_verdict") : QStringLiteral("overall")).toObject());
        for (const QJsonValue &a : report.value(QStringLiteral("attributes")).toArray())
            add(a[QStringLiteral("attribute_name")].toString(), QString(), a[key].toObject());
        for (const QJsonValue &g : report.value(QStringLiteral("groups")).toArray())
            add(g[QStringLiteral("attribute_name")].toString(), g[QStringLiteral("attribute_value")].toString(),
                g[key].toObject());
        return all;
    };
    const auto before = verdicts(biasBefore);
    const auto after = verdicts(biasAfter);
    QList<ParityFlip> flips;
    for (const auto &[key, was] : before) {
        const auto found = after.find(key);
        if (found != after.end() && found->second != was)
            flips << ParityFlip{std::get<0>(key), std::get<1>(key), std::get<2>(key), was, found->second};
    }
    return flips;
}

VersionDiff diffVersions(const VersionStore &store, const QString &revA, const QString &revB,
                         const SliceDiffOptions &sliceOptions)
{
    const Version a = store.version(revA);
    const Version b = store.version(revB);
    VersionDiff diff;
    diff.sliceOptions = sliceOptions;
    diff.labelA = a.label;
    diff.labelB = b.label;
    diff.metrics = diffMetrics(a.metrics, b.metrics);
    diff.params = diffParams(a.params, b.params);
    if (a.metrics.isEmpty())
        diff.notes << QStringLiteral("%1 has no metrics (no metrics file of dvc.yaml is committed there)").arg(a.label);
    if (b.metrics.isEmpty())
        diff.notes << QStringLiteral("%1 has no metrics (no metrics file of dvc.yaml is committed there)").arg(b.label);
    const Reports ra = reportsAt(store, a.rev, store.pipeline(a.rev));
    const Reports rb = reportsAt(store, b.rev, store.pipeline(b.rev));
    if (ra.slices && rb.slices)
        diff.slices = diffSlices(*ra.slices, *rb.slices, sliceOptions);
    else
        diff.notes << QStringLiteral("no slice report in %1").arg(!ra.slices ? a.label : b.label);
    if (ra.bias && rb.bias)
        diff.parities = diffParities(*ra.bias, *rb.bias);
    else
        diff.notes << QStringLiteral("no bias report in %1").arg(!ra.bias ? a.label : b.label);
    return diff;
}

QString valueText(const QJsonValue &value)
{
    if (value.isUndefined())
        return QStringLiteral("(absent)");
    if (value.isString())
        return value.toString();
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 12);
    if (value.isNull())
        return QStringLiteral("null");
    return QString::fromUtf8(QJsonDocument(value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject()))
                                 .toJson(QJsonDocument::Compact));
}

double SliceDelta::f1Delta() const
{
    return reportNumber(f1After) - reportNumber(f1Before);
}

namespace {

// The significant changes first, smallest q first; then the rest, largest change first.
QList<SliceDelta> ranked(const QList<SliceDelta> &slices, int sign)
{
    QList<SliceDelta> out;
    for (const SliceDelta &s : slices) {
        if (s.inBoth() && s.f1Delta() * sign > 0)
            out << s;
    }
    // Significant first, then the other tested slices, both by q; the untested last (a 1 -> 0
    // drop in a slice with one positive is not news), by the size of the change.
    const auto rank = [](const SliceDelta &s) { return s.significant ? 0 : std::isnan(s.q) ? 2 : 1; };
    std::stable_sort(out.begin(), out.end(), [sign, &rank](const SliceDelta &a, const SliceDelta &b) {
        if (rank(a) != rank(b))
            return rank(a) < rank(b);
        if (rank(a) < 2 && a.q != b.q)
            return a.q < b.q;
        return a.f1Delta() * sign > b.f1Delta() * sign;
    });
    return out;
}

} // namespace

QList<SliceDelta> VersionDiff::lowerSlices() const
{
    return ranked(slices, -1);
}

QList<SliceDelta> VersionDiff::higherSlices() const
{
    return ranked(slices, 1);
}

VersionDiff::SliceCounts VersionDiff::sliceCounts() const
{
    SliceCounts counts;
    for (const SliceDelta &s : slices) {
        if (!s.inBoth())
            continue;
        ++counts.compared;
        counts.tested += !std::isnan(s.p);
        counts.worse += s.worse();
        counts.better += s.better();
        counts.lower += s.f1Delta() < 0;
        counts.higher += s.f1Delta() > 0;
    }
    return counts;
}

QJsonObject VersionDiff::toJson(bool all) const
{
    QJsonArray metricList;
    for (const MetricDelta &m : metrics) {
        if (!all && !m.changed())
            continue;
        metricList.append(
            QJsonObject{{QStringLiteral("metric"), m.key},
                        {QStringLiteral("old"), optionalNumber(m.before)},
                        {QStringLiteral("new"), optionalNumber(m.after)},
                        {QStringLiteral("change"), m.before && m.after ? QJsonValue(*m.after - *m.before) : QJsonValue()}});
    }
    QJsonArray paramList;
    for (const ParamDelta &p : params) {
        if (!all && !p.changed())
            continue;
        paramList.append(QJsonObject{{QStringLiteral("param"), p.key},
                                     {QStringLiteral("old"), p.before.isUndefined() ? QJsonValue() : p.before},
                                     {QStringLiteral("new"), p.after.isUndefined() ? QJsonValue() : p.after}});
    }
    QJsonArray sliceList;
    for (const SliceDelta &s : slices) {
        if (!all && s.inBoth() && s.f1Delta() == 0 && s.nBefore == s.nAfter)
            continue;
        sliceList.append(QJsonObject{{QStringLiteral("feature"), s.feature},
                                     {QStringLiteral("value"), s.value},
                                     {QStringLiteral("n_old"), s.nBefore < 0 ? QJsonValue() : QJsonValue(s.nBefore)},
                                     {QStringLiteral("n_new"), s.nAfter < 0 ? QJsonValue() : QJsonValue(s.nAfter)},
                                     {QStringLiteral("f1_old"), s.nBefore < 0 ? QJsonValue() : QJsonValue(s.f1Before)},
                                     {QStringLiteral("f1_new"), s.nAfter < 0 ? QJsonValue() : QJsonValue(s.f1After)},
                                     {QStringLiteral("f1_change"), s.inBoth() ? QJsonValue(s.f1Delta()) : QJsonValue()},
                                     {QStringLiteral("p"), reportJsonP(s.p)},
                                     {QStringLiteral("q"), reportJsonP(s.q)},
                                     {QStringLiteral("test"), s.test.isEmpty() ? QJsonValue() : QJsonValue(s.test)},
                                     {QStringLiteral("untested"), s.untested.isEmpty() ? QJsonValue() : QJsonValue(s.untested)},
                                     {QStringLiteral("change"),
                                      !s.inBoth()            ? QStringLiteral("unmatched")
                                          : s.worse()        ? QStringLiteral("worse")
                                          : s.better()       ? QStringLiteral("better")
                                          : s.f1Delta() == 0 ? QStringLiteral("unchanged")
                                                             : QStringLiteral("not_significant")},
                                     {QStringLiteral("significant"), s.significant}});
    }
    QJsonArray flipList;
    for (const ParityFlip &f : parities) {
        flipList.append(QJsonObject{{QStringLiteral("attribute"), f.attribute.isEmpty() ? QJsonValue() : QJsonValue(f.attribute)},
                                    {QStringLiteral("group"), f.group.isEmpty() ? QJsonValue() : QJsonValue(f.group)},
                                    {QStringLiteral("parity"), f.parity},
                                    {QStringLiteral("old"), enumName(f.before)},
                                    {QStringLiteral("new"), enumName(f.after)}});
    }
    const SliceCounts counts = sliceCounts();
    return QJsonObject{{QStringLiteral("a"), labelA},
                       {QStringLiteral("b"), labelB},
                       {QStringLiteral("metrics"), metricList},
                       {QStringLiteral("params"), paramList},
                       {QStringLiteral("slices"),
                        QJsonObject{{QStringLiteral("compared"), counts.compared},
                                    {QStringLiteral("tested"), counts.tested},
                                    {QStringLiteral("worse"), counts.worse},
                                    {QStringLiteral("better"), counts.better},
                                    {QStringLiteral("lower"), counts.lower},
                                    {QStringLiteral("higher"), counts.higher},
                                    {QStringLiteral("fdr_q"), sliceOptions.fdrQ},
                                    {QStringLiteral("min_positives"), sliceOptions.minPositives},
                                    {QStringLiteral("changes"), sliceList}}},
                       {QStringLiteral("parity_flips"), flipList},
                       {QStringLiteral("notes"), QJsonArray::fromStringList(notes)}};
}

QString VersionDiff::toText(bool all, int topSlices) const
{
    QString text = QStringLiteral("%1 -> %2\n\nMetrics%3\n").arg(labelA, labelB, all ? QString() : QStringLiteral(" (changed)"));
    text += QStringLiteral("  %1 %2 %3 %4\n")
                .arg(QStringLiteral("Metric"), -34)
                .arg(labelA, 12)
                .arg(labelB, 12)
                .arg(QStringLiteral("Change"), 10);
    int metricsShown = 0;
    for (const MetricDelta &m : metrics) {
        if (!all && !m.changed())
            continue;
        ++metricsShown;
        text += QStringLiteral("  %1 %2 %3 %4\n")
                    .arg(m.key, -34)
                    .arg(m.before ? number(*m.before) : QStringLiteral("-"), 12)
                    .arg(m.after ? number(*m.after) : QStringLiteral("-"), 12)
                    .arg(m.before && m.after ? QString::asprintf("%+.4f", *m.after - *m.before) : QStringLiteral("-"), 10);
    }
    if (!metricsShown)
        text += QStringLiteral("  (none)\n");
    text += QStringLiteral("\nParams%1\n").arg(all ? QString() : QStringLiteral(" (changed)"));
    int shown = 0;
    for (const ParamDelta &p : params) {
        if (!all && !p.changed())
            continue;
        ++shown;
        text += QStringLiteral("  %1 %2 -> %3\n").arg(p.key, -40).arg(valueText(p.before), valueText(p.after));
    }
    if (!shown)
        text += QStringLiteral("  (none)\n");

    const SliceCounts counts = sliceCounts();
    text += QStringLiteral("\nSlices: %1 compared, %2 tested (at least %3 positives in both), F1 compared by a two-sample "
                           "test of tp / (tp + fp + fn), Benjamini-Hochberg q <= %4\n")
                .arg(counts.compared)
                .arg(counts.tested)
                .arg(sliceOptions.minPositives)
                .arg(sliceOptions.fdrQ);
    const auto list = [&](const QString &title, const QList<SliceDelta> &slices, qsizetype significant, qsizetype total) {
        text += QStringLiteral("\n%1: %2 significantly (%3 with a %4 F1 in all)\n")
                    .arg(title)
                    .arg(significant)
                    .arg(total)
                    .arg(title.contains(QStringLiteral("worse")) ? QStringLiteral("lower") : QStringLiteral("higher"));
        for (const SliceDelta &s : slices.mid(0, topSlices)) {
            text += QStringLiteral("  %1 = %2  n %3 -> %4  F1 %5 -> %6 (%7)  %8\n")
                        .arg(s.feature, s.value)
                        .arg(s.nBefore)
                        .arg(s.nAfter)
                        .arg(number(s.f1Before), number(s.f1After), QString::asprintf("%+.4f", s.f1Delta()),
                             !s.untested.isEmpty()
                                 ? QStringLiteral("untested: ") + s.untested
                                 : QStringLiteral("p %1 q %2%3")
                                       .arg(pValueText(s.p), pValueText(s.q), s.significant ? QStringLiteral(" *") : QString()));
        }
    };
    list(QStringLiteral("Slices that got worse"), lowerSlices(), counts.worse, counts.lower);
    list(QStringLiteral("Slices that got better"), higherSlices(), counts.better, counts.higher);
    text += QStringLiteral("\nParity verdicts that changed: %1\n").arg(parities.size());
    for (const ParityFlip &f : parities) {
        const QString where = f.attribute.isEmpty() ? QStringLiteral("overall")
            : f.group.isEmpty()                     ? f.attribute
                                                    : QStringLiteral("%1 = %2").arg(f.attribute, f.group);
        text
            += QStringLiteral("  %1  %2: %3 -> %4\n").arg(where, f.parity, verdictStateText(f.before), verdictStateText(f.after));
    }
    for (const QString &note : notes)
        text += QStringLiteral("note: %1\n").arg(note);
    return text;
}

} // namespace Audit
