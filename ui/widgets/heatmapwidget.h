#pragma once

#include <vector>

#include <QWidget>

#include "slicereport.h"

namespace Ui {

// A two-way slice grid: rows are the groups of one feature, columns those of another,
// each cell coloured by a metric on a colour-blind-safe scale (well below overall = vermillion,
// at or above = sky blue) with its value and size.
// Cells below the minimum size are grey. Data come straight from a SliceReport.
class HeatmapWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeatmapWidget)

public:
    explicit HeatmapWidget(QWidget *parent = nullptr);

    // Shows the intersections of `rowFeature` and `columnFeature` in `report`.
    void setData(const Audit::SliceReport *report, const QString &rowFeature, const QString &columnFeature,
                 Audit::SliceMetric metric);
    int cellCount() const; // cells with a slice behind them
    // Outlines the cell of slice `sliceIndex` (the table's selection); -1 for none.
    void setSelectedSlice(int sliceIndex);
    int selectedSlice() const { return m_selected; }
    bool showsSlice(int sliceIndex) const; // a cell of the current grid holds it
    QRect sliceRect(int sliceIndex) const; // its cell, empty when not shown
    QSize sizeHint() const override;
    // The scroll area it lives in shrinks it to this, not below: wider grids scroll sideways
    // instead of being cut off at the edge.
    QSize minimumSizeHint() const override { return sizeHint(); }
    QRect legendRect() const; // the colour scale, under the cells
    qsizetype rowCount() const { return m_rows.size(); }
    qsizetype columnCount() const { return m_columns.size(); }
    // A cell's fill and the colour its value is written in (black or white, whichever reads
    // better on the fill), from the current palette: light fills on a light theme, dark ones
    // on a dark theme, the same hues.
    QColor cellColour(int row, int column) const;
    QColor cellTextColour(int row, int column) const;

Q_SIGNALS:
    void sliceClicked(int sliceIndex); // index into the report's slices

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    QRectF cellRect(int row, int column) const;
    QColor scaleColour(double t) const; // 0 = well below the overall value, 1 = at or above it
    int sliceAt(const QPoint &pos) const;

    QStringList m_rows;
    QStringList m_columns;
    std::vector<int> m_cells; // row-major slice index, -1 when empty
    std::vector<double> m_values;
    std::vector<qint64> m_sizes;
    QString m_title;
    double m_overall = 0;
    QString m_legendTitle;
    int m_selected = -1;
};

} // namespace Ui
