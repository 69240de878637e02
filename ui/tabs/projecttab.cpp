#include "projecttab.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

#include "datatablemodels.h"
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
    m_columns->setModel(m_columnsModel);
    m_columns->setSortingEnabled(false);
    m_rejected->setModel(m_rejectedModel);
    m_rejected->setSortingEnabled(false);
    m_tables->addTab(m_preview, tr("Preview"));
    m_tables->addTab(m_columns, tr("Columns"));
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
                     .arg(p.model->threshold(), 0, 'f', 4);
    } else if (!p.modelProblem.isEmpty()) {
        lines << tr("<b>No model:</b> %1").arg(p.modelProblem.toHtmlEscaped());
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
}

} // namespace Ui
