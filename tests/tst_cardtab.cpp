#include <QtTest>

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
// recovery after a crash, save, refresh and stale detection, and a bad card file.
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

private Q_SLOTS:
    void initTestCase();
    void undoRedo_acrossFields();
    void refresh_fillsNumbersAndSaveWritesTheCard();
    void autosave_recoversAfterCrash();
    void stale_whenTheModelChanges();
    void badCardFile_keepsTheEditor();
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

QTEST_MAIN(TestCardTab)
#include "tst_cardtab.moc"
