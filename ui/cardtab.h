#pragma once

#include <map>

#include <QUndoStack>
#include <QWidget>

#include "modelcard.h"

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTextBrowser;
class QTimer;

namespace Ui {

class ProjectSession;

// The model card editor: a form per section (Markdown prose, details), a live preview, one
// undo stack across every field, autosave to a sidecar file, and actions to refresh the
// numbers from the current audit, import, save and export.
class CardTab final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CardTab)

public:
    explicit CardTab(ProjectSession *session, QWidget *parent = nullptr);

    Audit::ModelCard card() const; // what the editor holds
    QString path() const { return m_path; }
    bool isDirty() const { return !m_undo.isClean(); }
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

private:
    void setCard(const Audit::ModelCard &card);
    void fieldEdited(QObject *field, const QString &before, const QString &after);
    void schedulePreview();
    void updatePreview();
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
    QLabel *m_stale;
    QLabel *m_notice;
    QTimer *m_previewTimer;
    QTimer *m_autosaveTimer;
    bool m_applying = false; // undo/redo or loading is writing into the fields
};

} // namespace Ui
