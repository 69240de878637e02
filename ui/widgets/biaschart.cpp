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

    // Symmetric about 1 on the log scale, wide enough for the band, every finite value and
    // every interval.
    double reach = std::max(2.2, 1.3 / tau);
    for (const Audit::GroupMetrics *g : groups) {
        for (const double d : {g->disparities[i], g->disparityCi[i].low, g->disparityCi[i].high}) {
            if (std::isfinite(d) && d > 0)
                reach = std::max(reach, 1.3 * std::max(d, 1 / d));
        }
    }
    // Base 2 for everyday ratios (ticks at ½, 1, 2, ...); base 10 (0.01, 0.1, 1, 10) for wide ones.
    const bool wide = reach > 16;
    if (wide)
        reach = std::min(std::pow(10.0, std::ceil(std::log10(reach))), 1e4);
    const double bottom = 1 / reach;

    const auto markers = [&](const QString &name, QScatterSeries::MarkerShape shape, qreal size, const QColor &fill,
                             const QColor &border) {
        auto *series = new QScatterSeries;
        series->setName(name);
        series->setMarkerShape(shape);
        series->setMarkerSize(size);
        series->setColor(fill);
        series->setBorderColor(border);
        return series;
    };
    // 3:1 for graphics (WCAG 1.4.11). Fail and "not significant" share the triangle and the
    // vermillion; the one is filled, the other hollow, and the label says which.
    const QColor passColour = OkabeIto::readableOn(OkabeIto::kPass, background, 3.0);
    const QColor failColour = OkabeIto::readableOn(OkabeIto::kFail, background, 3.0);
    const QColor greyColour = OkabeIto::readableOn(OkabeIto::kUndefined, background, 3.0);
    auto *pass = markers(QObject::tr("✓ pass"), QScatterSeries::MarkerShapeCircle, 13, passColour, passColour.darker(130));
    auto *fail = markers(QObject::tr("✗ fails"), QScatterSeries::MarkerShapeTriangle, 16, failColour, failColour.darker(130));
    auto *notSignificant = markers(QObject::tr("~ not significant"), QScatterSeries::MarkerShapeTriangle, 16, background,
                                   failColour);
    auto *insufficient = markers(QObject::tr("? too few rows"), QScatterSeries::MarkerShapeRectangle, 11, greyColour,
                                 greyColour.darker(130));
    auto *undefined = markers(QObject::tr("– 0/0"), QScatterSeries::MarkerShapeRectangle, 11, background, greyColour);
    const std::vector<QScatterSeries *> all = {pass, fail, notSignificant, insufficient, undefined};

    const QLocale locale;
    std::vector<QLineSeries *> stems;
    std::vector<QLineSeries *> whiskers;
    const QPen whiskerPen(textColour, 1.5);
    for (std::size_t row = 0; row < groups.size(); ++row) {
        const Audit::GroupMetrics *g = groups[row];
        const double d = g->disparities[i];
        const Audit::VerdictState state = g->states[i];
        const bool isReference = g->value == g->references[i];
        const double x = double(row);
        const auto inside = [&](double v) { return std::clamp(v, bottom * 1.05, reach / 1.05); }; // markers stay inside
        const double y = std::isfinite(d) ? inside(d) : 1.0;
        const QString ratio = QString::number(d, d < 1 ? 'g' : 'f', 2);
        QString mark;
        QScatterSeries *series = nullptr;
        switch (state) {
        case Audit::VerdictState::Pass:
            series = pass;
            mark = QObject::tr("✓ %1×").arg(ratio);
            break;
        case Audit::VerdictState::Fail:
            series = fail;
            mark = QObject::tr("✗ %1×").arg(ratio);
            out.failing << g->value;
            break;
        case Audit::VerdictState::NotSignificant:
            series = notSignificant;
            mark = QObject::tr("~ %1×").arg(ratio);
            break;
        case Audit::VerdictState::Insufficient:
            series = std::isfinite(d) ? insufficient : undefined;
            mark = QObject::tr("? %1").arg(std::isfinite(d) ? ratio + QStringLiteral("×") : QStringLiteral("n/a"));
            break;
        case Audit::VerdictState::Undefined:
            series = undefined;
            mark = QObject::tr("– n/a");
            break;
        }
        series->append(x, y);
        if (std::isfinite(d) && series != undefined) {
            auto *stem = new QLineSeries;
            stem->setPen(QPen(series == pass               ? passColour
                                  : series == insufficient ? greyColour
                                                           : failColour,
                              3, series == notSignificant ? Qt::DashLine : Qt::SolidLine));
            *stem << QPointF(x, 1.0) << QPointF(x, y);
            stems.push_back(stem);
        }
        // The 95% interval of the disparity: a whisker beside the stem, capped at both ends.
        const Stats::Interval ci = g->disparityCi[i];
        if (!isReference && std::isfinite(ci.low) && std::isfinite(ci.high) && ci.low > 0) {
            const double wx = x + 0.18;
            const double lo = inside(ci.low), hi = inside(ci.high);
            auto *whisker = new QLineSeries;
            whisker->setPen(whiskerPen);
            *whisker << QPointF(wx, lo) << QPointF(wx, hi);
            whiskers.push_back(whisker);
            for (const double end : {lo, hi}) {
                auto *cap = new QLineSeries;
                cap->setPen(whiskerPen);
                *cap << QPointF(wx - 0.06, end) << QPointF(wx + 0.06, end);
                whiskers.push_back(cap);
            }
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
    for (QLineSeries *whisker : whiskers)
        chart->addSeries(whisker);
    if (!whiskers.empty())
        whiskers.front()->setName(QObject::tr("95% interval"));
    for (QScatterSeries *s : all)
        chart->addSeries(s);
    for (QAbstractSeries *s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    for (QLineSeries *line : stems) {
        for (QLegendMarker *m : chart->legend()->markers(line))
            m->setVisible(false);
    }
    for (std::size_t w = 1; w < whiskers.size(); ++w) {
        for (QLegendMarker *m : chart->legend()->markers(whiskers[w]))
            m->setVisible(false);
    }
    for (QScatterSeries *s : all) {
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
