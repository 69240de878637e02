#pragma once

#include <memory>
#include <optional>

#include <QDialog>
#include <QFutureWatcher>

#include "mitigationrun.h"

class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineSeries;
class QPushButton;
class QScatterSeries;
class QTableWidget;

namespace Ui {

class JobProgress;
class ProjectSession;

// "Mitigate…" in the Bias tab: group thresholds for a fairness constraint, fitted on the
// training split's out-of-fold scores (or the loaded data, warned about when it is the test
// split) and reported on the loaded data, for every tolerance of the trade-off; the Pareto
// front (objective against the constrained rates' gap) plotted with the single threshold
// marked; pick a point to see every metric and per-group rate before and after, side by side,
// with the parity verdicts at the Bias tab's tau. The same core call as `modelaudit-cli mitigate`.
class MitigationDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MitigationDialog)

public:
    enum class Rows { CrossValidated, Loaded };

    explicit MitigationDialog(ProjectSession *session, QWidget *parent = nullptr);

    void setRequest(const QString &attribute, Audit::FairnessConstraint constraint, const Audit::Objective &objective, Rows rows);
    void compute(); // as the button: starts the work
    bool isRunning() const { return m_running; }
    const std::optional<Audit::MitigationRun> &run() const { return m_run; }
    void pick(int point); // a trade-off point (as clicking its row)
    int picked() const { return m_picked; }
    QTableWidget *frontTable() const { return m_front; }
    QTableWidget *comparisonTable() const { return m_comparison; }
    QChartView *chartView() const { return m_view; }
    JobProgress *progress() const { return m_progress; }
    QString messageText() const;
    QPushButton *applyButton() const { return m_apply; }
    QPushButton *removeButton() const { return m_remove; }
    // As Apply to model…: the picked point's thresholds become the model's (params.yaml, the
    // pipeline, dvc.lock); `confirm` asks first.
    void applyPicked(bool confirm);
    void removeFromModel(bool confirm);

private:
    struct Outcome
    {
        std::optional<Audit::MitigationRun> run;
        QString error;
    };
    void refreshAttributes();
    void showOutcome();
    void updateApply();

    ProjectSession *m_session;
    QComboBox *m_attribute;
    QComboBox *m_constraint;
    QComboBox *m_objective;
    QDoubleSpinBox *m_costRatio;
    QComboBox *m_rows;
    QPushButton *m_compute;
    QPushButton *m_apply;
    QPushButton *m_remove;
    QLabel *m_message;
    QChartView *m_view;
    QLineSeries *m_frontLine;
    QScatterSeries *m_frontPoints;
    QScatterSeries *m_single;
    QScatterSeries *m_chosen;
    QTableWidget *m_front;
    QTableWidget *m_comparison;
    QFutureWatcher<std::shared_ptr<Outcome>> m_watcher;
    std::optional<Audit::MitigationRun> m_run;
    bool m_running = false;
    QString m_applyingFrom; // the model id an apply or remove started from; empty when none runs
    JobProgress *m_progress;
    int m_picked = -1;
};

} // namespace Ui
