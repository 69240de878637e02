#pragma once

#include <QWidget>

#include "params.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace Ui {

class ProjectSession;

// Learner and hyper-parameters (seeded from the project's params.yaml), a Train button, a
// progress bar and Cancel. The new model replaces the current one only when training ends.
class TrainTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrainTab)

public:
    explicit TrainTab(ProjectSession *session, QWidget *parent = nullptr);

    Audit::TrainParams params() const; // what the form says
    QPushButton *trainButton() const { return m_train; }
    QPushButton *cancelButton() const { return m_cancel; }
    QComboBox *learnerBox() const { return m_learner; }
    QComboBox *calibrationBox() const { return m_calibration; }

Q_SIGNALS:
    void saveModelRequested();

private:
    void loadParams(const Audit::TrainParams &params);
    Audit::TrainParams formParams() const; // the widgets' values, rounded and clamped as they show them
    void updateButtons();

    ProjectSession *m_session;
    Audit::TrainParams m_base; // as loaded, exact
    Audit::TrainParams m_shown; // formParams() right after loading
    QComboBox *m_learner;
    QStackedWidget *m_pages;
    QSpinBox *m_seed;
    QCheckBox *m_tune;
    QDoubleSpinBox *m_threshold;
    QDoubleSpinBox *m_c;
    QSpinBox *m_iterations;
    QDoubleSpinBox *m_svmC;
    QSpinBox *m_trees;
    QSpinBox *m_minLeaf;
    QDoubleSpinBox *m_featureFraction;
    QSpinBox *m_hidden1;
    QSpinBox *m_hidden2;
    QSpinBox *m_epochs;
    QSpinBox *m_batch;
    QDoubleSpinBox *m_learningRate;
    QSpinBox *m_rounds; // xgboost
    QDoubleSpinBox *m_eta;
    QSpinBox *m_maxDepth;
    QSpinBox *m_earlyStopping;
    QComboBox *m_calibration;
    QPushButton *m_train;
    QPushButton *m_cancel;
    QPushButton *m_save;
    QProgressBar *m_progress;
    QLabel *m_result;
};

} // namespace Ui
