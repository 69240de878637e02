#include "cardtab.h"

#include <QAbstractTextDocumentLayout>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTextBrowser>
#include <QTextDocument>
#include <QThread>
#include <QTimer>
#include <QUndoCommand>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <QJsonDocument>

#include "auditerror.h"
#include "cardexport.h"
#include "cardrenderer.h"
#include "fileio.h"
#include "project.h"
#include "projectsession.h"

namespace Ui {

namespace {

constexpr int kAutosaveDelayMs = 1500;

void setFieldText(QObject *field, const QString &text)
{
    if (auto *edit = qobject_cast<QPlainTextEdit *>(field)) {
        edit->setPlainText(text);
        edit->moveCursor(QTextCursor::End); // where typing would go on
    } else if (auto *line = qobject_cast<QLineEdit *>(field)) {
        line->setText(text);
    }
}

// The preview's document, parsed in a worker thread (QTextDocument is reentrant) and handed to
// `guiThread`. Its layout object is made here too, with a null page size so that nothing is
// laid out and no layout timer starts in the worker: the preview then sets its width and lays
// the document out lazily, the visible part first, in steps of ~10 ms. Without a layout object
// the preview spent 25-50 ms in one go on the bundled card; setMarkdown on the shown preview
// 11-16 s.
QTextDocument *renderPreview(const QString &markdown, const QFont &font, QThread *guiThread)
{
    auto *doc = new QTextDocument;
    doc->setDefaultFont(font);
    Audit::CardRenderer::setSafeMarkdown(*doc, markdown); // as the exports show it
    doc->setPageSize(QSizeF(0, 0));
    doc->documentLayout();
    doc->moveToThread(guiThread);
    return doc;
}

// One edit of one field; typing in the same field merges into the same command.
class FieldEdit final : public QUndoCommand
{
public:
    FieldEdit(QObject *field, QString before, QString after, std::function<void(QObject *, const QString &)> apply)
        : m_field(field)
        , m_before(std::move(before))
        , m_after(std::move(after))
        , m_apply(std::move(apply))
    {
        setText(QObject::tr("edit %1").arg(field->objectName()));
    }
    int id() const override { return 1; }
    bool mergeWith(const QUndoCommand *other) override
    {
        const auto *edit = static_cast<const FieldEdit *>(other);
        if (edit->m_field != m_field)
            return false;
        m_after = edit->m_after;
        return true;
    }
    void undo() override { m_apply(m_field, m_before); }
    void redo() override
    {
        if (m_first) { // the field already shows the text
            m_first = false;
            return;
        }
        m_apply(m_field, m_after);
    }

private:
    QObject *m_field;
    QString m_before;
    QString m_after;
    std::function<void(QObject *, const QString &)> m_apply;
    bool m_first = true;
};

} // namespace

CardTab::CardTab(ProjectSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_name(new QLineEdit(this))
    , m_preview(new QTextBrowser(this))
    , m_stale(new QLabel(this))
    , m_notice(new QLabel(this))
    , m_previewTimer(new QTimer(this))
    , m_autosaveTimer(new QTimer(this))
{
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(kPreviewDelayMs);
    m_autosaveTimer->setSingleShot(true);
    m_autosaveTimer->setInterval(kAutosaveDelayMs);
    connect(m_previewTimer, &QTimer::timeout, this, &CardTab::updatePreview);
    connect(&m_render, &QFutureWatcher<QTextDocument *>::finished, this, &CardTab::previewRendered);
    connect(m_autosaveTimer, &QTimer::timeout, this, &CardTab::autosaveNow);
    connect(&m_undo, &QUndoStack::cleanChanged, this, [this](bool clean) { Q_EMIT dirtyChanged(!clean); });

    auto *form = new QWidget(this);
    auto *formLayout = new QVBoxLayout(form);
    auto *detailsBox = new QGroupBox(tr("Model Details"), form);
    auto *details = new QFormLayout(detailsBox);
    m_name->setObjectName(QStringLiteral("name"));
    m_name->installEventFilter(this);
    details->addRow(tr("Name"), m_name);
    const auto track = [this](QObject *field, const QString &text) {
        if (m_applying)
            return;
        fieldEdited(field, m_lastText[field], text);
        m_lastText[field] = text;
    };
    connect(m_name, &QLineEdit::textChanged, this, [this, track](const QString &t) { track(m_name, t); });
    for (const QString &key : Audit::ModelCard::detailKeys()) {
        auto *edit = new QLineEdit(detailsBox);
        edit->setObjectName(key);
        edit->installEventFilter(this);
        details->addRow(key.at(0).toUpper() + key.mid(1), edit);
        connect(edit, &QLineEdit::textChanged, this, [track, edit](const QString &t) { track(edit, t); });
        m_details[key] = edit;
    }
    formLayout->addWidget(detailsBox);

    QString section;
    QFormLayout *sectionLayout = nullptr;
    for (const Audit::CardField &field : Audit::ModelCard::fields()) {
        if (section != QLatin1String(field.section)) {
            section = QLatin1String(field.section);
            auto *box = new QGroupBox(section, form);
            sectionLayout = new QFormLayout(box);
            formLayout->addWidget(box);
        }
        auto *edit = new QPlainTextEdit(form);
        edit->setObjectName(QLatin1String(field.key));
        edit->setPlaceholderText(tr(field.hint));
        edit->setToolTip(tr("%1 (Markdown). Never overwritten by Refresh Numbers.").arg(tr(field.hint)));
        edit->setUndoRedoEnabled(false); // one undo stack for the whole card
        edit->setMinimumHeight(70);
        edit->setTabChangesFocus(true);
        edit->installEventFilter(this);
        connect(edit, &QPlainTextEdit::textChanged, this, [track, edit] { track(edit, edit->toPlainText()); });
        sectionLayout->addRow(*field.title ? tr(field.title) : QString(), edit);
        m_prose[QLatin1String(field.key)] = edit;
    }
    formLayout->addStretch();
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(form);
    scroll->setWidgetResizable(true);

    auto *refresh = new QPushButton(tr("&Refresh Numbers"), this);
    refresh->setToolTip(tr("Regenerate every number from the current model and audit; hand-written text stays."));
    auto *save = new QPushButton(tr("Save"), this);
    save->setToolTip(tr("Save model_card.md (Ctrl+S)."));
    auto *import = new QPushButton(tr("Import…"), this);
    import->setToolTip(tr("Open a model_card.md, ours or one in the classic template."));
    auto *undo = new QPushButton(tr("Undo"), this);
    auto *redo = new QPushButton(tr("Redo"), this);
    connect(undo, &QPushButton::clicked, &m_undo, &QUndoStack::undo);
    connect(redo, &QPushButton::clicked, &m_undo, &QUndoStack::redo);
    connect(&m_undo, &QUndoStack::canUndoChanged, undo, &QPushButton::setEnabled);
    connect(&m_undo, &QUndoStack::canRedoChanged, redo, &QPushButton::setEnabled);
    undo->setEnabled(false);
    redo->setEnabled(false);
    connect(refresh, &QPushButton::clicked, this, &CardTab::refreshNumbers);
    connect(save, &QPushButton::clicked, this, &CardTab::save);
    connect(import, &QPushButton::clicked, this, &CardTab::importCard);
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {refresh, save, import, undo, redo})
        buttons->addWidget(b);
    for (const QString &format : {QStringLiteral("html"), QStringLiteral("pdf"), QStringLiteral("json"), QStringLiteral("md")}) {
        auto *b = new QPushButton(tr("Export %1…").arg(format.toUpper()), this);
        connect(b, &QPushButton::clicked, this, [this, format] { exportAs(format); });
        buttons->addWidget(b);
    }
    buttons->addStretch();

    m_stale->setWordWrap(true);
    m_notice->setWordWrap(true);
    m_notice->setVisible(false);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(scroll);
    splitter->addWidget(m_preview);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_notice);
    layout->addWidget(m_stale);
    layout->addWidget(splitter, 1);

    connect(session, &ProjectSession::projectLoaded, this, [this] {
        const QString dir = m_session->project().dir;
        if (!dir.isEmpty() && (m_path.isEmpty() || !isDirty()))
            open(QDir(dir).filePath(QLatin1String(Audit::Project::kCardFile)));
        updateStale();
    });
    setCard(Audit::ModelCard());
}

CardTab::~CardTab()
{
    m_render.waitForFinished();
    if (m_renderUnclaimed) // rendered, but previewRendered() will not run any more
        delete m_render.result();
}

bool CardTab::eventFilter(QObject *watched, QEvent *event)
{
    // The fields' own undo is off (QPlainTextEdit) or per field (QLineEdit): Ctrl+Z and
    // Ctrl+Shift+Z / Ctrl+Y in any field go to the card's one stack instead.
    if (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        const bool undo = key->matches(QKeySequence::Undo);
        const bool redo = key->matches(QKeySequence::Redo);
        if (undo || redo) {
            if (event->type() == QEvent::ShortcutOverride) {
                event->accept(); // deliver it as a key press to this filter
            } else if (undo) {
                m_undo.undo();
            } else {
                m_undo.redo();
            }
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

QPlainTextEdit *CardTab::proseEdit(const QString &key) const
{
    const auto found = m_prose.find(key);
    return found == m_prose.end() ? nullptr : found->second;
}

QLineEdit *CardTab::detailEdit(const QString &key) const
{
    const auto found = m_details.find(key);
    return found == m_details.end() ? nullptr : found->second;
}

QString CardTab::previewText() const
{
    return m_preview->toPlainText();
}

bool CardTab::isBusy() const
{
    return m_renderUnclaimed || m_previewTimer->isActive();
}

QString CardTab::staleText() const
{
    return m_stale->text();
}

Audit::ModelCard CardTab::card() const
{
    Audit::ModelCard card = m_base;
    card.name = m_name->text();
    for (const auto &[key, edit] : m_prose)
        card.prose[key] = edit->toPlainText();
    for (const auto &[key, edit] : m_details)
        card.details[key] = edit->text();
    return card;
}

void CardTab::setCard(const Audit::ModelCard &card)
{
    m_applying = true;
    m_base = card;
    m_name->setText(card.name);
    m_lastText[m_name] = card.name;
    for (const auto &[key, edit] : m_prose) {
        const auto found = card.prose.find(key);
        const QString text = found == card.prose.end() ? QString() : found->second;
        edit->setPlainText(text);
        m_lastText[edit] = text;
    }
    for (const auto &[key, edit] : m_details) {
        const auto found = card.details.find(key);
        const QString text = found == card.details.end() ? QString() : found->second;
        edit->setText(text);
        m_lastText[edit] = text;
    }
    m_applying = false;
    previewNow();
    updateStale();
}

void CardTab::fieldEdited(QObject *field, const QString &before, const QString &after)
{
    if (before == after)
        return;
    m_undo.push(new FieldEdit(field, before, after, [this](QObject *target, const QString &text) {
        m_applying = true;
        setFieldText(target, text);
        m_lastText[target] = text;
        m_applying = false;
        schedulePreview();
        m_autosaveTimer->start();
    }));
    schedulePreview();
    m_autosaveTimer->start();
}

void CardTab::schedulePreview()
{
    ++m_generation; // a render already running now shows an old card
    m_previewTimer->start();
}

void CardTab::previewNow()
{
    ++m_generation;
    updatePreview();
}

void CardTab::updatePreview()
{
    m_previewTimer->stop();
    if (m_renderUnclaimed) { // running, or done with previewRendered() still to come
        m_renderAgain = true; // then; its result is already stale
        return;
    }
    m_renderAgain = false;
    m_renderedGeneration = m_generation;
    m_renderUnclaimed = true;
    // Building the Markdown takes well under a millisecond; parsing it is the worker's.
    m_render.setFuture(
        QtConcurrent::run(renderPreview, Audit::CardRenderer::readableMarkdown(card()), m_preview->font(), thread()));
}

void CardTab::previewRendered()
{
    m_renderUnclaimed = false;
    QTextDocument *doc = m_render.result();
    if (m_renderedGeneration != m_generation) { // edited since: the preview waits for the newer text
        delete doc;
        if (m_renderAgain)
            updatePreview();
        return; // else the typing-pause timer is running and will render it
    }
    QScrollBar *scroll = m_preview->verticalScrollBar();
    const int position = scroll->value();
    doc->setParent(m_preview); // deleted after the preview's text control
    m_preview->setDocument(doc);
    delete m_previewDoc;
    m_previewDoc = doc;
    scroll->setValue(position); // keep the reader where they were
}

void CardTab::updateStale()
{
    const LoadedProject &p = m_session->project();
    if (!p.model) {
        m_stale->setText(tr("No model is loaded: the numbers cannot be checked or refreshed."));
        return;
    }
    if (m_base.modelMd5.isEmpty()) {
        m_stale->setText(tr("This card has no numbers yet: use Refresh Numbers."));
        return;
    }
    const QString dataMd5 = p.data ? p.data->md5 : QString();
    m_stale->setText(m_base.isStale(p.model->md5(), dataMd5)
                         ? tr("<b>Stale:</b> the numbers come from model %1 and data %2; the loaded ones are %3 and %4. "
                              "Use Refresh Numbers.")
                               .arg(m_base.modelMd5.left(12), m_base.dataMd5.left(12), p.model->md5().left(12), dataMd5.left(12))
                         : tr("Numbers are current: model %1, data %2.").arg(p.model->md5().left(12), dataMd5.left(12)));
}

void CardTab::refreshNumbers()
{
    const LoadedProject &p = m_session->project();
    const Audit::AuditResults *results = m_session->results();
    if (!p.model || !p.data || !results) {
        Q_EMIT errorOccurred(tr("Refreshing the numbers needs a model and labelled evaluation data; open a project first."));
        return;
    }
    Audit::ModelCard updated = card();
    updated.refresh(*p.model, *p.data, *results, m_session->importance().get());
    // Generated parts are not undoable edits of a field; keep the form's prose and mark dirty.
    m_base = updated;
    if (m_name->text().isEmpty())
        m_name->setText(updated.name);
    m_undo.resetClean();
    previewNow();
    updateStale();
    m_autosaveTimer->start();
}

void CardTab::open(const QString &path)
{
    Audit::ModelCard loaded;
    const QString sidecar = autosavePath(path);
    try {
        if (QFileInfo::exists(path))
            loaded = Audit::ModelCard::load(path);
        if (QFileInfo::exists(sidecar)
            && (!QFileInfo::exists(path) || QFileInfo(sidecar).lastModified() >= QFileInfo(path).lastModified())) {
            loaded = Audit::ModelCard::load(sidecar);
            m_path = path;
            m_notice->setText(tr("Recovered unsaved edits from %1. Save to keep them.").arg(sidecar));
            m_notice->setVisible(true);
            setCard(loaded);
            m_undo.clear();
            m_undo.resetClean();
            Q_EMIT dirtyChanged(true);
            return;
        }
    } catch (const Audit::AuditError &e) {
        Q_EMIT errorOccurred(e.message());
        return; // the editor keeps what it had
    }
    m_path = path; // only once the file has been read: a bad file leaves the editor as it was
    m_notice->setVisible(false);
    setCard(loaded);
    m_undo.clear();
    m_undo.setClean();
}

bool CardTab::save()
{
    if (m_path.isEmpty()) {
        Q_EMIT errorOccurred(tr("Open a project first: the card is saved as its model_card.md."));
        return false;
    }
    try {
        card().save(m_path);
        QFile::remove(autosavePath(m_path));
        m_notice->setVisible(false);
        m_undo.setClean();
        Q_EMIT dirtyChanged(false);
        return true;
    } catch (const Audit::AuditError &e) {
        Q_EMIT errorOccurred(e.message());
        return false;
    }
}

void CardTab::autosaveNow()
{
    if (m_path.isEmpty() || !isDirty())
        return;
    try {
        card().save(autosavePath(m_path));
    } catch (const Audit::AuditError &e) {
        Q_EMIT errorOccurred(tr("Autosave failed: %1").arg(e.message()));
    }
}

void CardTab::importCard()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import model card"), QFileInfo(m_path).absolutePath(),
                                                      tr("Model cards (*.md *.json);;All files (*)"));
    if (path.isEmpty())
        return;
    try {
        const Audit::ModelCard imported = Audit::ModelCard::load(path);
        setCard(imported);
        m_undo.resetClean();
        Q_EMIT dirtyChanged(true);
    } catch (const Audit::AuditError &e) {
        Q_EMIT errorOccurred(e.message()); // the editor keeps what it had
    }
}

void CardTab::exportAs(const QString &format)
{
    const QString suggested = QFileInfo(m_path).absoluteDir().filePath(QStringLiteral("model_card.") + format);
    const QString path = QFileDialog::getSaveFileName(this, tr("Export model card"), suggested);
    if (path.isEmpty())
        return;
    try {
        Audit::exportCard(card(), m_session->results(),
                          Audit::enumFromName<Audit::CardFormat>(format).value_or(Audit::CardFormat::Markdown), path);
    } catch (const Audit::AuditError &e) {
        Q_EMIT errorOccurred(e.message());
    }
}

} // namespace Ui
