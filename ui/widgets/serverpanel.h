#pragma once

#include <memory>

#include <QGroupBox>

class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace Audit {
class ServerPool;
struct RequestLog;
} // namespace Audit

namespace Ui {

class ProjectSession;

// Start/stop the local predict server from the app. The server is an Audit::ServerPool, so
// inference never runs on the GUI thread; it serves the model currently loaded and swaps to a
// new one atomically when the project's model changes. Shows the URL, a live request counter
// and the last requests, fed by the pool's requestServed signal through a queued connection.
class ServerPanel final : public QGroupBox
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerPanel)

public:
    explicit ServerPanel(ProjectSession *session, QWidget *parent = nullptr);
    ~ServerPanel() override;

    bool isRunning() const { return m_pool != nullptr; }
    quint16 port() const { return m_port; }
    qint64 requestCount() const { return m_count; } // requests served since the panel opened
    QPushButton *toggleButton() const { return m_toggle; }
    QLabel *counterLabel() const { return m_counter; }
    QListWidget *lastRequests() const { return m_last; }
    QSpinBox *portBox() const { return m_portBox; }

    void start();
    void stop();

private:
    void pushModel();
    void showUrl(); // the address and the threshold the server decides at
    void showRequest(const Audit::RequestLog &log);

    ProjectSession *m_session;
    QSpinBox *m_portBox;
    QPushButton *m_toggle;
    QLabel *m_url;
    QLabel *m_counter;
    QListWidget *m_last;
    std::unique_ptr<Audit::ServerPool> m_pool;
    quint16 m_port = 0;
    qint64 m_count = 0;
};

} // namespace Ui
