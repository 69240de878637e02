#include "mitigationdialog.h"

#include <cmath>

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMessageBox>
#include <QPushButton>
#include <QScatterSeries>
#include <QSettings>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include "auditerror.h"
#include "jobprogress.h"
#include "okabeito.h"
#include "project.h"
#include "projectsession.h"

namespace Ui {

namespace {

namespace OkabeIto = Audit::OkabeIto;
using Audit::FairnessConstraint;

constexpr int kFolds = 5;
const QList<double> kTolerances = {0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 1};

QString fmt(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 4) : QStringLiteral("–");
}

QString interval(const Audit::GroupRate &r, bool after)
{
    const double v = after ? r.after : r.before;
    const Stats::Interval &ci = after ? r.afterCi : r.beforeCi;
    return QStringLiteral("%1 [%2, %3]").arg(fmt(v), fmt(ci.low), fmt(ci.high));
}

} // namespace

MitigationDialog::MitigationDialog(ProjectSession *session, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_attribute(new QComboBox(this))
    , m_constraint(new QComboBox(this))
    , m_objective(new QComboBox(this))
    , m_costRatio(new QDoubleSpinBox(this))
    , m_rows(new QComboBox(this))
    , m_compute(new QPushButton(tr("&Compute the trade-off"), this))
    , m_apply(new QPushButton(tr("&Apply to model…"), this))
    , m_remove(new QPushButton(tr("&Remove group thresholds…"), this))
    , m_message(new QLabel(this))
    , m_view(new QChartView(this))
    , m_frontLine(new QLineSeries(this))
    , m_frontPoints(new QScatterSeries(this))
    , m_single(new QScatterSeries(this))
    , m_chosen(new QScatterSeries(this))
    , m_front(new QTableWidget(0, 5, this))
    , m_comparison(new QTableWidget(0, 3, this))
    , m_progress(new JobProgress(this))
{
    setWindowTitle(tr("Mitigate with group thresholds"));
    m_constraint->addItem(tr("Equal opportunity (true-positive rates)"), int(FairnessConstraint::EqualOpportunity));
    m_constraint->addItem(tr("Demographic parity (positive rates)"), int(FairnessConstraint::DemographicParity));
    m_constraint->addItem(tr("Equalized odds (both rates, randomised thresholds)"), int(FairnessConstraint::EqualizedOdds));
    m_objective->addItem(tr("Max F1"), 0);
    m_objective->addItem(tr("Min expected cost"), 1);
    m_costRatio->setRange(0.001, 1000);
    m_costRatio->setValue(5);
    m_costRatio->setPrefix(tr("FN costs "));
    m_costRatio->setSuffix(tr(" FP"));
    m_rows->addItem(tr("Out-of-fold scores of the training split (%1-fold)").arg(kFolds), int(Rows::CrossValidated));
    m_rows->addItem(tr("The loaded data (optimistic: fitted and reported on the same rows)"), int(Rows::Loaded));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *form = new QFormLayout;
    form->addRow(tr("Attribute"), m_attribute);
    form->addRow(tr("Constraint"), m_constraint);
    auto *objective = new QHBoxLayout;
    objective->addWidget(m_objective, 1);
    objective->addWidget(m_costRatio);
    form->addRow(tr("Objective"), objective);
    form->addRow(tr("Fit on"), m_rows);

    m_front->setHorizontalHeaderLabels({tr("Tolerance"), tr("Objective"), tr("F1"), tr("Gap"), tr("Gap when fitted")});
    m_front->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_front->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_front->setSelectionMode(QAbstractItemView::SingleSelection);
    m_front->verticalHeader()->setVisible(false);
    m_front->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_comparison->setHorizontalHeaderLabels(
        {tr("On the loaded data"), tr("One threshold (the model's single)"), tr("Group thresholds")});
    m_comparison->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_comparison->verticalHeader()->setVisible(false);
    m_comparison->setWordWrap(false);
    m_comparison->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_comparison->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_comparison->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);

    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    m_frontLine->setName(tr("group thresholds: the Pareto front"));
    m_frontLine->setPen(QPen(OkabeIto::kBlue, 2));
    m_frontPoints->setColor(OkabeIto::kBlue);
    m_frontPoints->setMarkerSize(8);
    m_single->setName(tr("one threshold"));
    m_single->setColor(OkabeIto::kGrey);
    m_single->setMarkerSize(12);
    m_chosen->setName(tr("picked"));
    m_chosen->setColor(OkabeIto::kVermillion);
    m_chosen->setMarkerSize(13);
    for (QAbstractSeries *s : {static_cast<QAbstractSeries *>(m_frontLine), static_cast<QAbstractSeries *>(m_frontPoints),
                               static_cast<QAbstractSeries *>(m_single), static_cast<QAbstractSeries *>(m_chosen)})
        chart->addSeries(s);
    auto *x = new QValueAxis;
    x->setTitleText(tr("Gap of the constrained rate (max − min)"));
    auto *y = new QValueAxis;
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries *s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    chart->legend()->markers(m_frontPoints).first()->setVisible(false);
    m_view->setChart(chart);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumSize(400, 280);

    auto *split = new QSplitter(Qt::Horizontal, this);
    auto *left = new QWidget(split);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_view, 3);
    leftLayout->addWidget(m_front, 2);
    split->addWidget(left);
    split->addWidget(m_comparison);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({460, 700}); // the comparison's intervals in full at 1280 x 800
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_compute);
    buttons->addWidget(m_apply);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_message);
    layout->addWidget(split, 1);

    const QSettings settings;
    m_constraint->setCurrentIndex(std::max(0, m_constraint->findData(settings.value(QStringLiteral("mitigate/constraint"), 1))));
    m_objective->setCurrentIndex(settings.value(QStringLiteral("mitigate/objective"), 0).toInt() == 1 ? 1 : 0);
    m_costRatio->setValue(settings.value(QStringLiteral("mitigate/cost_ratio"), 5.0).toDouble());
    m_rows->setCurrentIndex(settings.value(QStringLiteral("mitigate/rows"), 0).toInt() == 1 ? 1 : 0);
    m_costRatio->setVisible(m_objective->currentData().toInt() == 1);
    connect(m_objective, &QComboBox::currentIndexChanged, this,
            [this] { m_costRatio->setVisible(m_objective->currentData().toInt() == 1); });
    connect(m_compute, &QPushButton::clicked, this, &MitigationDialog::compute);
    connect(m_apply, &QPushButton::clicked, this, [this] { applyPicked(true); });
    connect(m_remove, &QPushButton::clicked, this, [this] { removeFromModel(true); });
    connect(m_session, &ProjectSession::busyChanged, this, &MitigationDialog::updateApply);
    connect(m_front, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (row >= 0 && row != m_picked)
            pick(row);
    });
    connect(&m_watcher, &QFutureWatcher<std::shared_ptr<Outcome>>::finished, this, &MitigationDialog::showOutcome);
    connect(m_session, &ProjectSession::projectLoaded, this, &MitigationDialog::refreshAttributes);
    connect(m_session, &ProjectSession::projectLoaded, this, &MitigationDialog::updateApply);
    refreshAttributes();
    updateApply();
    resize(1180, 720);
}

void MitigationDialog::updateApply()
{
    const LoadedProject &p = m_session->project();
    const bool cv = m_run && m_run->request.fitPath.isEmpty();
    const bool ready = m_run && m_picked >= 0 && cv && m_session->canSaveThreshold() && !m_session->isBusy() && !m_running;
    m_apply->setEnabled(ready);
    m_apply->setToolTip(!m_session->canSaveThreshold()
                            ? tr("This project has no dvc.yaml: nothing would keep the model, reports and card true to "
                                 "params.yaml. Set the mitigation section of params.yaml and train again.")
                            : !m_run ? tr("Compute the trade-off first, then pick a point.")
                            : !cv    ? tr("Training fits group thresholds on the training split's out-of-fold scores: compute "
                                             "with those rows to apply.")
                                     : tr("Make the picked point's thresholds the model's: params.yaml's mitigation section, the "
                                             "pipeline (train and what follows), dvc.lock. Predictions, the audit, the card and the "
                                             "server then use them."));
    const bool byGroup = p.model && p.model->groupThresholds().active();
    if (!m_applyingFrom.isEmpty() && !m_session->isBusy()) {
        const bool changed = p.model && p.model->id() != m_applyingFrom;
        m_applyingFrom.clear();
        m_message->setText(!changed      ? tr("Nothing changed: the pipeline did not finish (the main window says why).")
                               : byGroup ? tr("Applied: model %1 decides with thresholds %2.")
                                               .arg(p.model->id(), p.model->groupThresholds().describe().toHtmlEscaped())
                                         : tr("Removed: model %1 decides with one threshold, %2.")
                                               .arg(p.model->id())
                                               .arg(p.model->threshold(), 0, 'f', 4));
    } else if (byGroup && !m_run && !m_running)
        m_message->setText(tr("The model already decides with thresholds %1. The trade-off below starts from its single "
                              "threshold %2; applying a point replaces the group thresholds it has.")
                               .arg(p.model->groupThresholds().describe().toHtmlEscaped())
                               .arg(p.model->threshold(), 0, 'f', 4));
    m_remove->setVisible(byGroup);
    m_remove->setEnabled(byGroup && m_session->canSaveThreshold() && !m_session->isBusy() && !m_running);
    m_remove->setToolTip(byGroup ? tr("The model decides with thresholds %1: set mitigation.constraint to none and run the "
                                      "pipeline, so it decides with one threshold again.")
                                       .arg(p.model->groupThresholds().describe())
                                 : QString());
}

void MitigationDialog::applyPicked(bool confirm)
{
    updateApply();
    if (!m_apply->isEnabled())
        return;
    const Audit::ParetoPoint &point = m_run->pareto[std::size_t(m_picked)];
    Audit::MitigationParams params;
    params.constraint = Audit::constraintName(m_run->request.constraint);
    params.attribute = m_run->request.attribute;
    params.tolerance = point.tolerance;
    params.objective = m_run->request.objective.spec();
    params.folds = m_run->request.folds;
    if (confirm) {
        QStringList rules;
        for (const Audit::GroupRule &g : point.fitted.rules)
            rules << QStringLiteral("%1 %2%3").arg(g.group, fmt(g.threshold), g.mix.empty() ? QString() : tr(" (mixed)"));
        const auto answer = QMessageBox::question(
            this, tr("Apply group thresholds"),
            tr("Set params.yaml's mitigation to %1 for %2 (tolerance %3, %4), then re-run training and the stages after it "
               "and update dvc.lock?\n\nThe model will decide with thresholds %5: predict, the audit, the card and the "
               "local server use them, and the server will need %2 in every request.")
                .arg(params.constraint, params.attribute, QString::number(params.tolerance), params.objective,
                     rules.join(QStringLiteral(", "))));
        if (answer != QMessageBox::Yes)
            return;
    }
    m_message->setText(tr("Applying: params.yaml, then the pipeline…"));
    m_applyingFrom = m_session->project().model ? m_session->project().model->id() : QStringLiteral("-");
    m_session->saveMitigationToModel(params);
}

void MitigationDialog::removeFromModel(bool confirm)
{
    updateApply();
    if (!m_remove->isEnabled())
        return;
    if (confirm
        && QMessageBox::question(this, tr("Remove group thresholds"),
                                 tr("Set mitigation.constraint to none in params.yaml, then re-run training and the stages "
                                    "after it? The model will decide with one threshold again."))
            != QMessageBox::Yes)
        return;
    m_message->setText(tr("Removing the group thresholds: params.yaml, then the pipeline…"));
    m_applyingFrom = m_session->project().model ? m_session->project().model->id() : QStringLiteral("-");
    m_session->saveMitigationToModel(Audit::MitigationParams{});
}

void MitigationDialog::refreshAttributes()
{
    const QString keep = m_attribute->currentText();
    m_attribute->clear();
    const LoadedProject &p = m_session->project();
    if (p.schema) {
        for (const Audit::ProtectedAttribute &a : p.schema->protectedAttributes()) {
            const Audit::DataColumn *c = p.scored ? p.scored->column(a.column) : nullptr;
            if (c && !c->spec.isNumeric())
                m_attribute->addItem(a.column);
        }
    }
    const QString saved = QSettings().value(QStringLiteral("mitigate/attribute")).toString();
    const int i = m_attribute->findText(keep.isEmpty() ? saved : keep);
    m_attribute->setCurrentIndex(std::max(0, i));
}

void MitigationDialog::setRequest(const QString &attribute, FairnessConstraint constraint, const Audit::Objective &objective,
                                  Rows rows)
{
    refreshAttributes();
    m_attribute->setCurrentIndex(m_attribute->findText(attribute));
    m_constraint->setCurrentIndex(m_constraint->findData(int(constraint)));
    m_objective->setCurrentIndex(objective.kind == Audit::Objective::Kind::Cost ? 1 : 0);
    if (objective.kind == Audit::Objective::Kind::Cost)
        m_costRatio->setValue(objective.costFn / objective.costFp);
    m_rows->setCurrentIndex(m_rows->findData(int(rows)));
}

void MitigationDialog::compute()
{
    if (m_running)
        return;
    const LoadedProject &p = m_session->project();
    if (!p.model || p.dataPath.isEmpty() || m_attribute->currentText().isEmpty()) {
        m_message->setText(tr("Open a project with a model, data and a categorical protected attribute first."));
        return;
    }
    Audit::MitigationRequest request;
    request.modelPath = p.modelPath;
    request.attribute = m_attribute->currentText();
    request.constraint = FairnessConstraint(m_constraint->currentData().toInt());
    request.tolerance = 0.02;
    if (m_objective->currentData().toInt() == 1)
        request.objective = Audit::Objective::parse(QStringLiteral("cost:%1").arg(m_costRatio->value()));
    request.folds = kFolds;
    const bool loaded = Rows(m_rows->currentData().toInt()) == Rows::Loaded;
    request.fitPath = loaded ? p.dataPath : QString();
    request.reportPath = p.dataPath;
    request.pareto = request.constraint == FairnessConstraint::EqualizedOdds ? QList<double>{0} : kTolerances;
    QSettings settings;
    settings.setValue(QStringLiteral("mitigate/attribute"), request.attribute);
    settings.setValue(QStringLiteral("mitigate/constraint"), int(request.constraint));
    settings.setValue(QStringLiteral("mitigate/objective"), m_objective->currentData().toInt());
    settings.setValue(QStringLiteral("mitigate/cost_ratio"), m_costRatio->value());
    settings.setValue(QStringLiteral("mitigate/rows"), m_rows->currentIndex());
    m_running = true;
    m_compute->setEnabled(false);
    updateApply();
    m_message->setText(loaded ? tr("Fitting the group thresholds for every tolerance…")
                              : tr("Retraining %1 times for out-of-fold scores, then fitting every tolerance…").arg(kFolds));
    const QString dir = p.dir;
    const Audit::Progress progress = m_progress->start();
    m_watcher.setFuture(QtConcurrent::run([request, dir, progress] {
        auto outcome = std::make_shared<Outcome>();
        outcome->error = runJob([&] {
            const std::optional<Audit::Project> project = Audit::Project::openIfProject(dir);
            outcome->run = Audit::runMitigation(request, project ? &*project : nullptr, progress);
        });
        return outcome;
    }));
}

void MitigationDialog::showOutcome()
{
    m_running = false;
    m_progress->finish();
    m_compute->setEnabled(true);
    updateApply();
    const std::shared_ptr<Outcome> outcome = m_watcher.result();
    m_front->setRowCount(0);
    m_comparison->setRowCount(0);
    m_picked = -1;
    if (!outcome->run) {
        m_run.reset();
        m_message->setText(outcome->error == kJobCancelled ? tr("Cancelled: nothing computed.")
                                                           : tr("Could not mitigate: %1").arg(outcome->error));
        return;
    }
    m_run = outcome->run;
    const Audit::MitigationRun &r = *m_run;
    const QString metric = r.fitted.objective.metricName();
    QString text = tr("Fitted on %1 (%2 rows), reported on %3 (%4 rows). Each tolerance is fitted again; pick a row to "
                      "compare it with the model's threshold %5. A gap on these rows above the tolerance is the fit not "
                      "carrying over: read it with the groups' intervals.")
                       .arg(r.fitSource)
                       .arg(r.fitRows)
                       .arg(r.reportSource)
                       .arg(r.reportRows)
                       .arg(fmt(r.fitted.singleThreshold));
    if (!r.warnings.isEmpty()) {
        QStringList escaped;
        for (const QString &w : r.warnings)
            escaped << w.toHtmlEscaped();
        text += QStringLiteral("<br><span style='color:%1'>%2</span>")
                    .arg(OkabeIto::kVermillion.name(), escaped.join(QStringLiteral("<br>")));
    }
    m_message->setText(text);
    const double singleGap = r.fitted.constraint == FairnessConstraint::DemographicParity ? r.before.pprGap
        : r.fitted.constraint == FairnessConstraint::EqualOpportunity                     ? r.before.tprGap
                                                                      : std::max(r.before.tprGap, r.before.fprGap);
    QList<QPointF> points;
    double xMax = singleGap, yMin = r.before.value, yMax = r.before.value;
    m_front->setRowCount(int(r.pareto.size()));
    for (int i = 0; i < int(r.pareto.size()); ++i) {
        const Audit::ParetoPoint &p = r.pareto[std::size_t(i)];
        points << QPointF(p.gap, p.value);
        xMax = std::max(xMax, p.gap);
        yMin = std::min(yMin, p.value);
        yMax = std::max(yMax, p.value);
        const QStringList cells = {r.fitted.constraint == FairnessConstraint::EqualizedOdds ? tr("exact (randomised)")
                                                                                            : QString::number(p.tolerance),
                                   fmt(p.value), fmt(p.f1), fmt(p.gap), fmt(p.fitGap)};
        for (int c = 0; c < cells.size(); ++c)
            m_front->setItem(i, c, new QTableWidgetItem(cells[c]));
    }
    std::sort(points.begin(), points.end(), [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); });
    // The front: the points no other beats on both the objective and the gap (the line); every
    // tolerance's point is drawn (its marker), dominated ones off the line.
    QList<QPointF> front;
    const bool minimise = r.fitted.objective.minimise();
    for (const QPointF &q : points) {
        if (front.isEmpty() || (minimise ? q.y() < front.back().y() : q.y() > front.back().y()))
            front << q;
    }
    m_frontLine->replace(front);
    m_frontPoints->replace(points);
    m_front->setColumnHidden(2, metric == QLatin1String("F1"));
    m_front->horizontalHeaderItem(1)->setText(metric);
    m_single->replace(QList<QPointF>{{singleGap, r.before.value}});
    if (auto *x = qobject_cast<QValueAxis *>(m_view->chart()->axes(Qt::Horizontal).value(0))) {
        x->setRange(0, std::max(0.01, xMax * 1.1));
        x->applyNiceNumbers();
    }
    if (auto *y = qobject_cast<QValueAxis *>(m_view->chart()->axes(Qt::Vertical).value(0))) {
        const double pad = std::max(0.002, (yMax - yMin) * 0.1);
        y->setRange(yMin - pad, yMax + pad);
        y->setTitleText(metric);
        y->applyNiceNumbers();
    }
    m_view->chart()->setTitle(tr("%1 against fairness for %2 on %3").arg(metric, r.fitted.attribute, r.reportSource));
    // The tolerance closest to 0.02 (the usual choice) is picked first.
    int first = 0;
    for (int i = 0; i < int(r.pareto.size()); ++i)
        if (std::abs(r.pareto[std::size_t(i)].tolerance - 0.02) < std::abs(r.pareto[std::size_t(first)].tolerance - 0.02))
            first = i;
    m_front->setCurrentCell(first, 0);
    pick(first);
}

void MitigationDialog::pick(int point)
{
    if (!m_run || point < 0 || point >= int(m_run->pareto.size()))
        return;
    m_picked = point;
    updateApply();
    const Audit::MitigationRun &r = *m_run;
    const Audit::ParetoPoint &p = r.pareto[std::size_t(point)];
    m_chosen->replace(QList<QPointF>{{p.gap, p.value}});
    const double tau = m_session->biasOptions().tau;
    // The smallest group's rate over the largest, against the band only (no significance test:
    // the Bias tab's verdicts, against a reference group with their q values, decide).
    const auto verdict = [tau](double ratio) {
        return QStringLiteral("%1 (%2)").arg(fmt(ratio), ratio >= tau ? tr("within the band") : tr("outside the band"));
    };
    QList<QStringList> rows;
    for (const Audit::GroupRule &g : p.fitted.rules) {
        QString rule = fmt(g.threshold);
        if (!g.mix.empty()) {
            QStringList mix;
            for (const auto &[t, w] : g.mix)
                mix << QStringLiteral("%1 (p %2)").arg(fmt(t), QString::number(w, 'f', 2));
            rule = mix.join(QStringLiteral(" or "));
        }
        rows << QStringList{tr("Threshold, %1").arg(g.group), fmt(r.fitted.singleThreshold), rule};
    }
    if (r.fitted.objective.metricName() != QLatin1String("F1"))
        rows << QStringList{r.fitted.objective.metricName(), fmt(r.before.value), fmt(p.after.value)};
    rows << QStringList{tr("F1"), fmt(r.before.f1), fmt(p.after.f1)};
    rows << QStringList{tr("Accuracy"), fmt(r.before.accuracy), fmt(p.after.accuracy)};
    rows << QStringList{tr("TPR min/max, band τ %1").arg(tau), verdict(r.before.tprRatio), verdict(p.after.tprRatio)};
    rows << QStringList{tr("FPR min/max, band τ %1").arg(tau), verdict(r.before.fprRatio), verdict(p.after.fprRatio)};
    rows << QStringList{tr("Positive rate min/max, τ %1").arg(tau), verdict(r.before.pprRatio), verdict(p.after.pprRatio)};
    rows << QStringList{tr("TPR gap"), fmt(r.before.tprGap), fmt(p.after.tprGap)};
    rows << QStringList{tr("FPR gap"), fmt(r.before.fprGap), fmt(p.after.fprGap)};
    rows << QStringList{tr("Positive-rate gap"), fmt(r.before.pprGap), fmt(p.after.pprGap)};
    for (const auto &[name, which] : {std::pair{tr("TPR"), 0}, std::pair{tr("FPR"), 1}, std::pair{tr("Positive rate"), 2}}) {
        for (const Audit::GroupRate &g : r.ratesAt(p, which))
            rows << QStringList{tr("%1, %2 [95% CI]").arg(name, g.group), interval(g, false), interval(g, true)};
    }
    m_comparison->setRowCount(int(rows.size()));
    for (int i = 0; i < int(rows.size()); ++i)
        for (int c = 0; c < 3; ++c) {
            auto *item = new QTableWidgetItem(rows[i][c]);
            item->setToolTip(rows[i][c]);
            m_comparison->setItem(i, c, item);
        }
    m_comparison->scrollToTop();
}

QString MitigationDialog::messageText() const
{
    return m_message->text();
}

} // namespace Ui
