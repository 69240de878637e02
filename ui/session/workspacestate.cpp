#include "workspacestate.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "fileio.h"

namespace Ui {

namespace {

constexpr int kFormat = 1;

// Reads `member` of `object` into `out` when present and of the right kind; else says why.
struct Reader
{
    QString path;
    QStringList problems;

    double number(const QJsonObject &o, const char *member, double fallback, double min, double max)
    {
        const QJsonValue v = o.value(QLatin1String(member));
        if (v.isUndefined())
            return fallback;
        if (!v.isDouble() || !(v.toDouble() >= min && v.toDouble() <= max)) {
            problems
                << QStringLiteral("%1: %2 must be a number within [%3, %4]").arg(path, QLatin1String(member)).arg(min).arg(max);
            return fallback;
        }
        return v.toDouble();
    }
    int integer(const QJsonObject &o, const char *member, int fallback, int min, int max)
    {
        const double d = number(o, member, fallback, min, max);
        if (d != double(int(d))) {
            problems << QStringLiteral("%1: %2 must be a whole number").arg(path, QLatin1String(member));
            return fallback;
        }
        return int(d);
    }
    template <typename E>
    E named(const QJsonObject &o, const char *member, E fallback)
    {
        const QJsonValue v = o.value(QLatin1String(member));
        if (v.isUndefined())
            return fallback;
        const std::optional<E> e = Audit::enumFromName<E>(v.toString());
        if (!e) {
            problems << QStringLiteral("%1: %2 must be %3").arg(path, QLatin1String(member), Audit::enumNameList<E>());
            return fallback;
        }
        return *e;
    }
    QStringList strings(const QJsonObject &o, const char *member)
    {
        QStringList out;
        for (const QJsonValue &v : o.value(QLatin1String(member)).toArray()) {
            if (v.isString())
                out << v.toString();
        }
        return out;
    }
};

} // namespace

WorkspaceState WorkspaceState::load(const QString &projectDir, QString *problem)
{
    WorkspaceState state;
    const QString path = QDir(projectDir).filePath(QLatin1String(kFile));
    QFile file(path);
    if (!file.exists() || !file.open(QIODevice::ReadOnly))
        return state;
    const auto fail = [&](const QString &why) {
        if (problem)
            *problem = why + QStringLiteral("; the analysis starts from the defaults");
        return WorkspaceState();
    };
    if (file.size() > kMaxBytes)
        return fail(QStringLiteral("%1: %2 bytes is too big for a workspace file").arg(path).arg(file.size()));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.read(kMaxBytes), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return fail(QStringLiteral("%1: not a JSON object (offset %2: %3)").arg(path).arg(error.offset).arg(error.errorString()));
    const QJsonObject root = doc.object();
    Reader r{path, {}};
    if (root.value(QStringLiteral("format")).toInt() > kFormat)
        return fail(QStringLiteral("%1: written by a newer ModelAudit (format %2)")
                        .arg(path)
                        .arg(root.value(QStringLiteral("format")).toInt()));
    if (root.contains(QStringLiteral("threshold"))) {
        state.threshold = r.number(root, "threshold", 0.5, 0, 1);
        state.thresholdModelId = root.value(QStringLiteral("threshold_model")).toString();
    }
    state.tab = root.value(QStringLiteral("tab")).toString();
    state.views = root.value(QStringLiteral("views")).toObject();
    const QJsonObject slices = root.value(QStringLiteral("slices")).toObject();
    state.slices.features = r.strings(slices, "features");
    state.slices.bins = r.integer(slices, "bins", state.slices.bins, 1, 50);
    state.slices.cross = r.integer(slices, "cross", state.slices.cross, 1, 3);
    state.slices.minSize = r.integer(slices, "min_size", state.slices.minSize, 1, 1 << 30);
    state.slices.weakMetric = r.named(slices, "weak_metric", state.slices.weakMetric);
    state.slices.weakMargin = r.number(slices, "weak_margin", state.slices.weakMargin, 0, 1);
    state.slices.fdrQ = r.number(slices, "fdr_q", state.slices.fdrQ, 1e-6, 1);
    state.slices.minPositives = r.integer(slices, "min_positives", state.slices.minPositives, 0, 1 << 30);
    state.slices.rank = r.named(slices, "rank", state.slices.rank);
    const QJsonObject bias = root.value(QStringLiteral("bias")).toObject();
    state.bias.attributes = r.strings(bias, "attributes");
    state.bias.method = r.named(bias, "method", state.bias.method);
    state.bias.tau = r.number(bias, "tau", state.bias.tau, 0.01, 1);
    state.bias.verdicts = r.named(bias, "verdicts", state.bias.verdicts);
    state.bias.minGroupSize = r.integer(bias, "min_group_size", state.bias.minGroupSize, 0, 1 << 30);
    state.bias.minEvents = r.integer(bias, "min_events", state.bias.minEvents, 0, 1 << 30);
    state.bias.alpha = r.number(bias, "alpha", state.bias.alpha, 1e-6, 1);
    const QJsonObject refs = bias.value(QStringLiteral("references")).toObject();
    for (auto it = refs.begin(); it != refs.end(); ++it) {
        if (it.value().isString())
            state.bias.references[it.key()] = it.value().toString();
    }
    if (!r.problems.isEmpty() && problem)
        *problem = r.problems.join(QStringLiteral("; ")) + QStringLiteral(" (those settings start from the defaults)");
    return state;
}

void WorkspaceState::save(const QString &projectDir) const
{
    QJsonObject refs;
    for (const auto &[attribute, group] : bias.references)
        refs.insert(attribute, group);
    QJsonObject root{
        {QStringLiteral("format"), kFormat},
        {QStringLiteral("tab"), tab},
        {QStringLiteral("slices"),
         QJsonObject{{QStringLiteral("features"), QJsonArray::fromStringList(slices.features)},
                     {QStringLiteral("bins"), slices.bins},
                     {QStringLiteral("cross"), slices.cross},
                     {QStringLiteral("min_size"), slices.minSize},
                     {QStringLiteral("weak_metric"), Audit::enumName(slices.weakMetric)},
                     {QStringLiteral("weak_margin"), slices.weakMargin},
                     {QStringLiteral("fdr_q"), slices.fdrQ},
                     {QStringLiteral("min_positives"), slices.minPositives},
                     {QStringLiteral("rank"), Audit::enumName(slices.rank)}}},
        {QStringLiteral("bias"),
         QJsonObject{{QStringLiteral("attributes"), QJsonArray::fromStringList(bias.attributes)},
                     {QStringLiteral("method"), Audit::enumName(bias.method)},
                     {QStringLiteral("tau"), bias.tau},
                     {QStringLiteral("verdicts"), Audit::enumName(bias.verdicts)},
                     {QStringLiteral("min_group_size"), bias.minGroupSize},
                     {QStringLiteral("min_events"), bias.minEvents},
                     {QStringLiteral("alpha"), bias.alpha},
                     {QStringLiteral("references"), refs}}},
    };
    if (!views.isEmpty())
        root.insert(QStringLiteral("views"), views);
    if (threshold) {
        root.insert(QStringLiteral("threshold"), *threshold);
        root.insert(QStringLiteral("threshold_model"), thresholdModelId);
    }
    Audit::writeFileAtomically(QDir(projectDir).filePath(QLatin1String(kFile)),
                               QJsonDocument(root).toJson(QJsonDocument::Indented));
}

} // namespace Ui
