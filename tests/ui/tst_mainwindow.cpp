#include <QTableWidget>
#include <QtTest>

#include <cmath>

#include <QScrollArea>
#include <QScrollBar>
#include <QStackedWidget>

#include <QBarSet>
#include <QChartView>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLineSeries>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QScrollBar>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>

#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>

#include "auditcheck.h"
#include "biassummary.h"
#include "biastab.h"
#include "biastablemodel.h"
#include "gatetab.h"
#include "heatmapwidget.h"
#include "jobprogress.h"
#include "mainwindow.h"
#include "mitigationdialog.h"
#include "mitigationrun.h"
#include "operatingpointdialog.h"
#include "performancetab.h"
#include "prediction.h"
#include "predicttab.h"
#include "project.h"
#include "projectfixture.h"
#include "projectsession.h"
#include "projecttab.h"
#include "serverpanel.h"
#include "slicestab.h"
#include "slicetablemodel.h"
#include "testutil.h"
#include "thresholdchoice.h"
#include "traintab.h"
#include "viewutil.h"
#include "waterfallwidget.h"

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
    void performance_scoresAndCalibrationFromCore();
    void thresholdSlider_changesEveryView();
    void optimise_choosesAsCoreDoesAndSetsTheThreshold();
    void gate_checklistFollowsTheThreshold();
    void mitigate_tradeOffAsCoreGivesIt();
    void slices_chartAndTableSelectionsSync();
    void slices_heatmapShowsPairs();
    void slices_keyColumnsInViewAt1280x800_sliceColumnFrozen();
    void slices_weakTableSortsAndSelectsTheSliceAndItsBar();
    void slices_columnChoicePersists();
    void slices_triplesComputedOnRequest();
    void bias_chartMarksExactlyTheFailingGroups();
    void bias_pickersRecompute();
    void bias_summaryAndWhichParityMatters();
    void predict_formAndWhatIf();
    void badFile_showsErrorAndKeepsData();
    void training_cancelKeepsModel_finishReplacesIt();
    void export_chartAndTable();
    void server_toggleServesTheLoadedModel();
    void trainTab_sameModelFileAsTheCli_data();
    void trainTab_sameModelFileAsTheCli();
    void server_stopWhileRequestsInFlight_countsWhatWasServed();
    void importance_ofALargeFileWaitsToBeAsked();
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
    QVERIFY(!r->slices->weak.empty());
    QCOMPARE(slices->weakModel()->rowCount(), int(r->slices->weak.size()));
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
    QCOMPARE(m_window->performanceTab()->metricText(QStringLiteral("threshold")), QStringLiteral("0.9000"));
    QVERIFY(m_window->predictTab()->resultText().contains(QStringLiteral("threshold 0.9000: working")));
    QVERIFY(m_window->predictTab()->resultText() != predictionBefore);
    // Recomputed by core at 0.9: the views show those numbers.
    const Audit::BinaryMetrics expected = Audit::computeMetrics(m_window->session()->project().scored->scores,
                                                                m_window->session()->project().scored->labels, 0.9);
    QCOMPARE(r->metrics.f1, expected.f1);
    m_window->thresholdSlider()->setValue(int(std::lround(m_window->session()->project().model->threshold() * 1000)));
    waitIdle();
}

void TestMainWindow::optimise_choosesAsCoreDoesAndSetsTheThreshold()
{
    // The Optimise… dialog on the loaded data (the test split: warned) gives what core gives on
    // the same scored rows, and "Use this threshold" makes it the working threshold everywhere.
    QVERIFY(m_window->optimiseButton()->isVisible());
    Ui::OperatingPointDialog *dialog = m_window->operatingPointDialog();
    dialog->setObjective(Audit::Objective::parse(QStringLiteral("cost:5")));
    dialog->setRows(Ui::OperatingPointDialog::Rows::Loaded);
    QCOMPARE(dialog->objective().spec(), QStringLiteral("cost:fp=1,fn=5"));
    QElapsedTimer clock;
    clock.start();
    dialog->optimise();
    QVERIFY(clock.elapsed() < 50); // the work is off the GUI thread
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isRunning() && dialog->report(), 30000);
    const Audit::Project project = Audit::Project::open(m_project.path());
    const Audit::OperatingPointReport core = Audit::chooseThreshold(*m_window->session()->project().scored, dialog->objective(),
                                                                    m_window->session()->threshold(), &project);
    QCOMPARE(dialog->report()->best.threshold, core.best.threshold);
    QCOMPARE(dialog->report()->thresholdCi.low, core.thresholdCi.low);
    QCOMPARE(dialog->report()->valueCi.high, core.valueCi.high);
    QVERIFY2(dialog->warningText().contains(QStringLiteral("is the test split")), qPrintable(dialog->warningText()));
    QVERIFY2(dialog->resultText().contains(QStringLiteral("Best threshold %1 [95% CI").arg(core.best.threshold, 0, 'f', 4)),
             qPrintable(dialog->resultText()));
    QVERIFY2(dialog->resultText().contains(QStringLiteral("optimum would be 0.1667"))
                 && dialog->resultText().contains(QStringLiteral("a false positive costs 1, a false negative 5")),
             qPrintable(dialog->resultText()));
    QVERIFY(dialog->useButton()->isEnabled());
    // Another objective picked after the result: the result is taken back, so the threshold of
    // one objective is never applied for another.
    dialog->setObjective(Audit::Objective::parse(QStringLiteral("f1")));
    QVERIFY(!dialog->report());
    QVERIFY(!dialog->useButton()->isEnabled());
    dialog->setObjective(Audit::Objective::parse(QStringLiteral("cost:5")));
    dialog->optimise();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isRunning() && dialog->report(), 30000);
    QCOMPARE(dialog->report()->best.threshold, core.best.threshold);
    dialog->useButton()->click();
    QCOMPARE(m_window->session()->threshold(), core.best.threshold);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->session()->results()->threshold, core.best.threshold, 10000);
    waitIdle();
    QCOMPARE(m_window->thresholdBox()->value(), std::round(core.best.threshold * 10000) / 10000);

    // On the training split's out-of-fold scores: no warning, the rows are the training split's.
    dialog->setObjective(Audit::Objective::parse(QStringLiteral("recall:0.8")));
    dialog->setRows(Ui::OperatingPointDialog::Rows::CrossValidated);
    dialog->optimise();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isRunning(), 60000);
    QVERIFY(dialog->report());
    QVERIFY2(dialog->report()->source.contains(QStringLiteral("out-of-fold")), qPrintable(dialog->report()->source));
    QCOMPARE(dialog->report()->rows, std::int64_t(3000));
    QVERIFY(dialog->warningText().isEmpty());
    QVERIFY(dialog->report()->best.recall >= 0.8);
    m_window->thresholdSlider()->setValue(int(std::lround(m_window->session()->modelThreshold() * 1000)));
    m_window->session()->setThreshold(m_window->session()->modelThreshold());
    waitIdle();
}

void TestMainWindow::gate_checklistFollowsTheThreshold()
{
    // No audit.yaml: the tab says how to make one. With one: every rule, as core evaluates it on
    // the working audit, and a threshold move re-evaluates it.
    Ui::GateTab *gate = m_window->gateTab();
    QVERIFY2(gate->summaryText().contains(QStringLiteral("no audit.yaml")), qPrintable(gate->summaryText()));
    TestUtil::writeFile(m_project, QStringLiteral("audit.yaml"),
                        "version: 1\nrules:\n  - {name: F1 floor, metric: f1, min: 0.5}\n"
                        "  - name: sex\n    parity: {attribute: sex}\n    severity: warning\n    reason: known\n"
                        "  - name: card\n    card: {}\n  - name: reg\n    regression: {}\n");
    const double model = m_window->session()->modelThreshold();
    m_window->thresholdSlider()->setValue(500);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->session()->results()->threshold, 0.5, 10000);
    waitIdle();
    QVERIFY(gate->verdict());
    QCOMPARE(gate->table()->rowCount(), 4);
    const Audit::AuditPolicy policy = Audit::AuditPolicy::load(m_project.filePath(QStringLiteral("audit.yaml")));
    Audit::CardFacts card = Audit::cardFacts(m_project.filePath(QStringLiteral("model_card.md")),
                                             m_window->session()->project().model->md5(),
                                             m_window->session()->project().data->md5);
    card.path = QStringLiteral("model_card.md"); // the tab names it as the project does
    const Audit::PolicyVerdict core = Audit::evaluatePolicy(policy, *m_window->session()->results(), &card, nullptr);
    for (int row = 0; row < 4; ++row) {
        QCOMPARE(gate->table()->item(row, 1)->text(), Audit::ruleStatusName(core.results[std::size_t(row)].status));
        QCOMPARE(gate->table()->item(row, 3)->text(), core.results[std::size_t(row)].measured);
    }
    QCOMPARE(gate->table()->item(0, 1)->text(), QStringLiteral("pass"));
    QCOMPARE(gate->table()->item(3, 1)->text(), QStringLiteral("skipped"));
    QVERIFY(gate->summaryText().contains(QStringLiteral("at the working threshold 0.5000")));
    // At 0.99 almost nothing is predicted positive: the F1 floor fails, live.
    m_window->thresholdSlider()->setValue(990);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->session()->results()->threshold, 0.99, 10000);
    waitIdle();
    QCOMPARE(gate->table()->item(0, 1)->text(), QStringLiteral("fail"));
    QVERIFY2(gate->summaryText().contains(QStringLiteral("the gate fails")), qPrintable(gate->summaryText()));
    // A broken policy says where.
    TestUtil::writeFile(m_project, QStringLiteral("audit.yaml"), "version: 1\nrules:\n  - {name: x, metric: f9, min: 1}\n");
    m_window->thresholdSlider()->setValue(600);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->session()->results()->threshold, 0.6, 10000);
    waitIdle();
    QVERIFY2(gate->summaryText().contains(QStringLiteral("audit.yaml:3: rules[0].metric: unknown metric")),
             qPrintable(gate->summaryText()));
    QFile::remove(m_project.filePath(QStringLiteral("audit.yaml")));
    m_window->session()->setThreshold(model);
    waitIdle();
}

void TestMainWindow::mitigate_tradeOffAsCoreGivesIt()
{
    // The Bias tab's Mitigate… dialog: the trade-off and the picked point's before/after are
    // what core's runMitigation gives for the same request, worked out off the GUI thread.
    Ui::MitigationDialog *dialog = m_window->biasTab()->mitigationDialog();
    dialog->setRequest(QStringLiteral("sex"), Audit::FairnessConstraint::EqualOpportunity, Audit::Objective{},
                       Ui::MitigationDialog::Rows::CrossValidated);
    // The retraining shows its progress and can be cancelled, leaving nothing behind.
    dialog->compute();
    QVERIFY(dialog->progress()->isVisibleTo(dialog));
    dialog->progress()->cancelButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isRunning(), 60000);
    QVERIFY2(dialog->messageText().contains(QStringLiteral("Cancelled")), qPrintable(dialog->messageText()));
    QVERIFY(!dialog->run());
    QVERIFY(!dialog->progress()->isVisibleTo(dialog));
    QElapsedTimer clock;
    clock.start();
    dialog->compute();
    QVERIFY(clock.elapsed() < 50);
    QVERIFY(dialog->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isRunning(), 120000);
    QVERIFY2(dialog->run(), qPrintable(dialog->messageText()));
    Audit::MitigationRequest request;
    request.modelPath = m_window->session()->project().modelPath;
    request.attribute = QStringLiteral("sex");
    request.folds = 5;
    request.reportPath = m_window->session()->project().dataPath;
    request.pareto = dialog->run()->request.pareto;
    const Audit::Project project = Audit::Project::open(m_project.path());
    const Audit::MitigationRun core = Audit::runMitigation(request, &project);
    QCOMPARE(dialog->run()->pareto.size(), core.pareto.size());
    QCOMPARE(dialog->frontTable()->rowCount(), int(core.pareto.size()));
    for (std::size_t i = 0; i < core.pareto.size(); ++i) {
        QCOMPARE(dialog->run()->pareto[i].value, core.pareto[i].value);
        QCOMPARE(dialog->frontTable()->item(int(i), 3)->text(), QString::number(core.pareto[i].gap, 'f', 4));
    }
    QVERIFY(dialog->picked() >= 0);
    dialog->pick(int(core.pareto.size()) - 1); // tolerance 1: unconstrained
    const Audit::ParetoPoint &last = core.pareto.back();
    const int groups = int(last.fitted.rules.size());
    for (int k = 0; k < groups; ++k) {
        const Audit::GroupRule &g = last.fitted.rules[std::size_t(k)];
        QCOMPARE(dialog->comparisonTable()->item(k, 0)->text(), QStringLiteral("Threshold, %1").arg(g.group));
        QCOMPARE(dialog->comparisonTable()->item(k, 2)->text(), QString::number(g.threshold, 'f', 4));
    }
    QCOMPARE(dialog->comparisonTable()->item(groups, 0)->text(), QStringLiteral("F1"));
    QCOMPARE(dialog->comparisonTable()->item(groups, 1)->text(), QString::number(core.before.f1, 'f', 4));
    QCOMPARE(dialog->comparisonTable()->item(groups, 2)->text(), QString::number(last.after.f1, 'f', 4));
    QVERIFY(dialog->messageText().contains(QStringLiteral("5-fold out-of-fold scores")));
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
    // The colour scale sits under the cells and inside the widget's size, so it scrolls with them.
    const QRect legend = tab->heatmap()->legendRect();
    QVERIFY(legend.height() > 12);
    QVERIFY(legend.bottom() < tab->heatmap()->sizeHint().height());
    int clicked = -1;
    connect(tab->heatmap(), &Ui::HeatmapWidget::sliceClicked, this, [&clicked](int i) { clicked = i; });
    Q_EMIT tab->heatmap()->sliceClicked(tab->barSlices().front());
    QCOMPARE(clicked, tab->barSlices().front());
    QCOMPARE(tab->selectedSlice(), clicked);
    // A grid wider than its pane scrolls sideways; it is never squeezed and cut off at the edge.
    auto *scroll = qobject_cast<QScrollArea *>(tab->heatmap()->parentWidget()->parentWidget());
    QVERIFY(scroll);
    m_window->showTab(MainWindow::Tab::Slices);
    QWidget *page = scroll->parentWidget();
    for (QWidget *w = page; w; w = w->parentWidget()) {
        if (auto *stack = qobject_cast<QStackedWidget *>(w->parentWidget())) { // the heatmap's sub-tab
            stack->setCurrentWidget(w);
            break;
        }
    }
    QTRY_VERIFY(scroll->isVisible());
    scroll->setFixedWidth(tab->heatmap()->sizeHint().width() / 2);
    QTRY_VERIFY(scroll->viewport()->width() < tab->heatmap()->sizeHint().width());
    QTRY_VERIFY(tab->heatmap()->width() >= tab->heatmap()->sizeHint().width());
    QVERIFY(scroll->horizontalScrollBar()->maximum() > 0);
    scroll->setMinimumWidth(0);
    scroll->setMaximumWidth(QWIDGETSIZE_MAX);
}

void TestMainWindow::slices_keyColumnsInViewAt1280x800_sliceColumnFrozen()
{
    m_window->showTab(MainWindow::Tab::Slices);
    m_window->resize(1280, 800);
    QTRY_COMPARE(m_window->size(), QSize(1280, 800));
    QCoreApplication::processEvents();
    Ui::SlicesTab *tab = m_window->slicesTab();
    Ui::ReportTableView *table = tab->table();
    table->horizontalScrollBar()->setValue(0);
    const int width = table->viewport()->width();
    QVERIFY(width > 300);
    using M = Ui::SliceTableModel;
    for (int column : {M::Slice, M::Size, M::LabelPositives, M::Metric, M::Interval, M::Gap}) {
        QVERIFY(!table->isColumnHidden(column));
        const int left = table->columnViewportPosition(column);
        const int right = left + table->columnWidth(column);
        QVERIFY2(left >= 0 && right <= width,
                 qPrintable(QStringLiteral("column %1 at %2..%3, viewport %4").arg(column).arg(left).arg(right).arg(width)));
        // The header text is not cut either.
        QVERIFY(table->columnWidth(column) >= table->horizontalHeader()->sectionSizeHint(column) || column == M::Slice);
    }
    // Scrolled sideways to the end: the slice names stay at the left edge.
    QVERIFY(table->horizontalScrollBar()->maximum() > 0);
    table->horizontalScrollBar()->setValue(table->horizontalScrollBar()->maximum());
    QCoreApplication::processEvents();
    QVERIFY(table->columnViewportPosition(M::Slice) < 0); // the scrolling copy has moved away
    QTableView *frozen = table->frozenView();
    QVERIFY(frozen);
    QVERIFY(frozen->isVisible());
    QCOMPARE(frozen->model(), table->model());
    QCOMPARE(frozen->selectionModel(), table->selectionModel());
    QVERIFY(!frozen->isColumnHidden(M::Slice));
    for (int column = 1; column < M::ColumnCount; ++column)
        QVERIFY(frozen->isColumnHidden(column));
    QCOMPARE(frozen->columnViewportPosition(M::Slice), 0);
    QCOMPARE(frozen->geometry().left(), table->verticalHeader()->width() + table->frameWidth());
    QCOMPARE(frozen->width(), table->columnWidth(M::Slice));
    QVERIFY(frozen->height() >= table->viewport()->height());
    // Rows stay aligned when scrolled down.
    table->verticalScrollBar()->setValue(table->verticalScrollBar()->maximum() / 2);
    QCOMPARE(frozen->verticalScrollBar()->value(), table->verticalScrollBar()->value());
    QCOMPARE(frozen->rowAt(10), table->rowAt(10));
    table->horizontalScrollBar()->setValue(0);
    table->verticalScrollBar()->setValue(0);
    m_window->resize(1300, 850);
}

void TestMainWindow::slices_weakTableSortsAndSelectsTheSliceAndItsBar()
{
    m_window->showTab(MainWindow::Tab::Slices);
    Ui::SlicesTab *tab = m_window->slicesTab();
    const Audit::SliceReport &report = *tab->model()->report();
    QTableView *weak = tab->weakView();
    QAbstractItemModel *rows = weak->model();
    QCOMPARE(rows->rowCount(), int(report.weak.size()));
    QVERIFY(weak->isSortingEnabled());
    // Sorted by n through its header, then back to rank order.
    weak->sortByColumn(Ui::WeakSliceModel::Size, Qt::AscendingOrder);
    for (int r = 1; r < rows->rowCount(); ++r)
        QVERIFY(rows->index(r - 1, Ui::WeakSliceModel::Size).data(Ui::SliceTableModel::RawValueRole).toLongLong()
                <= rows->index(r, Ui::WeakSliceModel::Size).data(Ui::SliceTableModel::RawValueRole).toLongLong());
    weak->sortByColumn(Ui::WeakSliceModel::Rank, Qt::AscendingOrder);
    for (int r = 0; r < rows->rowCount(); ++r)
        QCOMPARE(rows->index(r, 0).data(Ui::SliceTableModel::SliceIndexRole).toInt(), int(report.weak[std::size_t(r)]));
    // The first weak slice of one feature: selecting it selects it in the main table (in
    // view), shows its feature's chart and highlights its bar.
    int pick = -1;
    for (int r = 0; r < rows->rowCount() && pick < 0; ++r) {
        if (report.slices[report.weak[std::size_t(r)]].features.size() == 1)
            pick = r;
    }
    QVERIFY(pick >= 0);
    const int slice = rows->index(pick, 0).data(Ui::SliceTableModel::SliceIndexRole).toInt();
    const Audit::SliceRow &row = report.slices[std::size_t(slice)];
    tab->table()->scrollToBottom();
    weak->selectRow(pick);
    QCOMPARE(tab->selectedSlice(), slice);
    const QModelIndexList selected = tab->table()->selectionModel()->selectedRows();
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.front().data(Ui::SliceTableModel::SliceIndexRole).toInt(), slice);
    QVERIFY(tab->table()->viewport()->rect().intersects(tab->table()->visualRect(selected.front())));
    QCOMPARE(tab->featureBox()->currentText(), row.features[0]);
    const std::vector<int> bars = tab->barSlices();
    const auto bar = std::find(bars.begin(), bars.end(), slice);
    QVERIFY(bar != bars.end());
    QVERIFY(tab->bars()->isBarSelected(int(bar - bars.begin())));
    for (int b = 0; b < tab->bars()->count(); ++b)
        QCOMPARE(tab->bars()->isBarSelected(b), b == int(bar - bars.begin()));
    // A weak pair has no bar: the heatmap shows its two features with its cell outlined.
    for (int r = 0; r < rows->rowCount(); ++r) {
        const int pair = rows->index(r, 0).data(Ui::SliceTableModel::SliceIndexRole).toInt();
        if (report.slices[std::size_t(pair)].features.size() != 2)
            continue;
        weak->selectRow(r);
        QCOMPARE(tab->selectedSlice(), pair);
        QVERIFY(tab->heatmap()->showsSlice(pair));
        QCOMPARE(tab->heatmap()->selectedSlice(), pair);
        break;
    }
}

void TestMainWindow::slices_columnChoicePersists()
{
    Ui::SlicesTab *tab = m_window->slicesTab();
    QAction *precision = nullptr;
    for (QAction *action : tab->columnMenu()->actions()) {
        if (action->isSeparator())
            continue;
        QVERIFY(action->data().toInt() != Ui::SliceTableModel::Slice); // the name cannot be hidden
        if (action->data().toInt() == Ui::SliceTableModel::Precision)
            precision = action;
    }
    QVERIFY(precision && precision->isCheckable() && precision->isChecked());
    QCOMPARE(precision->text(), QStringLiteral("Precision"));
    precision->trigger();
    QVERIFY(tab->table()->isColumnHidden(Ui::SliceTableModel::Precision));
    QVERIFY(QSettings().value(QStringLiteral("slices/hiddenColumns")).toStringList().contains(QStringLiteral("precision")));
    {
        // A new tab (the next start) restores the choice, and a recompute keeps it.
        Ui::SlicesTab again(m_window->session());
        QVERIFY(again.table()->isColumnHidden(Ui::SliceTableModel::Precision));
        QVERIFY(!again.table()->isColumnHidden(Ui::SliceTableModel::Recall));
    }
    m_window->session()->setSliceOptions(m_window->session()->sliceOptions());
    waitIdle();
    QVERIFY(tab->table()->isColumnHidden(Ui::SliceTableModel::Precision));
    precision->trigger();
    QVERIFY(!tab->table()->isColumnHidden(Ui::SliceTableModel::Precision));
    QVERIFY(tab->table()->columnWidth(Ui::SliceTableModel::Precision) > 0);
    QVERIFY(!QSettings().value(QStringLiteral("slices/hiddenColumns")).toStringList().contains(QStringLiteral("precision")));
}

void TestMainWindow::slices_triplesComputedOnRequest()
{
    // The session computes pairs; picking "Triples" computes them rather than showing none.
    Ui::SlicesTab *tab = m_window->slicesTab();
    QCOMPARE(m_window->session()->sliceOptions().cross, 2);
    tab->levelBox()->setCurrentIndex(3);
    QCOMPARE(m_window->session()->sliceOptions().cross, 3);
    QTRY_VERIFY_WITH_TIMEOUT(tab->model()->report()->options.cross == 3, 60000);
    waitIdle();
    QVERIFY(tab->proxy()->rowCount() > 0);
    for (int r = 0; r < tab->proxy()->rowCount(); ++r)
        QCOMPARE(tab->proxy()->index(r, 0).data(Ui::SliceTableModel::FeatureCountRole).toInt(), 3);
    tab->levelBox()->setCurrentIndex(0);
    Audit::SliceOptions options = m_window->session()->sliceOptions();
    options.cross = 2;
    m_window->session()->setSliceOptions(options);
    waitIdle();
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
                // The report's verdict (evidence by default): a significant fail, not just outside the band.
                if (g.attribute == tab->attributeBox()->currentText()
                    && g.state(Audit::Parity(std::size_t(metric))) == Audit::VerdictState::Fail)
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

void TestMainWindow::bias_summaryAndWhichParityMatters()
{
    m_window->showTab(MainWindow::Tab::Bias);
    Ui::BiasTab *tab = m_window->biasTab();
    const Audit::BiasReport &report = *m_window->session()->results()->bias;
    for (int a = 0; a < tab->attributeBox()->count(); ++a) {
        tab->attributeBox()->setCurrentIndex(a);
        const QString shown = tab->summary()->toPlainText();
        int groups = 0;
        for (const Audit::AttributeSummary &s : Audit::biasSummary(report)) {
            if (s.attribute != tab->attributeBox()->currentText())
                continue;
            for (const Audit::GroupSummary &g : s.groups) {
                QVERIFY2(shown.contains(g.text), qPrintable(shown));
                ++groups;
            }
        }
        QVERIFY(groups > 0);
    }
    struct Case
    {
        int intervention;
        int concern;
        Audit::BiasMetric metric;
    };
    for (const Case &c :
         {Case{0, 1, Audit::BiasMetric::Fdr}, Case{0, 2, Audit::BiasMetric::Fpr}, Case{1, 1, Audit::BiasMetric::For},
          Case{1, 2, Audit::BiasMetric::Fnr}, Case{1, 0, Audit::BiasMetric::Ppr}}) {
        tab->interventionBox()->setCurrentIndex(c.intervention);
        tab->concernBox()->setCurrentIndex(c.concern);
        const Audit::ParityAdvice advice = Audit::fairnessTree(Audit::Intervention(tab->interventionBox()->currentData().toInt()),
                                                               Audit::Concern(tab->concernBox()->currentData().toInt()));
        QCOMPARE(int(advice.metrics.front()), int(c.metric));
        QCOMPARE(tab->advisedParities().front(), Audit::parityName(advice.parities.front()));
        QVERIFY(tab->adviceLabel()->text().contains(Audit::parityName(advice.parities.front())));
        QCOMPARE(tab->metricBox()->currentData().toInt(), int(c.metric)); // the chart follows
        QVERIFY(tab->model()->isHighlighted(Ui::BiasTableModel::columnOf(c.metric)));
        const int row = int(advice.parities.front());
        QVERIFY(tab->verdicts()->verticalHeaderItem(row)->text().startsWith(QStringLiteral("▶")));
    }
    tab->interventionBox()->setCurrentIndex(0);
    tab->concernBox()->setCurrentIndex(2);
}

void TestMainWindow::predict_formAndWhatIf()
{
    m_window->showTab(MainWindow::Tab::Predict);
    Ui::PredictTab *tab = m_window->predictTab();
    const Audit::Model &model = *m_window->session()->project().model;
    auto *age = qobject_cast<QDoubleSpinBox *>(tab->field(QStringLiteral("age")));
    QVERIFY(age);
    // One step below the training range is "missing": the record gets NaN, the model its median.
    QCOMPARE(age->minimum(), model.encoder().columns()[0].minimum - 1);
    QCOMPARE(age->maximum(), model.encoder().columns()[0].maximum);
    const double ownAge = age->value();
    age->setValue(age->minimum());
    QCOMPARE(age->text(), QStringLiteral("missing"));
    QVERIFY(std::isnan(tab->record().numbers[0]));
    QVERIFY(tab->resultText().contains(QString::number(Audit::predictRecord(model, tab->record()).probability, 'f', 3)));
    age->setValue(ownAge);
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
    QVERIFY(lines[0].startsWith("Slice,n,Label +,F1,95% interval,Gap,"));
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
    // The default learner and a calibration map: the form must not fall back to another learner.
    QTest::newRow("xgboost, eta 0.123456, platt")
        << QByteArray("  learner: xgboost\n  calibration: platt\n  xgboost: {rounds: 40, eta: 0.123456}\n");
    QTest::newRow("xgboost, isotonic, fixed threshold 0.4")
        << QByteArray("  learner: xgboost\n  calibration: isotonic\n  threshold: 0.4\n  xgboost: {rounds: 30}\n");
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

void TestMainWindow::performance_scoresAndCalibrationFromCore()
{
    // The reliability diagram and the score distribution show what core computed, for every row.
    const Audit::AuditResults *r = m_window->session()->results();
    const std::size_t rows = m_window->session()->project().scored->labels.size();
    std::int64_t binned = 0;
    double ece = 0;
    for (const Audit::CalibrationBin &b : r->calibration.bins) {
        binned += b.n;
        ece += double(b.n) / double(rows) * std::abs(b.observed - b.meanScore);
    }
    QCOMPARE(binned, std::int64_t(rows));
    QVERIFY(std::abs(ece - r->calibration.ece) < 1e-12);
    std::int64_t histogram = 0;
    for (std::size_t k = 0; k < r->scoreHistogram.positives.size(); ++k)
        histogram += r->scoreHistogram.positives[k] + r->scoreHistogram.negatives[k];
    QCOMPARE(histogram, std::int64_t(rows));
    Ui::PerformanceTab *tab = m_window->performanceTab();
    QVERIFY2(tab->calibrationView()->chart()->title().contains(QString::number(r->calibration.ece, 'f', 4)),
             qPrintable(tab->calibrationView()->chart()->title()));
    auto *observed = qobject_cast<QLineSeries *>(tab->calibrationView()->chart()->series().first());
    QVERIFY(observed);
    QCOMPARE(observed->count(), int(r->calibration.bins.size()));
    QCOMPARE(observed->at(0).y(), r->calibration.bins[0].observed);
    QCOMPARE(tab->chartTabs()->count(), 3);

    // Importance: worked out off the GUI thread after the load; the table shows the report's
    // columns in its order, and the card refresh would use the same report.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->importance() != nullptr, 60000);
    const std::shared_ptr<const Audit::ImportanceReport> importance = m_window->session()->importance();
    QCOMPARE(importance->shap.rows, rows);
    QCOMPARE(tab->importanceTable()->rowCount(), int(importance->shap.columns.size()));
    QCOMPARE(tab->importanceTable()->item(0, 0)->text(), importance->shap.columns[0].column);
    QVERIFY(tab->importanceTable()->item(0, 1)->text().startsWith(QString::number(importance->shap.columns[0].value, 'f', 4)));
    QVERIFY2(tab->importanceNote().contains(importance->method), qPrintable(tab->importanceNote()));
    QVERIFY2(tab->calibrationGroupsText().contains(QStringLiteral("sex: ")), qPrintable(tab->calibrationGroupsText()));
    // Each group's ECE, worked out here from the scored rows, is the one the tab shows.
    {
        const Audit::ScoredData &scored = *m_window->session()->project().scored;
        const Audit::GroupedColumn sex = Audit::GroupedColumn::fromColumn(*scored.column(QStringLiteral("sex")), 1);
        const std::vector<Audit::GroupCalibration> groups = Audit::calibrationByGroup(sex, scored.scores, scored.labels, nullptr,
                                                                                      Audit::kGroupCalibrationRows);
        QCOMPARE(groups.size(), std::size_t(2));
        for (const Audit::GroupCalibration &g : groups) {
            const QString shown = QStringLiteral("%1 %2 (n %3)")
                                      .arg(g.group, QString::number(g.calibration.ece, 'f', 4),
                                           QLocale().toString(qulonglong(g.rows)));
            QVERIFY2(tab->calibrationGroupsText().contains(shown), qPrintable(shown + " in " + tab->calibrationGroupsText()));
        }
    }

    // The Predict tab's waterfall adds up: base + bars = output, the record's own P.
    Ui::PredictTab *predict = m_window->predictTab();
    QTRY_VERIFY_WITH_TIMEOUT(!predict->isRanking(), 60000);
    QVERIFY(predict->waterfall()->shownBars() > 0);
    const QString summary = predict->waterfall()->summary();
    QVERIFY2(summary.contains(QStringLiteral("base ")) && summary.contains(QStringLiteral("(log-odds)")), qPrintable(summary));
    QVERIFY2(predict->counterfactualText().contains(QStringLiteral("Changes of")), qPrintable(predict->counterfactualText()));
}

void TestMainWindow::importance_ofALargeFileWaitsToBeAsked()
{
    // Above the row limit no importance job starts after a load (it would slow every threshold
    // move); the Importance tab says so and its button starts it.
    Ui::ProjectSession *session = m_window->session();
    session->setAutoImportanceRows(100);
    session->openProject(m_project.path());
    waitIdle();
    QTest::qWait(300);
    QVERIFY(session->importanceDeferred());
    QVERIFY(!session->importance());
    m_window->showTab(MainWindow::Tab::Performance);
    Ui::PerformanceTab *tab = m_window->performanceTab();
    QVERIFY2(tab->importanceNote().contains(QStringLiteral("worked out when asked")), qPrintable(tab->importanceNote()));
    QVERIFY(!tab->importanceButton()->isHidden());
    tab->importanceButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(session->importance() != nullptr, 60000);
    QVERIFY(!session->importanceDeferred());
    QVERIFY(tab->importanceButton()->isHidden());
    QVERIFY(tab->importanceTable()->rowCount() > 0);
    session->setAutoImportanceRows(Ui::ProjectSession::kAutoImportanceRows);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
