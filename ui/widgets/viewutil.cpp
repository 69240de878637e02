#include "viewutil.h"

#include <QTabWidget>

#include <QComboBox>

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
#include <QScrollBar>
#include <QSvgGenerator>
#include <QTimer>
#include <QValueAxis>

#include "auditerror.h"
#include "csvtokenizer.h"
#include "fileio.h"
#include "theme.h"

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
    // Fitting columns to contents measures the visible rows and this many more (Qt's default
    // is 1,000: 15,000 text layouts for a slice table, 50 ms on the GUI thread at each load).
    horizontalHeader()->setResizeContentsPrecision(kResizeContentsRows);
}

void ReportTableView::freezeFirstColumn()
{
    if (m_frozen || !model())
        return;
    m_frozen = new QTableView(this);
    m_frozen->setObjectName(QStringLiteral("frozenColumn"));
    m_frozen->setModel(model());
    m_frozen->setSelectionModel(selectionModel());
    m_frozen->setFocusPolicy(Qt::NoFocus);
    m_frozen->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_frozen->setAlternatingRowColors(alternatingRowColors());
    m_frozen->setWordWrap(false);
    m_frozen->setTextElideMode(textElideMode());
    m_frozen->verticalHeader()->hide();
    m_frozen->verticalHeader()->setDefaultSectionSize(verticalHeader()->defaultSectionSize());
    m_frozen->horizontalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_frozen->horizontalHeader()->setFixedHeight(horizontalHeader()->height());
    m_frozen->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_frozen->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_frozen->setHorizontalScrollMode(ScrollPerPixel);
    m_frozen->setVerticalScrollMode(ScrollPerPixel);
    m_frozen->setFrameShape(QFrame::NoFrame);
    // A line on its right edge so the columns scrolling under it read as passing beneath.
    m_frozen->setStyleSheet(QStringLiteral("QTableView#frozenColumn { border-right: 1px solid palette(mid); }"));
    setHorizontalScrollMode(ScrollPerPixel);
    setVerticalScrollMode(ScrollPerPixel);
    viewport()->stackUnder(m_frozen);
    syncFrozenColumns();

    // Sorting: the frozen header's clicks sort the shared model through this view's header.
    m_frozen->setSortingEnabled(isSortingEnabled());
    connect(m_frozen->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this, [this](int column, Qt::SortOrder order) {
        if (horizontalHeader()->sortIndicatorSection() != column || horizontalHeader()->sortIndicatorOrder() != order)
            sortByColumn(column, order);
    });
    connect(horizontalHeader(), &QHeaderView::sortIndicatorChanged, m_frozen, [this](int column, Qt::SortOrder order) {
        const QSignalBlocker blocker(m_frozen->horizontalHeader());
        m_frozen->horizontalHeader()->setSortIndicator(column, order);
    });
    m_frozen->horizontalHeader()->setSortIndicator(horizontalHeader()->sortIndicatorSection(),
                                                   horizontalHeader()->sortIndicatorOrder());
    connect(horizontalHeader(), &QHeaderView::sectionResized, this, [this](int logical, int, int size) {
        if (logical == 0) {
            m_frozen->setColumnWidth(0, size);
            updateFrozenGeometry();
        }
    });
    connect(m_frozen->verticalScrollBar(), &QAbstractSlider::valueChanged, verticalScrollBar(), &QAbstractSlider::setValue);
    connect(verticalScrollBar(), &QAbstractSlider::valueChanged, m_frozen->verticalScrollBar(), &QAbstractSlider::setValue);
    // A reset shows every section again: hide the other columns anew.
    connect(model(), &QAbstractItemModel::modelReset, this, &ReportTableView::syncFrozenColumns);
    connect(model(), &QAbstractItemModel::layoutChanged, this, &ReportTableView::syncFrozenColumns);
    m_frozen->show();
    updateFrozenGeometry();
}

void ReportTableView::syncFrozenColumns()
{
    if (!m_frozen)
        return;
    for (int c = 1; c < model()->columnCount(); ++c)
        m_frozen->setColumnHidden(c, true);
    m_frozen->setColumnHidden(0, false);
    m_frozen->setColumnWidth(0, columnWidth(0));
    m_frozen->verticalScrollBar()->setValue(verticalScrollBar()->value());
    updateFrozenGeometry();
}

void ReportTableView::updateFrozenGeometry()
{
    if (!m_frozen)
        return;
    m_frozen->horizontalHeader()->setFixedHeight(horizontalHeader()->height());
    m_frozen->setGeometry(verticalHeader()->width() + frameWidth(), frameWidth(), columnWidth(0),
                          viewport()->height() + horizontalHeader()->height());
    m_frozen->setVisible(!isColumnHidden(0) && columnWidth(0) > 0);
}

void ReportTableView::changeEvent(QEvent *event)
{
    QTableView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_frozen)
        reapplyStyleSheet(m_frozen);
}

void ReportTableView::resizeEvent(QResizeEvent *event)
{
    QTableView::resizeEvent(event);
    updateFrozenGeometry();
}

void ReportTableView::updateGeometries()
{
    QTableView::updateGeometries();
    updateFrozenGeometry();
}

QModelIndex ReportTableView::moveCursor(CursorAction cursorAction, Qt::KeyboardModifiers modifiers)
{
    const QModelIndex current = QTableView::moveCursor(cursorAction, modifiers);
    // Moving left onto a column hidden under the frozen one: scroll it out from beneath.
    if (m_frozen && cursorAction == MoveLeft && current.column() > 0
        && visualRect(current).topLeft().x() < m_frozen->columnWidth(0)) {
        const int newValue = horizontalScrollBar()->value() + visualRect(current).topLeft().x() - m_frozen->columnWidth(0);
        horizontalScrollBar()->setValue(newValue);
    }
    return current;
}

void ReportTableView::scrollTo(const QModelIndex &index, ScrollHint hint)
{
    // Column 0 is always in sight when frozen: scroll only vertically, keeping the columns
    // the user scrolled to.
    if (m_frozen && index.column() == 0) {
        const int sideways = horizontalScrollBar()->value();
        QTableView::scrollTo(index, hint);
        horizontalScrollBar()->setValue(sideways);
        return;
    }
    QTableView::scrollTo(index, hint);
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

QJsonObject sortState(const QTableView *view)
{
    return QJsonObject{{QStringLiteral("column"), view->horizontalHeader()->sortIndicatorSection()},
                       {QStringLiteral("descending"), view->horizontalHeader()->sortIndicatorOrder() == Qt::DescendingOrder}};
}

bool restoreSort(QTableView *view, const QJsonValue &state)
{
    const QJsonObject o = state.toObject();
    const QJsonValue c = o.value(QStringLiteral("column"));
    const int column = c.isDouble() ? c.toInt(-2) : -2; // -1: no sort, as the header says it
    if (column < -1 || !view->model() || column >= view->model()->columnCount() || !view->isSortingEnabled())
        return false;
    if (column >= 0)
        view->sortByColumn(column, o.value(QStringLiteral("descending")).toBool() ? Qt::DescendingOrder : Qt::AscendingOrder);
    return true;
}

bool restoreComboText(QComboBox *box, const QJsonValue &text)
{
    const int i = text.isString() ? box->findText(text.toString()) : -1;
    if (i >= 0)
        box->setCurrentIndex(i);
    return i >= 0 || (text.isString() && text.toString().isEmpty() && box->count() == 0);
}

bool restoreIndex(QTabWidget *tabs, const QJsonValue &index)
{
    const int i = index.isDouble() ? index.toInt(-1) : -1;
    if (i < 0 || i >= tabs->count())
        return false;
    tabs->setCurrentIndex(i);
    return true;
}

QStringList thinnedLabels(const QStringList &labels, int shown, const QList<int> &keep)
{
    if (shown < 1 || labels.size() <= shown)
        return labels;
    const qsizetype step = (labels.size() + shown - 1) / shown;
    QStringList out;
    int blanks = 0;
    for (qsizetype i = 0; i < labels.size(); ++i) {
        if (i % step == 0 || keep.contains(int(i)))
            out << labels[i];
        else
            out << QString(++blanks, QLatin1Char(' '));
    }
    return out;
}

BarAxes addBarAxes(QChart *chart, QAbstractSeries *series, const QStringList &categories, const QString &yTitle, double top)
{
    chart->addSeries(series);
    BarAxes axes{new QBarCategoryAxis, new QValueAxis};
    axes.x->append(categories);
    axes.x->setTruncateLabels(false);
    // Slanted when there are many or long labels: level ones overlap and drop out.
    qsizetype text = 0; // the longest line of each label (they may hold <br>)
    for (const QString &c : categories) {
        qsizetype longest = 0;
        for (const QString &line : c.split(QStringLiteral("<br>")))
            longest = std::max(longest, line.size());
        text += longest;
    }
    axes.x->setLabelsAngle(categories.size() > 6 || text > 40 ? -45 : 0);
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

void reapplyStyleSheet(QWidget *widget)
{
    // Deferred: a parent hears of a new palette before its children have it.
    QTimer::singleShot(0, widget, [widget] {
        const QString sheet = widget->styleSheet();
        widget->setStyleSheet(QString());
        widget->setStyleSheet(sheet);
    });
}

void replaceChart(QChartView *view, QChart *chart, const QPalette &palette)
{
    QChart *old = view->chart();
    styleChart(chart, palette);
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
