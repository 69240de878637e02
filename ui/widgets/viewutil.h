#pragma once

#include <QJsonObject>
#include <QJsonValue>

#include <QString>
#include <QTableView>

class QAbstractItemModel;
class QAbstractSeries;
class QBarCategoryAxis;
class QChart;
class QChartView;
class QLineSeries;
class QPalette;
class QPen;
class QValueAxis;
class QWidget;

class QComboBox;
class QTabWidget;

namespace Ui {

// A table view with Ctrl+C copying the selection as tab-separated text, sorting on, and
// sensible defaults for report tables.
// Pieces of a tab's view state in the project's workspace file. The restore side checks what
// it reads (the file is the user's) and leaves the widget alone when the value does not fit.
// Each restore returns false when it left the widget alone (the value did not fit).
QJsonObject sortState(const QTableView *view); // {"column": n, "descending": bool}
bool restoreSort(QTableView *view, const QJsonValue &state);
bool restoreComboText(QComboBox *box, const QJsonValue &text); // when the box holds that text
bool restoreIndex(QTabWidget *tabs, const QJsonValue &index);

inline constexpr int kResizeContentsRows = 200;

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
    void changeEvent(QEvent *event) override;
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
// Category labels thinned to at most `shown` (evenly spaced, plus every index in `keep`): the
// others become distinct runs of spaces, as a category axis needs unique names. For bar
// charts with more bars than room for slanted labels; the bars' tooltips carry every value.
QStringList thinnedLabels(const QStringList &labels, int shown, const QList<int> &keep = {});

BarAxes addBarAxes(QChart *chart, QAbstractSeries *series, const QStringList &categories, const QString &yTitle,
                   double top = 1.0);

// A horizontal line at `y` across `count` categories, on `axes` (an overall value, a threshold).
QLineSeries *addLevelLine(QChart *chart, const BarAxes &axes, qsizetype count, double y, const QPen &pen);

// The model's display text as CSV (RFC 4180 quoting), header first.
QByteArray modelToCsv(const QAbstractItemModel &model);

// Saves a widget (a chart view, say) as PNG, or as SVG when the path ends in .svg.
// Returns an error message, empty on success. Writes atomically.
QString exportWidget(QWidget *widget, const QString &path);

// Polishes `widget` with its style sheet again, once the current event is done: a widget with a
// style sheet keeps the palette it was polished with, so after a theme change it needs this to
// take the new one (and palette(...) colours in the sheet resolve anew).
void reapplyStyleSheet(QWidget *widget);

// Shows `chart` in `view`, its chrome coloured from `palette` (the tab's: during a palette
// change the view's own may still be the old one), and deletes the chart it replaces:
// QChartView::setChart only releases the old one.
void replaceChart(QChartView *view, QChart *chart, const QPalette &palette);

// Writes a table model as CSV atomically; returns an error message, empty on success.
QString exportTable(const QAbstractItemModel &model, const QString &path);

} // namespace Ui
