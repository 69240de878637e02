#include "versionstab.h"

#include <cmath>
#include <limits>

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include "auditerror.h"
#include "dvcworkspace.h"
#include "metrics.h"
#include "okabeito.h"
#include "projectsession.h"
#include "versionaudit.h"
#include "viewutil.h"

namespace Ui {

namespace {

// Row tints, translucent over the table's base so they read in either theme.
const QColor kGood = [] {
    QColor c = Audit::OkabeIto::kBlue;
    c.setAlpha(45);
    return c;
}();
const QColor kBad = [] {
    QColor c = Audit::OkabeIto::kVermillion;
    c.setAlpha(90);
    return c;
}();
const QColor kNeutral = [] {
    QColor c = Audit::OkabeIto::kGrey;
    c.setAlpha(70);
    return c;
}();

QTableWidget *makeTable(const QStringList &headers, QWidget *parent)
{
    auto *table = new QTableWidget(0, int(headers.size()), parent);
    table->setHorizontalHeaderLabels(headers);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

// Appends a row; numbers stay numbers so sorting is numeric. `colour` tints the whole row.
void addRow(QTableWidget *table, const QVariantList &cells, const QColor &colour = {}, const QString &tooltip = {})
{
    const int row = table->rowCount();
    table->insertRow(row);
    for (int c = 0; c < cells.size(); ++c) {
        auto *item = new QTableWidgetItem;
        item->setData(Qt::DisplayRole, cells[c]);
        if (colour.isValid())
            item->setBackground(colour);
        if (!tooltip.isEmpty())
            item->setToolTip(tooltip);
        table->setItem(row, c, item);
    }
}

// A cell that shows `text` and sorts by `key`: p and q values read as the CLI and the card
// print them ("3.2e-15") and still sort numerically (untested rows last).
class KeyedItem : public QTableWidgetItem
{
public:
    KeyedItem(const QString &text, double key)
        : QTableWidgetItem(text)
        , m_key(std::isnan(key) ? std::numeric_limits<double>::infinity() : key)
    {}
    bool operator<(const QTableWidgetItem &other) const override
    {
        const auto *keyed = dynamic_cast<const KeyedItem *>(&other);
        return keyed ? m_key < keyed->m_key : QTableWidgetItem::operator<(other);
    }

private:
    double m_key;
};

void setKeyed(QTableWidget *table, int row, int column, const QString &text, double key)
{
    auto *item = new KeyedItem(text, key);
    if (const QTableWidgetItem *left = table->item(row, 0))
        item->setBackground(left->background());
    table->setItem(row, column, item);
}

void clear(QTableWidget *table)
{
    table->setSortingEnabled(false);
    table->setRowCount(0);
}

// `sortable`: clicking a header sorts; the rows start in the order given either way.
void finish(QTableWidget *table, bool sortable)
{
    table->resizeColumnsToContents();
    // That leaves the last column at its content width until the next resize (at 1920 px the
    // stage table's "Why" stayed a sliver): stretch it to the edge again.
    table->horizontalHeader()->setStretchLastSection(false);
    table->horizontalHeader()->setStretchLastSection(true);
    if (sortable) {
        table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
        table->setSortingEnabled(true);
    }
}

// Okabe–Ito blue and vermillion for A and B; B also dashed, so colour is not the only cue.
const QColor &kCurveA = Audit::OkabeIto::kBlue;
const QColor &kCurveB = Audit::OkabeIto::kVermillion;

QChart *emptyCurveChart(const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->hide();
    return chart;
}

// One chart of A's and B's curves: x and y from 0 to 1, a legend naming each version and its AUC.
QChart *curveChart(const QString &title, const QString &xTitle, const QString &yTitle,
                   const std::vector<Audit::VersionCurves> &curves, bool roc)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    auto *x = new QValueAxis;
    x->setRange(0, 1);
    x->setTitleText(xTitle);
    auto *y = new QValueAxis;
    y->setRange(0, 1);
    y->setTitleText(yTitle);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    if (roc) {
        auto *chance = new QLineSeries;
        chance->setName(QObject::tr("chance"));
        *chance << QPointF(0, 0) << QPointF(1, 1);
        chance->setPen(QPen(Audit::OkabeIto::kGrey, 1, Qt::DotLine));
        chart->addSeries(chance);
        chance->attachAxis(x);
        chance->attachAxis(y);
    }
    for (std::size_t i = 0; i < curves.size(); ++i) {
        const Audit::VersionCurves &c = curves[i];
        auto *series = new QLineSeries;
        series->setObjectName(i == 0 ? QStringLiteral("A") : QStringLiteral("B"));
        series->setName(QObject::tr("%1: %2 (%3 %4)")
                            .arg(i == 0 ? QStringLiteral("A") : QStringLiteral("B"), c.label.toHtmlEscaped(),
                                 roc ? QObject::tr("AUC") : QObject::tr("AP"))
                            .arg(roc ? c.rocAuc : c.averagePrecision, 0, 'f', 4));
        for (const Audit::CurvePoint &p : roc ? c.roc : c.pr)
            *series << QPointF(p.x, p.y);
        series->setPen(QPen(i == 0 ? kCurveA : kCurveB, 2, i == 0 ? Qt::SolidLine : Qt::DashLine));
        chart->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
    }
    if (roc) // the chance line needs no legend entry
        chart->legend()->markers(chart->series().front()).front()->setVisible(false);
    chart->legend()->setAlignment(Qt::AlignBottom);
    return chart;
}

QVariant optional(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant(QStringLiteral("-"));
}

} // namespace

struct VersionsTab::Snapshot
{
    std::optional<Audit::WorkspaceStatus> status;
    QString statusError;
    QList<Audit::Version> history;
    QString historyError;
};

struct VersionsTab::Comparison
{
    Audit::VersionDiff diff;
    QString error;
    bool audited = false;
    QString auditedOn;
    int generation = 0; // VersionsTab::m_generation when it started
    std::vector<Audit::VersionCurves> curves; // A then B, on the same data; empty when not scored
    QString curvesError;
    bool versioned = false; // each version scored its own copy of the data
};

VersionsTab::VersionsTab(ProjectSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_message(new QLabel(this))
    , m_refresh(new QPushButton(tr("&Refresh"), this))
    , m_compare(new QPushButton(tr("Co&mpare Reports"), this))
    , m_audit(new QPushButton(tr("&Audit Both Models"), this))
    , m_versionedData(new QCheckBox(tr("on each version's own data"), this))
    , m_stages(makeTable({tr("Stage"), tr("Status"), tr("Why")}, this))
    , m_artifacts(makeTable({tr("Artifact"), tr("Written by"), tr("Status"), tr("Cache · remote"), tr("md5 in dvc.lock"),
                             tr("Size"), tr("Tracked by")},
                            this))
    , m_history(
          makeTable({tr("Version"), tr("Date"), tr("Author"), tr("Message"), tr("F1"), tr("ROC AUC"), tr("Accuracy")}, this))
    , m_a(new QComboBox(this))
    , m_b(new QComboBox(this))
    , m_diffTabs(new QTabWidget(this))
    , m_metrics(makeTable({tr("Metric"), tr("A"), tr("B"), tr("Change")}, this))
    , m_params(makeTable({tr("Param"), tr("A"), tr("B")}, this))
    , m_slices(makeTable({tr("Feature"), tr("Value"), tr("n (A)"), tr("n (B)"), tr("F1 (A)"), tr("F1 (B)"), tr("Change"), tr("p"),
                          tr("q"), tr("Verdict")},
                         this))
    , m_parities(makeTable({tr("Where"), tr("Parity"), tr("A"), tr("B")}, this))
    , m_diffNote(new QLabel(this))
    , m_roc(new QChartView(this))
    , m_pr(new QChartView(this))
    , m_curvesNote(new QLabel(this))
{
    m_message->setWordWrap(true);
    m_diffNote->setWordWrap(true);
    m_refresh->setToolTip(tr("Re-read dvc.yaml, dvc.lock, the *.dvc files and the git history; hash every tracked file."));
    m_compare->setToolTip(tr("Compare the metrics, params, slice and bias reports committed with versions A and B."));
    m_audit->setToolTip(tr("Load the models of versions A and B (from the workspace or the DVC cache, without a checkout) and "
                           "audit both on the data open now."));
    m_versionedData->setToolTip(tr("Unchecked: both models score the data open now. Checked: each scores the copy of that "
                                   "file its version recorded in dvc.lock (from the DVC cache)."));
    m_a->setToolTip(tr("Version A: the older one."));
    m_b->setToolTip(tr("Version B: the newer one."));
    m_a->setMinimumContentsLength(28);
    m_b->setMinimumContentsLength(28);

    auto *top = new QHBoxLayout;
    top->addWidget(m_refresh);
    top->addWidget(m_message, 1);

    auto *statusSplit = new QSplitter(Qt::Horizontal, this);
    statusSplit->addWidget(m_stages);
    statusSplit->addWidget(m_artifacts);
    statusSplit->setStretchFactor(0, 2);
    statusSplit->setStretchFactor(1, 3);

    auto *pick = new QHBoxLayout;
    pick->addWidget(new QLabel(tr("Compare A:"), this));
    pick->addWidget(m_a);
    pick->addWidget(new QLabel(tr("with B:"), this));
    pick->addWidget(m_b);
    pick->addWidget(m_compare);
    pick->addWidget(m_audit);
    pick->addWidget(m_versionedData);
    pick->addStretch(1);

    m_diffTabs->addTab(m_metrics, tr("Metrics"));
    m_diffTabs->addTab(m_params, tr("Params"));
    m_diffTabs->addTab(m_slices, tr("Slices That Changed"));
    m_diffTabs->addTab(m_parities, tr("Parity Flips"));
    m_roc->setRenderHint(QPainter::Antialiasing);
    m_pr->setRenderHint(QPainter::Antialiasing);
    m_curvesNote->setWordWrap(true);
    m_curvesNote->setTextFormat(Qt::PlainText);
    auto *curvesBox = new QWidget(this);
    auto *curvesLayout = new QVBoxLayout(curvesBox);
    curvesLayout->setContentsMargins(0, 0, 0, 0);
    auto *charts = new QHBoxLayout;
    charts->addWidget(m_roc);
    charts->addWidget(m_pr);
    curvesLayout->addWidget(m_curvesNote);
    curvesLayout->addLayout(charts, 1);
    m_diffTabs->addTab(curvesBox, tr("ROC / PR Curves"));
    replaceChart(m_roc, emptyCurveChart(tr("ROC")), palette());
    replaceChart(m_pr, emptyCurveChart(tr("Precision-recall")), palette());
    auto *diffBox = new QWidget(this);
    auto *diffLayout = new QVBoxLayout(diffBox);
    diffLayout->setContentsMargins(0, 0, 0, 0);
    diffLayout->addLayout(pick);
    diffLayout->addWidget(m_diffNote);
    diffLayout->addWidget(m_diffTabs, 1);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(statusSplit);
    split->addWidget(m_history);
    split->addWidget(diffBox);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 1);
    split->setStretchFactor(2, 3);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(split, 1);

    connect(m_refresh, &QPushButton::clicked, this, &VersionsTab::refresh);
    connect(m_compare, &QPushButton::clicked, this, [this] { compare(false); });
    connect(m_audit, &QPushButton::clicked, this, [this] { compare(true); });
    connect(m_history, &QTableWidget::itemSelectionChanged, this, [this] {
        const QList<QTableWidgetSelectionRange> ranges = m_history->selectedRanges();
        if (ranges.isEmpty())
            return;
        const QString rev = m_history->item(ranges.first().topRow(), 0)->data(Qt::UserRole).toString();
        m_a->setCurrentIndex(m_a->findData(rev));
    });
    connect(&m_snapshotWatcher, &QFutureWatcherBase::finished, this, &VersionsTab::showSnapshot);
    connect(&m_comparisonWatcher, &QFutureWatcherBase::finished, this, &VersionsTab::showComparison);
    connect(session, &ProjectSession::projectLoaded, this, &VersionsTab::refresh);
    // A diff belongs to the A, B and data it was made from: changing any of them clears it.
    connect(m_a, &QComboBox::currentIndexChanged, this, &VersionsTab::clearDiff);
    connect(m_b, &QComboBox::currentIndexChanged, this, &VersionsTab::clearDiff);
    connect(m_versionedData, &QCheckBox::toggled, this, &VersionsTab::clearDiff);
    m_compare->setEnabled(false);
    m_audit->setEnabled(false);
    setMessage(tr("Open a project folder with a dvc.yaml to see its versions."));
}

VersionsTab::~VersionsTab()
{
    m_snapshotWatcher.waitForFinished();
    m_comparisonWatcher.waitForFinished();
}

bool VersionsTab::isBusy() const
{
    return m_pending > 0; // from the start of a job until its results are shown
}

QString VersionsTab::message() const
{
    return m_message->text();
}

QString VersionsTab::diffNote() const
{
    return m_diffNote->text();
}

void VersionsTab::setMessage(const QString &text, bool error)
{
    m_message->setText(text);
    markError(m_message, error);
}

void VersionsTab::markError(QLabel *label, bool error)
{
    label->setProperty("isError", error);
    label->setStyleSheet(error ? QStringLiteral("color: %1;")
                                     .arg(Audit::OkabeIto::hex(
                                         Audit::OkabeIto::readableOn(Audit::OkabeIto::kFail, palette().color(QPalette::Window))))
                               : QString());
}

void VersionsTab::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        for (QLabel *label : {m_message, m_diffNote})
            markError(label, label->property("isError").toBool());
    }
}

void VersionsTab::refresh()
{
    const QString dir = m_session->project().dir;
    if (dir.isEmpty() || m_snapshotWatcher.isRunning())
        return;
    ++m_pending;
    setMessage(tr("Reading the pipeline and its history…"));
    m_refresh->setEnabled(false);
    m_snapshotWatcher.setFuture(QtConcurrent::run([dir] {
        auto snapshot = std::make_shared<Snapshot>();
        try {
            snapshot->status = Audit::workspaceStatus(dir);
        } catch (const Audit::AuditError &e) {
            snapshot->statusError = e.message();
        }
        try {
            snapshot->history = Audit::VersionStore(dir).history();
        } catch (const Audit::AuditError &e) {
            snapshot->historyError = e.message();
        }
        return snapshot;
    }));
}

void VersionsTab::showSnapshot()
{
    m_refresh->setEnabled(true);
    const std::shared_ptr<Snapshot> snapshot = m_snapshotWatcher.result();
    clear(m_stages);
    clear(m_artifacts);
    clear(m_history);
    QStringList problems;
    if (snapshot->status) {
        for (const Audit::StageStatus &s : snapshot->status->stages)
            addRow(m_stages, {s.name, s.upToDate ? tr("up to date") : tr("stale"), s.reasons.join(QStringLiteral("; "))},
                   s.upToDate ? kGood : kBad, s.reasons.join(QLatin1Char('\n')));
        const Audit::WorkspaceStatus &status = *snapshot->status;
        for (const Audit::ArtifactStatus &a : status.artifacts) {
            const bool good = a.state == Audit::ArtifactStatus::State::UpToDate;
            // Where else the recorded bytes are: what a past version or a fresh clone can get back.
            const QString where = !a.cached || a.recorded.md5.isEmpty()
                ? QString()
                : tr("%1 cache · %2")
                      .arg(a.inCache ? QStringLiteral("✓") : QStringLiteral("–"),
                           a.inRemote ? tr("%1 %2").arg(*a.inRemote ? QStringLiteral("✓") : QStringLiteral("–"), status.remote)
                                      : tr("? remote"));
            QString tip = a.recorded.md5.isEmpty() ? QString() : tr("md5 in dvc.lock: %1").arg(a.recorded.md5);
            if (!a.md5.isEmpty())
                tip += (tip.isEmpty() ? QString() : QStringLiteral("\n")) + tr("md5 on disk: %1").arg(a.md5);
            if (a.cached && !a.inRemote && !status.remoteNote.isEmpty())
                tip += (tip.isEmpty() ? QString() : QStringLiteral("\n")) + status.remoteNote;
            addRow(m_artifacts,
                   {a.path, a.owner, Audit::enumName(a.state), where,
                    a.recorded.md5.isEmpty() ? QString() : a.recorded.md5.left(12) + QStringLiteral("…"),
                    a.recorded.size < 0 ? QVariant() : QVariant(a.recorded.size), a.cached ? tr("DVC cache") : tr("git")},
                   good ? kGood : kBad, tip);
        }
    } else {
        problems << snapshot->statusError;
    }
    finish(m_stages, false);
    finish(m_artifacts, false);

    const QString keepA = m_a->currentData().toString();
    const QString keepB = m_b->currentData().toString();
    m_a->clear();
    m_b->clear();
    for (const Audit::Version &v : snapshot->history) {
        const auto metric = [&v](const char *name) -> QVariant {
            const std::optional<double> value = v.metric(QLatin1String(name));
            return value ? QVariant(*value) : QVariant();
        };
        addRow(m_history,
               {v.label, v.isWorkspace() ? QVariant(tr("(uncommitted)")) : QVariant(v.commit.time), v.commit.author,
                v.commit.summary, metric("f1"), metric("roc_auc"), metric("accuracy")});
        m_history->item(m_history->rowCount() - 1, 0)->setData(Qt::UserRole, v.rev);
        const QString text = v.isWorkspace() ? tr("workspace (uncommitted)")
                                             : QStringLiteral("%1  %2").arg(v.label, v.commit.summary.left(40));
        m_a->addItem(text, v.rev);
        m_b->addItem(text, v.rev);
    }
    if (snapshot->history.isEmpty() || !snapshot->history.front().isWorkspace()) {
        // The workspace can always be compared, even when it equals HEAD.
        m_a->addItem(tr("workspace"), Audit::kWorkspace);
        m_b->addItem(tr("workspace"), Audit::kWorkspace);
    }
    finish(m_history, false);
    m_b->setCurrentIndex(std::max(0, m_b->findData(keepB)));
    const int a = m_a->findData(keepA);
    m_a->setCurrentIndex(a >= 0 ? a : std::min(1, m_a->count() - 1));
    if (!snapshot->historyError.isEmpty())
        problems << snapshot->historyError;
    const bool canCompare = m_a->count() > 1;
    m_compare->setEnabled(canCompare);
    m_audit->setEnabled(canCompare && m_session->project().data);

    if (!problems.isEmpty()) {
        setMessage(problems.join(QLatin1Char('\n')), true);
    } else {
        const auto stale = std::count_if(snapshot->status->stages.cbegin(), snapshot->status->stages.cend(),
                                         [](const Audit::StageStatus &s) { return !s.upToDate; });
        const auto changed = std::count_if(
            snapshot->status->artifacts.cbegin(), snapshot->status->artifacts.cend(),
            [](const Audit::ArtifactStatus &s) { return s.state != Audit::ArtifactStatus::State::UpToDate; });
        setMessage(stale == 0 && changed == 0
                       ? tr("Pipeline up to date: every artifact matches dvc.lock. %n version(s) in the history.", nullptr,
                            int(snapshot->history.size()))
                       : tr("%1 stale stage(s), %2 artifact(s) differ from dvc.lock: run `dvc repro` "
                            "(or `modelaudit-cli repro`). %n version(s) in the history.",
                            nullptr, int(snapshot->history.size()))
                             .arg(stale)
                             .arg(changed),
                   false);
    }
    Q_EMIT refreshed();
    if (!m_comparedOnce && canCompare && m_a->currentIndex() != m_b->currentIndex()) {
        m_comparedOnce = true; // show the latest change without a click
        compare(false);
    }
    --m_pending;
}

void VersionsTab::clearDiff()
{
    ++m_generation; // a comparison still running is for the old choice: its result is dropped
    m_shown.reset();
    for (QTableWidget *table : {m_metrics, m_params, m_slices, m_parities})
        clear(table);
    markError(m_diffNote, false);
    m_diffNote->setText(m_a->count() > 1 ? tr("Pick A and B, then Compare (or Audit both models).") : QString());
    showCurves({}, tr("Compare A and B to see their curves."));
}

void VersionsTab::showCurves(const std::vector<Audit::VersionCurves> &curves, const QString &about)
{
    m_curvesNote->setText(about);
    if (curves.size() != 2) {
        replaceChart(m_roc, emptyCurveChart(tr("ROC")), palette());
        replaceChart(m_pr, emptyCurveChart(tr("Precision-recall")), palette());
        return;
    }
    replaceChart(m_roc, curveChart(tr("ROC"), tr("False positive rate"), tr("TPR (recall)"), curves, true), palette());
    replaceChart(m_pr, curveChart(tr("Precision-recall"), tr("Recall"), tr("Precision"), curves, false), palette());
}

const std::vector<Audit::VersionCurves> &VersionsTab::shownCurves() const
{
    static const std::vector<Audit::VersionCurves> none;
    return m_shown ? m_shown->curves : none;
}

QString VersionsTab::curvesNote() const
{
    return m_curvesNote->text();
}

void VersionsTab::compare(bool audit)
{
    const LoadedProject &project = m_session->project();
    if (project.dir.isEmpty() || m_comparisonWatcher.isRunning() || m_a->count() == 0)
        return;
    const QString dir = project.dir;
    const QString revA = m_a->currentData().toString();
    const QString revB = m_b->currentData().toString();
    const QString modelPath = QDir(dir).relativeFilePath(project.modelPath);
    const bool versioned = m_versionedData->isChecked();
    const bool hasData = project.data != nullptr;
    const QString dataPath = versioned ? QDir(dir).relativeFilePath(project.dataPath) : project.dataPath;
    m_diffNote->setText(audit ? tr("Auditing both models on %1…").arg(QDir::toNativeSeparators(dataPath)) : tr("Comparing…"));
    m_compare->setEnabled(false);
    m_audit->setEnabled(false);
    ++m_pending;
    const int generation = m_generation;
    m_comparisonWatcher.setFuture(QtConcurrent::run([=] {
        auto comparison = std::make_shared<Comparison>();
        comparison->generation = generation;
        comparison->audited = audit;
        comparison->versioned = versioned;
        comparison->auditedOn = versioned ? tr("each model audited on its version of %1").arg(dataPath)
                                          : tr("both models audited on %1").arg(QDir::toNativeSeparators(dataPath));
        try {
            const Audit::VersionStore store(dir);
            if (audit) {
                const Audit::VersionAudit a = Audit::auditVersion(store, revA, modelPath, dataPath, versioned);
                const Audit::VersionAudit b = Audit::auditVersion(store, revB, modelPath, dataPath, versioned);
                comparison->diff = Audit::diffAudits(a, b);
                try { // the diff stands without its curves
                    comparison->curves = {Audit::versionCurves(a.version, *a.scored), Audit::versionCurves(b.version, *b.scored)};
                } catch (const Audit::AuditError &e) {
                    comparison->curvesError = tr("No curves: %1").arg(e.message());
                }
            } else {
                comparison->diff = Audit::diffVersions(store, revA, revB);
            }
        } catch (const Audit::AuditError &e) {
            comparison->error = e.message();
        }
        if (comparison->error.isEmpty() && comparison->curves.empty() && comparison->curvesError.isEmpty() && hasData) {
            // Committed reports carry no scores: both models score the data for the curves.
            try {
                const Audit::VersionStore store(dir);
                comparison->curves = {Audit::scoreVersionCurves(store, revA, modelPath, dataPath, versioned),
                                      Audit::scoreVersionCurves(store, revB, modelPath, dataPath, versioned)};
            } catch (const Audit::AuditError &e) {
                comparison->curves.clear();
                comparison->curvesError = tr("No curves: %1").arg(e.message());
            }
        }
        return comparison;
    }));
}

void VersionsTab::showComparison()
{
    m_compare->setEnabled(m_a->count() > 1);
    m_audit->setEnabled(m_a->count() > 1 && m_session->project().data);
    const std::shared_ptr<Comparison> result = m_comparisonWatcher.result();
    if (result->generation != m_generation) { // A, B or the data changed while it ran
        --m_pending;
        Q_EMIT compared();
        return;
    }
    m_shown.reset();
    if (!result->error.isEmpty()) {
        m_diffNote->setText(result->error);
        markError(m_diffNote, true);
        --m_pending;
        Q_EMIT compared();
        return;
    }
    markError(m_diffNote, false);
    const Audit::VersionDiff &diff = result->diff;
    clear(m_metrics);
    for (const Audit::MetricDelta &m : diff.metrics) {
        const bool both = m.before && m.after;
        addRow(m_metrics, {m.key, optional(m.before), optional(m.after), both ? QVariant(*m.after - *m.before) : QVariant()},
               m.changed() ? kNeutral : QColor());
    }
    finish(m_metrics, true);
    clear(m_params);
    for (const Audit::ParamDelta &p : diff.params) {
        if (p.changed())
            addRow(m_params, {p.key, Audit::valueText(p.before), Audit::valueText(p.after)});
    }
    finish(m_params, true);
    clear(m_slices);
    // Worse first, then better, each with the significant changes first (smallest q first);
    // a change within chance is listed, uncoloured, with its p and q.
    const QList<Audit::SliceDelta> lower = diff.lowerSlices();
    const QList<Audit::SliceDelta> higher = diff.higherSlices();
    for (const QList<Audit::SliceDelta> *list : {&lower, &higher}) {
        for (const Audit::SliceDelta &s : *list) {
            const QString verdict = s.worse() ? tr("worse")
                : s.better()                  ? tr("better")
                : !s.untested.isEmpty()       ? tr("not tested: %1").arg(s.untested)
                                              : tr("within chance");
            const QString why = !s.untested.isEmpty()
                ? s.untested
                : tr("%1 test of tp / (tp + fp + fn): A %2 / %3, B %4 / %5; Benjamini–Hochberg q over every slice tested")
                      .arg(s.test == QLatin1String("fisher") ? tr("Fisher's exact") : tr("Two-proportion z"))
                      .arg(s.tpBefore)
                      .arg(s.tpBefore + s.fpBefore + s.fnBefore)
                      .arg(s.tpAfter)
                      .arg(s.tpAfter + s.fpAfter + s.fnAfter);
            addRow(m_slices,
                   {s.feature, s.value, s.nBefore, s.nAfter, s.f1Before, s.f1After, s.f1Delta(), QString(), QString(), verdict},
                   s.worse()        ? kBad
                       : s.better() ? kGood
                                    : QColor(),
                   why);
            const int row = m_slices->rowCount() - 1;
            setKeyed(m_slices, row, 7, Audit::pValueText(s.p, QStringLiteral("–")), s.p);
            setKeyed(m_slices, row, 8, Audit::pValueText(s.q, QStringLiteral("–")), s.q);
        }
    }
    finish(m_slices, true);
    clear(m_parities);
    for (const Audit::ParityFlip &f : diff.parities) {
        const QString where = f.attribute.isEmpty() ? tr("overall")
            : f.group.isEmpty()                     ? f.attribute
                                                    : QStringLiteral("%1 = %2").arg(f.attribute, f.group);
        addRow(m_parities, {where, f.parity, Audit::verdictStateText(f.before), Audit::verdictStateText(f.after)},
               f.after == Audit::VerdictState::Pass       ? kGood
                   : f.after == Audit::VerdictState::Fail ? kBad
                                                          : QColor());
    }
    finish(m_parities, true);
    const auto changedParams = std::count_if(diff.params.cbegin(), diff.params.cend(),
                                             [](const Audit::ParamDelta &p) { return p.changed(); });
    const Audit::VersionDiff::SliceCounts counts = diff.sliceCounts();
    // What could not be compared comes first: "0 slices got worse" must not read as good news
    // when there was no slice report to compare.
    QString note
        = tr("%1 → %2 (%3): ").arg(diff.labelA, diff.labelB, result->audited ? result->auditedOn : tr("committed reports"));
    if (!diff.notes.isEmpty())
        note += tr("NOT COMPARED: %1. Of the rest: ").arg(diff.notes.join(QStringLiteral("; ")));
    note += tr("%1 param(s) changed; of %2 slices compared (%3 tested), %4 got worse and %5 better beyond chance "
               "(Benjamini–Hochberg q ≤ %6; %7 lower and %8 higher F1 in all); %9 parity verdict(s) flipped.")
                .arg(changedParams)
                .arg(counts.compared)
                .arg(counts.tested)
                .arg(counts.worse)
                .arg(counts.better)
                .arg(diff.sliceOptions.fdrQ)
                .arg(counts.lower)
                .arg(counts.higher)
                .arg(diff.parities.size());
    m_diffNote->setText(note);
    m_shown = result;
    showCurves(result->curves,
               !result->curvesError.isEmpty() ? result->curvesError
                   : result->curves.empty()   ? tr("No curves: open labelled data to score both models on.")
                   : result->versioned
                   ? tr("Each model scored on the copy of the data its version recorded.")
                   : tr("Both models scored on %1 (the same rows).").arg(QDir::toNativeSeparators(result->curves[0].dataFile)));
    m_diffTabs->setTabText(1, tr("Params (%1)").arg(changedParams));
    m_diffTabs->setTabText(2, tr("Slices: %1 Worse, %2 Better").arg(counts.worse).arg(counts.better));
    m_diffTabs->setTabText(3, tr("Parity Flips (%1)").arg(diff.parities.size()));
    --m_pending;
    Q_EMIT compared();
}

QString VersionsTab::shownDiffText() const
{
    return m_shown ? m_diffNote->text() + QStringLiteral("\n\n") + m_shown->diff.toText(false, 10) : QString();
}

} // namespace Ui
