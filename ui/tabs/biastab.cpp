#include "biastab.h"

#include <cmath>

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include "biastablemodel.h"
#include "metricglossary.h"
#include "projectsession.h"
#include "viewutil.h"

namespace Ui {

namespace {

const QColor kPass(70, 160, 90);
const QColor kFail(210, 60, 60);
const QColor kUndefined(160, 160, 160);

void setVerdictCell(QTableWidget *table, int row, int column, const Audit::Verdict &verdict)
{
    auto *item = new QTableWidgetItem(verdict.has_value() ? (*verdict ? QObject::tr("pass") : QObject::tr("FAIL"))
                                                          : QObject::tr("n/a"));
    item->setTextAlignment(Qt::AlignCenter);
    QColor colour = verdict.has_value() ? (*verdict ? kPass : kFail) : kUndefined;
    colour.setAlpha(110);
    item->setBackground(colour);
    table->setItem(row, column, item);
}

} // namespace

BiasTab::BiasTab(ProjectSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_model(new BiasTableModel(this))
    , m_table(new ReportTableView(this))
    , m_attribute(new QComboBox(this))
    , m_method(new QComboBox(this))
    , m_reference(new QComboBox(this))
    , m_tau(new QDoubleSpinBox(this))
    , m_metric(new QComboBox(this))
    , m_verdicts(new QTableWidget(this))
    , m_chartView(new QChartView(this))
    , m_message(new QLabel(this))
{
    m_table->setModel(m_model);
    m_method->addItem(tr("Predefined"), int(Audit::ReferenceMethod::Predefined));
    m_method->addItem(tr("Majority group"), int(Audit::ReferenceMethod::Majority));
    m_method->addItem(tr("Smallest metric"), int(Audit::ReferenceMethod::MinMetric));
    m_method->setToolTip(tr("How the reference group is chosen: as declared, the largest group, or per metric the "
                            "group with the smallest value."));
    m_reference->setToolTip(tr("The reference group that disparities divide by (predefined method)."));
    m_tau->setRange(0.05, 1.0);
    m_tau->setSingleStep(0.05);
    m_tau->setValue(0.8);
    m_tau->setToolTip(tr("Parity holds when tau ≤ disparity ≤ 1/tau."));
    for (Audit::BiasMetric m : Audit::kBiasMetrics)
        m_metric->addItem(metricTitle(Audit::biasMetricName(m)), int(m));
    m_metric->setCurrentIndex(int(Audit::BiasMetric::Fpr));
    m_metric->setToolTip(tr("The metric whose disparities the chart shows."));
    m_attribute->setToolTip(tr("The protected attribute to show."));

    connect(m_attribute, &QComboBox::currentIndexChanged, this, &BiasTab::refresh);
    connect(m_metric, &QComboBox::currentIndexChanged, this, &BiasTab::rebuildChart);
    connect(m_method, &QComboBox::activated, this, &BiasTab::applyOptions);
    connect(m_reference, &QComboBox::activated, this, &BiasTab::applyOptions);
    connect(m_tau, &QDoubleSpinBox::editingFinished, this, &BiasTab::applyOptions);

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Attribute"), this));
    controls->addWidget(m_attribute);
    controls->addWidget(new QLabel(tr("Reference"), this));
    controls->addWidget(m_method);
    controls->addWidget(m_reference);
    controls->addWidget(new QLabel(tr("Tolerance τ"), this));
    controls->addWidget(m_tau);
    controls->addWidget(new QLabel(tr("Chart"), this));
    controls->addWidget(m_metric);
    controls->addStretch();

    m_verdicts->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_verdicts->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    m_verdicts->setMinimumWidth(300);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumSize(380, 280);
    m_message->setWordWrap(true);

    auto *upper = new QSplitter(Qt::Horizontal, this);
    upper->addWidget(m_chartView);
    upper->addWidget(m_verdicts);
    upper->setStretchFactor(0, 3);
    upper->setStretchFactor(1, 2);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(upper);
    splitter->addWidget(m_table);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_message);
    layout->addWidget(splitter, 1);

    connect(session, &ProjectSession::resultsChanged, this, &BiasTab::refresh);
    connect(session, &ProjectSession::projectLoaded, this, &BiasTab::refresh);
    refresh();
}

void BiasTab::applyOptions()
{
    Audit::BiasOptions options = m_session->biasOptions();
    options.method = Audit::ReferenceMethod(m_method->currentData().toInt());
    options.tau = m_tau->value();
    if (options.method == Audit::ReferenceMethod::Predefined && !m_reference->currentText().isEmpty())
        options.references[m_attribute->currentText()] = m_reference->currentText();
    m_session->setBiasOptions(options);
}

void BiasTab::refresh()
{
    const Audit::AuditResults *r = m_session->project().scored ? m_session->results() : nullptr;
    const std::shared_ptr<const Audit::BiasReport> report = r ? r->bias : nullptr;
    m_message->setVisible(!report);
    m_message->setText(r ? r->biasError : tr("No scores yet: open a project with a model, or a scored CSV."));

    const Audit::BiasOptions options = m_session->biasOptions();
    {
        const QSignalBlocker b1(m_attribute);
        const QSignalBlocker b2(m_method);
        const QSignalBlocker b3(m_tau);
        const QString current = m_attribute->currentText();
        m_attribute->clear();
        if (report) {
            for (const Audit::AttributeVerdict &a : report->attributes)
                m_attribute->addItem(a.attribute);
        }
        const int keep = m_attribute->findText(current);
        m_attribute->setCurrentIndex(keep >= 0 ? keep : 0);
        m_method->setCurrentIndex(m_method->findData(int(options.method)));
        m_tau->setValue(options.tau);
    }
    const QString attribute = m_attribute->currentText();
    m_model->setReport(report, attribute);
    {
        const QSignalBlocker blocker(m_reference);
        m_reference->clear();
        for (int row = 0; row < m_model->rowCount(); ++row)
            m_reference->addItem(m_model->group(row)->value);
        const auto ref = options.references.find(attribute);
        if (ref != options.references.end())
            m_reference->setCurrentText(ref->second);
        m_reference->setEnabled(options.method == Audit::ReferenceMethod::Predefined);
    }

    m_verdicts->clear();
    if (report) {
        QStringList columns;
        for (const Audit::AttributeVerdict &a : report->attributes)
            columns << tr("%1\n(ref %2)").arg(a.attribute, a.reference);
        columns << tr("Overall");
        QStringList rows;
        for (std::size_t p = 0; p < Audit::kParityCount; ++p)
            rows << Audit::parityName(Audit::Parity(p));
        m_verdicts->setColumnCount(int(columns.size()));
        m_verdicts->setRowCount(int(rows.size()));
        m_verdicts->setHorizontalHeaderLabels(columns);
        m_verdicts->setVerticalHeaderLabels(rows);
        for (std::size_t p = 0; p < Audit::kParityCount; ++p) {
            for (std::size_t a = 0; a < report->attributes.size(); ++a)
                setVerdictCell(m_verdicts, int(p), int(a), report->attributes[a].parities[p]);
            setVerdictCell(m_verdicts, int(p), int(report->attributes.size()), report->overall[p]);
        }
        m_verdicts->resizeColumnsToContents();
    }
    m_table->resizeColumnsToContents();
    rebuildChart();
}

void BiasTab::rebuildChart()
{
    auto *chart = new QChart;
    m_failing.clear();
    m_groups.clear();
    const Audit::BiasMetric metric = Audit::BiasMetric(m_metric->currentData().toInt());
    const double tau = m_session->biasOptions().tau;
    if (m_model->rowCount() > 0) {
        auto *pass = new QBarSet(tr("within tolerance"));
        auto *fail = new QBarSet(tr("outside tolerance"));
        auto *undefined = new QBarSet(tr("undefined"));
        pass->setColor(kPass);
        fail->setColor(kFail);
        undefined->setColor(kUndefined);
        QStringList categories;
        double top = 1.0 / tau;
        for (int row = 0; row < m_model->rowCount(); ++row) {
            const Audit::GroupMetrics *g = m_model->group(row);
            const double d = g->disparity(metric);
            const Audit::Verdict v = g->parity(Audit::Parity(std::size_t(metric)));
            const double shown = std::isfinite(d) ? d : 0.0;
            *pass << (v.has_value() && *v ? shown : 0.0);
            *fail << (v.has_value() && !*v ? shown : 0.0);
            *undefined << (!v.has_value() ? 0.02 : 0.0);
            const bool isReference = g->value == g->references[std::size_t(metric)];
            categories << QStringLiteral("%1%2\nn=%3").arg(g->value, isReference ? tr(" (ref)") : QString()).arg(g->groupSize);
            m_groups << g->value;
            if (v.has_value() && !*v)
                m_failing << g->value;
            top = std::max(top, std::isfinite(d) ? d : 0.0);
        }
        auto *series = new QStackedBarSeries;
        series->append(pass);
        series->append(fail);
        series->append(undefined);
        chart->addSeries(series);
        auto *x = new QBarCategoryAxis;
        x->append(categories);
        x->setTruncateLabels(false);
        x->setLabelsAngle(categories.size() > 5 ? -45 : 0);
        auto *y = new QValueAxis;
        y->setRange(0, std::min(top * 1.1, 12.0));
        y->applyNiceNumbers();
        y->setTitleText(tr("%1 disparity").arg(metricTitle(Audit::biasMetricName(metric))));
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        series->attachAxis(x);
        series->attachAxis(y);

        auto *low = new QLineSeries(chart); // an area series does not own its boundary lines
        auto *high = new QLineSeries(chart);
        const double left = -0.5;
        const double right = double(categories.size()) - 0.5;
        *low << QPointF(left, tau) << QPointF(right, tau);
        *high << QPointF(left, 1 / tau) << QPointF(right, 1 / tau);
        auto *band = new QAreaSeries(high, low);
        band->setName(tr("tolerance [%1, %2]").arg(tau, 0, 'f', 2).arg(1 / tau, 0, 'f', 2));
        QColor fill = kPass;
        fill.setAlpha(45);
        band->setBrush(fill);
        band->setPen(QPen(kPass.darker(), 1, Qt::DashLine));
        chart->addSeries(band);
        band->attachAxis(x);
        band->attachAxis(y);
        auto *parity = new QLineSeries;
        parity->setName(tr("parity (1.0)"));
        *parity << QPointF(left, 1) << QPointF(right, 1);
        parity->setPen(QPen(palette().color(QPalette::WindowText), 1));
        chart->addSeries(parity);
        parity->attachAxis(x);
        parity->attachAxis(y);
        chart->setTitle(
            tr("%1: %2 disparity by group").arg(m_attribute->currentText(), metricTitle(Audit::biasMetricName(metric))));
        chart->legend()->setAlignment(Qt::AlignBottom);
    }
    replaceChart(m_chartView, chart);
}

} // namespace Ui
