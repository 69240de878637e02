#pragma once

#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#include <QFutureWatcher>
#include <QTimer>
#include <QWidget>

#include "counterfactuals.h"
#include "explainer.h"
#include "featureinfluence.h"
#include "prediction.h"
#include "record.h"
#include "whatifsweep.h"

class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QCheckBox;
class QLabel;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;
class QTabWidget;

namespace Ui {

class ProjectSession;
class InfluenceTableModel;
class ReportTableView;
class ServerPanel;
class WaterfallWidget;

// A form generated from the model's schema (known categories in drop-downs, numbers within
// the training range), the prediction with its probability at the current threshold, and
// "what changes the answer": one field varied across its values (a number over its quantiles
// in the audit data, with the points where the answer flips marked and said in words), and
// every feature ranked by how much it moves this prediction (computed off the GUI thread;
// clicking a row shows that feature in the chart).
class PredictTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PredictTab)

public:
    explicit PredictTab(ProjectSession *session, QWidget *parent = nullptr);
    ~PredictTab() override;

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
    const Audit::WhatIfSweep &whatIfSweep() const { return m_sweep; } // the one the chart shows
    QString flipText() const; // the chart's flips in words
    QTableView *rankingView() const;
    InfluenceTableModel *influenceModel() const { return m_influence; }
    bool isRanking() const; // a ranking is scheduled or running for what the form says
    WaterfallWidget *waterfall() const { return m_waterfall; }
    QString counterfactualText() const;
    QTabWidget *whyTabs() const { return m_whyTabs; }

Q_SIGNALS:
    void rankingShown(); // the ranking for the current form, threshold and data is on screen

private:
    void rebuildForm();
    void predict();
    void updateRows(); // the rows the picker walks: all, or the misclassified at the working threshold
    void loadRow();
    void scheduleRanking(); // coalesced: the form may change per keystroke
    void startRanking();
    void showRanking();
    void selectRankingRow(); // the charted feature's

    struct Ranking
    {
        std::shared_ptr<const std::vector<Audit::FeatureInfluence>> features;
        std::optional<Audit::Explanation> explanation; // in log-odds when exact there, else probability
        QString method;
        QStringList columns;
        std::optional<Audit::CounterfactualSearch> counterfactuals;
        QString explainError;
        QString error;
        int generation = 0;
    };
    void showExplanation(const Ranking &ranking);

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
    std::vector<std::size_t> m_rows; // data rows the picker walks; empty: every row, in order
    std::size_t m_rowCount = 0; // rows the picker walks
    int m_currentBar = -1;
    Audit::WhatIfSweep m_sweep;
    QLabel *m_flipText;
    QLabel *m_rankingNote;
    InfluenceTableModel *m_influence;
    QSortFilterProxyModel *m_influenceProxy;
    ReportTableView *m_ranking;
    WaterfallWidget *m_waterfall;
    QLabel *m_counterfactuals;
    QTabWidget *m_whyTabs;
    QTimer m_rankTimer;
    QFutureWatcher<Ranking> m_rankWatcher;
    std::shared_ptr<const Audit::Model> m_workerModel; // the ranking's own copy (an MLP is not thread-safe)
    int m_rankGeneration = 0; // bumped when the form, threshold, data or model changes
    int m_shownGeneration = -1; // the generation of the ranking on screen
    // What the last ranking was scheduled for: record, threshold, model, data.
    std::optional<std::tuple<std::vector<double>, std::vector<std::string>, double, const void *, const void *>> m_rankedFor;
};

} // namespace Ui
