// Prints the audit engine's speed (not a test; never gates CI).
//   bench_audit [--project DIR] [--runs N] [--rows 1000000] [--permutations 200]
// After predictions exist: every one-feature slice, every 2-way intersection and the bias
// audit of every protected attribute, on the census test split and on a dataset resampled
// (seeded) from the scored census rows; then the same again at another threshold, as the
// GUI's live slider does. Last, the slice finder's permutation check: how often it flags a
// weak slice when the predictions are shuffled across the rows (nothing to find).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>

#include <QCoreApplication>
#include <QDir>

#include "auditdataset.h"
#include "biasreport.h"
#include "csvreader.h"
#include "model.h"
#include "permutationcheck.h"
#include "prediction.h"
#include "rng.h"
#include "scoreddata.h"
#include "slicecounts.h"
#include "slicereport.h"

using namespace Audit;

namespace {

double medianMs(int runs, const std::function<void()> &work)
{
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

double peakRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;
}

std::size_t auditOnce(const ScoredData &data, const BiasOptions &bias, std::optional<double> threshold = std::nullopt,
                      AuditCache *cache = nullptr)
{
    const SliceReport slices = computeSlices(data, SliceOptions(), threshold, cache);
    const BiasReport groups = computeBias(data, bias, threshold, cache);
    return slices.slices.size() + groups.groups.size();
}

ScoredData resample(const ScoredData &source, std::size_t rows)
{
    Rng rng(2024);
    std::vector<std::size_t> pick(rows);
    for (std::size_t &r : pick)
        r = rng.index(source.rowCount());
    ScoredData out;
    out.threshold = source.threshold;
    out.source = QStringLiteral("resampled");
    for (const DataColumn &c : source.columns) {
        DataColumn copy;
        copy.spec = c.spec;
        copy.categories = c.categories;
        for (std::size_t r : pick) {
            if (c.spec.isNumeric())
                copy.numbers.push_back(c.numbers[r]);
            else
                copy.codes.push_back(c.codes[r]);
        }
        out.columns.push_back(std::move(copy));
    }
    for (std::size_t r : pick) {
        out.labels.push_back(source.labels[r]);
        out.scores.push_back(source.scores[r]);
    }
    return out;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const auto option = [&args](const QString &name, const QString &fallback) {
        const qsizetype i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args[i + 1] : fallback;
    };
    const QDir project(option(QStringLiteral("--project"), QDir::currentPath()));
    const int runs = option(QStringLiteral("--runs"), QStringLiteral("21")).toInt();
    const auto rows = std::size_t(option(QStringLiteral("--rows"), QStringLiteral("1000000")).toLongLong());

    const Model model = Model::load(project.filePath(QStringLiteral("models/model.bin")));
    const BiasOptions bias = resolveBiasOptions({}, &model.schema());
    const Dataset test = CsvReader::read(project.filePath(QStringLiteral("data/test.csv")), model.schema()).data;
    ScoredData scored = scoreDataset(model, test);
    std::size_t count = auditOnce(scored, bias);
    std::printf("audit: %zu features, %zu slices + groups per run, median of %d runs\n", scored.columns.size(), count, runs);
    std::printf("  census test split (%zu rows): slices + 2-way + bias   %7.2f ms   (goal <= 20 ms)\n", scored.rowCount(),
                medianMs(runs, [&] { auditOnce(scored, bias); }));
    double t = 0.3;
    std::printf("  threshold change + full recompute (census)          %7.2f ms   (goal <= 50 ms)\n", medianMs(runs, [&] {
                    scored.threshold = (t += 0.01);
                    auditOnce(scored, bias);
                }));

    const Dataset all = CsvReader::read(project.filePath(QStringLiteral("data/raw/census.csv")), model.schema()).data;
    const ScoredData big = resample(scoreDataset(model, all), rows);
    count = auditOnce(big, bias);
    std::printf("  %zu resampled rows: slices + 2-way + bias          %7.1f ms   (goal <= 1500 ms)\n", rows,
                medianMs(std::max(3, runs / 4), [&] { auditOnce(big, bias); }));
    // As the GUI's slider does: the ranking, grouped columns and label counts made once (the
    // first audit), then only the rows on the smaller side of each new threshold counted.
    AuditCache cache;
    auditOnce(big, bias, std::nullopt, &cache);
    double at = 0.2;
    std::printf("  %zu rows: threshold change with the audit cache     %7.1f ms   (goal <= 200 ms, the GUI's)\n", rows,
                medianMs(std::max(5, runs), [&] {
                    at = at >= 0.7 ? 0.2 : at + 0.05;
                    auditOnce(big, bias, at, &cache);
                }));
    std::printf("  peak RSS (whole run, data included)                 %7.1f MB   (goal <= 1024 MB)\n", peakRssMb());

    // The permutation experiment: the model's (label, score) pairs shuffled across the census
    // test rows, so no slice truly differs from the rest; how many runs flag any weak slice?
    const int permutations = option(QStringLiteral("--permutations"), QStringLiteral("200")).toInt();
    for (const double margin : {0.0, SliceOptions().weakMargin}) {
        SliceOptions options;
        options.weakMargin = margin;
        const auto start = std::chrono::steady_clock::now();
        const PermutationCheck check = permutationCheck(scored, options, permutations, 20261203);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("permutation check, census test split, margin %.2f, %d shuffles (seed 20261203, %.1f s):\n", margin,
                    check.runs, seconds);
        std::printf("  runs with any weak slice after BH (q <= %.2f)       %5.1f %%   (%d of %d; nominal <= %.0f %%)\n",
                    options.fdrQ, 100 * check.share(), check.runsWithDiscovery, check.runs, 100 * options.fdrQ);
        std::printf(
            "  runs with any slice at raw p <= %.2f                %5.1f %%   (%.1f such slices per run of %.0f tested)\n",
            options.fdrQ, 100 * check.rawShare(), check.meanRawDiscoveries, check.meanTested);
    }
    return 0;
}
