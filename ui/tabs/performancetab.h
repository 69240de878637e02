#pragma once

#include <QMap>
#include <QWidget>

class QChartView;
class QLabel;
class QLineSeries;
class QScatterSeries;

namespace Ui {

class ProjectSession;

// Overall metrics at the current threshold, the confusion matrix, and the ROC and
// precision-recall curves with the current threshold marked.
class PerformanceTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PerformanceTab)

public:
    explicit PerformanceTab(ProjectSession *session, QWidget *parent = nullptr);

    QChartView *rocView() const { return m_rocView; }
    QChartView *prView() const { return m_prView; }
    QString metricText(const QString &key) const; // what the metric label shows

private:
    void refresh();

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
};

} // namespace Ui
