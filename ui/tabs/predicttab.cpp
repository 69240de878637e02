#include "predicttab.h"

#include <cmath>

#include <QSpinBox>

#include <QCheckBox>

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QScrollArea>
#include <QVBoxLayout>
#include <QValueAxis>

#include "model.h"
#include "okabeito.h"
#include "projectsession.h"
#include "serverpanel.h"
#include "viewutil.h"

namespace Ui {

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

    auto *right = new QVBoxLayout;
    right->addLayout(rowPicker);
    right->addWidget(m_result);
    auto *whatIfRow = new QHBoxLayout;
    whatIfRow->addWidget(new QLabel(tr("What changes the answer:"), this));
    whatIfRow->addWidget(m_whatIf, 1);
    right->addLayout(whatIfRow);
    right->addWidget(m_chartView, 1);
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

void PredictTab::updateRows()
{
    const LoadedProject &p = m_session->project();
    m_rows.clear();
    if (p.scored && p.data && p.scored->labels.size() == p.data->rowCount()) {
        const std::vector<std::uint8_t> outcomes = p.scored->outcomes(m_session->threshold());
        for (std::size_t i = 0; i < outcomes.size(); ++i) {
            // 1 fp, 2 fn: the wrong ones
            if (!m_misclassified->isChecked() || outcomes[i] == 1 || outcomes[i] == 2)
                m_rows.push_back(i);
        }
    }
    const QSignalBlocker blocker(m_row);
    m_row->setEnabled(!m_rows.empty());
    m_row->setRange(m_rows.empty() ? 0 : 1, int(m_rows.size()));
    m_row->setSuffix(tr(" of %L1").arg(m_rows.size()));
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
    if (!model || !p.data || at < 0 || std::size_t(at) >= m_rows.size()
        || p.data->columns.size() != model->encoder().columns().size()) {
        m_rowInfo->clear();
        return;
    }
    const std::size_t row = m_rows[std::size_t(at)];
    const Audit::Record r = Audit::recordFromDataset(*p.data, row);
    for (std::size_t c = 0; c < m_fields.size(); ++c) {
        const QSignalBlocker blocker(m_fields[c]);
        if (auto *spin = qobject_cast<QDoubleSpinBox *>(m_fields[c]))
            spin->setValue(r.numbers[c]);
        else if (auto *combo = qobject_cast<QComboBox *>(m_fields[c]))
            combo->setCurrentText(QString::fromStdString(r.texts[c]));
    }
    const Audit::Schema &schema = model->schema();
    QString info = tr("data row %L1").arg(row + 1);
    if (p.scored && row < p.scored->labels.size()) {
        const bool label = p.scored->labels[row] != 0;
        const bool predicted = p.scored->scores[row] >= m_session->threshold();
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
            box->setRange(column.minimum, column.maximum);
            box->setDecimals(column.spec.type == Audit::ColumnType::Integer ? 0 : 3);
            box->setValue(example ? example->numbers[c] : column.mean);
            box->setToolTip(tr("Between %1 and %2 in training.").arg(column.minimum).arg(column.maximum));
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
    if (!m_rows.empty())
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
            record.numbers[c] = spin->value();
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
        const double threshold = m_session->threshold();
        const Audit::Record r = record();
        const Audit::Prediction prediction = Audit::predictRecord(*model, r);
        const bool positive = prediction.probability >= threshold;
        const QString label = positive ? model->schema().positiveLabel() : model->schema().negativeLabel();
        // The server and the CLI decide at the model's own threshold: say so when it differs.
        const double stored = model->threshold();
        const QString storedNote = threshold == stored
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
            const std::vector<Audit::WhatIfPoint> points = Audit::whatIf(*model, r, std::size_t(feature));
            auto *set = new QBarSet(tr("P(%1)").arg(model->schema().positiveLabel()));
            QStringList categories;
            // The record's own value: its category, or the nearest step of a number.
            const bool numeric = model->encoder().columns()[std::size_t(feature)].spec.isNumeric();
            m_currentBar = -1;
            double nearest = INFINITY;
            for (std::size_t i = 0; i < points.size(); ++i) {
                const Audit::WhatIfPoint &p = points[i];
                *set << p.probability;
                categories << p.value.toHtmlEscaped(); // axis labels are rich text
                const double distance = numeric ? std::abs(p.number - r.numbers[std::size_t(feature)])
                                                : (p.value.toStdString() == r.texts[std::size_t(feature)] ? 0.0 : INFINITY);
                if (distance < nearest) {
                    nearest = distance;
                    m_currentBar = int(i);
                }
            }
            set->setSelectedColor(Audit::OkabeIto::kHighlight); // Okabe–Ito orange: this record
            if (m_currentBar >= 0)
                set->selectBar(m_currentBar);
            auto *series = new QBarSeries;
            series->append(set);
            const BarAxes axes = addBarAxes(chart, series, categories, tr("P(%1)").arg(model->schema().positiveLabel()));
            addLevelLine(chart, axes, categories.size(), threshold, QPen(Audit::OkabeIto::kReference, 2, Qt::DashLine));
            chart->setTitle(tr("Probability as %1 varies (dashed: threshold; orange: this record's value)")
                                .arg(m_whatIf->currentText().toHtmlEscaped()));
        }
    }
    replaceChart(m_chartView, chart, palette());
}

} // namespace Ui
