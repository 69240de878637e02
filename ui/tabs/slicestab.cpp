#include "slicestab.h"
#include "explainreport.h"

#include <map>

#include <cmath>

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <utility>

#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QLocale>
#include <QMenu>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include "heatmapwidget.h"
#include "metricglossary.h"
#include "okabeito.h"
#include "projectsession.h"
#include "slicetablemodel.h"
#include "viewutil.h"

namespace Ui {

namespace OkabeIto = Audit::OkabeIto;

namespace {

QStringList singleFeatures(const Audit::SliceReport *report)
{
    QStringList features;
    if (!report)
        return features;
    for (const Audit::SliceRow &row : report->slices) {
        if (row.features.size() == 1 && !features.contains(row.features[0]))
            features << row.features[0];
    }
    return features;
}

const QString kHiddenColumnsKey = QStringLiteral("slices/hiddenColumns");

// The Slice column at most this wide (longer names elide; the tooltip has them whole).
int sliceColumnCap(const QWidget *w)
{
    return w->fontMetrics().horizontalAdvance(QLatin1Char('x')) * 40;
}

void refill(QComboBox *box, const QStringList &items, int fallback)
{
    const QString current = box->currentText();
    const QSignalBlocker blocker(box);
    box->clear();
    box->addItems(items);
    const int keep = int(items.indexOf(current));
    box->setCurrentIndex(keep >= 0 ? keep : std::min(fallback, int(items.size()) - 1));
}

} // namespace

SlicesTab::SlicesTab(ProjectSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_model(new SliceTableModel(this))
    , m_proxy(new SliceFilterProxy(this))
    , m_table(new ReportTableView(this))
    , m_weakModel(new WeakSliceModel(this))
    , m_weakProxy(new QSortFilterProxyModel(this))
    , m_weakView(new ReportTableView(this))
    , m_columnMenu(new QMenu(this))
    , m_filter(new QLineEdit(this))
    , m_level(new QComboBox(this))
    , m_minSize(new QSpinBox(this))
    , m_weakOnly(new QCheckBox(tr("Weak only"), this))
    , m_metric(new QComboBox(this))
    , m_rank(new QComboBox(this))
    , m_fdrQ(new QDoubleSpinBox(this))
    , m_minPositives(new QSpinBox(this))
    , m_feature(new QComboBox(this))
    , m_heatRows(new QComboBox(this))
    , m_heatColumns(new QComboBox(this))
    , m_chartView(new QChartView(this))
    , m_heatmap(new HeatmapWidget(this))
{
    updateWarningColour();
    m_proxy->setSourceModel(m_model);
    m_table->setModel(m_proxy);
    m_table->sortByColumn(SliceTableModel::Size, Qt::DescendingOrder);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->freezeFirstColumn();
    m_table->viewport()->installEventFilter(this);
    m_table->horizontalHeader()->setStretchLastSection(false); // spare room goes to the slice names
    m_table->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->frozenView()->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    for (int c = SliceTableModel::Size; c < SliceTableModel::ColumnCount; ++c) {
        if (c == SliceTableModel::PredictedPositives)
            m_columnMenu->addSeparator(); // the chosen metric's columns above, the others below
        QAction *action = m_columnMenu->addAction(QString());
        action->setCheckable(true);
        action->setChecked(true);
        action->setData(c);
        connect(action, &QAction::toggled, this, [this, c](bool on) { setColumnShown(c, on); });
    }
    const auto showMenu = [this](QHeaderView *header, const QPoint &pos) {
        m_columnMenu->popup(header->viewport()->mapToGlobal(pos));
    };
    connect(m_table->horizontalHeader(), &QWidget::customContextMenuRequested, this,
            [this, showMenu](const QPoint &pos) { showMenu(m_table->horizontalHeader(), pos); });
    connect(m_table->frozenView()->horizontalHeader(), &QWidget::customContextMenuRequested, this,
            [this, showMenu](const QPoint &pos) { showMenu(m_table->frozenView()->horizontalHeader(), pos); });
    m_table->horizontalHeader()->setToolTip(tr("Right-click to choose the columns."));

    m_weakProxy->setSourceModel(m_weakModel);
    m_weakProxy->setSortRole(SliceTableModel::RawValueRole);
    m_weakView->setModel(m_weakProxy);
    m_weakView->sortByColumn(WeakSliceModel::Rank, Qt::AscendingOrder);
    m_weakView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_weakView->setTextElideMode(Qt::ElideMiddle);
    m_weakView->verticalHeader()->hide();
    m_weakView->horizontalHeader()->setStretchLastSection(false);
    m_weakView->horizontalHeader()->setSectionResizeMode(WeakSliceModel::Slice, QHeaderView::Stretch);

    m_filter->setPlaceholderText(tr("Filter by feature or value…"));
    m_filter->setClearButtonEnabled(true);
    m_level->addItems({tr("All slices"), tr("Single features"), tr("Pairs"), tr("Triples")});
    m_level->setItemData(3, tr("Triples are computed when you pick this."), Qt::ToolTipRole);
    m_minSize->setRange(0, 1000000);
    m_minSize->setPrefix(tr("n ≥ "));
    m_minSize->setToolTip(tr("Hide slices with fewer rows than this."));
    m_weakOnly->setToolTip(metricTooltip(QStringLiteral("weak")));
    for (Audit::SliceMetric m :
         {Audit::SliceMetric::F1, Audit::SliceMetric::Precision, Audit::SliceMetric::Recall, Audit::SliceMetric::Accuracy})
        m_metric->addItem(metricTitle(Audit::enumName(m)), int(m));
    m_metric->setToolTip(tr("The metric charted and used to flag weak slices."));
    m_feature->setToolTip(tr("The feature whose slices the bar chart shows."));
    m_rank->addItem(tr("surest gap first"), int(Audit::SliceRank::Evidence));
    m_rank->addItem(tr("largest gap first"), int(Audit::SliceRank::Gap));
    m_rank->setToolTip(tr("Surest gap first: by the gap's lower 95% bound, so a large slice clearly below overall comes "
                          "before a tiny one whose gap could be chance. Largest gap first: by the gap alone."));
    m_fdrQ->setRange(0.001, 1.0);
    m_fdrQ->setDecimals(3);
    m_fdrQ->setSingleStep(0.01);
    m_fdrQ->setPrefix(tr("FDR q ≤ "));
    m_fdrQ->setToolTip(tr("A weak slice must differ from the rest of the data at a Benjamini–Hochberg q at most this: of the "
                          "slices called weak, about this share are expected to be false discoveries."));
    m_minPositives->setRange(0, 1000000);
    m_minPositives->setPrefix(tr("positives ≥ "));
    m_minPositives->setToolTip(tr("Label positives (and predicted positives for precision) a slice needs before it is tested "
                                  "and can be called weak."));
    connect(m_rank, &QComboBox::activated, this, &SlicesTab::applyWeakOptions);
    connect(m_fdrQ, &QDoubleSpinBox::editingFinished, this, &SlicesTab::applyWeakOptions);
    connect(m_minPositives, &QSpinBox::editingFinished, this, &SlicesTab::applyWeakOptions);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &SliceFilterProxy::setText);
    connect(m_level, &QComboBox::currentIndexChanged, this, [this](int level) {
        m_proxy->setFeatureCount(level);
        // The session computes pairs; triples only on request (they multiply the slices).
        Audit::SliceOptions options = m_session->sliceOptions();
        const int cross = level == 3 ? 3 : std::min(options.cross, 2); // triples only while asked for
        if (cross != options.cross) {
            options.cross = cross;
            m_session->setSliceOptions(options);
        }
        Q_EMIT viewStateChanged();
    });
    connect(m_minSize, &QSpinBox::valueChanged, m_proxy, &SliceFilterProxy::setMinimumSize);
    connect(m_weakOnly, &QCheckBox::toggled, m_proxy, &SliceFilterProxy::setWeakOnly);
    for (QObject *control : std::initializer_list<QObject *>{m_filter, m_minSize, m_weakOnly}) {
        if (auto *edit = qobject_cast<QLineEdit *>(control))
            connect(edit, &QLineEdit::textChanged, this, &SlicesTab::viewStateChanged);
        else if (auto *box = qobject_cast<QSpinBox *>(control))
            connect(box, &QSpinBox::valueChanged, this, &SlicesTab::viewStateChanged);
        else if (auto *check = qobject_cast<QCheckBox *>(control))
            connect(check, &QCheckBox::toggled, this, &SlicesTab::viewStateChanged);
    }
    connect(m_table->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this, &SlicesTab::viewStateChanged);
    connect(m_weakView->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this, &SlicesTab::viewStateChanged);
    connect(m_metric, &QComboBox::currentIndexChanged, this, [this] {
        Audit::SliceOptions options = m_session->sliceOptions();
        options.weakMetric = Audit::SliceMetric(m_metric->currentData().toInt());
        m_session->setSliceOptions(options);
    });
    connect(m_feature, &QComboBox::currentIndexChanged, this, &SlicesTab::rebuildChart);
    connect(m_heatRows, &QComboBox::currentIndexChanged, this, &SlicesTab::rebuildHeatmap);
    for (QComboBox *box : {m_feature, m_heatRows, m_heatColumns})
        connect(box, &QComboBox::currentIndexChanged, this, &SlicesTab::viewStateChanged);
    connect(m_heatColumns, &QComboBox::currentIndexChanged, this, &SlicesTab::rebuildHeatmap);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &SlicesTab::onTableSelection);
    connect(m_heatmap, &HeatmapWidget::sliceClicked, this, &SlicesTab::selectSlice);
    connect(m_weakView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &SlicesTab::onWeakSelection);

    auto *controls = new QHBoxLayout;
    controls->addWidget(m_filter, 1);
    controls->addWidget(m_level);
    controls->addWidget(m_minSize);
    controls->addWidget(m_weakOnly);
    controls->addWidget(new QLabel(tr("Metric"), this));
    controls->addWidget(m_metric);

    auto *weakPage = new QWidget(this);
    auto *weakBox = new QVBoxLayout(weakPage);
    weakBox->setContentsMargins(0, 0, 0, 0);
    auto *weakTitle = new QLabel(weakPage);
    m_weakTitle = weakTitle;
    weakTitle->setWordWrap(true);
    weakTitle->setToolTip(metricTooltip(QStringLiteral("weak")));
    auto *weakControls = new QHBoxLayout;
    weakControls->addWidget(weakTitle, 1);
    weakControls->addWidget(m_rank);
    weakControls->addWidget(m_fdrQ);
    weakControls->addWidget(m_minPositives);
    weakBox->addLayout(weakControls);
    weakBox->addWidget(m_weakView, 1);

    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumSize(380, 300);
    auto *chartPage = new QWidget(this);
    auto *chartLayout = new QVBoxLayout(chartPage);
    auto *featureRow = new QHBoxLayout;
    featureRow->addWidget(new QLabel(tr("Feature"), chartPage));
    featureRow->addWidget(m_feature, 1);
    chartLayout->addLayout(featureRow);
    chartLayout->addWidget(m_chartView, 1);

    auto *heatPage = new QWidget(this);
    auto *heatLayout = new QVBoxLayout(heatPage);
    auto *heatRow = new QHBoxLayout;
    heatRow->addWidget(new QLabel(tr("Rows"), heatPage));
    heatRow->addWidget(m_heatRows, 1);
    heatRow->addWidget(new QLabel(tr("Columns"), heatPage));
    heatRow->addWidget(m_heatColumns, 1);
    heatLayout->addLayout(heatRow);
    auto *scroll = new QScrollArea(heatPage);
    m_heatScroll = scroll;
    scroll->setWidget(m_heatmap);
    scroll->setWidgetResizable(true);
    heatLayout->addWidget(scroll, 1);

    auto *views = new QTabWidget(this);
    views->addTab(chartPage, tr("By feature"));
    views->addTab(heatPage, tr("Two-way heatmap"));

    m_views = views;
    connect(views, &QTabWidget::currentChanged, this, &SlicesTab::viewStateChanged);
    auto *tableBox = new QWidget(this);
    auto *tableLayout = new QVBoxLayout(tableBox);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addWidget(m_table, 1);
    m_sliceWhy = new QLabel(tr("Select a slice to see which columns drive the model there."), this);
    m_sliceWhy->setObjectName(QStringLiteral("sliceWhy"));
    m_sliceWhy->setTextFormat(Qt::PlainText); // slice and column names are data
    m_sliceWhy->setWordWrap(true);
    m_sliceWhy->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_sliceWhy->setToolTip(tr("Mean |SHAP| in the slice, on its rows misclassified at the working threshold, and over "
                              "all rows: a column much larger on the slice's errors than overall is where to look."));
    tableLayout->addWidget(m_sliceWhy);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(tableBox);
    splitter->addWidget(views);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({680, 400});

    auto *mainPage = new QWidget(this);
    auto *mainLayout = new QVBoxLayout(mainPage);
    mainLayout->setContentsMargins(0, 0, 0, 0);
    mainLayout->addLayout(controls);
    mainLayout->addWidget(splitter, 1);

    auto *rows = new QSplitter(Qt::Vertical, this);
    rows->addWidget(weakPage);
    rows->addWidget(mainPage);
    rows->setStretchFactor(0, 1);
    rows->setStretchFactor(1, 3);
    rows->setSizes({180, 540});
    rows->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(rows, 1);
    restoreColumns();

    connect(session, &ProjectSession::resultsChanged, this, &SlicesTab::refresh);
    connect(session, &ProjectSession::importanceChanged, this, &SlicesTab::updateSliceWhy);
    refresh();
}

void SlicesTab::applyWeakOptions()
{
    Audit::SliceOptions options = m_session->sliceOptions();
    options.rank = Audit::SliceRank(m_rank->currentData().toInt());
    options.fdrQ = m_fdrQ->value();
    options.minPositives = m_minPositives->value();
    if (options.rank != m_session->sliceOptions().rank || options.fdrQ != m_session->sliceOptions().fdrQ
        || options.minPositives != m_session->sliceOptions().minPositives)
        m_session->setSliceOptions(options);
}

void SlicesTab::refresh()
{
    const Audit::AuditResults *r = m_session->project().scored ? m_session->results() : nullptr;
    const int selected = selectedSlice();
    m_model->setReport(r ? r->slices : nullptr);
    const Audit::SliceReport *report = m_model->report();

    m_weakModel->setReport(m_model->sharedReport());
    if (report) { // the pickers follow the session (a restored workspace sets them)
        const QSignalBlocker blocker(m_metric);
        m_metric->setCurrentIndex(m_metric->findData(int(report->options.weakMetric)));
        const QSignalBlocker b2(m_rank);
        const QSignalBlocker b3(m_fdrQ);
        const QSignalBlocker b4(m_minPositives);
        m_rank->setCurrentIndex(m_rank->findData(int(report->options.rank)));
        m_fdrQ->setValue(report->options.fdrQ);
        m_minPositives->setValue(report->options.minPositives);
    }
    m_weakTitle->setText(
        !report ? tr("<b>Where the model fails</b>")
                : tr("<b>Where the model fails</b> — %1 weak of %2 slices tested (more than %3 below overall, q ≤ %4); click "
                     "a header to sort, a row to show the slice")
                      .arg(report->weak.size())
                      .arg(report->tested)
                      .arg(report->options.weakMargin)
                      .arg(report->options.fdrQ));
    restoreColumns(); // a model reset shows every section again
    const QString metric = m_model->headerData(SliceTableModel::Metric, Qt::Horizontal).toString();
    for (QAction *action : m_columnMenu->actions()) {
        const int column = action->data().toInt();
        if (column == SliceTableModel::Metric)
            action->setText(tr("%1 (the chosen metric)").arg(metric));
        else if (column == SliceTableModel::Interval)
            action->setText(tr("95% interval of %1").arg(metric));
        else if (column == SliceTableModel::Gap)
            action->setText(tr("Gap to overall %1").arg(metric));
        else if (!action->isSeparator())
            action->setText(m_model->headerData(column, Qt::Horizontal).toString());
    }
    const QStringList features = singleFeatures(report);
    refill(m_feature, features, 0);
    refill(m_heatRows, features, 0);
    refill(m_heatColumns, features, 1);
    rebuildChart();
    rebuildHeatmap();
    // Column widths follow the slices shown, not their numbers: a threshold change (the same
    // slices, new counts) keeps them, so the slider does not re-measure 1,700 rows of text.
    const QString shape = report ? QStringLiteral("%1/%2/%3/%4/%5")
                                       .arg(report->slices.size())
                                       .arg(report->options.cross)
                                       .arg(report->options.bins)
                                       .arg(int(report->options.weakMetric))
                                       .arg(report->weak.size() > 0)
                                 : QString();
    if (shape != m_shape) {
        m_shape = shape;
        resizeColumns();
    }
    if (selected >= 0)
        selectSlice(selected);
    if (report && !m_pendingView.isEmpty()) {
        const QJsonObject view = std::exchange(m_pendingView, {});
        applyViewState(view);
    }
}

QJsonObject SlicesTab::viewState() const
{
    QJsonObject state{{QStringLiteral("filter"), m_filter->text()},
                      {QStringLiteral("level"), m_level->currentIndex()},
                      {QStringLiteral("min_n"), m_minSize->value()},
                      {QStringLiteral("weak_only"), m_weakOnly->isChecked()},
                      {QStringLiteral("sort"), sortState(m_table)},
                      {QStringLiteral("weak_sort"), sortState(m_weakView)},
                      {QStringLiteral("view"), m_views ? m_views->currentIndex() : 0},
                      {QStringLiteral("feature"), m_feature->currentText()},
                      {QStringLiteral("heat_rows"), m_heatRows->currentText()},
                      {QStringLiteral("heat_columns"), m_heatColumns->currentText()}};
    const Audit::SliceReport *report = m_model->report();
    const int selected = selectedSlice();
    if (report && selected >= 0 && std::size_t(selected) < report->slices.size()) {
        const Audit::SliceRow &row = report->slices[std::size_t(selected)];
        state.insert(QStringLiteral("selected"),
                     QJsonObject{{QStringLiteral("features"), QJsonArray::fromStringList(row.features)},
                                 {QStringLiteral("values"), QJsonArray::fromStringList(row.values)}});
    }
    return state;
}

void SlicesTab::restoreViewState(const QJsonObject &state)
{
    // Applied to the slices on show; when they are not this session's yet (the results of a
    // project just opened reach the tab after the workspace is restored), once they are.
    const Audit::AuditResults *r = m_session->results();
    if (m_model->report() && r && r->slices.get() == m_model->report())
        applyViewState(state);
    else
        m_pendingView = state;
}

// Every member is checked (type and range) and skipped when wrong: the file is the user's.
void SlicesTab::applyViewState(const QJsonObject &state)
{
    QStringList skipped; // members present but not valid here: said, not silently dropped
    const auto check = [&](const char *member, bool applied) {
        if (!applied && state.contains(QLatin1String(member)))
            skipped << QLatin1String(member);
    };
    const QJsonValue filter = state.value(QStringLiteral("filter"));
    if (filter.isString())
        m_filter->setText(filter.toString().left(200));
    check("filter", filter.isString() && filter.toString().size() <= 200);
    const int level = state.value(QStringLiteral("level")).isDouble() ? state.value(QStringLiteral("level")).toInt(-1) : -1;
    if (level >= 0 && level < m_level->count())
        m_level->setCurrentIndex(level);
    check("level", level >= 0 && level < m_level->count());
    const QJsonValue n = state.value(QStringLiteral("min_n"));
    const double minimum = n.isDouble() ? n.toDouble() : -1;
    const bool minimumFits = minimum >= m_minSize->minimum() && minimum <= m_minSize->maximum() && minimum == std::floor(minimum);
    if (minimumFits)
        m_minSize->setValue(int(minimum));
    check("min_n", minimumFits);
    if (state.value(QStringLiteral("weak_only")).isBool())
        m_weakOnly->setChecked(state.value(QStringLiteral("weak_only")).toBool());
    check("weak_only", state.value(QStringLiteral("weak_only")).isBool());
    check("sort", restoreSort(m_table, state.value(QStringLiteral("sort"))));
    check("weak_sort", restoreSort(m_weakView, state.value(QStringLiteral("weak_sort"))));
    check("view", m_views && restoreIndex(m_views, state.value(QStringLiteral("view"))));
    check("feature", restoreComboText(m_feature, state.value(QStringLiteral("feature"))));
    check("heat_rows", restoreComboText(m_heatRows, state.value(QStringLiteral("heat_rows"))));
    check("heat_columns", restoreComboText(m_heatColumns, state.value(QStringLiteral("heat_columns"))));
    const QJsonObject selected = state.value(QStringLiteral("selected")).toObject();
    const Audit::SliceReport *report = m_model->report();
    bool found = false;
    if (report && !selected.isEmpty()) {
        QStringList features;
        QStringList values;
        for (const QJsonValue &v : selected.value(QStringLiteral("features")).toArray())
            features << v.toString();
        for (const QJsonValue &v : selected.value(QStringLiteral("values")).toArray())
            values << v.toString();
        for (std::size_t i = 0; i < report->slices.size() && !found; ++i) {
            if (report->slices[i].features == features && report->slices[i].values == values) {
                selectSlice(int(i));
                found = true;
            }
        }
    }
    check("selected", found);
    if (!skipped.isEmpty())
        Q_EMIT viewStateSkipped(skipped);
}

void SlicesTab::resizeColumns()
{
    m_table->resizeColumnsToContents();
    m_sliceWidth = m_table->columnWidth(SliceTableModel::Slice);
    fitSliceColumn();
    m_weakView->resizeColumnsToContents(); // the slice column stretches over the rest
}

void SlicesTab::fitSliceColumn()
{
    // The names in full when the other columns leave room, else elided at a cap (the
    // tooltip has them whole) so the numbers stay in view.
    int others = 0;
    for (int c = SliceTableModel::Size; c < SliceTableModel::ColumnCount; ++c) {
        if (!m_table->isColumnHidden(c))
            others += m_table->columnWidth(c);
    }
    const int room = m_table->viewport()->width() - others;
    m_table->setColumnWidth(SliceTableModel::Slice, std::min(m_sliceWidth, std::max(room, sliceColumnCap(this))));
}

bool SlicesTab::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table->viewport() && event->type() == QEvent::Resize && m_sliceWidth > 0)
        fitSliceColumn();
    return QWidget::eventFilter(watched, event);
}

void SlicesTab::updateWarningColour()
{
    const QColor warning = OkabeIto::readableOn(OkabeIto::kFail, palette().color(QPalette::Base));
    m_model->setWarningColour(warning);
    m_weakModel->setWarningColour(warning);
}

void SlicesTab::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        updateWarningColour();
        rebuildChart();
    }
}

void SlicesTab::setColumnShown(int column, bool shown)
{
    if (column <= SliceTableModel::Slice || column >= SliceTableModel::ColumnCount)
        return; // the slice's name always shows
    m_table->setColumnHidden(column, !shown);
    if (shown && m_table->columnWidth(column) == 0)
        m_table->resizeColumnToContents(column);
    for (QAction *action : m_columnMenu->actions()) {
        if (action->data().toInt() == column && action->isChecked() != shown) {
            const QSignalBlocker blocker(action);
            action->setChecked(shown);
        }
    }
    QStringList hidden;
    for (int c = SliceTableModel::Size; c < SliceTableModel::ColumnCount; ++c) {
        if (m_table->isColumnHidden(c))
            hidden << SliceTableModel::columnKey(c);
    }
    QSettings().setValue(kHiddenColumnsKey, hidden);
    fitSliceColumn();
}

void SlicesTab::restoreColumns()
{
    const QStringList hidden = QSettings().value(kHiddenColumnsKey).toStringList();
    for (int c = SliceTableModel::Size; c < SliceTableModel::ColumnCount; ++c) {
        const bool shown = !hidden.contains(SliceTableModel::columnKey(c));
        m_table->setColumnHidden(c, !shown);
        for (QAction *action : m_columnMenu->actions()) {
            if (action->data().toInt() == c) {
                const QSignalBlocker blocker(action);
                action->setChecked(shown);
            }
        }
    }
}

void SlicesTab::onWeakSelection()
{
    const QModelIndexList rows = m_weakView->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    const int slice = rows.front().data(SliceTableModel::SliceIndexRole).toInt();
    selectSlice(slice);
    // An intersection has no bar: show it in the heatmap, its two features on the axes.
    const Audit::SliceReport *report = m_model->report();
    if (report && slice >= 0 && std::size_t(slice) < report->slices.size()) {
        const Audit::SliceRow &row = report->slices[std::size_t(slice)];
        if (row.features.size() == 2) {
            if (!m_heatmap->showsSlice(slice)) {
                m_heatRows->setCurrentText(row.features[0]);
                m_heatColumns->setCurrentText(row.features[1]);
            }
            m_views->setCurrentIndex(1);
            // Once laid out for the new grid, scroll its cell into view.
            QTimer::singleShot(0, this, [this, slice] {
                const QRect cell = m_heatmap->sliceRect(slice);
                if (!cell.isEmpty())
                    m_heatScroll->ensureVisible(cell.center().x(), cell.center().y(), cell.width(), cell.height());
            });
        } else if (row.features.size() == 1) {
            m_views->setCurrentIndex(0);
        }
    }
}

void SlicesTab::rebuildChart()
{
    const Audit::SliceReport *report = m_model->report();
    auto *chart = new QChart;
    chart->legend()->hide();
    m_bars = nullptr;
    m_barSlices.clear();
    const QString feature = m_feature->currentText();
    if (report && !feature.isEmpty()) {
        const Audit::SliceMetric metric = report->options.weakMetric;
        m_bars = new QBarSet(metricTitle(Audit::enumName(metric)));
        m_bars->setSelectedColor(OkabeIto::kHighlight);
        QStringList categories;
        std::vector<Audit::Interval> intervals;
        for (std::size_t i = 0; i < report->slices.size(); ++i) {
            const Audit::SliceRow &row = report->slices[i];
            if (row.features.size() != 1 || row.features[0] != feature)
                continue;
            const double v = row.metric(metric);
            *m_bars << (std::isfinite(v) ? v : 0.0);
            // Axis labels are rich text: a value such as "<0" must be escaped to show at all.
            categories << QStringLiteral("%1<br>n=%2").arg(row.value().toHtmlEscaped(), QLocale().toString(qlonglong(row.n)));
            intervals.push_back(row.interval(metric));
            m_barSlices.push_back(int(i));
        }
        auto *series = new QBarSeries;
        series->append(m_bars);
        const BarAxes axes = addBarAxes(chart, series, categories, metricTitle(Audit::enumName(metric)));
        QBarCategoryAxis *x = axes.x;
        QValueAxis *y = axes.y;
        // Error bars and the overall line: line series on the same axes, x in category units.
        for (std::size_t k = 0; k < intervals.size(); ++k) {
            if (!std::isfinite(intervals[k].low))
                continue;
            auto *bar = new QLineSeries;
            const double cx = double(k);
            *bar << QPointF(cx - 0.08, intervals[k].low) << QPointF(cx + 0.08, intervals[k].low) << QPointF(cx, intervals[k].low)
                 << QPointF(cx, intervals[k].high) << QPointF(cx - 0.08, intervals[k].high)
                 << QPointF(cx + 0.08, intervals[k].high);
            bar->setPen(QPen(palette().color(QPalette::Text), 1.5));
            chart->addSeries(bar);
            bar->attachAxis(x);
            bar->attachAxis(y);
        }
        const double o = report->overall.metric(metric);
        addLevelLine(chart, axes, categories.size(), o, QPen(OkabeIto::kReference, 2, Qt::DashLine))->setName(tr("overall"));
        chart->setTitle(tr("%1 by %2 (95% intervals; dashed: overall %3)")
                            .arg(metricTitle(Audit::enumName(metric)), feature)
                            .arg(o, 0, 'f', 3));
        connect(m_bars, &QBarSet::clicked, this, [this](int index) {
            if (index >= 0 && index < int(m_barSlices.size()))
                selectSlice(m_barSlices[std::size_t(index)]);
        });
    }
    replaceChart(m_chartView, chart, palette());
    onTableSelection();
}

void SlicesTab::rebuildHeatmap()
{
    const Audit::SliceReport *report = m_model->report();
    m_heatmap->setData(report, m_heatRows->currentText(), m_heatColumns->currentText(),
                       report ? report->options.weakMetric : Audit::SliceMetric::F1);
}

int SlicesTab::selectedSlice() const
{
    const QModelIndexList rows = m_table->selectionModel() ? m_table->selectionModel()->selectedRows() : QModelIndexList();
    return rows.isEmpty() ? -1 : rows.front().data(SliceTableModel::SliceIndexRole).toInt();
}

void SlicesTab::selectSlice(int sliceIndex)
{
    const QModelIndex source = m_model->index(sliceIndex, 0);
    QModelIndex index = m_proxy->mapFromSource(source);
    if (!index.isValid()) {
        // Filtered out: clear the filters that hide it.
        m_filter->clear();
        m_level->setCurrentIndex(0);
        m_minSize->setValue(0);
        m_weakOnly->setChecked(false);
        index = m_proxy->mapFromSource(source);
    }
    if (!index.isValid())
        return;
    m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

QString SlicesTab::sliceWhyText() const
{
    return m_sliceWhy->text();
}

void SlicesTab::updateSliceWhy()
{
    const int slice = selectedSlice();
    const std::shared_ptr<const Audit::ImportanceReport> report = m_session->importance();
    const Audit::Dataset *data = m_session->project().data.get();
    if (slice < 0 || !m_model->report()) {
        m_sliceWhy->setText(tr("Select a slice to see which columns drive the model there."));
        return;
    }
    if (!report || !data) {
        m_sliceWhy->setText(m_session->importanceProblem().isEmpty() ? tr("Working out the attributions…")
                                                                     : m_session->importanceProblem());
        return;
    }
    const Audit::SliceRow &row = m_model->report()->slices[std::size_t(slice)];
    const std::optional<Audit::GroupImportance> why = Audit::sliceImportance(
        *report, *data, row.features, row.values, m_session->sliceOptions().bins, m_session->threshold());
    if (!why || why->rows == 0) {
        m_sliceWhy->setText(tr("No attributions for this slice (its rows are outside the explained sample)."));
        return;
    }
    std::map<QString, double> overall;
    for (const Audit::ColumnImportance &c : report->shap.columns)
        overall[c.column] = c.value;
    const auto top = [&](const Audit::ShapImportance &s) {
        QStringList parts;
        for (std::size_t i = 0; i < s.columns.size() && i < 4; ++i)
            parts << tr("%1 %2 (overall %3)")
                         .arg(s.columns[i].column)
                         .arg(s.columns[i].value, 0, 'f', 3)
                         .arg(overall[s.columns[i].column], 0, 'f', 3);
        return parts.join(QStringLiteral(", "));
    };
    QStringList name;
    for (qsizetype i = 0; i < row.features.size(); ++i)
        name << QStringLiteral("%1 = %2").arg(row.features[i], row.values.value(i));
    QString text = tr("Why %1 (%2 rows explained): mean |SHAP| %3.")
                       .arg(name.join(QStringLiteral(" & ")))
                       .arg(why->rows)
                       .arg(top(why->all));
    if (why->errors > 0)
        text += tr(" On its %1 misclassified rows: %2.").arg(why->errors).arg(top(why->onErrors));
    m_sliceWhy->setText(text);
}

void SlicesTab::onTableSelection()
{
    Q_EMIT viewStateChanged();
    updateSliceWhy();
    const int slice = selectedSlice();
    m_heatmap->setSelectedSlice(slice);
    if (!m_bars)
        return;
    m_bars->deselectAllBars();
    if (slice < 0 || !m_model->report())
        return;
    const Audit::SliceRow &row = m_model->report()->slices[std::size_t(slice)];
    if (row.features.size() == 1 && row.features[0] != m_feature->currentText()) {
        m_feature->setCurrentText(row.features[0]); // rebuilds the chart, which calls back here
        return;
    }
    const auto found = std::find(m_barSlices.begin(), m_barSlices.end(), slice);
    if (found != m_barSlices.end())
        m_bars->selectBar(int(found - m_barSlices.begin()));
}

} // namespace Ui
