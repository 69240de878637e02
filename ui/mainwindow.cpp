#include "mainwindow.h"

#include <QGuiApplication>
#include <QScreen>

#include "gatetab.h"
#include "operatingpointdialog.h"
#include "projectwatcher.h"
#include "workspacestate.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QChartView>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "biastab.h"
#include "cardtab.h"
#include "fileio.h"
#include "metricglossary.h"
#include "performancetab.h"
#include "predicttab.h"
#include "project.h"
#include "projectsession.h"
#include "projecttab.h"
#include "reportexport.h"
#include "slicestab.h"
#include "traintab.h"
#include "versionstab.h"
#include "viewutil.h"

namespace Ui {

namespace {

constexpr int kSliderSteps = 1000;
constexpr int kMaxRecent = 8;

// Every chart gets a right-click "Export…" action.
void addChartExport(QChartView *view, QMainWindow *window)
{
    view->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *action = new QAction(QObject::tr("Export chart as PNG or SVG…"), view);
    QObject::connect(action, &QAction::triggered, window, [view, window] {
        const QString path = QFileDialog::getSaveFileName(window, QObject::tr("Export chart"), QStringLiteral("chart.png"),
                                                          QObject::tr("PNG image (*.png);;SVG drawing (*.svg)"));
        if (!path.isEmpty()) {
            const QString error = exportWidget(view, path);
            if (!error.isEmpty())
                window->statusBar()->showMessage(error, 8000);
        }
    });
    view->addAction(action);
}

} // namespace

MainWindow::MainWindow(const QString &projectDir, QWidget *parent)
    : QMainWindow(parent)
    , m_session(new ProjectSession(this))
    , m_tabs(new QTabWidget(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_thresholdBox(new QDoubleSpinBox(this))
    , m_watcher(new ProjectWatcher(this))
    , m_stateTimer(new QTimer(this))
    , m_reloadBanner(new QWidget(this))
    , m_reloadText(new QLabel(m_reloadBanner))
    , m_thresholdChip(new QLabel(this))
    , m_resetThreshold(new QPushButton(tr("Reset"), this))
    , m_saveThreshold(new QPushButton(tr("Save to model…"), this))
    , m_optimise(new QPushButton(tr("Optimise…"), this))
    , m_error(new QLabel(this))
    , m_status(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    setWindowTitle(tr("ModelAudit[*]"));
    setAcceptDrops(true);
    m_projectTab = new ProjectTab(m_session, this);
    m_trainTab = new TrainTab(m_session, this);
    m_performanceTab = new PerformanceTab(m_session, this);
    m_slicesTab = new SlicesTab(m_session, this);
    m_biasTab = new BiasTab(m_session, this);
    m_predictTab = new PredictTab(m_session, this);
    m_cardTab = new CardTab(m_session, this);
    m_versionsTab = new VersionsTab(m_session, this);
    m_gateTab = new GateTab(m_session, this);
    m_tabs->addTab(m_projectTab, tr("&Project"));
    m_tabs->addTab(m_trainTab, tr("T&rain"));
    m_tabs->addTab(m_performanceTab, tr("P&erformance"));
    m_tabs->addTab(m_slicesTab, tr("&Slices"));
    m_tabs->addTab(m_biasTab, tr("&Bias"));
    m_tabs->addTab(m_predictTab, tr("Pre&dict"));
    m_tabs->addTab(m_cardTab, tr("Model &Card"));
    m_tabs->addTab(m_versionsTab, tr("&Versions"));
    m_tabs->addTab(m_gateTab, tr("&Gate"));
    connect(m_cardTab, &CardTab::dirtyChanged, this, &QWidget::setWindowModified);
    connect(m_cardTab, &CardTab::errorOccurred, this, &MainWindow::showError);
    for (QChartView *view : findChildren<QChartView *>())
        addChartExport(view, this);

    m_slider->setRange(0, kSliderSteps);
    m_slider->setToolTip(metricTooltip(QStringLiteral("threshold")));
    m_thresholdBox->setRange(0, 1);
    m_thresholdBox->setDecimals(4); // the model's own (0.3719) shows as it is, never rounded to a different value
    m_thresholdBox->setSingleStep(0.01);
    m_thresholdBox->setToolTip(metricTooltip(QStringLiteral("threshold")));
    connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
        const double t = double(value) / kSliderSteps;
        const QSignalBlocker blocker(m_thresholdBox);
        m_thresholdBox->setValue(t);
        m_session->setThreshold(t);
        updateThresholdChip();
    });
    connect(m_thresholdBox, &QDoubleSpinBox::valueChanged, this, [this](double t) {
        const QSignalBlocker blocker(m_slider);
        m_slider->setValue(int(std::lround(t * kSliderSteps)));
        m_session->setThreshold(t);
        updateThresholdChip();
    });
    m_thresholdChip->setObjectName(QStringLiteral("thresholdChip"));
    // As wide as its widest text from the start, so the slider keeps its length (and the handle
    // its place under the pointer) when the chip changes from "= model" to "working … · model …".
    m_thresholdChip->setMinimumWidth(
        m_thresholdChip->fontMetrics().horizontalAdvance(tr("working %1 · %2 %1").arg(QStringLiteral("0.0000"), tr("scores")))
        + 24);
    m_thresholdChip->setAlignment(Qt::AlignCenter);
    m_thresholdChip->setToolTip(tr("The working threshold every tab audits at, and the one stored in the model "
                                   "(which the Predict server, the pipeline's reports and `modelaudit-cli` use)."));
    m_resetThreshold->setToolTip(tr("Back to the model's threshold."));
    m_saveThreshold->setToolTip(tr("Write the working threshold to params.yaml as model.threshold and re-run the "
                                   "pipeline stages after it, so the model file, reports, card and dvc.lock agree."));
    connect(m_resetThreshold, &QPushButton::clicked, this, [this] {
        m_session->setThreshold(m_session->modelThreshold());
        syncThreshold();
    });
    connect(m_saveThreshold, &QPushButton::clicked, this, [this] { saveThresholdToModel(true); });
    m_optimise->setToolTip(tr("Choose the threshold for an objective (F-beta, expected cost, a target recall, precision "
                              "or positive rate), with intervals, on rows you name."));
    connect(m_optimise, &QPushButton::clicked, this, [this] {
        OperatingPointDialog *dialog = operatingPointDialog();
        dialog->show();
        dialog->raise();
        dialog->activateWindow();
    });
    auto *thresholdBar = new QHBoxLayout;
    thresholdBar->addWidget(new QLabel(tr("Decision threshold"), this));
    thresholdBar->addWidget(m_slider, 1);
    thresholdBar->addWidget(m_thresholdBox);
    thresholdBar->addWidget(m_optimise);
    thresholdBar->addWidget(m_thresholdChip);
    thresholdBar->addWidget(m_resetThreshold);
    thresholdBar->addWidget(m_saveThreshold);

    m_error->setVisible(false);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    applyBannerStyle();

    m_reloadBanner->setObjectName(QStringLiteral("reloadBanner"));
    m_reloadBanner->setVisible(false);
    m_reloadText->setWordWrap(true);
    auto *reload = new QPushButton(tr("&Reload"), m_reloadBanner);
    reload->setObjectName(QStringLiteral("reloadButton"));
    auto *bannerLayout = new QHBoxLayout(m_reloadBanner);
    bannerLayout->setContentsMargins(6, 2, 6, 2);
    bannerLayout->addWidget(m_reloadText, 1);
    bannerLayout->addWidget(reload);
    m_reloadBanner->setStyleSheet(QStringLiteral("#reloadBanner { border: 1px solid palette(highlight); border-radius: 4px; }"));
    connect(reload, &QPushButton::clicked, this, [this] {
        m_reloadBanner->setVisible(false);
        m_session->openProject(m_session->project().dir);
    });
    connect(m_watcher, &ProjectWatcher::changed, this, &MainWindow::projectFilesChanged);
    m_stateTimer->setSingleShot(true);
    m_stateTimer->setInterval(500); // a burst of changes (a slider drag) is one write
    connect(m_stateTimer, &QTimer::timeout, this, &MainWindow::saveWorkspace);
    connect(m_session, &ProjectSession::resultsChanged, this, [this] { m_stateTimer->start(); });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] { m_stateTimer->start(); });
    connect(m_slicesTab, &SlicesTab::viewStateChanged, this, [this] { m_stateTimer->start(); });
    connect(m_biasTab, &BiasTab::viewStateChanged, this, [this] { m_stateTimer->start(); });
    const auto sayWhatWasSkipped = [this](const QString &view, const QStringList &members) {
        statusBar()->showMessage(tr("%1: views.%2: %3 not valid for this project (left as they were)")
                                     .arg(QDir(m_session->project().dir).filePath(QLatin1String(WorkspaceState::kFile)), view,
                                          members.join(QStringLiteral(", "))),
                                 15000);
    };
    connect(m_slicesTab, &SlicesTab::viewStateSkipped, this,
            [sayWhatWasSkipped](const QStringList &m) { sayWhatWasSkipped(QStringLiteral("slices"), m); });
    connect(m_biasTab, &BiasTab::viewStateSkipped, this,
            [sayWhatWasSkipped](const QStringList &m) { sayWhatWasSkipped(QStringLiteral("bias"), m); });

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(m_error);
    layout->addWidget(m_reloadBanner);
    layout->addLayout(thresholdBar);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    m_progress->setFixedWidth(320); // room for the stage ("Reading the audit data") on one line
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    connect(m_cancel, &QPushButton::clicked, m_session, &ProjectSession::cancel);

    connect(m_session, &ProjectSession::busyChanged, this, [this](bool busy) {
        updateThresholdChip();
        updateStatus();
        m_progress->setVisible(busy);
        m_cancel->setVisible(busy && m_session->isTraining());
        if (busy)
            m_progress->setRange(0, 0);
    });
    connect(m_session, &ProjectSession::progressChanged, this, [this](int done, int total, const QString &stage) {
        m_progress->setRange(0, total);
        m_progress->setValue(done);
        m_progress->setFormat(stage);
        m_cancel->setVisible(true);
    });
    connect(m_session, &ProjectSession::errorOccurred, this, &MainWindow::showError);
    connect(m_session, &ProjectSession::noticeOccurred, this,
            [this](const QString &message) { statusBar()->showMessage(message, 15000); });
    connect(m_session, &ProjectSession::trainingFinished, this, [this](bool ok, const QString &message) {
        if (!ok)
            showError(message);
    });
    connect(m_session, &ProjectSession::projectLoaded, this, [this] {
        m_error->setVisible(false);
        m_reloadBanner->setVisible(false);
        const LoadedProject &loaded = m_session->project();
        if (!loaded.dir.isEmpty() && loaded.dir != m_stateDir)
            restoreWorkspace();
        if (!loaded.dir.isEmpty()) {
            QMap<QString, QString> hashed; // by the loader, off this thread
            if (loaded.model)
                hashed.insert(loaded.modelPath, loaded.model->md5());
            if (loaded.data)
                hashed.insert(loaded.dataPath, loaded.data->md5);
            // The model's path even when it failed to load: its file appearing is a change too.
            m_watcher->watch(
                {loaded.paramsPath, loaded.modelPath, loaded.dataPath, QDir(loaded.dir).filePath(QStringLiteral("dvc.lock"))},
                hashed);
        }
        syncThreshold();
        updateStatus();
        const LoadedProject &p = m_session->project();
        if (!p.dir.isEmpty()) {
            QSettings settings;
            settings.setValue(QStringLiteral("project/last"), p.dir);
            QStringList recent = settings.value(QStringLiteral("project/recent")).toStringList();
            recent.removeAll(p.dir);
            recent.prepend(p.dir);
            settings.setValue(QStringLiteral("project/recent"), recent.mid(0, kMaxRecent));
            updateRecentMenu();
            setWindowTitle(tr("ModelAudit — %1[*]").arg(QFileInfo(p.dir).fileName()));
        }
    });
    connect(m_session, &ProjectSession::resultsChanged, this, &MainWindow::updateStatus);
    connect(m_projectTab, &ProjectTab::openProjectRequested, this, &MainWindow::chooseProject);
    connect(m_projectTab, &ProjectTab::openDatasetRequested, this, &MainWindow::chooseDataset);
    connect(m_projectTab, &ProjectTab::openScoredRequested, this, &MainWindow::chooseScored);
    connect(m_trainTab, &TrainTab::saveModelRequested, this, &MainWindow::saveModel);

    buildMenus();
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        // 1300 x 860 where it fits; within the screen's free area on a smaller one (1280 x 800).
        QSize size(1300, 860);
        if (const QScreen *screen = QGuiApplication::primaryScreen())
            size = size.boundedTo(screen->availableGeometry().size());
        resize(size);
    }
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_tabs->setCurrentIndex(settings.value(QStringLiteral("window/tab"), 0).toInt());
    updateStatus();
    if (!projectDir.isEmpty())
        openProject(projectDir);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &Project…"), QKeySequence::Open, this, &MainWindow::chooseProject);
    file->addAction(tr("Open &Dataset…"), QKeySequence(tr("Ctrl+Shift+O")), this, &MainWindow::chooseDataset);
    file->addAction(tr("Open S&cored CSV…"), QKeySequence(tr("Ctrl+Alt+O")), this, &MainWindow::chooseScored);
    m_recent = file->addMenu(tr("&Recent Projects"));
    updateRecentMenu();
    file->addSeparator();
    file->addAction(tr("&Save Model Card"), QKeySequence::Save, this, [this] { m_cardTab->save(); });
    file->addAction(tr("Save &Model As…"), QKeySequence(tr("Ctrl+Shift+S")), this, &MainWindow::saveModel);
    file->addAction(tr("Export &Chart…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::exportChart);
    file->addAction(tr("Export &Table as CSV…"), QKeySequence(tr("Ctrl+Shift+E")), this, &MainWindow::exportTable);
    m_exportReport = file->addAction(tr("Export &Report…"), QKeySequence(tr("Ctrl+Shift+R")), this,
                                     &MainWindow::chooseReportPath);
    m_exportReport->setToolTip(tr("One HTML file and a PDF of what the window shows at the working threshold: metrics "
                                  "with intervals, the weakest slices, bias in words and numbers, the verdicts."));
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_tabs->count(); ++i) {
        QAction *action = view->addAction(m_tabs->tabText(i).remove(QLatin1Char('&')));
        action->setShortcut(QKeySequence(QStringLiteral("Ctrl+%1").arg(i + 1)));
        connect(action, &QAction::triggered, this, [this, i] { m_tabs->setCurrentIndex(i); });
    }
    view->addSeparator();
    QMenu *theme = view->addMenu(tr("T&heme"));
    m_themes = new QActionGroup(this);
    m_themes->setExclusive(true);
    const QString system = tr("&System (the desktop's: %1)").arg(systemPrefersDark() ? tr("dark") : tr("light"));
    for (const auto &[value, label] :
         {std::pair{Theme::System, system}, std::pair{Theme::Light, tr("&Light")}, std::pair{Theme::Dark, tr("&Dark")}}) {
        QAction *action = theme->addAction(label);
        action->setCheckable(true);
        action->setData(int(value));
        action->setChecked(value == currentTheme());
        m_themes->addAction(action);
        connect(action, &QAction::triggered, this, [chosen = value] { // clang 14 cannot capture a binding
            applyTheme(chosen);
            saveTheme(chosen);
        });
    }
    QMenu *run = menuBar()->addMenu(tr("&Run"));
    run->addAction(tr("&Train"), QKeySequence(tr("Ctrl+T")), this, [this] {
        showTab(Tab::Train);
        if (m_trainTab->trainButton()->isEnabled())
            m_trainTab->trainButton()->click();
    });
    run->addAction(tr("&Cancel"), QKeySequence(Qt::Key_Escape), m_session, &ProjectSession::cancel);
    run->addAction(tr("Threshold &Up"), QKeySequence(tr("Ctrl+Up")), this, [this] {
        if (m_slider->isEnabled())
            m_slider->setValue(m_slider->value() + 10);
    });
    run->addAction(tr("Threshold &Down"), QKeySequence(tr("Ctrl+Down")), this, [this] {
        if (m_slider->isEnabled())
            m_slider->setValue(m_slider->value() - 10);
    });
}

QAction *MainWindow::themeAction(Theme theme) const
{
    for (QAction *action : m_themes->actions()) {
        if (action->data().toInt() == int(theme))
            return action;
    }
    return nullptr;
}

void MainWindow::applyBannerStyle()
{
    // The same warning tint in both themes: light pink with dark red text, or dark red with
    // light pink text, each over 7:1.
    m_error->setStyleSheet(isDark(palette())
                               ? QStringLiteral("QLabel { background: #4a1c20; color: #f8d7da; border: 1px solid #842029; "
                                                "padding: 6px; }")
                               : QStringLiteral("QLabel { background: #f8d7da; color: #58151c; border: 1px solid #f1aeb5; "
                                                "padding: 6px; }"));
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() != QEvent::PaletteChange)
        return;
    // Every chart's background, axes and legend follow here; the tabs recolour their own
    // series. The window's palette, not each view's: a parent hears of a new palette before
    // its children have it.
    for (QChartView *view : findChildren<QChartView *>())
        styleChart(view->chart(), palette());
    applyBannerStyle();
    reapplyStyleSheet(m_reloadBanner);
    reapplyStyleSheet(m_thresholdChip);
    if (m_themes) {
        if (QAction *action = themeAction(currentTheme()))
            action->setChecked(true);
    }
}

void MainWindow::updateRecentMenu()
{
    if (!m_recent)
        return;
    m_recent->clear();
    const QStringList recent = QSettings().value(QStringLiteral("project/recent")).toStringList();
    for (const QString &dir : recent)
        m_recent->addAction(dir, this, [this, dir] { openProject(dir); });
    m_recent->setEnabled(!recent.isEmpty());
}

OperatingPointDialog *MainWindow::operatingPointDialog()
{
    if (!m_optimiseDialog) {
        m_optimiseDialog = new OperatingPointDialog(m_session, this);
        connect(m_optimiseDialog, &OperatingPointDialog::thresholdChosen, this, [this](double t) {
            m_session->setThreshold(t);
            syncThreshold();
            statusBar()->showMessage(
                tr("Working threshold %1 from the optimiser: Save to model makes it the model's.").arg(t, 0, 'f', 4), 10000);
        });
    }
    return m_optimiseDialog;
}

void MainWindow::showTab(Tab tab)
{
    m_tabs->setCurrentIndex(int(tab));
}

QString MainWindow::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

QString MainWindow::statusText() const
{
    return m_status->text();
}

void MainWindow::openProject(const QString &dir)
{
    m_tabAtOpen = m_tabs->currentIndex();
    m_session->openProject(dir);
}

void MainWindow::chooseProject()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open project folder"),
                                                          QSettings().value(QStringLiteral("project/last")).toString());
    if (!dir.isEmpty())
        openProject(dir);
}

void MainWindow::chooseDataset()
{
    const QString csv = QFileDialog::getOpenFileName(this, tr("Open dataset"), m_session->project().dir,
                                                     tr("CSV files (*.csv);;All files (*)"));
    if (csv.isEmpty())
        return;
    QString schema = m_session->project().params.schemaPath;
    if (schema.isEmpty() || !QFileInfo::exists(schema))
        schema = QFileDialog::getOpenFileName(this, tr("Schema for %1").arg(QFileInfo(csv).fileName()),
                                              QFileInfo(csv).absolutePath(), tr("Schema YAML (*.yaml *.yml)"));
    if (!schema.isEmpty())
        m_session->openDataset(csv, schema);
}

void MainWindow::chooseScored()
{
    const QString csv = QFileDialog::getOpenFileName(this, tr("Open scored CSV"), m_session->project().dir,
                                                     tr("CSV files (*.csv);;All files (*)"));
    if (csv.isEmpty())
        return;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Columns of %1").arg(QFileInfo(csv).fileName()));
    auto *form = new QFormLayout(&dialog);
    auto *score = new QLineEdit(QStringLiteral("score"), &dialog);
    auto *label = new QLineEdit(QStringLiteral("label_value"), &dialog);
    auto *positive = new QLineEdit(&dialog);
    positive->setPlaceholderText(tr("empty: labels are 0/1"));
    auto *attributes = new QLineEdit(&dialog);
    attributes->setPlaceholderText(tr("columns to audit, comma-separated"));
    auto *threshold = new QDoubleSpinBox(&dialog);
    threshold->setRange(0, 1);
    threshold->setDecimals(3);
    threshold->setValue(0.5);
    form->addRow(tr("Score column"), score);
    form->addRow(tr("Label column"), label);
    form->addRow(tr("Positive label"), positive);
    form->addRow(tr("Attributes"), attributes);
    form->addRow(tr("Threshold"), threshold);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return;
    Audit::ScoredCsvOptions options;
    options.scoreColumn = score->text().trimmed();
    options.labelColumn = label->text().trimmed();
    options.labelPositive = positive->text().trimmed();
    for (const QString &a : attributes->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        options.attributes << a.trimmed();
    options.threshold = threshold->value();
    m_session->openScoredCsv(csv, options);
}

void MainWindow::saveModel()
{
    const Audit::Model *model = m_session->project().model.get();
    if (!model) {
        showError(tr("There is no model to save yet."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save model"), QDir(m_session->project().dir).filePath(QLatin1String(Audit::Project::kModelFile)),
        tr("ModelAudit models (*.bin)"));
    if (path.isEmpty())
        return;
    try {
        model->save(path);
        statusBar()->showMessage(tr("Model %1 saved to %2").arg(model->id(), path), 8000);
    } catch (const Audit::AuditError &e) {
        showError(e.message());
    }
}

QChartView *MainWindow::currentChart() const
{
    const QList<QChartView *> views = m_tabs->currentWidget()->findChildren<QChartView *>();
    return views.isEmpty() ? nullptr : views.front();
}

QTableView *MainWindow::currentTable() const
{
    QWidget *tab = m_tabs->currentWidget();
    if (tab == m_slicesTab)
        return m_slicesTab->table();
    if (tab == m_biasTab)
        return m_biasTab->table();
    if (tab == m_projectTab)
        return m_projectTab->previewView();
    return nullptr;
}

void MainWindow::exportChart()
{
    QChartView *view = currentChart();
    if (!view) {
        showError(tr("This tab has no chart to export."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), QStringLiteral("chart.png"),
                                                      tr("PNG image (*.png);;SVG drawing (*.svg)"));
    if (path.isEmpty())
        return;
    const QString error = exportWidget(view, path);
    error.isEmpty() ? statusBar()->showMessage(tr("Saved %1").arg(path), 5000) : showError(error);
}

void MainWindow::exportTable()
{
    QTableView *table = currentTable();
    if (!table || !table->model()) {
        showError(tr("This tab has no table to export."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export table"), QStringLiteral("table.csv"),
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    const QString error = Ui::exportTable(*table->model(), path);
    error.isEmpty() ? statusBar()->showMessage(tr("Saved %1").arg(path), 5000) : showError(error);
}

void MainWindow::chooseReportPath()
{
    if (!m_session->results() || !m_session->project().scored) {
        showError(tr("Open a project or a dataset first: there is no audit to report yet."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export audit report"), QDir(m_session->project().dir).filePath(QStringLiteral("audit_report.html")),
        tr("HTML report, with a PDF beside it (*.html)"));
    if (path.isEmpty())
        return;
    const QFileInfo info(path);
    exportReport(path, info.dir().filePath(info.completeBaseName() + QStringLiteral(".pdf")));
}

bool MainWindow::isExportingReport() const
{
    return m_reportJob != nullptr;
}

void MainWindow::exportReport(const QString &htmlPath, const QString &pdfPath)
{
    const Audit::AuditResults *results = m_session->results();
    const LoadedProject &p = m_session->project();
    if (!results || !p.scored) {
        showError(tr("There is no audit to report yet."));
        return;
    }
    if (m_reportJob) {
        showError(tr("A report is being written already; try again when it is done."));
        return;
    }
    // Everything the worker reads is immutable and shared, or a copy: the window may move on.
    const Audit::AuditResults copy = *results;
    const std::shared_ptr<const Audit::Model> model = p.model;
    const std::shared_ptr<const Audit::Dataset> data = p.data;
    const QString dataPath = data ? data->path : p.dataPath;
    const QString versionDiff = m_versionsTab->shownDiffText(); // a diff on screen goes in too
    m_exportReport->setEnabled(false);
    statusBar()->showMessage(tr("Writing the report to %1…").arg(htmlPath));
    m_reportJob = new QFutureWatcher<QString>(this);
    connect(m_reportJob, &QFutureWatcher<QString>::finished, this, [this, htmlPath, pdfPath] {
        const QString error = m_reportJob->result();
        m_reportJob->deleteLater();
        m_reportJob = nullptr;
        m_exportReport->setEnabled(true);
        if (!error.isEmpty())
            showError(error);
        else
            statusBar()->showMessage(pdfPath.isEmpty() ? tr("Report saved to %1").arg(htmlPath)
                                                       : tr("Report saved to %1 and %2").arg(htmlPath, pdfPath),
                                     10000);
    });
    m_reportJob->setFuture(QtConcurrent::run([copy, model, data, dataPath, versionDiff, htmlPath, pdfPath]() -> QString {
        try {
            const QString md5 = data ? data->md5 : Audit::fileMd5(dataPath);
            Audit::ReportFacts facts = Audit::ReportFacts::of(model.get(), dataPath, md5, copy);
            facts.versionDiff = versionDiff;
            Audit::exportReport(facts, copy, htmlPath, pdfPath);
            return {};
        } catch (const Audit::AuditError &e) {
            return e.message();
        } catch (const std::exception &e) {
            return QStringLiteral("Could not write the report: %1").arg(QString::fromUtf8(e.what()));
        }
    }));
}

void MainWindow::showError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(true);
    statusBar()->showMessage(message.section(QLatin1Char('\n'), 0, 0), 10000);
}

void MainWindow::syncThreshold()
{
    const QSignalBlocker a(m_slider);
    const QSignalBlocker b(m_thresholdBox);
    m_slider->setValue(int(std::lround(m_session->threshold() * kSliderSteps)));
    m_thresholdBox->setValue(m_session->threshold());
    // A model deciding by group thresholds has no one threshold to move: the slider shows its
    // single one (for rows of no group) and stays put.
    const bool enabled = m_session->project().scored != nullptr && !m_session->decidesByGroup();
    m_slider->setEnabled(enabled);
    m_thresholdBox->setEnabled(enabled);
    const QString tip = m_session->decidesByGroup()
        ? tr("This model decides with thresholds by group, %1; the single threshold shown applies to rows of no listed "
             "group. To move one threshold for everyone, take the group thresholds away (Bias > Mitigate… > Remove).")
              .arg(m_session->project().scored->decisionRule)
        : metricTooltip(QStringLiteral("threshold"));
    m_slider->setToolTip(tip);
    m_thresholdBox->setToolTip(tip);
    updateThresholdChip();
}

void MainWindow::restoreWorkspace()
{
    const LoadedProject &p = m_session->project();
    m_stateDir = p.dir;
    if (!QFileInfo::exists(QDir(p.dir).filePath(QLatin1String(WorkspaceState::kFile))))
        return; // nothing kept yet: the defaults stand
    QString problem;
    const WorkspaceState state = WorkspaceState::load(p.dir, &problem);
    if (!problem.isEmpty()) {
        // The next save writes a fresh file: keep the one that was refused, for the person to
        // mend or compare, instead of losing what else it held.
        const QString path = QDir(p.dir).filePath(QLatin1String(WorkspaceState::kFile));
        const QString kept = path + QStringLiteral(".rejected");
        QFile::remove(kept);
        if (QFile::rename(path, kept))
            problem += tr(" (the file is kept as %1)").arg(QDir::toNativeSeparators(kept));
        statusBar()->showMessage(problem, 15000);
    }
    m_session->setSliceOptions(state.slices);
    Audit::BiasOptions bias = m_session->biasOptions();
    if (!state.bias.attributes.isEmpty())
        bias.attributes = state.bias.attributes;
    bias.method = state.bias.method;
    bias.tau = state.bias.tau;
    bias.verdicts = state.bias.verdicts;
    bias.minGroupSize = state.bias.minGroupSize;
    bias.minEvents = state.bias.minEvents;
    bias.alpha = state.bias.alpha;
    for (const auto &[attribute, group] : state.bias.references) {
        if (bias.attributes.contains(attribute)) // a reference for an attribute no longer audited is dropped
            bias.references[attribute] = group;
    }
    m_session->setBiasOptions(bias);
    // The working threshold only means something for the model it was chosen on.
    if (state.threshold && p.model && state.thresholdModelId == p.model->id()) {
        m_session->setThreshold(*state.threshold);
        syncThreshold();
    }
    m_slicesTab->restoreViewState(state.views.value(QStringLiteral("slices")).toObject());
    m_biasTab->restoreViewState(state.views.value(QStringLiteral("bias")).toObject());
    // Tab names in the workspace file are those of `--tab`.
    // A tab the analyst picked while the project was loading stays.
    const bool picked = m_tabAtOpen >= 0 && m_tabs->currentIndex() != m_tabAtOpen;
    if (const std::optional<Tab> tab = Audit::enumFromName<Tab>(state.tab); tab && !m_tabPinned && !picked)
        showTab(*tab);
    m_stateTimer->stop(); // what was just restored needs no write
}

void MainWindow::saveWorkspace()
{
    const LoadedProject &p = m_session->project();
    if (p.dir.isEmpty() || p.dir != m_stateDir || !p.scored)
        return;
    WorkspaceState state;
    state.threshold = m_session->threshold();
    state.thresholdModelId = p.model ? p.model->id() : QString();
    state.slices = m_session->sliceOptions();
    state.bias = m_session->biasOptions();
    const int tab = m_tabs->currentIndex();
    state.tab = tab >= 0 ? Audit::enumName(Tab(tab)) : QString();
    state.views.insert(QStringLiteral("slices"), m_slicesTab->viewState());
    state.views.insert(QStringLiteral("bias"), m_biasTab->viewState());
    try {
        state.save(p.dir);
    } catch (const Audit::AuditError &e) {
        statusBar()->showMessage(tr("The analysis state was not saved: %1").arg(e.message()), 10000);
    }
}

void MainWindow::projectFilesChanged(const QStringList &files)
{
    if (files.isEmpty() || m_session->project().dir.isEmpty())
        return;
    if (m_session->isBusy()) { // our own job may be writing them; look again once it is done
        QTimer::singleShot(1000, this, [this] { projectFilesChanged(m_watcher->changedFiles()); });
        return;
    }
    const QDir dir(m_session->project().dir);
    QStringList names;
    for (const QString &f : files)
        names << QDir::toNativeSeparators(dir.relativeFilePath(f));
    const QString what = names.join(QStringLiteral(", "));
    // Reload by itself only when nothing would be lost: no card edits, no unsaved working threshold.
    const bool editing = m_cardTab->isDirty() || m_session->threshold() != m_session->modelThreshold();
    if (editing) {
        m_reloadText->setText(tr("%1 changed on disk. The views show the version loaded before; Reload to see the new "
                                 "one (your card edits are kept in the autosave, the working threshold goes back to the "
                                 "model's).")
                                  .arg(what));
        m_reloadBanner->setVisible(true);
        return;
    }
    statusBar()->showMessage(tr("Reloaded: %1 changed on disk.").arg(what), 10000);
    m_session->openProject(m_session->project().dir);
}

void MainWindow::updateThresholdChip()
{
    const bool open = m_session->project().scored != nullptr;
    const double working = m_session->threshold();
    const double stored = m_session->modelThreshold();
    const bool differs = open && working != stored;
    const QString source = m_session->project().model ? tr("model") : tr("scores");
    m_thresholdChip->setVisible(open);
    const bool byGroup = m_session->decidesByGroup();
    if (byGroup) {
        const Audit::GroupThresholds &g = m_session->project().model->groupThresholds();
        QStringList parts;
        for (const Audit::GroupThresholds::Group &group : g.groups)
            parts << QStringLiteral("%1 %2%3")
                         .arg(group.name.toHtmlEscaped())
                         .arg(group.threshold(), 0, 'f', 3)
                         .arg(group.mix.size() > 1 ? QStringLiteral("*") : QString());
        m_thresholdChip->setText(g.groups.size() <= 3
                                     ? tr("by <b>%1</b>: %2").arg(g.attribute.toHtmlEscaped(), parts.join(QStringLiteral(" · ")))
                                     : tr("by <b>%1</b> (%2 groups)").arg(g.attribute.toHtmlEscaped()).arg(g.groups.size()));
        m_thresholdChip->setToolTip(
            tr("The model decides with thresholds %1%2.")
                .arg(m_session->project().scored->decisionRule,
                     g.randomised() ? tr("; * marks a group that mixes thresholds, drawn per record") : QString()));
    } else {
        m_thresholdChip->setToolTip(tr("The working threshold every tab audits at, and the one stored in the model "
                                       "(which the Predict server, the pipeline's reports and `modelaudit-cli` use)."));
        m_thresholdChip->setText(differs
                                     ? tr("working <b>%1</b> · %2 %3").arg(working, 0, 'f', 4).arg(source).arg(stored, 0, 'f', 4)
                                     : tr("= %1 threshold").arg(source));
    }
    m_thresholdChip->setStyleSheet(differs ? QStringLiteral("QLabel { border: 1px solid palette(highlight); border-radius: 8px; "
                                                            "padding: 1px 6px; }")
                                           : QString());
    m_resetThreshold->setVisible(open);
    m_optimise->setVisible(open);
    m_optimise->setEnabled(!byGroup);
    m_optimise->setToolTip(byGroup ? tr("The model decides with thresholds by group: one threshold to optimise would not be "
                                        "its decision. Bias > Mitigate… fits and applies group thresholds.")
                                   : tr("Choose the threshold for an objective (F-beta, expected cost, a target recall, "
                                        "precision or positive rate), with intervals, on rows you name."));
    m_resetThreshold->setEnabled(differs);
    m_saveThreshold->setVisible(open && m_session->project().model);
    m_saveThreshold->setEnabled(differs && m_session->canSaveThreshold() && !m_session->isBusy());
    // Disabled, it says why.
    m_saveThreshold->setToolTip(
        !m_session->canSaveThreshold()
            ? tr("This project has no dvc.yaml, so nothing would keep the model, reports and card true to params.yaml: "
                 "set model.threshold in params.yaml and train again.")
            : !differs ? tr("The working threshold is the model's: move it first.")
                       : tr("Write the working threshold to params.yaml as model.threshold and re-run the pipeline stages "
                            "after it, so the model file, reports, card and dvc.lock agree."));
}

void MainWindow::saveThresholdToModel(bool confirm)
{
    if (!m_session->canSaveThreshold() || m_session->threshold() == m_session->modelThreshold())
        return;
    if (confirm) {
        const auto answer = QMessageBox::question(
            this, tr("Save threshold to model"),
            tr("Set model.threshold to %1 in params.yaml (now the model uses %2), then re-run the pipeline stages that "
               "depend on it (train and the reports after it) and update dvc.lock?\n\nThe model file, reports, card and "
               "the local server will then all use %1.")
                .arg(m_session->threshold(), 0, 'f', 4)
                .arg(m_session->modelThreshold(), 0, 'f', 4));
        if (answer != QMessageBox::Yes)
            return;
    }
    m_session->saveThresholdToModel();
}

void MainWindow::updateStatus()
{
    const LoadedProject &p = m_session->project();
    QStringList parts;
    const QLocale locale;
    if (p.data)
        parts << tr("Data %1 (md5 %2), %3 rows")
                     .arg(QFileInfo(p.dataPath).fileName(), p.data->md5.left(8), locale.toString(qulonglong(p.data->rowCount())));
    else if (p.scored)
        parts
            << tr("Scores %1, %2 rows").arg(QFileInfo(p.dataPath).fileName(), locale.toString(qulonglong(p.scored->rowCount())));
    if (p.model)
        parts << tr("Model %1 (%2)").arg(p.model->id(), Audit::enumName(p.model->params().kind));
    if (const Audit::AuditResults *r = m_session->results(); r && p.scored)
        parts << (m_session->decidesByGroup()
                      ? tr("thresholds by %1: F1 %2")
                            .arg(m_session->project().model->groupThresholds().attribute)
                            .arg(r->metrics.f1, 0, 'f', 4)
                      : tr("threshold %1: F1 %2").arg(r->threshold, 0, 'f', 4).arg(r->metrics.f1, 0, 'f', 4));
    m_status->setText(!parts.isEmpty()          ? parts.join(QStringLiteral(" · "))
                          : m_session->isBusy() ? tr("Opening…")
                                                : tr("Nothing open"));
}

void MainWindow::screenshotWhenIdle(const QString &path, std::function<void(const QString &)> done)
{
    auto *timer = new QTimer(this);
    timer->setInterval(50);
    auto waited = std::make_shared<int>(0);
    connect(timer, &QTimer::timeout, this, [this, timer, waited, path, done = std::move(done)] {
        *waited += 50;
        const bool ready = !m_session->isBusy() && !m_versionsTab->isBusy() && !m_cardTab->isBusy() && !m_predictTab->isRanking()
            && (m_session->results() || !m_session->project().scored);
        if (!ready && *waited < 120000)
            return;
        timer->stop();
        timer->deleteLater();
        if (!ready) {
            done(tr("timed out waiting for the project to load"));
            return;
        }
        QApplication::processEvents();
        const QString error = exportWidget(this, path);
        done(error.isEmpty() && m_error->isVisible() ? tr("the window shows an error: %1").arg(m_error->text()) : error);
    });
    timer->start();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_cardTab->isDirty()) {
        const auto answer = QMessageBox::question(
            this, tr("Unsaved model card"), tr("The model card has unsaved changes. Save them?"),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        if (answer == QMessageBox::Cancel || (answer == QMessageBox::Save && !m_cardTab->save())) {
            event->ignore();
            return;
        }
        if (answer == QMessageBox::Discard)
            QFile::remove(CardTab::autosavePath(m_cardTab->path()));
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty())
        return;
    const QString path = urls.front().toLocalFile();
    if (QFileInfo(path).isDir()) {
        openProject(path);
    } else if (path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive) && !m_session->project().params.schemaPath.isEmpty()) {
        m_session->openDataset(path, m_session->project().params.schemaPath);
    } else {
        showError(tr("%1: drop a project folder, or a CSV file once a project is open.").arg(path));
    }
}

} // namespace Ui
