#include "waterfallwidget.h"

#include <algorithm>
#include <cmath>

#include <QPaintEvent>
#include <QPainter>

#include "okabeito.h"

namespace Ui {

WaterfallWidget::WaterfallWidget(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("attributionWaterfall"));
    setMinimumHeight(160);
}

void WaterfallWidget::setExplanation(double base, double output, std::vector<Bar> bars, const QString &unit,
                                     const QString &caption)
{
    std::stable_sort(bars.begin(), bars.end(), [](const Bar &a, const Bar &b) { return std::abs(a.value) > std::abs(b.value); });
    if (int(bars.size()) > kMaxBars) {
        Bar rest{tr("%n other column(s)", nullptr, int(bars.size()) - kMaxBars + 1), 0, 0};
        double variance = 0;
        for (std::size_t i = kMaxBars - 1; i < bars.size(); ++i) {
            rest.value += bars[i].value;
            variance += bars[i].error * bars[i].error;
        }
        rest.error = std::sqrt(variance);
        bars.resize(kMaxBars - 1);
        bars.push_back(rest);
    }
    m_base = base;
    m_output = output;
    m_bars = std::move(bars);
    m_unit = unit;
    m_caption = caption;
    m_message.clear();
    setAccessibleDescription(summary());
    update();
}

void WaterfallWidget::clear(const QString &message)
{
    m_bars.clear();
    m_message = message;
    setAccessibleDescription(message);
    update();
}

QString WaterfallWidget::summary() const
{
    if (m_bars.empty())
        return m_message;
    QStringList parts;
    for (const Bar &b : m_bars)
        parts << QStringLiteral("%1 %2%3").arg(b.label, b.value >= 0 ? QStringLiteral("+") : QString()).arg(b.value, 0, 'f', 4);
    return tr("base %1, %2, output %3 (%4)")
        .arg(m_base, 0, 'f', 4)
        .arg(parts.join(QStringLiteral(", ")))
        .arg(m_output, 0, 'f', 4)
        .arg(m_unit);
}

void WaterfallWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const QColor text = pal.color(QPalette::Text);
    p.setPen(text);
    if (m_bars.empty()) {
        p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, m_message);
        return;
    }
    const QFontMetrics fm(font());
    const int rowHeight = std::max(fm.height() + 6, (height() - 4 * fm.height() - 20) / int(m_bars.size() + 2));
    int labelWidth = fm.horizontalAdvance(tr("output"));
    for (const Bar &b : m_bars)
        labelWidth = std::max(labelWidth, fm.horizontalAdvance(b.label));
    labelWidth = std::min(labelWidth + 8, width() / 2);
    const int valueWidth = fm.horizontalAdvance(QStringLiteral("+0.0000 ±0.000"));
    const QRect plot(labelWidth, fm.height() + 8, std::max(40, width() - labelWidth - valueWidth - 12),
                     std::min(rowHeight * int(m_bars.size() + 2), height() - 3 * fm.height() - 16));
    // The running total's range, for the scale.
    double low = std::min(m_base, m_output);
    double high = std::max(m_base, m_output);
    double running = m_base;
    for (const Bar &b : m_bars) {
        running += b.value;
        low = std::min(low, running);
        high = std::max(high, running);
    }
    low = std::min(low, m_base - 1e-9);
    const double span = std::max(1e-9, high - low);
    const auto xOf = [&](double v) { return plot.left() + int((v - low) / span * plot.width()); };
    const QColor up = Audit::OkabeIto::readableOn(Audit::OkabeIto::kBlue, pal.color(QPalette::Base), 3.0);
    const QColor down = Audit::OkabeIto::readableOn(Audit::OkabeIto::kVermillion, pal.color(QPalette::Base), 3.0);
    const QColor neutral = Audit::OkabeIto::readableOn(Audit::OkabeIto::kGrey, pal.color(QPalette::Base), 3.0);

    p.drawText(QRect(0, 0, width(), fm.height() + 4), Qt::AlignLeft | Qt::AlignVCenter, m_caption);
    int y = plot.top();
    const auto row = [&](const QString &label, double from, double to, const QColor &colour, const QString &value) {
        p.setPen(text);
        p.drawText(QRect(0, y, labelWidth - 6, rowHeight), Qt::AlignRight | Qt::AlignVCenter,
                   fm.elidedText(label, Qt::ElideMiddle, labelWidth - 6));
        const int a = xOf(std::min(from, to));
        const int b = xOf(std::max(from, to));
        p.fillRect(QRect(a, y + 3, std::max(2, b - a), rowHeight - 6), colour);
        p.drawText(QRect(plot.right() + 6, y, valueWidth + 6, rowHeight), Qt::AlignLeft | Qt::AlignVCenter, value);
        y += rowHeight;
    };
    row(tr("base"), low, m_base, neutral, QString::number(m_base, 'f', 4));
    running = m_base;
    for (const Bar &b : m_bars) {
        const QString value = QStringLiteral("%1%2%3")
                                  .arg(b.value >= 0 ? QStringLiteral("+") : QString())
                                  .arg(b.value, 0, 'f', 4)
                                  .arg(b.error > 0 ? QStringLiteral(" ±%1").arg(b.error, 0, 'f', 3) : QString());
        row(b.label, running, running + b.value, b.value >= 0 ? up : down, value);
        running += b.value;
    }
    row(tr("output"), low, m_output, neutral, QString::number(m_output, 'f', 4));
    // The base as a dashed line through the bars, and a scale under them.
    p.setPen(QPen(neutral, 1, Qt::DashLine));
    p.drawLine(xOf(m_base), plot.top(), xOf(m_base), y);
    p.setPen(text);
    p.drawLine(plot.left(), y, plot.right(), y);
    const int ticks = plot.width() > 320 ? 5 : 3;
    for (int k = 0; k < ticks; ++k) {
        const double v = low + span * k / (ticks - 1);
        const int x = xOf(v);
        p.drawLine(x, y, x, y + 3);
        const QString label = QString::number(v, 'f', span < 0.1 ? 3 : 2);
        const int w = fm.horizontalAdvance(label);
        p.drawText(QRect(std::clamp(x - w / 2, 0, width() - w), y + 4, w, fm.height()), Qt::AlignCenter, label);
    }
    p.drawText(QRect(0, y + 4 + fm.height(), width(), fm.height() + 2), Qt::AlignCenter, tr("%1 (dashed: base)").arg(m_unit));
}

} // namespace Ui
