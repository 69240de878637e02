#pragma once

#include <QWidget>

class QChartView;
class QLabel;
class QTabWidget;

namespace Ui {

class DatasetTableModel;
class ProjectSession;
class ReportTableView;
class TextTableModel;

// What is open: the project and data files, a preview of every row, the columns with their
// types and missing counts, and the rows the reader rejected.
class ProjectTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProjectTab)

public:
    explicit ProjectTab(ProjectSession *session, QWidget *parent = nullptr);

    ReportTableView *previewView() const { return m_preview; }
    ReportTableView *rejectedView() const { return m_rejected; }
    ReportTableView *columnsView() const { return m_columns; }
    QChartView *distributionView() const { return m_distribution; }
    QString summaryText() const;

Q_SIGNALS:
    void openProjectRequested();
    void openDatasetRequested();
    void openScoredRequested();

private:
    void refresh();

    ProjectSession *m_session;
    QLabel *m_summary;
    QTabWidget *m_tables;
    DatasetTableModel *m_previewModel;
    TextTableModel *m_columnsModel;
    TextTableModel *m_rejectedModel;
    ReportTableView *m_preview;
    ReportTableView *m_columns;
    ReportTableView *m_rejected;
    QChartView *m_distribution; // the selected column's distribution
    void showDistribution(int column);
};

} // namespace Ui
