#include "projectsession.h"

#include <QScopeGuard>

#include <QThread>

#include <QTimer>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QtConcurrent>

#include "auditerror.h"
#include "mitigationrun.h"
#include "prediction.h"
#include "project.h"
#include "thresholdsave.h"
#include "trainer.h"
#include "whatifsweep.h"

namespace Ui {

namespace {

using namespace Audit;

template <typename T>
Progress progressOf(QPromise<T> &promise)
{
    Progress progress;
    progress.report = [&promise](int done, int total, const QString &stage) {
        promise.setProgressRange(0, total);
        promise.setProgressValueAndText(done, stage);
    };
    progress.isCancelled = [&promise] { return promise.isCanceled(); };
    return progress;
}

} // namespace

ProjectSession::ProjectSession(QObject *parent)
    : QObject(parent)
{
    m_sliceOptions.cross = 2;
}

ProjectSession::~ProjectSession()
{
    // Let running work finish before the watchers (children) go; workers hold no pointer to us.
    if (m_job) {
        m_job->cancel();
        m_job->waitForFinished();
    }
    if (m_audit)
        m_audit->waitForFinished();
    if (m_importanceJob) {
        m_importanceJob->cancel();
        m_importanceJob->waitForFinished();
    }
}

void ProjectSession::startImportance(bool asked)
{
    m_importance.reset();
    m_importanceProblem.clear();
    m_importanceDeferred = false;
    Q_EMIT importanceChanged();
    if (m_importanceJob) { // its result is for the old project: dropped when it lands
        m_importanceJob->cancel();
        m_importanceJob->disconnect(this);
        QFutureWatcher<ImportanceOutcome> *old = m_importanceJob;
        connect(old, &QFutureWatcherBase::finished, old, &QObject::deleteLater);
        m_importanceJob = nullptr;
    }
    const std::shared_ptr<const Audit::Model> model = m_project.model;
    const std::shared_ptr<const Audit::Dataset> data = m_project.data;
    if (!model || !data || !data->hasLabels())
        return;
    if (!asked && data->rowCount() > m_autoImportanceRows) {
        m_importanceDeferred = true;
        Q_EMIT importanceChanged();
        return;
    }
    m_importanceJob = new QFutureWatcher<ImportanceOutcome>(this);
    connect(m_importanceJob, &QFutureWatcherBase::finished, this, [this] {
        QFutureWatcher<ImportanceOutcome> *job = m_importanceJob;
        m_importanceJob = nullptr;
        job->deleteLater();
        if (job->future().resultCount() == 0)
            return;
        const ImportanceOutcome outcome = job->future().result();
        if (outcome.model != m_project.model.get() || outcome.data != m_project.data.get())
            return;
        m_importance = outcome.report;
        m_importanceProblem = outcome.problem;
        Q_EMIT importanceChanged();
    });
    // Its own copy of the model: an MLP is not thread-safe, and the audit scores with the shared one.
    m_importanceJob->setFuture(QtConcurrent::run(
        [model = std::make_shared<const Audit::Model>(*model), shared = model, data](QPromise<ImportanceOutcome> &promise) {
            ImportanceOutcome outcome;
            outcome.model = shared.get();
            outcome.data = data.get();
            const Audit::ImportanceRequest request = Audit::standardImportanceRequest(model->schema());
            Audit::Progress progress;
            progress.isCancelled = [&promise] { return promise.isCanceled(); };
            // Seconds of work nobody waits for: at idle priority (SCHED_IDLE on Linux, inherited by
            // the threads it starts), so audits at a new threshold keep the cores meanwhile.
            QThread::currentThread()->setPriority(QThread::IdlePriority);
            const auto restore = qScopeGuard([] { QThread::currentThread()->setPriority(QThread::NormalPriority); });
            try {
                outcome.report = std::make_shared<const Audit::ImportanceReport>(
                    Audit::importanceReport(*model, *data, request, progress));
            } catch (const Audit::CancelledError &) {
                return;
            } catch (const std::exception &e) {
                outcome.problem = QString::fromLocal8Bit(e.what());
            }
            promise.addResult(outcome);
        }));
}

bool ProjectSession::isBusy() const
{
    return m_busy;
}

void ProjectSession::setBusy(bool busy)
{
    if (busy == m_busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

void ProjectSession::startJob(std::function<Outcome(QPromise<Outcome> &)> job, bool training)
{
    if (m_job) {
        Q_EMIT errorOccurred(tr("Another task is still running; wait for it or cancel it first."));
        return;
    }
    m_training = training;
    m_job = new QFutureWatcher<Outcome>(this);
    connect(m_job, &QFutureWatcher<Outcome>::progressValueChanged, this,
            [this](int value) { Q_EMIT progressChanged(value, m_job->progressMaximum(), m_job->progressText()); });
    connect(m_job, &QFutureWatcher<Outcome>::finished, this, &ProjectSession::finishJob);
    setBusy(true);
    m_job->setFuture(QtConcurrent::run([job = std::move(job)](QPromise<Outcome> &promise) {
        Outcome outcome;
        try {
            outcome = job(promise);
        } catch (const CancelledError &) {
            outcome.cancelled = true;
            outcome.error = tr("Cancelled; nothing was changed.");
        } catch (const AuditError &e) {
            outcome.error = e.message();
        } catch (const std::exception &e) {
            outcome.error = tr("Internal error: %1").arg(QString::fromLocal8Bit(e.what()));
        }
        promise.addResult(std::move(outcome));
    }));
}

namespace {
constexpr int kYieldMs = 15;
} // namespace

void ProjectSession::finishJob()
{
    QFutureWatcher<Outcome> *job = m_job;
    m_job = nullptr;
    const bool training = m_training;
    m_training = false;
    job->deleteLater();
    const QFuture<Outcome> future = job->future();
    Outcome outcome = future.resultCount() > 0 ? future.result() : Outcome{};
    if (future.resultCount() == 0) {
        outcome.cancelled = true;
        outcome.error = tr("Cancelled; nothing was changed.");
    }

    if (outcome.project) {
        m_project = std::move(*outcome.project);
        if (outcome.bias)
            m_biasOptions = *outcome.bias;
        if (m_project.scored)
            m_threshold = m_project.scored->threshold;
        m_results = std::move(outcome.results);
        Q_EMIT projectLoaded();
        startImportance();
    }
    // The views of the results redraw a moment later (kYieldMs), after the layout and paint of
    // the new project and after any input that came meanwhile: a million-row project then holds
    // the window twice briefly (36 and 52 ms) instead of once for the sum (87-95 ms). A zero
    // timer is not enough: it runs before the input and timers already waiting. Busy until then.
    const auto finish = [this, loaded = outcome.project.has_value(), notice = outcome.notice, error = outcome.error, training] {
        if (loaded)
            Q_EMIT resultsChanged();
        if (!notice.isEmpty())
            Q_EMIT noticeOccurred(notice);
        if (training)
            Q_EMIT trainingFinished(error.isEmpty(), error);
        else if (!error.isEmpty())
            Q_EMIT errorOccurred(error);
        setBusy(m_job != nullptr || m_audit != nullptr);
        if (m_auditPending && !m_audit && !m_job)
            startAudit();
    };
    if (outcome.project)
        QTimer::singleShot(kYieldMs, Qt::PreciseTimer, this, finish);
    else
        finish();
}

ProjectSession::Outcome ProjectSession::loadProject(const QString &dir, const AuditRequest &request, const BiasRequest &carried,
                                                    const Progress &progress)
{
    progress.step(0, 4, tr("Reading params and schema"));
    const Project project = Project::open(dir);
    LoadedProject p;
    p.dir = project.dir();
    p.paramsPath = project.paramsPath();
    p.params = project.params();
    p.schema = std::make_shared<const Schema>(project.loadSchema());
    progress.step(1, 4, tr("Loading the model"));
    p.modelPath = project.modelPath();
    try {
        p.model = std::make_shared<const Model>(Model::load(p.modelPath));
    } catch (const AuditError &e) {
        p.modelProblem = e.message();
    }
    progress.checkCancelled();
    progress.step(2, 4, tr("Reading the audit data"));
    p.dataPath = project.auditDataPath();
    LoadReport report = CsvReader::read(p.dataPath, *p.schema);
    p.rejected = report.rejected;
    p.data = std::make_shared<const Dataset>(std::move(report.data));
    p.summary = p.data->summarize();
    Audit::prepareSweeps(*p.data); // the Predict tab's what-if sweeps, off the GUI thread
    progress.checkCancelled();
    Outcome outcome;
    outcome.bias = resolveBiasOptions(carried, p.schema.get());
    if (p.model) {
        progress.step(3, 4, tr("Scoring and auditing"));
        p.scored = std::make_shared<const ScoredData>(scoreDataset(*p.model, *p.data));
        outcome.results = auditScored(*p.scored, request, *outcome.bias);
    }
    progress.step(4, 4, tr("Done"));
    outcome.project = std::move(p);
    return outcome;
}

BiasRequest ProjectSession::carriedBias() const
{
    // What the user chose that holds for any data: tolerance and how verdicts are decided. The
    // attributes and references come from the new data's schema.
    BiasRequest request;
    request.tau = m_biasOptions.tau;
    request.verdicts = m_biasOptions.verdicts;
    request.minGroupSize = m_biasOptions.minGroupSize;
    request.minEvents = m_biasOptions.minEvents;
    request.alpha = m_biasOptions.alpha;
    return request;
}

void ProjectSession::openProject(const QString &dir)
{
    const AuditRequest request = auditRequest();
    const BiasRequest carried = carriedBias();
    startJob(
        [dir, request, carried](QPromise<Outcome> &promise) { return loadProject(dir, request, carried, progressOf(promise)); },
        false);
}

bool ProjectSession::canSaveThreshold() const
{
    return m_project.model && !m_project.dir.isEmpty()
        && QFileInfo::exists(QDir(m_project.dir).filePath(QStringLiteral("dvc.yaml")));
}

double ProjectSession::modelThreshold() const
{
    return m_project.scored ? m_project.scored->threshold : m_threshold;
}

void ProjectSession::saveThresholdToModel()
{
    const QString dir = m_project.dir;
    const double threshold = m_threshold;
    const AuditRequest request = auditRequest();
    const BiasRequest carried = carriedBias();
    const QString toolDir = QCoreApplication::applicationDirPath();
    startJob(
        [dir, threshold, request, carried, toolDir](QPromise<Outcome> &promise) {
            const Progress progress = progressOf(promise);
            progress.step(0, 4, tr("Saving threshold %1 to params.yaml and running the pipeline").arg(threshold, 0, 'f', 4));
            ReproOptions options;
            options.toolDir = toolDir;
            options.output = [](const QByteArray &, bool) {}; // the stages' own chatter; the result says what ran
            options.log = [&progress](const QString &line) { progress.step(0, 4, line); };
            const ThresholdSave save = Audit::saveThresholdToModel(Project::open(dir), threshold, options);
            if (!save.repro.ok())
                throw IoError(tr("Saving the threshold failed in stage \"%1\": %2. params.yaml is back as it was.")
                                  .arg(save.repro.failedStage, save.repro.failure));
            Outcome outcome = loadProject(dir, request, carried, progress);
            outcome.notice = tr("model.threshold is now %1 in params.yaml (was %2); ran %3; dvc.lock updated.")
                                 .arg(save.written, save.previous.isEmpty() ? tr("unset") : save.previous,
                                      save.repro.ran().isEmpty() ? tr("no stage") : save.repro.ran().join(QStringLiteral(", ")));
            return outcome;
        },
        false);
}

void ProjectSession::saveMitigationToModel(const Audit::MitigationParams &mitigation)
{
    const QString dir = m_project.dir;
    const AuditRequest request = auditRequest();
    const BiasRequest carried = carriedBias();
    const QString toolDir = QCoreApplication::applicationDirPath();
    startJob(
        [dir, mitigation, request, carried, toolDir](QPromise<Outcome> &promise) {
            const Progress progress = progressOf(promise);
            progress.step(0, 4,
                          mitigation.active() ? tr("Saving group thresholds to params.yaml and running the pipeline")
                                              : tr("Taking the group thresholds away and running the pipeline"));
            ReproOptions options;
            options.toolDir = toolDir;
            options.output = [](const QByteArray &, bool) {};
            options.log = [&progress](const QString &line) { progress.step(0, 4, line); };
            const ThresholdSave save = Audit::saveMitigationToModel(Project::open(dir), mitigation, options);
            if (!save.repro.ok())
                throw IoError(tr("Saving the group thresholds failed in stage \"%1\": %2. params.yaml is back as it was.")
                                  .arg(save.repro.failedStage, save.repro.failure));
            Outcome outcome = loadProject(dir, request, carried, progress);
            const QString rule = outcome.project && outcome.project->model && outcome.project->model->groupThresholds().active()
                ? outcome.project->model->groupThresholds().describe()
                : QString();
            outcome.notice = rule.isEmpty()
                ? tr("mitigation.constraint is now none in params.yaml: the model decides with one threshold; ran %1.")
                      .arg(save.repro.ran().isEmpty() ? tr("no stage") : save.repro.ran().join(QStringLiteral(", ")))
                : tr("The model now decides with thresholds %1; ran %2; dvc.lock updated.")
                      .arg(rule, save.repro.ran().isEmpty() ? tr("no stage") : save.repro.ran().join(QStringLiteral(", ")));
            return outcome;
        },
        false);
}

void ProjectSession::openDataset(const QString &csvPath, const QString &schemaPath)
{
    LoadedProject base = m_project;
    const AuditRequest request = auditRequest();
    const BiasRequest carried = carriedBias();
    startJob(
        [base, csvPath, schemaPath, request, carried](QPromise<Outcome> &promise) {
            const Progress progress = progressOf(promise);
            LoadedProject p = base;
            progress.step(0, 3, tr("Reading the schema"));
            p.schema = std::make_shared<const Schema>(Schema::fromYamlFile(schemaPath));
            progress.step(1, 3, tr("Reading %1").arg(QFileInfo(csvPath).fileName()));
            LoadReport report = CsvReader::read(csvPath, *p.schema);
            p.dataPath = csvPath;
            p.rejected = report.rejected;
            p.data = std::make_shared<const Dataset>(std::move(report.data));
            p.summary = p.data->summarize();
            p.scored.reset();
            Outcome outcome;
            outcome.bias = resolveBiasOptions(carried, p.schema.get());
            const bool fits = p.model
                && p.model->schema().toJson().value(QStringLiteral("columns"))
                    == p.schema->toJson().value(QStringLiteral("columns"));
            if (fits) {
                progress.step(2, 3, tr("Scoring and auditing"));
                p.scored = std::make_shared<const ScoredData>(scoreDataset(*p.model, *p.data));
                outcome.results = auditScored(*p.scored, request, *outcome.bias);
            }
            outcome.project = std::move(p);
            return outcome;
        },
        false);
}

void ProjectSession::openScoredCsv(const QString &csvPath, const ScoredCsvOptions &options)
{
    LoadedProject base = m_project;
    const AuditRequest request = auditRequest();
    // The same rule as the CLI's `bias --scores`: no schema, so the named columns with no
    // reference groups, hence the majority reference unless the user picks another.
    BiasRequest carried = carriedBias();
    carried.attributes = options.attributes;
    const BiasOptions bias = resolveBiasOptions(carried, nullptr);
    startJob(
        [base, csvPath, options, request, bias](QPromise<Outcome> &promise) {
            const Progress progress = progressOf(promise);
            LoadedProject p = base;
            progress.step(0, 2, tr("Reading %1").arg(QFileInfo(csvPath).fileName()));
            p.scored = std::make_shared<const ScoredData>(readScoredCsv(csvPath, options));
            p.dataPath = csvPath;
            p.data.reset();
            p.summary.clear();
            p.rejected.clear();
            p.model.reset();
            p.modelProblem = tr("A scored CSV carries its own predictions; no model is used.");
            progress.step(1, 2, tr("Auditing"));
            Outcome outcome;
            outcome.results = auditScored(*p.scored, request, bias);
            outcome.bias = bias;
            outcome.project = std::move(p);
            return outcome;
        },
        false);
}

void ProjectSession::train(const TrainParams &params)
{
    LoadedProject base = m_project;
    const AuditRequest request = auditRequest();
    const BiasOptions bias = m_biasOptions;
    startJob(
        [base, params, request, bias](QPromise<Outcome> &promise) {
            const Progress progress = progressOf(promise);
            if (!base.schema)
                throw IoError(tr("Open a project first: training needs its schema and training data."));
            const QString trainPath = QFileInfo::exists(params.trainPath) ? params.trainPath : base.dataPath;
            progress.step(0, 1000, tr("Reading %1").arg(QFileInfo(trainPath).fileName()));
            const LoadReport train = CsvReader::read(trainPath, *base.schema);
            auto model = std::make_shared<const Model>(trainProjectModel(train.data, params, progress));
            LoadedProject p = base;
            p.model = model;
            p.modelProblem.clear();
            p.params = params;
            Outcome outcome;
            if (p.data) {
                p.scored = std::make_shared<const ScoredData>(scoreDataset(*model, *p.data));
                outcome.results = auditScored(*p.scored, request, bias);
            }
            outcome.project = std::move(p);
            return outcome;
        },
        true);
}

AuditRequest ProjectSession::auditRequest() const
{
    AuditRequest request;
    request.sliceOptions = m_sliceOptions;
    return request;
}

void ProjectSession::cancel()
{
    if (m_job)
        m_job->cancel();
}

void ProjectSession::setThreshold(double threshold)
{
    if (threshold == m_threshold || (decidesByGroup() && threshold != modelThreshold()))
        return;
    m_threshold = threshold;
    startAudit();
}

void ProjectSession::setSliceOptions(const SliceOptions &options)
{
    m_sliceOptions = options;
    startAudit();
}

void ProjectSession::setBiasOptions(const BiasOptions &options)
{
    m_biasOptions = options;
    startAudit();
}

void ProjectSession::startAudit()
{
    if (!m_project.scored)
        return;
    if (m_audit || m_job) {
        m_auditPending = true; // coalesce: one more run with the latest settings afterwards
        return;
    }
    m_auditPending = false;
    m_audit = new QFutureWatcher<AuditResults>(this);
    auto failure = std::make_shared<QString>(); // why the worker kept the previous results
    connect(m_audit, &QFutureWatcher<AuditResults>::finished, this, [this, failure] {
        QFutureWatcher<AuditResults> *watcher = m_audit;
        m_audit = nullptr;
        watcher->deleteLater();
        if (watcher->future().resultCount() > 0) {
            m_results = watcher->future().result();
            Q_EMIT resultsChanged();
        } else if (!failure->isEmpty()) {
            Q_EMIT errorOccurred(tr("%1 The views keep the results from before.").arg(*failure));
        }
        if (m_auditPending)
            startAudit();
        else
            setBusy(m_job != nullptr);
    });
    setBusy(true);
    // The current results belong to the same scored data: reuse their threshold-free parts.
    std::shared_ptr<const AuditResults> previous = m_results ? std::make_shared<const AuditResults>(*m_results) : nullptr;
    AuditRequest request = auditRequest();
    request.threshold = m_threshold;
    m_audit->setFuture(QtConcurrent::run(
        [scored = m_project.scored, request, bias = m_biasOptions, previous, failure](QPromise<AuditResults> &promise) {
            try {
                promise.addResult(auditScored(*scored, request, bias, previous.get()));
            } catch (const AuditError &e) {
                *failure = e.message(); // options the data cannot take (too many slices, say): said, not silent
            }
        }));
}

} // namespace Ui
