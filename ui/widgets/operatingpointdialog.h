#pragma once

#include <memory>
#include <optional>

#include <QDialog>
#include <QFutureWatcher>

#include "operatingpoint.h"

class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineSeries;
class QPushButton;
class QScatterSeries;

namespace Ui {

class JobProgress;
class ProjectSession;

// "Optimise…" beside the threshold: the operating point that best meets an objective, chosen
// on rows the analyst names (the loaded data, warned about when it is the test split, or the
// training split's out-of-fold scores), worked out off the GUI thread by the same core call as
// `modelaudit-cli threshold`; the metric against the threshold with the chosen point marked;
// "Use this threshold" makes it the working threshold (Save to model then keeps the pipeline true).
class OperatingPointDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OperatingPointDialog)

public:
    enum class Rows { Loaded, CrossValidated };

    explicit OperatingPointDialog(ProjectSession *session, QWidget *parent = nullptr);

    void setObjective(const Audit::Objective &objective); // the controls
    Audit::Objective objective() const; // from the controls
    void setRows(Rows rows);
    void optimise(); // as the button: starts the work
    bool isRunning() const { return m_running; } // until its outcome is shown
    const std::optional<Audit::OperatingPointReport> &report() const { return m_report; }
    QString resultText() const;
    QString warningText() const;
    QPushButton *useButton() const { return m_use; }
    QChartView *chartView() const { return m_view; }
    JobProgress *progress() const { return m_progress; }

Q_SIGNALS:
    void thresholdChosen(double threshold); // "Use this threshold"

private:
    struct Outcome
    {
        std::optional<Audit::OperatingPointReport> report;
        QString error;
    };
    void updateParameter(); // the spin box's label, range and value for the objective kind
    void showOutcome();
    void saveSettings() const;

    ProjectSession *m_session;
    QComboBox *m_kind;
    QLabel *m_parameterLabel;
    QDoubleSpinBox *m_parameter;
    QComboBox *m_rows;
    QPushButton *m_run;
    QPushButton *m_use;
    QLabel *m_warning;
    QLabel *m_result;
    QChartView *m_view;
    QLineSeries *m_curve;
    QLineSeries *m_working;
    QScatterSeries *m_best;
    QFutureWatcher<std::shared_ptr<Outcome>> m_watcher;
    std::optional<Audit::OperatingPointReport> m_report;
    bool m_running = false;
    JobProgress *m_progress;
};

} // namespace Ui
