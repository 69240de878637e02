#include "versiondiff.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <QJsonArray>
#include <QJsonDocument>

#include "dvcfiles.h"
#include "metrics.h"

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

QString number(double value)
{
    return QString::number(value, 'f', 4);
}

QJsonValue optionalNumber(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue();
}

QString verdict(bool pass)
{
    return pass ? QStringLiteral("pass") : QStringLiteral("fail");
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

QList<SliceDelta> diffSlices(const QJsonObject &slicesBefore, const QJsonObject &slicesAfter)
{
    struct Side
    {
        double n, f1, accuracy, low, high;
    };
    const auto index = [](const QJsonObject &report, QStringList &order) {
        std::map<QString, std::pair<QJsonObject, Side>> slices;
        for (const QJsonValue &value : report.value(QStringLiteral("slices")).toArray()) {
            const QJsonObject s = value.toObject();
            const QString key = sliceKey(s.value(QStringLiteral("feature")).toString(),
                                         s.value(QStringLiteral("value")).toString());
            const QJsonObject ci = s.value(QStringLiteral("f1_ci")).toObject();
            slices[key] = {s,
                           Side{s.value(QStringLiteral("n")).toDouble(), s.value(QStringLiteral("f1")).toDouble(),
                                s.value(QStringLiteral("accuracy")).toDouble(), ci.value(QStringLiteral("low")).toDouble(),
                                ci.value(QStringLiteral("high")).toDouble(1)}};
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
        const auto found = after.find(key);
        if (found == after.end()) {
            unmatched << d;
            continue;
        }
        const Side &now = found->second.second;
        d.nAfter = now.n;
        d.f1After = now.f1;
        d.accuracyAfter = now.accuracy;
        d.significant = reportNumber(now.f1) < reportNumber(old.low) || reportNumber(now.f1) > reportNumber(old.high);
        matched << d;
    }
    for (const QString &key : std::as_const(orderAfter)) {
        if (before.count(key))
            continue;
        const auto &[json, now] = after.at(key);
        SliceDelta d = make(json);
        d.nAfter = now.n;
        d.f1After = now.f1;
        d.accuracyAfter = now.accuracy;
        unmatched << d;
    }
    std::stable_sort(matched.begin(), matched.end(),
                     [](const SliceDelta &a, const SliceDelta &b) { return a.f1Delta() < b.f1Delta(); });
    return matched + unmatched;
}

QList<ParityFlip> diffParities(const QJsonObject &biasBefore, const QJsonObject &biasAfter)
{
    using Key = std::tuple<QString, QString, QString>;
    const auto verdicts = [](const QJsonObject &report) {
        std::map<Key, bool> all;
        const auto add = [&all](const QString &attribute, const QString &group, const QJsonObject &parity) {
            for (auto it = parity.begin(); it != parity.end(); ++it) {
                if (it.value().isBool())
                    all[{attribute, group, it.key()}] = it.value().toBool();
            }
        };
        add(QString(), QString(), report.value(QStringLiteral("overall")).toObject());
        for (const QJsonValue &a : report.value(QStringLiteral("attributes")).toArray())
            add(a[QStringLiteral("attribute_name")].toString(), QString(), a[QStringLiteral("parity")].toObject());
        for (const QJsonValue &g : report.value(QStringLiteral("groups")).toArray())
            add(g[QStringLiteral("attribute_name")].toString(), g[QStringLiteral("attribute_value")].toString(),
                g[QStringLiteral("parity")].toObject());
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

VersionDiff diffVersions(const VersionStore &store, const QString &revA, const QString &revB)
{
    const Version a = store.version(revA);
    const Version b = store.version(revB);
    VersionDiff diff;
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
        diff.slices = diffSlices(*ra.slices, *rb.slices);
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

QList<SliceDelta> VersionDiff::worseSlices() const
{
    QList<SliceDelta> worse;
    for (const SliceDelta &s : slices) {
        if (s.inBoth() && s.f1Delta() < 0)
            worse << s;
    }
    return worse;
}

VersionDiff::SliceCounts VersionDiff::sliceCounts() const
{
    SliceCounts counts;
    for (const SliceDelta &s : slices) {
        if (!s.inBoth())
            continue;
        ++counts.compared;
        counts.worse += s.f1Delta() < 0;
        counts.worseSignificant += s.f1Delta() < 0 && s.significant;
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
                                     {QStringLiteral("significant"), s.significant}});
    }
    QJsonArray flipList;
    for (const ParityFlip &f : parities) {
        flipList.append(QJsonObject{{QStringLiteral("attribute"), f.attribute.isEmpty() ? QJsonValue() : QJsonValue(f.attribute)},
                                    {QStringLiteral("group"), f.group.isEmpty() ? QJsonValue() : QJsonValue(f.group)},
                                    {QStringLiteral("parity"), f.parity},
                                    {QStringLiteral("old"), f.before},
                                    {QStringLiteral("new"), f.after}});
    }
    const SliceCounts counts = sliceCounts();
    return QJsonObject{{QStringLiteral("a"), labelA},
                       {QStringLiteral("b"), labelB},
                       {QStringLiteral("metrics"), metricList},
                       {QStringLiteral("params"), paramList},
                       {QStringLiteral("slices"),
                        QJsonObject{{QStringLiteral("compared"), counts.compared},
                                    {QStringLiteral("worse"), counts.worse},
                                    {QStringLiteral("worse_significant"), counts.worseSignificant},
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
    for (const MetricDelta &m : metrics) {
        if (!all && !m.changed())
            continue;
        text += QStringLiteral("  %1 %2 %3 %4\n")
                    .arg(m.key, -34)
                    .arg(m.before ? number(*m.before) : QStringLiteral("-"), 12)
                    .arg(m.after ? number(*m.after) : QStringLiteral("-"), 12)
                    .arg(m.before && m.after ? QString::asprintf("%+.4f", *m.after - *m.before) : QStringLiteral("-"), 10);
    }
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

    const QList<SliceDelta> worse = worseSlices();
    const SliceCounts counts = sliceCounts();
    text += QStringLiteral("\nSlices that got worse: %1 of %2 compared (%3 outside the old 95% interval)\n")
                .arg(counts.worse)
                .arg(counts.compared)
                .arg(counts.worseSignificant);
    for (const SliceDelta &s : worse.mid(0, topSlices)) {
        text += QStringLiteral("  %1 = %2  n %3 -> %4  F1 %5 -> %6 (%7)%8\n")
                    .arg(s.feature, s.value)
                    .arg(s.nBefore)
                    .arg(s.nAfter)
                    .arg(number(s.f1Before), number(s.f1After), QString::asprintf("%+.4f", s.f1Delta()),
                         s.significant ? QStringLiteral(" *") : QString());
    }
    text += QStringLiteral("\nParity verdicts that changed: %1\n").arg(parities.size());
    for (const ParityFlip &f : parities) {
        const QString where = f.attribute.isEmpty() ? QStringLiteral("overall")
            : f.group.isEmpty()                     ? f.attribute
                                                    : QStringLiteral("%1 = %2").arg(f.attribute, f.group);
        text += QStringLiteral("  %1  %2: %3 -> %4\n").arg(where, f.parity, verdict(f.before), verdict(f.after));
    }
    for (const QString &note : notes)
        text += QStringLiteral("note: %1\n").arg(note);
    return text;
}

} // namespace Audit
