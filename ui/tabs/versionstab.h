#pragma once

#include <QFutureWatcher>
#include <QWidget>

#include "versionaudit.h"
#include "versiondiff.h"

class QChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;
class QTabWidget;

namespace Ui {

class ProjectSession;

// The project's versions: pipeline status (every stage and tracked artifact, as `dvc status`),
// the history of dvc.lock from git with each version's metrics, and a diff of any two
// versions: metrics, changed params, slices that got worse and parity verdicts that flipped,
// from the committed reports or by auditing both versions' models (from the DVC cache) on
// the data open now. All reading and auditing runs off the GUI thread.
class VersionsTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(VersionsTab)

public:
    explicit VersionsTab(ProjectSession *session, QWidget *parent = nullptr);
    ~VersionsTab() override;

    void refresh(); // status and history
    void compare(bool audit); // the two chosen versions
    bool isBusy() const;

    QTableWidget *stagesTable() const { return m_stages; }
    QTableWidget *artifactsTable() const { return m_artifacts; }
    QTableWidget *historyTable() const { return m_history; }
    QComboBox *versionA() const { return m_a; }
    QComboBox *versionB() const { return m_b; }
    QCheckBox *versionedDataBox() const { return m_versionedData; }
    QTableWidget *metricsTable() const { return m_metrics; }
    QTableWidget *paramsTable() const { return m_params; }
    QTableWidget *slicesTable() const { return m_slices; }
    QTableWidget *paritiesTable() const { return m_parities; }
    QString message() const;
    QString diffNote() const; // what the diff shows, or why it failed
    // The diff shown, as `modelaudit-cli diff` prints it, after its summary line (the audit
    // report includes it); empty when none is shown.
    QString shownDiffText() const;
    // ROC and PR curves of A and B overlaid, from the same data both scored; cleared with the diff.
    QChartView *rocChartView() const { return m_roc; }
    QChartView *prChartView() const { return m_pr; }
    const std::vector<Audit::VersionCurves> &shownCurves() const; // A then B; empty when none is shown
    QString curvesNote() const;

Q_SIGNALS:
    void refreshed(); // status and history shown
    void compared(); // a diff shown (or its error)

protected:
    void changeEvent(QEvent *event) override; // a new theme: error text stays readable

private:
    struct Snapshot; // status + history, computed off the GUI thread
    void markError(QLabel *label, bool error); // error text in the theme's readable vermillion
    struct Comparison;
    void showSnapshot();
    void showComparison();
    void clearDiff(); // the shown diff no longer matches A, B or the data choice
    void showCurves(const std::vector<Audit::VersionCurves> &curves, const QString &about);
    void setMessage(const QString &text, bool error = false);

    ProjectSession *m_session;
    QLabel *m_message;
    QPushButton *m_refresh;
    QPushButton *m_compare;
    QPushButton *m_audit;
    QCheckBox *m_versionedData;
    QTableWidget *m_stages;
    QTableWidget *m_artifacts;
    QTableWidget *m_history;
    QComboBox *m_a;
    QComboBox *m_b;
    QTabWidget *m_diffTabs;
    QTableWidget *m_metrics;
    QTableWidget *m_params;
    QTableWidget *m_slices;
    QTableWidget *m_parities;
    QLabel *m_diffNote;
    QChartView *m_roc;
    QChartView *m_pr;
    QLabel *m_curvesNote;
    bool m_comparedOnce = false;
    std::shared_ptr<const Comparison> m_shown; // the diff on screen; null when none
    int m_pending = 0; // jobs started and not yet shown
    int m_generation = 0; // bumped when A, B or the data choice changes
    QFutureWatcher<std::shared_ptr<Snapshot>> m_snapshotWatcher;
    QFutureWatcher<std::shared_ptr<Comparison>> m_comparisonWatcher;
};

} // namespace Ui
