#pragma once

#include <QString>
#include <QTableView>

class QAbstractItemModel;
class QAbstractSeries;
class QBarCategoryAxis;
class QChart;
class QChartView;
class QLineSeries;
class QPen;
class QValueAxis;
class QWidget;

namespace Ui {

// A table view with Ctrl+C copying the selection as tab-separated text, sorting on, and
// sensible defaults for report tables.
class ReportTableView final : public QTableView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReportTableView)

public:
    explicit ReportTableView(QWidget *parent = nullptr);
    void copySelection() const;

    // Keeps column 0 in place when the table scrolls sideways: a second view over the same
    // model and selection model, showing only that column, drawn over the left edge. Call
    // after setModel().
    void freezeFirstColumn();
    QTableView *frozenView() const { return m_frozen; } // null unless frozen

    void scrollTo(const QModelIndex &index, ScrollHint hint = EnsureVisible) override;

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void updateGeometries() override;
    QModelIndex moveCursor(CursorAction cursorAction, Qt::KeyboardModifiers modifiers) override;

private:
    void updateFrozenGeometry();
    void syncFrozenColumns();

    QTableView *m_frozen = nullptr;
};

struct BarAxes
{
    QBarCategoryAxis *x = nullptr;
    QValueAxis *y = nullptr;
};

// Adds `series` to `chart` over a category axis (labels slanted when there are many) and a
// value axis from 0 to `top` titled `yTitle`.
BarAxes addBarAxes(QChart *chart, QAbstractSeries *series, const QStringList &categories, const QString &yTitle,
                   double top = 1.0);

// A horizontal line at `y` across `count` categories, on `axes` (an overall value, a threshold).
QLineSeries *addLevelLine(QChart *chart, const BarAxes &axes, qsizetype count, double y, const QPen &pen);

// The model's display text as CSV (RFC 4180 quoting), header first.
QByteArray modelToCsv(const QAbstractItemModel &model);

// Saves a widget (a chart view, say) as PNG, or as SVG when the path ends in .svg.
// Returns an error message, empty on success. Writes atomically.
QString exportWidget(QWidget *widget, const QString &path);

// Shows `chart` in `view` and deletes the chart it replaces: QChartView::setChart only
// releases the old one.
void replaceChart(QChartView *view, QChart *chart);

// Writes a table model as CSV atomically; returns an error message, empty on success.
QString exportTable(const QAbstractItemModel &model, const QString &path);

} // namespace Ui
