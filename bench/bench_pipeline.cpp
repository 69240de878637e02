// Prints the pipeline's speed and memory figures (not a test; never gates CI).
//   bench_pipeline [--project DIR] [--runs N] [--scale 100000,250000,1000000] [--no-scale]
// Census figures: load + clean + encode the raw file, train the default model, batch
// prediction of the test split, single-row prediction with encoding, peak RSS. Scale
// figures: a dataset resampled (seeded) from the census rows, one child process per size
// so each size reports its own peak RSS.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include "csvreader.h"
#include "groupthresholds.h"
#include "learners/xgboostlearner.h"
#include "model.h"
#include "params.h"
#include "rng.h"
#include "trainer.h"

using namespace Audit;

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point since)
{
    return std::chrono::duration<double>(Clock::now() - since).count();
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

double medianOf(int runs, const std::function<void()> &work)
{
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        const auto start = Clock::now();
        work();
        times.push_back(seconds(start));
    }
    return median(times);
}

double peakRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;
}

void census(const QString &project, int runs)
{
    const TrainParams params = TrainParams::fromYamlFile(QDir(project).filePath(QStringLiteral("params.yaml")));
    const Schema schema = Schema::fromYamlFile(params.schemaPath);
    const QString raw = QDir(project).filePath(QStringLiteral("data/raw/census.csv"));
    const QString trainPath = QDir(project).filePath(QStringLiteral("data/train.csv"));
    const QString testPath = QDir(project).filePath(QStringLiteral("data/test.csv"));

    std::printf("census (%s), median of %d runs, learner %s\n", qPrintable(raw), runs, qPrintable(enumName(params.learner.kind)));
    const double load = medianOf(runs, [&] {
        const LoadReport report = CsvReader::read(raw, schema);
        const FeatureEncoder encoder = FeatureEncoder::fit(report.data, params.encoder);
        const FeatureMatrix x = encoder.encode(report.data);
        if (x.rows() != 32561)
            std::abort();
    });
    std::printf("  load + clean + encode 32,561 rows   %8.1f ms   (goal <= 100 ms)\n", load * 1e3);

    const Dataset train = CsvReader::read(trainPath, schema).data;
    const Dataset test = CsvReader::read(testPath, schema).data;
    std::unique_ptr<Model> model;
    const double trainTime = medianOf(runs, [&] { model = std::make_unique<Model>(trainModel(train, params)); });
    std::printf("  train default model (%zu rows)    %8.2f s    (goal <= 5 s)\n", train.rowCount(), trainTime);

    std::vector<double> scores;
    const double batch = medianOf(std::max(runs, 5), [&] { scores = model->score(test); });
    std::printf("  batch predict %zu rows (encode+score) %6.1f ms   (goal <= 50 ms)\n", test.rowCount(), batch * 1e3);

    // The same with thresholds by group of the first protected attribute, one group mixing two
    // thresholds (equalized odds' randomisation): every row also gets its threshold, the mixed
    // group's drawn from a hash of its encoded values.
    if (!schema.protectedAttributes().empty()) {
        const QString attribute = schema.protectedAttributes().front().column;
        const DataColumn *column = nullptr;
        for (const DataColumn &c : test.columns)
            column = c.spec.name == attribute ? &c : column;
        const int feature = schema.featureIndex(attribute);
        const std::vector<std::string> &categories = model->encoder().columns()[std::size_t(feature)].categories;
        if (column && !column->spec.isNumeric() && categories.size() >= 2) {
            GroupThresholds g;
            g.attribute = attribute;
            g.constraint = QStringLiteral("equalized_odds");
            g.objective = QStringLiteral("f1");
            g.fittedOn = QStringLiteral("bench");
            g.seed = 1;
            for (std::size_t k = 0; k < categories.size(); ++k) // the groups: the training categories
                g.groups.push_back({QString::fromStdString(categories[k]),
                                    k == 0 ? std::vector<std::pair<double, double>>{{0.6, 0.3}, {0.3, 0.7}}
                                           : std::vector<std::pair<double, double>>{{model->threshold(), 1.0}}});
            const Model grouped = model->withGroupThresholds(g);
            std::vector<double> thresholds;
            const double withGroups = medianOf(std::max(runs, 5), [&] {
                thresholds.clear();
                scores = grouped.score(test, nullptr, &thresholds);
            });
            std::printf("  the same with group thresholds (%s, a mix) %6.1f ms   (one threshold: %.1f ms)\n",
                        qPrintable(attribute), withGroups * 1e3, batch * 1e3);
        }
    }

    // One row from its text values, as the HTTP server will receive it.
    std::vector<double> numbers(train.columns.size());
    std::vector<std::string> texts(train.columns.size());
    std::vector<float> row(std::size_t(model->encoder().width()));
    constexpr int kCalls = 20000;
    double sink = 0;
    const double single = medianOf(runs, [&] {
        for (int i = 0; i < kCalls; ++i) {
            const std::size_t r = std::size_t(i) % test.rowCount();
            for (std::size_t c = 0; c < test.columns.size(); ++c) {
                if (test.columns[c].spec.isNumeric())
                    numbers[c] = test.columns[c].numbers[r];
                else
                    texts[c] = test.columns[c].categories[std::size_t(test.columns[c].codes[r])];
            }
            model->encoder().encodeRow(numbers, texts, row.data());
            sink += model->learner().score(row.data(), row.size());
        }
    });
    std::printf("  single-row predict incl. encoding   %8.2f us   (goal <= 50 us)%s\n", single / kCalls * 1e6,
                sink < 0 ? " " : "");
    std::printf("  peak RSS                            %8.1f MB\n", peakRssMb());
}

QString makeResampled(const QString &raw, qint64 rows, const QString &out)
{
    QFile in(raw);
    in.open(QIODevice::ReadOnly);
    QList<QByteArray> lines = in.readAll().split('\n');
    const QByteArray header = lines.takeFirst();
    lines.removeAll(QByteArray());
    Rng rng(2024);
    QFile file(out);
    file.open(QIODevice::WriteOnly);
    file.write(header + '\n');
    for (qint64 i = 0; i < rows; ++i) {
        file.write(lines[qsizetype(rng.index(std::size_t(lines.size())))]);
        file.write("\n");
    }
    return out;
}

void scaleOne(const QString &project, qint64 rows, const QString &dir)
{
    TrainParams params = TrainParams::fromYamlFile(QDir(project).filePath(QStringLiteral("params.yaml")));
    if (params.learner.kind == LearnerKind::Xgboost) {
        // Resampled rows repeat (with replacement): early-stopping rows held out of boosting
        // are mostly copies of fitted rows, so the held-out loss never stops falling and every
        // round runs. The same number of rounds as the census model chose instead, fixed, so
        // that time per row compares across sizes.
        const Model census = Model::load(QDir(project).filePath(QStringLiteral("models/model.bin")));
        params.learner.rounds = dynamic_cast<const XgboostLearner &>(census.learner()).rounds();
        params.learner.earlyStoppingRounds = params.learner.rounds; // rows still held out (threshold), never stops early
        std::printf("  (xgboost: %d rounds, fixed, as the census model chose)\n", params.learner.rounds);
    }
    const Schema schema = Schema::fromYamlFile(params.schemaPath);
    const QString path = makeResampled(QDir(project).filePath(QStringLiteral("data/raw/census.csv")), rows,
                                       QDir(dir).filePath(QStringLiteral("scale_%1.csv").arg(rows)));
    auto start = Clock::now();
    const Dataset data = CsvReader::read(path, schema).data;
    const double load = seconds(start);
    start = Clock::now();
    const FeatureEncoder encoder = FeatureEncoder::fit(data, params.encoder);
    const FeatureMatrix x = encoder.encode(data);
    const double encode = seconds(start);
    start = Clock::now();
    const Model model = trainModel(data, params);
    const double train = seconds(start);
    start = Clock::now();
    const std::vector<double> scores = model.score(data);
    const double predict = seconds(start);
    std::printf("  %9lld rows  load %7.2f s  encode %6.2f s  train %7.2f s  predict %6.2f s  peak RSS %7.1f MB"
                "  (train %.2f us/row)\n",
                static_cast<long long>(rows), load, encode, train, predict, peakRssMb(), train / double(rows) * 1e6);
    QFile::remove(path);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments();
    const auto option = [&args](const QString &name, const QString &fallback) {
        const qsizetype i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args[i + 1] : fallback;
    };
    const QString project = option(QStringLiteral("--project"), QDir::currentPath());
    const int runs = option(QStringLiteral("--runs"), QStringLiteral("5")).toInt();

    if (args.contains(QStringLiteral("--scale-child"))) {
        scaleOne(project, option(QStringLiteral("--scale-child"), QStringLiteral("100000")).toLongLong(),
                 option(QStringLiteral("--tmp"), QDir::tempPath()));
        return 0;
    }
    census(project, runs);
    if (args.contains(QStringLiteral("--no-scale")))
        return 0;

    QTemporaryDir dir;
    std::printf("\nscale (census rows resampled with seed 2024; one process per size)\n");
    std::fflush(stdout);
    for (const QString &size :
         option(QStringLiteral("--scale"), QStringLiteral("100000,250000,1000000")).split(QLatin1Char(','))) {
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedChannels);
        child.start(
            app.applicationFilePath(),
            {QStringLiteral("--project"), project, QStringLiteral("--scale-child"), size, QStringLiteral("--tmp"), dir.path()});
        child.waitForFinished(-1);
    }
    return 0;
}
