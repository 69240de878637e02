#pragma once

#include <QCryptographicHash>
#include <QProcess>
#include <QStringList>

#include "csvreader.h"
#include "model.h"
#include "testutil.h"
#include "trainer.h"

namespace TestUtil {

// A small real project in `dir`: params.yaml, the census schema, 3,000 training and 2,000
// test rows of the real census file, and (when `withModel`) a logistic model trained on them.
inline void makeProject(const QTemporaryDir &dir, bool withModel = true)
{
    QDir(dir.path()).mkpath(QStringLiteral("data"));
    QDir(dir.path()).mkpath(QStringLiteral("models"));
    QFile::copy(censusSchema(), dir.filePath(QStringLiteral("data/census.schema.yaml")));
    const QList<QByteArray> lines = readFile(censusRaw()).split('\n');
    QByteArray train = lines[0] + '\n';
    QByteArray test = lines[0] + '\n';
    for (int i = 1; i <= 5000; ++i)
        (i <= 3000 ? train : test) += lines[i] + '\n';
    writeFile(dir, QStringLiteral("data/train.csv"), train);
    writeFile(dir, QStringLiteral("data/test.csv"), test);
    writeFile(dir, QStringLiteral("params.yaml"),
              "data:\n  schema: data/census.schema.yaml\n  train: data/train.csv\n  test: data/test.csv\n"
              "model:\n  learner: logistic\n  seed: 42\n  threshold: tune\n  log1p: none\n"
              "  mlp: {epochs: 200, hidden1: 64, hidden2: 32}\n");
    if (!withModel)
        return;
    const Audit::TrainParams params = Audit::TrainParams::fromYamlFile(dir.filePath(QStringLiteral("params.yaml")));
    const Audit::Schema schema = Audit::Schema::fromYamlFile(params.schemaPath);
    const Audit::Dataset data = Audit::CsvReader::read(params.trainPath, schema).data;
    Audit::trainModel(data, params).save(dir.filePath(QStringLiteral("models/model.bin")));
}

// Replaces the project's model section (`modelYaml`: indented lines under "model:", seed 42
// and log1p none are set) so a test can train the same params through two front ends.
inline void writeModelParams(const QTemporaryDir &dir, const QByteArray &modelYaml)
{
    writeFile(dir, QStringLiteral("params.yaml"),
              "data:\n  schema: data/census.schema.yaml\n  train: data/train.csv\n  test: data/test.csv\n"
              "model:\n  seed: 42\n  log1p: none\n"
                  + modelYaml);
}

// Runs `modelaudit-cli train --data data/train.csv --out models/cli.bin` in the project and
// returns the md5 of the file it wrote; empty with `error` set when the command failed.
inline QString cliTrainMd5(const QTemporaryDir &dir, QString &error)
{
    QProcess cli;
    cli.setWorkingDirectory(dir.path());
    cli.start(QStringLiteral(CLI_BINARY),
              {QStringLiteral("train"), QStringLiteral("--data"), QStringLiteral("data/train.csv"), QStringLiteral("--out"),
               QStringLiteral("models/cli.bin")});
    if (!cli.waitForFinished(60000) || cli.exitCode() != 0) {
        error = QString::fromLocal8Bit(cli.readAllStandardError());
        return {};
    }
    const QByteArray bytes = readFile(dir.filePath(QStringLiteral("models/cli.bin")));
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex());
}

} // namespace TestUtil
