#include "serverpanel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "auditerror.h"
#include "projectsession.h"
#include "serverpool.h"

namespace Ui {

namespace {

constexpr int kLastShown = 8;
constexpr int kServerThreads = 1; // the app serves a person trying the model, not a load test

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
    connect(session, &ProjectSession::resultsChanged, this, &ServerPanel::showUrl); // the working threshold moved

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
    if (m_pool)
        return;
    Audit::ServeOptions options;
    options.port = quint16(m_portBox->value());
    m_pool = std::make_unique<Audit::ServerPool>(options, kServerThreads);
    // Emitted on the server's thread; queued, so only the GUI thread touches the widgets.
    connect(m_pool.get(), &Audit::ServerPool::requestServed, this, &ServerPanel::showRequest, Qt::QueuedConnection);
    pushModel();
    try {
        m_port = m_pool->start();
    } catch (const Audit::AuditError &e) {
        stop();
        m_url->setText(e.message().toHtmlEscaped());
        return;
    }
    showUrl();
    m_url->setOpenExternalLinks(true);
    m_counter->setText(tr("%n request(s)", nullptr, int(m_count)));
    const QSignalBlocker blocker(m_toggle);
    m_toggle->setChecked(true);
    m_toggle->setText(tr("Stop server"));
    m_portBox->setEnabled(false);
}

void ServerPanel::stop()
{
    m_pool.reset(); // stops and joins the server thread; queued lines still arrive
    m_port = 0;
    m_url->setText(tr("Stopped."));
    const QSignalBlocker blocker(m_toggle);
    m_toggle->setChecked(false);
    m_toggle->setText(tr("Start server"));
    m_portBox->setEnabled(true);
}

void ServerPanel::showRequest(const Audit::RequestLog &log)
{
    ++m_count;
    m_counter->setText(tr("%n request(s)", nullptr, int(m_count)));
    m_last->insertItem(
        0, QStringLiteral("%1 %2 → %3 (%4 ms)").arg(log.method, log.path).arg(log.status).arg(log.milliseconds, 0, 'f', 2));
    while (m_last->count() > kLastShown)
        delete m_last->takeItem(m_last->count() - 1);
}

void ServerPanel::showUrl()
{
    if (!m_pool)
        return;
    const LoadedProject &p = m_session->project();
    QString note;
    if (p.model) {
        note = tr("decides at the model's threshold %1").arg(p.model->threshold(), 0, 'f', 4);
        if (m_session->threshold() != p.model->threshold())
            note += tr(", not the working %1 (Save to model to serve it)").arg(m_session->threshold(), 0, 'f', 4);
    }
    m_url->setText(QStringLiteral("<a href=\"http://127.0.0.1:%1/docs\">http://127.0.0.1:%1/</a> %2").arg(m_port).arg(note));
}

void ServerPanel::pushModel()
{
    if (!m_pool)
        return;
    const LoadedProject &p = m_session->project();
    std::optional<Audit::Record> example;
    if (p.model && p.data && p.data->rowCount() > 0)
        example = Audit::recordFromDataset(*p.data, 0);
    // setModel is thread-safe: requests in flight finish on the model they started with.
    m_pool->setModel(p.model, example);
    showUrl();
}

} // namespace Ui
