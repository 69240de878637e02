#pragma once

#include <vector>

#include <QWidget>

#include "prediction.h"
#include "record.h"

class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;

namespace Ui {

class ProjectSession;
class ServerPanel;

// A form generated from the model's schema (known categories in drop-downs, numbers within
// the training range), the prediction with its probability at the current threshold, and
// "what changes the answer": one field varied across its values.
class PredictTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PredictTab)

public:
    explicit PredictTab(ProjectSession *session, QWidget *parent = nullptr);

    Audit::Record record() const; // what the form says
    QString resultText() const;
    QComboBox *whatIfBox() const { return m_whatIf; }
    QChartView *chartView() const { return m_chartView; }
    QWidget *field(const QString &name) const;
    ServerPanel *server() const { return m_server; }

private:
    void rebuildForm();
    void predict();

    ProjectSession *m_session;
    QFormLayout *m_form;
    QWidget *m_formHost;
    std::vector<QWidget *> m_fields; // by schema feature: QComboBox or QDoubleSpinBox
    QLabel *m_result;
    QComboBox *m_whatIf;
    QChartView *m_chartView;
    const void *m_formFor = nullptr; // the model the form was built for
    ServerPanel *m_server;
};

} // namespace Ui
