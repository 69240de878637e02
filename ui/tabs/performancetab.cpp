#include "performancetab.h"

#include <cmath>

#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include "metricglossary.h"
#include "projectsession.h"

namespace Ui {

namespace {

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
    auto *charts = new QHBoxLayout;
    charts->addWidget(m_rocView);
    charts->addWidget(m_prView);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_placeholder);
    layout->addLayout(top);
    layout->addLayout(charts, 1);

    connect(session, &ProjectSession::resultsChanged, this, &PerformanceTab::refresh);
    connect(session, &ProjectSession::projectLoaded, this, &PerformanceTab::refresh);
    refresh();
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
    m_metrics[QStringLiteral("threshold")]->setText(QString::number(r->threshold, 'f', 4));
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
    m_rocMarker->replace(QList<QPointF>{pointAt(r->roc, r->threshold)});
    m_prMarker->replace(QList<QPointF>{pointAt(r->pr, r->threshold)});
    m_rocView->chart()->setTitle(tr("ROC curve (AUC %1)").arg(fmt(m.rocAuc)));
    m_prView->chart()->setTitle(tr("Precision–recall curve (AP %1)").arg(fmt(m.prAuc)));
}

} // namespace Ui
