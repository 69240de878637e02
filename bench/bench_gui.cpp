// Prints the desktop application's speed (not a test; never gates CI). Run under a display
// or QT_QPA_PLATFORM=offscreen:
//   bench_gui [--project DIR] [--rows 1000000] [--runs 21]
// 1. cold start: process start to a shown window with the project loaded and audited;
// 2. a threshold change: slider moved to every view redrawn (median of --runs);
// 3. a dataset resampled to --rows rows opened and audited, with the longest time the
//    event loop went without running (a frozen window would show it here).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSlider>
#include <QTemporaryDir>
#include <QTimer>

#include "mainwindow.h"
#include "projectsession.h"
#include "rng.h"

namespace {

const auto processStart = std::chrono::steady_clock::now();

double msSinceStart()
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - processStart).count();
}

void waitFor(const std::function<bool()> &done)
{
    while (!done())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

double peakRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;
}

// A copy of the project whose test file holds `rows` rows resampled (seeded) from the raw data.
void makeBigProject(const QDir &project, const QString &dir, qint64 rows)
{
    QDir(dir).mkpath(QStringLiteral("data"));
    QDir(dir).mkpath(QStringLiteral("models"));
    QFile::copy(project.filePath(QStringLiteral("params.yaml")), QDir(dir).filePath(QStringLiteral("params.yaml")));
    QFile::copy(project.filePath(QStringLiteral("data/census.schema.yaml")),
                QDir(dir).filePath(QStringLiteral("data/census.schema.yaml")));
    QFile::copy(project.filePath(QStringLiteral("models/model.bin")), QDir(dir).filePath(QStringLiteral("models/model.bin")));
    QFile raw(project.filePath(QStringLiteral("data/raw/census.csv")));
    raw.open(QIODevice::ReadOnly);
    QList<QByteArray> lines = raw.readAll().split('\n');
    const QByteArray header = lines.takeFirst();
    lines.removeAll(QByteArray());
    QFile out(QDir(dir).filePath(QStringLiteral("data/test.csv")));
    out.open(QIODevice::WriteOnly);
    out.write(header + '\n');
    Audit::Rng rng(2024);
    for (qint64 i = 0; i < rows; ++i) {
        out.write(lines[qsizetype(rng.index(std::size_t(lines.size())))]);
        out.write("\n");
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("ModelAuditBench"));
    const QStringList args = app.arguments();
    const auto option = [&args](const QString &name, const QString &fallback) {
        const qsizetype i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args[i + 1] : fallback;
    };
    const QDir project(option(QStringLiteral("--project"), QDir::currentPath()));
    const int runs = option(QStringLiteral("--runs"), QStringLiteral("21")).toInt();
    const qint64 rows = option(QStringLiteral("--rows"), QStringLiteral("1000000")).toLongLong();

    {
        Ui::MainWindow window(project.absolutePath());
        window.resize(1400, 900);
        window.show();
        Ui::ProjectSession *session = window.session();
        waitFor([&] { return session->results() && !session->isBusy(); });
        std::printf("gui: cold start to an interactive window with %s loaded and audited   %7.0f ms   (goal <= 1500 ms)\n",
                    qPrintable(project.dirName()), msSinceStart());

        std::vector<double> times;
        for (int i = 0; i < runs; ++i) {
            QElapsedTimer timer;
            bool redrawn = false;
            const auto connection = QObject::connect(session, &Ui::ProjectSession::resultsChanged, &app,
                                                     [&redrawn] { redrawn = true; });
            timer.start();
            window.thresholdSlider()->setValue(200 + (i % 2) * 300 + i);
            // resultsChanged's slots redraw every tab before control returns to the loop.
            waitFor([&] { return redrawn && !session->isBusy(); });
            QCoreApplication::processEvents();
            times.push_back(double(timer.nsecsElapsed()) / 1e6);
            QObject::disconnect(connection);
        }
        std::sort(times.begin(), times.end());
        std::printf("gui: threshold change to every view redrawn (census, median of %d)      %7.1f ms   (goal <= 100 ms)\n", runs,
                    times[times.size() / 2]);
    }

    if (rows > 0) {
        QTemporaryDir dir;
        makeBigProject(project, dir.path(), rows);
        Ui::MainWindow window({});
        window.resize(1400, 900);
        window.show();
        Ui::ProjectSession *session = window.session();
        QElapsedTimer since;
        qint64 longestGap = 0;
        QTimer ticker;
        ticker.setInterval(10);
        QObject::connect(&ticker, &QTimer::timeout, &app, [&] { longestGap = std::max(longestGap, since.restart()); });
        int progressSignals = 0;
        QObject::connect(session, &Ui::ProjectSession::progressChanged, &app, [&] { ++progressSignals; });
        QElapsedTimer total;
        total.start();
        since.start();
        ticker.start();
        session->openProject(dir.path());
        waitFor([&] { return session->results() && !session->isBusy(); });
        const double loaded = double(total.elapsed());
        QElapsedTimer slider;
        slider.start();
        window.thresholdSlider()->setValue(450);
        waitFor([&] { return session->results()->threshold == 0.45 && !session->isBusy(); });
        std::printf("gui: %lld rows opened, scored and audited in %.1f s (%d progress updates); threshold change %.0f ms;\n"
                    "     longest event-loop stall %lld ms (every view redraws on the GUI thread); peak RSS %.0f MB\n",
                    static_cast<long long>(rows), loaded / 1000, progressSignals, double(slider.elapsed()),
                    static_cast<long long>(longestGap), peakRssMb());
    }
    return 0;
}
