#include "traintab.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "projectsession.h"

namespace Ui {

namespace {

QSpinBox *spin(int min, int max, QWidget *parent)
{
    auto *box = new QSpinBox(parent);
    box->setRange(min, max);
    return box;
}

QDoubleSpinBox *dspin(double min, double max, int decimals, QWidget *parent)
{
    auto *box = new QDoubleSpinBox(parent);
    box->setRange(min, max);
    box->setDecimals(decimals);
    return box;
}

QWidget *page(QWidget *parent, const QList<QPair<QString, QWidget *>> &rows)
{
    auto *w = new QWidget(parent);
    auto *form = new QFormLayout(w);
    for (const auto &[label, field] : rows)
        form->addRow(label, field);
    return w;
}

} // namespace

TrainTab::TrainTab(ProjectSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_learner(new QComboBox(this))
    , m_pages(new QStackedWidget(this))
    , m_seed(spin(0, 1 << 30, this))
    , m_tune(new QCheckBox(tr("Tune for F1 on training data"), this))
    , m_threshold(dspin(0, 1, 3, this))
    , m_c(dspin(1e-4, 1e4, 4, this))
    , m_iterations(spin(1, 100000, this))
    , m_svmC(dspin(1e-4, 1e4, 4, this))
    , m_trees(spin(1, 2000, this))
    , m_minLeaf(spin(1, 100000, this))
    , m_featureFraction(dspin(0.01, 1, 2, this))
    , m_hidden1(spin(1, 1024, this))
    , m_hidden2(spin(1, 1024, this))
    , m_epochs(spin(1, 1000, this))
    , m_batch(spin(1, 65536, this))
    , m_learningRate(dspin(1e-5, 1, 5, this))
    , m_rounds(spin(1, 100000, this))
    , m_eta(dspin(1e-4, 1, 4, this))
    , m_maxDepth(spin(0, 32, this))
    , m_earlyStopping(spin(0, 100000, this))
    , m_calibration(new QComboBox(this))
    , m_train(new QPushButton(tr("&Train"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_save(new QPushButton(tr("Save Model As…"), this))
    , m_progress(new QProgressBar(this))
    , m_result(new QLabel(this))
{
    // In the order of LearnerKind: the page of each is at the same index.
    for (Audit::LearnerKind kind : {Audit::LearnerKind::Logistic, Audit::LearnerKind::LinearSvm, Audit::LearnerKind::RandomForest,
                                    Audit::LearnerKind::Mlp, Audit::LearnerKind::Xgboost})
        m_learner->addItem(Audit::enumName(kind), int(kind));
    m_learner->setToolTip(tr("The learner to train (dlib's four, or XGBoost's gradient-boosted trees); each outputs the "
                             "probability of the positive class."));
    for (Audit::CalibrationMethod method :
         {Audit::CalibrationMethod::None, Audit::CalibrationMethod::Platt, Audit::CalibrationMethod::Isotonic})
        m_calibration->addItem(Audit::enumName(method), int(method));
    m_calibration->setToolTip(tr("Post-hoc calibration of the scores, fit on held-out training rows after the learner "
                                 "(Platt: a logistic curve on the log-odds; isotonic: a non-decreasing step map). The "
                                 "threshold is tuned on the calibrated scores."));
    m_pages->addWidget(page(this, {{tr("C (inverse regularisation)"), m_c}, {tr("Max iterations"), m_iterations}}));
    m_pages->addWidget(page(this, {{tr("C"), m_svmC}}));
    m_pages->addWidget(
        page(this, {{tr("Trees"), m_trees}, {tr("Min rows per leaf"), m_minLeaf}, {tr("Feature fraction"), m_featureFraction}}));
    m_pages->addWidget(page(this,
                            {{tr("Hidden layer 1"), m_hidden1},
                             {tr("Hidden layer 2"), m_hidden2},
                             {tr("Epochs"), m_epochs},
                             {tr("Batch size"), m_batch},
                             {tr("Learning rate"), m_learningRate}}));
    m_maxDepth->setSpecialValueText(tr("0 (bounded by max leaves)"));
    m_earlyStopping->setSpecialValueText(tr("off"));
    m_pages->addWidget(page(this,
                            {{tr("Max rounds"), m_rounds},
                             {tr("Learning rate (eta)"), m_eta},
                             {tr("Max depth"), m_maxDepth},
                             {tr("Early stopping rounds"), m_earlyStopping}}));
    connect(m_learner, &QComboBox::currentIndexChanged, m_pages, &QStackedWidget::setCurrentIndex);
    connect(m_tune, &QCheckBox::toggled, m_threshold, [this](bool on) { m_threshold->setEnabled(!on); });

    auto *common = new QFormLayout;
    common->addRow(tr("Learner"), m_learner);
    common->addRow(tr("Seed"), m_seed);
    common->addRow(tr("Threshold"), m_tune);
    common->addRow(QString(), m_threshold);
    common->addRow(tr("Calibration"), m_calibration);
    auto *group = new QGroupBox(tr("Hyper-parameters"), this);
    auto *groupLayout = new QVBoxLayout(group);
    groupLayout->addLayout(common);
    groupLayout->addWidget(m_pages);

    m_train->setToolTip(tr("Train on the project's training data (data.train in params.yaml) off the GUI thread."));
    m_cancel->setToolTip(tr("Stop training; the current model stays in place."));
    m_save->setToolTip(tr("Write the current model to a file (atomically)."));
    connect(m_train, &QPushButton::clicked, this, [this] { m_session->train(params()); });
    connect(m_cancel, &QPushButton::clicked, m_session, &ProjectSession::cancel);
    connect(m_save, &QPushButton::clicked, this, &TrainTab::saveModelRequested);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_train);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_progress, 1);
    buttons->addWidget(m_save);

    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(group);
    layout->addLayout(buttons);
    layout->addWidget(m_result);
    layout->addStretch();

    connect(session, &ProjectSession::projectLoaded, this, [this] {
        if (!m_session->isTraining())
            loadParams(m_session->project().params);
    });
    connect(session, &ProjectSession::busyChanged, this, &TrainTab::updateButtons);
    connect(session, &ProjectSession::progressChanged, this, [this](int done, int total, const QString &stage) {
        if (!m_session->isTraining())
            return;
        m_progress->setRange(0, total);
        m_progress->setValue(done);
        m_progress->setFormat(QStringLiteral("%p%  ") + stage);
    });
    connect(session, &ProjectSession::trainingFinished, this, [this](bool ok, const QString &message) {
        const Audit::Model *model = m_session->project().model.get();
        m_result->setText(ok && model ? tr("Trained %1 model %2: threshold %3, validation F1 %4, ROC AUC %5. It is in use "
                                           "now; save it to keep it.")
                                            .arg(Audit::enumName(model->params().kind), model->id())
                                            .arg(model->threshold(), 0, 'f', 4)
                                            .arg(model->training().validationMetrics.f1, 0, 'f', 4)
                                            .arg(model->training().validationMetrics.rocAuc, 0, 'f', 4)
                                      : message);
        m_progress->setValue(ok ? m_progress->maximum() : 0);
        updateButtons();
    });
    loadParams(Audit::TrainParams());
    updateButtons();
}

void TrainTab::loadParams(const Audit::TrainParams &params)
{
    m_base = params;
    const Audit::LearnerParams &l = params.learner;
    m_learner->setCurrentIndex(m_learner->findData(int(l.kind)));
    m_seed->setValue(int(l.seed));
    m_tune->setChecked(params.tuneThreshold);
    m_threshold->setValue(params.threshold);
    m_threshold->setEnabled(!params.tuneThreshold);
    m_c->setValue(l.c);
    m_svmC->setValue(l.c);
    m_iterations->setValue(l.maxIterations);
    m_trees->setValue(l.trees);
    m_minLeaf->setValue(l.minLeaf);
    m_featureFraction->setValue(l.featureFraction);
    m_hidden1->setValue(l.hidden1);
    m_hidden2->setValue(l.hidden2);
    m_epochs->setValue(l.epochs);
    m_batch->setValue(l.batchSize);
    m_learningRate->setValue(l.learningRate);
    m_rounds->setValue(l.rounds);
    m_eta->setValue(l.eta);
    m_maxDepth->setMinimum(l.maxLeaves > 0 ? 0 : 1); // depth 0 needs max_leaves (params.yaml) to bound a tree
    m_maxDepth->setValue(l.maxDepth);
    m_earlyStopping->setValue(l.earlyStoppingRounds);
    m_calibration->setCurrentIndex(m_calibration->findData(int(params.calibration)));
    m_shown = formParams();
}

Audit::TrainParams TrainTab::params() const
{
    // A spin box rounds and clamps what it is given (feature fraction to 2 decimals, threshold
    // to 3, ...). A field still showing what loadParams() put there keeps the exact loaded
    // value, so the tab trains the very model `modelaudit-cli train` trains from params.yaml.
    Audit::TrainParams p = formParams();
    const auto keep = [](auto &value, const auto &shown, const auto &exact) {
        if (value == shown)
            value = exact;
    };
    Audit::LearnerParams &l = p.learner;
    const Audit::LearnerParams &shown = m_shown.learner;
    const Audit::LearnerParams &exact = m_base.learner;
    keep(p.threshold, m_shown.threshold, m_base.threshold);
    keep(l.seed, shown.seed, exact.seed);
    keep(l.c, shown.c, exact.c);
    keep(l.maxIterations, shown.maxIterations, exact.maxIterations);
    keep(l.trees, shown.trees, exact.trees);
    keep(l.minLeaf, shown.minLeaf, exact.minLeaf);
    keep(l.featureFraction, shown.featureFraction, exact.featureFraction);
    keep(l.hidden1, shown.hidden1, exact.hidden1);
    keep(l.hidden2, shown.hidden2, exact.hidden2);
    keep(l.epochs, shown.epochs, exact.epochs);
    keep(l.batchSize, shown.batchSize, exact.batchSize);
    keep(l.learningRate, shown.learningRate, exact.learningRate);
    keep(l.eta, shown.eta, exact.eta);
    return p;
}

Audit::TrainParams TrainTab::formParams() const
{
    Audit::TrainParams p = m_base;
    Audit::LearnerParams &l = p.learner;
    l.kind = Audit::LearnerKind(m_learner->currentData().toInt());
    l.seed = std::uint64_t(m_seed->value());
    p.tuneThreshold = m_tune->isChecked();
    p.threshold = m_threshold->value();
    l.c = l.kind == Audit::LearnerKind::LinearSvm ? m_svmC->value() : m_c->value();
    l.maxIterations = m_iterations->value();
    l.trees = m_trees->value();
    l.minLeaf = m_minLeaf->value();
    l.featureFraction = m_featureFraction->value();
    l.hidden1 = m_hidden1->value();
    l.hidden2 = m_hidden2->value();
    l.epochs = m_epochs->value();
    l.batchSize = m_batch->value();
    l.learningRate = m_learningRate->value();
    l.rounds = m_rounds->value();
    l.eta = m_eta->value();
    l.maxDepth = m_maxDepth->value();
    l.earlyStoppingRounds = m_earlyStopping->value();
    p.calibration = Audit::CalibrationMethod(m_calibration->currentData().toInt());
    return p;
}

void TrainTab::updateButtons()
{
    const bool training = m_session->isTraining();
    m_train->setEnabled(!m_session->isBusy() && m_session->project().schema != nullptr);
    m_cancel->setEnabled(training);
    m_save->setEnabled(!training && m_session->project().model != nullptr);
}

} // namespace Ui
