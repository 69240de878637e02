#pragma once

#include <QWidget>

class QBarSet;
class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QTableWidget;

namespace Ui {

class BiasTableModel;
class ProjectSession;
class ReportTableView;

// Per attribute: the group metrics table, a disparity chart for the chosen metric with the
// tolerance band [tau, 1/tau], bars coloured pass/fail and the reference group marked, and
// the fairness verdicts per attribute and overall. Pickers set the reference and tau.
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

private:
    void refresh();
    void rebuildChart();
    void applyOptions();

    ProjectSession *m_session;
    BiasTableModel *m_model;
    ReportTableView *m_table;
    QComboBox *m_attribute;
    QComboBox *m_method;
    QComboBox *m_reference;
    QDoubleSpinBox *m_tau;
    QComboBox *m_metric;
    QTableWidget *m_verdicts;
    QChartView *m_chartView;
    QLabel *m_message;
    QStringList m_failing;
    QStringList m_groups;
};

} // namespace Ui
