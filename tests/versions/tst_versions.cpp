#include <QtTest>

#include "auditcheck.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>

#include <git2.h>
#include <yaml-cpp/yaml.h>

#include "curves.h"
#include "dvcremote.h"
#include "dvcworkspace.h"
#include "experiments.h"
#include "fileio.h"
#include "gitrepository.h"
#include "metrics.h"
#include "model.h"
#include "schemaerror.h"
#include "statcheck.h"
#include "testutil.h"
#include "versionaudit.h"
#include "versiondiff.h"
#include "versionfixture.h"

using namespace Audit;

namespace {

QJsonObject readJson(const QString &path)
{
    return QJsonDocument::fromJson(TestUtil::readFile(path)).object();
}

QString errorOf(const std::function<void()> &action)
{
    try {
        action();
    } catch (const AuditError &e) {
        return e.message();
    }
    return QStringLiteral("(no error)");
}

} // namespace

// Versions of a real DVC project in a git repository made by the test: two committed
// pipeline runs with different params, read back through libgit2 and a hand-laid DVC cache.
class TestVersions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void historyListsBothRuns();
    void metricAndParamDiffsAreRight();
    void sliceAndParityDiffsAreRight();
    void parityFlipsOnAHandMadePair();
    void sliceDiffIgnoresDigitsPastReportPrecision();
    void sliceDiff_worseAndBetterNeedTheEvidence();
    void pastModelLoadsFromTheCache();
    void pastModel_fetchedFromTheDefaultRemote();
    void pastModelAuditedSideBySide();
    void experiments_recordedAsDvcRecordsThem();
    void curves_areCoresCurvesOfTheScoredRows();
    void curves_oneClassData_throwsNamingTheFile();
    void statusSeesTamperingAndParamChanges();
    void malformedFilesNameTheKey();
    void lockRoundTrips();
    void cli();

private:
    QString path(const QString &relative) const { return m_dir.filePath(relative); }

    QTemporaryDir m_dir;
    QJsonObject m_metrics[2], m_slices[2], m_bias[2];
    QString m_modelMd5[2];
};

void TestVersions::initTestCase()
{
    VersionFixture::initRepository(m_dir);
    for (int run = 0; run < 2; ++run) {
        VersionFixture::runPipeline(m_dir, run);
        if (QTest::currentTestFailed())
            return;
        m_metrics[run] = readJson(path(QStringLiteral("reports/metrics.json")));
        m_slices[run] = readJson(path(QStringLiteral("reports/slices.json")));
        m_bias[run] = readJson(path(QStringLiteral("reports/bias.json")));
        m_modelMd5[run] = fileMd5(path(QStringLiteral("models/model.bin")));
        VersionFixture::commitRun(m_dir, run);
    }
    QVERIFY(m_modelMd5[0] != m_modelMd5[1]);
    QVERIFY(m_metrics[0].value(QStringLiteral("f1")).toDouble() != m_metrics[1].value(QStringLiteral("f1")).toDouble());
}

void TestVersions::historyListsBothRuns()
{
    const VersionStore store(m_dir.path());
    const QList<Version> history = store.history();
    QCOMPARE(history.size(), 2); // the workspace equals HEAD: no extra entry
    QCOMPARE(history[0].commit.summary, QStringLiteral("Stronger regularisation: C = 0.0005"));
    QCOMPARE(history[1].commit.summary, QStringLiteral("Baseline: logistic, C = 1"));
    QCOMPARE(history[1].commit.author, QStringLiteral("Ada Analyst <ada@example.org>"));
    QCOMPARE(history[1].commit.time.toSecsSinceEpoch(), 1700000000);
    QCOMPARE(history[0].label, history[0].commit.hash.left(7));
    for (int run = 0; run < 2; ++run) {
        const Version &v = history[1 - run];
        QCOMPARE(v.metrics.value(QStringLiteral("reports/metrics.json:f1")).toDouble(),
                 m_metrics[run].value(QStringLiteral("f1")).toDouble());
        QCOMPARE(v.metrics.value(QStringLiteral("reports/metrics.json:confusion.tp")).toDouble(),
                 m_metrics[run][QStringLiteral("confusion")][QStringLiteral("tp")].toDouble());
    }
    QCOMPARE(history[1].params.value(QStringLiteral("params.yaml:model.logistic.c")).toDouble(), 1.0);
    QCOMPARE(history[0].params.value(QStringLiteral("params.yaml:model.logistic.c")).toDouble(), 0.0005);
    QCOMPARE(history[0].params.value(QStringLiteral("params.yaml:model.learner")).toString(), QStringLiteral("logistic"));
}

void TestVersions::metricAndParamDiffsAreRight()
{
    const VersionStore store(m_dir.path());
    const VersionDiff diff = diffVersions(store, QStringLiteral("HEAD~1"), QStringLiteral("HEAD"));
    QVERIFY(diff.notes.isEmpty());
    bool sawF1 = false;
    for (const MetricDelta &m : diff.metrics) {
        if (m.key != QLatin1String("reports/metrics.json:f1"))
            continue;
        sawF1 = true;
        QCOMPARE(*m.before, m_metrics[0].value(QStringLiteral("f1")).toDouble());
        QCOMPARE(*m.after, m_metrics[1].value(QStringLiteral("f1")).toDouble());
        QVERIFY(m.changed());
    }
    QVERIFY(sawF1);
    QStringList changed;
    for (const ParamDelta &p : diff.params) {
        if (p.changed())
            changed << p.key;
    }
    QCOMPARE(changed, QStringList{QStringLiteral("params.yaml:model.logistic.c")});

    const QJsonObject json = diff.toJson();
    QCOMPARE(json[QStringLiteral("params")].toArray().size(), 1);
    QCOMPARE(json[QStringLiteral("params")][0][QStringLiteral("new")].toDouble(), 0.0005);
    const QString text = diff.toText();
    QVERIFY2(text.contains(QStringLiteral("params.yaml:model.logistic.c")) && text.contains(QStringLiteral("1 -> 0.0005")),
             qPrintable(text));
}

void TestVersions::sliceAndParityDiffsAreRight()
{
    const VersionStore store(m_dir.path());
    const VersionDiff diff = diffVersions(store, QStringLiteral("HEAD~1"), QStringLiteral("HEAD"));
    // Every slice of both runs, matched by feature and value, with the values of each report.
    QHash<QString, QJsonObject> before, after;
    for (const QJsonValue &s : m_slices[0][QStringLiteral("slices")].toArray())
        before.insert(s[QStringLiteral("feature")].toString() + QLatin1Char('=') + s[QStringLiteral("value")].toString(),
                      s.toObject());
    for (const QJsonValue &s : m_slices[1][QStringLiteral("slices")].toArray())
        after.insert(s[QStringLiteral("feature")].toString() + QLatin1Char('=') + s[QStringLiteral("value")].toString(),
                     s.toObject());
    // Recount independently: each matched slice with 10 positives on both sides is tested on
    // J = tp / (tp + fp + fn), B against A; BH over those tests; worse = lower F1 and q <= 0.05.
    QStringList keys;
    std::vector<double> p;
    int lower = 0, higher = 0;
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        if (!after.contains(it.key()))
            continue;
        const QJsonObject &a = it.value();
        const QJsonObject &b = after[it.key()];
        const auto count = [](const QJsonObject &s, const char *k) { return std::int64_t(s[QLatin1String(k)].toDouble()); };
        const double fa = reportNumber(a[QStringLiteral("f1")].toDouble()), fb = reportNumber(b[QStringLiteral("f1")].toDouble());
        lower += fb < fa;
        higher += fb > fa;
        keys << it.key();
        const bool enough = count(a, "tp") + count(a, "fn") >= 10 && count(b, "tp") + count(b, "fn") >= 10;
        p.push_back(enough ? StatCheck::compare(count(b, "tp"), count(b, "tp") + count(b, "fp") + count(b, "fn"), count(a, "tp"),
                                                count(a, "tp") + count(a, "fp") + count(a, "fn"))
                           : std::nan(""));
    }
    const std::vector<double> q = StatCheck::benjaminiHochberg(p);
    QHash<QString, std::pair<double, double>> expected;
    int worse = 0, better = 0, tested = 0;
    for (qsizetype i = 0; i < keys.size(); ++i) {
        expected.insert(keys[i], {p[std::size_t(i)], q[std::size_t(i)]});
        tested += !std::isnan(p[std::size_t(i)]);
        const double change = reportNumber(after[keys[i]][QStringLiteral("f1")].toDouble())
            - reportNumber(before[keys[i]][QStringLiteral("f1")].toDouble());
        worse += q[std::size_t(i)] <= 0.05 && change < 0;
        better += q[std::size_t(i)] <= 0.05 && change > 0;
    }
    QVERIFY(lower > 0);
    QVERIFY2(tested > 10, qPrintable(QString::number(tested)));
    const VersionDiff::SliceCounts counts = diff.sliceCounts();
    QCOMPARE(counts.compared, keys.size());
    QCOMPARE(counts.tested, tested);
    QCOMPARE(counts.lower, lower);
    QCOMPARE(counts.higher, higher);
    QCOMPARE(counts.worse, worse);
    QCOMPARE(counts.better, better);
    QCOMPARE(diff.lowerSlices().size(), lower);
    bool significantPart = true;
    double previousQ = 0;
    for (const SliceDelta &s : diff.lowerSlices()) {
        const QString key = s.feature + QLatin1Char('=') + s.value;
        QCOMPARE(s.f1Before, before[key][QStringLiteral("f1")].toDouble());
        QCOMPARE(s.f1After, after[key][QStringLiteral("f1")].toDouble());
        QCOMPARE(s.nBefore, before[key][QStringLiteral("n")].toDouble());
        const auto [pExpected, qExpected] = expected[key];
        QCOMPARE(std::isnan(s.p), std::isnan(pExpected));
        if (!std::isnan(pExpected)) {
            QVERIFY2(std::abs(s.p - pExpected) <= 1e-9 * std::max(pExpected, 1e-300), qPrintable(key));
            QVERIFY2(std::abs(s.q - qExpected) <= 1e-9 * std::max(qExpected, 1e-300), qPrintable(key));
        } else {
            QVERIFY2(s.untested.contains(QStringLiteral("positives in")), qPrintable(s.untested));
        }
        QCOMPARE(s.worse(), s.q <= 0.05);
        QVERIFY(s.f1Delta() < 0);
        // The significant ones first, by q; then the rest.
        QVERIFY(significantPart || !s.significant);
        if (s.significant)
            QVERIFY(s.q >= previousQ);
        previousQ = s.significant ? s.q : previousQ;
        significantPart = s.significant;
    }
    const QJsonObject json = diff.toJson()[QStringLiteral("slices")].toObject();
    QCOMPARE(json[QStringLiteral("worse")].toInt(), worse);
    QCOMPARE(json[QStringLiteral("better")].toInt(), better);
    QCOMPARE(json[QStringLiteral("tested")].toInt(), tested);
    const QString text = diff.toText();
    QVERIFY2(text.contains(
                 QStringLiteral("Slices that got worse: %1 significantly (%2 with a lower F1 in all)").arg(worse).arg(lower)),
             qPrintable(text));

    // Every reported flip is a verdict that really changed between the two bias reports: their
    // evidence states, as bias.json writes them.
    const auto verdict = [](const QJsonObject &bias, const ParityFlip &f) {
        if (f.attribute.isEmpty())
            return bias[QStringLiteral("overall_verdict")][f.parity].toString();
        for (const QJsonValue &g : bias[f.group.isEmpty() ? QStringLiteral("attributes") : QStringLiteral("groups")].toArray()) {
            if (g[QStringLiteral("attribute_name")].toString() == f.attribute
                && (f.group.isEmpty() || g[QStringLiteral("attribute_value")].toString() == f.group))
                return g[QStringLiteral("verdict")][f.parity].toString();
        }
        return QStringLiteral("(not found)");
    };
    for (const ParityFlip &f : diff.parities) {
        QCOMPARE(verdict(m_bias[0], f), enumName(f.before));
        QCOMPARE(verdict(m_bias[1], f), enumName(f.after));
        QVERIFY(f.before != f.after);
    }
}

void TestVersions::sliceDiffIgnoresDigitsPastReportPrecision()
{
    // The same slices written at full precision (an older report) and at the reports' 10
    // significant digits: nothing changed.
    const auto slice = [](const char *value, double f1, int tp, int fp, int fn) {
        return QJsonObject{{QStringLiteral("feature"), QStringLiteral("g")},
                           {QStringLiteral("value"), QLatin1String(value)},
                           {QStringLiteral("n"), 200},
                           {QStringLiteral("f1"), f1},
                           {QStringLiteral("accuracy"), 0.5},
                           {QStringLiteral("tp"), tp},
                           {QStringLiteral("fp"), fp},
                           {QStringLiteral("fn"), fn},
                           {QStringLiteral("tn"), 200 - tp - fp - fn}};
    };
    const auto report = [](const QJsonArray &slices) { return QJsonObject{{QStringLiteral("slices"), slices}}; };
    const double full = 0.71433333333333337; // 0.7143333333 at 10 significant digits
    VersionDiff diff;
    diff.slices = diffSlices(report({slice("A", full, 40, 16, 16)}), report({slice("A", 0.7143333333, 40, 16, 16)}));
    QCOMPARE(diff.sliceCounts().compared, 1);
    QCOMPARE(diff.sliceCounts().lower, 0);
    QVERIFY(diff.lowerSlices().isEmpty());
    QCOMPARE(diff.slices.front().f1Delta(), 0.0);
    QVERIFY(!diff.slices.front().significant); // p = 1, and no change
}

// A slice got worse only when a two-sample test on both versions' counts says so after the
// FDR correction: the issue's 1 -> 0 F1 drop in a slice with one positive is not a finding.
void TestVersions::sliceDiff_worseAndBetterNeedTheEvidence()
{
    const auto slice = [](const char *value, int tp, int fp, int fn) {
        const double f1 = tp ? 2.0 * tp / (2.0 * tp + fp + fn) : 0;
        return QJsonObject{{QStringLiteral("feature"), QStringLiteral("g")},
                           {QStringLiteral("value"), QLatin1String(value)},
                           {QStringLiteral("n"), 300},
                           {QStringLiteral("f1"), f1},
                           {QStringLiteral("accuracy"), 0.5},
                           {QStringLiteral("tp"), tp},
                           {QStringLiteral("fp"), fp},
                           {QStringLiteral("fn"), fn},
                           {QStringLiteral("tn"), 300 - tp - fp - fn}};
    };
    // Drop: J 40/60 -> 20/60. Small: 30/60 -> 27/60. One: one positive, F1 1 -> 0. Rise: 20/60 -> 40/60.
    const QJsonObject a{
        {QStringLiteral("slices"),
         QJsonArray{slice("Drop", 40, 10, 10), slice("Small", 30, 15, 15), slice("One", 1, 0, 0), slice("Rise", 20, 20, 20)}}};
    const QJsonObject b{
        {QStringLiteral("slices"),
         QJsonArray{slice("Drop", 20, 20, 20), slice("Small", 27, 16, 17), slice("One", 0, 3, 1), slice("Rise", 40, 10, 10)}}};
    VersionDiff diff;
    diff.slices = diffSlices(a, b);
    const auto find = [&](const char *value) {
        for (const SliceDelta &s : std::as_const(diff.slices)) {
            if (s.value == QLatin1String(value))
                return s;
        }
        return SliceDelta{};
    };
    // Fisher on 120 rows; BH over the three tested slices (One has 1 positive in A).
    const double pDrop = StatCheck::fisher(20, 60, 40, 60), pSmall = StatCheck::fisher(27, 60, 30, 60),
                 pRise = StatCheck::fisher(40, 60, 20, 60);
    const std::vector<double> q = StatCheck::benjaminiHochberg({pDrop, pSmall, pRise});
    QVERIFY(std::abs(find("Drop").p / pDrop - 1) < 1e-9);
    QVERIFY(std::abs(find("Drop").q / q[0] - 1) < 1e-9);
    QVERIFY(std::abs(find("Small").q / q[1] - 1) < 1e-9);
    QCOMPARE(find("Drop").test, QStringLiteral("fisher"));
    QVERIFY(find("Drop").worse());
    QVERIFY(!find("Small").worse() && find("Small").f1Delta() < 0);
    QVERIFY(find("Rise").better());
    QCOMPARE(find("One").f1Delta(), -1.0);
    QVERIFY(!find("One").worse());
    QVERIFY(std::isnan(find("One").p));
    QCOMPARE(find("One").untested, QStringLiteral("1 positives in A (minimum 10)"));
    const VersionDiff::SliceCounts counts = diff.sliceCounts();
    QCOMPARE(counts.compared, 4);
    QCOMPARE(counts.tested, 3);
    QCOMPARE(counts.worse, 1);
    QCOMPARE(counts.better, 1);
    QCOMPARE(counts.lower, 3);
    // Significant first, then tested, then the untested 1 -> 0 of One, however large its drop.
    QStringList order;
    for (const SliceDelta &sd : diff.lowerSlices())
        order << sd.value;
    QCOMPARE(order, (QStringList{QStringLiteral("Drop"), QStringLiteral("Small"), QStringLiteral("One")}));
    // Tested anyway (no minimum), One's 1/1 -> 0/4 is far within chance: Fisher p = 0.2.
    diff.slices = diffSlices(a, b, SliceDiffOptions{0.05, 0});
    QVERIFY(std::abs(find("One").p - StatCheck::fisher(0, 4, 1, 1)) < 1e-12);
    QVERIFY(!find("One").worse());
    // An older report without confusion counts: compared, never tested.
    QJsonObject old = a;
    QJsonArray bare;
    for (const QJsonValue &v : a[QStringLiteral("slices")].toArray()) {
        QJsonObject s = v.toObject();
        s.remove(QStringLiteral("tp"));
        bare.append(s);
    }
    old[QStringLiteral("slices")] = bare;
    diff.slices = diffSlices(old, b);
    QCOMPARE(diff.sliceCounts().tested, 0);
    QCOMPARE(diff.sliceCounts().worse, 0);
    QCOMPARE(find("Drop").untested, QStringLiteral("no confusion counts in A's slice report"));
    QVERIFY_THROWS_EXCEPTION(OptionError, diffSlices(a, b, SliceDiffOptions{0, 10}));
    // A committed report whose counts cannot be right (more than its rows) is not tested on.
    QJsonObject forged = b;
    QJsonArray forgedSlices = b[QStringLiteral("slices")].toArray();
    QJsonObject drop = forgedSlices[0].toObject();
    drop[QStringLiteral("tp")] = 1000000;
    forgedSlices[0] = drop;
    forged[QStringLiteral("slices")] = forgedSlices;
    diff.slices = diffSlices(a, forged);
    QVERIFY(std::isnan(find("Drop").p));
    QVERIFY2(find("Drop").untested.startsWith(QStringLiteral("B's slice report has counts that do not add up")),
             qPrintable(find("Drop").untested));
}

void TestVersions::parityFlipsOnAHandMadePair()
{
    const QJsonObject before = QJsonDocument::fromJson(R"({
        "overall": {"FPR Parity": false, "TPR Parity": true},
        "attributes": [{"attribute_name": "sex", "parity": {"FPR Parity": false}}],
        "groups": [{"attribute_name": "sex", "attribute_value": "Female", "parity": {"FPR Parity": false, "TPR Parity": true}},
                   {"attribute_name": "sex", "attribute_value": "Male", "parity": {"FPR Parity": true, "TPR Parity": true}}]})")
                                   .object();
    QJsonObject after = before;
    QJsonArray groups = after[QStringLiteral("groups")].toArray();
    QJsonObject female = groups[0].toObject();
    female[QStringLiteral("parity")] = QJsonObject{{QStringLiteral("FPR Parity"), true}, {QStringLiteral("TPR Parity"), false}};
    groups[0] = female;
    after[QStringLiteral("groups")] = groups;
    const QList<ParityFlip> flips = diffParities(before, after);
    QCOMPARE(flips.size(), 2);
    QCOMPARE(flips[0].attribute, QStringLiteral("sex"));
    QCOMPARE(flips[0].group, QStringLiteral("Female"));
    QCOMPARE(flips[0].parity, QStringLiteral("FPR Parity"));
    QCOMPARE(flips[0].before, VerdictState::Fail);
    QCOMPARE(flips[0].after, VerdictState::Pass);
    QCOMPARE(flips[1].parity, QStringLiteral("TPR Parity"));
    QCOMPARE(flips[1].before, VerdictState::Pass);
    QCOMPARE(flips[1].after, VerdictState::Fail);
    QVERIFY(diffParities(before, before).isEmpty());

    // Reports with evidence verdicts compare on them: a fail that becomes "outside band, not
    // significant" is a flip even though Aequitas's plain verdict (false) did not change.
    QJsonObject withStates = before;
    withStates[QStringLiteral("overall_verdict")] = QJsonObject{{QStringLiteral("FPR Parity"), QStringLiteral("fail")}};
    QJsonObject laterStates = withStates;
    laterStates[QStringLiteral("overall_verdict")] = QJsonObject{
        {QStringLiteral("FPR Parity"), QStringLiteral("not_significant")}};
    const QList<ParityFlip> stateFlips = diffParities(withStates, laterStates);
    QCOMPARE(stateFlips.size(), 1);
    QVERIFY(stateFlips[0].attribute.isEmpty());
    QCOMPARE(stateFlips[0].before, VerdictState::Fail);
    QCOMPARE(stateFlips[0].after, VerdictState::NotSignificant);
}

void TestVersions::pastModelLoadsFromTheCache()
{
    const VersionStore store(m_dir.path());
    const QString old = store.artifact(QStringLiteral("HEAD~1"), QStringLiteral("models/model.bin"));
    QVERIFY2(old.contains(QStringLiteral(".dvc/cache/files/md5/")), qPrintable(old));
    QCOMPARE(Model::load(old).md5(), m_modelMd5[0]);
    // The current version is the workspace file itself (same md5), no cache needed.
    QCOMPARE(store.artifact(QStringLiteral("HEAD"), QStringLiteral("models/model.bin")),
             path(QStringLiteral("models/model.bin")));

    const QString cached = VersionStore::cachePath(store.cacheDir(), m_modelMd5[0]);
    QVERIFY(QFile::rename(cached, cached + QStringLiteral(".away")));
    const QString error = errorOf([&] { store.artifact(QStringLiteral("HEAD~1"), QStringLiteral("models/model.bin")); });
    QVERIFY(QFile::rename(cached + QStringLiteral(".away"), cached));
    QVERIFY2(error.contains(QStringLiteral("models/model.bin")) && error.contains(m_modelMd5[0])
                 && error.contains(QStringLiteral("dvc pull")),
             qPrintable(error));
    const QString unknown = errorOf([&] { store.artifact(QStringLiteral("HEAD"), QStringLiteral("data/nothing.csv")); });
    QVERIFY2(unknown.contains(QStringLiteral("data/nothing.csv")) && unknown.contains(QStringLiteral("dvc.lock")),
             qPrintable(unknown));
    const QString badRev = errorOf([&] { store.version(QStringLiteral("no-such-tag")); });
    QVERIFY2(badRev.contains(QStringLiteral("no-such-tag")), qPrintable(badRev));
}

void TestVersions::pastModel_fetchedFromTheDefaultRemote()
{
    // The past model only on a local remote (DVC's layout), not in the cache: fetched into the
    // cache, md5 checked, and loaded.
    const VersionStore store(m_dir.path());
    const QString cached = VersionStore::cachePath(store.cacheDir(), m_modelMd5[0]);
    const QByteArray bytes = TestUtil::readFile(cached);
    QTemporaryDir remote;
    const QString there = remote.filePath(QStringLiteral("files/md5/%1/%2").arg(m_modelMd5[0].left(2), m_modelMd5[0].mid(2)));
    QDir().mkpath(QFileInfo(there).path());
    TestUtil::writeFile(remote, QStringLiteral("files/md5/%1/%2").arg(m_modelMd5[0].left(2), m_modelMd5[0].mid(2)), bytes);
    QFile::setPermissions(cached, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QVERIFY(QFile::remove(cached));
    const QString local = path(QStringLiteral(".dvc/config.local"));
    TestUtil::writeFile(m_dir, QStringLiteral(".dvc/config.local"),
                        "[core]\n    remote = mine\n['remote \"mine\"']\n    url = " + remote.path().toUtf8() + "\n");
    const QString fetched = store.artifact(QStringLiteral("HEAD~1"), QStringLiteral("models/model.bin"));
    QCOMPARE(fetched, cached);
    QCOMPARE(Model::load(fetched).md5(), m_modelMd5[0]);
    // The status says where the current model's bytes are: not yet on the remote, then pushed.
    const auto modelStatus = [this] {
        const WorkspaceStatus status = workspaceStatus(m_dir.path());
        for (const ArtifactStatus &a : status.artifacts)
            if (a.path == QLatin1String("models/model.bin"))
                return std::make_pair(status, a);
        return std::make_pair(status, ArtifactStatus{});
    };
    auto [status, model] = modelStatus();
    QCOMPARE(status.remote, QStringLiteral("mine"));
    QCOMPARE(model.recorded.md5, m_modelMd5[1]);
    QVERIFY(model.inRemote.has_value() && !*model.inRemote);
    QVERIFY(DvcRemote(m_dir.path()).push().count(PushEntry::Outcome::Pushed) >= 1);
    std::tie(status, model) = modelStatus();
    QVERIFY(model.inRemote.has_value() && *model.inRemote);

    // Other bytes under that md5 on the remote: refused, nothing cached.
    QFile::setPermissions(cached, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QVERIFY(QFile::remove(cached));
    TestUtil::writeFile(remote, QStringLiteral("files/md5/%1/%2").arg(m_modelMd5[0].left(2), m_modelMd5[0].mid(2)),
                        bytes.left(bytes.size() / 2));
    QString error = errorOf([&] { store.artifact(QStringLiteral("HEAD~1"), QStringLiteral("models/model.bin")); });
    QVERIFY2(error.contains(QStringLiteral("holds other bytes under md5")) && !QFileInfo::exists(cached), qPrintable(error));
    // An s3 remote is named, with what to run instead.
    TestUtil::writeFile(m_dir, QStringLiteral(".dvc/config.local"),
                        "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://bucket/models\n");
    error = errorOf([&] { store.artifact(QStringLiteral("HEAD~1"), QStringLiteral("models/model.bin")); });
    QVERIFY2(error.contains(QStringLiteral("s3://bucket/models")) && error.contains(QStringLiteral("dvc pull models/model.bin")),
             qPrintable(error));
    const WorkspaceStatus s3 = workspaceStatus(m_dir.path());
    QVERIFY2(s3.remoteNote.contains(QStringLiteral("s3://bucket/models")), qPrintable(s3.remoteNote));
    for (const ArtifactStatus &a : s3.artifacts)
        QVERIFY(!a.inRemote.has_value());
    // The cache as it was, for the other cases.
    QVERIFY(QFile::remove(local));
    TestUtil::writeFile(m_dir, QStringLiteral(".dvc/cache/") + QDir(store.cacheDir()).relativeFilePath(cached), bytes);
    QCOMPARE(Audit::fileMd5(cached), m_modelMd5[0]);
}

void TestVersions::experiments_recordedAsDvcRecordsThem()
{
    QTemporaryDir dir;
    VersionFixture::makeTwoVersions(dir);
    const QString root = dir.path();
    const QByteArray params = TestUtil::readFile(dir.filePath(QStringLiteral("params.yaml")));
    const QByteArray lock = TestUtil::readFile(dir.filePath(QStringLiteral("dvc.lock")));
    const GitRepository git(root);
    const QString head = git.resolve(QStringLiteral("HEAD")).hash;

    ExperimentRequest request;
    request.set = {QStringLiteral("model.logistic.c=0.05")};
    request.name = QStringLiteral("c-0.05");
    request.toolDir = QFileInfo(QStringLiteral(CLI_BINARY)).absolutePath();
    const Experiment e = runExperiment(root, request);
    // The user's files are untouched; the experiment is a commit on HEAD under DVC's ref.
    QCOMPARE(TestUtil::readFile(dir.filePath(QStringLiteral("params.yaml"))), params);
    QCOMPARE(TestUtil::readFile(dir.filePath(QStringLiteral("dvc.lock"))), lock);
    QCOMPARE(git.resolve(QStringLiteral("HEAD")).hash, head);
    QCOMPARE(e.ref, QStringLiteral("refs/exps/%1/%2/c-0.05").arg(head.left(2), head.mid(2)));
    QCOMPARE(git.references(QStringLiteral("refs/exps/*")).at(e.ref), e.commit);
    QCOMPARE(git.resolve(e.commit + QStringLiteral("~1")).hash, head); // its parent is the baseline
    const QByteArray expParams = *git.fileAt(e.commit, QStringLiteral("params.yaml"));
    QVERIFY2(expParams.contains("    c: 0.05\n"), expParams.constData());
    // The commit's metrics are the run's; its model is in the cache under dvc.lock's md5.
    const QJsonObject metrics = QJsonDocument::fromJson(*git.fileAt(e.commit, QStringLiteral("reports/metrics.json"))).object();
    QCOMPARE(e.metrics.value(QStringLiteral("f1")).toDouble(), metrics.value(QStringLiteral("f1")).toDouble());
    QVERIFY(metrics.value(QStringLiteral("f1")).toDouble() != m_metrics[1].value(QStringLiteral("f1")).toDouble());
    const DvcLock expLock = DvcLock::parse(*git.fileAt(e.commit, QStringLiteral("dvc.lock")), QStringLiteral("exp dvc.lock"));
    const std::optional<DvcFileEntry> model = expLock.recorded(QStringLiteral("models/model.bin"));
    QVERIFY(model.has_value());
    QCOMPARE(fileMd5(VersionStore::cachePath(dir.filePath(QStringLiteral(".dvc/cache")), model->md5)), model->md5);

    // One made as `dvc exp run` would (a commit on HEAD under refs/exps) is listed too.
    const QByteArray dvcParams = QByteArray(params).replace("c: 0.0005", "c: 2.0");
    git.commitOver(head, {{QStringLiteral("params.yaml"), dvcParams}}, QStringLiteral("dvc exp"),
                   QStringLiteral("refs/exps/%1/%2/dvc-made").arg(head.left(2), head.mid(2)));
    const QList<Experiment> list = listExperiments(root);
    QCOMPARE(list.size(), 2);
    QCOMPARE(list[0].name, QStringLiteral("c-0.05"));
    QCOMPARE(list[1].name, QStringLiteral("dvc-made"));
    QCOMPARE(list[0].params.value(QStringLiteral("model.logistic.c")).toDouble(), 0.05);
    QCOMPARE(list[1].params.value(QStringLiteral("model.logistic.c")).toDouble(), 2.0);
    QCOMPARE(list[0].metrics.value(QStringLiteral("f1")).toDouble(), e.metrics.value(QStringLiteral("f1")).toDouble());
    const QString table = experimentsTable(list, baselineOf(root));
    QVERIFY2(table.startsWith(QStringLiteral("Experiment  model.logistic.c")) && table.contains(QStringLiteral("c-0.05")),
             qPrintable(table));
    QVERIFY2(!table.contains(QStringLiteral("model.seed")), qPrintable(table)); // only what differs

    // Bad requests are refused before anything runs.
    request.set = {QStringLiteral("nokey")};
    QVERIFY_THROWS_EXCEPTION(UsageError, runExperiment(root, request));
    request.set = {QStringLiteral("nosection.x=1")};
    QVERIFY_THROWS_EXCEPTION(UsageError, runExperiment(root, request));
    request.set = {QStringLiteral("model.learner=boosted")};
    QVERIFY_THROWS_EXCEPTION(SchemaError, runExperiment(root, request));
    request.set = {QStringLiteral("model.logistic.c=0.1")};
    request.name = QStringLiteral("../escape");
    QVERIFY_THROWS_EXCEPTION(UsageError, runExperiment(root, request));
    QCOMPARE(listExperiments(root).size(), 2);
    QTemporaryDir plain;
    QVERIFY_THROWS_EXCEPTION(UsageError, runExperiment(plain.path(), request));
}

void TestVersions::pastModelAuditedSideBySide()
{
    const VersionStore store(m_dir.path());
    const VersionAudit past = auditVersion(store, QStringLiteral("HEAD~1"), QStringLiteral("models/model.bin"),
                                           path(QStringLiteral("data/test.csv")));
    const VersionAudit now = auditVersion(store, kWorkspace, QStringLiteral("models/model.bin"),
                                          path(QStringLiteral("data/test.csv")));
    QCOMPARE(past.modelMd5, m_modelMd5[0]);
    QCOMPARE(now.modelMd5, m_modelMd5[1]);
    // The past model on the same test data gives what its own evaluate stage recorded.
    QVERIFY(qFuzzyCompare(past.results.metrics.f1, m_metrics[0].value(QStringLiteral("f1")).toDouble()));
    QVERIFY(qFuzzyCompare(now.results.metrics.f1, m_metrics[1].value(QStringLiteral("f1")).toDouble()));
    const VersionDiff diff = diffAudits(past, now);
    QCOMPARE(diff.labelB, kWorkspace);
    bool sawF1 = false;
    for (const MetricDelta &m : diff.metrics) {
        if (m.key == QLatin1String("audit:f1")) {
            sawF1 = true;
            QVERIFY(qFuzzyCompare(*m.before, past.results.metrics.f1));
            QVERIFY(qFuzzyCompare(*m.after, now.results.metrics.f1));
        }
    }
    QVERIFY(sawF1);
    QVERIFY(!diff.slices.isEmpty());

    // The gate's regression rule sees the same diff: the past model's and today's F1, and the
    // slices significantly worse; a revision that cannot be audited is a failure that says why.
    const RegressionFacts facts = regressionFacts(m_dir.path(), QStringLiteral("HEAD~1"), QStringLiteral("models/model.bin"),
                                                  path(QStringLiteral("data/test.csv")), now.results);
    QVERIFY2(facts.problem.isEmpty(), qPrintable(facts.problem));
    QCOMPARE(facts.metrics.at(QStringLiteral("f1")).first, past.results.metrics.f1);
    QCOMPARE(facts.metrics.at(QStringLiteral("f1")).second, now.results.metrics.f1);
    QCOMPARE(facts.worseSlices, std::int64_t(diff.sliceCounts().worse));
    QCOMPARE(facts.testedSlices, std::int64_t(diff.sliceCounts().tested));
    const double drop = past.results.metrics.f1 - now.results.metrics.f1;
    for (const double allowed : {drop - 0.001, drop + 0.001}) {
        const AuditPolicy policy = AuditPolicy::parse(
            QByteArray("rules:\n  - name: r\n    regression: {max_worse_slices: 100000, max_drop: ")
                + QByteArray::number(allowed, 'g', 17) + "}\n",
            QStringLiteral("p.yaml"));
        const RuleResult r = evaluatePolicy(policy, now.results, nullptr, &facts).results.at(0);
        QCOMPARE(r.status, allowed < drop ? RuleResult::Status::Fail : RuleResult::Status::Pass);
        QVERIFY2(r.measured.contains(QStringLiteral("against HEAD~1")), qPrintable(r.measured));
    }
    const RegressionFacts bad = regressionFacts(m_dir.path(), QStringLiteral("no-such-tag"), QStringLiteral("models/model.bin"),
                                                path(QStringLiteral("data/test.csv")), now.results);
    QVERIFY2(bad.problem.contains(QStringLiteral("no-such-tag")), qPrintable(bad.problem));

    // A past dataset comes from the cache by md5 too, while today's file differs.
    const QString test = path(QStringLiteral("data/test.csv"));
    const QByteArray original = TestUtil::readFile(test);
    const QString cached = VersionStore::cachePath(store.cacheDir(), fileMd5(test));
    QDir().mkpath(QFileInfo(cached).path());
    QVERIFY(QFile::copy(test, cached));
    TestUtil::writeFile(m_dir, QStringLiteral("data/test.csv"), original.left(original.indexOf('\n', original.size() / 2) + 1));
    const VersionAudit pastData = auditVersion(store, QStringLiteral("HEAD~1"), QStringLiteral("models/model.bin"),
                                               QStringLiteral("data/test.csv"), true);
    const VersionAudit todaysData = auditVersion(store, QStringLiteral("HEAD~1"), QStringLiteral("models/model.bin"), test,
                                                 false);
    TestUtil::writeFile(m_dir, QStringLiteral("data/test.csv"), original);
    QVERIFY(QFile::remove(cached));
    QCOMPARE(pastData.dataFile, cached);
    QCOMPARE(pastData.results.metrics.support, m_metrics[0].value(QStringLiteral("support")).toInt());
    QVERIFY(qFuzzyCompare(pastData.results.metrics.f1, m_metrics[0].value(QStringLiteral("f1")).toDouble()));
    QVERIFY(todaysData.results.metrics.support < pastData.results.metrics.support);
}

void TestVersions::curves_areCoresCurvesOfTheScoredRows()
{
    const VersionStore store(m_dir.path());
    const QString test = path(QStringLiteral("data/test.csv"));
    const VersionAudit past = auditVersion(store, QStringLiteral("HEAD~1"), QStringLiteral("models/model.bin"), test);
    QVERIFY(past.scored);
    QCOMPARE(past.scored->rowCount(), std::size_t(past.results.metrics.support));
    const VersionCurves curves = versionCurves(past.version, *past.scored);
    QCOMPARE(curves.label, past.version.label);
    QCOMPARE(curves.dataFile, test);
    QCOMPARE(curves.rocAuc, rocAuc(past.scored->scores, past.scored->labels));
    QCOMPARE(curves.averagePrecision, averagePrecision(past.scored->scores, past.scored->labels));
    QCOMPARE(curves.rocAuc, past.results.metrics.rocAuc); // what the audit's metrics say
    QCOMPARE(curves.roc.size(), rocCurve(past.scored->scores, past.scored->labels).size());
    QCOMPARE(curves.pr.size(), prCurve(past.scored->scores, past.scored->labels).size());
    // Scoring alone (no slice or bias audit) gives the same curves.
    const VersionCurves scored = scoreVersionCurves(store, QStringLiteral("HEAD~1"), QStringLiteral("models/model.bin"), test);
    QCOMPARE(scored.rocAuc, curves.rocAuc);
    QCOMPARE(scored.averagePrecision, curves.averagePrecision);
    QCOMPARE(scored.roc.size(), curves.roc.size());
}

void TestVersions::curves_oneClassData_throwsNamingTheFile()
{
    ScoredData scored;
    scored.source = QStringLiteral("data/negatives.csv");
    scored.positiveLabel = QStringLiteral(">50K");
    scored.scores = {0.1, 0.7, 0.3};
    scored.labels = {0, 0, 0};
    QCOMPARE(errorOf([&] { versionCurves(Version{}, scored); }),
             QStringLiteral("data/negatives.csv: ROC and PR curves need rows of both classes, but none of its 3 rows are "
                            "labelled >50K. Fix: score labelled data holding both classes"));
}

void TestVersions::statusSeesTamperingAndParamChanges()
{
    WorkspaceStatus status = workspaceStatus(m_dir.path());
    QVERIFY2(status.upToDate(), qPrintable(status.toText()));
    QCOMPARE(status.stages.size(), 4);

    const QByteArray metrics = TestUtil::readFile(path(QStringLiteral("reports/metrics.json")));
    const QByteArray params = TestUtil::readFile(path(QStringLiteral("params.yaml")));
    const QByteArray bias = TestUtil::readFile(path(QStringLiteral("reports/bias.json")));
    TestUtil::writeFile(m_dir, QStringLiteral("reports/metrics.json"), metrics + "\n");
    TestUtil::writeFile(m_dir, QStringLiteral("params.yaml"), QByteArray(params).replace("seed: 42", "seed: 7"));
    QVERIFY(QFile::remove(path(QStringLiteral("reports/bias.json"))));
    status = workspaceStatus(m_dir.path());
    const VersionStore store(m_dir.path());
    const QList<Version> history = store.history();
    TestUtil::writeFile(m_dir, QStringLiteral("reports/metrics.json"), metrics);
    TestUtil::writeFile(m_dir, QStringLiteral("params.yaml"), params);
    TestUtil::writeFile(m_dir, QStringLiteral("reports/bias.json"), bias);

    QHash<QString, ArtifactStatus::State> states;
    for (const ArtifactStatus &a : status.artifacts)
        states.insert(a.path, a.state);
    QCOMPARE(states.value(QStringLiteral("reports/metrics.json")), ArtifactStatus::State::Modified);
    QCOMPARE(states.value(QStringLiteral("reports/bias.json")), ArtifactStatus::State::Missing);
    QCOMPARE(states.value(QStringLiteral("reports/slices.json")), ArtifactStatus::State::UpToDate);
    QCOMPARE(states.value(QStringLiteral("data/train.csv")), ArtifactStatus::State::UpToDate);
    QHash<QString, QStringList> reasons;
    for (const StageStatus &s : status.stages)
        reasons.insert(s.name, s.reasons);
    QCOMPARE(reasons.value(QStringLiteral("train")), QStringList{QStringLiteral("changed params: modified: params.yaml: model")});
    QCOMPARE(reasons.value(QStringLiteral("evaluate")),
             QStringList{QStringLiteral("changed outs: modified: reports/metrics.json")});
    QCOMPARE(reasons.value(QStringLiteral("bias")), QStringList{QStringLiteral("changed outs: missing: reports/bias.json")});
    QVERIFY(reasons.value(QStringLiteral("slices")).isEmpty());
    // A workspace that differs from HEAD is a version of its own, listed first.
    QCOMPARE(history.size(), 3);
    QVERIFY(history[0].isWorkspace());

    QVERIFY(workspaceStatus(m_dir.path()).upToDate());
}

void TestVersions::malformedFilesNameTheKey()
{
    const auto pipelineError = [](const QByteArray &yaml) {
        return errorOf([&] { DvcPipeline::parse(yaml, QStringLiteral("dvc.yaml")); });
    };
    QVERIFY(pipelineError("stages:\n  train:\n    deps: [a.csv]\n")
                .contains(QStringLiteral("dvc.yaml:3: stages.train.cmd: required key is missing")));
    QVERIFY(pipelineError("stages:\n  train:\n    cmd: x\n    deps: a.csv\n")
                .contains(QStringLiteral("stages.train.deps: expected a list")));
    QVERIFY(pipelineError("stages:\n  train:\n    cmd: x\n    outs:\n    - {a: 1, b: 2}\n")
                .contains(QStringLiteral("stages.train.outs[0]")));
    QVERIFY(pipelineError("stages:\n  t:\n    cmd: x\n    outs:\n    - m.json:\n        cache: maybe\n")
                .contains(QStringLiteral("stages.t.outs[0].m.json.cache: expected true or false")));
    QVERIFY(pipelineError("stages: [a, b]\n").contains(QStringLiteral("stages")));
    QVERIFY(pipelineError("stages:\n  t:\n    cmd: [x\n")
                .contains(QRegularExpression(QStringLiteral("^dvc\\.yaml:[34]: not valid YAML"))));

    const auto lockError = [](const QByteArray &yaml) {
        return errorOf([&] { DvcLock::parse(yaml, QStringLiteral("dvc.lock")); });
    };
    QVERIFY(lockError("schema: '1.0'\nstages: {}\n").contains(QStringLiteral("schema: expected '2.0'")));
    QVERIFY(lockError("schema: '2.0'\nstages:\n  train:\n    cmd: x\n    outs:\n    - path: m.bin\n      size: 3\n")
                .contains(QStringLiteral("stages.train.outs[0].md5: required")));
    QVERIFY(lockError("schema: '2.0'\nstages:\n  train:\n    cmd: x\n    deps:\n    - path: a\n      md5: xyz\n")
                .contains(QStringLiteral("stages.train.deps[0].md5: \"xyz\" is not an md5")));
    QVERIFY(lockError("schema: '2.0'\nstages:\n  train:\n    cmd: x\n    deps:\n    - path: a\n      md5: "
                      "0123456789abcdef0123456789abcdef\n      size: -4\n")
                .contains(QStringLiteral("stages.train.deps[0].size")));
    QVERIFY(lockError("schema: '2.0'\nstages:\n  train:\n    cmd: x\n    params: [1]\n")
                .contains(QStringLiteral("stages.train.params")));

    // A malformed file in a project: the status names the file.
    QTemporaryDir dir;
    TestUtil::writeFile(dir, QStringLiteral("dvc.yaml"), "stages:\n  a:\n    cmd: true\n");
    TestUtil::writeFile(dir, QStringLiteral("dvc.lock"), "schema: '2.0'\nstages:\n  a: 7\n");
    const QString error = errorOf([&] { workspaceStatus(dir.path()); });
    QVERIFY2(error.contains(dir.filePath(QStringLiteral("dvc.lock"))) && error.contains(QStringLiteral("stages.a")),
             qPrintable(error));
    QVERIFY(errorOf([&] { workspaceStatus(dir.filePath(QStringLiteral("nowhere"))); }).contains(QStringLiteral("dvc.yaml")));
}

void TestVersions::lockRoundTrips()
{
    const DvcLock lock = DvcLock::parse(lockYaml(m_dir.path()), QStringLiteral("dvc.lock"));
    const DvcLockStage *train = lock.stage(QStringLiteral("train"));
    QVERIFY(train);
    QCOMPARE(train->outs.size(), 1);
    QCOMPARE(train->outs[0].md5, m_modelMd5[1]);
    QCOMPARE(train->outs[0].size, QFileInfo(path(QStringLiteral("models/model.bin"))).size());
    QCOMPARE(train->params.at(QStringLiteral("params.yaml"))
                 .at(QStringLiteral("model"))[QStringLiteral("logistic")][QStringLiteral("c")]
                 .toDouble(),
             0.0005);
    QCOMPARE(train->deps.size(), 2);
    QCOMPARE(train->deps[0].path, QStringLiteral("data/census.schema.yaml")); // sorted by path
    QCOMPARE(TestUtil::readFile(path(QStringLiteral("dvc.lock"))), lockYaml(m_dir.path()));
    // YAML typing: the same value written two ways is equal; a quoted number is text.
    QCOMPARE(yamlToJson(YAML::Load("0.20")), yamlToJson(YAML::Load("2e-1")));
    QVERIFY(yamlToJson(YAML::Load("'42'")).isString());
    QCOMPARE(yamlToJson(YAML::Load("true")), QJsonValue(true));
}

void TestVersions::cli()
{
    const auto run = [this](const QStringList &args, int &code, QByteArray *err = nullptr) {
        QProcess process;
        process.setWorkingDirectory(m_dir.path());
        process.start(QStringLiteral(CLI_BINARY), args);
        process.waitForFinished(120000);
        code = process.exitCode();
        if (err)
            *err = process.readAllStandardError();
        return process.readAllStandardOutput();
    };
    int code = -1;
    const QJsonObject versions
        = QJsonDocument::fromJson(run({QStringLiteral("versions"), QStringLiteral("--json")}, code)).object();
    QCOMPARE(code, 0);
    QCOMPARE(versions[QStringLiteral("versions")].toArray().size(), 2);
    QCOMPARE(versions[QStringLiteral("up_to_date")].toBool(), true);
    QCOMPARE(versions[QStringLiteral("stages")].toArray().size(), 4);

    const QJsonObject diff
        = QJsonDocument::fromJson(
              run({QStringLiteral("diff"), QStringLiteral("HEAD~1"), QStringLiteral("HEAD"), QStringLiteral("--json")}, code))
              .object();
    QCOMPARE(code, 0);
    QCOMPARE(diff[QStringLiteral("params")].toArray().size(), 1);
    bool sawF1 = false;
    for (const QJsonValue &m : diff[QStringLiteral("metrics")].toArray()) {
        if (m[QStringLiteral("metric")].toString() == QLatin1String("reports/metrics.json:f1")) {
            sawF1 = true;
            QCOMPARE(m[QStringLiteral("change")].toDouble(),
                     m_metrics[1].value(QStringLiteral("f1")).toDouble() - m_metrics[0].value(QStringLiteral("f1")).toDouble());
        }
    }
    QVERIFY(sawF1);

    const QString text = QString::fromUtf8(run(
        {QStringLiteral("diff"), QStringLiteral("HEAD~1"), QStringLiteral("--audit"), QStringLiteral("data/test.csv")}, code));
    QCOMPARE(code, 0);
    QVERIFY2(text.contains(QStringLiteral("audit:f1")) && text.contains(QStringLiteral("Slices that got worse")),
             qPrintable(text));

    QByteArray err;
    run({QStringLiteral("versions"), QStringLiteral("--check")}, code, &err);
    QCOMPARE(code, 0);
    const QByteArray metrics = TestUtil::readFile(path(QStringLiteral("reports/metrics.json")));
    TestUtil::writeFile(m_dir, QStringLiteral("reports/metrics.json"), metrics + " ");
    const QByteArray stale = run({QStringLiteral("versions"), QStringLiteral("--check")}, code, &err);
    TestUtil::writeFile(m_dir, QStringLiteral("reports/metrics.json"), metrics);
    QCOMPARE(code, 1);
    QVERIFY2(stale.contains("evaluate") && stale.contains("changed outs: modified: reports/metrics.json"), stale.constData());
    QVERIFY2(err.contains("differs from dvc.lock"), err.constData());

    run({QStringLiteral("diff"), QStringLiteral("v9.9")}, code, &err);
    QCOMPARE(code, 2);
    QVERIFY2(err.contains("v9.9"), err.constData());
    run({QStringLiteral("diff")}, code, &err);
    QCOMPARE(code, 2);
    QVERIFY2(err.contains("expected 1 argument"), err.constData());
}

QTEST_GUILESS_MAIN(TestVersions)
#include "tst_versions.moc"
