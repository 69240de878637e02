#include <QtTest>

#include <QLabel>
#include <QStatusBar>
#include <QTextBrowser>

#include "csvreader.h"
#include "mainwindow.h"
#include "testutil.h"
#include "trainer.h"

// The first window: loads the project's model off the GUI thread and shows it.
class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void projectWithModel_showsModelFacts();
    void projectWithoutModel_saysHowToMakeOne();
};

void TestMainWindow::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ModelAuditTest"));
    QStandardPaths::setTestModeEnabled(true);
}

void TestMainWindow::projectWithModel_showsModelFacts()
{
    QTemporaryDir dir;
    const Audit::Dataset data = Audit::CsvReader::read(TestUtil::censusRaw(),
                                                       Audit::Schema::fromYamlFile(TestUtil::censusSchema()))
                                    .data;
    std::vector<std::size_t> rows(3000);
    std::iota(rows.begin(), rows.end(), std::size_t(0));
    Audit::TrainParams params;
    params.learner.kind = Audit::LearnerKind::Logistic;
    const Audit::Model model = Audit::trainModel(data.subset(rows), params);
    model.save(dir.filePath(QStringLiteral("models/model.bin")));

    Ui::MainWindow window(dir.path());
    window.show();
    auto *browser = window.findChild<QTextBrowser *>();
    QVERIFY(browser);
    QTRY_VERIFY_WITH_TIMEOUT(browser->toPlainText().contains(model.id()), 10000);
    QVERIFY(browser->toPlainText().contains(QStringLiteral("logistic")));
    QVERIFY(browser->toPlainText().contains(QStringLiteral("3000")));
    QVERIFY(window.statusBar()->findChild<QLabel *>()->text().contains(model.id()));
}

void TestMainWindow::projectWithoutModel_saysHowToMakeOne()
{
    QTemporaryDir dir;
    Ui::MainWindow window(dir.path());
    auto *browser = window.findChild<QTextBrowser *>();
    QTRY_VERIFY_WITH_TIMEOUT(browser->toPlainText().contains(QStringLiteral("No model loaded")), 10000);
    QVERIFY(browser->toPlainText().contains(QStringLiteral("no such model file")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
