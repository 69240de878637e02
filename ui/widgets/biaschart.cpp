#include "biaschart.h"

#include <algorithm>
#include <cmath>

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QChart>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QLogValueAxis>
#include <QPen>
#include <QScatterSeries>

#include "metricglossary.h"

namespace Ui {

QString chartLabelText(const QString &plain)
{
    return plain.toHtmlEscaped();
}

BiasChart makeBiasChart(const std::vector<const Audit::GroupMetrics *> &groups, Audit::BiasMetric metric, double tau,
                        const QString &attribute, const QColor &textColour, const QColor &background)
{
    BiasChart out;
    out.chart = new QChart;
    QChart *chart = out.chart;
    if (groups.empty())
        return out;
    const std::size_t i = std::size_t(metric);
    const QString title = metricTitle(Audit::biasMetricName(metric));

    // Symmetric about 1 on the log scale, wide enough for the band and every finite value.
    double reach = std::max(2.2, 1.3 / tau);
    for (const Audit::GroupMetrics *g : groups) {
        const double d = g->disparities[i];
        if (std::isfinite(d) && d > 0)
            reach = std::max(reach, 1.3 * std::max(d, 1 / d));
    }
    // Base 2 for everyday ratios (ticks at ½, 1, 2, ...); base 10 (0.01, 0.1, 1, 10) for wide ones.
    const bool wide = reach > 16;
    if (wide)
        reach = std::min(std::pow(10.0, std::ceil(std::log10(reach))), 1e4);
    const double bottom = 1 / reach;

    auto *pass = new QScatterSeries;
    pass->setName(QObject::tr("✓ within tolerance"));
    pass->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    pass->setMarkerSize(13);
    pass->setColor(OkabeIto::readableOn(OkabeIto::kPass, background, 3.0)); // 3:1 for graphics (WCAG 1.4.11)
    pass->setBorderColor(pass->color().darker(130));
    auto *fail = new QScatterSeries;
    fail->setName(QObject::tr("✗ outside tolerance"));
    fail->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
    fail->setMarkerSize(16);
    fail->setColor(OkabeIto::readableOn(OkabeIto::kFail, background, 3.0));
    fail->setBorderColor(fail->color().darker(130));
    auto *undefined = new QScatterSeries;
    undefined->setName(QObject::tr("– no verdict (0/0)"));
    undefined->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    undefined->setMarkerSize(11);
    undefined->setColor(background);
    undefined->setBorderColor(OkabeIto::readableOn(OkabeIto::kUndefined, background, 3.0));

    const QLocale locale;
    std::vector<QLineSeries *> stems;
    for (std::size_t row = 0; row < groups.size(); ++row) {
        const Audit::GroupMetrics *g = groups[row];
        const double d = g->disparities[i];
        const Audit::Verdict v = g->parities[i];
        const bool isReference = g->value == g->references[i];
        const double x = double(row);
        const double y = std::isfinite(d) ? std::clamp(d, bottom * 1.1, reach / 1.1) : 1.0; // markers stay inside
        QString mark;
        if (!v.has_value()) {
            *undefined << QPointF(x, 1.0);
            mark = QObject::tr("– n/a");
        } else {
            (*v ? pass : fail)->append(x, y);
            const QString ratio = QString::number(d, d < 1 ? 'g' : 'f', 2);
            mark = *v ? QObject::tr("✓ %1×").arg(ratio) : QObject::tr("✗ %1×").arg(ratio);
            if (!*v)
                out.failing << g->value;
            auto *stem = new QLineSeries;
            stem->setPen(QPen(*v ? pass->color() : fail->color(), 3));
            *stem << QPointF(x, 1.0) << QPointF(x, y);
            stems.push_back(stem);
        }
        out.groups << g->value;
        out.categories << QStringLiteral("%1%2<br>n=%3<br>%4")
                              .arg(chartLabelText(g->value), isReference ? QObject::tr(" (ref)") : QString(),
                                   locale.toString(qlonglong(g->groupSize)), isReference ? QObject::tr("reference") : mark);
    }

    auto *x = new QBarCategoryAxis;
    x->append(out.categories);
    x->setTruncateLabels(false);
    x->setLabelsAngle(out.categories.size() > 6 ? -40 : 0);
    x->setGridLineVisible(false);
    auto *y = new QLogValueAxis;
    y->setBase(wide ? 10 : 2);
    y->setRange(bottom, reach);
    y->setLabelFormat(QStringLiteral("%g"));
    y->setMinorTickCount(1);
    y->setTitleText(QObject::tr("%1 disparity").arg(title));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);

    const double left = -0.5;
    const double right = double(groups.size()) - 0.5;
    auto *low = new QLineSeries(chart); // an area series does not own its boundary lines
    auto *high = new QLineSeries(chart);
    *low << QPointF(left, tau) << QPointF(right, tau);
    *high << QPointF(left, 1 / tau) << QPointF(right, 1 / tau);
    auto *band = new QAreaSeries(high, low);
    band->setName(QObject::tr("tolerance %1–%2").arg(tau, 0, 'f', 2).arg(1 / tau, 0, 'f', 2));
    QColor fill = OkabeIto::kBand;
    fill.setAlpha(50);
    band->setBrush(fill);
    band->setPen(QPen(OkabeIto::readableOn(OkabeIto::kBand, background, 3.0), 1, Qt::DashLine));
    chart->addSeries(band);
    auto *parity = new QLineSeries;
    parity->setName(QObject::tr("parity (1)"));
    *parity << QPointF(left, 1) << QPointF(right, 1);
    parity->setPen(QPen(textColour, 1));
    chart->addSeries(parity);
    for (QLineSeries *stem : stems)
        chart->addSeries(stem);
    for (QScatterSeries *s : {pass, fail, undefined})
        chart->addSeries(s);
    for (QAbstractSeries *s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    for (QLineSeries *stem : stems) {
        for (QLegendMarker *m : chart->legend()->markers(stem))
            m->setVisible(false);
    }
    for (QScatterSeries *s : {pass, fail, undefined}) {
        if (s->count() == 0) {
            for (QLegendMarker *m : chart->legend()->markers(s))
                m->setVisible(false);
        }
    }
    chart->setTitle(
        QObject::tr("%1: %2 disparity by group (group's %2 ÷ the reference's, log scale)").arg(chartLabelText(attribute), title));
    chart->legend()->setAlignment(Qt::AlignBottom);
    return out;
}

} // namespace Ui
