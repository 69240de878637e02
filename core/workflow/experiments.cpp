#include "experiments.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>

#include <yaml-cpp/yaml.h>

#include "auditerror.h"
#include "dvcfiles.h"
#include "fileio.h"
#include "gitrepository.h"
#include "params.h"
#include "versions.h"
#include "yamlutil.h"

namespace Audit {

namespace {

// Every scalar of a JSON object under dotted keys.
void flatten(const QJsonObject &object, const QString &prefix, QJsonObject &out)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.value().isObject())
            flatten(it.value().toObject(), prefix + it.key() + QLatin1Char('.'), out);
        else if (!it.value().isArray())
            out.insert(prefix + it.key(), it.value());
    }
}

QJsonObject flatParams(const QByteArray &yaml, const QString &source)
{
    QJsonObject out;
    const YAML::Node root = YamlReader(source).parse(yaml);
    flatten(yamlToJson(root).toObject(), {}, out);
    return out;
}

QJsonObject flatMetrics(const std::optional<QByteArray> &json)
{
    QJsonObject out;
    if (json)
        out = flattenNumbers(QJsonDocument::fromJson(*json).object(), {});
    return out;
}

// The project folder relative to the repository's working tree ("" at its root).
QString prefixIn(const GitRepository &git, const QString &projectDir)
{
    const QString workdir = QFileInfo(git.workdir()).canonicalFilePath();
    const QString relative = QDir(workdir).relativeFilePath(QFileInfo(projectDir).canonicalFilePath());
    return relative == QLatin1String(".") ? QString() : relative + QLatin1Char('/');
}

QStringList metricFiles(const QString &root)
{
    QStringList files;
    const DvcPipeline pipeline = DvcPipeline::load(root); // kept: stages() is a reference into it
    for (const DvcStage &stage : pipeline.stages())
        for (const DvcOutput &out : stage.outs)
            if (out.kind == DvcOutput::Kind::Metric)
                files << out.path;
    return files;
}

} // namespace

Experiment runExperiment(const QString &projectDir, const ExperimentRequest &request)
{
    const QString root = QFileInfo(projectDir).canonicalFilePath();
    std::optional<GitRepository> git;
    try {
        git.emplace(root);
    } catch (const AuditError &e) {
        throw UsageError(QStringLiteral("experiments are git commits: %1").arg(e.message()));
    }
    const QString baseline = git->resolve(QStringLiteral("HEAD")).hash;
    const QString prefix = prefixIn(*git, root);

    // A copy of the workspace (not its git data, cache or build: the build is linked).
    QTemporaryDir temp;
    const QDir from(root);
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        const QString relative = from.relativeFilePath(file);
        if (relative.startsWith(QLatin1String(".git/")) || relative.startsWith(QLatin1String("build/"))
            || relative.startsWith(QLatin1String(".dvc/cache/")) || relative.startsWith(QLatin1String(".modelaudit/"))
            || relative.startsWith(QLatin1String("build-")))
            continue;
        QDir().mkpath(QFileInfo(temp.filePath(relative)).path());
        if (!QFile::copy(file, temp.filePath(relative)))
            throw IoError(QStringLiteral("%1: cannot copy into %2").arg(file, temp.path()));
    }
    if (QFileInfo(from.filePath(QStringLiteral("build"))).isDir())
        QFile::link(QFileInfo(from.filePath(QStringLiteral("build"))).canonicalFilePath(),
                    temp.filePath(QStringLiteral("build")));

    // The changed params, each checked.
    const QString paramsPath = temp.filePath(QStringLiteral("params.yaml"));
    QByteArray params = YamlReader::readFile(paramsPath, QStringLiteral("params"));
    const YamlReader reader(QStringLiteral("params.yaml"));
    QStringList changes;
    for (const QString &assignment : request.set) {
        const qsizetype eq = assignment.indexOf(QLatin1Char('='));
        if (eq <= 0 || eq == assignment.size() - 1)
            throw UsageError(QStringLiteral("-S %1: expected KEY=VALUE (model.xgboost.max_depth=4)").arg(assignment));
        const QString key = assignment.left(eq).trimmed();
        const QString value = assignment.mid(eq + 1).trimmed();
        if (!reader.parse(params)[key.section(QLatin1Char('.'), 0, 0).toStdString()])
            throw UsageError(
                QStringLiteral("-S %1: params.yaml has no section \"%2\"").arg(assignment, key.section(QLatin1Char('.'), 0, 0)));
        params = reader.withScalar(params, key, value);
        changes << key + QLatin1Char('=') + value;
    }
    TrainParams::fromYaml(params, QStringLiteral("params.yaml")); // what train would refuse, refused first
    writeFileAtomically(paramsPath, params);

    ReproOptions options;
    options.toolDir = request.toolDir;
    options.updateLock = true;
    options.output = [](const QByteArray &, bool) {};
    const ReproResult run = PipelineRunner(temp.path()).repro(options);
    if (!run.ok())
        throw AuditError(QStringLiteral("the experiment's stage \"%1\" failed: %2").arg(run.failedStage, run.failure));

    // What git tracks and the run changed goes in the commit; what DVC caches, into the cache.
    std::map<QString, QByteArray> files;
    for (const QString &tracked : git->filesAt(baseline)) {
        if (!tracked.startsWith(prefix))
            continue;
        const QString relative = tracked.mid(prefix.size());
        const QString copy = temp.filePath(relative);
        if (!QFileInfo(copy).isFile())
            continue;
        const QByteArray bytes = readInputFile(copy, QStringLiteral("experiment"), qint64(1) << 30);
        if (git->fileAt(baseline, tracked) != bytes)
            files[tracked] = bytes;
    }
    const DvcLock lock = DvcLock::parse(YamlReader::readFile(temp.filePath(QStringLiteral("dvc.lock")), QStringLiteral("lock")),
                                        QStringLiteral("dvc.lock"));
    QSet<QString> uncached;
    const DvcPipeline pipeline = DvcPipeline::load(temp.path());
    for (const DvcStage &stage : pipeline.stages())
        for (const DvcOutput &out : stage.outs)
            if (!out.cache)
                uncached.insert(out.path);
    QString cacheDir = from.filePath(QStringLiteral(".dvc/cache"));
    for (const DvcLockStage &stage : lock.stages()) {
        for (const DvcFileEntry &out : stage.outs) {
            if (uncached.contains(out.path) || out.md5.endsWith(QLatin1String(".dir")))
                continue;
            const QString cached = VersionStore::cachePath(cacheDir, out.md5);
            if (QFileInfo::exists(cached))
                continue;
            makeParentFolder(cached);
            if (!QFile::copy(temp.filePath(out.path), cached))
                throw IoError(QStringLiteral("%1: cannot store %2 in the cache").arg(cached, out.path));
            QFile::setPermissions(cached, QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        }
    }

    Experiment e;
    e.baseline = baseline;
    e.name = request.name.isEmpty()
        ? QStringLiteral("exp-")
            + QString::fromLatin1(
                QCryptographicHash::hash(changes.join(QLatin1Char('\n')).toUtf8(), QCryptographicHash::Md5).toHex().left(5))
        : request.name;
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"));
    if (!safe.match(e.name).hasMatch())
        throw UsageError(QStringLiteral("--name %1: letters, digits, '.', '_' and '-', at most 100").arg(e.name));
    e.ref = QStringLiteral("refs/exps/%1/%2/%3").arg(baseline.left(2), baseline.mid(2), e.name);
    e.commit = git->commitOver(baseline, files,
                               QStringLiteral("modelaudit exp run: %1")
                                   .arg(changes.isEmpty() ? QStringLiteral("no change") : changes.join(QStringLiteral(", "))),
                               e.ref);
    e.params = flatParams(params, QStringLiteral("params.yaml"));
    for (const QString &metric : metricFiles(temp.path()))
        if (QFileInfo(temp.filePath(metric)).isFile())
            e.metrics = flatMetrics(readInputFile(temp.filePath(metric), QStringLiteral("metrics"), 64 << 20));
    return e;
}

QList<Experiment> listExperiments(const QString &projectDir)
{
    const QString root = QFileInfo(projectDir).canonicalFilePath();
    const GitRepository git(root);
    const QString baseline = git.resolve(QStringLiteral("HEAD")).hash;
    const QString prefix = prefixIn(git, root);
    const QStringList metrics = metricFiles(root);
    QList<Experiment> out;
    const QString base = QStringLiteral("refs/exps/%1/%2/").arg(baseline.left(2), baseline.mid(2));
    for (const auto &[ref, commit] : git.references(base + QLatin1Char('*'))) {
        Experiment e;
        e.ref = ref;
        e.name = ref.mid(base.size());
        e.commit = commit;
        e.baseline = baseline;
        if (const std::optional<QByteArray> p = git.fileAt(commit, prefix + QStringLiteral("params.yaml")))
            e.params = flatParams(*p, QStringLiteral("params.yaml at %1").arg(e.name));
        for (const QString &metric : metrics)
            if (const std::optional<QByteArray> m = git.fileAt(commit, prefix + metric))
                e.metrics = flatMetrics(m);
        out << e;
    }
    return out;
}

Experiment baselineOf(const QString &projectDir)
{
    const QString root = QFileInfo(projectDir).canonicalFilePath();
    const GitRepository git(root);
    Experiment e;
    e.name = QStringLiteral("baseline");
    e.commit = e.baseline = git.resolve(QStringLiteral("HEAD")).hash;
    const QString prefix = prefixIn(git, root);
    if (const std::optional<QByteArray> p = git.fileAt(e.commit, prefix + QStringLiteral("params.yaml")))
        e.params = flatParams(*p, QStringLiteral("params.yaml at HEAD"));
    for (const QString &metric : metricFiles(root))
        if (const std::optional<QByteArray> m = git.fileAt(e.commit, prefix + metric))
            e.metrics = flatMetrics(m);
    return e;
}

QString experimentsTable(const QList<Experiment> &experiments, const Experiment &baseline)
{
    QList<Experiment> rows{baseline};
    rows << experiments;
    QStringList keys; // params that differ somewhere
    for (auto it = baseline.params.begin(); it != baseline.params.end(); ++it)
        for (const Experiment &e : experiments)
            if (e.params.value(it.key()) != it.value() && !keys.contains(it.key()))
                keys << it.key();
    QStringList metricKeys;
    for (const QString &k : {QStringLiteral("f1"), QStringLiteral("roc_auc"), QStringLiteral("accuracy"),
                             QStringLiteral("precision"), QStringLiteral("recall")})
        metricKeys << k;
    QStringList header{QStringLiteral("Experiment")};
    header << keys << metricKeys;
    QList<QStringList> cells{header};
    const auto text = [](const QJsonValue &v) {
        return v.isDouble()   ? QString::number(v.toDouble(), 'g', 6)
            : v.isUndefined() ? QStringLiteral("-")
                              : v.toVariant().toString();
    };
    for (const Experiment &e : rows) {
        QStringList line{e.name};
        for (const QString &k : keys)
            line << text(e.params.value(k));
        for (const QString &k : metricKeys)
            line << (e.metrics.contains(k) ? QString::number(e.metrics.value(k).toDouble(), 'f', 4) : QStringLiteral("-"));
        cells << line;
    }
    QList<int> widths(header.size(), 0);
    for (const QStringList &line : cells)
        for (int c = 0; c < line.size(); ++c)
            widths[c] = std::max(widths[c], int(line[c].size()));
    QStringList out;
    for (const QStringList &line : cells) {
        QStringList padded;
        for (int c = 0; c < line.size(); ++c)
            padded << line[c].leftJustified(widths[c]);
        out << padded.join(QStringLiteral("  ")).trimmed();
    }
    return out.join(QLatin1Char('\n'));
}

} // namespace Audit
