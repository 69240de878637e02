#pragma once

#include <QFutureWatcher>
#include <QMainWindow>

#include "enumnames.h"
#include "theme.h"

class QAction;
class QActionGroup;
class QChartView;
class QDoubleSpinBox;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QSlider;
class QTabWidget;
class QTimer;
class QTableView;

namespace Ui {

class ProjectWatcher;

class BiasTab;
class GateTab;
class OperatingPointDialog;
class CardTab;
class VersionsTab;
class PerformanceTab;
class PredictTab;
class ProjectSession;
class ProjectTab;
class SlicesTab;
class TrainTab;

// The main window: a threshold bar over nine tabs (Project, Train, Performance, Slices, Bias,
// Predict, Model Card, Versions, Gate), menus with shortcuts, and a status bar with what is loaded and any running work.
// Errors show in a banner, never in a blocking dialog.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    enum class Tab { Project, Train, Performance, Slices, Bias, Predict, Card, Versions, Gate };

    // Opens `projectDir` when not empty.
    explicit MainWindow(const QString &projectDir, QWidget *parent = nullptr);
    ~MainWindow() override;

    ProjectSession *session() const { return m_session; }
    ProjectTab *projectTab() const { return m_projectTab; }
    TrainTab *trainTab() const { return m_trainTab; }
    PerformanceTab *performanceTab() const { return m_performanceTab; }
    SlicesTab *slicesTab() const { return m_slicesTab; }
    BiasTab *biasTab() const { return m_biasTab; }
    PredictTab *predictTab() const { return m_predictTab; }
    CardTab *cardTab() const { return m_cardTab; }
    VersionsTab *versionsTab() const { return m_versionsTab; }
    GateTab *gateTab() const { return m_gateTab; }
    QSlider *thresholdSlider() const { return m_slider; }
    QDoubleSpinBox *thresholdBox() const { return m_thresholdBox; }
    QLabel *thresholdChip() const { return m_thresholdChip; }
    QPushButton *resetThresholdButton() const { return m_resetThreshold; }
    QPushButton *saveThresholdButton() const { return m_saveThreshold; }
    QPushButton *optimiseButton() const { return m_optimise; }
    OperatingPointDialog *operatingPointDialog(); // made on first use, shown by the Optimise… button
    QWidget *reloadBanner() const { return m_reloadBanner; }
    void saveWorkspaceNow() { saveWorkspace(); } // tests: without waiting for the timer
    // Save to model; `confirm` asks first (tests pass false).
    void saveThresholdToModel(bool confirm);
    // View → Theme → System, Light or Dark: checkable, exclusive; triggering one applies it to
    // the whole application at once and saves it (QSettings "view/theme").
    QAction *themeAction(Theme theme) const;
    QString errorText() const;
    QString statusText() const;
    void showTab(Tab tab);
    // The tab asked for on the command line (--tab): kept over the one the project's saved
    // analysis names.
    void pinTab(Tab tab)
    {
        m_tabPinned = true;
        showTab(tab);
    }

    // Writes the audit report of what the window shows (the results at the working threshold)
    // to `htmlPath` and, when not empty, `pdfPath`, off the GUI thread; the status bar says
    // when it is done, the banner when it failed. Returns at once.
    void exportReport(const QString &htmlPath, const QString &pdfPath);
    bool isExportingReport() const;

    // Saves a screenshot of the window once all loading and auditing is done, then calls
    // `done` with an error message (empty on success).
    void screenshotWhenIdle(const QString &path, std::function<void(const QString &error)> done);

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildMenus();
    void applyBannerStyle(); // the error banner's colours, from the palette's lightness
    void openProject(const QString &dir);
    void chooseProject();
    void chooseDataset();
    void chooseScored();
    void saveModel();
    void exportChart();
    void exportTable();
    void chooseReportPath();
    void showError(const QString &message);
    void updateStatus();
    void updateRecentMenu();
    void syncThreshold();
    void updateThresholdChip();
    void projectFilesChanged(const QStringList &files);
    void restoreWorkspace();
    void saveWorkspace();
    QChartView *currentChart() const;
    QTableView *currentTable() const;

    ProjectSession *m_session;
    QTabWidget *m_tabs;
    ProjectTab *m_projectTab;
    TrainTab *m_trainTab;
    PerformanceTab *m_performanceTab;
    SlicesTab *m_slicesTab;
    BiasTab *m_biasTab;
    PredictTab *m_predictTab;
    CardTab *m_cardTab;
    VersionsTab *m_versionsTab;
    GateTab *m_gateTab;
    QSlider *m_slider;
    QDoubleSpinBox *m_thresholdBox;
    ProjectWatcher *m_watcher;
    QTimer *m_stateTimer; // writes .modelaudit/workspace.json shortly after a change
    QString m_stateDir; // the project whose analysis state is restored and saved
    bool m_tabPinned = false;
    int m_tabAtOpen = -1; // the tab shown when an open began: one picked since is kept when it ends
    QWidget *m_reloadBanner; // the project's files changed on disk while something is being edited
    QLabel *m_reloadText;
    QLabel *m_thresholdChip;
    QPushButton *m_resetThreshold;
    QPushButton *m_saveThreshold;
    QPushButton *m_optimise;
    OperatingPointDialog *m_optimiseDialog = nullptr;
    QLabel *m_error;
    QLabel *m_status;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    QMenu *m_recent = nullptr;
    QAction *m_exportReport = nullptr;
    QActionGroup *m_themes = nullptr;
    QFutureWatcher<QString> *m_reportJob = nullptr; // error message, empty on success
};

} // namespace Ui

template <>
struct Audit::EnumNames<Ui::MainWindow::Tab>
{
    using Tab = Ui::MainWindow::Tab;
    static constexpr std::array<std::pair<Tab, const char *>, 9> table{{{Tab::Project, "project"},
                                                                        {Tab::Train, "train"},
                                                                        {Tab::Performance, "performance"},
                                                                        {Tab::Slices, "slices"},
                                                                        {Tab::Bias, "bias"},
                                                                        {Tab::Predict, "predict"},
                                                                        {Tab::Card, "card"},
                                                                        {Tab::Versions, "versions"},
                                                                        {Tab::Gate, "gate"}}};
};
