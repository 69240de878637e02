#include <cstdio>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QSettings>
#include <QTimer>

#include "mainwindow.h"
#include "project.h"
#include "theme.h"

namespace {

// The last project; else the current folder when it is a project; else the example project
// the Debian package installs beside the program (../share/modelaudit/example).
QString defaultProject()
{
    const QString last = QSettings().value(QStringLiteral("project/last")).toString();
    if (!last.isEmpty())
        return last;
    const QString installed
        = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../share/modelaudit/example"));
    if (!Audit::Project::isProject(QDir::currentPath()) && Audit::Project::isProject(installed))
        return QDir::cleanPath(installed);
    return QDir::currentPath();
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    Ui::captureSystemTheme(); // the platform's own look, before anything changes it
    QApplication::setOrganizationName(QStringLiteral("ModelAudit"));
    QApplication::setApplicationName(QStringLiteral("ModelAudit"));
    QApplication::setApplicationVersion(QStringLiteral(MODELAUDIT_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/modelaudit.svg")));
    QApplication::setDesktopFileName(QStringLiteral("modelaudit"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("ModelAudit: audit a machine-learning model."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption project(QStringLiteral("project"), QStringLiteral("Project folder to open."), QStringLiteral("dir"));
    const QCommandLineOption tab(
        QStringLiteral("tab"), QStringLiteral("Tab to show: project, train, performance, slices, bias, predict, card, versions."),
        QStringLiteral("name"));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"), QStringLiteral("Save a PNG of the window once loaded, then exit."), QStringLiteral("file"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size for --screenshot."), QStringLiteral("WxH"),
                                  QStringLiteral("1400x900"));
    const QCommandLineOption theme(QStringLiteral("theme"),
                                   QStringLiteral("Colour theme: system, light or dark (this run only; View > Theme saves one)."),
                                   QStringLiteral("name"));
    parser.addOptions({project, tab, screenshot, size, theme});
    parser.process(app);

    const std::optional<Ui::Theme> chosenTheme = parser.isSet(theme)
        ? Audit::enumFromName<Ui::Theme>(parser.value(theme).toLower())
        : Ui::savedTheme();
    if (!chosenTheme) {
        std::fprintf(stderr, "modelaudit: --theme: unknown theme \"%s\" (expected %s)\n", qPrintable(parser.value(theme)),
                     qPrintable(Audit::enumNameList<Ui::Theme>()));
        return 2;
    }
    Ui::applyTheme(*chosenTheme);

    using Tab = Ui::MainWindow::Tab;
    const std::optional<Tab> startTab = parser.isSet(tab) ? Audit::enumFromName<Tab>(parser.value(tab)) : Tab::Project;
    if (!startTab) {
        std::fprintf(stderr, "modelaudit: --tab: unknown tab \"%s\" (expected %s)\n", qPrintable(parser.value(tab)),
                     qPrintable(Audit::enumNameList<Tab>()));
        return 2;
    }
    const QStringList wh = parser.value(size).split(QLatin1Char('x'));
    const int width = wh.value(0).toInt();
    const int height = wh.value(1).toInt();
    if (wh.size() != 2 || width < 200 || height < 200) {
        std::fprintf(stderr, "modelaudit: --size: expected WIDTHxHEIGHT such as 1400x900, found \"%s\"\n",
                     qPrintable(parser.value(size)));
        return 2;
    }

    const QString dir = parser.isSet(project) ? parser.value(project) : defaultProject();
    Ui::MainWindow window(QDir(dir).absolutePath());
    if (parser.isSet(tab) || parser.isSet(screenshot))
        window.pinTab(*startTab);
    if (!parser.isSet(screenshot)) {
        window.show();
        return app.exec();
    }
    window.resize(width, height);
    window.show();
    int code = 0;
    window.screenshotWhenIdle(parser.value(screenshot), [&code](const QString &error) {
        if (!error.isEmpty()) {
            std::fprintf(stderr, "modelaudit: screenshot failed: %s\n", qPrintable(error));
            code = 1;
        }
        QApplication::exit(code);
    });
    return app.exec();
}
