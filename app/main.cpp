#include <algorithm>
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

// The options, for the parser of the GUI run and of a help-only run without a display.
void describe(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral("ModelAudit: audit a machine-learning model."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("project"), QStringLiteral("Project folder to open."), QStringLiteral("dir")},
        {QStringLiteral("tab"),
         QStringLiteral("Tab to show: project, train, performance, slices, bias, predict, card, versions."),
         QStringLiteral("name")},
        {QStringLiteral("screenshot"), QStringLiteral("Save a PNG of the window once loaded, then exit."),
         QStringLiteral("file")},
        {QStringLiteral("size"), QStringLiteral("Window size for --screenshot."), QStringLiteral("WxH"),
         QStringLiteral("1400x900")},
        {QStringLiteral("theme"), QStringLiteral("Colour theme: system, light or dark (this run only; View > Theme saves one)."),
         QStringLiteral("name")},
    });
}

void nameTheApplication()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ModelAudit"));
    QCoreApplication::setApplicationName(QStringLiteral("ModelAudit"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MODELAUDIT_VERSION));
}

} // namespace

int main(int argc, char *argv[])
{
    // --help and --version need no window, and nothing works without a display: both are
    // answered before QApplication, which aborts when it cannot reach one.
    bool helpOnly = false;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        helpOnly = helpOnly || arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v" || arg == "--version";
    }
    const bool noDisplay = qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")
        && std::none_of(argv + 1, argv + argc, [](const char *a) { return QByteArray(a) == "-platform"; });
    if (helpOnly || noDisplay) {
        QCoreApplication core(argc, argv);
        nameTheApplication();
        QCommandLineParser parser;
        describe(parser);
        parser.process(core); // prints help or version and exits; exits 1 on unknown options
        std::fprintf(stderr,
                     "modelaudit: no display to open a window on (DISPLAY is not set). Run it in a desktop "
                     "session, under xvfb-run, or with QT_QPA_PLATFORM=offscreen for --screenshot.\n");
        return 2;
    }

    QApplication app(argc, argv);
    Ui::captureSystemTheme(); // the platform's own look, before anything changes it
    nameTheApplication();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/modelaudit.svg")));
    QApplication::setDesktopFileName(QStringLiteral("modelaudit"));

    QCommandLineParser parser;
    describe(parser);
    const QString project = QStringLiteral("project");
    const QString tab = QStringLiteral("tab");
    const QString screenshot = QStringLiteral("screenshot");
    const QString size = QStringLiteral("size");
    const QString theme = QStringLiteral("theme");
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
