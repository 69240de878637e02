#include <QtTest>

#include <QCryptographicHash>
#include <QProcess>

#include <yaml-cpp/yaml.h>

#include "dvcworkspace.h"
#include "testutil.h"

// The committed dvc.lock is true: in a temporary copy of the repository's inputs, every
// stage's cmd from dvc.yaml, run in order, produces outputs whose md5 and size are exactly
// the ones dvc.lock records.
class TestPipeline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stagesReproduceTheLockByteForByte();
};

void TestPipeline::stagesReproduceTheLockByteForByte()
{
    QTemporaryDir copy;
    for (const char *file :
         {"data/raw/census.csv", "data/census.schema.yaml", "params.yaml", "dvc.yaml", "dvc.lock", "model_card.md"}) {
        QDir(copy.path()).mkpath(QFileInfo(copy.filePath(QLatin1String(file))).path());
        QVERIFY2(QFile::copy(TestUtil::projectFile(QLatin1String(file)), copy.filePath(QLatin1String(file))), file);
    }
    QDir(copy.path()).mkpath(QStringLiteral("build"));
    QVERIFY(QFile::link(QFileInfo(QStringLiteral(CLI_BINARY)).absolutePath(), copy.filePath(QStringLiteral("build/bin"))));

    const YAML::Node pipeline = YAML::LoadFile(copy.filePath(QStringLiteral("dvc.yaml")).toStdString());
    const YAML::Node lock = YAML::LoadFile(copy.filePath(QStringLiteral("dvc.lock")).toStdString());
    QCOMPARE(QString::fromStdString(lock["schema"].as<std::string>()), QStringLiteral("2.0"));
    int outputs = 0;
    for (const auto &stage : pipeline["stages"]) {
        const QString name = QString::fromStdString(stage.first.as<std::string>());
        const QString cmd = QString::fromStdString(stage.second["cmd"].as<std::string>());
        QCOMPARE(QString::fromStdString(lock["stages"][name.toStdString()]["cmd"].as<std::string>()), cmd);
        QProcess process;
        process.setWorkingDirectory(copy.path());
        process.start(QStringLiteral("bash"), {QStringLiteral("-c"), cmd});
        QVERIFY(process.waitForFinished(300000));
        QVERIFY2(process.exitCode() == 0,
                 qPrintable(name + QLatin1String(": ") + QString::fromUtf8(process.readAllStandardError())));
        for (const YAML::Node &out : lock["stages"][name.toStdString()]["outs"]) {
            const QString path = QString::fromStdString(out["path"].as<std::string>());
            const QByteArray bytes = TestUtil::readFile(copy.filePath(path));
            QVERIFY2(!bytes.isEmpty(), qPrintable(path));
            QCOMPARE(QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex()),
                     QString::fromStdString(out["md5"].as<std::string>()));
            QCOMPARE(bytes.size(), qsizetype(out["size"].as<long long>()));
            ++outputs;
        }
    }
    QCOMPARE(outputs, 11);
    // And the status reader agrees: every stage and artifact is up to date.
    const Audit::WorkspaceStatus status = Audit::workspaceStatus(copy.path());
    QVERIFY2(status.upToDate(), qPrintable(status.toText()));
    QCOMPARE(status.artifacts.size(), 13);
}

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
