#include <QtTest>

#include <QBarSet>
#include <QChartView>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDoubleSpinBox>
#include <QListWidget>
#include <QPushButton>
#include <QSlider>
#include <QTableWidget>

#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>

#include "biastab.h"
#include "biastablemodel.h"
#include "heatmapwidget.h"
#include "mainwindow.h"
#include "performancetab.h"
#include "prediction.h"
#include "predicttab.h"
#include "projectfixture.h"
#include "projectsession.h"
#include "projecttab.h"
#include "serverpanel.h"
#include "slicestab.h"
#include "slicetablemodel.h"
#include "testutil.h"
#include "traintab.h"
#include "viewutil.h"

using Ui::MainWindow;

// The window on a real project (census rows, a trained model): every tab shows what core
// computes, the threshold updates the views, selections stay in sync, bad input keeps the
// open project, and a cancelled training keeps the old model.
class TestMainWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_project;
    std::unique_ptr<MainWindow> m_window;

    void waitIdle() { QTRY_VERIFY_WITH_TIMEOUT(!m_window->session()->isBusy(), 60000); }

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void open_everyTabShowsCoreResults();
    void thresholdSlider_changesEveryView();
    void slices_chartAndTableSelectionsSync();
    void slices_heatmapShowsPairs();
    void bias_chartMarksExactlyTheFailingGroups();
    void bias_pickersRecompute();
    void predict_formAndWhatIf();
    void badFile_showsErrorAndKeepsData();
    void training_cancelKeepsModel_finishReplacesIt();
    void export_chartAndTable();
    void server_toggleServesTheLoadedModel();
    void trainTab_sameModelFileAsTheCli_data();
    void trainTab_sameModelFileAsTheCli();
    void server_stopWhileRequestsInFlight_countsWhatWasServed();
};

void TestMainWindow::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ModelAuditTest"));
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    TestUtil::makeProject(m_project);
    m_window = std::make_unique<MainWindow>(m_project.path());
    m_window->resize(1300, 850);
    m_window->show();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->results() != nullptr, 60000);
    waitIdle();
}

void TestMainWindow::cleanupTestCase()
{
    m_window.reset();
}

void TestMainWindow::open_everyTabShowsCoreResults()
{
    const Ui::LoadedProject &p = m_window->session()->project();
    QVERIFY(p.model);
    QCOMPARE(int(p.data->rowCount()), 2000);
    QVERIFY(m_window->statusText().contains(p.model->id()));
    QVERIFY(m_window->statusText().contains(QStringLiteral("2,000 rows")));
    QCOMPARE(m_window->projectTab()->previewView()->model()->rowCount(), 2000);

    const Audit::AuditResults *r = m_window->session()->results();
    QCOMPARE(m_window->performanceTab()->metricText(QStringLiteral("f1")), QString::number(r->metrics.f1, 'f', 4));
    QCOMPARE(m_window->performanceTab()->metricText(QStringLiteral("roc_auc")), QString::number(r->metrics.rocAuc, 'f', 4));
    QVERIFY(r->metrics.rocAuc > 0.85);

    Ui::SlicesTab *slices = m_window->slicesTab();
    QCOMPARE(slices->model()->rowCount(), int(r->slices->slices.size()));
    QVERIFY(slices->model()->rowCount() > 100);
    QCOMPARE(slices->weakList()->count() > 0, true);
    QVERIFY(!slices->barSlices().empty());

    Ui::BiasTab *bias = m_window->biasTab();
    QVERIFY(r->bias);
    QCOMPARE(bias->attributeBox()->count(), 2); // race and sex from the schema
    QCOMPARE(bias->verdicts()->columnCount(), 3);
    QCOMPARE(bias->verdicts()->rowCount(), int(Audit::kParityCount));
    QVERIFY(m_window->predictTab()->resultText().contains(QStringLiteral("salary")));
    QVERIFY(m_window->errorText().isEmpty());
}

void TestMainWindow::thresholdSlider_changesEveryView()
{
    const QString f1Before = m_window->performanceTab()->metricText(QStringLiteral("f1"));
    const QString predictionBefore = m_window->predictTab()->resultText();
    m_window->thresholdSlider()->setValue(900);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->session()->results()->threshold, 0.9, 10000);
    waitIdle();
    const Audit::AuditResults *r = m_window->session()->results();
    QCOMPARE(r->slices->threshold, 0.9);
    QCOMPARE(r->bias->threshold, 0.9);
    QVERIFY(m_window->performanceTab()->metricText(QStringLiteral("f1")) != f1Before);
    QCOMPARE(m_window->performanceTab()->metricText(QStringLiteral("threshold")), QStringLiteral("0.900"));
    QVERIFY(m_window->predictTab()->resultText().contains(QStringLiteral("threshold 0.900")));
    QVERIFY(m_window->predictTab()->resultText() != predictionBefore);
    // Recomputed by core at 0.9: the views show those numbers.
    const Audit::BinaryMetrics expected = Audit::computeMetrics(m_window->session()->project().scored->scores,
                                                                m_window->session()->project().scored->labels, 0.9);
    QCOMPARE(r->metrics.f1, expected.f1);
    m_window->thresholdSlider()->setValue(int(std::lround(m_window->session()->project().model->threshold() * 1000)));
    waitIdle();
}

void TestMainWindow::slices_chartAndTableSelectionsSync()
{
    m_window->showTab(MainWindow::Tab::Slices);
    Ui::SlicesTab *tab = m_window->slicesTab();
    tab->featureBox()->setCurrentText(QStringLiteral("education"));
    QTRY_VERIFY(tab->bars() && tab->bars()->count() == int(tab->barSlices().size()));
    QVERIFY(tab->bars()->count() >= 10);
    // Bar → table: clicking bar 2 selects its slice's row.
    Q_EMIT tab->bars()->clicked(2);
    QCOMPARE(tab->selectedSlice(), tab->barSlices()[2]);
    const Audit::SliceRow &row = tab->model()->report()->slices[std::size_t(tab->selectedSlice())];
    QCOMPARE(row.feature(), QStringLiteral("education"));
    // Table → bar: selecting another education row highlights its bar.
    tab->selectSlice(tab->barSlices()[4]);
    QVERIFY(tab->bars()->isBarSelected(4));
    QVERIFY(!tab->bars()->isBarSelected(2));
    // A row of another feature switches the chart to that feature.
    tab->selectSlice(tab->barSlices().front() == 0 ? 5 : 0);
    QVERIFY(tab->featureBox()->currentText() != QStringLiteral("education") || tab->selectedSlice() == 0);
}

void TestMainWindow::slices_heatmapShowsPairs()
{
    Ui::SlicesTab *tab = m_window->slicesTab();
    QVERIFY(tab->heatmap()->cellCount() > 0);
    int clicked = -1;
    connect(tab->heatmap(), &Ui::HeatmapWidget::sliceClicked, this, [&clicked](int i) { clicked = i; });
    Q_EMIT tab->heatmap()->sliceClicked(tab->barSlices().front());
    QCOMPARE(clicked, tab->barSlices().front());
    QCOMPARE(tab->selectedSlice(), clicked);
}

void TestMainWindow::bias_chartMarksExactlyTheFailingGroups()
{
    m_window->showTab(MainWindow::Tab::Bias);
    Ui::BiasTab *tab = m_window->biasTab();
    const Audit::BiasReport &report = *m_window->session()->results()->bias;
    for (int a = 0; a < tab->attributeBox()->count(); ++a) {
        tab->attributeBox()->setCurrentIndex(a);
        for (Audit::BiasMetric metric : {Audit::BiasMetric::Fpr, Audit::BiasMetric::Ppr, Audit::BiasMetric::Tpr}) {
            tab->metricBox()->setCurrentIndex(int(metric));
            QStringList expected;
            for (const Audit::GroupMetrics &g : report.groups) {
                const Audit::Verdict v = g.parity(Audit::Parity(std::size_t(metric)));
                if (g.attribute == tab->attributeBox()->currentText() && v.has_value() && !*v)
                    expected << g.value;
            }
            QCOMPARE(tab->failingBars(), expected);
            QCOMPARE(tab->chartGroups().size(), tab->model()->rowCount());
        }
    }
}

void TestMainWindow::bias_pickersRecompute()
{
    Ui::BiasTab *tab = m_window->biasTab();
    tab->attributeBox()->setCurrentText(QStringLiteral("sex"));
    tab->tauBox()->setValue(0.5);
    Q_EMIT tab->tauBox()->editingFinished();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->session()->results()->bias->options.tau, 0.5, 10000);
    waitIdle();
    tab->tauBox()->setValue(0.8);
    Q_EMIT tab->tauBox()->editingFinished();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->session()->results()->bias->options.tau, 0.8, 10000);
    waitIdle();
}

void TestMainWindow::predict_formAndWhatIf()
{
    m_window->showTab(MainWindow::Tab::Predict);
    Ui::PredictTab *tab = m_window->predictTab();
    const Audit::Model &model = *m_window->session()->project().model;
    auto *age = qobject_cast<QDoubleSpinBox *>(tab->field(QStringLiteral("age")));
    QVERIFY(age);
    QCOMPARE(age->minimum(), model.encoder().columns()[0].minimum);
    auto *sex = qobject_cast<QComboBox *>(tab->field(QStringLiteral("sex")));
    QVERIFY(sex);
    QCOMPARE(sex->count(), 2);
    const Audit::Prediction expected = Audit::predictRecord(model, tab->record());
    QVERIFY(tab->resultText().contains(QString::number(expected.probability, 'f', 3)));
    sex->setCurrentIndex(1 - sex->currentIndex());
    const Audit::Prediction other = Audit::predictRecord(model, tab->record());
    QVERIFY(tab->resultText().contains(QString::number(other.probability, 'f', 3)));
    tab->whatIfBox()->setCurrentText(QStringLiteral("education"));
    QCOMPARE(tab->chartView()->chart()->series().size(), 2); // bars and the threshold line
}

void TestMainWindow::badFile_showsErrorAndKeepsData()
{
    const QString before = m_window->session()->project().model->id();
    const std::size_t rows = m_window->session()->project().data->rowCount();
    const QString bad = TestUtil::writeFile(m_project, QStringLiteral("broken.csv"), "age, workclass\n39, State-gov\n");
    m_window->session()->openDataset(bad, m_window->session()->project().params.schemaPath);
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->errorText().isEmpty(), 10000);
    QVERIFY2(m_window->errorText().contains(QStringLiteral("broken.csv:1: schema column \"fnlgt\" is absent")),
             qPrintable(m_window->errorText()));
    QCOMPARE(m_window->session()->project().model->id(), before);
    QCOMPARE(m_window->session()->project().data->rowCount(), rows);
    QCOMPARE(m_window->projectTab()->previewView()->model()->rowCount(), int(rows));

    QTemporaryDir empty;
    m_window->session()->openProject(empty.path());
    QTRY_VERIFY_WITH_TIMEOUT(m_window->errorText().contains(QStringLiteral("no params.yaml")), 10000);
    QCOMPARE(m_window->session()->project().dir, QDir(m_project.path()).absolutePath());
}

void TestMainWindow::training_cancelKeepsModel_finishReplacesIt()
{
    m_window->showTab(MainWindow::Tab::Train);
    Ui::TrainTab *tab = m_window->trainTab();
    const QString before = m_window->session()->project().model->id();
    tab->learnerBox()->setCurrentIndex(tab->learnerBox()->findText(QStringLiteral("mlp")));
    bool finished = false;
    bool succeeded = true;
    const auto connection = connect(m_window->session(), &Ui::ProjectSession::trainingFinished, this,
                                    [&](bool ok, const QString &) {
                                        finished = true;
                                        succeeded = ok;
                                    });
    QVERIFY(tab->trainButton()->isEnabled());
    tab->trainButton()->click();
    QVERIFY(m_window->session()->isTraining());
    QVERIFY(!tab->trainButton()->isEnabled());
    QVERIFY(tab->cancelButton()->isEnabled());
    QTest::qWait(300); // the window stays responsive while training runs
    tab->cancelButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(finished, 60000);
    QVERIFY(!succeeded);
    QCOMPARE(m_window->session()->project().model->id(), before);
    waitIdle();

    // A quick learner, trained to the end, replaces the model and the audit.
    finished = false;
    tab->learnerBox()->setCurrentIndex(tab->learnerBox()->findText(QStringLiteral("linear_svm")));
    tab->trainButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(finished, 60000);
    QVERIFY(succeeded);
    waitIdle();
    const Audit::Model &model = *m_window->session()->project().model;
    QVERIFY(model.id() != before);
    QCOMPARE(model.params().kind, Audit::LearnerKind::LinearSvm);
    QCOMPARE(m_window->session()->project().scored->modelId, model.id());
    disconnect(connection);
}

void TestMainWindow::export_chartAndTable()
{
    QTemporaryDir out;
    const QString png = out.filePath(QStringLiteral("roc.png"));
    const QString svg = out.filePath(QStringLiteral("roc.svg"));
    QCOMPARE(Ui::exportWidget(m_window->performanceTab()->rocView(), png), QString());
    QCOMPARE(Ui::exportWidget(m_window->performanceTab()->rocView(), svg), QString());
    QImage image(png);
    QVERIFY(image.width() > 100 && image.height() > 100);
    QVERIFY(TestUtil::readFile(svg).contains("<svg"));
    const QString csv = out.filePath(QStringLiteral("slices.csv"));
    QCOMPARE(Ui::exportTable(*m_window->slicesTab()->table()->model(), csv), QString());
    const QList<QByteArray> lines = TestUtil::readFile(csv).split('\n');
    QCOMPARE(lines.size() - 2, m_window->slicesTab()->table()->model()->rowCount());
    QVERIFY(lines[0].startsWith("Feature,Value,n,"));
    QVERIFY(!Ui::exportTable(*m_window->slicesTab()->table()->model(), QStringLiteral("/proc/nope/x.csv")).isEmpty());
}

void TestMainWindow::server_toggleServesTheLoadedModel()
{
    m_window->showTab(MainWindow::Tab::Predict);
    Ui::ServerPanel *server = m_window->predictTab()->server();
    server->portBox()->setValue(0);
    server->toggleButton()->click();
    QVERIFY(server->isRunning());
    QVERIFY(server->port() > 0);
    QNetworkAccessManager network;
    QNetworkReply *reply = network.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(server->port()))));
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10000);
    reply->deleteLater();
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(QJsonDocument::fromJson(reply->readAll()).object().value(QStringLiteral("model")).toString(),
             m_window->session()->project().model->id());
    QTRY_VERIFY(server->counterLabel()->text().contains(QStringLiteral("1 request")));
    QTRY_COMPARE(server->lastRequests()->count(), 1);
    QVERIFY(server->lastRequests()->item(0)->text().startsWith(QStringLiteral("GET / → 200")));
    const quint16 port = server->port();
    server->toggleButton()->click();
    QVERIFY(!server->isRunning());
    QNetworkReply *refused = network.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(port))));
    QTRY_VERIFY_WITH_TIMEOUT(refused->isFinished(), 10000);
    QCOMPARE(refused->error(), QNetworkReply::ConnectionRefusedError);
    refused->deleteLater();
}

void TestMainWindow::trainTab_sameModelFileAsTheCli_data()
{
    // Values the form's spin boxes cannot show exactly (2 decimals for the feature fraction,
    // 3 for the threshold, 4 for C, 5 for the learning rate) must still train the model
    // params.yaml describes, as `modelaudit-cli train` does.
    QTest::addColumn<QByteArray>("model");
    QTest::newRow("random_forest, feature_fraction 0.125")
        << QByteArray("  learner: random_forest\n  random_forest: {trees: 5, min_leaf: 20, feature_fraction: 0.125}\n");
    QTest::newRow("logistic, threshold 0.4567, c 0.123456")
        << QByteArray("  learner: logistic\n  threshold: 0.4567\n  logistic: {c: 0.123456, max_iterations: 50}\n");
    QTest::newRow("mlp, learning_rate 0.0000125")
        << QByteArray("  learner: mlp\n  mlp: {hidden1: 4, hidden2: 2, epochs: 1, learning_rate: 0.0000125}\n");
}

void TestMainWindow::trainTab_sameModelFileAsTheCli()
{
    QFETCH(QByteArray, model);
    QTemporaryDir dir;
    TestUtil::makeProject(dir, false);
    TestUtil::writeModelParams(dir, model);
    m_window->session()->openProject(dir.path());
    waitIdle();
    QCOMPARE(m_window->session()->project().dir, QDir(dir.path()).absolutePath());

    m_window->showTab(MainWindow::Tab::Train);
    Ui::TrainTab *tab = m_window->trainTab();
    QSignalSpy finished(m_window->session(), &Ui::ProjectSession::trainingFinished);
    tab->trainButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QVERIFY2(finished.front().front().toBool(), qPrintable(finished.front().back().toString()));
    waitIdle();
    const QString gui = m_window->session()->project().model->md5();

    QString error;
    const QString fromCli = TestUtil::cliTrainMd5(dir, error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(gui, fromCli);

    m_window->session()->openProject(m_project.path()); // leave the window as the other tests expect it
    waitIdle();
}

void TestMainWindow::server_stopWhileRequestsInFlight_countsWhatWasServed()
{
    m_window->showTab(MainWindow::Tab::Predict);
    Ui::ServerPanel *server = m_window->predictTab()->server();
    server->portBox()->setValue(0);
    for (int round = 0; round < 3; ++round) {
        server->start();
        QVERIFY(server->isRunning());
        const qint64 before = server->requestCount();
        QNetworkAccessManager network;
        const QUrl url(QStringLiteral("http://127.0.0.1:%1/health").arg(server->port()));
        // A first burst, all answered: the counter matches exactly.
        std::vector<QNetworkReply *> replies;
        for (int i = 0; i < 12; ++i)
            replies.push_back(network.get(QNetworkRequest(url)));
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.begin(), replies.end(), [](auto *r) { return r->isFinished(); }), 10000);
        QTRY_COMPARE(server->requestCount(), before + 12);
        QTRY_VERIFY(server->counterLabel()->text().contains(QStringLiteral("%1 request").arg(before + 12)));
        // A second burst, stopped while it is in flight: no crash, and the counter counts
        // exactly the requests the server answered (never more than were sent).
        std::vector<QNetworkReply *> inFlight;
        for (int i = 0; i < 40; ++i)
            inFlight.push_back(network.get(QNetworkRequest(url)));
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(inFlight.begin(), inFlight.end(), [](auto *r) { return r->isFinished(); }), 10000);
        server->stop();
        QVERIFY(!server->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(inFlight.begin(), inFlight.end(), [](auto *r) { return r->isFinished(); }), 10000);
        const auto answered = std::count_if(inFlight.begin(), inFlight.end(), [](auto *r) {
            return r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
        });
        QCoreApplication::processEvents();
        QVERIFY2(server->requestCount() >= before + 12 + answered, qPrintable(QString::number(server->requestCount())));
        QVERIFY(server->requestCount() <= before + 12 + 40);
        QVERIFY(server->lastRequests()->count() <= 8);
        for (QNetworkReply *r : replies)
            r->deleteLater();
        for (QNetworkReply *r : inFlight)
            r->deleteLater();
    }
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
