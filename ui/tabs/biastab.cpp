#include "biastab.h"

#include <QPushButton>

#include "mitigationdialog.h"

#include <utility>

#include <cmath>

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFont>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "biaschart.h"
#include "biassummary.h"
#include "biastablemodel.h"
#include "metricglossary.h"
#include "metrics.h"
#include "projectsession.h"
#include "viewutil.h"

namespace Ui {

namespace {

// Each verdict state by a mark and a word as well as an Okabe–Ito colour.
void setVerdictCell(QTableWidget *table, int row, int column, Audit::VerdictState state, const QString &tooltip)
{
    QString text;
    QColor colour = OkabeIto::kUndefined;
    int alpha = 45;
    switch (state) {
    case Audit::VerdictState::Pass:
        text = QObject::tr("✓ pass");
        colour = OkabeIto::kPass;
        break;
    case Audit::VerdictState::Fail:
        text = QObject::tr("✗ FAIL");
        colour = OkabeIto::kFail;
        alpha = 90;
        break;
    case Audit::VerdictState::NotSignificant:
        text = QObject::tr("~ not significant");
        colour = OkabeIto::kFail;
        alpha = 30;
        break;
    case Audit::VerdictState::Insufficient:
        text = QObject::tr("? insufficient data");
        break;
    case Audit::VerdictState::Undefined:
        text = QObject::tr("– n/a");
        break;
    }
    auto *item = new QTableWidgetItem(text);
    item->setTextAlignment(Qt::AlignCenter);
    colour.setAlpha(alpha);
    item->setBackground(colour);
    item->setToolTip(tooltip);
    table->setItem(row, column, item);
}

// Which groups of `attribute` (every attribute when empty) fail one-metric parity `p`, by how
// much and how surely, and which are outside the band within chance or too small to judge.
QString verdictTooltip(const Audit::BiasReport &report, const QString &attribute, std::size_t p, Audit::VerdictState state)
{
    const double tau = report.options.tau;
    QStringList lines{QObject::tr("%1%2: %3 (parity needs %4 to %5)")
                          .arg(Audit::parityName(Audit::Parity(p)),
                               attribute.isEmpty() ? QObject::tr(" over every attribute") : QObject::tr(" for %1").arg(attribute),
                               Audit::verdictStateText(state))
                          .arg(tau, 0, 'f', 2)
                          .arg(1 / tau, 0, 'f', 2)};
    if (report.options.verdicts == Audit::VerdictMode::Evidence)
        lines << QObject::tr("Outside the band fails only when significant (Benjamini–Hochberg q ≤ %1 over %2 tests); groups "
                             "under %3 rows are insufficient data and decide nothing.")
                     .arg(report.options.alpha)
                     .arg(report.tested)
                     .arg(report.options.minGroupSize);
    if (p >= Audit::kBiasMetricCount) {
        lines << QObject::tr("A roll-up: it fails when a parity it combines fails.");
        return lines.join(QLatin1Char('\n'));
    }
    const Audit::BiasMetric metric = Audit::BiasMetric(p);
    lines << metricTooltip(Audit::biasMetricName(metric));
    for (const Audit::GroupMetrics &g : report.groups) {
        if (!attribute.isEmpty() && g.attribute != attribute)
            continue;
        const Audit::VerdictState s = g.states[p];
        const Stats::Interval ci = g.disparityCi[p];
        const QString interval = std::isfinite(ci.low)
            ? QObject::tr(", 95% interval %1–%2").arg(ci.low, 0, 'f', 3).arg(ci.high, 0, 'f', 3)
            : QString();
        if (s == Audit::VerdictState::Fail || s == Audit::VerdictState::NotSignificant)
            lines << QObject::tr("%1 %2 = %3: disparity %4%5 against %6, q = %7 (%8)")
                         .arg(s == Audit::VerdictState::Fail ? QStringLiteral("✗") : QStringLiteral("~"), g.attribute, g.value)
                         .arg(g.disparities[p], 0, 'f', 3)
                         .arg(interval, g.references[p], Audit::pValueText(g.qValues[p]),
                              Audit::biasMetricFormula(g, metric).text);
        else if (s == Audit::VerdictState::Insufficient && g.value != g.references[p])
            lines << QObject::tr("? %1 = %2: insufficient data (%3)").arg(g.attribute, g.value, g.notes[p]);
    }
    return lines.join(QLatin1Char('\n'));
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
    , m_verdictMode(new QComboBox(this))
    , m_minGroup(new QSpinBox(this))
    , m_metric(new QComboBox(this))
    , m_verdicts(new QTableWidget(this))
    , m_chartView(new QChartView(this))
    , m_message(new QLabel(this))
    , m_summary(new QTextBrowser(this))
    , m_intervention(new QComboBox(this))
    , m_concern(new QComboBox(this))
    , m_advice(new QLabel(this))
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
    m_verdictMode->addItem(tr("Evidence"), int(Audit::VerdictMode::Evidence));
    m_verdictMode->addItem(tr("Aequitas (plain)"), int(Audit::VerdictMode::Aequitas));
    m_verdictMode->setToolTip(tr("Evidence: outside the band fails only when the difference from the reference is "
                                 "significant (Benjamini–Hochberg q ≤ 0.05), and small groups are insufficient data. "
                                 "Aequitas (plain): outside the band fails, whatever the group's size."));
    m_minGroup->setRange(0, 1000000);
    m_minGroup->setPrefix(tr("judge n ≥ "));
    m_minGroup->setToolTip(tr("Groups with fewer rows get no verdict (insufficient data) and cannot be the reference."));
    for (Audit::BiasMetric m : Audit::kBiasMetrics)
        m_metric->addItem(metricTitle(Audit::biasMetricName(m)), int(m));
    m_metric->setCurrentIndex(int(Audit::BiasMetric::Fpr));
    m_metric->setToolTip(tr("The metric whose disparities the chart shows."));
    m_attribute->setToolTip(tr("The protected attribute to show."));

    m_intervention->addItem(tr("Punitive"), int(Audit::Intervention::Punitive));
    m_intervention->addItem(tr("Assistive"), int(Audit::Intervention::Assistive));
    m_intervention->setToolTip(tr("Does being selected by the model hurt people (punitive: an audit, a denial) or help "
                                  "them (assistive: a benefit, an outreach)?"));
    for (Audit::Concern c : {Audit::Concern::Everyone, Audit::Concern::Selected, Audit::Concern::InNeed})
        m_concern->addItem(QString(), int(c));
    m_concern->setCurrentIndex(2);
    m_concern->setToolTip(tr("Whose fairness matters most: everyone, the people the model's decision falls on, or the "
                             "people grouped by their true outcome."));
    m_advice->setWordWrap(true);
    m_advice->setTextFormat(Qt::PlainText);
    m_summary->setReadOnly(true);
    m_summary->setOpenLinks(false);
    m_summary->setMinimumHeight(4 * fontMetrics().lineSpacing() + 12);
    m_summary->setToolTip(tr("What the verdicts say, in words: each group's failing parities and by how much."));

    connect(m_attribute, &QComboBox::currentIndexChanged, this, &BiasTab::refresh);
    connect(m_intervention, &QComboBox::currentIndexChanged, this, &BiasTab::applyAdvice);
    connect(m_concern, &QComboBox::currentIndexChanged, this, &BiasTab::applyAdvice);
    connect(m_metric, &QComboBox::currentIndexChanged, this, &BiasTab::rebuildChart);
    for (QComboBox *box : {m_attribute, m_metric, m_intervention, m_concern})
        connect(box, &QComboBox::currentIndexChanged, this, &BiasTab::viewStateChanged);
    connect(m_table->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this, &BiasTab::viewStateChanged);
    connect(m_method, &QComboBox::activated, this, &BiasTab::applyOptions);
    connect(m_reference, &QComboBox::activated, this, &BiasTab::applyOptions);
    connect(m_tau, &QDoubleSpinBox::editingFinished, this, &BiasTab::applyOptions);
    connect(m_verdictMode, &QComboBox::activated, this, &BiasTab::applyOptions);
    connect(m_minGroup, &QSpinBox::editingFinished, this, &BiasTab::applyOptions);

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Attribute"), this));
    controls->addWidget(m_attribute);
    controls->addWidget(new QLabel(tr("Reference"), this));
    controls->addWidget(m_method);
    controls->addWidget(m_reference);
    controls->addWidget(new QLabel(tr("Tolerance τ"), this));
    controls->addWidget(m_tau);
    controls->addWidget(new QLabel(tr("Verdicts"), this));
    controls->addWidget(m_verdictMode);
    controls->addWidget(m_minGroup);
    controls->addWidget(new QLabel(tr("Chart"), this));
    controls->addWidget(m_metric);
    controls->addStretch();
    auto *mitigate = new QPushButton(tr("Mitigate…"), this);
    mitigate->setToolTip(tr("Group thresholds that meet a fairness constraint, with the accuracy–fairness trade-off "
                            "and every metric before and after."));
    connect(mitigate, &QPushButton::clicked, this, [this] {
        MitigationDialog *dialog = mitigationDialog();
        dialog->show();
        dialog->raise();
        dialog->activateWindow();
    });
    controls->addWidget(mitigate);

    auto *advice = new QHBoxLayout;
    auto *question = new QLabel(tr("<b>Which parity matters?</b> The intervention is"), this);
    advice->addWidget(question);
    advice->addWidget(m_intervention);
    advice->addWidget(new QLabel(tr("and the concern is fairness to"), this));
    advice->addWidget(m_concern);
    advice->addWidget(m_advice, 1);

    m_verdicts->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_verdicts->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    m_verdicts->setMinimumWidth(300);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumSize(380, 260);
    m_message->setWordWrap(true);

    auto *upper = new QSplitter(Qt::Horizontal, this);
    upper->addWidget(m_chartView);
    upper->addWidget(m_verdicts);
    upper->setStretchFactor(0, 3);
    upper->setStretchFactor(1, 2);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(upper);
    splitter->addWidget(m_summary);
    splitter->addWidget(m_table);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 2);
    splitter->setStretchFactor(2, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addLayout(advice);
    layout->addWidget(m_message);
    layout->addWidget(splitter, 1);

    connect(session, &ProjectSession::resultsChanged, this, &BiasTab::refresh);
    refresh();
    applyAdvice();
}

void BiasTab::applyAdvice()
{
    const auto intervention = Audit::Intervention(m_intervention->currentData().toInt());
    const bool punitive = intervention == Audit::Intervention::Punitive;
    m_concern->setItemText(0, tr("everyone"));
    m_concern->setItemText(1, punitive ? tr("those the model selects") : tr("those the model passes over"));
    m_concern->setItemText(2, punitive ? tr("those not warranting it") : tr("those in need"));
    const Audit::ParityAdvice advice = fairnessTree(intervention, Audit::Concern(m_concern->currentData().toInt()));
    QStringList names;
    m_advised.clear();
    for (Audit::Parity p : advice.parities) {
        names << Audit::parityName(p);
        m_advised << Audit::parityName(p);
    }
    m_advice->setText(tr("→ look at %1 (marked ▶).").arg(names.join(tr(" and "))));
    m_advice->setToolTip(advice.explanation);
    m_adviceText = advice.explanation;
    m_model->setHighlightedMetrics(advice.metrics);
    markAdvisedRows();
    updateSummary();
    if (!advice.metrics.empty())
        m_metric->setCurrentIndex(m_metric->findData(int(advice.metrics.front())));
}

void BiasTab::updateSummary()
{
    const Audit::AuditResults *r = m_session->project().scored ? m_session->results() : nullptr;
    const std::shared_ptr<const Audit::BiasReport> report = r ? r->bias : nullptr;
    QString html;
    if (!m_adviceText.isEmpty())
        html += tr("<p><i>Which parity matters: %1</i></p>").arg(m_adviceText.toHtmlEscaped());
    if (report) {
        for (const Audit::AttributeSummary &s : Audit::biasSummary(*report)) {
            if (s.attribute != m_attribute->currentText())
                continue;
            html += tr("<p><b>%1</b> (reference %2, parity needs a disparity of %3 to %4)</p>")
                        .arg(s.attribute.toHtmlEscaped(),
                             report->options.method == Audit::ReferenceMethod::MinMetric
                                 ? tr("per metric, the group with the smallest value")
                                 : s.reference.toHtmlEscaped())
                        .arg(s.tau, 0, 'f', 2)
                        .arg(1 / s.tau, 0, 'f', 2);
            for (const Audit::GroupSummary &g : s.groups)
                html += QStringLiteral("<p>%1 %2</p>").arg(g.failed.empty() ? tr("✓") : tr("✗"), g.text.toHtmlEscaped());
        }
    }
    m_summary->setHtml(html);
}

void BiasTab::markAdvisedRows()
{
    for (int row = 0; row < m_verdicts->rowCount(); ++row) {
        const QString name = Audit::parityName(Audit::Parity(row));
        const bool advised = m_advised.contains(name);
        auto *item = new QTableWidgetItem(advised ? tr("▶ %1").arg(name) : name);
        QFont font = m_verdicts->font();
        font.setBold(advised);
        item->setFont(font);
        if (advised)
            item->setToolTip(tr("The parity the fairness tree names for your intervention and concern."));
        m_verdicts->setVerticalHeaderItem(row, item);
    }
}

void BiasTab::applyOptions()
{
    Audit::BiasOptions options = m_session->biasOptions();
    options.method = Audit::ReferenceMethod(m_method->currentData().toInt());
    options.tau = m_tau->value();
    options.verdicts = Audit::VerdictMode(m_verdictMode->currentData().toInt());
    options.minGroupSize = m_minGroup->value();
    m_minGroup->setEnabled(options.verdicts == Audit::VerdictMode::Evidence);
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
        const QSignalBlocker b4(m_verdictMode);
        const QSignalBlocker b5(m_minGroup);
        m_verdictMode->setCurrentIndex(m_verdictMode->findData(int(options.verdicts)));
        m_minGroup->setValue(options.minGroupSize);
        m_minGroup->setEnabled(options.verdicts == Audit::VerdictMode::Evidence);
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
    m_verdicts->setRowCount(0); // no report: no grid, not a stale one with numbered headers
    m_verdicts->setColumnCount(0);
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
            for (std::size_t a = 0; a < report->attributes.size(); ++a) {
                const Audit::AttributeVerdict &av = report->attributes[a];
                setVerdictCell(m_verdicts, int(p), int(a), av.states[p], verdictTooltip(*report, av.attribute, p, av.states[p]));
            }
            setVerdictCell(m_verdicts, int(p), int(report->attributes.size()), report->overallStates[p],
                           verdictTooltip(*report, QString(), p, report->overallStates[p]));
        }
        markAdvisedRows();
        m_verdicts->resizeColumnsToContents();
    }
    updateSummary();
    m_table->resizeColumnsToContents();
    rebuildChart();
    if (report && !m_pendingView.isEmpty()) {
        const QJsonObject view = std::exchange(m_pendingView, {});
        applyViewState(view);
    }
}

void BiasTab::rebuildChart()
{
    const Audit::BiasMetric metric = Audit::BiasMetric(m_metric->currentData().toInt());
    std::vector<const Audit::GroupMetrics *> groups;
    for (int row = 0; row < m_model->rowCount(); ++row)
        groups.push_back(m_model->group(row));
    BiasChart chart = makeBiasChart(groups, metric, m_session->biasOptions().tau, m_attribute->currentText(),
                                    palette().color(QPalette::Text), palette().color(QPalette::Base));
    m_failing = chart.failing;
    m_groups = chart.groups;
    replaceChart(m_chartView, chart.chart, palette());
}

void BiasTab::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        rebuildChart();
}

QJsonObject BiasTab::viewState() const
{
    return QJsonObject{{QStringLiteral("attribute"), m_attribute->currentText()},
                       {QStringLiteral("metric"), m_metric->currentText()},
                       {QStringLiteral("intervention"), m_intervention->currentText()},
                       {QStringLiteral("concern"), m_concern->currentText()},
                       {QStringLiteral("sort"), sortState(m_table)}};
}

void BiasTab::restoreViewState(const QJsonObject &state)
{
    // As the Slices tab: applied to the report on show, else once this session's report is.
    const Audit::AuditResults *r = m_session->results();
    if (m_model->report() && r && r->bias.get() == m_model->report())
        applyViewState(state);
    else
        m_pendingView = state;
}

void BiasTab::applyViewState(const QJsonObject &state)
{
    QStringList skipped;
    const auto check = [&](const char *member, bool applied) {
        if (!applied && state.contains(QLatin1String(member)))
            skipped << QLatin1String(member);
    };
    check("attribute", restoreComboText(m_attribute, state.value(QStringLiteral("attribute"))));
    check("metric", restoreComboText(m_metric, state.value(QStringLiteral("metric"))));
    check("intervention", restoreComboText(m_intervention, state.value(QStringLiteral("intervention"))));
    check("concern", restoreComboText(m_concern, state.value(QStringLiteral("concern"))));
    check("sort", restoreSort(m_table, state.value(QStringLiteral("sort"))));
    if (!skipped.isEmpty())
        Q_EMIT viewStateSkipped(skipped);
}

MitigationDialog *BiasTab::mitigationDialog()
{
    if (!m_mitigation)
        m_mitigation = new MitigationDialog(m_session, this);
    return m_mitigation;
}

} // namespace Ui
