#include "mainwindow.h"

#include <QDir>
#include <QFutureWatcher>
#include <QLabel>
#include <QSettings>
#include <QStatusBar>
#include <QTextBrowser>
#include <QtConcurrent>

#include "auditerror.h"
#include "model.h"

namespace Ui {

namespace {

struct LoadResult
{
    QString html;
    QString status;
};

QString row(const QString &name, const QString &value)
{
    return QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(name.toHtmlEscaped(), value.toHtmlEscaped());
}

LoadResult describeModel(const QString &path)
{
    try {
        const Audit::Model model = Audit::Model::load(path);
        const Audit::BinaryMetrics &v = model.training().validationMetrics;
        QString html = QStringLiteral("<h2>Model %1</h2><table cellpadding=4>").arg(model.id());
        html += row(QStringLiteral("Learner"), Audit::learnerName(model.params().kind));
        html += row(QStringLiteral("Dataset"), model.schema().name());
        html += row(QStringLiteral("Label"), QStringLiteral("%1 (positive: %2)")
                                                 .arg(model.schema().labelColumn(), model.schema().positiveLabel()));
        html += row(QStringLiteral("Training rows"), QString::number(model.training().rows));
        html += row(QStringLiteral("Training data md5"), model.training().dataMd5);
        html += row(QStringLiteral("Features"), QString::number(model.encoder().width()));
        html += row(QStringLiteral("Threshold"), QString::number(model.threshold(), 'f', 4));
        html += row(QStringLiteral("Validation F1"), QString::number(v.f1, 'f', 4));
        html += row(QStringLiteral("Validation ROC AUC"), QString::number(v.rocAuc, 'f', 4));
        html += QStringLiteral("</table>");
        return {html, QStringLiteral("%1 · model %2 · %3").arg(path, model.id(), Audit::learnerName(model.params().kind))};
    } catch (const Audit::AuditError &e) {
        return {QStringLiteral("<h2>No model loaded</h2><p>%1</p><p>Run <code>make run</code> or "
                               "<code>modelaudit-cli train</code> to create one.</p>")
                    .arg(e.message().toHtmlEscaped()),
                QStringLiteral("no model")};
    }
}

} // namespace

MainWindow::MainWindow(const QString &projectDir, QWidget *parent)
    : QMainWindow(parent)
    , m_projectDir(projectDir)
    , m_summary(new QTextBrowser(this))
    , m_status(new QLabel(this))
{
    setWindowTitle(QStringLiteral("ModelAudit — %1").arg(QDir(projectDir).dirName()));
    setCentralWidget(m_summary);
    statusBar()->addPermanentWidget(m_status, 1);
    m_summary->setHtml(QStringLiteral("<h2>Loading…</h2>"));

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    if (!settings.contains(QStringLiteral("window/geometry")))
        resize(900, 600);
    settings.setValue(QStringLiteral("project/last"), projectDir);

    loadModel(QDir(projectDir).filePath(QStringLiteral("models/model.bin")));
}

void MainWindow::loadModel(const QString &path)
{
    auto *watcher = new QFutureWatcher<LoadResult>(this);
    connect(watcher, &QFutureWatcher<LoadResult>::finished, this, [this, watcher] {
        const LoadResult result = watcher->result();
        m_summary->setHtml(result.html);
        m_status->setText(result.status);
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(describeModel, path));
}

} // namespace Ui
