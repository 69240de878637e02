#include <QtTest>

#include <algorithm>
#include <vector>

#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>

#include "cardtab.h"
#include "projectfixture.h"
#include "projectsession.h"
#include "testutil.h"

using Ui::CardTab;
using Ui::ProjectSession;

// The model card editor on a real project: one undo stack across fields, autosave and
// recovery after a crash, save, refresh and stale detection, a bad card file, and typing,
// undo and field switches on the bundled model_card.md handled without freezing the window.
class TestCardTab : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_project;

    static void type(QPlainTextEdit *edit, const QString &text)
    {
        edit->setFocus();
        edit->moveCursor(QTextCursor::End);
        QTest::keyClicks(edit, text);
    }

    static void openAndWait(ProjectSession &session, const QString &dir)
    {
        session.openProject(dir);
        QTRY_VERIFY_WITH_TIMEOUT(session.results() && !session.isBusy(), 30000);
    }

    // A key's latency: the key arrives, waits for what the event loop has to do first (a timer
    // that came due during the pause before it: the preview's), is handled, and every event it
    // posted is run.
    template <typename Key>
    static double timedKey(QWidget *widget, Key key, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
    {
        QElapsedTimer timer;
        timer.start();
        QCoreApplication::processEvents();
        QTest::keyClick(widget, key, modifiers);
        QCoreApplication::processEvents();
        return double(timer.nsecsElapsed()) / 1e6;
    }

    // A pause in typing with the event loop not running, so work that comes due in it is done
    // in the next timedKey() and counts against that key, as it would for a person typing.
    static void pause(int ms) { QThread::msleep(ulong(ms)); }

    static double p99(std::vector<double> v)
    {
        std::sort(v.begin(), v.end());
        return v[std::size_t(0.99 * double(v.size() - 1) + 0.5)];
    }

private Q_SLOTS:
    void initTestCase();
    void undoRedo_acrossFields();
    void refresh_fillsNumbersAndSaveWritesTheCard();
    void autosave_recoversAfterCrash();
    void stale_whenTheModelChanges();
    void badCardFile_keepsTheEditor();
    void bundledCard_typingUndoAndFieldSwitchNeverFreeze();
};

void TestCardTab::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ModelAuditTest"));
    QStandardPaths::setTestModeEnabled(true);
    TestUtil::makeProject(m_project);
}

void TestCardTab::undoRedo_acrossFields()
{
    ProjectSession session;
    CardTab tab(&session);
    openAndWait(session, m_project.path());
    tab.show();
    QPlainTextEdit *overview = tab.proseEdit(QStringLiteral("overview"));
    QPlainTextEdit *caveats = tab.proseEdit(QStringLiteral("caveats"));
    QLineEdit *owners = tab.detailEdit(QStringLiteral("owners"));
    QVERIFY(overview && caveats && owners);
    QVERIFY(!tab.isDirty());
    type(overview, QStringLiteral("A census model."));
    type(caveats, QStringLiteral("Old data."));
    owners->setFocus();
    QTest::keyClicks(owners, QStringLiteral("Team A"));
    QVERIFY(tab.isDirty());
    QCOMPARE(tab.undoStack()->count(), 3); // typing in one field merges into one step
    tab.undoStack()->undo();
    QCOMPARE(owners->text(), QString());
    tab.undoStack()->undo();
    QCOMPARE(caveats->toPlainText(), QString());
    QCOMPARE(overview->toPlainText(), QStringLiteral("A census model."));
    tab.undoStack()->undo();
    QCOMPARE(overview->toPlainText(), QString());
    QVERIFY(!tab.isDirty());
    tab.undoStack()->redo();
    tab.undoStack()->redo();
    QCOMPARE(overview->toPlainText(), QStringLiteral("A census model."));
    QCOMPARE(caveats->toPlainText(), QStringLiteral("Old data."));
    QCOMPARE(tab.card().prose.at(QStringLiteral("caveats")), QStringLiteral("Old data."));
    QTRY_VERIFY(tab.previewText().contains(QStringLiteral("Old data.")));
    QFile::remove(CardTab::autosavePath(tab.path()));
}

void TestCardTab::refresh_fillsNumbersAndSaveWritesTheCard()
{
    ProjectSession session;
    CardTab tab(&session);
    openAndWait(session, m_project.path());
    QVERIFY(tab.staleText().contains(QStringLiteral("no numbers yet")));
    type(tab.proseEdit(QStringLiteral("ethical")), QStringLiteral("Sensitive attributes."));
    tab.refreshNumbers();
    QVERIFY(tab.staleText().contains(QStringLiteral("Numbers are current")));
    QTRY_VERIFY(tab.previewText().contains(QStringLiteral("Weakest slices")));
    QVERIFY(tab.save());
    QVERIFY(!tab.isDirty());
    const QString path = m_project.filePath(QStringLiteral("model_card.md"));
    QCOMPARE(tab.path(), path);
    QVERIFY(!QFile::exists(CardTab::autosavePath(path)));
    const Audit::ModelCard saved = Audit::ModelCard::load(path);
    QCOMPARE(saved.prose.at(QStringLiteral("ethical")), QStringLiteral("Sensitive attributes."));
    QCOMPARE(saved.modelMd5, session.project().model->md5());
}

void TestCardTab::autosave_recoversAfterCrash()
{
    const QString path = m_project.filePath(QStringLiteral("model_card.md"));
    {
        ProjectSession session;
        auto *tab = new CardTab(&session);
        openAndWait(session, m_project.path());
        type(tab->proseEdit(QStringLiteral("primary_users")), QStringLiteral("Auditors only."));
        tab->autosaveNow();
        QVERIFY(QFile::exists(CardTab::autosavePath(path)));
        delete tab; // no save: as if the application had crashed
    }
    QVERIFY(!Audit::ModelCard::load(path).prose.count(QStringLiteral("primary_users"))
            || Audit::ModelCard::load(path).prose.at(QStringLiteral("primary_users")).isEmpty());
    ProjectSession session;
    CardTab tab(&session);
    QSignalSpy dirty(&tab, &CardTab::dirtyChanged);
    openAndWait(session, m_project.path());
    QCOMPARE(tab.proseEdit(QStringLiteral("primary_users"))->toPlainText(), QStringLiteral("Auditors only."));
    QVERIFY(tab.isDirty());
    QVERIFY(!dirty.isEmpty() && dirty.last().front().toBool());
    QVERIFY(tab.save());
    QVERIFY(!QFile::exists(CardTab::autosavePath(path)));
}

void TestCardTab::stale_whenTheModelChanges()
{
    ProjectSession session;
    CardTab tab(&session);
    openAndWait(session, m_project.path());
    tab.refreshNumbers();
    QVERIFY(tab.staleText().contains(QStringLiteral("Numbers are current")));
    QVERIFY(tab.save());
    Audit::TrainParams params = session.project().params;
    params.learner.kind = Audit::LearnerKind::LinearSvm;
    QSignalSpy trained(&session, &ProjectSession::trainingFinished);
    session.train(params);
    QTRY_COMPARE_WITH_TIMEOUT(trained.count(), 1, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(tab.staleText().contains(QStringLiteral("Stale")), 10000);
}

void TestCardTab::badCardFile_keepsTheEditor()
{
    ProjectSession session;
    CardTab tab(&session);
    openAndWait(session, m_project.path());
    type(tab.proseEdit(QStringLiteral("caveats")), QStringLiteral("Keep me."));
    QSignalSpy errors(&tab, &CardTab::errorOccurred);
    const QString bad = TestUtil::writeFile(m_project, QStringLiteral("bad_card.md"), "---\nlicense: mit\n# never closed\n");
    tab.open(bad);
    QCOMPARE(errors.count(), 1);
    QVERIFY(errors.front().front().toString().contains(QStringLiteral("bad_card.md:1: the YAML front matter")));
    QVERIFY(tab.proseEdit(QStringLiteral("caveats"))->toPlainText().endsWith(QStringLiteral("Keep me.")));
    QCOMPARE(tab.path(), m_project.filePath(QStringLiteral("model_card.md"))); // still saves where it did
    QFile::remove(CardTab::autosavePath(bad));
    QFile::remove(CardTab::autosavePath(m_project.filePath(QStringLiteral("model_card.md"))));
}

void TestCardTab::bundledCard_typingUndoAndFieldSwitchNeverFreeze()
{
    // Budgets: a key is handled in <= 50 ms on this 2-core machine; the test allows twice
    // that at p99 and five times for a single key, so a busy machine does not fail it. The
    // old editor rendered the whole card into the shown preview per pause: ~11 s a key.
    constexpr double kP99Ms = 100;
    constexpr double kMaxMs = 250;
    QTemporaryDir project;
    TestUtil::makeProject(project);
    const QString path = project.filePath(QStringLiteral("model_card.md"));
    QVERIFY(QFile::copy(QStringLiteral(PROJECT_SOURCE_DIR "/model_card.md"), path));
    ProjectSession session;
    CardTab tab(&session);
    tab.resize(1280, 800);
    tab.show();
    QVERIFY(QTest::qWaitForWindowActive(&tab));
    openAndWait(session, project.path());
    QCOMPARE(tab.path(), path);
    QTRY_VERIFY(tab.previewText().contains(QStringLiteral("Caveats and Recommendations")));
    QElapsedTimer opening;
    opening.start();
    tab.open(path);
    QCoreApplication::processEvents();
    QVERIFY2(opening.elapsed() <= 1000, qPrintable(QStringLiteral("opening the card took %1 ms").arg(opening.elapsed())));

    QPlainTextEdit *notes = tab.proseEdit(QStringLiteral("quantitative_notes"));
    QPlainTextEdit *ethical = tab.proseEdit(QStringLiteral("ethical"));
    QVERIFY(notes && ethical);
    const QString notesBefore = notes->toPlainText();
    const QString ethicalBefore = ethical->toPlainText();
    notes->setFocus();
    notes->moveCursor(QTextCursor::End);
    const QByteArray text = " Typed on the bundled card.";
    std::vector<double> keys;
    for (int i = 0; i < 81; ++i) {
        pause(i % 9 == 8 ? CardTab::kPreviewDelayMs + 150 : 20); // a preview comes due every 9 keys
        keys.push_back(timedKey(notes, text[i % text.size()]));
    }
    QCOMPARE(notes->toPlainText(), notesBefore + QString::fromLatin1(text.repeated(3)));
    const double keyMax = *std::max_element(keys.begin(), keys.end());
    qInfo("%zu keystrokes on the bundled card: p99 %.1f ms, max %.1f ms", keys.size(), p99(keys), keyMax);
    QVERIFY2(p99(keys) <= kP99Ms && keyMax <= kMaxMs,
             qPrintable(QStringLiteral("keystrokes: p99 %1 ms, max %2 ms").arg(p99(keys)).arg(keyMax)));
    QTRY_VERIFY(tab.previewText().contains(QStringLiteral("Typed on the bundled card. Typed on the bundled card.")));

    // Tab moves to the next field; each field's typing is one undo step, Ctrl+Z in any field
    // undoes the card's last step and Ctrl+Shift+Z redoes it.
    std::vector<double> steps;
    pause(CardTab::kPreviewDelayMs + 150);
    steps.push_back(timedKey(notes, Qt::Key_Tab));
    QVERIFY(ethical->hasFocus());
    ethical->moveCursor(QTextCursor::End);
    for (const char c : QByteArray(" Also here."))
        keys.push_back(timedKey(ethical, c));
    QCOMPARE(ethical->toPlainText(), ethicalBefore + QStringLiteral(" Also here."));
    pause(CardTab::kPreviewDelayMs + 150);
    steps.push_back(timedKey(ethical, Qt::Key_Z, Qt::ControlModifier));
    QCOMPARE(ethical->toPlainText(), ethicalBefore);
    pause(CardTab::kPreviewDelayMs + 150);
    steps.push_back(timedKey(ethical, Qt::Key_Z, Qt::ControlModifier));
    QCOMPARE(notes->toPlainText(), notesBefore);
    QCOMPARE(ethical->toPlainText(), ethicalBefore);
    QVERIFY(!tab.isDirty());
    pause(CardTab::kPreviewDelayMs + 150);
    steps.push_back(timedKey(ethical, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier));
    QCOMPARE(notes->toPlainText(), notesBefore + QString::fromLatin1(text.repeated(3)));
    pause(CardTab::kPreviewDelayMs + 150);
    steps.push_back(timedKey(ethical, 'x')); // the preview that came due in the pause renders here
    const double stepMax = *std::max_element(steps.begin(), steps.end());
    qInfo("field switch, Ctrl+Z, Ctrl+Z, Ctrl+Shift+Z, key after a preview: max %.1f ms", stepMax);
    QVERIFY2(stepMax <= kMaxMs, qPrintable(QStringLiteral("undo, redo or field switch took %1 ms").arg(stepMax)));
    QTRY_VERIFY(tab.previewText().contains(QStringLiteral("Typed on the bundled card.")));
    QTRY_VERIFY(tab.previewText().contains(ethicalBefore.left(40)));
}

QTEST_MAIN(TestCardTab)
#include "tst_cardtab.moc"
