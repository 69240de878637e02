#include "auditcheck.h"

#include <QDir>
#include <QFileInfo>

#include "auditerror.h"
#include "modelcard.h"
#include "project.h"
#include "schemaerror.h"
#include "versionaudit.h"
#include "versions.h"

namespace Audit {

CardFacts cardFacts(const ModelCard &card, const QString &cardPath, const QString &modelMd5, const QString &dataMd5)
{
    CardFacts facts;
    facts.path = cardPath;
    facts.exists = true;
    facts.stale = card.isStale(modelMd5, dataMd5);
    for (const CardField &field : ModelCard::fields()) {
        const auto it = card.prose.find(QString::fromLatin1(field.key));
        if (it == card.prose.end() || it->second.trimmed().isEmpty())
            facts.emptyFields << QString::fromLatin1(field.key);
    }
    return facts;
}

CardFacts cardFacts(const QString &cardPath, const QString &modelMd5, const QString &dataMd5)
{
    CardFacts facts;
    facts.path = cardPath;
    if (!QFileInfo::exists(cardPath))
        return facts;
    try {
        return cardFacts(ModelCard::load(cardPath), cardPath, modelMd5, dataMd5);
    } catch (const AuditError &e) {
        facts.exists = true;
        facts.problem = e.message();
    }
    return facts;
}

RegressionFacts regressionFacts(const QString &projectDir, const QString &rev, const QString &modelPath, const QString &dataPath,
                                const AuditResults &current)
{
    RegressionFacts facts;
    facts.against = rev;
    try {
        const VersionStore store(projectDir);
        const VersionAudit before = auditVersion(store, rev, modelPath, dataPath);
        const VersionAudit now = auditVersion(store, kWorkspace, modelPath, dataPath);
        const VersionDiff diff = diffAudits(before, now);
        const VersionDiff::SliceCounts counts = diff.sliceCounts();
        facts.worseSlices = counts.worse;
        facts.testedSlices = counts.tested;
        const BinaryMetrics &a = before.results.metrics;
        const BinaryMetrics &b = current.metrics;
        facts.metrics = {{QStringLiteral("precision"), {a.precision, b.precision}},
                         {QStringLiteral("recall"), {a.recall, b.recall}},
                         {QStringLiteral("f1"), {a.f1, b.f1}},
                         {QStringLiteral("accuracy"), {a.accuracy, b.accuracy}},
                         {QStringLiteral("roc_auc"), {a.rocAuc, b.rocAuc}},
                         {QStringLiteral("pr_auc"), {a.prAuc, b.prAuc}},
                         {QStringLiteral("log_loss"), {a.logLoss, b.logLoss}},
                         {QStringLiteral("brier"), {a.brier, b.brier}}};
    } catch (const AuditError &e) {
        facts.problem = QStringLiteral("version %1 could not be audited: %2").arg(rev, e.message());
    }
    return facts;
}

CheckRun runAuditCheck(const CheckRequest &request, const Progress &progress)
{
    const Project project = Project::open(request.projectDir);
    const QString policyPath = request.policyPath.isEmpty() ? project.path(QStringLiteral("audit.yaml")) : request.policyPath;
    const AuditPolicy policy = AuditPolicy::load(policyPath);
    AuditRequest audit;
    audit.source.modelPath = request.modelPath.isEmpty() ? project.modelPath() : request.modelPath;
    audit.source.dataPath = request.dataPath.isEmpty() ? project.auditDataPath() : request.dataPath;
    audit.threshold = request.threshold;
    if (request.against.isNull() == false && request.against.trimmed().isEmpty())
        throw UsageError(QStringLiteral("--against: an empty revision; give one (HEAD~1, a tag) or leave it out"));
    CheckRun run;
    run.audit = auditDataset(audit, progress);
    // A parity rule about an attribute the audit does not cover is a mistake in the policy (a
    // typo would otherwise fail, or only warn, forever).
    QStringList audited;
    if (run.audit.results.bias)
        for (const AttributeVerdict &a : run.audit.results.bias->attributes)
            audited << a.attribute;
    for (std::size_t i = 0; i < policy.rules.size(); ++i) {
        const PolicyRule &r = policy.rules[i];
        if (r.kind == PolicyRule::Kind::Parity && !audited.contains(r.attribute))
            throw SchemaError(
                QStringLiteral("%1:%2: rules[%3].parity.attribute: \"%4\" is not an audited attribute (the "
                               "schema's protected attributes: %5)")
                    .arg(policyPath)
                    .arg(r.attributeLine)
                    .arg(i)
                    .arg(r.attribute, audited.isEmpty() ? QStringLiteral("none") : audited.join(QStringLiteral(", "))));
    }
    const QString cardPath = request.cardPath.isEmpty() ? project.cardPath() : request.cardPath;
    const CardFacts card = cardFacts(cardPath, run.audit.model->md5(), run.audit.data->md5);
    std::optional<RegressionFacts> regression;
    if (!request.against.isEmpty()) {
        const QDir dir(project.dir());
        regression = regressionFacts(project.dir(), request.against, dir.relativeFilePath(audit.source.modelPath),
                                     audit.source.dataPath, run.audit.results);
        if (!regression->problem.isEmpty()) // the revision cannot be compared: bad input, not a failed rule
            throw UsageError(QStringLiteral("--against %1: %2").arg(request.against, regression->problem));
    }
    run.verdict = evaluatePolicy(policy, run.audit.results, &card, regression ? &*regression : nullptr);
    // Reports name files as the project does (relative), so they are the same bytes wherever
    // the project sits (the dvc.lock records them).
    const QDir dir(project.dir());
    run.verdict.policyPath = dir.relativeFilePath(QFileInfo(policyPath).absoluteFilePath());
    run.verdict.source = dir.relativeFilePath(QFileInfo(audit.source.dataPath).absoluteFilePath());
    for (RuleResult &r : run.verdict.results)
        r.measured.replace(cardPath, dir.relativeFilePath(QFileInfo(cardPath).absoluteFilePath()));
    return run;
}

} // namespace Audit
