#include "cardrenderer.h"

#include <cmath>

#include <QBuffer>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QTextDocument>
#include <QUrl>

#include "audit.h"
#include "okabeito.h"

namespace Audit {

namespace {

constexpr int kChartWidth = 900;
constexpr int kChartHeight = 360;

// Bars with labels, an optional reference line and an optional shaded band; per bar, optional
// verdict states (fail: vermillion, hatched, ✗; outside the band but not significant: a pale
// vermillion, "~"; insufficient data: grey, "?") and 95% intervals drawn as whiskers.
QImage barChart(const QString &title, const QStringList &labels, const std::vector<double> &values, double reference,
                double bandLow, double bandHigh, double top, const std::vector<VerdictState> &states = {},
                const std::vector<Interval> &intervals = {})
{
    QImage image(kChartWidth, kChartHeight, QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    QFont font = p.font();
    font.setPixelSize(14);
    p.setFont(font);
    p.setPen(Qt::black);
    p.drawText(QRect(0, 6, kChartWidth, 22), Qt::AlignCenter, title);
    const QRectF plot(60, 40, kChartWidth - 80, kChartHeight - 110);
    const auto yOf = [&](double v) { return plot.bottom() - plot.height() * std::clamp(v / top, 0.0, 1.0); };
    if (bandHigh > bandLow)
        p.fillRect(QRectF(plot.left(), yOf(bandHigh), plot.width(), yOf(bandLow) - yOf(bandHigh)),
                   OkabeIto::tint(OkabeIto::kBand, 0.2));
    font.setPixelSize(11);
    p.setFont(font);
    for (int i = 0; i <= 4; ++i) {
        const double v = top * i / 4;
        p.setPen(QColor(220, 220, 220));
        p.drawLine(QPointF(plot.left(), yOf(v)), QPointF(plot.right(), yOf(v)));
        p.setPen(Qt::black);
        p.drawText(QRectF(0, yOf(v) - 8, plot.left() - 6, 16), Qt::AlignRight | Qt::AlignVCenter, QString::number(v, 'f', 2));
    }
    const double slot = plot.width() / std::max<qsizetype>(1, labels.size());
    for (qsizetype i = 0; i < labels.size(); ++i) {
        const double v = std::isfinite(values[std::size_t(i)]) ? values[std::size_t(i)] : 0.0;
        const QRectF bar(plot.left() + slot * double(i) + slot * 0.15, yOf(v), slot * 0.7, plot.bottom() - yOf(v));
        const VerdictState state = states.size() > std::size_t(i) ? states[std::size_t(i)] : VerdictState::Pass;
        const bool fails = state == VerdictState::Fail;
        p.fillRect(bar,
                   fails                                       ? OkabeIto::kFail
                       : state == VerdictState::NotSignificant ? OkabeIto::tint(OkabeIto::kFail, 0.4)
                       : state == VerdictState::Insufficient || state == VerdictState::Undefined
                       ? OkabeIto::tint(OkabeIto::kUndefined, 0.6)
                       : OkabeIto::kPass);
        if (fails) // a hatch and a ✗ as well as the colour: never colour alone
            p.fillRect(bar, QBrush(OkabeIto::kFail.darker(160), Qt::BDiagPattern));
        double labelTop = bar.top();
        if (intervals.size() > std::size_t(i) && std::isfinite(intervals[std::size_t(i)].low)) {
            const Interval &ci = intervals[std::size_t(i)];
            const double x = bar.center().x();
            const double yLow = yOf(ci.low), yHigh = yOf(ci.high);
            p.setPen(QPen(Qt::black, 1.5));
            p.drawLine(QPointF(x, yLow), QPointF(x, yHigh));
            p.drawLine(QPointF(x - 6, yLow), QPointF(x + 6, yLow));
            if (ci.high <= top) // an open end when the interval runs off the chart
                p.drawLine(QPointF(x - 6, yHigh), QPointF(x + 6, yHigh));
            labelTop = std::min(labelTop, yHigh);
        }
        p.setPen(Qt::black);
        const QString value = std::isfinite(values[std::size_t(i)]) ? QString::number(v, 'f', 2) : QStringLiteral("n/a");
        const QString mark = fails                  ? QStringLiteral("✗ ")
            : state == VerdictState::NotSignificant ? QStringLiteral("~ ")
            : state == VerdictState::Insufficient   ? QStringLiteral("? ")
                                                    : QString();
        p.drawText(QRectF(bar.left() - 10, std::max(plot.top() - 14, labelTop - 16), bar.width() + 20, 14), Qt::AlignCenter,
                   mark + value);
        p.drawText(QRectF(plot.left() + slot * double(i), plot.bottom() + 4, slot, 60),
                   Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, labels[i]);
    }
    if (std::isfinite(reference)) {
        // Parity (1) in ink, as the app's bias chart draws it; an overall value in the reference
        // colour, as the Slices chart does: the vermillion of failing bars is not reused for parity.
        p.setPen(QPen(bandHigh > bandLow ? QColor(Qt::black) : OkabeIto::kReference, 2, Qt::DashLine));
        p.drawLine(QPointF(plot.left(), yOf(reference)), QPointF(plot.right(), yOf(reference)));
    }
    p.setPen(Qt::black);
    p.drawLine(plot.bottomLeft(), plot.bottomRight());
    return image;
}

const char *const kStyle
    = "body { font-family: sans-serif; max-width: 60em; margin: 2em auto; line-height: 1.45; color: #222; }"
      "table { border-collapse: collapse; margin: 0.8em 0; } td, th { border: 1px solid #bbb; padding: 3px 8px; }"
      "th { background: #eee; } h1 { border-bottom: 2px solid #333; } img { max-width: 100%; }";

} // namespace

std::vector<CardChart> CardRenderer::charts(const AuditResults &results)
{
    std::vector<CardChart> out;
    if (!results.bias || !results.slices)
        return out;
    const BiasReport &bias = *results.bias;
    const double overallF1 = results.slices->overall.f1;
    for (const AttributeVerdict &a : bias.attributes) {
        QStringList labels;
        std::vector<double> f1;
        for (const SliceRow &row : results.slices->slices) {
            if (row.features.size() == 1 && row.features[0] == a.attribute) {
                labels << QStringLiteral("%1\nn=%2").arg(row.value()).arg(row.n);
                f1.push_back(row.f1);
            }
        }
        if (!labels.isEmpty()) {
            const QString title = QStringLiteral("F1 by %1 (dashed: overall %2)").arg(a.attribute).arg(overallF1, 0, 'f', 3);
            out.push_back({title, barChart(title, labels, f1, overallF1, 0, 0, 1.0, {})});
        }
        QStringList groups;
        std::vector<double> disparity;
        std::vector<VerdictState> states;
        std::vector<Interval> intervals;
        double top = 1 / bias.options.tau;
        for (const GroupMetrics &g : bias.groups) {
            if (g.attribute != a.attribute)
                continue;
            groups << QStringLiteral("%1%2\nn=%3")
                          .arg(g.value, g.value == g.references[0] ? QStringLiteral(" (ref)") : QString())
                          .arg(g.groupSize);
            disparity.push_back(g.disparity(BiasMetric::Fpr));
            states.push_back(g.state(Parity::Fpr));
            intervals.push_back(g.disparityCi[std::size_t(BiasMetric::Fpr)]);
            if (std::isfinite(disparity.back()))
                top = std::max(top, disparity.back());
            if (std::isfinite(intervals.back().high))
                top = std::max(top, std::min(intervals.back().high, 2 * disparity.back()));
        }
        const QString title = QStringLiteral("FPR disparity by %1, 95% intervals (band: tolerance %2 to %3)")
                                  .arg(a.attribute)
                                  .arg(bias.options.tau, 0, 'f', 2)
                                  .arg(1 / bias.options.tau, 0, 'f', 2);
        out.push_back({title,
                       barChart(title, groups, disparity, 1.0, bias.options.tau, 1 / bias.options.tau, std::min(top * 1.1, 10.0),
                                states, intervals)});
    }
    return out;
}

QString CardRenderer::readableMarkdown(const ModelCard &card)
{
    QString md = card.toMarkdown();
    if (md.startsWith(QLatin1String("---\n"))) {
        const qsizetype end = md.indexOf(QLatin1String("\n---\n"), 4);
        if (end >= 0)
            md = md.mid(end + 5);
    }
    static const QRegularExpression markers(QStringLiteral("^<!-- /?(prose|modelaudit)(:[a-z_]+)? -->\\n"),
                                            QRegularExpression::MultilineOption);
    md.remove(markers);
    return md;
}

QByteArray CardRenderer::toHtml(const ModelCard &card, const std::vector<CardChart> &charts)
{
    QTextDocument doc;
    doc.setMarkdown(readableMarkdown(card));
    QString body = doc.toHtml();
    // Keep only the body's content: Qt's own header names a remote DTD.
    const qsizetype start = body.indexOf(QLatin1String("<body"));
    const qsizetype open = body.indexOf(QLatin1Char('>'), start);
    const qsizetype close = body.lastIndexOf(QLatin1String("</body>"));
    body = body.mid(open + 1, close - open - 1);
    QString images;
    for (const CardChart &chart : charts)
        images += QStringLiteral("<figure><img alt=\"%1\" src=\"%2\"><figcaption>%1</figcaption></figure>\n")
                      .arg(chart.title.toHtmlEscaped(), pngDataUri(chart.image));
    const QString html = QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                                        "<title>%1</title>\n<style>%2</style>\n</head>\n<body>\n%3\n%4</body>\n</html>\n")
                             .arg(card.name.toHtmlEscaped(), QLatin1String(kStyle), body,
                                  images.isEmpty() ? QString() : QStringLiteral("<h2>Charts</h2>\n") + images);
    return html.toUtf8();
}

QString CardRenderer::pngDataUri(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return QStringLiteral("data:image/png;base64,") + QString::fromLatin1(bytes.toBase64());
}

QByteArray CardRenderer::printA4(const QString &title, const QString &creator,
                                 const std::function<void(QTextDocument &doc, qreal pageWidth)> &fill)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setResolution(150);
    writer.setTitle(title);
    writer.setCreator(creator);
    QTextDocument doc;
    fill(doc, writer.width());
    doc.setPageSize(QSizeF(writer.width(), writer.height()));
    doc.print(&writer);
    buffer.close();
    return bytes;
}

QByteArray CardRenderer::toPdf(const ModelCard &card, const std::vector<CardChart> &charts)
{
    QString md = readableMarkdown(card);
    if (!charts.empty()) {
        md += QStringLiteral("\n## Charts\n\n");
        for (std::size_t i = 0; i < charts.size(); ++i)
            md += QStringLiteral("![%1](chart%2.png)\n\n").arg(charts[i].title).arg(i);
    }
    return printA4(card.name, QStringLiteral("ModelAudit"), [&](QTextDocument &doc, qreal) {
        // At 150 dpi a 10 pt font is 21 px; Qt's default would print at screen size, far too small.
        QFont font = doc.defaultFont();
        font.setPixelSize(20);
        doc.setDefaultFont(font);
        doc.setMarkdown(md);
        // setMarkdown() clears the document's resources, so the images go in afterwards.
        for (std::size_t i = 0; i < charts.size(); ++i)
            doc.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("chart%1.png").arg(i)), charts[i].image);
    });
}

} // namespace Audit
