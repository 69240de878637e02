#include "jobprogress.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>

namespace Ui {

JobProgress::JobProgress(QWidget *parent)
    : QWidget(parent)
    , m_bar(new QProgressBar(this))
    , m_stage(new QLabel(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_bar->setFixedWidth(220);
    m_bar->setTextVisible(false);
    layout->addWidget(m_bar);
    layout->addWidget(m_stage, 1);
    layout->addWidget(m_cancel);
    connect(m_cancel, &QPushButton::clicked, this, &JobProgress::cancel);
    setVisible(false);
}

Audit::Progress JobProgress::start()
{
    m_cancelled = std::make_shared<std::atomic<bool>>(false);
    m_bar->setRange(0, 0);
    m_stage->clear();
    m_cancel->setEnabled(true);
    setVisible(true);
    const std::shared_ptr<std::atomic<bool>> cancelled = m_cancelled;
    const QPointer<JobProgress> self(this);
    Audit::Progress progress;
    progress.report = [self](int done, int total, const QString &stage) {
        QMetaObject::invokeMethod(
            self.data(),
            [self, done, total, stage] {
                if (!self)
                    return;
                self->m_bar->setRange(0, std::max(1, total));
                self->m_bar->setValue(done);
                self->m_stage->setText(stage);
            },
            Qt::QueuedConnection);
    };
    progress.isCancelled = [cancelled] { return cancelled->load(); };
    return progress;
}

void JobProgress::finish()
{
    setVisible(false);
}

void JobProgress::cancel()
{
    if (m_cancelled)
        m_cancelled->store(true);
    m_cancel->setEnabled(false);
    m_stage->setText(tr("Cancelling…"));
}

QString JobProgress::stageText() const
{
    return m_stage->text();
}

} // namespace Ui
