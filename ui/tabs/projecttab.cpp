#include "projecttab.h"

#include <QValueAxis>

#include <QSplitter>

#include <QChartView>

#include <QChart>

#include <QBarSet>

#include <QBarSeries>

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

#include "datatablemodels.h"
#include "okabeito.h"
#include "projectsession.h"
#include "viewutil.h"

namespace Ui {

ProjectTab::ProjectTab(ProjectSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_summary(new QLabel(this))
    , m_tables(new QTabWidget(this))
    , m_previewModel(new DatasetTableModel(this))
    , m_columnsModel(new TextTableModel({tr("Column"), tr("Type"), tr("Distinct"), tr("Missing"), tr("Range"), tr("Mean")}, this))
    , m_rejectedModel(new TextTableModel({tr("Line"), tr("Column"), tr("Value"), tr("Problem")}, this))
    , m_preview(new ReportTableView(this))
    , m_columns(new ReportTableView(this))
    , m_rejected(new ReportTableView(this))
    , m_distribution(new QChartView(this))
{
    auto *openProject = new QPushButton(tr("Open &Project…"), this);
    auto *openDataset = new QPushButton(tr("Open &Dataset…"), this);
    auto *openScored = new QPushButton(tr("Open &Scored CSV…"), this);
    openProject->setToolTip(tr("A folder with params.yaml, its schema, data and models/model.bin (Ctrl+O)."));
    openDataset->setToolTip(tr("A labelled CSV file and the schema YAML that describes it."));
    openScored->setToolTip(tr("A CSV with scores and labels from a model trained elsewhere, to audit it."));
    connect(openProject, &QPushButton::clicked, this, &ProjectTab::openProjectRequested);
    connect(openDataset, &QPushButton::clicked, this, &ProjectTab::openDatasetRequested);
    connect(openScored, &QPushButton::clicked, this, &ProjectTab::openScoredRequested);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(openProject);
    buttons->addWidget(openDataset);
    buttons->addWidget(openScored);
    buttons->addStretch();

    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    m_preview->setModel(m_previewModel);
    m_preview->setSortingEnabled(false);
    m_preview->horizontalHeader()->setStretchLastSection(false);
    // A million rows of one height: no per-row section sizes to lay out on each reset.
    m_preview->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_columns->setModel(m_columnsModel);
    m_columns->setSortingEnabled(false);
    m_rejected->setModel(m_rejectedModel);
    m_rejected->setSortingEnabled(false);
    m_tables->addTab(m_preview, tr("Preview"));
    m_distribution->setRenderHint(QPainter::Antialiasing);
    m_distribution->setMinimumWidth(360);
    auto *columnsSplit = new QSplitter(Qt::Horizontal, this);
    columnsSplit->addWidget(m_columns);
    columnsSplit->addWidget(m_distribution);
    columnsSplit->setStretchFactor(0, 1);
    columnsSplit->setStretchFactor(1, 1);
    m_tables->addTab(columnsSplit, tr("Columns"));
    connect(m_columns->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { showDistribution(current.row()); });
    m_tables->addTab(m_rejected, tr("Rejected rows"));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_summary);
    layout->addWidget(m_tables, 1);

    connect(session, &ProjectSession::projectLoaded, this, &ProjectTab::refresh);
    refresh();
}

void ProjectTab::refresh()
{
    const LoadedProject &p = m_session->project();
    QStringList lines;
    const QLocale locale;
    if (!p.dir.isEmpty())
        lines << tr("<b>Project</b> %1").arg(p.dir.toHtmlEscaped());
    if (p.data) {
        lines << tr("<b>Data</b> %1 — %2 rows, md5 %3")
                     .arg(p.dataPath.toHtmlEscaped(), locale.toString(qulonglong(p.data->rowCount())), p.data->md5.left(12));
    } else if (p.scored) {
        lines << tr("<b>Scored CSV</b> %1 — %2 rows, threshold %3")
                     .arg(p.dataPath.toHtmlEscaped(), locale.toString(qulonglong(p.scored->rowCount())))
                     .arg(p.scored->threshold);
    }
    if (p.model) {
        lines << tr("<b>Model</b> %1 — %2, trained on %3 rows (data md5 %4), threshold %5")
                     .arg(p.model->id(), Audit::enumName(p.model->params().kind))
                     .arg(locale.toString(qlonglong(p.model->training().rows)))
                     .arg(p.model->training().dataMd5.left(12))
                     .arg(p.model->groupThresholds().active() ? tr("fallback %1; decides with thresholds %2")
                                                                    .arg(p.model->threshold(), 0, 'f', 4)
                                                                    .arg(p.model->groupThresholds().describe().toHtmlEscaped())
                                                              : QString::number(p.model->threshold(), 'f', 4));
    } else if (!p.modelProblem.isEmpty()) {
        lines << tr("<b>No model:</b> %1").arg(p.modelProblem.toHtmlEscaped());
    }
    if (p.data && p.data->hasLabels()) {
        const auto rows = qulonglong(p.data->rowCount());
        const auto positives = qulonglong(p.data->positives());
        const Audit::Schema &schema = p.data->schema;
        lines << tr("<b>Label balance</b> %1: %2 %3 (%4%), %5 %6")
                     .arg(schema.labelColumn().toHtmlEscaped(), locale.toString(positives),
                          schema.positiveLabel().toHtmlEscaped())
                     .arg(rows ? 100.0 * double(positives) / double(rows) : 0.0, 0, 'f', 1)
                     .arg(locale.toString(rows - positives), schema.negativeLabel().toHtmlEscaped());
    }
    if (lines.isEmpty())
        lines << tr("Nothing is open. Open a project folder (Ctrl+O), a dataset, or a scored CSV.");
    m_summary->setText(lines.join(QStringLiteral("<br>")));

    m_previewModel->setDataset(p.data);
    m_columnsModel->setRows(TextTableModel::summaryRows(p.summary));
    m_rejectedModel->setRows(TextTableModel::rejectedRows(p.rejected));
    m_tables->setTabText(2, p.rejected.isEmpty() ? tr("Rejected rows") : tr("Rejected rows (%1)").arg(p.rejected.size()));
    m_columns->resizeColumnsToContents();
    m_rejected->resizeColumnsToContents();
    if (!p.summary.empty())
        m_columns->setCurrentIndex(m_columnsModel->index(0, 0)); // shows the first column's distribution
    showDistribution(p.summary.empty() ? -1 : 0);
}

QString ProjectTab::summaryText() const
{
    return m_summary->text();
}

void ProjectTab::showDistribution(int column)
{
    constexpr int kTopCategories = 12;
    const LoadedProject &p = m_session->project();
    auto *chart = new QChart;
    chart->legend()->hide();
    if (column >= 0 && std::size_t(column) < p.summary.size()) {
        const Audit::ColumnSummary &c = p.summary[std::size_t(column)];
        const QLocale locale;
        auto *set = new QBarSet(tr("rows"));
        QStringList categories;
        double top = 0;
        if (c.histogram.empty()) {
            // Categories, most frequent first; the rest as one bar.
            std::int64_t rest = 0;
            for (std::size_t k = 0; k < c.categoryCounts.size(); ++k) {
                if (int(k) < kTopCategories) {
                    *set << double(c.categoryCounts[k].second);
                    QString name = c.categoryCounts[k].first;
                    if (name.size() > 24)
                        name = name.left(22) + QStringLiteral("…");
                    categories << name.toHtmlEscaped(); // axis labels are rich text
                    top = std::max(top, double(c.categoryCounts[k].second));
                } else {
                    rest += c.categoryCounts[k].second;
                }
            }
            if (rest > 0) {
                *set << double(rest);
                categories << tr("%n other(s)", nullptr, int(c.categoryCounts.size()) - kTopCategories);
                top = std::max(top, double(rest));
            }
            chart->setTitle(tr("%1: %2 categories").arg(c.name.toHtmlEscaped()).arg(c.distinct));
        } else {
            for (std::size_t k = 0; k < c.histogram.size(); ++k) {
                *set << double(c.histogram[k]);
                categories << locale.toString(c.histogramEdges[k], 'g', 6);
                top = std::max(top, double(c.histogram[k]));
            }
            chart->setTitle(tr("%1: %2 bins of equal width from %3 to %4")
                                .arg(c.name.toHtmlEscaped())
                                .arg(c.histogram.size())
                                .arg(locale.toString(c.minimum, 'g', 6), locale.toString(c.maximum, 'g', 6)));
        }
        set->setColor(Audit::OkabeIto::kBlue);
        auto *series = new QBarSeries;
        series->append(set);
        series->setBarWidth(0.9);
        const BarAxes axes = addBarAxes(chart, series, categories, tr("Rows"), top * 1.1);
        axes.y->applyNiceNumbers();
        axes.y->setLabelFormat(QStringLiteral("%.0f"));
    }
    replaceChart(m_distribution, chart, palette());
}

} // namespace Ui
