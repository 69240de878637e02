#include "performancetab.h"

#include <map>

#include <QHeaderView>
#include <QTableWidget>

#include <QLegendMarker>
#include <QTabWidget>

#include <cmath>

#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QPushButton>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include "metricglossary.h"
#include "okabeito.h"
#include "projectsession.h"
#include "theme.h"

namespace Ui {

namespace {

namespace OkabeIto = Audit::OkabeIto;

QChartView *curveView(const QString &title, const QString &xTitle, const QString &yTitle, QLineSeries *curve,
                      QScatterSeries *marker, QWidget *parent)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->hide();
    chart->addSeries(curve);
    chart->addSeries(marker);
    auto *x = new QValueAxis;
    auto *y = new QValueAxis;
    x->setRange(0, 1);
    y->setRange(0, 1);
    x->setTitleText(xTitle);
    y->setTitleText(yTitle);
    x->setTickCount(6);
    y->setTickCount(6);
    x->setLabelFormat(QStringLiteral("%.1f"));
    y->setLabelFormat(QStringLiteral("%.1f"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries *s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    marker->setMarkerSize(12);
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(320, 280);
    return view;
}

// The curve point nearest the threshold (curves run from high thresholds to low).
QPointF pointAt(const std::vector<Audit::CurvePoint> &curve, double threshold)
{
    QPointF best;
    double distance = INFINITY;
    for (const Audit::CurvePoint &p : curve) {
        const double d = std::abs(p.threshold - threshold);
        if (d < distance) {
            distance = d;
            best = QPointF(p.x, p.y);
        }
    }
    return best;
}

} // namespace

PerformanceTab::PerformanceTab(ProjectSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_placeholder(new QLabel(tr("No scores yet: open a project with a model, train one, or open a scored CSV."), this))
    , m_roc(new QLineSeries(this))
    , m_pr(new QLineSeries(this))
    , m_rocMarker(new QScatterSeries(this))
    , m_prMarker(new QScatterSeries(this))
    , m_scoresPositive(new QLineSeries(this))
    , m_scoresNegative(new QLineSeries(this))
    , m_scoresThreshold(new QLineSeries(this))
    , m_calibration(new QLineSeries(this))
    , m_calibrationLow(new QLineSeries(this))
    , m_calibrationHigh(new QLineSeries(this))
    , m_calibrationBefore(new QLineSeries(this))
{
    m_roc->setName(tr("ROC"));
    m_pr->setName(tr("Precision–recall"));
    m_rocView = curveView(tr("ROC curve"), tr("False positive rate"), tr("True positive rate"), m_roc, m_rocMarker, this);
    m_prView = curveView(tr("Precision–recall curve"), tr("Recall"), tr("Precision"), m_pr, m_prMarker, this);
    m_rocView->setToolTip(metricTooltip(QStringLiteral("roc_auc")));
    m_prView->setToolTip(metricTooltip(QStringLiteral("pr_auc")));

    auto *metricsBox = new QGroupBox(tr("Overall"), this);
    auto *grid = new QGridLayout(metricsBox);
    const QStringList keys = {QStringLiteral("precision"), QStringLiteral("recall"),  QStringLiteral("f1"),
                              QStringLiteral("accuracy"),  QStringLiteral("roc_auc"), QStringLiteral("pr_auc"),
                              QStringLiteral("log_loss"),  QStringLiteral("brier"),   QStringLiteral("threshold")};
    for (int i = 0; i < keys.size(); ++i) {
        auto *name = new QLabel(metricTitle(keys[i]), metricsBox);
        auto *value = new QLabel(QStringLiteral("–"), metricsBox);
        QFont big = value->font();
        big.setPointSizeF(big.pointSizeF() * 1.4);
        big.setBold(true);
        value->setFont(big);
        name->setToolTip(metricTooltip(keys[i]));
        value->setToolTip(metricTooltip(keys[i]));
        value->setObjectName(keys[i]);
        grid->addWidget(name, (i / 3) * 2, i % 3);
        grid->addWidget(value, (i / 3) * 2 + 1, i % 3);
        m_metrics.insert(keys[i], value);
    }

    auto *confusionBox = new QGroupBox(tr("Confusion matrix"), this);
    auto *cm = new QGridLayout(confusionBox);
    cm->addWidget(new QLabel(tr("Predicted +"), confusionBox), 0, 1, Qt::AlignCenter);
    cm->addWidget(new QLabel(tr("Predicted −"), confusionBox), 0, 2, Qt::AlignCenter);
    cm->addWidget(new QLabel(tr("Actual +"), confusionBox), 1, 0);
    cm->addWidget(new QLabel(tr("Actual −"), confusionBox), 2, 0);
    const char *const tips[] = {
        "True positives: positive rows predicted positive.", "False negatives: positive rows the model missed.",
        "False positives: negative rows predicted positive.", "True negatives: negative rows predicted negative."};
    for (int i = 0; i < 4; ++i) {
        m_confusion[i] = new QLabel(QStringLiteral("–"), confusionBox);
        m_confusion[i]->setAlignment(Qt::AlignCenter);
        m_confusion[i]->setMinimumSize(110, 44);
        m_confusion[i]->setFrameShape(QFrame::StyledPanel);
        m_confusion[i]->setToolTip(tr(tips[i]));
        cm->addWidget(m_confusion[i], 1 + i / 2, 1 + i % 2);
    }

    auto *top = new QHBoxLayout;
    top->addWidget(metricsBox, 2);
    top->addWidget(confusionBox, 1);
    // Score distribution by class: the share of each class's rows per score bin (the classes
    // differ in size), as steps, with the threshold as a vertical line.
    m_scoresPositive->setName(tr("labelled positive"));
    m_scoresNegative->setName(tr("labelled negative"));
    m_scoresThreshold->setName(tr("threshold"));
    m_scoresNegative->setPen(QPen(OkabeIto::kBlue, 2));
    m_scoresPositive->setPen(QPen(OkabeIto::kVermillion, 2, Qt::DashLine)); // dashed: not colour alone
    m_scoresThreshold->setPen(QPen(palette().color(QPalette::Text), 1, Qt::DotLine)); // changeEvent() follows the theme
    m_scoresView = curveView(tr("Scores by true class"), tr("Score"), tr("Share of the class's rows"), m_scoresNegative,
                             new QScatterSeries(this), this);
    m_scoresView->chart()->addSeries(m_scoresPositive);
    m_scoresView->chart()->addSeries(m_scoresThreshold);
    for (QLineSeries *s : {m_scoresPositive, m_scoresThreshold}) {
        for (QAbstractAxis *axis : m_scoresView->chart()->axes())
            s->attachAxis(axis);
    }
    m_scoresView->chart()->legend()->show();
    m_scoresView->chart()->legend()->setAlignment(Qt::AlignBottom);
    m_scoresView->setToolTip(tr("How the model's scores spread for rows that are truly positive and truly negative: "
                                "the less the two overlap, the better it separates them. The dotted line is the "
                                "working threshold."));

    // Reliability diagram: observed positive rate against the mean score per bin; the diagonal
    // is perfect calibration; the thin lines bound the 95% Wilson interval of each bin's rate.
    auto *diagonal = new QLineSeries(this);
    diagonal->append(0, 0);
    diagonal->append(1, 1);
    diagonal->setPen(QPen(OkabeIto::kGrey, 1, Qt::DashLine));
    diagonal->setName(tr("perfect calibration"));
    m_calibration->setName(tr("observed"));
    m_calibration->setPointsVisible(true);
    m_calibration->setPen(QPen(OkabeIto::kBluishGreen, 2));
    m_calibrationLow->setName(tr("95% interval"));
    for (QLineSeries *s : {m_calibrationLow, m_calibrationHigh})
        s->setPen(QPen(OkabeIto::kBluishGreen, 1, Qt::DotLine));
    m_calibrationView = curveView(tr("Calibration"), tr("Mean score in the bin"), tr("Observed positive rate"), m_calibration,
                                  new QScatterSeries(this), this);
    m_calibrationBefore->setName(tr("before calibration"));
    m_calibrationBefore->setPointsVisible(true);
    m_calibrationBefore->setPen(QPen(OkabeIto::kOrange, 2, Qt::DashLine));
    for (QLineSeries *s : {diagonal, m_calibrationLow, m_calibrationHigh, m_calibrationBefore}) {
        m_calibrationView->chart()->addSeries(s);
        for (QAbstractAxis *axis : m_calibrationView->chart()->axes())
            s->attachAxis(axis);
    }
    m_calibrationView->chart()->legend()->show();
    m_calibrationView->chart()->legend()->setAlignment(Qt::AlignBottom);
    m_calibrationView->chart()->legend()->markers(m_calibrationHigh).first()->setVisible(false);
    m_calibrationView->setToolTip(tr("Reliability diagram, 10 equal-width score bins (as scikit-learn's calibration_curve): "
                                     "a calibrated model's points lie on the diagonal. ECE: the rows-weighted mean gap "
                                     "between observed rate and mean score."));

    for (QChartView *view : {m_scoresView, m_calibrationView}) {
        for (QLegendMarker *marker : view->chart()->legend()->markers()) {
            if (marker->series()->name().isEmpty()) // the unused threshold marker of curveView
                marker->setVisible(false);
        }
    }

    auto *curves = new QWidget(this);
    auto *curvesLayout = new QHBoxLayout(curves);
    curvesLayout->setContentsMargins(0, 0, 0, 0);
    curvesLayout->addWidget(m_rocView);
    curvesLayout->addWidget(m_prView);
    auto *scores = new QWidget(this);
    auto *scoresLayout = new QHBoxLayout(scores);
    scoresLayout->setContentsMargins(0, 0, 0, 0);
    scoresLayout->addWidget(m_scoresView);
    auto *calibrationBox = new QWidget(this);
    auto *calibrationLayout = new QVBoxLayout(calibrationBox);
    calibrationLayout->setContentsMargins(0, 0, 0, 0);
    calibrationLayout->addWidget(m_calibrationView, 1);
    m_calibrationGroups = new QLabel(this);
    m_calibrationGroups->setObjectName(QStringLiteral("calibrationGroups"));
    m_calibrationGroups->setTextFormat(Qt::PlainText); // group names are data
    m_calibrationGroups->setWordWrap(true);
    calibrationLayout->addWidget(m_calibrationGroups);
    scoresLayout->addWidget(calibrationBox);
    auto *importance = new QWidget(this);
    auto *importanceLayout = new QVBoxLayout(importance);
    importanceLayout->setContentsMargins(0, 0, 0, 0);
    m_importanceNote = new QLabel(tr("Working out the importance…"), this);
    m_importanceNote->setWordWrap(true);
    m_importanceNote->setTextFormat(Qt::PlainText);
    m_importance = new QTableWidget(this);
    m_importance->setObjectName(QStringLiteral("importanceTable"));
    m_importance->setColumnCount(4);
    m_importance->setHorizontalHeaderLabels({tr("Column"), tr("Mean |SHAP| [95% CI]"), tr("Permutation: ROC AUC drop [95% CI]"),
                                             tr("Mean |SHAP| on misclassified rows")});
    m_importance->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_importance->verticalHeader()->hide();
    m_importance->horizontalHeader()->setStretchLastSection(true);
    m_importance->setToolTip(tr("Mean |SHAP|: how far each column moves predictions on average (exact TreeSHAP for tree "
                                "models). Permutation: how much ROC AUC drops when the column is shuffled (5 seeded "
                                "shuffles). Misclassified: the same mean over the rows the model gets wrong at the "
                                "working threshold."));
    m_importanceButton = new QPushButton(tr("Work Out Importance"), this);
    m_importanceButton->setToolTip(tr("Mean |SHAP| and permutation importance over a 20,000-row sample, off the GUI "
                                      "thread; threshold moves are slower while it runs."));
    m_importanceButton->hide();
    connect(m_importanceButton, &QPushButton::clicked, m_session, &ProjectSession::requestImportance);
    auto *importanceTop = new QHBoxLayout;
    importanceTop->addWidget(m_importanceNote, 1);
    importanceTop->addWidget(m_importanceButton);
    importanceLayout->addLayout(importanceTop);
    importanceLayout->addWidget(m_importance, 1);
    m_charts = new QTabWidget(this);
    m_charts->setObjectName(QStringLiteral("performanceCharts"));
    m_charts->addTab(curves, tr("ROC and precision–recall"));
    m_charts->addTab(scores, tr("Scores and calibration"));
    m_charts->addTab(importance, tr("Importance"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_placeholder);
    layout->addLayout(top);
    layout->addWidget(m_charts, 1);

    connect(session, &ProjectSession::resultsChanged, this, &PerformanceTab::refresh);
    connect(session, &ProjectSession::importanceChanged, this, &PerformanceTab::refreshImportance);
    restyleCharts();
    refresh();
}

void PerformanceTab::restyleCharts()
{
    for (QChartView *view : {m_rocView, m_prView, m_scoresView, m_calibrationView})
        styleChart(view->chart(), palette()); // the tab's: the views may not have the new one yet
    QPen pen = m_scoresThreshold->pen();
    pen.setColor(palette().color(QPalette::Text));
    m_scoresThreshold->setPen(pen);
}

void PerformanceTab::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        restyleCharts();
}

QString PerformanceTab::importanceNote() const
{
    return m_importanceNote->text();
}

QString PerformanceTab::calibrationGroupsText() const
{
    return m_calibrationGroups->text();
}

void PerformanceTab::refreshImportance()
{
    const std::shared_ptr<const Audit::ImportanceReport> report = m_session->importance();
    m_importance->setRowCount(0);
    m_importanceButton->setVisible(m_session->importanceDeferred());
    if (!report && m_session->importanceDeferred()) {
        m_importanceNote->setText(tr("%1 rows: the importance is worked out when asked, so that it does not slow the "
                                     "audits of a large file.")
                                      .arg(QLocale().toString(qulonglong(m_session->project().data->rowCount()))));
        return;
    }
    if (!report) {
        const QString problem = m_session->importanceProblem();
        m_importanceNote->setText(!problem.isEmpty()               ? tr("No importance: %1").arg(problem)
                                      : m_session->project().model ? tr("Working out the importance…")
                                                                   : tr("No model: nothing to explain."));
        return;
    }
    // Misclassified at the working threshold: from the report's own attributions and scores.
    const Audit::ScoredData *scored = m_session->project().scored.get();
    const double threshold = m_session->threshold();
    std::map<QString, double> onErrors;
    std::size_t errors = 0;
    if (scored && !report->rows.empty() && report->rows.back() < scored->scores.size()) {
        std::vector<std::size_t> rows; // positions in the report's explained rows
        for (std::size_t i = 0; i < report->rows.size(); ++i) {
            const std::size_t r = report->rows[i];
            if ((scored->decisionScores()[r] >= threshold) != bool(scored->labels[r]))
                rows.push_back(i);
        }
        errors = rows.size();
        if (!rows.empty()) {
            for (const Audit::ColumnImportance &c : Audit::shapImportance(report->columns, report->explanations, rows).columns)
                onErrors[c.column] = c.value;
        }
    }
    const auto cell = [](const Audit::ColumnImportance &c) {
        return tr("%1 [%2, %3]").arg(c.value, 0, 'f', 4).arg(c.low, 0, 'f', 4).arg(c.high, 0, 'f', 4);
    };
    m_importance->setRowCount(int(report->shap.columns.size()));
    for (int i = 0; i < int(report->shap.columns.size()); ++i) {
        const Audit::ColumnImportance &c = report->shap.columns[std::size_t(i)];
        m_importance->setItem(i, 0, new QTableWidgetItem(c.column));
        m_importance->setItem(i, 1, new QTableWidgetItem(cell(c)));
        if (report->permutation) {
            for (const Audit::ColumnImportance &p : report->permutation->columns) {
                if (p.column == c.column)
                    m_importance->setItem(i, 2, new QTableWidgetItem(cell(p)));
            }
        }
        if (onErrors.count(c.column))
            m_importance->setItem(i, 3, new QTableWidgetItem(QString::number(onErrors[c.column], 'f', 4)));
    }
    m_importance->resizeColumnsToContents();
    m_importanceNote->setText(
        tr("%1 over %2 rows, in %3; permutation baseline ROC AUC %4. %5 rows misclassified at "
           "threshold %6.")
            .arg(report->method)
            .arg(report->shap.rows)
            .arg(Audit::enumName(report->shap.space))
            .arg(report->permutation ? QString::number(report->permutation->baseline, 'f', 4) : QStringLiteral("–"))
            .arg(errors)
            .arg(threshold, 0, 'f', 4));
}

QString PerformanceTab::metricText(const QString &key) const
{
    const QLabel *label = m_metrics.value(key);
    return label ? label->text() : QString();
}

void PerformanceTab::refresh()
{
    const Audit::AuditResults *r = m_session->project().scored ? m_session->results() : nullptr;
    m_placeholder->setVisible(!r);
    if (!r) {
        for (QLabel *label : std::as_const(m_metrics))
            label->setText(QStringLiteral("–"));
        m_roc->clear();
        m_pr->clear();
        m_rocMarker->clear();
        m_prMarker->clear();
        for (QLineSeries *series : {m_scoresPositive, m_scoresNegative, m_scoresThreshold, m_calibration, m_calibrationLow,
                                    m_calibrationHigh, m_calibrationBefore})
            series->clear();
        return;
    }
    const Audit::BinaryMetrics &m = r->metrics;
    const auto fmt = [](double v) { return std::isfinite(v) ? QString::number(v, 'f', 4) : QStringLiteral("–"); };
    m_metrics[QStringLiteral("precision")]->setText(fmt(m.precision));
    m_metrics[QStringLiteral("recall")]->setText(fmt(m.recall));
    m_metrics[QStringLiteral("f1")]->setText(fmt(m.f1));
    m_metrics[QStringLiteral("accuracy")]->setText(fmt(m.accuracy));
    m_metrics[QStringLiteral("roc_auc")]->setText(fmt(m.rocAuc));
    m_metrics[QStringLiteral("pr_auc")]->setText(fmt(m.prAuc));
    m_metrics[QStringLiteral("log_loss")]->setText(fmt(m.logLoss));
    m_metrics[QStringLiteral("brier")]->setText(fmt(m.brier));
    const bool byGroup = m_session->decidesByGroup();
    m_metrics[QStringLiteral("threshold")]->setText(byGroup
                                                        ? tr("by %1").arg(m_session->project().model->groupThresholds().attribute)
                                                        : QString::number(r->threshold, 'f', 4));
    m_metrics[QStringLiteral("threshold")]->setToolTip(byGroup ? m_session->project().scored->decisionRule : QString());
    const QLocale locale;
    const std::int64_t cells[4] = {m.confusion.tp, m.confusion.fn, m.confusion.fp, m.confusion.tn};
    for (int i = 0; i < 4; ++i)
        m_confusion[i]->setText(QStringLiteral("<b>%1</b>").arg(locale.toString(qlonglong(cells[i]))));

    QList<QPointF> roc;
    for (const Audit::CurvePoint &p : r->roc)
        roc << QPointF(p.x, p.y);
    QList<QPointF> pr;
    for (const Audit::CurvePoint &p : r->pr)
        pr << QPointF(p.x, p.y);
    m_roc->replace(roc);
    m_pr->replace(pr);
    if (byGroup) {
        // The model's own operating point: off the one-threshold curves, from its confusion counts.
        const Audit::Confusion &c = m.confusion;
        const double fpr = c.fp + c.tn > 0 ? double(c.fp) / double(c.fp + c.tn) : 0;
        m_rocMarker->replace(QList<QPointF>{{fpr, m.recall}});
        m_prMarker->replace(QList<QPointF>{{m.recall, m.precision}});
    } else {
        m_rocMarker->replace(QList<QPointF>{pointAt(r->roc, r->threshold)});
        m_prMarker->replace(QList<QPointF>{pointAt(r->pr, r->threshold)});
    }
    m_rocView->chart()->setTitle(tr("ROC curve (AUC %1)").arg(fmt(m.rocAuc)));
    m_prView->chart()->setTitle(tr("Precision–recall curve (AP %1)").arg(fmt(m.prAuc)));

    const Audit::ScoreHistogram &h = r->scoreHistogram;
    std::int64_t positives = 0;
    std::int64_t negatives = 0;
    for (std::size_t k = 0; k < h.positives.size(); ++k) {
        positives += h.positives[k];
        negatives += h.negatives[k];
    }
    double top = 0;
    const auto steps = [&](const std::vector<std::int64_t> &counts, std::int64_t total) {
        QList<QPointF> points;
        for (std::size_t k = 0; k < counts.size(); ++k) {
            const double share = total > 0 ? double(counts[k]) / double(total) : 0.0;
            top = std::max(top, share);
            points << QPointF(h.edges[k], share) << QPointF(h.edges[k + 1], share);
        }
        return points;
    };
    m_scoresPositive->replace(steps(h.positives, positives));
    m_scoresNegative->replace(steps(h.negatives, negatives));
    const double yTop = std::max(0.05, std::ceil(top * 20) / 20);
    if (m_session->decidesByGroup()) {
        // Every group's threshold, one vertical line each (joined along the axis).
        std::vector<double> cuts;
        for (const Audit::GroupThresholds::Group &g : m_session->project().model->groupThresholds().groups)
            for (const auto &[t, p] : g.mix)
                cuts.push_back(std::min(t, 1.0));
        std::sort(cuts.begin(), cuts.end());
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
        QList<QPointF> lines;
        for (const double t : cuts)
            lines << QPointF(t, 0) << QPointF(t, yTop) << QPointF(t, 0);
        m_scoresThreshold->replace(lines);
        m_scoresThreshold->setName(tr("thresholds by %1").arg(m_session->project().model->groupThresholds().attribute));
    } else {
        m_scoresThreshold->replace(QList<QPointF>{{r->threshold, 0}, {r->threshold, yTop}});
        m_scoresThreshold->setName(tr("threshold"));
    }
    if (auto *y = qobject_cast<QValueAxis *>(m_scoresView->chart()->axes(Qt::Vertical).value(0))) {
        y->setRange(0, yTop);
        y->setLabelFormat(QStringLiteral("%.2f"));
        y->applyNiceNumbers();
    }

    QList<QPointF> observed;
    QList<QPointF> low;
    QList<QPointF> high;
    for (const Audit::CalibrationBin &b : r->calibration.bins) {
        observed << QPointF(b.meanScore, b.observed);
        low << QPointF(b.meanScore, b.observedCi.low);
        high << QPointF(b.meanScore, b.observedCi.high);
    }
    m_calibration->replace(observed);
    m_calibrationLow->replace(low);
    m_calibrationHigh->replace(high);
    QList<QPointF> before;
    if (r->uncalibrated) {
        for (const Audit::CalibrationBin &b : r->uncalibrated->bins)
            before << QPointF(b.meanScore, b.observed);
    }
    m_calibrationBefore->replace(before);
    m_calibrationBefore->setVisible(r->uncalibrated.has_value());
    m_calibrationView->chart()->legend()->markers(m_calibrationBefore).first()->setVisible(r->uncalibrated.has_value());
    QString title = tr("Calibration: ECE %1 [95% CI %2, %3], largest bin gap %4")
                        .arg(fmt(r->calibration.ece), fmt(r->eceCi.low), fmt(r->eceCi.high), fmt(r->calibration.mce));
    if (r->uncalibrated)
        title = tr("Calibrated (%1): ECE %2 [%3, %4]; before: %5 [%6, %7]")
                    .arg(m_session->project().model ? Audit::enumName(m_session->project().model->calibration().method)
                                                    : QString(),
                         fmt(r->calibration.ece), fmt(r->eceCi.low), fmt(r->eceCi.high), fmt(r->uncalibrated->ece),
                         fmt(r->uncalibratedEceCi.low), fmt(r->uncalibratedEceCi.high));
    m_calibrationView->chart()->setTitle(title);
    // ECE per group of each categorical attribute the bias audit covers (worked out with the
    // audit, off this thread: the scores do not depend on the threshold).
    QStringList groups;
    QString column;
    QStringList parts;
    const auto flush = [&] {
        if (!parts.isEmpty())
            groups << tr("%1: %2").arg(column, parts.join(QStringLiteral(", ")));
        parts.clear();
    };
    const std::vector<Audit::GroupCalibration> &after = r->groupCalibration;
    const std::vector<Audit::GroupCalibration> &prior = r->groupCalibrationBefore;
    for (std::size_t k = 0; k < after.size(); ++k) {
        if (after[k].column != column) {
            flush();
            column = after[k].column;
        }
        const QString rows = QLocale().toString(qulonglong(after[k].rows)); // 854,304, not 854304
        parts << (k < prior.size() ? tr("%1 %2 (before %3; n %4)")
                                         .arg(after[k].group, fmt(after[k].calibration.ece), fmt(prior[k].calibration.ece), rows)
                                   : tr("%1 %2 (n %3)").arg(after[k].group, fmt(after[k].calibration.ece), rows));
    }
    flush();
    m_calibrationGroups->setText(groups.isEmpty() ? QString() : tr("ECE by group — ") + groups.join(QStringLiteral("; ")));
    refreshImportance();
}

} // namespace Ui
