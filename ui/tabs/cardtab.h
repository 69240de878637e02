#pragma once

#include <map>

#include <QFutureWatcher>
#include <QUndoStack>
#include <QWidget>

#include "modelcard.h"

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTextBrowser;
class QTextDocument;
class QTimer;

namespace Ui {

class ProjectSession;

// The model card editor: a form per section (Markdown prose, details), a live preview, one
// undo stack across every field (Ctrl+Z / Ctrl+Shift+Z in any field), autosave to a sidecar
// file, and actions to refresh the numbers from the current audit, import, save and export.
//
// The preview never renders on the input path: an edit restarts a short timer; when it fires
// the Markdown is built (under a millisecond) and a worker parses it into a detached
// QTextDocument, which the preview then takes (setDocument, ~3 ms) and lays out lazily in
// steps of ~10 ms. A render overtaken by a later edit is dropped. QTextBrowser::setMarkdown on
// the shown preview took 11-16 s for the bundled model_card.md on a 2-core machine (11-24 ms
// on a detached document).
class CardTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CardTab)

public:
    static constexpr int kPreviewDelayMs = 300; // typing pause before the preview renders

    explicit CardTab(ProjectSession *session, QWidget *parent = nullptr);
    ~CardTab() override;

    Audit::ModelCard card() const; // what the editor holds
    QString path() const { return m_path; }
    bool isDirty() const { return !m_undo.isClean(); }
    bool isBusy() const; // a preview render is due or running
    QUndoStack *undoStack() { return &m_undo; }
    QPlainTextEdit *proseEdit(const QString &key) const;
    QLineEdit *detailEdit(const QString &key) const;
    QString previewText() const;
    QString staleText() const;
    static QString autosavePath(const QString &cardPath) { return cardPath + QStringLiteral(".autosave"); }

    void open(const QString &path); // loads a card (recovering an autosave newer than it)
    bool save(); // to path(); false with the error shown on failure
    void refreshNumbers();
    void autosaveNow();

Q_SIGNALS:
    void dirtyChanged(bool dirty);
    void errorOccurred(const QString &message);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void setCard(const Audit::ModelCard &card);
    void fieldEdited(QObject *field, const QString &before, const QString &after);
    void schedulePreview(); // after the next typing pause
    void previewNow(); // for a whole new card: no typing pause
    void updatePreview(); // in a worker; shown by previewRendered()
    void previewRendered();
    void updateStale();
    void exportAs(const QString &format);
    void importCard();

    ProjectSession *m_session;
    Audit::ModelCard m_base; // generated blocks, metrics and provenance; prose comes from the form
    QString m_path;
    QUndoStack m_undo;
    QLineEdit *m_name;
    std::map<QString, QPlainTextEdit *> m_prose;
    std::map<QString, QLineEdit *> m_details;
    std::map<QObject *, QString> m_lastText; // what each field held before the current edit
    QTextBrowser *m_preview;
    QTextDocument *m_previewDoc = nullptr; // the rendered document shown (a child of m_preview)
    QFutureWatcher<QTextDocument *> m_render; // at most one render at a time
    quint64 m_generation = 0; // bumped by every change the preview has to show
    quint64 m_renderedGeneration = 0; // what the running render shows
    bool m_renderAgain = false; // a render was asked for while one was running
    bool m_renderUnclaimed = false; // a render is running or its document is not yet taken
    QLabel *m_stale;
    QLabel *m_notice;
    QTimer *m_previewTimer;
    QTimer *m_autosaveTimer;
    bool m_applying = false; // undo/redo or loading is writing into the fields
};

} // namespace Ui
