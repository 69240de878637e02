#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QSettings>

#include "mainwindow.h"

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("ModelAudit"));
    QApplication::setApplicationName(QStringLiteral("ModelAudit"));
    QApplication::setApplicationVersion(QStringLiteral(MODELAUDIT_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("ModelAudit: audit a machine-learning model."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption project(QStringLiteral("project"), QStringLiteral("Project folder to open."),
                                     QStringLiteral("dir"));
    parser.addOption(project);
    parser.process(app);

    const QString dir = parser.isSet(project)
        ? parser.value(project)
        : QSettings().value(QStringLiteral("project/last"), QDir::currentPath()).toString();
    Ui::MainWindow window(QDir(dir).absolutePath());
    window.show();
    return app.exec();
}
