#pragma once

#include <atomic>
#include <memory>

#include <QWidget>

#include "auditerror.h"
#include "progress.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace Ui {

// What a background job of a dialog reports instead of throwing: empty when `work` returned,
// kJobCancelled when its Progress said stop, else the error's message.
inline const QString kJobCancelled = QStringLiteral("cancelled");
template <typename Work>
QString runJob(Work &&work)
{
    try {
        work();
    } catch (const Audit::CancelledError &) {
        return kJobCancelled;
    } catch (const Audit::AuditError &e) {
        return e.message();
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

// A progress bar with its stage and a Cancel button for one background job of a dialog:
// start() shows it and returns the Progress the job reports to (from any thread: the bar is
// updated on the GUI thread) and that says the job is cancelled once Cancel is pressed.
class JobProgress final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JobProgress)

public:
    explicit JobProgress(QWidget *parent = nullptr);

    Audit::Progress start();
    void finish(); // hides it
    void cancel(); // as the button
    QPushButton *cancelButton() const { return m_cancel; }
    QString stageText() const;

private:
    QProgressBar *m_bar;
    QLabel *m_stage;
    QPushButton *m_cancel;
    std::shared_ptr<std::atomic<bool>> m_cancelled;
};

} // namespace Ui
