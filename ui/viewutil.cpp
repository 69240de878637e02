#include "viewutil.h"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QBuffer>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLineSeries>
#include <QPainter>
#include <QSvgGenerator>
#include <QValueAxis>

#include "auditerror.h"
#include "csvtokenizer.h"
#include "fileio.h"

namespace Ui {

ReportTableView::ReportTableView(QWidget *parent)
    : QTableView(parent)
{
    setSortingEnabled(true);
    setAlternatingRowColors(true);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setWordWrap(false);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
}

void ReportTableView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        copySelection();
        return;
    }
    QTableView::keyPressEvent(event);
}

void ReportTableView::copySelection() const
{
    QModelIndexList indexes = selectionModel() ? selectionModel()->selectedIndexes() : QModelIndexList();
    if (indexes.isEmpty())
        return;
    std::sort(indexes.begin(), indexes.end());
    QString text;
    int row = indexes.front().row();
    bool first = true;
    for (const QModelIndex &index : indexes) {
        if (index.row() != row) {
            text += QLatin1Char('\n');
            row = index.row();
            first = true;
        }
        if (!first)
            text += QLatin1Char('\t');
        text += index.data().toString();
        first = false;
    }
    QApplication::clipboard()->setText(text + QLatin1Char('\n'));
}

BarAxes addBarAxes(QChart *chart, QAbstractSeries *series, const QStringList &categories, const QString &yTitle, double top)
{
    chart->addSeries(series);
    BarAxes axes{new QBarCategoryAxis, new QValueAxis};
    axes.x->append(categories);
    axes.x->setTruncateLabels(false);
    axes.x->setLabelsAngle(categories.size() > 6 ? -60 : 0);
    axes.y->setRange(0, top);
    axes.y->setTitleText(yTitle);
    chart->addAxis(axes.x, Qt::AlignBottom);
    chart->addAxis(axes.y, Qt::AlignLeft);
    series->attachAxis(axes.x);
    series->attachAxis(axes.y);
    return axes;
}

QLineSeries *addLevelLine(QChart *chart, const BarAxes &axes, qsizetype count, double y, const QPen &pen)
{
    // Category axes place category i at x = i, so the line spans -0.5 .. count - 0.5.
    auto *line = new QLineSeries;
    *line << QPointF(-0.5, y) << QPointF(double(count) - 0.5, y);
    line->setPen(pen);
    chart->addSeries(line);
    line->attachAxis(axes.x);
    line->attachAxis(axes.y);
    return line;
}

QByteArray modelToCsv(const QAbstractItemModel &model)
{
    QStringList lines;
    QStringList header;
    for (int c = 0; c < model.columnCount(); ++c)
        header << Audit::csvQuoted(model.headerData(c, Qt::Horizontal).toString().replace(QLatin1Char('\n'), QLatin1Char(' ')));
    lines << header.join(QLatin1Char(','));
    for (int r = 0; r < model.rowCount(); ++r) {
        QStringList fields;
        for (int c = 0; c < model.columnCount(); ++c)
            fields << Audit::csvQuoted(model.index(r, c).data().toString());
        lines << fields.join(QLatin1Char(','));
    }
    return (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
}

QString exportTable(const QAbstractItemModel &model, const QString &path)
{
    try {
        Audit::writeFileAtomically(path, modelToCsv(model));
    } catch (const Audit::AuditError &e) {
        return e.message();
    }
    return {};
}

void replaceChart(QChartView *view, QChart *chart)
{
    QChart *old = view->chart();
    view->setChart(chart);
    if (old != chart)
        delete old;
}

QString exportWidget(QWidget *widget, const QString &path)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(widget->size());
        svg.setViewBox(widget->rect());
        svg.setTitle(widget->windowTitle());
        QPainter painter(&svg);
        widget->render(&painter);
    } else {
        const qreal dpr = widget->devicePixelRatioF();
        QPixmap pixmap(widget->size() * dpr);
        pixmap.setDevicePixelRatio(dpr);
        pixmap.fill(widget->palette().window().color());
        widget->render(&pixmap);
        if (!pixmap.save(&buffer, "PNG"))
            return QObject::tr("%1: could not encode the image").arg(path);
    }
    buffer.close();
    try {
        Audit::writeFileAtomically(path, bytes);
    } catch (const Audit::AuditError &e) {
        return e.message();
    }
    return {};
}

} // namespace Ui
