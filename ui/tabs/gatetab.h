#pragma once

#include <optional>

#include <QDateTime>
#include <QWidget>

#include "auditpolicy.h"

class QLabel;
class QTableWidget;

namespace Ui {

class ProjectSession;

// The audit gate in one place: the project's audit.yaml evaluated on the working audit, rule by
// rule (status, requirement, the numbers, why), updated live with the threshold, with what
// `modelaudit-cli check` would say overall. The policy and the card are read again when their
// files change; the regression rules need `check --against REV` and show as skipped here.
class GateTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GateTab)

public:
    explicit GateTab(ProjectSession *session, QWidget *parent = nullptr);

    QString summaryText() const;
    QTableWidget *table() const { return m_table; }
    const std::optional<Audit::PolicyVerdict> &verdict() const { return m_verdict; }

protected:
    void showEvent(QShowEvent *event) override; // rows sized once the table has its width

private:
    void refresh();
    void loadPolicy(const QString &path); // when the file's time or size changed

    ProjectSession *m_session;
    QLabel *m_summary;
    QTableWidget *m_table;
    std::optional<Audit::AuditPolicy> m_policy;
    QString m_policyError;
    QString m_policyPath;
    QDateTime m_policyTime;
    qint64 m_policySize = -1;
    std::optional<Audit::CardFacts> m_card;
    QString m_cardKey; // path, time, size and model the facts are for
    std::optional<Audit::PolicyVerdict> m_verdict;
};

} // namespace Ui
