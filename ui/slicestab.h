#pragma once

#include <QWidget>

class QBarSet;
class QChartView;
class QCheckBox;
class QComboBox;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace Ui {

class HeatmapWidget;
class ProjectSession;
class ReportTableView;
class SliceFilterProxy;
class SliceTableModel;

// Every slice in a sortable, filterable table; a bar chart per feature with interval error
// bars and the overall value; a two-way heatmap; the weak slices on top. Selecting a bar or
// a heatmap cell selects the table row, and selecting a row highlights its bar.
class SlicesTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SlicesTab)

public:
    explicit SlicesTab(ProjectSession *session, QWidget *parent = nullptr);

    ReportTableView *table() const { return m_table; }
    SliceTableModel *model() const { return m_model; }
    SliceFilterProxy *proxy() const { return m_proxy; }
    QChartView *chartView() const { return m_chartView; }
    QBarSet *bars() const { return m_bars; }
    HeatmapWidget *heatmap() const { return m_heatmap; }
    QComboBox *featureBox() const { return m_feature; }
    QListWidget *weakList() const { return m_weak; }

    void selectSlice(int sliceIndex); // selects the table row (and the bar)
    int selectedSlice() const; // -1 when none
    std::vector<int> barSlices() const { return m_barSlices; } // slice index of each bar

private:
    void refresh();
    void rebuildChart();
    void rebuildHeatmap();
    void onTableSelection();

    ProjectSession *m_session;
    SliceTableModel *m_model;
    SliceFilterProxy *m_proxy;
    ReportTableView *m_table;
    QListWidget *m_weak;
    QLineEdit *m_filter;
    QComboBox *m_level;
    QSpinBox *m_minSize;
    QCheckBox *m_weakOnly;
    QComboBox *m_metric;
    QComboBox *m_feature;
    QComboBox *m_heatRows;
    QComboBox *m_heatColumns;
    QChartView *m_chartView;
    QBarSet *m_bars = nullptr;
    HeatmapWidget *m_heatmap;
    std::vector<int> m_barSlices;
};

} // namespace Ui
