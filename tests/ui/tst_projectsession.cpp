#include <QtTest>

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>

#include "evaluation.h"
#include "projectfixture.h"
#include "projectsession.h"
#include "testutil.h"

using Ui::ProjectSession;

// The GUI's background state, without widgets: loading, scored CSVs, coalesced audits.
class TestProjectSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void projectWithoutModel_loadsDataAndSaysWhy();
    void scoredCsv_auditsWithoutAModel();
    void scoredCsv_sameJsonAsTheCli_data();
    void scoredCsv_sameJsonAsTheCli();
    void manyThresholdChanges_endAtTheLast();
    void train_sameModelFileAsTheCli_data();
    void train_sameModelFileAsTheCli();
};

void TestProjectSession::projectWithoutModel_loadsDataAndSaysWhy()
{
    QTemporaryDir dir;
    TestUtil::makeProject(dir, false);
    ProjectSession session;
    QSignalSpy loaded(&session, &ProjectSession::projectLoaded);
    session.openProject(dir.path());
    QVERIFY(session.isBusy());
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 30000);
    QTRY_VERIFY(!session.isBusy());
    QVERIFY(!session.project().model);
    QVERIFY(session.project().modelProblem.contains(QStringLiteral("no such model file")));
    QCOMPARE(int(session.project().data->rowCount()), 2000);
    QVERIFY(!session.project().scored);
    QVERIFY(!session.results());
}

void TestProjectSession::scoredCsv_auditsWithoutAModel()
{
    QTemporaryDir dir;
    TestUtil::makeProject(dir);
    const Audit::Model model = Audit::Model::load(dir.filePath(QStringLiteral("models/model.bin")));
    Audit::predictCsv(model, dir.filePath(QStringLiteral("data/test.csv")), dir.filePath(QStringLiteral("scored.csv")));

    ProjectSession session;
    Audit::ScoredCsvOptions options;
    options.attributes = {QStringLiteral("race"), QStringLiteral("sex")};
    options.threshold = model.threshold();
    session.openScoredCsv(dir.filePath(QStringLiteral("scored.csv")), options);
    QTRY_VERIFY_WITH_TIMEOUT(session.results() && !session.isBusy(), 30000);
    QVERIFY(!session.project().model);
    QCOMPARE(int(session.project().scored->rowCount()), 2000);
    const Audit::AuditResults *r = session.results();
    QVERIFY(r->bias);
    QCOMPARE(r->bias->options.method, Audit::ReferenceMethod::Majority);
    QCOMPARE(r->bias->attributes[0].reference, QStringLiteral("White"));
    // Same numbers as scoring the data with the model directly.
    const Audit::Dataset data = Audit::CsvReader::read(dir.filePath(QStringLiteral("data/test.csv")), model.schema()).data;
    const Audit::BinaryMetrics direct = Audit::computeMetrics(model.score(data), data.labels, model.threshold());
    QCOMPARE(r->metrics.confusion.tp, direct.confusion.tp);
    QCOMPARE(r->metrics.confusion.fp, direct.confusion.fp);

    QSignalSpy errors(&session, &ProjectSession::errorOccurred);
    options.scoreColumn = QStringLiteral("probability");
    session.openScoredCsv(dir.filePath(QStringLiteral("scored.csv")), options);
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 30000);
    QVERIFY(errors.front().front().toString().contains(QStringLiteral("the score column \"probability\" is absent")));
    QCOMPARE(int(session.project().scored->rowCount()), 2000); // still the previous data

    // Options the audit refuses (here 0 bins; too many slices likewise) are said, and the
    // views keep the results they had.
    const std::size_t slicesBefore = session.results()->slices->slices.size();
    Audit::SliceOptions bad = session.sliceOptions();
    bad.bins = 0;
    session.setSliceOptions(bad);
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 2, 30000);
    QVERIFY2(errors.back().front().toString().contains(QStringLiteral("slice bins = 0")),
             qPrintable(errors.back().front().toString()));
    QVERIFY(errors.back().front().toString().contains(QStringLiteral("keep the results from before")));
    QTRY_VERIFY_WITH_TIMEOUT(!session.isBusy(), 30000);
    QCOMPARE(session.results()->slices->slices.size(), slicesBefore);
}

void TestProjectSession::scoredCsv_sameJsonAsTheCli_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("columnsFlag");
    QTest::newRow("bias") << QStringLiteral("bias") << QStringLiteral("--attributes");
    QTest::newRow("slices") << QStringLiteral("slices") << QStringLiteral("--features");
}

void TestProjectSession::scoredCsv_sameJsonAsTheCli()
{
    // The GUI (File > Open scored CSV: ProjectSession::openScoredCsv) and `modelaudit-cli bias|slices
    // --scores` audit the same scored CSV through the workflow layer: the JSON is the same, byte for
    // byte (same verdicts, same reference groups, same digits).
    QFETCH(QString, command);
    QFETCH(QString, columnsFlag);
    QTemporaryDir dir;
    TestUtil::makeProject(dir);
    const Audit::Model model = Audit::Model::load(dir.filePath(QStringLiteral("models/model.bin")));
    const QString scored = dir.filePath(QStringLiteral("scored.csv"));
    Audit::predictCsv(model, dir.filePath(QStringLiteral("data/test.csv")), scored);
    const double threshold = 0.4321;

    ProjectSession session;
    Audit::ScoredCsvOptions options;
    options.attributes = {QStringLiteral("race"), QStringLiteral("sex")};
    options.threshold = threshold;
    session.openScoredCsv(scored, options);
    QTRY_VERIFY_WITH_TIMEOUT(session.results() && !session.isBusy(), 30000);
    const Audit::AuditResults *r = session.results();
    QVERIFY(r->bias && r->slices);
    const QJsonObject guiJson = command == QLatin1String("bias") ? r->bias->toJson() : r->slices->toJson();
    const QByteArray gui = QJsonDocument(guiJson).toJson(QJsonDocument::Indented);

    QProcess cli;
    cli.setWorkingDirectory(dir.path());
    const QString out = dir.filePath(command + QStringLiteral(".json"));
    cli.start(QStringLiteral(CLI_BINARY),
              {command, QStringLiteral("--scores"), scored, QStringLiteral("--threshold"), QString::number(threshold),
               columnsFlag, QStringLiteral("race,sex"), QStringLiteral("--out"), out});
    QVERIFY(cli.waitForFinished(60000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    const QByteArray fromCli = TestUtil::readFile(out);
    QVERIFY(gui.size() > 1000);
    QCOMPARE(gui, fromCli);
}

void TestProjectSession::manyThresholdChanges_endAtTheLast()
{
    QTemporaryDir dir;
    TestUtil::makeProject(dir);
    ProjectSession session;
    session.openProject(dir.path());
    QTRY_VERIFY_WITH_TIMEOUT(session.results() && !session.isBusy(), 30000);
    QSignalSpy changed(&session, &ProjectSession::resultsChanged);
    for (int i = 1; i <= 50; ++i)
        session.setThreshold(i / 100.0);
    QTRY_VERIFY_WITH_TIMEOUT(!session.isBusy(), 30000);
    QCOMPARE(session.results()->threshold, 0.5);
    QVERIFY(changed.count() >= 1);
    QVERIFY(changed.count() < 50); // coalesced, not one audit per change
}

void TestProjectSession::train_sameModelFileAsTheCli_data()
{
    QTest::addColumn<QByteArray>("model");
    QTest::newRow("logistic, tuned threshold") << QByteArray("  learner: logistic\n  threshold: tune\n");
    QTest::newRow("linear_svm, fixed threshold") << QByteArray("  learner: linear_svm\n  threshold: 0.4567\n");
    QTest::newRow("random_forest, out-of-bag threshold")
        << QByteArray("  learner: random_forest\n  random_forest: {trees: 5, min_leaf: 20, feature_fraction: 0.125}\n");
}

void TestProjectSession::train_sameModelFileAsTheCli()
{
    // The GUI's Train (ProjectSession::train on the project's params) and `modelaudit-cli
    // train` on the same data and params.yaml write the same model file, byte for byte.
    QFETCH(QByteArray, model);
    QTemporaryDir dir;
    TestUtil::makeProject(dir, false);
    TestUtil::writeModelParams(dir, model);
    ProjectSession session;
    session.openProject(dir.path());
    QTRY_VERIFY_WITH_TIMEOUT(!session.isBusy() && session.project().data, 30000);
    QSignalSpy finished(&session, &ProjectSession::trainingFinished);
    session.train(session.project().params);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QVERIFY2(finished.front().front().toBool(), qPrintable(finished.front().back().toString()));
    QTRY_VERIFY(!session.isBusy());
    const QByteArray gui = session.project().model->serialize();

    QString error;
    const QString fromCli = TestUtil::cliTrainMd5(dir, error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(QString::fromLatin1(QCryptographicHash::hash(gui, QCryptographicHash::Md5).toHex()), fromCli);
    QCOMPARE(session.project().model->md5(), fromCli);
}

QTEST_GUILESS_MAIN(TestProjectSession)
#include "tst_projectsession.moc"
