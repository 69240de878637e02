#pragma once

#include <memory>
#include <optional>

#include <QFutureWatcher>
#include <QObject>

#include "auditdataset.h"
#include "csvreader.h"
#include "explainreport.h"
#include "model.h"
#include "params.h"
#include "progress.h"
#include "scoreddata.h"

namespace Ui {

// What is open: a project's params, schema, model and audit data. Immutable once loaded;
// shared with worker threads through shared_ptr<const>.
struct LoadedProject
{
    QString dir;
    QString paramsPath;
    Audit::TrainParams params;
    std::shared_ptr<const Audit::Schema> schema;
    std::shared_ptr<const Audit::Model> model; // null: no model (yet)
    QString modelPath;
    QString modelProblem; // why there is no model
    std::shared_ptr<const Audit::Dataset> data; // the audit data; null for a scored CSV
    QString dataPath;
    std::vector<Audit::ColumnSummary> summary; // of data, computed off the GUI thread
    QList<Audit::RejectedRow> rejected;
    std::shared_ptr<const Audit::ScoredData> scored; // null when nothing can be scored
};

// The GUI's state and its long work. Every load, audit and training runs on a worker thread
// (QtConcurrent with a QPromise for progress and cancel); results come back as signals.
// A failed load keeps what was open before.
class ProjectSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProjectSession)

public:
    explicit ProjectSession(QObject *parent = nullptr);
    ~ProjectSession() override;

    void openProject(const QString &dir);
    // A labelled CSV with its schema; scored with the current model when its schema matches.
    void openDataset(const QString &csvPath, const QString &schemaPath);
    void openScoredCsv(const QString &csvPath, const Audit::ScoredCsvOptions &options);
    void setThreshold(double threshold); // the working threshold every view audits at
    // Makes the working threshold the model's: model.threshold in params.yaml, the pipeline
    // re-run (dvc.lock kept true), the project reloaded; the server then serves it.
    void saveThresholdToModel();
    // Group thresholds into params.yaml's mitigation section, then the pipeline (constraint
    // "none" takes them away); the project reloads with the model that decides with them.
    void saveMitigationToModel(const Audit::MitigationParams &mitigation);
    bool canSaveThreshold() const; // a model and a dvc.yaml pipeline to keep true
    void setSliceOptions(const Audit::SliceOptions &options);
    void setBiasOptions(const Audit::BiasOptions &options);
    void train(const Audit::TrainParams &params);
    void cancel(); // cancels a running load or training

    bool isBusy() const;
    bool isTraining() const { return m_training; }
    const LoadedProject &project() const { return m_project; }
    const Audit::AuditResults *results() const { return m_results ? &*m_results : nullptr; }
    double threshold() const { return m_threshold; } // working
    double modelThreshold() const; // stored in the model (or given with a scored CSV)
    // The model decides with thresholds by group: the working threshold stays the model's.
    bool decidesByGroup() const { return m_project.scored && !m_project.scored->rowThresholds.empty(); }
    Audit::SliceOptions sliceOptions() const { return m_sliceOptions; }
    Audit::BiasOptions biasOptions() const { return m_biasOptions; }
    // Why the model decides as it does, on the audit data: mean |SHAP| and permutation
    // importance, per group of the protected attributes too. Worked out off the GUI thread
    // after each load (a few seconds on census); null until then, or when there is no model
    // and labelled data. importanceProblem() says why when it could not be made.
    std::shared_ptr<const Audit::ImportanceReport> importance() const { return m_importance; }
    QString importanceProblem() const { return m_importanceProblem; }
    // Above this many rows the importance is not worked out after a load but when asked
    // (requestImportance()): the job would take the cores from the audits of every threshold
    // move (a million rows: 343-356 ms a redraw with it, 122 ms without).
    static constexpr std::size_t kAutoImportanceRows = 200000;
    void setAutoImportanceRows(std::size_t rows) { m_autoImportanceRows = rows; } // for tests
    bool importanceDeferred() const { return m_importanceDeferred; }
    void requestImportance() { startImportance(true); }

Q_SIGNALS:
    void busyChanged(bool busy);
    void progressChanged(int done, int total, const QString &stage);
    void projectLoaded(); // project() changed; resultsChanged() always follows, so views of the results refresh on that alone
    void resultsChanged(); // results() changed
    void errorOccurred(const QString &message);
    void noticeOccurred(const QString &message); // a job's result for a person, not an error
    void trainingFinished(bool success, const QString &message);
    void importanceChanged(); // importance() changed (null while a new one is worked out)

private:
    struct Outcome
    {
        std::optional<LoadedProject> project;
        std::optional<Audit::AuditResults> results;
        QString error;
        bool cancelled = false;
        std::optional<Audit::BiasOptions> bias; // new data: the bias options resolved for it
        QString notice; // what a successful job did, for the status bar
    };

    Audit::BiasRequest carriedBias() const; // the bias settings a new project or dataset keeps
    static Outcome loadProject(const QString &dir, const Audit::AuditRequest &request, const Audit::BiasRequest &carried,
                               const Audit::Progress &progress);

    void startJob(std::function<Outcome(QPromise<Outcome> &)> job, bool training);
    void finishJob();
    void startAudit();
    Audit::AuditRequest auditRequest() const; // the current slice options; threshold and source unset
    void setBusy(bool busy);
    void startImportance(bool asked = false);

    LoadedProject m_project;
    std::optional<Audit::AuditResults> m_results;
    double m_threshold = 0.5;
    Audit::SliceOptions m_sliceOptions;
    Audit::BiasOptions m_biasOptions;

    QFutureWatcher<Outcome> *m_job = nullptr; // load or training
    QFutureWatcher<Audit::AuditResults> *m_audit = nullptr;
    struct ImportanceOutcome
    {
        std::shared_ptr<const Audit::ImportanceReport> report;
        QString problem;
        const void *model = nullptr; // what it was made for
        const void *data = nullptr;
    };
    QFutureWatcher<ImportanceOutcome> *m_importanceJob = nullptr;
    std::shared_ptr<const Audit::ImportanceReport> m_importance;
    QString m_importanceProblem;
    bool m_importanceDeferred = false;
    std::size_t m_autoImportanceRows = kAutoImportanceRows;
    bool m_training = false;
    bool m_auditPending = false; // options or threshold changed while an audit ran
    bool m_busy = false;
};

} // namespace Ui
