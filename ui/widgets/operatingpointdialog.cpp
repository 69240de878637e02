#include "operatingpointdialog.h"

#include <cmath>

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSettings>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include "auditerror.h"
#include "jobprogress.h"
#include "okabeito.h"
#include "project.h"
#include "projectsession.h"
#include "thresholdchoice.h"

namespace Ui {

namespace {

using Kind = Audit::Objective::Kind;
namespace OkabeIto = Audit::OkabeIto;

constexpr int kFolds = 5;

QString fmt(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 4) : QStringLiteral("–");
}

} // namespace

OperatingPointDialog::OperatingPointDialog(ProjectSession *session, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_kind(new QComboBox(this))
    , m_parameterLabel(new QLabel(this))
    , m_parameter(new QDoubleSpinBox(this))
    , m_rows(new QComboBox(this))
    , m_run(new QPushButton(tr("&Optimise"), this))
    , m_use(new QPushButton(tr("&Use this threshold"), this))
    , m_warning(new QLabel(this))
    , m_result(new QLabel(this))
    , m_view(new QChartView(this))
    , m_curve(new QLineSeries(this))
    , m_working(new QLineSeries(this))
    , m_best(new QScatterSeries(this))
    , m_progress(new JobProgress(this))
{
    setWindowTitle(tr("Optimise the threshold"));
    m_kind->addItem(tr("Max F-beta (F1 at beta 1)"), int(Kind::FBeta));
    m_kind->addItem(tr("Min expected cost"), int(Kind::Cost));
    m_kind->addItem(tr("Target recall (best precision)"), int(Kind::Recall));
    m_kind->addItem(tr("Target precision (best recall)"), int(Kind::Precision));
    m_kind->addItem(tr("Target predicted-positive rate"), int(Kind::PositiveRate));
    m_rows->addItem(tr("The loaded data"), int(Rows::Loaded));
    m_rows->addItem(tr("Out-of-fold scores of the training split (%1-fold, retrains %1 times)").arg(kFolds),
                    int(Rows::CrossValidated));
    m_rows->setToolTip(tr("The rows the threshold is chosen on. Choosing on the test split makes what is reported on it "
                          "afterwards optimistic: the out-of-fold scores of the training split leave it untouched."));
    m_parameter->setDecimals(3);
    m_warning->setWordWrap(true);
    m_warning->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(OkabeIto::kVermillion.name()));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_use->setEnabled(false);

    auto *form = new QFormLayout;
    form->addRow(tr("Objective"), m_kind);
    form->addRow(m_parameterLabel, m_parameter);
    form->addRow(tr("Choose on"), m_rows);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_run);
    buttons->addWidget(m_use);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_warning);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_result);
    layout->addWidget(m_view, 1);

    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    m_curve->setPen(QPen(OkabeIto::kBlue, 2));
    m_working->setPen(QPen(OkabeIto::kGrey, 1, Qt::DashLine));
    m_working->setName(tr("working threshold"));
    m_best->setName(tr("chosen"));
    m_best->setColor(OkabeIto::kVermillion);
    m_best->setMarkerSize(11);
    for (QAbstractSeries *s : {static_cast<QAbstractSeries *>(m_curve), static_cast<QAbstractSeries *>(m_working),
                               static_cast<QAbstractSeries *>(m_best)})
        chart->addSeries(s);
    auto *x = new QValueAxis;
    x->setRange(0, 1);
    x->setTitleText(tr("Threshold"));
    auto *y = new QValueAxis;
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries *s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    m_view->setChart(chart);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumSize(520, 280);

    const QSettings settings;
    const int kind = m_kind->findData(settings.value(QStringLiteral("optimise/kind"), int(Kind::FBeta)).toInt());
    m_kind->setCurrentIndex(std::max(0, kind));
    updateParameter();
    if (settings.contains(QStringLiteral("optimise/parameter")))
        m_parameter->setValue(settings.value(QStringLiteral("optimise/parameter")).toDouble());
    m_rows->setCurrentIndex(
        std::max(0, m_rows->findData(settings.value(QStringLiteral("optimise/rows"), int(Rows::CrossValidated)).toInt())));

    // A result is for the settings it was worked out with: changing one takes it back (the
    // threshold shown must never be applied for another objective).
    const auto stale = [this] {
        if (!m_report || m_running)
            return;
        m_report.reset();
        m_use->setEnabled(false);
        m_result->setText(tr("Settings changed: Optimise again."));
    };
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this, stale] {
        updateParameter();
        stale();
    });
    connect(m_parameter, &QDoubleSpinBox::valueChanged, this, stale);
    connect(m_rows, &QComboBox::currentIndexChanged, this, stale);
    connect(m_run, &QPushButton::clicked, this, &OperatingPointDialog::optimise);
    connect(m_use, &QPushButton::clicked, this, [this] {
        if (m_report && m_report->found)
            Q_EMIT thresholdChosen(m_report->best.threshold);
    });
    connect(&m_watcher, &QFutureWatcher<std::shared_ptr<Outcome>>::finished, this, &OperatingPointDialog::showOutcome);
    resize(680, 620);
}

void OperatingPointDialog::updateParameter()
{
    const auto kind = Kind(m_kind->currentData().toInt());
    m_parameter->setVisible(true);
    m_parameterLabel->setVisible(true);
    switch (kind) {
    case Kind::FBeta:
        m_parameterLabel->setText(tr("Beta"));
        m_parameter->setRange(0.1, 10);
        m_parameter->setSingleStep(0.5);
        m_parameter->setValue(1);
        m_parameter->setToolTip(tr("Beta > 1 weighs recall more, < 1 precision more."));
        break;
    case Kind::Cost:
        m_parameterLabel->setText(tr("A false negative costs"));
        m_parameter->setRange(0.001, 1000);
        m_parameter->setSingleStep(1);
        m_parameter->setValue(5);
        m_parameter->setSuffix(tr(" false positives"));
        m_parameter->setToolTip(tr("The cost ratio: for perfectly calibrated scores the optimum is 1 / (1 + ratio)."));
        break;
    case Kind::Recall:
    case Kind::Precision:
    case Kind::PositiveRate:
        m_parameterLabel->setText(kind == Kind::Recall          ? tr("Recall at least")
                                      : kind == Kind::Precision ? tr("Precision at least")
                                                                : tr("Positive rate"));
        m_parameter->setRange(kind == Kind::PositiveRate ? 0 : 0.001, 1);
        m_parameter->setSingleStep(0.01);
        m_parameter->setValue(kind == Kind::PositiveRate ? 0.25 : 0.9);
        m_parameter->setToolTip(QString());
        break;
    }
    if (kind != Kind::Cost)
        m_parameter->setSuffix(QString());
}

void OperatingPointDialog::setObjective(const Audit::Objective &objective)
{
    m_kind->setCurrentIndex(m_kind->findData(int(objective.kind)));
    updateParameter();
    switch (objective.kind) {
    case Kind::FBeta:
        m_parameter->setValue(objective.beta);
        break;
    case Kind::Cost:
        m_parameter->setValue(objective.costFn / objective.costFp);
        break;
    default:
        m_parameter->setValue(objective.target);
    }
}

Audit::Objective OperatingPointDialog::objective() const
{
    Audit::Objective o;
    o.kind = Kind(m_kind->currentData().toInt());
    switch (o.kind) {
    case Kind::FBeta:
        o.beta = m_parameter->value();
        break;
    case Kind::Cost:
        o.costFn = m_parameter->value();
        break;
    default:
        o.target = m_parameter->value();
    }
    return o;
}

void OperatingPointDialog::setRows(Rows rows)
{
    m_rows->setCurrentIndex(m_rows->findData(int(rows)));
}

void OperatingPointDialog::optimise()
{
    if (m_running)
        return;
    const LoadedProject &p = m_session->project();
    const Audit::Objective objective = this->objective();
    const auto rows = Rows(m_rows->currentData().toInt());
    const double current = m_session->threshold();
    std::shared_ptr<const Audit::ScoredData> scored = p.scored;
    const QString dir = p.dir;
    if (rows == Rows::Loaded && !scored) {
        m_result->setText(tr("Nothing is loaded to choose on."));
        return;
    }
    saveSettings();
    m_running = true;
    m_run->setEnabled(false);
    m_use->setEnabled(false);
    m_result->setText(rows == Rows::CrossValidated ? tr("Retraining %1 times for out-of-fold scores…").arg(kFolds)
                                                   : tr("Optimising…"));
    const Audit::Progress progress = m_progress->start();
    m_watcher.setFuture(QtConcurrent::run([=] {
        auto outcome = std::make_shared<Outcome>();
        outcome->error = runJob([&] {
            const std::optional<Audit::Project> project = Audit::Project::openIfProject(dir);
            if (rows == Rows::CrossValidated) {
                if (!project)
                    throw Audit::UsageError(QStringLiteral("out-of-fold scores need a project with a params.yaml"));
                outcome->report = Audit::chooseThresholdByCrossValidation(*project, kFolds, objective, current, 200, 42,
                                                                          progress);
            } else {
                outcome->report = Audit::chooseThreshold(*scored, objective, current, project ? &*project : nullptr);
            }
        });
        return outcome;
    }));
}

void OperatingPointDialog::showOutcome()
{
    m_running = false;
    m_progress->finish();
    m_run->setEnabled(true);
    const std::shared_ptr<Outcome> outcome = m_watcher.result();
    if (!outcome->report) {
        m_report.reset();
        m_warning->setText(QString());
        m_result->setText(outcome->error == kJobCancelled ? tr("Cancelled: nothing changed.")
                                                          : tr("Could not optimise: %1").arg(outcome->error));
        return;
    }
    m_report = outcome->report;
    const Audit::OperatingPointReport &r = *m_report;
    m_warning->setText(r.warnings.join(QLatin1Char('\n')));
    m_warning->setVisible(!r.warnings.isEmpty());
    m_result->setText(resultText());
    m_use->setEnabled(r.found);
    QList<QPointF> points;
    double low = 1e300;
    double high = -1e300;
    for (const Audit::ThresholdCurvePoint &c : r.curve) {
        if (!std::isfinite(c.value))
            continue;
        points << QPointF(c.threshold, c.value);
        low = std::min(low, c.value);
        high = std::max(high, c.value);
    }
    if (points.isEmpty())
        low = 0, high = 1;
    const double pad = std::max(1e-3, (high - low) * 0.05);
    m_curve->setName(r.objective.metricName());
    m_curve->replace(points);
    m_best->replace(QList<QPointF>{{r.best.threshold, r.best.value}});
    m_working->replace(QList<QPointF>{{r.current.threshold, low - pad}, {r.current.threshold, high + pad}});
    if (auto *y = qobject_cast<QValueAxis *>(m_view->chart()->axes(Qt::Vertical).value(0))) {
        y->setRange(low - pad, high + pad);
        y->applyNiceNumbers();
        if (r.objective.kind != Kind::Cost) // a rate: never drawn outside [0, 1]
            y->setRange(std::max(0.0, y->min()), std::min(1.0, y->max()));
        y->setTitleText(r.objective.metricName());
    }
    m_view->chart()->setTitle(tr("%1 against the threshold on %2").arg(r.objective.metricName(), QFileInfo(r.source).fileName()));
}

QString OperatingPointDialog::resultText() const
{
    if (!m_report)
        return m_result->text();
    const Audit::OperatingPointReport &r = *m_report;
    QString text;
    if (!r.found)
        text += tr("No threshold reaches the target; the nearest is shown.\n");
    text += tr("Best threshold %1 [95% CI %2, %3]: %4 %5 [%6, %7]\n")
                .arg(fmt(r.best.threshold), fmt(r.thresholdCi.low), fmt(r.thresholdCi.high), r.objective.metricName(),
                     fmt(r.best.value), fmt(r.valueCi.low), fmt(r.valueCi.high));
    text += tr("precision %1, recall %2, positive rate %3, expected cost per row %4 (a false positive costs %5, a false "
               "negative %6)\n")
                .arg(fmt(r.best.precision), fmt(r.best.recall), fmt(r.best.positiveRate), fmt(r.best.cost),
                     QString::number(r.objective.costFp, 'g', 6), QString::number(r.objective.costFn, 'g', 6));
    if (r.objective.kind == Kind::Cost)
        text += tr("For perfectly calibrated scores the optimum would be %1 (the false positive's cost over both costs).\n")
                    .arg(fmt(r.objective.bayesThreshold()));
    if (!r.current.feasible)
        text += tr("The working threshold does not meet the target.\n");
    if (r.objective.kind == Kind::Recall || r.objective.kind == Kind::Precision)
        text += tr("The target holds at this threshold in %1% of %2 resamples.\n")
                    .arg(QString::number(100 * r.feasibleShare, 'f', 1))
                    .arg(r.resamples);
    text += tr("At the working threshold when optimised, %1: %2 %3. On %4 (%5 rows); the intervals are 95% Poisson "
               "bootstrap intervals of the chosen threshold and of the objective at it, %6 resamples.")
                .arg(fmt(r.current.threshold), r.objective.metricName(), fmt(r.current.value), r.source)
                .arg(r.rows)
                .arg(r.resamples);
    return text;
}

QString OperatingPointDialog::warningText() const
{
    return m_warning->text();
}

void OperatingPointDialog::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("optimise/kind"), m_kind->currentData().toInt());
    settings.setValue(QStringLiteral("optimise/parameter"), m_parameter->value());
    settings.setValue(QStringLiteral("optimise/rows"), m_rows->currentData().toInt());
}

} // namespace Ui
