#include "serverpanel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include "auditerror.h"
#include "predictservice.h"
#include "projectsession.h"

namespace Ui {

namespace {

constexpr int kLastShown = 8;

} // namespace

ServerPanel::ServerPanel(ProjectSession *session, QWidget *parent)
    : QGroupBox(tr("Local predict server"), parent)
    , m_session(session)
    , m_portBox(new QSpinBox(this))
    , m_toggle(new QPushButton(tr("Start server"), this))
    , m_url(new QLabel(tr("Stopped."), this))
    , m_counter(new QLabel(this))
    , m_last(new QListWidget(this))
{
    m_portBox->setRange(0, 65535);
    m_portBox->setValue(8000);
    m_portBox->setPrefix(tr("port "));
    m_portBox->setToolTip(tr("Port on 127.0.0.1 (0: any free port)."));
    m_toggle->setCheckable(true);
    m_toggle->setToolTip(tr("Serve the current model on http://127.0.0.1:PORT/ (POST /predict, docs at /docs)."));
    m_url->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_last->setMaximumHeight(120);
    connect(m_toggle, &QPushButton::toggled, this, [this](bool on) { on ? start() : stop(); });
    connect(session, &ProjectSession::projectLoaded, this, &ServerPanel::pushModel);

    auto *row = new QHBoxLayout;
    row->addWidget(m_toggle);
    row->addWidget(m_portBox);
    row->addWidget(m_url, 1);
    row->addWidget(m_counter);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(m_last);
}

ServerPanel::~ServerPanel()
{
    stop();
}

void ServerPanel::start()
{
    if (m_service)
        return;
    Audit::ServeOptions options;
    options.port = quint16(m_portBox->value());
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("predict-server"));
    m_service = new Audit::PredictService(options);
    m_service->moveToThread(m_thread);
    m_service->onRequest = [this](const Audit::RequestLog &log) {
        // On the server's thread: hand the line to the GUI thread.
        QMetaObject::invokeMethod(this, [this, log] {
            ++m_count;
            m_counter->setText(tr("%n request(s)", nullptr, int(m_count)));
            m_last->insertItem(
                0,
                QStringLiteral("%1 %2 → %3 (%4 ms)").arg(log.method, log.path).arg(log.status).arg(log.milliseconds, 0, 'f', 2));
            while (m_last->count() > kLastShown)
                delete m_last->takeItem(m_last->count() - 1);
        });
    };
    pushModel();
    m_thread->start();
    QString error;
    // listen() must run on the service's thread; wait for it.
    QMetaObject::invokeMethod(
        m_service,
        [this, &error] {
            try {
                m_port = m_service->start();
            } catch (const Audit::AuditError &e) {
                error = e.message();
            }
        },
        Qt::BlockingQueuedConnection);
    if (!error.isEmpty()) {
        stop();
        m_url->setText(error);
        return;
    }
    m_url->setText(QStringLiteral("<a href=\"http://127.0.0.1:%1/docs\">http://127.0.0.1:%1/</a>").arg(m_port));
    m_url->setOpenExternalLinks(true);
    m_counter->setText(tr("%n request(s)", nullptr, int(m_count)));
    const QSignalBlocker blocker(m_toggle);
    m_toggle->setChecked(true);
    m_toggle->setText(tr("Stop server"));
    m_portBox->setEnabled(false);
}

void ServerPanel::stop()
{
    if (m_service) {
        // Deleted on its own thread: the thread deletes it as it finishes.
        m_service->onRequest = nullptr;
        m_service->deleteLater();
        m_service = nullptr;
    }
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_port = 0;
    m_url->setText(tr("Stopped."));
    const QSignalBlocker blocker(m_toggle);
    m_toggle->setChecked(false);
    m_toggle->setText(tr("Start server"));
    m_portBox->setEnabled(true);
}

void ServerPanel::pushModel()
{
    if (!m_service)
        return;
    const LoadedProject &p = m_session->project();
    std::optional<Audit::Record> example;
    if (p.model && p.data && p.data->rowCount() > 0)
        example = Audit::recordFromDataset(*p.data, 0);
    // setModel is thread-safe: requests in flight finish on the model they started with.
    m_service->setModel(p.model ? std::make_shared<const Audit::Model>(*p.model) : nullptr, example);
}

} // namespace Ui
