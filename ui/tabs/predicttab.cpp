#include "predicttab.h"

#include <cmath>

#include "waterfallwidget.h"

#include <cmath>
#include <limits>

#include <QSpinBox>

#include <QCheckBox>

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include "auditerror.h"
#include "influencetablemodel.h"
#include "model.h"
#include "okabeito.h"
#include "projectsession.h"
#include "serverpanel.h"
#include "viewutil.h"

namespace Ui {

namespace {

// A number into a form field; NaN (missing) is the field's special "missing" value.
void setNumber(QDoubleSpinBox *box, double value)
{
    box->setValue(std::isnan(value) ? box->minimum() : value);
}

} // namespace

namespace {

constexpr int kRankingDelayMs = 150; // coalesces typing in the form
const QColor &kFlip = Audit::OkabeIto::kBlue;

} // namespace

PredictTab::PredictTab(ProjectSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_form(nullptr)
    , m_formHost(new QWidget(this))
    , m_result(new QLabel(this))
    , m_whatIf(new QComboBox(this))
    , m_chartView(new QChartView(this))
    , m_server(new ServerPanel(session, this))
    , m_row(new QSpinBox(this))
    , m_misclassified(new QCheckBox(tr("Misclassified only"), this))
    , m_rowInfo(new QLabel(this))
    , m_flipText(new QLabel(this))
    , m_rankingNote(new QLabel(this))
    , m_influence(new InfluenceTableModel(this))
    , m_waterfall(new WaterfallWidget(this))
    , m_counterfactuals(new QLabel(this))
    , m_whyTabs(new QTabWidget(this))
    , m_influenceProxy(new QSortFilterProxyModel(this))
    , m_ranking(new ReportTableView(this))
{
    m_form = new QFormLayout(m_formHost);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_formHost);
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(340);

    QFont big = m_result->font();
    big.setPointSizeF(big.pointSizeF() * 1.5);
    m_result->setFont(big);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_whatIf->setToolTip(tr("Vary this field across its values, keeping the others, and see the probability."));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumSize(380, 300);
    connect(m_whatIf, &QComboBox::currentIndexChanged, this, &PredictTab::predict);
    connect(m_whatIf, &QComboBox::currentIndexChanged, this, &PredictTab::selectRankingRow);

    m_row->setPrefix(tr("row "));
    m_row->setToolTip(tr("Fill the form from a row of the audit data (1 = the first)."));
    m_misclassified->setToolTip(tr("Walk only the rows the model gets wrong at the working threshold."));
    m_rowInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(m_row, &QSpinBox::valueChanged, this, &PredictTab::loadRow);
    connect(m_misclassified, &QCheckBox::toggled, this, [this] {
        updateRows();
        loadRow();
    });
    auto *rowPicker = new QHBoxLayout;
    rowPicker->addWidget(new QLabel(tr("From the data:"), this));
    rowPicker->addWidget(m_row);
    rowPicker->addWidget(m_misclassified);
    rowPicker->addWidget(m_rowInfo, 1);

    m_flipText->setTextFormat(Qt::PlainText); // category and column names are data
    m_flipText->setWordWrap(true);
    m_flipText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_rankingNote->setWordWrap(true);
    m_rankingNote->setTextFormat(Qt::PlainText);
    m_influenceProxy->setSourceModel(m_influence);
    m_influenceProxy->setSortRole(InfluenceTableModel::RawValueRole);
    m_ranking->setObjectName(QStringLiteral("featureRanking"));
    m_ranking->setModel(m_influenceProxy);
    m_ranking->setSelectionMode(QAbstractItemView::SingleSelection);
    m_ranking->verticalHeader()->hide();
    m_ranking->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // core's order until a header is clicked
    m_ranking->setToolTip(tr("Each feature swept across its values with the rest of the record kept. Click a row to see "
                             "it in the chart; click a header to sort."));
    connect(m_ranking->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        if (current.isValid())
            m_whatIf->setCurrentIndex(current.data(InfluenceTableModel::FeatureIndexRole).toInt());
    });
    m_rankTimer.setSingleShot(true);
    m_rankTimer.setInterval(kRankingDelayMs);
    connect(&m_rankTimer, &QTimer::timeout, this, &PredictTab::startRanking);
    connect(&m_rankWatcher, &QFutureWatcherBase::finished, this, &PredictTab::showRanking);

    auto *chartBox = new QWidget(this);
    auto *chartLayout = new QVBoxLayout(chartBox);
    chartLayout->setContentsMargins(0, 0, 0, 0);
    chartLayout->addWidget(m_chartView, 1);
    chartLayout->addWidget(m_flipText);
    auto *rankingBox = new QWidget(this);
    auto *rankingLayout = new QVBoxLayout(rankingBox);
    rankingLayout->setContentsMargins(0, 0, 0, 0);
    rankingLayout->addWidget(m_rankingNote);
    rankingLayout->addWidget(m_ranking, 1);
    m_counterfactuals->setObjectName(QStringLiteral("counterfactuals"));
    m_counterfactuals->setTextFormat(Qt::PlainText); // column and category names are data
    m_counterfactuals->setWordWrap(true);
    m_counterfactuals->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_counterfactuals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_counterfactuals->setMargin(6);
    m_waterfall->clear(tr("Attributions appear here."));
    m_whyTabs->setObjectName(QStringLiteral("whyTabs"));
    m_whyTabs->addTab(m_waterfall, tr("Attributions"));
    m_whyTabs->addTab(rankingBox, tr("Influence"));
    m_whyTabs->addTab(m_counterfactuals, tr("Counterfactuals"));
    m_whyTabs->setTabToolTip(0,
                             tr("Shapley values: how much each column moves this prediction from the model's "
                                "average (base); they add up to the output."));
    m_whyTabs->setTabToolTip(1, tr("Each feature swept across its values with the rest of the record kept."));
    m_whyTabs->setTabToolTip(2,
                             tr("The nearest changes of the columns the schema marks actionable that give the "
                                "other decision at the working threshold."));
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(chartBox);
    split->addWidget(m_whyTabs);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    m_whyTabs->setMinimumWidth(430); // the ranking's five columns without a scroll bar at 1280×800

    auto *right = new QVBoxLayout;
    right->addLayout(rowPicker);
    right->addWidget(m_result);
    auto *whatIfRow = new QHBoxLayout;
    whatIfRow->addWidget(new QLabel(tr("What changes the answer:"), this));
    whatIfRow->addWidget(m_whatIf, 1);
    right->addLayout(whatIfRow);
    right->addWidget(split, 1);
    right->addWidget(m_server);
    auto *layout = new QHBoxLayout(this);
    layout->addWidget(scroll);
    layout->addLayout(right, 1);

    connect(session, &ProjectSession::projectLoaded, this, &PredictTab::rebuildForm);
    connect(session, &ProjectSession::resultsChanged, this, [this] {
        if (m_misclassified->isChecked()) // which rows are wrong depends on the threshold
            updateRows();
        predict();
    });
    rebuildForm();
}

PredictTab::~PredictTab()
{
    m_rankWatcher.cancel();
    m_rankWatcher.waitForFinished();
}

void PredictTab::updateRows()
{
    const LoadedProject &p = m_session->project();
    m_rows.clear();
    m_rowCount = 0;
    if (p.scored && p.data && p.scored->labels.size() == p.data->rowCount()) {
        if (!m_misclassified->isChecked()) {
            m_rowCount = p.data->rowCount(); // every row, in order: no list to build
        } else {
            const double t = m_session->threshold();
            for (std::size_t i = 0; i < p.scored->labels.size(); ++i) {
                if ((p.scored->decisionScores()[i] >= t) != (p.scored->labels[i] != 0)) // a false positive or negative
                    m_rows.push_back(i);
            }
            m_rowCount = m_rows.size();
        }
    }
    const QSignalBlocker blocker(m_row);
    m_row->setEnabled(m_rowCount > 0);
    m_row->setRange(m_rowCount == 0 ? 0 : 1, int(m_rowCount));
    m_row->setSuffix(tr(" of %L1").arg(m_rowCount));
}

QString PredictTab::rowText() const
{
    return m_rowInfo->text();
}

void PredictTab::loadRow()
{
    const LoadedProject &p = m_session->project();
    const Audit::Model *model = p.model.get();
    const int at = m_row->value() - 1;
    if (!model || !p.data || at < 0 || std::size_t(at) >= m_rowCount
        || p.data->columns.size() != model->encoder().columns().size()) {
        m_rowInfo->clear();
        return;
    }
    const std::size_t row = m_rows.empty() ? std::size_t(at) : m_rows[std::size_t(at)];
    const Audit::Record r = Audit::recordFromDataset(*p.data, row);
    for (std::size_t c = 0; c < m_fields.size(); ++c) {
        const QSignalBlocker blocker(m_fields[c]);
        if (auto *spin = qobject_cast<QDoubleSpinBox *>(m_fields[c]))
            setNumber(spin, r.numbers[c]);
        else if (auto *combo = qobject_cast<QComboBox *>(m_fields[c]))
            combo->setCurrentText(QString::fromStdString(r.texts[c]));
    }
    const Audit::Schema &schema = model->schema();
    QString info = tr("data row %L1").arg(row + 1);
    if (p.scored && row < p.scored->labels.size()) {
        const bool label = p.scored->labels[row] != 0;
        const bool predicted = p.scored->decisionScores()[row] >= m_session->threshold();
        info += tr(": labelled %1, scored %2 → %3")
                    .arg(label ? schema.positiveLabel() : schema.negativeLabel())
                    .arg(p.scored->scores[row], 0, 'f', 3)
                    .arg(predicted == label ? tr("right") : tr("<b>wrong</b>"));
    }
    m_rowInfo->setText(info);
    predict();
}

QWidget *PredictTab::field(const QString &name) const
{
    const Audit::Model *model = m_session->project().model.get();
    if (!model)
        return nullptr;
    const int index = model->schema().featureIndex(name);
    return index >= 0 && std::size_t(index) < m_fields.size() ? m_fields[std::size_t(index)] : nullptr;
}

void PredictTab::rebuildForm()
{
    const LoadedProject &p = m_session->project();
    const Audit::Model *model = p.model.get();
    if (model == m_formFor)
        return;
    m_formFor = model;
    // A copy made here, before any worker runs, so the ranking never shares the GUI's learner.
    m_workerModel = model ? std::make_shared<const Audit::Model>(*model) : nullptr;
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    m_fields.clear();
    {
        const QSignalBlocker blocker(m_whatIf);
        m_whatIf->clear();
    }
    if (!model) {
        m_result->setText(tr("No model: open a project with one, or train one."));
        predict();
        return;
    }
    // Start from a real row of the audit data when there is one.
    std::optional<Audit::Record> example;
    if (p.data && p.data->rowCount() > 0 && p.data->columns.size() == model->encoder().columns().size())
        example = Audit::recordFromDataset(*p.data, 0);
    const auto &columns = model->encoder().columns();
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const Audit::FeatureEncoder::Column &column = columns[c];
        QWidget *field = nullptr;
        if (column.spec.isNumeric()) {
            auto *box = new QDoubleSpinBox(m_formHost);
            // One step below the training minimum stands for a missing number (the model reads
            // it as the training median), shown as "missing".
            box->setRange(column.minimum - 1, column.maximum);
            box->setSpecialValueText(tr("missing"));
            box->setDecimals(column.spec.type == Audit::ColumnType::Integer ? 0 : 3);
            setNumber(box, example ? example->numbers[c] : column.mean);
            box->setToolTip(tr("Between %1 and %2 in training; below that: missing (read as the median %3).")
                                .arg(column.minimum)
                                .arg(column.maximum)
                                .arg(column.median));
            connect(box, &QDoubleSpinBox::valueChanged, this, &PredictTab::predict);
            field = box;
        } else {
            auto *box = new QComboBox(m_formHost);
            for (const std::string &category : column.categories)
                box->addItem(QString::fromStdString(category));
            if (example)
                box->setCurrentText(QString::fromStdString(example->texts[c]));
            box->setToolTip(tr("%1 categories seen in training.").arg(column.categories.size()));
            connect(box, &QComboBox::currentIndexChanged, this, &PredictTab::predict);
            field = box;
        }
        field->setObjectName(column.spec.name);
        m_form->addRow(column.spec.name, field);
        m_fields.push_back(field);
        m_whatIf->addItem(column.spec.name);
    }
    updateRows();
    if (m_rowCount > 0)
        loadRow(); // the first row, and what the picker says of it
    else
        predict();
}

Audit::Record PredictTab::record() const
{
    Audit::Record record;
    record.numbers.resize(m_fields.size());
    record.texts.resize(m_fields.size());
    for (std::size_t c = 0; c < m_fields.size(); ++c) {
        if (auto *spin = qobject_cast<QDoubleSpinBox *>(m_fields[c]))
            record.numbers[c] = spin->value() == spin->minimum() ? std::numeric_limits<double>::quiet_NaN() : spin->value();
        else if (auto *combo = qobject_cast<QComboBox *>(m_fields[c]))
            record.texts[c] = combo->currentText().toStdString();
    }
    return record;
}

QString PredictTab::resultText() const
{
    return m_result->text();
}

void PredictTab::predict()
{
    const Audit::Model *model = m_session->project().model.get();
    auto *chart = new QChart;
    chart->legend()->hide();
    // While the form is being built, fields are still missing: nothing to predict yet.
    if (model && !m_fields.empty() && m_fields.size() == model->encoder().columns().size()) {
        const Audit::Record r = record();
        const Audit::Prediction prediction = Audit::predictRecord(*model, r);
        // With group thresholds the working threshold is the model's (the slider is locked) and
        // the record meets its group's.
        const bool byGroup = model->groupThresholds().active();
        const double threshold = byGroup ? prediction.threshold : m_session->threshold();
        const bool positive = prediction.probability >= threshold;
        const QString label = positive ? model->schema().positiveLabel() : model->schema().negativeLabel();
        // The server and the CLI decide at the model's own threshold: say so when it differs.
        const double stored = byGroup ? prediction.threshold : model->threshold();
        const QString storedNote = byGroup
            ? tr("the threshold of its %1 group, which the local server uses too").arg(model->groupThresholds().attribute)
            : threshold == stored
            ? tr("the model's own")
            : tr("working; at the model's own %1, which the local server uses, it is %2")
                  .arg(stored, 0, 'f', 4)
                  .arg((prediction.probability >= stored ? model->schema().positiveLabel() : model->schema().negativeLabel())
                           .toHtmlEscaped());
        m_result->setText(tr("<b>%1</b> = %2 &nbsp; (probability of %3: %4, threshold %5: %6)")
                              .arg(model->schema().labelColumn().toHtmlEscaped(), label.toHtmlEscaped(),
                                   model->schema().positiveLabel().toHtmlEscaped())
                              .arg(prediction.probability, 0, 'f', 3)
                              .arg(threshold, 0, 'f', 4)
                              .arg(storedNote)
                          + (prediction.warnings.isEmpty()
                                 ? QString()
                                 : QStringLiteral("<br><small>%1</small>")
                                       .arg(prediction.warnings.join(QStringLiteral("<br>")).toHtmlEscaped())));

        const int feature = m_whatIf->currentIndex();
        if (feature >= 0) {
            const LoadedProject &p = m_session->project();
            m_sweep = Audit::sweepFeature(*model, r, std::size_t(feature), threshold, p.data.get());
            auto *set = new QBarSet(tr("P(%1)").arg(model->schema().positiveLabel()));
            QStringList categories;
            for (const Audit::WhatIfPoint &point : m_sweep.points) {
                *set << point.probability;
                categories << point.value.toHtmlEscaped(); // axis labels are rich text
            }
            m_currentBar = m_sweep.current;
            // As many slanted labels as the chart has room for (the record's value and the
            // bars beside each flip always named); hovering a bar names its value.
            const QStringList values = categories;
            QList<int> keep{m_currentBar};
            for (const Audit::WhatIfFlip &flip : m_sweep.flips)
                keep << int(flip.after) << int(flip.after) + 1;
            const int room = std::max(4, (m_chartView->width() - 120) / (fontMetrics().height() * 2));
            categories = thinnedLabels(categories, room, keep);
            connect(set, &QBarSet::hovered, this, [this, values, set](bool over, int index) {
                if (over && index >= 0 && index < values.size())
                    QToolTip::showText(QCursor::pos(),
                                       tr("%1 = %2: P = %3")
                                           .arg(m_whatIf->currentText().toHtmlEscaped(), values[index])
                                           .arg(set->at(index), 0, 'f', 3));
                else
                    QToolTip::hideText();
            });
            set->setSelectedColor(Audit::OkabeIto::kHighlight); // Okabe–Ito orange: this record
            if (m_currentBar >= 0)
                set->selectBar(m_currentBar);
            auto *series = new QBarSeries;
            series->append(set);
            const BarAxes axes = addBarAxes(chart, series, categories, tr("P(%1)").arg(model->schema().positiveLabel()));
            addLevelLine(chart, axes, categories.size(), threshold, QPen(Audit::OkabeIto::kReference, 2, Qt::DashLine));
            // A flip lies between two bars: a dotted line there, from the bottom to the top.
            for (const Audit::WhatIfFlip &flip : m_sweep.flips) {
                auto *line = new QLineSeries;
                line->setName(tr("flip"));
                const double x = double(flip.after) + 0.5;
                *line << QPointF(x, 0) << QPointF(x, 1);
                line->setPen(QPen(kFlip, 2, Qt::DotLine));
                chart->addSeries(line);
                line->attachAxis(axes.x);
                line->attachAxis(axes.y);
            }
            const QString name = m_whatIf->currentText().toHtmlEscaped();
            const QString over = !m_sweep.numeric ? tr("every category")
                : m_sweep.fromData                ? tr("%1–%2 quantiles in %3")
                                         .arg(tr("%1%").arg(Audit::SweepOptions::kLowQuantile * 100),
                                              tr("%1%").arg(Audit::SweepOptions::kHighQuantile * 100),
                                              QFileInfo(p.dataPath).fileName().toHtmlEscaped())
                                   : tr("training range");
            // Two short lines: a QChart title is elided, not wrapped, when it is wider than the chart.
            chart->setTitle(tr("%1 varied over its %2<br><small>dashed: threshold · orange: this record%3</small>")
                                .arg(name, over, m_sweep.flips.empty() ? QString() : tr(" · dotted blue: the answer flips")));
            const QString flips = Audit::describeFlips(m_sweep, model->schema());
            m_flipText->setText(flips.isEmpty() ? QString() : tr("%1: %2").arg(m_whatIf->currentText(), flips));
        }
    }
    if (!model || m_fields.empty()) {
        m_sweep = {};
        m_currentBar = -1;
        m_flipText->clear();
    }
    scheduleRanking();
    replaceChart(m_chartView, chart, palette());
}

} // namespace Ui

namespace Ui {

QString PredictTab::flipText() const
{
    return m_flipText->text();
}

QTableView *PredictTab::rankingView() const
{
    return m_ranking;
}

bool PredictTab::isRanking() const
{
    return m_shownGeneration != m_rankGeneration; // until showRanking has put the current one on screen
}

void PredictTab::selectRankingRow()
{
    // Its currentRowChanged charts the feature already shown: nothing more happens.
    for (int row = 0; row < m_influenceProxy->rowCount(); ++row) {
        const QModelIndex index = m_influenceProxy->index(row, 0);
        if (index.data(InfluenceTableModel::FeatureIndexRole).toInt() == m_whatIf->currentIndex())
            m_ranking->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
}

void PredictTab::scheduleRanking()
{
    const LoadedProject &p = m_session->project();
    const bool ready = p.model && m_fields.size() == p.model->encoder().columns().size();
    const Audit::Record r = ready ? record() : Audit::Record{};
    auto key = std::make_tuple(r.numbers, r.texts, m_session->threshold(), static_cast<const void *>(p.model.get()),
                               static_cast<const void *>(p.data.get()));
    if (m_rankedFor == key)
        return; // only the charted feature changed
    m_rankedFor = std::move(key);
    ++m_rankGeneration; // a ranking still running is for the old form: its result is dropped
    m_rankWatcher.cancel();
    m_rankTimer.start();
}

void PredictTab::startRanking()
{
    const LoadedProject &p = m_session->project();
    const Audit::Model *model = p.model.get();
    if (m_rankWatcher.isRunning())
        return; // showRanking starts the current one when the old one stops
    if (!model || !m_workerModel || m_fields.size() != model->encoder().columns().size()) {
        m_influence->setRanking(nullptr, QString());
        m_rankingNote->setText(tr("No model: nothing to rank."));
        m_shownGeneration = m_rankGeneration;
        Q_EMIT rankingShown();
        return;
    }
    m_rankingNote->setText(tr("Ranking the features…"));
    const int generation = m_rankGeneration;
    const double threshold = m_session->threshold();
    m_rankWatcher.setFuture(QtConcurrent::run(
        [generation, threshold, record = record(), model = m_workerModel, data = p.data](QPromise<Ranking> &promise) {
            Ranking ranking;
            ranking.generation = generation;
            Audit::Progress progress;
            progress.isCancelled = [&promise] { return promise.isCanceled(); };
            try {
                ranking.features = std::make_shared<const std::vector<Audit::FeatureInfluence>>(
                    Audit::rankFeatures(*model, record, threshold, data.get(), {}, progress));
                try { // attributions and counterfactuals: the ranking stands without them
                    const Audit::Explainer explainer(*model);
                    Audit::ExplainOptions options;
                    options.space = explainer.exact() ? explainer.nativeSpace() : Audit::OutputSpace::Probability;
                    std::vector<float> row(std::size_t(model->encoder().width()));
                    model->encoder().encodeRow(record.numbers, record.texts, row.data());
                    ranking.explanation = explainer.explain(row.data(), options);
                    ranking.method = explainer.method(options);
                    ranking.columns = explainer.columns();
                    progress.checkCancelled();
                    ranking.counterfactuals = Audit::findCounterfactuals(*model, record, threshold, data.get());
                } catch (const Audit::CancelledError &) {
                    throw;
                } catch (const std::exception &e) {
                    ranking.explainError = QString::fromLocal8Bit(e.what());
                }
            } catch (const Audit::CancelledError &) {
                return;
            } catch (const Audit::AuditError &e) {
                ranking.error = e.message();
            } catch (const std::exception &e) {
                ranking.error = QString::fromLocal8Bit(e.what());
            }
            promise.addResult(ranking);
        }));
}

void PredictTab::showRanking()
{
    const QFuture<Ranking> future = m_rankWatcher.future();
    if (future.isCanceled() || future.resultCount() == 0 || future.result().generation != m_rankGeneration) {
        if (!m_rankTimer.isActive())
            startRanking(); // the form changed while it ran and the timer already fired
        return;
    }
    const Ranking ranking = future.result();
    const Audit::Model *model = m_session->project().model.get();
    if (!ranking.error.isEmpty() || !model) {
        m_influence->setRanking(nullptr, QString());
        m_rankingNote->setText(ranking.error);
        m_shownGeneration = ranking.generation;
        Q_EMIT rankingShown();
        return;
    }
    m_influence->setRanking(ranking.features, model->schema().positiveLabel());
    m_ranking->resizeColumnsToContents();
    showExplanation(ranking);
    const LoadedProject &p = m_session->project();
    m_rankingNote->setText(tr("How much each feature moves this prediction (threshold %1, %2). Click a row to chart it.")
                               .arg(m_session->threshold(), 0, 'f', 4)
                               .arg(p.data ? tr("numbers over their quantiles in %1").arg(QFileInfo(p.dataPath).fileName())
                                           : tr("numbers over their training range")));
    selectRankingRow();
    m_shownGeneration = ranking.generation;
    Q_EMIT rankingShown();
}

void PredictTab::showExplanation(const Ranking &ranking)
{
    const Audit::Model *model = m_session->project().model.get();
    if (!ranking.explanation || !model) {
        m_waterfall->clear(ranking.explainError.isEmpty() ? tr("No attributions.") : ranking.explainError);
        m_counterfactuals->setText(ranking.explainError);
        return;
    }
    const Audit::Explanation &e = *ranking.explanation;
    const Audit::Record shown = record();
    std::vector<WaterfallWidget::Bar> bars;
    for (std::size_t c = 0; c < e.values.size(); ++c) {
        const Audit::FeatureEncoder::Column &column = model->encoder().columns()[c];
        const QString value = column.spec.isNumeric()
            ? (std::isnan(shown.numbers[c]) ? tr("missing") : QString::number(shown.numbers[c], 'g', 8))
            : QString::fromStdString(shown.texts[c]);
        bars.push_back({QStringLiteral("%1 = %2").arg(ranking.columns.value(qsizetype(c)), value), e.values[c],
                        e.standardErrors.empty() ? 0.0 : e.standardErrors[c]});
    }
    m_waterfall->setExplanation(
        e.base, e.output, std::move(bars), Audit::enumName(e.space),
        tr("%1 — P(%2) %3").arg(ranking.method, model->schema().positiveLabel()).arg(e.probability, 0, 'f', 4));
    QStringList lines;
    if (ranking.counterfactuals) {
        const Audit::CounterfactualSearch &search = *ranking.counterfactuals;
        lines << tr("Decision now: %1 (P %2, threshold %3). Changes of %4 that give the other decision:")
                     .arg(search.positive ? model->schema().positiveLabel() : model->schema().negativeLabel())
                     .arg(search.probability, 0, 'f', 4)
                     .arg(search.threshold, 0, 'f', 4)
                     .arg(search.actionable.isEmpty() ? tr("no column") : search.actionable.join(QStringLiteral(", ")));
        for (const Audit::Counterfactual &a : search.answers) {
            QStringList changes;
            for (const Audit::CounterfactualChange &c : a.changes)
                changes << tr("%1: %2 → %3").arg(c.column, c.from, c.to);
            lines << tr("• %1 — P %2 (cost %3)")
                         .arg(changes.join(QStringLiteral("; ")))
                         .arg(a.probability, 0, 'f', 4)
                         .arg(a.cost, 0, 'f', 2);
        }
        if (search.answers.empty())
            lines << search.note;
        lines << tr("Cost: numbers in training standard deviations, a category change counts 1. Protected attributes "
                    "are never changed.");
    }
    m_counterfactuals->setText(lines.join(QLatin1Char('\n')));
}

QString PredictTab::counterfactualText() const
{
    return m_counterfactuals->text();
}

} // namespace Ui
