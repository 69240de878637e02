#pragma once

#include <QJsonObject>
#include <QWidget>

class QBarSet;
class QChartView;
class QCheckBox;
class QComboBox;
class QLineEdit;
class QMenu;
class QScrollArea;
class QSortFilterProxyModel;
class QTableView;
class QTabWidget;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace Ui {

class HeatmapWidget;
class ProjectSession;
class ReportTableView;
class SliceFilterProxy;
class SliceTableModel;
class WeakSliceModel;

// Every slice in a sortable, filterable table; a bar chart per feature with interval error
// bars and the overall value; a two-way heatmap; the weak slices on top, as a ranked table.
// Selecting a bar, a heatmap cell or a weak slice selects the table row, and selecting a row
// highlights its bar. The slice column stays put when the table scrolls sideways; which
// metric columns show is chosen from the header's context menu and kept in QSettings.
class SlicesTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SlicesTab)

public:
    explicit SlicesTab(ProjectSession *session, QWidget *parent = nullptr);

    ReportTableView *table() const { return m_table; }
    QString sliceWhyText() const; // the selected slice's importance next to overall
    SliceTableModel *model() const { return m_model; }
    SliceFilterProxy *proxy() const { return m_proxy; }
    QChartView *chartView() const { return m_chartView; }
    QBarSet *bars() const { return m_bars; }
    HeatmapWidget *heatmap() const { return m_heatmap; }
    QComboBox *featureBox() const { return m_feature; }
    QTableView *weakView() const { return m_weakView; }
    WeakSliceModel *weakModel() const { return m_weakModel; }
    QSortFilterProxyModel *weakProxy() const { return m_weakProxy; }
    QMenu *columnMenu() const { return m_columnMenu; } // the header's context menu
    QComboBox *levelBox() const { return m_level; }
    QComboBox *metricBox() const { return m_metric; }

    // Shows or hides a SliceTableModel column and remembers the choice.
    void setColumnShown(int column, bool shown);

    void selectSlice(int sliceIndex); // selects the table row (and the bar)

    // The filters, sort orders, selected slice and chart choices, for the project's workspace
    // file; restoring waits for the slices when none are shown yet. Bad members are skipped.
    QJsonObject viewState() const;
    void restoreViewState(const QJsonObject &state);

    int selectedSlice() const; // -1 when none
    std::vector<int> barSlices() const { return m_barSlices; } // slice index of each bar

Q_SIGNALS:
    void viewStateChanged(); // a filter, sort order, selection or chart choice changed
    void viewStateSkipped(const QStringList &members); // restored members that were not valid here

private:
    void refresh();
    void applyViewState(const QJsonObject &state);
    void rebuildChart();
    void rebuildHeatmap();
    void onTableSelection();
    void onWeakSelection();
    void restoreColumns();
    void resizeColumns();
    void fitSliceColumn();
    void updateWarningColour();
    void applyWeakOptions(); // the rank, FDR level and minimum positives into the session

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override; // a new theme: the chart's error bars and the table's marks follow

private:
    ProjectSession *m_session;
    SliceTableModel *m_model;
    SliceFilterProxy *m_proxy;
    ReportTableView *m_table;
    QLabel *m_sliceWhy = nullptr; // why the selected slice fails: its importance next to overall
    void updateSliceWhy();
    WeakSliceModel *m_weakModel;
    QSortFilterProxyModel *m_weakProxy;
    QTableView *m_weakView;
    QMenu *m_columnMenu;
    QTabWidget *m_views = nullptr;
    QLineEdit *m_filter;
    QComboBox *m_level;
    QSpinBox *m_minSize;
    QCheckBox *m_weakOnly;
    QComboBox *m_metric;
    QComboBox *m_rank; // weak slices by the gap's lower bound or by the gap
    QDoubleSpinBox *m_fdrQ; // the weak slices' false-discovery rate
    QSpinBox *m_minPositives; // a slice needs this many positives to be tested
    QLabel *m_weakTitle = nullptr;
    QComboBox *m_feature;
    QComboBox *m_heatRows;
    QComboBox *m_heatColumns;
    QChartView *m_chartView;
    QBarSet *m_bars = nullptr;
    HeatmapWidget *m_heatmap;
    QScrollArea *m_heatScroll = nullptr;
    std::vector<int> m_barSlices;
    int m_sliceWidth = 0; // the slice column's content width
    QString m_shape; // of the report the columns were last sized for
    QJsonObject m_pendingView; // restored before the slices arrived
};

} // namespace Ui
