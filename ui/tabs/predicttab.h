#pragma once

#include <vector>

#include <QWidget>

#include "prediction.h"
#include "record.h"

class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QCheckBox;
class QLabel;
class QSpinBox;

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
    QSpinBox *rowBox() const { return m_row; }
    QCheckBox *misclassifiedBox() const { return m_misclassified; }
    QString rowText() const; // what the row picker says about the row loaded
    int currentWhatIfBar() const { return m_currentBar; } // the bar of the record's own value, -1: none

private:
    void rebuildForm();
    void predict();
    void updateRows(); // the rows the picker walks: all, or the misclassified at the working threshold
    void loadRow();

    ProjectSession *m_session;
    QFormLayout *m_form;
    QWidget *m_formHost;
    std::vector<QWidget *> m_fields; // by schema feature: QComboBox or QDoubleSpinBox
    QLabel *m_result;
    QComboBox *m_whatIf;
    QChartView *m_chartView;
    const void *m_formFor = nullptr; // the model the form was built for
    ServerPanel *m_server;
    QSpinBox *m_row; // 1-based position in m_rows
    QCheckBox *m_misclassified;
    QLabel *m_rowInfo;
    std::vector<std::size_t> m_rows; // data rows the picker walks
    int m_currentBar = -1;
};

} // namespace Ui
