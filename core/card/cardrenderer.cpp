#include "cardrenderer.h"

#include <cmath>

#include <QBuffer>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFragment>
#include <QUrl>

#include "audit.h"
#include "okabeito.h"

namespace Audit {

namespace {

constexpr int kChartWidth = 900;
constexpr int kChartHeight = 360;

// A white chart image, and a painter on it set up with the title drawn: what every chart starts
// with. Returns the painter's font (14 px) for the chart to resize.
QImage chartCanvas()
{
    QImage image(kChartWidth, kChartHeight, QImage::Format_ARGB32);
    image.fill(Qt::white);
    return image;
}

QFont startChart(QPainter &p, const QString &title)
{
    p.setRenderHint(QPainter::Antialiasing);
    QFont font = p.font();
    font.setPixelSize(14);
    p.setFont(font);
    p.setPen(Qt::black);
    p.drawText(QRect(0, 6, kChartWidth, 22), Qt::AlignCenter, title);
    return font;
}

// Bars with labels, an optional reference line and an optional shaded band.
QImage barChart(const QString &title, const QStringList &labels, const std::vector<double> &values, double reference,
                double bandLow, double bandHigh, double top)
{
    QImage image = chartCanvas();
    QPainter p(&image);
    QFont font = startChart(p, title);
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
        p.fillRect(bar, OkabeIto::kPass);
        p.setPen(Qt::black);
        const QString value = std::isfinite(values[std::size_t(i)]) ? QString::number(v, 'f', 2) : QStringLiteral("n/a");
        p.drawText(QRectF(bar.left() - 10, bar.top() - 16, bar.width() + 20, 14), Qt::AlignCenter, value);
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

// Disparities as the app's Bias tab draws them: a log axis centred on 1 (base 2, or 10 for wide
// ratios), the tolerance band shaded, a stem from 1 to each group's value, its 95% interval as
// a capped whisker beside it, and the verdict by marker (filled triangle: fail; hollow
// triangle: outside the band, not significant; grey square: insufficient data) and by a mark
// in the label as well as by colour.
QImage disparityChart(const QString &title, const QStringList &labels, const std::vector<double> &values,
                      const std::vector<VerdictState> &states, const std::vector<Interval> &intervals,
                      const std::vector<bool> &isReference, double tau)
{
    QImage image = chartCanvas();
    QPainter p(&image);
    QFont font = startChart(p, title);
    double reach = std::max(2.2, 1.3 / tau);
    for (std::size_t i = 0; i < values.size(); ++i) {
        for (const double v : {values[i], intervals[i].low, intervals[i].high}) {
            if (std::isfinite(v) && v > 0)
                reach = std::max(reach, 1.3 * std::max(v, 1 / v));
        }
    }
    const bool wide = reach > 16;
    reach = wide ? std::min(std::pow(10.0, std::ceil(std::log10(reach))), 1e4) : std::pow(2.0, std::ceil(std::log2(reach)));
    const QRectF plot(70, 40, kChartWidth - 90, kChartHeight - 120);
    const double span = 2 * std::log(reach);
    const auto yOf = [&](double v) {
        const double clamped = std::clamp(v, 1 / reach, reach);
        return plot.bottom() - plot.height() * (std::log(clamped) + std::log(reach)) / span;
    };
    p.fillRect(QRectF(plot.left(), yOf(1 / tau), plot.width(), yOf(tau) - yOf(1 / tau)), OkabeIto::tint(OkabeIto::kBand, 0.25));
    font.setPixelSize(11);
    p.setFont(font);
    const double base = wide ? 10 : 2;
    for (double tick = 1 / reach; tick <= reach * 1.0001; tick *= base) {
        p.setPen(QColor(220, 220, 220));
        p.drawLine(QPointF(plot.left(), yOf(tick)), QPointF(plot.right(), yOf(tick)));
        p.setPen(Qt::black);
        p.drawText(QRectF(0, yOf(tick) - 8, plot.left() - 6, 16), Qt::AlignRight | Qt::AlignVCenter,
                   QString::number(tick, 'g', 3));
    }
    p.setPen(QPen(Qt::black, 1.5));
    p.drawLine(QPointF(plot.left(), yOf(1)), QPointF(plot.right(), yOf(1)));
    const double slot = plot.width() / double(std::max<qsizetype>(1, labels.size()));
    for (qsizetype i = 0; i < labels.size(); ++i) {
        const std::size_t k = std::size_t(i);
        const double x = plot.left() + slot * (double(i) + 0.5);
        const double v = values[k];
        const VerdictState state = states[k];
        QString mark;
        if (!isReference[k] && std::isfinite(v)) {
            const QColor colour = state == VerdictState::Pass                          ? OkabeIto::kPass
                : state == VerdictState::Fail || state == VerdictState::NotSignificant ? OkabeIto::kFail
                                                                                       : OkabeIto::kUndefined;
            p.setPen(QPen(colour, 3, state == VerdictState::NotSignificant ? Qt::DashLine : Qt::SolidLine));
            p.drawLine(QPointF(x, yOf(1)), QPointF(x, yOf(v)));
            const Interval &ci = intervals[k];
            if (std::isfinite(ci.low) && ci.low > 0) {
                const double wx = x + 14;
                p.setPen(QPen(Qt::black, 1.5));
                p.drawLine(QPointF(wx, yOf(ci.low)), QPointF(wx, yOf(ci.high)));
                p.drawLine(QPointF(wx - 5, yOf(ci.low)), QPointF(wx + 5, yOf(ci.low)));
                p.drawLine(QPointF(wx - 5, yOf(ci.high)), QPointF(wx + 5, yOf(ci.high)));
            }
            const QPointF at(x, yOf(v));
            p.setPen(QPen(colour.darker(130), 1.5));
            if (state == VerdictState::Fail || state == VerdictState::NotSignificant) {
                const QPolygonF triangle({at + QPointF(0, -8), at + QPointF(7, 5), at + QPointF(-7, 5)});
                p.setBrush(state == VerdictState::Fail ? QBrush(colour) : QBrush(Qt::white));
                p.drawPolygon(triangle);
            } else if (state == VerdictState::Pass) {
                p.setBrush(colour);
                p.drawEllipse(at, 6, 6);
            } else {
                p.setBrush(OkabeIto::tint(OkabeIto::kUndefined, 0.6));
                p.drawRect(QRectF(at - QPointF(5, 5), QSizeF(10, 10)));
            }
            p.setBrush(Qt::NoBrush);
            mark = (state == VerdictState::Fail                 ? QStringLiteral("✗ ")
                        : state == VerdictState::NotSignificant ? QStringLiteral("~ ")
                        : state == VerdictState::Insufficient   ? QStringLiteral("? ")
                        : state == VerdictState::Pass           ? QStringLiteral("✓ ")
                                                                : QString())
                + QString::number(v, v < 1 ? 'g' : 'f', 2) + QStringLiteral("×");
        } else {
            mark = isReference[k] ? QStringLiteral("reference") : QStringLiteral("– n/a");
            p.setPen(QPen(Qt::black, 1.5));
            p.setBrush(Qt::white);
            p.drawEllipse(QPointF(x, yOf(1)), 5, 5);
            p.setBrush(Qt::NoBrush);
        }
        p.setPen(Qt::black);
        p.drawText(QRectF(plot.left() + slot * double(i), plot.bottom() + 4, slot, 70),
                   Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, labels[i] + QLatin1Char('\n') + mark);
    }
    p.setPen(Qt::black);
    p.drawLine(plot.bottomLeft(), plot.bottomRight());
    p.drawText(
        QRectF(0, kChartHeight - 18, kChartWidth, 16), Qt::AlignCenter,
        QStringLiteral("✓ pass   ✗ fails (significant)   ~ outside the band, not significant   ? too few rows   │ 95% interval   "
                       "log scale"));
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
            out.push_back({title, barChart(title, labels, f1, overallF1, 0, 0, 1.0)});
        }
        QStringList groups;
        std::vector<double> disparity;
        std::vector<VerdictState> states;
        std::vector<Interval> intervals;
        std::vector<bool> isReference;
        for (const GroupMetrics &g : bias.groups) {
            if (g.attribute != a.attribute)
                continue;
            const std::size_t fpr = std::size_t(BiasMetric::Fpr);
            groups << QStringLiteral("%1\nn=%2").arg(g.value).arg(g.groupSize);
            disparity.push_back(g.disparity(BiasMetric::Fpr));
            states.push_back(g.state(Parity::Fpr));
            intervals.push_back(g.disparityCi[fpr]);
            isReference.push_back(g.value == g.references[fpr]);
        }
        const QString title = QStringLiteral("FPR disparity by %1 against %2, 95% intervals (band: %3 to %4)")
                                  .arg(a.attribute, a.reference)
                                  .arg(bias.options.tau, 0, 'f', 2)
                                  .arg(1 / bias.options.tau, 0, 'f', 2);
        out.push_back({title, disparityChart(title, groups, disparity, states, intervals, isReference, bias.options.tau)});
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

namespace {

bool allowedUrl(const QString &url, bool image)
{
    const QUrl parsed(url.trimmed());
    const QString scheme = parsed.scheme().toLower();
    if (scheme.isEmpty())
        return !url.trimmed().startsWith(QLatin1String("//")); // relative; not protocol-relative
    if (image) // never a remote image: the exports are self-contained
        return url.trimmed().startsWith(QLatin1String("data:image/png;base64,"), Qt::CaseInsensitive);
    return scheme == QLatin1String("http") || scheme == QLatin1String("https") || scheme == QLatin1String("mailto");
}

} // namespace

void CardRenderer::setSafeMarkdown(QTextDocument &doc, const QString &markdown)
{
    doc.setMarkdown(markdown,
                    QTextDocument::MarkdownFeatures(QTextDocument::MarkdownDialectGitHub | QTextDocument::MarkdownNoHTML));
    // Collect first, then edit: changing formats while iterating would move the fragments.
    struct Fix
    {
        int position, length;
        bool image;
        QString url;
    };
    std::vector<Fix> fixes;
    for (QTextBlock block = doc.begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            const QTextCharFormat format = fragment.charFormat();
            if (format.isImageFormat() && !allowedUrl(format.toImageFormat().name(), true))
                fixes.push_back({fragment.position(), fragment.length(), true, format.toImageFormat().name()});
            else if (format.isAnchor() && !format.anchorHref().isEmpty() && !allowedUrl(format.anchorHref(), false))
                fixes.push_back({fragment.position(), fragment.length(), false, format.anchorHref()});
        }
    }
    for (auto fix = fixes.rbegin(); fix != fixes.rend(); ++fix) {
        QTextCursor cursor(&doc);
        cursor.setPosition(fix->position);
        cursor.setPosition(fix->position + fix->length, QTextCursor::KeepAnchor);
        if (fix->image) {
            cursor.insertText(QStringLiteral("[image not shown: %1]").arg(fix->url.left(80)), QTextCharFormat());
        } else {
            QTextCharFormat plain = cursor.charFormat();
            plain.setAnchor(false);
            plain.setAnchorHref(QString());
            plain.setFontUnderline(false);
            plain.setForeground(QBrush());
            cursor.setCharFormat(plain);
        }
    }
}

QByteArray CardRenderer::toHtml(const ModelCard &card, const std::vector<CardChart> &charts)
{
    QTextDocument doc;
    setSafeMarkdown(doc, readableMarkdown(card));
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
        setSafeMarkdown(doc, md);
        // setMarkdown() clears the document's resources, so the images go in afterwards.
        for (std::size_t i = 0; i < charts.size(); ++i)
            doc.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("chart%1.png").arg(i)), charts[i].image);
    });
}

} // namespace Audit
