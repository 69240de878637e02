#pragma once

#include <optional>

#include <QString>

#include "auditdataset.h"
#include "auditpolicy.h"
#include "progress.h"

namespace Audit {

class ModelCard;

struct CheckRequest
{
    QString projectDir = QStringLiteral(".");
    QString policyPath; // empty: audit.yaml in the project
    QString modelPath; // empty: the project's model
    QString dataPath; // empty: the project's audit data (data.test)
    QString cardPath; // empty: the project's model_card.md
    QString against; // a revision to compare with (the regression rule); empty: none
    std::optional<double> threshold; // nullopt: the model's
};

struct CheckRun
{
    PolicyVerdict verdict;
    DatasetAudit audit; // what the rules were evaluated on
};

// The card rule's facts: the card exists, is complete (every prose field written) and fresh
// (its numbers come from this model and data file).
CardFacts cardFacts(const QString &cardPath, const QString &modelMd5, const QString &dataMd5);
CardFacts cardFacts(const ModelCard &card, const QString &cardPath, const QString &modelMd5, const QString &dataMd5);

// The regression rule's facts: the model DVC recorded at `rev` and the workspace's, both
// audited on `dataPath`, diffed (slice F1 changes with BH q, overall metrics).
RegressionFacts regressionFacts(const QString &projectDir, const QString &rev, const QString &modelPath, const QString &dataPath,
                                const AuditResults &current);

// `modelaudit-cli check`: audits the model on the data, gathers the card's and the previous
// version's facts and evaluates the policy.
// Throws: SchemaError naming the policy's file, line and key; the audit's errors.
CheckRun runAuditCheck(const CheckRequest &request, const Progress &progress = {});

} // namespace Audit
