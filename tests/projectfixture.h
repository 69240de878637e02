#pragma once

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

} // namespace TestUtil
