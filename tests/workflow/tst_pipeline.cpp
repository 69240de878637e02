#include <QtTest>

#include <QProcess>

#include "dvcworkspace.h"
#include "fileio.h"
#include "model.h"
#include "pipelinerunner.h"
#include "schemaerror.h"
#include "testutil.h"
#include "thresholdsave.h"

using namespace Audit;

// `repro` (PipelineRunner and `modelaudit-cli repro`): in a temporary copy of the project's
// inputs, one run of dvc.yaml on the real census data reproduces the committed dvc.lock
// byte for byte; later runs in the same copy show what runs when, and small hand-made
// pipelines show the failures.
class TestPipeline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void fromScratch_runsEveryStageAndReproducesTheLockByteForByte();
    void secondRun_runsNothing();
    void changedParam_dryRunSaysWhatWouldRunAndRunsNothing();
    void changedParam_runsExactlyTheDownstreamStages();
    void check_listsATamperedOutWithBothMd5s();
    void failingStage_stopsWithItsNameAndExitCode();
    void cycle_isRefusedNamingTheStages();
    void commands_findTheBuiltCliOnPath_andUpdateLockRecordsTheRun();
    void saveThreshold_editsOneLineAndKeepsTheLockTrue();
    void saveThreshold_withoutPipelineOrOutOfRange_refused();

private:
    QString copy(const QString &relative) const { return m_copy.filePath(relative); }
    ReproResult run(const QString &root, ReproOptions options = {});
    static int cli(const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr);

    QTemporaryDir m_copy;
    QByteArray m_lock; // the committed dvc.lock
    QByteArray m_output; // the commands' output of the last run
};

ReproResult TestPipeline::run(const QString &root, ReproOptions options)
{
    m_output.clear();
    options.toolDir = QFileInfo(QStringLiteral(CLI_BINARY)).absolutePath();
    options.output = [this](const QByteArray &bytes, bool) { m_output += bytes; };
    return PipelineRunner(root).repro(options);
}

int TestPipeline::cli(const QStringList &args, QByteArray *out, QByteArray *err)
{
    QProcess process;
    process.start(QStringLiteral(CLI_BINARY), args);
    if (!process.waitForFinished(300000))
        return -1;
    if (out)
        *out = process.readAllStandardOutput();
    if (err)
        *err = process.readAllStandardError();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

void TestPipeline::initTestCase()
{
    // The inputs a clone has after `pull` (the reports left out: the run makes them).
    for (const char *file : {"data/raw/census.csv", "data/raw/census.csv.dvc", "data/census.schema.yaml", "params.yaml",
                             "dvc.yaml", "dvc.lock", "model_card.md", "audit.yaml"}) {
        const QString from = QLatin1String(file) == QLatin1String("data/raw/census.csv")
            ? TestUtil::censusRaw()
            : TestUtil::projectFile(QLatin1String(file));
        QDir(m_copy.path()).mkpath(QFileInfo(copy(QLatin1String(file))).path());
        QVERIFY2(QFile::copy(from, copy(QLatin1String(file))), file);
    }
    QDir(m_copy.path()).mkpath(QStringLiteral("build"));
    QVERIFY(QFile::link(QFileInfo(QStringLiteral(CLI_BINARY)).absolutePath(), copy(QStringLiteral("build/bin"))));
    m_lock = TestUtil::readFile(copy(QStringLiteral("dvc.lock")));
}

void TestPipeline::fromScratch_runsEveryStageAndReproducesTheLockByteForByte()
{
    // A check runs every stage, card included (a plain run would skip it: model_card.md is
    // persist, tracked by git and matches dvc.lock, as its deps do once train has run).
    ReproOptions options;
    options.check = true;
    const ReproResult result = run(m_copy.path(), options);
    QVERIFY2(result.ok(), qPrintable(result.failure + QLatin1Char('\n') + QString::fromUtf8(m_output)));
    QCOMPARE(result.ran(),
             (QStringList{QStringLiteral("clean"), QStringLiteral("split"), QStringLiteral("train"), QStringLiteral("evaluate"),
                          QStringLiteral("slices"), QStringLiteral("bias"), QStringLiteral("card"), QStringLiteral("check")}));
    QVERIFY2(result.reproduced(), qPrintable(result.checkText()));
    QVERIFY(PipelineRunner::compareWithLock(m_copy.path(), m_lock).isEmpty());
    QCOMPARE(lockYaml(m_copy.path()), m_lock);
    QCOMPARE(TestUtil::readFile(copy(QStringLiteral("dvc.lock"))), m_lock); // a check never rewrites it
    for (const char *report :
         {"reports/metrics.json", "reports/slices.json", "reports/slices.csv", "reports/slice_output.txt", "reports/bias.json",
          "reports/bias.csv", "model_card.md", "reports/check.md", "reports/check.xml", "reports/check.json"})
        QVERIFY2(TestUtil::readFile(copy(QLatin1String(report)))
                     == TestUtil::readFile(TestUtil::projectFile(QLatin1String(report))),
                 report);
    const WorkspaceStatus status = workspaceStatus(m_copy.path());
    QVERIFY2(status.upToDate(), qPrintable(status.toText()));
    QCOMPARE(status.artifacts.size(), 17); // audit.yaml and the check stage's three reports too
}

void TestPipeline::secondRun_runsNothing()
{
    const ReproResult result = run(m_copy.path());
    QVERIFY(result.ok());
    QCOMPARE(result.ran(), QStringList());
    QCOMPARE(result.stages.size(), 8);
    QVERIFY(m_output.isEmpty());
}

void TestPipeline::changedParam_dryRunSaysWhatWouldRunAndRunsNothing()
{
    QByteArray params = TestUtil::readFile(copy(QStringLiteral("params.yaml")));
    QVERIFY(params.contains("    eta: 0.1\n")); // the default learner's (xgboost) learning rate
    TestUtil::writeFile(m_copy, QStringLiteral("params.yaml"), params.replace("    eta: 0.1\n", "    eta: 0.3\n"));
    const QString modelMd5 = fileMd5(copy(QStringLiteral("models/model.bin")));
    ReproOptions options;
    options.dryRun = true;
    const ReproResult result = run(m_copy.path(), options);
    QCOMPARE(result.ran(),
             (QStringList{QStringLiteral("train"), QStringLiteral("evaluate"), QStringLiteral("slices"), QStringLiteral("bias"),
                          QStringLiteral("card"), QStringLiteral("check")}));
    QCOMPARE(result.stages[2].name, QStringLiteral("train"));
    QCOMPARE(result.stages[2].reasons, QStringList{QStringLiteral("changed params: modified: params.yaml: model")});
    QCOMPARE(result.stages[3].reasons, QStringList{QStringLiteral("upstream stage \"train\" would run first")});
    QVERIFY(m_output.isEmpty());
    QCOMPARE(fileMd5(copy(QStringLiteral("models/model.bin"))), modelMd5);

    QByteArray out;
    QCOMPARE(cli({QStringLiteral("repro"), QStringLiteral("--dry-run"), QStringLiteral("--project"), m_copy.path()}, &out), 0);
    QVERIFY2(out.contains("Would run stage 'train' (changed params: modified: params.yaml: model)")
                 && out.contains("Stage 'split' didn't change, skipping") && out.contains("6 of 8 stages would run"),
             out.constData());
    QCOMPARE(fileMd5(copy(QStringLiteral("models/model.bin"))), modelMd5);
}

void TestPipeline::changedParam_runsExactlyTheDownstreamStages()
{
    const ReproResult result = run(m_copy.path());
    QVERIFY2(result.ok(), qPrintable(result.failure));
    QCOMPARE(result.ran(),
             (QStringList{QStringLiteral("train"), QStringLiteral("evaluate"), QStringLiteral("slices"), QStringLiteral("bias"),
                          QStringLiteral("card"), QStringLiteral("check")}));
    QVERIFY(TestUtil::readFile(copy(QStringLiteral("reports/metrics.json")))
            != TestUtil::readFile(TestUtil::projectFile(QStringLiteral("reports/metrics.json"))));
}

void TestPipeline::check_listsATamperedOutWithBothMd5s()
{
    // A report edited by hand and recorded in dvc.lock, as a commit that edited it and ran
    // `lock` would leave it: the lock agrees with the file, but a run does not.
    QTemporaryDir dir;
    TestUtil::writeFile(dir, QStringLiteral("dvc.yaml"),
                        "stages:\n"
                        "  count:\n    cmd: printf '3 rows\\n' > count.txt\n    outs: [count.txt]\n"
                        "  report:\n    cmd: cp count.txt report.txt\n    deps: [count.txt]\n"
                        "    metrics:\n    - report.txt:\n        cache: false\n");
    QCOMPARE(cli({QStringLiteral("repro"), QStringLiteral("--update-lock"), QStringLiteral("--project"), dir.path()}), 0);
    QCOMPARE(TestUtil::readFile(dir.filePath(QStringLiteral("report.txt"))), QByteArray("3 rows\n"));
    QCOMPARE(cli({QStringLiteral("repro"), QStringLiteral("--check"), QStringLiteral("--project"), dir.path()}), 0);
    const QString realMd5 = fileMd5(dir.filePath(QStringLiteral("report.txt")));
    TestUtil::writeFile(dir, QStringLiteral("report.txt"), "9 rows\n");
    const QString tamperedMd5 = fileMd5(dir.filePath(QStringLiteral("report.txt")));
    const QByteArray lock = lockYaml(dir.path());
    TestUtil::writeFile(dir, QStringLiteral("dvc.lock"), lock);
    QVERIFY(workspaceStatus(dir.path()).upToDate()); // the status alone cannot see it

    QByteArray out, err;
    QCOMPARE(cli({QStringLiteral("repro"), QStringLiteral("--check"), QStringLiteral("--project"), dir.path()}, &out, &err), 1);
    QVERIFY2(
        out.contains(
            QStringLiteral("report: report.txt: dvc.lock has md5 %1, the run produced %2").arg(tamperedMd5, realMd5).toUtf8()),
        out.constData());
    QCOMPARE(out.count("dvc.lock has md5"), 1); // count.txt reproduces
    QVERIFY2(err.contains("repro: the run does not reproduce dvc.lock"), err.constData());
    QCOMPARE(TestUtil::readFile(dir.filePath(QStringLiteral("dvc.lock"))), lock); // never rewritten by a check
    QCOMPARE(cli({QStringLiteral("repro"), QStringLiteral("--check"), QStringLiteral("--update-lock"),
                  QStringLiteral("--project"), dir.path()}),
             2);
}

void TestPipeline::failingStage_stopsWithItsNameAndExitCode()
{
    QTemporaryDir dir;
    TestUtil::writeFile(dir, QStringLiteral("dvc.yaml"),
                        "stages:\n"
                        "  first:\n    cmd: echo one > one.txt\n    outs: [one.txt]\n"
                        "  second:\n    cmd: echo broken >&2; exit 3\n    deps: [one.txt]\n    outs: [two.txt]\n"
                        "  third:\n    cmd: echo three > three.txt\n    deps: [two.txt]\n    outs: [three.txt]\n");
    const ReproResult result = run(dir.path());
    QCOMPARE(result.failedStage, QStringLiteral("second"));
    QCOMPARE(result.exitCode, 3);
    QCOMPARE(result.ran(), (QStringList{QStringLiteral("first"), QStringLiteral("second")}));
    QVERIFY(m_output.contains("broken"));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("three.txt"))));

    QByteArray err;
    QCOMPARE(cli({QStringLiteral("repro"), QStringLiteral("--project"), dir.path()}, nullptr, &err), 1);
    QVERIFY2(err.contains("broken\n") && err.contains("repro: stage \"second\" failed: its command exited with code 3"),
             err.constData());
}

void TestPipeline::cycle_isRefusedNamingTheStages()
{
    QTemporaryDir dir;
    TestUtil::writeFile(dir, QStringLiteral("dvc.yaml"),
                        "stages:\n"
                        "  start:\n    cmd: touch s.txt\n    outs: [s.txt]\n"
                        "  x:\n    cmd: touch x.txt\n    deps: [s.txt, y.txt]\n    outs: [x.txt]\n"
                        "  y:\n    cmd: touch y.txt\n    deps: [x.txt]\n    outs: [y.txt]\n");
    QString error;
    try {
        PipelineRunner runner(dir.path());
    } catch (const SchemaError &e) {
        error = e.message();
    }
    QVERIFY2(error.contains(QStringLiteral("dvc.yaml: the stages \"x\", \"y\" form a cycle (\"x\" needs y.txt from \"y\"; "
                                           "\"y\" needs x.txt from \"x\")")),
             qPrintable(error));
    QByteArray err;
    QCOMPARE(cli({QStringLiteral("repro"), QStringLiteral("--project"), dir.path()}, nullptr, &err), 2);
    QVERIFY(err.contains("form a cycle"));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("s.txt"))));
}

void TestPipeline::commands_findTheBuiltCliOnPath_andUpdateLockRecordsTheRun()
{
    QTemporaryDir dir;
    TestUtil::writeFile(dir, QStringLiteral("dvc.yaml"),
                        "stages:\n  version:\n    cmd: modelaudit-cli --version > version.txt\n    outs: [version.txt]\n");
    QByteArray out;
    QCOMPARE(cli({QStringLiteral("repro"), QStringLiteral("--update-lock"), QStringLiteral("--project"), dir.path()}, &out), 0);
    QCOMPARE(TestUtil::readFile(dir.filePath(QStringLiteral("version.txt"))),
             QByteArray("modelaudit-cli " MODELAUDIT_VERSION "\n"));
    QVERIFY2(out.contains("Running stage 'version' (no dvc.lock: never run)") && out.contains("repro: dvc.lock updated"),
             out.constData());
    QCOMPARE(TestUtil::readFile(dir.filePath(QStringLiteral("dvc.lock"))), lockYaml(dir.path()));
    QCOMPARE(cli({QStringLiteral("repro"), QStringLiteral("--project"), dir.path()}, &out), 0);
    QVERIFY2(out.contains("repro: every stage is up to date"), out.constData());
}

void TestPipeline::saveThreshold_editsOneLineAndKeepsTheLockTrue()
{
    // The GUI's "Save to model": the working threshold becomes model.threshold in params.yaml
    // (one line changes, its comment stays), the stages after it run, and dvc.lock is true again.
    const QByteArray before = TestUtil::readFile(copy(QStringLiteral("params.yaml")));
    QVERIFY(before.contains("  threshold: tune         # "));
    ReproOptions options;
    options.toolDir = QFileInfo(QStringLiteral(CLI_BINARY)).absolutePath();
    options.output = [](const QByteArray &, bool) {};
    const ThresholdSave save = saveThresholdToModel(Project::open(m_copy.path()), 0.615, options);
    QVERIFY2(save.repro.ok(), qPrintable(save.repro.failure));
    QVERIFY(!save.restored);
    QCOMPARE(save.previous, QStringLiteral("tune"));
    QCOMPARE(save.written, QStringLiteral("0.615"));
    const QByteArray after = TestUtil::readFile(copy(QStringLiteral("params.yaml")));
    const QList<QByteArray> a = before.split('\n');
    const QList<QByteArray> b = after.split('\n');
    QCOMPARE(a.size(), b.size());
    QStringList changed;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i] != b[i])
            changed << QString::fromUtf8(b[i]);
    }
    QCOMPARE(changed.size(), 1);
    QVERIFY2(changed[0].startsWith(QStringLiteral("  threshold: 0.615        # \"tune\"")), qPrintable(changed[0]));
    QVERIFY(save.repro.ran().contains(QStringLiteral("train")));
    QCOMPARE(Model::load(copy(QStringLiteral("models/model.bin"))).threshold(), 0.615);
    QVERIFY(PipelineRunner::compareWithLock(m_copy.path(), TestUtil::readFile(copy(QStringLiteral("dvc.lock")))).isEmpty());
    QCOMPARE(TestUtil::readFile(copy(QStringLiteral("dvc.lock"))), lockYaml(m_copy.path()));
    const WorkspaceStatus status = workspaceStatus(m_copy.path());
    QVERIFY2(status.upToDate(), qPrintable(status.toText()));
    QVERIFY(TestUtil::readFile(copy(QStringLiteral("model_card.md"))).contains("0.6150"));

    // Saving the same value again runs nothing.
    const ThresholdSave again = saveThresholdToModel(Project::open(m_copy.path()), 0.615, options);
    QCOMPARE(again.repro.ran(), QStringList());
    QCOMPARE(TestUtil::readFile(copy(QStringLiteral("params.yaml"))), after);
}

void TestPipeline::saveThreshold_withoutPipelineOrOutOfRange_refused()
{
    ReproOptions options;
    QVERIFY_THROWS_EXCEPTION(OptionError, saveThresholdToModel(Project::open(m_copy.path()), 1.2, options));
    QTemporaryDir plain;
    QVERIFY(QFile::copy(copy(QStringLiteral("params.yaml")), plain.filePath(QStringLiteral("params.yaml"))));
    const QByteArray params = TestUtil::readFile(plain.filePath(QStringLiteral("params.yaml")));
    try {
        saveThresholdToModel(Project::open(plain.path()), 0.5, options);
        QFAIL("expected a UsageError");
    } catch (const UsageError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("has no dvc.yaml: set model.threshold in")), e.what());
    }
    QCOMPARE(TestUtil::readFile(plain.filePath(QStringLiteral("params.yaml"))), params); // untouched
}

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
