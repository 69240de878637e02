#pragma once

#include <memory>

#include <QMap>
#include <QWidget>

class QChartView;
class QLabel;
class QLineSeries;
class QPushButton;
class QScatterSeries;
class QTabWidget;
class QTableWidget;

namespace Audit {
struct ScoredData;
}

namespace Ui {

class ProjectSession;

// Overall metrics at the current threshold, the confusion matrix, the ROC and precision-recall
// curves with the current threshold marked, the score distribution by class and the
// reliability diagram (calibration) with its expected calibration error overall and per
// protected group; and which columns drive the model: mean |SHAP| and permutation importance
// with 95% intervals, and mean |SHAP| on the rows misclassified at the working threshold.
class PerformanceTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PerformanceTab)

public:
    explicit PerformanceTab(ProjectSession *session, QWidget *parent = nullptr);

    QChartView *rocView() const { return m_rocView; }
    QChartView *prView() const { return m_prView; }
    QChartView *scoresView() const { return m_scoresView; }
    QChartView *calibrationView() const { return m_calibrationView; }
    QTabWidget *chartTabs() const { return m_charts; }
    QTableWidget *importanceTable() const { return m_importance; }
    QString importanceNote() const;
    QString calibrationGroupsText() const;
    QPushButton *importanceButton() const { return m_importanceButton; }
    QString metricText(const QString &key) const; // what the metric label shows

protected:
    void changeEvent(QEvent *event) override; // a new theme: the charts follow

private:
    void refresh();
    void restyleCharts();
    void refreshImportance(); // the table, from the session's report and the working threshold

    ProjectSession *m_session;
    QMap<QString, QLabel *> m_metrics;
    QLabel *m_confusion[4];
    QLabel *m_placeholder;
    QChartView *m_rocView;
    QChartView *m_prView;
    QLineSeries *m_roc;
    QLineSeries *m_pr;
    QScatterSeries *m_rocMarker;
    QScatterSeries *m_prMarker;
    QTabWidget *m_charts; // ROC/PR, scores/calibration
    QChartView *m_scoresView; // score distribution by true class, the threshold marked
    QLineSeries *m_scoresPositive;
    QLineSeries *m_scoresNegative;
    QLineSeries *m_scoresThreshold;
    QChartView *m_calibrationView; // reliability diagram
    QLineSeries *m_calibration;
    QLineSeries *m_calibrationLow; // 95% interval of the observed rate per bin
    QLineSeries *m_calibrationHigh;
    QLineSeries *m_calibrationBefore; // the scores before the model's calibration map (hidden without one)
    QLabel *m_calibrationGroups; // ECE per protected group, at the working scores
    QTableWidget *m_importance;
    QLabel *m_importanceNote;
    QPushButton *m_importanceButton; // "Work out importance", for a large file
};

} // namespace Ui
