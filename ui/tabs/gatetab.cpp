#include "gatetab.h"

#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include "auditcheck.h"
#include "auditerror.h"
#include "okabeito.h"
#include "project.h"
#include "projectsession.h"

namespace Ui {

namespace {

using Status = Audit::RuleResult::Status;

QColor statusColour(Status s)
{
    switch (s) {
    case Status::Pass:
        return Audit::OkabeIto::kBluishGreen;
    case Status::Fail:
        return Audit::OkabeIto::kVermillion;
    case Status::Warn:
        return Audit::OkabeIto::kOrange;
    case Status::Skipped:
        return Audit::OkabeIto::kGrey;
    }
    return {};
}

} // namespace

GateTab::GateTab(ProjectSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_summary(new QLabel(this))
    , m_table(new QTableWidget(0, 5, this))
{
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table->setHorizontalHeaderLabels({tr("Rule"), tr("Status"), tr("Requirement"), tr("Measured"), tr("Why")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Interactive);
    m_table->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(2, 260);
    m_table->setColumnWidth(3, 300);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);
    connect(m_session, &ProjectSession::resultsChanged, this, &GateTab::refresh);
    refresh();
}

void GateTab::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_table->resizeRowsToContents(); // sized while hidden, the rows took the wrap of a narrow table
}

QString GateTab::summaryText() const
{
    return m_summary->text();
}

void GateTab::loadPolicy(const QString &path)
{
    const QFileInfo info(path);
    if (path == m_policyPath && info.exists() && info.lastModified() == m_policyTime && info.size() == m_policySize)
        return;
    m_policyPath = path;
    m_policyTime = info.lastModified();
    m_policySize = info.exists() ? info.size() : -1;
    m_policy.reset();
    m_policyError.clear();
    if (!info.exists())
        return;
    try {
        m_policy = Audit::AuditPolicy::load(path);
        m_policy->path = info.fileName();
    } catch (const Audit::AuditError &e) {
        m_policyError = e.message();
    }
}

void GateTab::refresh()
{
    const LoadedProject &p = m_session->project();
    const Audit::AuditResults *results = m_session->results();
    m_table->setRowCount(0);
    m_verdict.reset();
    if (p.dir.isEmpty() || !results) {
        m_summary->setText(tr("Open a project to see its audit gate."));
        return;
    }
    loadPolicy(QDir(p.dir).filePath(QStringLiteral("audit.yaml")));
    if (!m_policyError.isEmpty()) {
        m_summary->setText(tr("The policy cannot be read: %1").arg(m_policyError.toHtmlEscaped()));
        return;
    }
    if (!m_policy) {
        m_summary->setText(tr("This project has no audit.yaml, so there is no gate: write one (docs/policy.md) with the "
                              "rules the model must meet before it ships; `modelaudit-cli check` and this tab evaluate it."));
        return;
    }
    // The card on disk, as `check` reads it (re-read when it or the model changes).
    const QString cardPath = QDir(p.dir).filePath(QStringLiteral("model_card.md"));
    const QFileInfo card(cardPath);
    const QString modelMd5 = p.model ? p.model->md5() : QString();
    const QString dataMd5 = p.data ? p.data->md5 : QString();
    const QString key = QStringLiteral("%1|%2|%3|%4|%5")
                            .arg(cardPath, card.lastModified().toString(Qt::ISODateWithMs))
                            .arg(card.size())
                            .arg(modelMd5, dataMd5);
    if (key != m_cardKey) {
        m_cardKey = key;
        m_card = Audit::cardFacts(cardPath, modelMd5, dataMd5);
        m_card->path = card.fileName();
    }
    m_verdict = Audit::evaluatePolicy(*m_policy, *results, &*m_card, nullptr);
    const Audit::PolicyVerdict &v = *m_verdict;
    m_summary->setText(
        tr("<b>%1</b>: %2 %3 — %4 pass, %5 fail, %6 warn, %7 skipped. "
           "<span style='color:gray'>Regression rules need <code>modelaudit-cli check --against REV</code>.</span>")
            .arg(m_policy->path, v.passed() ? tr("the gate passes") : tr("the gate fails"),
                 v.decisionRule.isEmpty() ? tr("at the working threshold %1").arg(results->threshold, 0, 'f', 4)
                                          : tr("with the model's thresholds %1").arg(v.decisionRule.toHtmlEscaped()))
            .arg(v.count(Status::Pass))
            .arg(v.count(Status::Fail))
            .arg(v.count(Status::Warn))
            .arg(v.count(Status::Skipped)));
    m_table->setRowCount(int(v.results.size()));
    for (int row = 0; row < int(v.results.size()); ++row) {
        const Audit::RuleResult &r = v.results[std::size_t(row)];
        const QStringList cells = {r.rule.name, Audit::ruleStatusName(r.status), r.rule.requirement(), r.measured, r.detail};
        for (int c = 0; c < cells.size(); ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            item->setToolTip(cells[c]);
            if (c == 1) {
                item->setForeground(statusColour(r.status));
                QFont bold = item->font();
                bold.setBold(true);
                item->setFont(bold);
            }
            m_table->setItem(row, c, item);
        }
    }
    m_table->resizeRowsToContents();
}

} // namespace Ui
