#include "versions.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>

#include <yaml-cpp/yaml.h>

#include "auditerror.h"
#include "dvcproject.h"
#include "fileio.h"
#include "metrics.h"
#include "yamlutil.h"

namespace Audit {

namespace {

std::optional<QJsonObject> jsonObject(const std::optional<QByteArray> &bytes)
{
    if (!bytes)
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(*bytes, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

// The pipeline at a version; nullopt when that version has no (readable) dvc.yaml.
std::optional<DvcPipeline> pipelineAt(const VersionStore &store, const QString &rev, const QString &label)
{
    const std::optional<QByteArray> yaml = store.file(rev, QStringLiteral("dvc.yaml"));
    if (!yaml)
        return std::nullopt;
    return DvcPipeline::parse(*yaml, QStringLiteral("dvc.yaml at %1").arg(label));
}

QStringList metricFiles(const std::optional<DvcPipeline> &pipeline)
{
    QStringList files;
    if (!pipeline)
        return files;
    for (const DvcStage &stage : pipeline->stages()) {
        for (const DvcOutput &out : stage.outs) {
            if (out.kind == DvcOutput::Kind::Metric && !files.contains(out.path))
                files << out.path;
        }
    }
    return files;
}

QStringList paramFiles(const std::optional<DvcPipeline> &pipeline)
{
    QStringList files;
    if (pipeline) {
        for (const DvcStage &stage : pipeline->stages()) {
            for (const DvcParamRef &param : stage.params) {
                if (!files.contains(param.file))
                    files << param.file;
            }
        }
    }
    if (files.isEmpty())
        files << QStringLiteral("params.yaml");
    return files;
}

// The slice and bias reports among a version's JSON outputs, recognised by their shape.
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
            const std::optional<QJsonObject> json = jsonObject(store.file(rev, out.path));
            if (!json)
                continue;
            if (!reports.slices && json->value(QStringLiteral("slices")).isArray() && json->value(QStringLiteral("overall")).isObject())
                reports.slices = json;
            else if (!reports.bias && json->value(QStringLiteral("groups")).isArray() && json->value(QStringLiteral("attributes")).isArray())
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

QString paramText(const QJsonValue &value)
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

QJsonValue optionalNumber(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue();
}

QString verdict(bool pass)
{
    return pass ? QStringLiteral("pass") : QStringLiteral("fail");
}

} // namespace

VersionStore::VersionStore(const QString &projectDir)
    : m_git(std::make_unique<GitRepository>(projectDir))
    , m_dir(QFileInfo(projectDir).canonicalFilePath())
{
    const QString workdir = QFileInfo(m_git->workdir()).canonicalFilePath();
    const QString relative = QDir(workdir).relativeFilePath(m_dir);
    m_prefix = relative == QLatin1String(".") ? QString() : relative + QLatin1Char('/');
}

VersionStore::~VersionStore() = default;

QString VersionStore::gitPath(const QString &path) const
{
    return m_prefix + path;
}

QString VersionStore::cacheDir() const
{
    const QDir dvc(QDir(m_dir).filePath(QStringLiteral(".dvc")));
    QString dir;
    for (const QString &name : {QStringLiteral("config"), QStringLiteral("config.local")}) {
        if (!QFileInfo::exists(dvc.filePath(name)))
            continue;
        const QSettings config(dvc.filePath(name), QSettings::IniFormat);
        const QString value = config.value(QStringLiteral("cache/dir")).toString().trimmed();
        if (!value.isEmpty())
            dir = value;
    }
    if (dir.isEmpty())
        return dvc.filePath(QStringLiteral("cache"));
    return QDir::cleanPath(dvc.filePath(dir)); // relative to .dvc, as DVC reads it
}

QString VersionStore::cachePath(const QString &cacheDir, const QString &md5)
{
    return QStringLiteral("%1/files/md5/%2/%3").arg(cacheDir, md5.left(2), md5.mid(2));
}

QString VersionStore::revisionLabel(const QString &rev) const
{
    return rev == kWorkspace ? kWorkspace : m_git->resolve(rev).shortHash();
}

std::optional<QByteArray> VersionStore::file(const QString &rev, const QString &path) const
{
    if (rev == kWorkspace) {
        QFile file(QDir(m_dir).filePath(path));
        if (!file.open(QIODevice::ReadOnly))
            return std::nullopt;
        return file.readAll();
    }
    return m_git->fileAt(rev, gitPath(path));
}

Version VersionStore::version(const QString &rev) const
{
    Version v;
    if (rev == kWorkspace) {
        v.rev = v.label = kWorkspace;
    } else {
        v.commit = m_git->resolve(rev);
        v.rev = v.commit.hash;
        v.label = v.commit.shortHash();
    }
    const std::optional<DvcPipeline> pipeline = pipelineAt(*this, v.rev, v.label);
    for (const QString &path : metricFiles(pipeline)) {
        if (const std::optional<QJsonObject> json = jsonObject(file(v.rev, path))) {
            const QJsonObject flat = flattenNumbers(*json, path + QLatin1Char(':'));
            for (auto it = flat.begin(); it != flat.end(); ++it)
                v.metrics.insert(it.key(), it.value());
        }
    }
    for (const QString &path : paramFiles(pipeline)) {
        const std::optional<QByteArray> yaml = file(v.rev, path);
        if (!yaml)
            continue;
        try {
            const QJsonObject flat = flattenValues(yamlToJson(YAML::Load(yaml->toStdString())).toObject(), path + QLatin1Char(':'));
            for (auto it = flat.begin(); it != flat.end(); ++it)
                v.params.insert(it.key(), it.value());
        } catch (const YAML::Exception &) {
            // A version with a broken params file still lists; its params show as absent.
        }
    }
    return v;
}

QList<Version> VersionStore::history() const
{
    QList<Version> versions;
    const QList<GitRepository::Commit> commits = m_git->commitsChanging(gitPath(QStringLiteral("dvc.lock")));
    bool workspaceDiffers = true; // nothing committed yet
    if (!commits.isEmpty()) {
        QStringList watched{QStringLiteral("dvc.lock")};
        watched << metricFiles(pipelineAt(*this, kWorkspace, kWorkspace));
        workspaceDiffers = std::any_of(watched.cbegin(), watched.cend(), [this](const QString &path) {
            return file(kWorkspace, path) != file(QStringLiteral("HEAD"), path);
        });
    }
    if (workspaceDiffers && QFileInfo::exists(QDir(m_dir).filePath(QStringLiteral("dvc.lock"))))
        versions << version(kWorkspace);
    for (const GitRepository::Commit &commit : commits)
        versions << version(commit.hash);
    return versions;
}

QString VersionStore::artifact(const QString &rev, const QString &path) const
{
    const QString label = revisionLabel(rev);
    const std::optional<QByteArray> lockBytes = file(rev, QStringLiteral("dvc.lock"));
    std::optional<DvcFileEntry> entry;
    if (lockBytes)
        entry = DvcLock::parse(*lockBytes, QStringLiteral("dvc.lock at %1").arg(label)).recorded(path);
    if (!entry) {
        if (const std::optional<QByteArray> dvcFile = file(rev, path + QStringLiteral(".dvc"))) {
            const QList<DvcFileEntry> entries = parseDvcFile(*dvcFile, QStringLiteral("%1.dvc at %2").arg(path, label), QFileInfo(path).path());
            for (const DvcFileEntry &e : entries) {
                if (e.path == QDir::cleanPath(path))
                    entry = e;
            }
        }
    }
    if (!entry)
        throw AuditError(QStringLiteral("%1: DVC records no version of it at %2 (not in dvc.lock, no %1.dvc)").arg(path, label));

    const QString local = QDir(m_dir).filePath(path);
    if (QFileInfo(local).isFile() && (entry->size < 0 || QFileInfo(local).size() == entry->size) && fileMd5(local) == entry->md5)
        return local;
    const QString cache = cacheDir();
    const QString cached = cachePath(cache, entry->md5);
    if (QFileInfo(cached).isFile())
        return cached;
    const QString legacy = QStringLiteral("%1/%2/%3").arg(cache, entry->md5.left(2), entry->md5.mid(2)); // DVC 2 layout
    if (QFileInfo(legacy).isFile())
        return legacy;
    throw AuditError(QStringLiteral("%1 at %2 (md5 %3) is not in the DVC cache: %4 does not exist. "
                                    "Fetch it from your remote with `dvc pull %1` (or `dvc fetch`), then try again.")
                         .arg(path, label, entry->md5, QDir::toNativeSeparators(cached)));
}

QJsonObject flattenNumbers(const QJsonObject &object, const QString &prefix)
{
    QJsonObject flat;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.value().isDouble()) {
            flat.insert(prefix + it.key(), it.value());
        } else if (it.value().isObject()) {
            const QJsonObject inner = flattenNumbers(it.value().toObject(), prefix + it.key() + QLatin1Char('.'));
            for (auto in = inner.begin(); in != inner.end(); ++in)
                flat.insert(in.key(), in.value());
        }
    }
    return flat;
}

QJsonObject flattenValues(const QJsonObject &object, const QString &prefix)
{
    QJsonObject flat;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.value().isObject()) {
            const QJsonObject inner = flattenValues(it.value().toObject(), prefix + it.key() + QLatin1Char('.'));
            for (auto in = inner.begin(); in != inner.end(); ++in)
                flat.insert(in.key(), in.value());
        } else {
            flat.insert(prefix + it.key(), it.value());
        }
    }
    return flat;
}

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
            const QString key = sliceKey(s.value(QStringLiteral("feature")).toString(), s.value(QStringLiteral("value")).toString());
            const QJsonObject ci = s.value(QStringLiteral("f1_ci")).toObject();
            slices[key] = {s, Side{s.value(QStringLiteral("n")).toDouble(), s.value(QStringLiteral("f1")).toDouble(),
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
        d.significant = now.f1 < old.low || now.f1 > old.high;
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
    std::stable_sort(matched.begin(), matched.end(), [](const SliceDelta &a, const SliceDelta &b) { return a.f1Delta() < b.f1Delta(); });
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
    const Reports ra = reportsAt(store, a.rev, pipelineAt(store, a.rev, a.label));
    const Reports rb = reportsAt(store, b.rev, pipelineAt(store, b.rev, b.label));
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

QList<SliceDelta> VersionDiff::worseSlices() const
{
    QList<SliceDelta> worse;
    for (const SliceDelta &s : slices) {
        if (s.inBoth() && s.f1Delta() < 0)
            worse << s;
    }
    return worse;
}

QJsonObject VersionDiff::toJson(bool all) const
{
    QJsonArray metricList;
    for (const MetricDelta &m : metrics) {
        if (!all && !m.changed())
            continue;
        metricList.append(QJsonObject{{QStringLiteral("metric"), m.key},
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
    int compared = 0, worse = 0, significant = 0;
    for (const SliceDelta &s : slices) {
        if (s.inBoth()) {
            ++compared;
            worse += s.f1Delta() < 0;
            significant += s.f1Delta() < 0 && s.significant;
            if (!all && s.f1Delta() == 0 && s.nBefore == s.nAfter)
                continue;
        }
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
    return QJsonObject{{QStringLiteral("a"), labelA},
                       {QStringLiteral("b"), labelB},
                       {QStringLiteral("metrics"), metricList},
                       {QStringLiteral("params"), paramList},
                       {QStringLiteral("slices"), QJsonObject{{QStringLiteral("compared"), compared},
                                                              {QStringLiteral("worse"), worse},
                                                              {QStringLiteral("worse_significant"), significant},
                                                              {QStringLiteral("changes"), sliceList}}},
                       {QStringLiteral("parity_flips"), flipList},
                       {QStringLiteral("notes"), QJsonArray::fromStringList(notes)}};
}

QString VersionDiff::toText(bool all, int topSlices) const
{
    QString text = QStringLiteral("%1 -> %2\n\nMetrics%3\n").arg(labelA, labelB, all ? QString() : QStringLiteral(" (changed)"));
    text += QStringLiteral("  %1 %2 %3 %4\n").arg(QStringLiteral("Metric"), -34).arg(labelA, 12).arg(labelB, 12).arg(QStringLiteral("Change"), 10);
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
        text += QStringLiteral("  %1 %2 -> %3\n").arg(p.key, -40).arg(paramText(p.before), paramText(p.after));
    }
    if (!shown)
        text += QStringLiteral("  (none)\n");

    const QList<SliceDelta> worse = worseSlices();
    const auto compared = std::count_if(slices.cbegin(), slices.cend(), [](const SliceDelta &s) { return s.inBoth(); });
    const auto significant = std::count_if(worse.cbegin(), worse.cend(), [](const SliceDelta &s) { return s.significant; });
    text += QStringLiteral("\nSlices that got worse: %1 of %2 compared (%3 outside the old 95% interval)\n")
                .arg(worse.size())
                .arg(compared)
                .arg(significant);
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
                              : f.group.isEmpty()   ? f.attribute
                                                    : QStringLiteral("%1 = %2").arg(f.attribute, f.group);
        text += QStringLiteral("  %1  %2: %3 -> %4\n").arg(where, f.parity, verdict(f.before), verdict(f.after));
    }
    for (const QString &note : notes)
        text += QStringLiteral("note: %1\n").arg(note);
    return text;
}

} // namespace Audit
