#include "heatmapwidget.h"

#include <cmath>

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include "okabeito.h"

namespace Ui {

namespace {

constexpr int kLabelWidth = 150;
constexpr int kTitleHeight = 36; // two lines
constexpr int kHeaderHeight = 72 + kTitleHeight; // the title, then column labels slanted up to 80 px
constexpr int kCellWidth = 64;
constexpr int kCellHeight = 34;
constexpr int kLegendHeight = 46; // the colour scale under the cells
constexpr int kLegendWidth = 240;

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t), float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

// Black or white, whichever has the more contrast on `fill` (at least 4.5:1 on every fill of
// the scales below).
QColor textOn(const QColor &fill)
{
    return Audit::OkabeIto::contrastRatio(fill, Qt::black) >= Audit::OkabeIto::contrastRatio(fill, Qt::white) ? Qt::black
                                                                                                              : Qt::white;
}

} // namespace

QColor HeatmapWidget::scaleColour(double t) const
{
    // Okabe–Ito vermillion through a neutral to blue. On a light theme the ends are lightened
    // for black text (vermillion, sky blue) and the middle is near-white; on a dark theme the
    // same hues darkened for white text, through dark grey, so no cell glares.
    const bool dark = palette().color(QPalette::Window).lightnessF() < 0.5;
    const QColor low = dark ? Audit::OkabeIto::kVermillion.darker(175) : QColor(230, 125, 60);
    const QColor mid = dark ? QColor(62, 62, 66) : QColor(242, 242, 242);
    const QColor high = dark ? Audit::OkabeIto::kBlue.darker(150) : Audit::OkabeIto::kSkyBlue;
    return t < 0.5 ? mix(low, mid, t * 2) : mix(mid, high, (t - 0.5) * 2);
}

QColor HeatmapWidget::cellColour(int row, int column) const
{
    const std::size_t cell = std::size_t(row * m_columns.size() + column);
    const double v = m_values[cell];
    if (m_cells[cell] < 0 || !std::isfinite(v))
        return palette().color(QPalette::Mid);
    // Okabe–Ito vermillion well below the overall value, through a neutral, to blue at or above
    // it: a scale readable with red-green colour blindness (the value is printed too).
    return scaleColour(std::clamp((v - (m_overall - 0.3)) / 0.3, 0.0, 1.0));
}

QColor HeatmapWidget::cellTextColour(int row, int column) const
{
    return textOn(cellColour(row, column));
}

HeatmapWidget::HeatmapWidget(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(true);
}

void HeatmapWidget::setData(const Audit::SliceReport *report, const QString &rowFeature, const QString &columnFeature,
                            Audit::SliceMetric metric)
{
    m_rows.clear();
    m_columns.clear();
    m_cells.clear();
    m_values.clear();
    m_sizes.clear();
    m_title.clear();
    if (report) {
        m_overall = report->overall.metric(metric);
        m_legendTitle = tr("%1 (overall %2)").arg(enumName(metric)).arg(m_overall, 0, 'f', 2);
        for (const Audit::SliceRow &row : report->slices) {
            if (row.features.size() != 1)
                continue;
            if (row.features[0] == rowFeature)
                m_rows << row.values[0];
            else if (row.features[0] == columnFeature)
                m_columns << row.values[0];
        }
        m_cells.assign(std::size_t(m_rows.size() * m_columns.size()), -1);
        m_values.assign(m_cells.size(), NAN);
        m_sizes.assign(m_cells.size(), 0);
        for (std::size_t i = 0; i < report->slices.size(); ++i) {
            const Audit::SliceRow &row = report->slices[i];
            if (row.features.size() != 2)
                continue;
            int r = -1;
            int c = -1;
            if (row.features[0] == rowFeature && row.features[1] == columnFeature) {
                r = int(m_rows.indexOf(row.values[0]));
                c = int(m_columns.indexOf(row.values[1]));
            } else if (row.features[0] == columnFeature && row.features[1] == rowFeature) {
                r = int(m_rows.indexOf(row.values[1]));
                c = int(m_columns.indexOf(row.values[0]));
            }
            if (r < 0 || c < 0)
                continue;
            const std::size_t cell = std::size_t(r * m_columns.size() + c);
            m_cells[cell] = int(i);
            m_values[cell] = row.metric(metric);
            m_sizes[cell] = row.n;
        }
        m_title = tr("%1 by %2: %3 (overall %4); grey = fewer than %5 rows")
                      .arg(rowFeature, columnFeature, Audit::enumName(metric))
                      .arg(m_overall, 0, 'f', 3)
                      .arg(report->options.minSize);
    }
    updateGeometry();
    update();
}

int HeatmapWidget::cellCount() const
{
    return int(std::count_if(m_cells.begin(), m_cells.end(), [](int i) { return i >= 0; }));
}

void HeatmapWidget::setSelectedSlice(int sliceIndex)
{
    if (sliceIndex == m_selected)
        return;
    m_selected = sliceIndex;
    update();
}

bool HeatmapWidget::showsSlice(int sliceIndex) const
{
    return sliceIndex >= 0 && std::find(m_cells.begin(), m_cells.end(), sliceIndex) != m_cells.end();
}

QRect HeatmapWidget::sliceRect(int sliceIndex) const
{
    for (int r = 0; r < m_rows.size(); ++r) {
        for (int c = 0; c < m_columns.size(); ++c) {
            if (sliceIndex >= 0 && m_cells[std::size_t(r * m_columns.size() + c)] == sliceIndex)
                return cellRect(r, c).toAlignedRect();
        }
    }
    return {};
}

QSize HeatmapWidget::sizeHint() const
{
    return {kLabelWidth + kCellWidth * int(std::max<qsizetype>(1, m_columns.size())) + 10,
            kHeaderHeight + kCellHeight * int(std::max<qsizetype>(1, m_rows.size())) + kLegendHeight + 10};
}

QRect HeatmapWidget::legendRect() const
{
    const int top = kHeaderHeight + kCellHeight * int(std::max<qsizetype>(1, m_rows.size())) + 8;
    return {kLabelWidth, top, kLegendWidth, kLegendHeight - 8};
}

QRectF HeatmapWidget::cellRect(int row, int column) const
{
    return QRectF(kLabelWidth + column * kCellWidth, kHeaderHeight + row * kCellHeight, kCellWidth - 2, kCellHeight - 2);
}

void HeatmapWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.drawText(QRect(4, 2, width() - 8, kTitleHeight), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, m_title);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    p.setFont(small);
    for (int c = 0; c < m_columns.size(); ++c) {
        p.save();
        p.translate(kLabelWidth + c * kCellWidth + kCellWidth / 2.0, kHeaderHeight - 4);
        p.rotate(-50);
        p.drawText(QRectF(0, -8, kHeaderHeight - 28, 16), Qt::AlignLeft | Qt::AlignVCenter,
                   p.fontMetrics().elidedText(m_columns[c], Qt::ElideRight, kHeaderHeight - 28));
        p.restore();
    }
    for (int r = 0; r < m_rows.size(); ++r) {
        p.drawText(QRectF(2, kHeaderHeight + r * kCellHeight, kLabelWidth - 6, kCellHeight), Qt::AlignRight | Qt::AlignVCenter,
                   p.fontMetrics().elidedText(m_rows[r], Qt::ElideRight, kLabelWidth - 6));
        for (int c = 0; c < m_columns.size(); ++c) {
            const std::size_t cell = std::size_t(r * m_columns.size() + c);
            const QRectF rect = cellRect(r, c);
            const double v = m_values[cell];
            p.fillRect(rect, cellColour(r, c));
            if (m_cells[cell] >= 0) {
                p.setPen(cellTextColour(r, c));
                p.drawText(rect, Qt::AlignCenter,
                           QStringLiteral("%1\nn=%2")
                               .arg(std::isfinite(v) ? QString::number(v, 'f', 2) : QStringLiteral("–"))
                               .arg(m_sizes[cell]));
                p.setPen(palette().color(QPalette::WindowText));
            }
            if (m_selected >= 0 && m_cells[cell] == m_selected) {
                p.save();
                p.setPen(QPen(palette().color(QPalette::Highlight), 3));
                p.setBrush(Qt::NoBrush);
                p.drawRect(rect.adjusted(1.5, 1.5, -1.5, -1.5));
                p.restore();
            }
        }
    }
    if (m_rows.isEmpty() || m_columns.isEmpty())
        return;
    // The colour scale: from 0.3 below the overall value (and lower) to the overall (and above).
    const QRect legend = legendRect();
    const QRect bar(legend.left(), legend.top(), legend.width(), 12);
    for (int x = 0; x < bar.width(); ++x)
        p.fillRect(QRect(bar.left() + x, bar.top(), 1, bar.height()), scaleColour(double(x) / (bar.width() - 1)));
    p.setPen(palette().color(QPalette::Mid));
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    p.setPen(palette().color(QPalette::WindowText));
    const QRect labels(bar.left(), bar.bottom() + 2, bar.width(), legend.height() - bar.height() - 2);
    p.drawText(labels, Qt::AlignLeft | Qt::AlignTop, QStringLiteral("≤ %1").arg(m_overall - 0.3, 0, 'f', 2));
    p.drawText(labels, Qt::AlignHCenter | Qt::AlignTop, m_legendTitle);
    p.drawText(labels, Qt::AlignRight | Qt::AlignTop, QStringLiteral("≥ %1").arg(m_overall, 0, 'f', 2));
}

int HeatmapWidget::sliceAt(const QPoint &pos) const
{
    for (int r = 0; r < m_rows.size(); ++r) {
        for (int c = 0; c < m_columns.size(); ++c) {
            if (cellRect(r, c).contains(pos))
                return m_cells[std::size_t(r * m_columns.size() + c)];
        }
    }
    return -1;
}

void HeatmapWidget::mousePressEvent(QMouseEvent *event)
{
    const int slice = sliceAt(event->position().toPoint());
    if (slice >= 0)
        Q_EMIT sliceClicked(slice);
}

bool HeatmapWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        for (int r = 0; r < m_rows.size(); ++r) {
            for (int c = 0; c < m_columns.size(); ++c) {
                if (cellRect(r, c).contains(help->pos())) {
                    const std::size_t cell = std::size_t(r * m_columns.size() + c);
                    QToolTip::showText(help->globalPos(),
                                       m_cells[cell] >= 0 ? tr("%1 & %2: %3, n=%4")
                                                                .arg(m_rows[r], m_columns[c])
                                                                .arg(m_values[cell], 0, 'f', 3)
                                                                .arg(m_sizes[cell])
                                                          : tr("%1 & %2: too few rows").arg(m_rows[r], m_columns[c]),
                                       this);
                    return true;
                }
            }
        }
        QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

} // namespace Ui
