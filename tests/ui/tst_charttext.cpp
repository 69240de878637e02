#include <QtTest>

#include <numeric>

#include <QBarCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QProcess>
#include <QSpinBox>

#include "csvreader.h"
#include "datatablemodels.h"
#include "mainwindow.h"
#include "predicttab.h"
#include "projectsession.h"
#include "projecttab.h"
#include "record.h"
#include "slicestab.h"
#include "testutil.h"
#include "trainer.h"
#include "viewutil.h"

using Ui::MainWindow;

// Category values are plain text wherever they are drawn. Real data has values such as "<0" or
// "0<=X<200" (a credit data set's account balance bands); chart axis labels are rich text, so
// unescaped they rendered blank or as "0". Hand-written rows with such values, a real model.
class TestChartText : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_project;
    std::unique_ptr<MainWindow> m_window;
    const QStringList m_bands{QStringLiteral("<0"), QStringLiteral("0<=X<200"), QStringLiteral(">=200 & more")};

    static QStringList categoriesOf(QChartView *view)
    {
        for (QAbstractAxis *axis : view->chart()->axes(Qt::Horizontal)) {
            if (auto *x = qobject_cast<QBarCategoryAxis *>(axis))
                return x->categories();
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase();
    void slicesChart_escapesCategoryValues();
    void whatIfChart_escapesCategoryValues();
    void noProtectedAttribute_slicesAndCardStillWork();
    void predict_rowPickerWalksTheMisclassified();
    void project_columnDistributionsAndLabelBalance();
};

void TestChartText::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ModelAuditTest"));
    QStandardPaths::setTestModeEnabled(true);
    QDir(m_project.path()).mkpath(QStringLiteral("data"));
    QDir(m_project.path()).mkpath(QStringLiteral("models"));
    TestUtil::writeFile(m_project, QStringLiteral("data/credit.schema.yaml"),
                        "name: credit-bands\nlabel:\n  column: good\n  positive: \"yes\"\n  negative: \"no\"\n"
                        "columns:\n  - {name: balance, type: categorical}\n  - {name: amount, type: integer}\n");
    QByteArray rows = "balance,amount,good\n";
    for (int i = 0; i < 600; ++i) {
        const int band = i % 3;
        const int amount = 100 + (i * 37) % 900;
        const bool good = (band == 2 && amount < 800) || (band == 1 && amount < 400) || (i % 11 == 0);
        rows += m_bands[band].toUtf8() + ',' + QByteArray::number(amount) + ',' + (good ? "yes" : "no") + '\n';
    }
    TestUtil::writeFile(m_project, QStringLiteral("data/test.csv"), rows);
    TestUtil::writeFile(m_project, QStringLiteral("data/train.csv"), rows);
    TestUtil::writeFile(m_project, QStringLiteral("params.yaml"),
                        "data:\n  schema: data/credit.schema.yaml\n  train: data/train.csv\n  test: data/test.csv\n"
                        "model:\n  learner: logistic\n  seed: 42\n  threshold: 0.5\n  log1p: none\n");
    const Audit::TrainParams params = Audit::TrainParams::fromYamlFile(m_project.filePath(QStringLiteral("params.yaml")));
    const Audit::Schema schema = Audit::Schema::fromYamlFile(params.schemaPath);
    Audit::trainModel(Audit::CsvReader::read(params.trainPath, schema).data, params)
        .save(m_project.filePath(QStringLiteral("models/model.bin")));
    m_window = std::make_unique<MainWindow>(m_project.path());
    m_window->resize(1280, 800);
    m_window->show();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->results() != nullptr, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->session()->isBusy(), 60000);
}

void TestChartText::slicesChart_escapesCategoryValues()
{
    m_window->showTab(MainWindow::Tab::Slices);
    Ui::SlicesTab *tab = m_window->slicesTab();
    tab->featureBox()->setCurrentText(QStringLiteral("balance"));
    QTRY_COMPARE(categoriesOf(tab->chartView()).size(), 3);
    const QStringList categories = categoriesOf(tab->chartView());
    for (const QString &band : m_bands) {
        const bool shown = std::any_of(categories.begin(), categories.end(), [&](const QString &c) {
            return c.startsWith(band.toHtmlEscaped() + QStringLiteral("<br>"));
        });
        QVERIFY2(shown, qPrintable(categories.join(QStringLiteral(" | "))));
    }
}

void TestChartText::whatIfChart_escapesCategoryValues()
{
    m_window->showTab(MainWindow::Tab::Predict);
    Ui::PredictTab *tab = m_window->predictTab();
    tab->whatIfBox()->setCurrentText(QStringLiteral("balance"));
    QTRY_VERIFY(categoriesOf(tab->chartView()).size() >= 3);
    const QStringList categories = categoriesOf(tab->chartView());
    for (const QString &band : m_bands)
        QVERIFY2(categories.contains(band.toHtmlEscaped()), qPrintable(categories.join(QStringLiteral(" | "))));
}

void TestChartText::noProtectedAttribute_slicesAndCardStillWork()
{
    // This schema declares no protected attribute: the slices and the card are still made (the
    // bias part says why it is missing); before, `slices` failed with "no attributes to audit".
    QVERIFY(m_window->session()->results()->slices);
    QVERIFY(!m_window->session()->results()->bias);
    QVERIFY(m_window->session()->results()->biasError.contains(QStringLiteral("no attributes to audit")));
    for (const QStringList &args : {QStringList{QStringLiteral("slices"), QStringLiteral("--out"), QStringLiteral("s.json")},
                                    QStringList{QStringLiteral("card"), QStringLiteral("--out"), QStringLiteral("card.md")}}) {
        QProcess cli;
        cli.setWorkingDirectory(m_project.path());
        cli.start(QStringLiteral(CLI_BINARY),
                  args
                      + QStringList{QStringLiteral("--model"), QStringLiteral("models/model.bin"), QStringLiteral("--data"),
                                    QStringLiteral("data/test.csv")});
        QVERIFY(cli.waitForFinished(60000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    }
    QVERIFY(TestUtil::readFile(m_project.filePath(QStringLiteral("s.json"))).contains("&lt;0") == false);
    QVERIFY(TestUtil::readFile(m_project.filePath(QStringLiteral("s.json"))).contains("\"<0\""));
}

void TestChartText::predict_rowPickerWalksTheMisclassified()
{
    m_window->showTab(MainWindow::Tab::Predict);
    Ui::PredictTab *tab = m_window->predictTab();
    const Audit::ScoredData &scored = *m_window->session()->project().scored;
    const double t = m_window->session()->threshold();
    std::vector<std::size_t> wrong;
    for (std::size_t i = 0; i < scored.labels.size(); ++i) {
        if ((scored.scores[i] >= t) != (scored.labels[i] != 0))
            wrong.push_back(i);
    }
    QVERIFY(!wrong.empty());
    QCOMPARE(tab->rowBox()->maximum(), int(scored.labels.size()));
    tab->misclassifiedBox()->setChecked(true);
    QCOMPARE(tab->rowBox()->maximum(), int(wrong.size()));
    tab->rowBox()->setValue(2);
    const std::size_t row = wrong[1];
    QVERIFY2(tab->rowText().startsWith(QStringLiteral("data row %1:").arg(row + 1)), qPrintable(tab->rowText()));
    QVERIFY(tab->rowText().contains(QStringLiteral("<b>wrong</b>")));
    // The form holds that row, and the what-if chart marks its own value.
    const Audit::Record r = Audit::recordFromDataset(*m_window->session()->project().data, row);
    QCOMPARE(qobject_cast<QComboBox *>(tab->field(QStringLiteral("balance")))->currentText(), QString::fromStdString(r.texts[0]));
    tab->whatIfBox()->setCurrentText(QStringLiteral("balance"));
    QTRY_VERIFY(tab->currentWhatIfBar() >= 0);
    const QStringList categories = categoriesOf(tab->chartView());
    QCOMPARE(categories.value(tab->currentWhatIfBar()), QString::fromStdString(r.texts[0]).toHtmlEscaped());
    tab->misclassifiedBox()->setChecked(false);
}

void TestChartText::project_columnDistributionsAndLabelBalance()
{
    const Ui::LoadedProject &p = m_window->session()->project();
    QCOMPARE(p.summary.size(), std::size_t(2));
    // balance: three bands of 200 rows each, most frequent first, ties by name.
    const Audit::ColumnSummary &balance = p.summary[0];
    QCOMPARE(balance.categoryCounts.size(), std::size_t(3));
    for (const auto &[name, n] : balance.categoryCounts)
        QCOMPARE(n, std::int64_t(200));
    QCOMPARE(balance.categoryCounts[0].first, QStringLiteral("0<=X<200"));
    // amount: 20 equal-width bins from its minimum to its maximum, every row in one.
    const Audit::ColumnSummary &amount = p.summary[1];
    QCOMPARE(amount.histogram.size(), std::size_t(20));
    QCOMPARE(amount.histogramEdges.front(), amount.minimum);
    QCOMPARE(amount.histogramEdges.back(), amount.maximum);
    QCOMPARE(std::accumulate(amount.histogram.begin(), amount.histogram.end(), std::int64_t(0)), std::int64_t(600));

    m_window->showTab(MainWindow::Tab::Project);
    Ui::ProjectTab *tab = m_window->projectTab();
    const std::int64_t positives = std::int64_t(p.data->positives());
    QVERIFY2(tab->summaryText().contains(QStringLiteral("<b>Label balance</b> good: %1 yes").arg(positives)),
             qPrintable(tab->summaryText()));
    tab->columnsView()->setCurrentIndex(tab->columnsView()->model()->index(0, 0));
    QStringList categories = categoriesOf(tab->distributionView());
    QVERIFY2(categories.contains(QStringLiteral("&lt;0")), qPrintable(categories.join(QStringLiteral(" | "))));
    tab->columnsView()->setCurrentIndex(tab->columnsView()->model()->index(1, 0));
    QCOMPARE(categoriesOf(tab->distributionView()).size(), 20);

    // Numbers in human form in the Columns table: a census-sized weight is not 1.48471e+06.
    Audit::ColumnSummary weight;
    weight.name = QStringLiteral("w");
    weight.type = Audit::ColumnType::Integer;
    weight.minimum = 18827;
    weight.maximum = 1484705;
    QCOMPARE(Ui::TextTableModel::summaryRows({weight}).front().at(4), QStringLiteral("18827 – 1484705"));
}

QTEST_MAIN(TestChartText)
#include "tst_charttext.moc"
