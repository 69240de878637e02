#pragma once

// A real DVC project in a git repository, made with libgit2: the census sample of
// TestUtil::makeProject, a four-stage dvc.yaml (train, evaluate, slices, bias) calling the
// CLI, and two committed runs with different params. Run 0 is the baseline (logistic,
// C = 1) and its model is laid in the DVC cache by hand, as `dvc commit` would;
// run 1 uses C = 0.0005 and its model stays in the workspace only.

#include <QProcess>
#include <QtTest>

#include <git2.h>

#include "dvcworkspace.h"
#include "fileio.h"
#include "projectfixture.h"
#include "testutil.h"
#include "versions.h"

namespace VersionFixture {

// Commits every file of the working tree (git add -A && git commit) with a fixed author and time.
inline void commitAll(const QString &dir, const char *message, qint64 time)
{
    git_repository *repo = nullptr;
    QCOMPARE(git_repository_open(&repo, dir.toUtf8().constData()), 0);
    git_index *index = nullptr;
    QCOMPARE(git_repository_index(&index, repo), 0);
    char star[] = "*";
    char *patterns[] = {star};
    const git_strarray all{patterns, 1};
    QCOMPARE(git_index_add_all(index, &all, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr), 0);
    QCOMPARE(git_index_update_all(index, &all, nullptr, nullptr), 0);
    QCOMPARE(git_index_write(index), 0);
    git_oid treeId, commitId, parentId;
    QCOMPARE(git_index_write_tree(&treeId, index), 0);
    git_tree *tree = nullptr;
    QCOMPARE(git_tree_lookup(&tree, repo, &treeId), 0);
    git_signature *who = nullptr;
    QCOMPARE(git_signature_new(&who, "Ada Analyst", "ada@example.org", time, 60), 0);
    git_commit *parent = nullptr;
    if (git_reference_name_to_id(&parentId, repo, "HEAD") == 0)
        QCOMPARE(git_commit_lookup(&parent, repo, &parentId), 0);
    const git_commit *parents[] = {parent};
    QCOMPARE(git_commit_create(&commitId, repo, "HEAD", who, who, nullptr, message, tree, parent ? 1 : 0, parents), 0);
    git_commit_free(parent);
    git_signature_free(who);
    git_tree_free(tree);
    git_index_free(index);
    git_repository_free(repo);
}

inline QByteArray paramsYaml(const char *c)
{
    return QByteArray("data:\n  schema: data/census.schema.yaml\n  train: data/train.csv\n  test: data/test.csv\n"
                      "model:\n  learner: logistic\n  seed: 42\n  threshold: tune\n  log1p: none\n  logistic:\n    c: ")
        + c + "\n    max_iterations: 500\n";
}

inline QByteArray pipelineYaml()
{
    const QByteArray cli = CLI_BINARY;
    return "stages:\n"
           "  train:\n"
           "    cmd: "
        + cli
        + " train --data data/train.csv --params params.yaml --out models/model.bin\n"
          "    deps: [data/train.csv, data/census.schema.yaml]\n"
          "    params: [model]\n"
          "    outs: [models/model.bin]\n"
          "  evaluate:\n"
          "    cmd: "
        + cli
        + " evaluate --model models/model.bin --data data/test.csv --out reports/metrics.json\n"
          "    deps: [models/model.bin, data/test.csv]\n"
          "    metrics:\n    - reports/metrics.json:\n        cache: false\n"
          "  slices:\n"
          "    cmd: "
        + cli
        + " slices --model models/model.bin --data data/test.csv --out reports/slices.json\n"
          "    deps: [models/model.bin, data/test.csv]\n"
          "    outs:\n    - reports/slices.json:\n        cache: false\n"
          "  bias:\n"
          "    cmd: "
        + cli
        + " bias --model models/model.bin --data data/test.csv --out reports/bias.json\n"
          "    deps: [models/model.bin, data/test.csv]\n"
          "    outs:\n    - reports/bias.json:\n        cache: false\n";
}

inline const char *const kMessages[] = {"Baseline: logistic, C = 1", "Stronger regularisation: C = 0.0005"};

inline void initRepository(const QTemporaryDir &dir)
{
    git_libgit2_init();
    TestUtil::makeProject(dir, false);
    TestUtil::writeFile(dir, QStringLiteral("dvc.yaml"), pipelineYaml());
    TestUtil::writeFile(dir, QStringLiteral(".gitignore"), "/models/\n/.dvc/cache/\n");
    QDir(dir.path()).mkpath(QStringLiteral(".dvc"));
    TestUtil::writeFile(dir, QStringLiteral(".dvc/config"), "");
    git_repository *repo = nullptr;
    QCOMPARE(git_repository_init(&repo, dir.path().toUtf8().constData(), false), 0);
    git_repository_free(repo);
}

// Writes run `run`'s params, runs every stage's cmd in order and writes dvc.lock.
inline void runPipeline(const QTemporaryDir &dir, int run)
{
    TestUtil::writeFile(dir, QStringLiteral("params.yaml"), paramsYaml(run == 0 ? "1.0" : "0.0005"));
    const Audit::DvcPipeline pipeline = Audit::DvcPipeline::load(dir.path());
    for (const Audit::DvcStage &stage : pipeline.stages()) {
        QProcess process;
        process.setWorkingDirectory(dir.path());
        process.start(QStringLiteral("sh"), {QStringLiteral("-c"), stage.cmd});
        QVERIFY(process.waitForFinished(120000));
        QVERIFY2(process.exitCode() == 0,
                 qPrintable(stage.name + QLatin1String(": ") + QString::fromUtf8(process.readAllStandardError())));
    }
    Audit::writeFileAtomically(dir.filePath(QStringLiteral("dvc.lock")), Audit::lockYaml(dir.path()));
}

inline void commitRun(const QTemporaryDir &dir, int run)
{
    if (run == 0) {
        const QString model = dir.filePath(QStringLiteral("models/model.bin"));
        const QString cached = Audit::VersionStore::cachePath(dir.filePath(QStringLiteral(".dvc/cache")), Audit::fileMd5(model));
        QDir().mkpath(QFileInfo(cached).path());
        QVERIFY(QFile::copy(model, cached));
    }
    commitAll(dir.path(), kMessages[run], 1700000000 + run * 86400);
}

// Both runs, committed.
inline void makeTwoVersions(const QTemporaryDir &dir)
{
    initRepository(dir);
    for (int run = 0; run < 2 && !QTest::currentTestFailed(); ++run) {
        runPipeline(dir, run);
        if (!QTest::currentTestFailed())
            commitRun(dir, run);
    }
}

} // namespace VersionFixture
