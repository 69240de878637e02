#include <QtTest>

#include <QDoubleSpinBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>

#include "biastab.h"
#include "dvcworkspace.h"
#include "fileio.h"
#include "mainwindow.h"
#include "mitigationdialog.h"
#include "pipelinerunner.h"
#include "predicttab.h"
#include "projectfixture.h"
#include "projectsession.h"
#include "serverpanel.h"
#include "testutil.h"

using Ui::MainWindow;

// One working threshold, visible everywhere: the chip says when it differs from the model's,
// Reset goes back, Save to model writes params.yaml, re-runs the pipeline (dvc.lock stays true)
// and the embedded server then decides at the saved threshold.
class TestThresholdSave : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_project;
    std::unique_ptr<MainWindow> m_window;

    void waitIdle() { QTRY_VERIFY_WITH_TIMEOUT(!m_window->session()->isBusy(), 120000); }
    QJsonObject post(quint16 port, const QJsonObject &record);

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void chip_saysWhenWorkingAndModelDiffer();
    void saveToModel_paramsPipelineAndServerAgree();
    void groupThresholds_appliedEverywhereThenRemoved();
    void filesChangedOnDisk_reloadOrOfferIt();
};

QJsonObject TestThresholdSave::post(quint16 port, const QJsonObject &record)
{
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/predict").arg(port)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    QNetworkReply *reply = network.post(request, QJsonDocument(record).toJson());
    [&] { QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10000); }();
    reply->deleteLater();
    return QJsonDocument::fromJson(reply->readAll()).object();
}

void TestThresholdSave::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ModelAuditTest"));
    QStandardPaths::setTestModeEnabled(true);
    TestUtil::makeProject(m_project, false);
    // A one-stage pipeline: train from params.yaml, as the bundled dvc.yaml does.
    TestUtil::writeFile(m_project, QStringLiteral("dvc.yaml"),
                        "stages:\n  train:\n    cmd: modelaudit-cli train --data data/train.csv --params params.yaml --out "
                        "models/model.bin\n    deps:\n    - data/train.csv\n    params:\n    - model\n    outs:\n    - "
                        "models/model.bin\n");
    Audit::ReproOptions options;
    options.toolDir = QFileInfo(QStringLiteral(CLI_BINARY)).absolutePath();
    options.updateLock = true;
    options.output = [](const QByteArray &, bool) {};
    QVERIFY(Audit::PipelineRunner(m_project.path()).repro(options).ok());
    m_window = std::make_unique<MainWindow>(m_project.path());
    m_window->resize(1280, 800);
    m_window->show();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->results() != nullptr, 60000);
    waitIdle();
}

void TestThresholdSave::cleanupTestCase()
{
    m_window.reset();
}

void TestThresholdSave::chip_saysWhenWorkingAndModelDiffer()
{
    Ui::ProjectSession *session = m_window->session();
    const double stored = session->project().model->threshold();
    QCOMPARE(session->threshold(), stored);
    QVERIFY(m_window->thresholdChip()->isVisible());
    QCOMPARE(m_window->thresholdChip()->text(), QStringLiteral("= model threshold"));
    QVERIFY(!m_window->resetThresholdButton()->isEnabled());
    QVERIFY(!m_window->saveThresholdButton()->isEnabled());
    // The spin box shows the model's threshold at 4 decimals, as the chip does.
    QCOMPARE(m_window->thresholdBox()->text(), QString::number(stored, 'f', 4));

    m_window->thresholdBox()->setValue(0.61);
    waitIdle();
    QCOMPARE(session->threshold(), 0.61);
    QCOMPARE(m_window->thresholdChip()->text(), QStringLiteral("working <b>0.6100</b> · model %1").arg(stored, 0, 'f', 4));
    QVERIFY(m_window->resetThresholdButton()->isEnabled());
    QVERIFY(m_window->saveThresholdButton()->isEnabled());
    QCOMPARE(session->results()->threshold, 0.61);

    m_window->resetThresholdButton()->click();
    waitIdle();
    QCOMPARE(session->threshold(), stored);
    QCOMPARE(session->results()->threshold, stored);
    QCOMPARE(m_window->thresholdChip()->text(), QStringLiteral("= model threshold"));
}

void TestThresholdSave::saveToModel_paramsPipelineAndServerAgree()
{
    Ui::ProjectSession *session = m_window->session();
    m_window->showTab(MainWindow::Tab::Predict);
    Ui::ServerPanel *server = m_window->predictTab()->server();
    server->portBox()->setValue(0);
    server->toggleButton()->click();
    QVERIFY(server->isRunning());

    // A record from the data, as a client sends it: the schema's columns, numbers as numbers.
    const Audit::Dataset &data = *session->project().data;
    const QList<QByteArray> lines = TestUtil::readFile(m_project.filePath(QStringLiteral("data/test.csv"))).split('\n');
    QStringList header;
    for (const QByteArray &name : lines[0].split(','))
        header << QString::fromUtf8(name).trimmed();
    const QList<QByteArray> row = lines[1].split(',');
    QCOMPARE(row.size(), header.size());
    QJsonObject record;
    for (const Audit::ColumnSpec &spec : data.schema.features()) {
        QVERIFY2(header.contains(spec.name), qPrintable(spec.name));
        const QString value = QString::fromUtf8(row[header.indexOf(spec.name)]).trimmed();
        record.insert(spec.name, spec.isNumeric() ? QJsonValue(value.toDouble()) : QJsonValue(value));
    }
    const double before = session->project().model->threshold();
    QCOMPARE(post(server->port(), record).value(QStringLiteral("threshold")).toDouble(), before);

    m_window->thresholdBox()->setValue(0.6123);
    waitIdle();
    m_window->saveThresholdToModel(false);
    QVERIFY(session->isBusy());
    waitIdle();

    QCOMPARE(session->project().model->threshold(), 0.6123);
    QCOMPARE(session->modelThreshold(), 0.6123);
    QCOMPARE(session->threshold(), 0.6123);
    QCOMPARE(m_window->thresholdChip()->text(), QStringLiteral("= model threshold"));
    QVERIFY(TestUtil::readFile(m_project.filePath(QStringLiteral("params.yaml"))).contains("  threshold: 0.6123\n"));
    QVERIFY(Audit::PipelineRunner::compareWithLock(m_project.path(),
                                                   TestUtil::readFile(m_project.filePath(QStringLiteral("dvc.lock"))))
                .isEmpty());
    QVERIFY(Audit::workspaceStatus(m_project.path()).upToDate());
    // The server swapped to the saved model: its answers carry the new threshold.
    const QJsonObject answer = post(server->port(), record);
    QCOMPARE(answer.value(QStringLiteral("threshold")).toDouble(), 0.6123);
    QCOMPARE(answer.value(QStringLiteral("model")).toString(), session->project().model->id());
    server->toggleButton()->click();
}

void TestThresholdSave::groupThresholds_appliedEverywhereThenRemoved()
{
    Ui::ProjectSession *session = m_window->session();
    const QString modelPath = m_project.filePath(QStringLiteral("models/model.bin"));
    const QByteArray original = TestUtil::readFile(modelPath);
    Ui::MitigationDialog *dialog = m_window->biasTab()->mitigationDialog();
    dialog->setRequest(QStringLiteral("sex"), Audit::FairnessConstraint::EqualOpportunity,
                       Audit::Objective::parse(QStringLiteral("f1")), Ui::MitigationDialog::Rows::CrossValidated);
    dialog->compute();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isRunning(), 120000);
    QVERIFY2(dialog->run().has_value(), qPrintable(dialog->messageText()));
    QVERIFY(dialog->applyButton()->isEnabled());
    QVERIFY(!dialog->removeButton()->isVisibleTo(dialog));
    const int picked = dialog->picked();
    const Audit::ParetoPoint point = dialog->run()->pareto[std::size_t(picked)];

    // This project's dvc.yaml does not list the mitigation params: refused, nothing changed.
    const QByteArray params = TestUtil::readFile(m_project.filePath(QStringLiteral("params.yaml")));
    dialog->applyPicked(false);
    waitIdle();
    QVERIFY2(m_window->errorText().contains(QStringLiteral("no stage lists the `mitigation` params")),
             qPrintable(m_window->errorText()));
    QTRY_VERIFY2(dialog->messageText().startsWith(QStringLiteral("Nothing changed")), qPrintable(dialog->messageText()));
    QCOMPARE(TestUtil::readFile(m_project.filePath(QStringLiteral("params.yaml"))), params);
    QCOMPARE(TestUtil::readFile(modelPath), original);

    TestUtil::writeFile(m_project, QStringLiteral("dvc.yaml"),
                        "stages:\n  train:\n    cmd: modelaudit-cli train --data data/train.csv --params params.yaml --out "
                        "models/model.bin\n    deps:\n    - data/train.csv\n    params:\n    - model\n    - mitigation\n"
                        "    outs:\n    - models/model.bin\n");
    dialog->applyPicked(false);
    QVERIFY(session->isBusy());
    waitIdle();
    QTRY_VERIFY_WITH_TIMEOUT(session->decidesByGroup(), 20000);
    QTRY_VERIFY2(dialog->messageText().startsWith(QStringLiteral("Applied: model ")), qPrintable(dialog->messageText()));
    const Audit::Model &model = *session->project().model;
    QCOMPARE(model.formatVersion(), quint32(3));
    QVERIFY(TestUtil::readFile(m_project.filePath(QStringLiteral("params.yaml"))).contains("  constraint: equal_opportunity\n"));
    QVERIFY(Audit::workspaceStatus(m_project.path()).upToDate());
    // The thresholds training fitted are the ones the dialog showed, and the audit decides with them.
    for (std::size_t g = 0; g < point.fitted.rules.size(); ++g)
        QCOMPARE(model.groupThresholds().groups[g].threshold(), point.fitted.rules[g].threshold);
    QCOMPARE(double(session->results()->metrics.confusion.tp), point.after.overall.tp);
    QCOMPARE(double(session->results()->metrics.confusion.fp), point.after.overall.fp);
    // One threshold to move no longer exists: the slider and Optimise are off, the chip shows the groups.
    QVERIFY(!m_window->thresholdSlider()->isEnabled());
    QVERIFY(!m_window->optimiseButton()->isEnabled());
    QVERIFY2(m_window->thresholdChip()->text().startsWith(QStringLiteral("by <b>sex</b>: ")),
             qPrintable(m_window->thresholdChip()->text()));
    session->setThreshold(0.9); // refused: the model's decision stays
    waitIdle();
    QCOMPARE(session->threshold(), session->modelThreshold());
    QVERIFY(dialog->removeButton()->isVisibleTo(dialog));

    // The embedded server needs the attribute now and answers with each record's group threshold.
    m_window->showTab(MainWindow::Tab::Predict);
    Ui::ServerPanel *server = m_window->predictTab()->server();
    server->portBox()->setValue(0);
    server->toggleButton()->click();
    QVERIFY(server->isRunning());
    const Audit::Dataset &data = *session->project().data;
    QJsonObject record;
    for (std::size_t c = 0; c < data.columns.size(); ++c) {
        const Audit::DataColumn &column = data.columns[c];
        record.insert(column.spec.name,
                      column.spec.isNumeric()
                          ? QJsonValue(column.numbers[0])
                          : QJsonValue(QString::fromStdString(column.categories[std::size_t(column.codes[0])])));
    }
    const int group = model.groupThresholds().groupIndex(record.value(QStringLiteral("sex")).toString().toStdString());
    QVERIFY(group >= 0);
    QCOMPARE(post(server->port(), record).value(QStringLiteral("threshold")).toDouble(),
             model.groupThresholds().groups[std::size_t(group)].threshold());
    record.remove(QStringLiteral("sex"));
    QVERIFY(post(server->port(), record)
                .value(QStringLiteral("detail"))
                .toArray()
                .first()
                .toObject()
                .value(QStringLiteral("msg"))
                .toString()
                .contains(QStringLiteral("decides with thresholds by sex")));
    server->toggleButton()->click();

    // Removed: the pipeline gives back the model it had, byte for byte.
    dialog->removeFromModel(false);
    waitIdle();
    QTRY_VERIFY_WITH_TIMEOUT(!session->decidesByGroup(), 20000);
    QTRY_VERIFY2(dialog->messageText().startsWith(QStringLiteral("Removed: model ")), qPrintable(dialog->messageText()));
    QCOMPARE(TestUtil::readFile(modelPath), original);
    QVERIFY(m_window->thresholdSlider()->isEnabled());
    QVERIFY(m_window->optimiseButton()->isEnabled());
    QCOMPARE(m_window->thresholdChip()->text(), QStringLiteral("= model threshold"));
}

void TestThresholdSave::filesChangedOnDisk_reloadOrOfferIt()
{
    // "After the pipeline replaced models/model.bin the status bar still named the old model":
    // now the window watches the files it loaded from.
    Ui::ProjectSession *session = m_window->session();
    const QString modelPath = m_project.filePath(QStringLiteral("models/model.bin"));
    const QString firstId = session->project().model->id();
    QSignalSpy loaded(session, &Ui::ProjectSession::projectLoaded);

    // The same bytes written again (an atomic save that reproduced the file): no change, no reload.
    const QByteArray bytes = TestUtil::readFile(modelPath);
    Audit::writeFileAtomically(modelPath, bytes);
    QTest::qWait(1500);
    QCOMPARE(loaded.count(), 0);

    // Another model written by the CLI while nothing is being edited: reloaded by itself.
    const auto train = [this](const char *learner) {
        TestUtil::writeModelParams(m_project, QByteArray("  learner: ") + learner + "\n  threshold: 0.45\n");
        QProcess cli;
        cli.setWorkingDirectory(m_project.path());
        cli.start(QStringLiteral(CLI_BINARY),
                  {QStringLiteral("train"), QStringLiteral("--data"), QStringLiteral("data/train.csv"), QStringLiteral("--out"),
                   QStringLiteral("models/model.bin")});
        return cli.waitForFinished(60000) && cli.exitCode() == 0;
    };
    QVERIFY(train("linear_svm"));
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 20000);
    waitIdle();
    QVERIFY(session->project().model->id() != firstId);
    QCOMPARE(session->project().model->threshold(), 0.45);
    QVERIFY(!m_window->reloadBanner()->isVisible());

    // While the working threshold is unsaved, a change is offered, not forced.
    m_window->thresholdBox()->setValue(0.3);
    waitIdle();
    const int before = int(loaded.count());
    const QString secondId = session->project().model->id();
    QVERIFY(train("logistic"));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->reloadBanner()->isVisible(), 20000);
    QCOMPARE(int(loaded.count()), before);
    QCOMPARE(session->project().model->id(), secondId);
    QCOMPARE(session->threshold(), 0.3);
    QVERIFY(m_window->reloadBanner()->findChild<QLabel *>()->text().contains(QStringLiteral("models")));
    m_window->reloadBanner()->findChild<QPushButton *>(QStringLiteral("reloadButton"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(int(loaded.count()) > before, 20000);
    waitIdle();
    QVERIFY(session->project().model->id() != secondId);
    QVERIFY(!m_window->reloadBanner()->isVisible());

    // A pipeline run deletes the model, then writes it again a few seconds later (as `repro`
    // does): no reload while it is gone, one reload with the new model once it is back.
    const QString thirdId = session->project().model->id();
    const int beforeRun = int(loaded.count());
    QVERIFY(QFile::remove(modelPath));
    QTest::qWait(2500);
    QCOMPARE(int(loaded.count()), beforeRun);
    QVERIFY(train("random_forest"));
    QTRY_VERIFY_WITH_TIMEOUT(int(loaded.count()) > beforeRun, 20000);
    waitIdle();
    QVERIFY(session->project().model != nullptr);
    QVERIFY(session->project().model->id() != thirdId);
}

QTEST_MAIN(TestThresholdSave)
#include "tst_thresholdsave.moc"
