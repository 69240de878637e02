#pragma once

#include <QJsonObject>
#include <QWidget>

class QBarSet;
class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QSpinBox;
class QLabel;
class QTableWidget;
class QTextBrowser;

namespace Ui {

class BiasTableModel;
class ProjectSession;
class ReportTableView;

// Per attribute: the group metrics table, a disparity chart for the chosen metric on a log
// axis centred on 1 with the tolerance band [tau, 1/tau], pass/fail by marker shape, mark and
// colour, the fairness verdicts per attribute and overall, and core's plain-language summary.
// Pickers set the reference and tau; "Which parity matters?" walks Aequitas's fairness tree
// and highlights the parity it names in the table, the verdicts and the chart.
class MitigationDialog;

class BiasTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BiasTab)

public:
    explicit BiasTab(ProjectSession *session, QWidget *parent = nullptr);

    ReportTableView *table() const { return m_table; }
    BiasTableModel *model() const { return m_model; }
    QChartView *chartView() const { return m_chartView; }
    QTableWidget *verdicts() const { return m_verdicts; }
    QComboBox *attributeBox() const { return m_attribute; }
    QComboBox *metricBox() const { return m_metric; }
    QDoubleSpinBox *tauBox() const { return m_tau; }
    QStringList failingBars() const { return m_failing; } // groups drawn as failing in the chart
    QStringList chartGroups() const { return m_groups; }
    QTextBrowser *summary() const { return m_summary; }
    QComboBox *interventionBox() const { return m_intervention; }
    QComboBox *concernBox() const { return m_concern; }
    QLabel *adviceLabel() const { return m_advice; }
    QStringList advisedParities() const { return m_advised; }
    MitigationDialog *mitigationDialog(); // made on first use, shown by the Mitigate… button

    // The attribute shown, the chart's metric, the fairness-tree answers and the table's sort
    // order, for the project's workspace file; restoring waits for a report when none is shown.
    QJsonObject viewState() const;
    void restoreViewState(const QJsonObject &state);

Q_SIGNALS:
    void viewStateChanged();
    void viewStateSkipped(const QStringList &members); // restored members that were not valid here

protected:
    void changeEvent(QEvent *event) override; // a new theme: the chart's lines and markers follow

private:
    void refresh();
    void rebuildChart();
    void applyOptions();
    void applyAdvice();
    void markAdvisedRows();
    void updateSummary();

    ProjectSession *m_session;
    BiasTableModel *m_model;
    ReportTableView *m_table;
    QComboBox *m_attribute;
    QComboBox *m_method;
    QComboBox *m_reference;
    QDoubleSpinBox *m_tau;
    QComboBox *m_verdictMode; // evidence or Aequitas's plain verdicts
    QSpinBox *m_minGroup; // groups smaller are insufficient data
    QComboBox *m_metric;
    QTableWidget *m_verdicts;
    QChartView *m_chartView;
    QLabel *m_message;
    QTextBrowser *m_summary;
    QComboBox *m_intervention;
    QComboBox *m_concern;
    QLabel *m_advice;
    QStringList m_failing;
    QStringList m_groups;
    QStringList m_advised; // parity names the fairness tree points at
    QString m_adviceText; // and why
    QJsonObject m_pendingView; // restored before a report arrived
    void applyViewState(const QJsonObject &state);
    MitigationDialog *m_mitigation = nullptr;
};

} // namespace Ui
