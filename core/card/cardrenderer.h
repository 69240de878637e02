#pragma once

#include <functional>
#include <vector>

#include <QByteArray>
#include <QImage>
#include <QString>

#include "modelcard.h"

class QTextDocument;

namespace Audit {

struct AuditResults;

// A chart for the card, drawn with QPainter (core stays free of Qt Charts).
struct CardChart
{
    QString title;
    QImage image;
};

// Renders a model card for people: Markdown → HTML or PDF through QTextDocument, with
// charts drawn from the audit. Needs a QGuiApplication (fonts); the CLI starts one offscreen.
class CardRenderer
{
public:
    // Charts: F1 by group of every protected attribute, and FPR disparity by group.
    static std::vector<CardChart> charts(const AuditResults &results);

    // A self-contained HTML page: styles inline, charts as data: URIs, no remote assets.
    static QByteArray toHtml(const ModelCard &card, const std::vector<CardChart> &charts = {});
    // A paginated A4 PDF with the charts.
    static QByteArray toPdf(const ModelCard &card, const std::vector<CardChart> &charts = {});

    // An image as a data: URI (PNG, base64), for self-contained HTML.
    static QString pngDataUri(const QImage &image);
    // A document printed on A4 pages at 150 dpi, as the card and the audit report are: `fill`
    // builds it, given the page width in device pixels (to fit images to it).
    static QByteArray printA4(const QString &title, const QString &creator,
                              const std::function<void(QTextDocument &doc, qreal pageWidth)> &fill);

    // The card's Markdown without front matter and ModelAudit's markers, as a person reads it.
    static QString readableMarkdown(const ModelCard &card);

    // `markdown` into `doc`, safe to export: raw HTML is shown as the text it is (a stray
    // `<img onerror=…>` can neither run nor swallow what follows), and links and images keep
    // only allowed URLs: links to http, https, mailto and relative ones; images from relative
    // paths and data:image/png (the card's own charts). Other links (javascript:, vbscript:,
    // data:text/html) lose their link, and other images are replaced by their URL as text.
    static void setSafeMarkdown(QTextDocument &doc, const QString &markdown);
};

} // namespace Audit
