// Attributions, importance and counterfactuals on the census project, side by side with
// XGBoost's own contributions (pred_contribs) on the same rows.
//   bench_explain [--project DIR] [--runs N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>

#include <xgboost/c_api.h>

#include <QCoreApplication>
#include <QDir>

#include "counterfactuals.h"
#include "csvreader.h"
#include "explainer.h"
#include "importance.h"
#include "learners/xgboostlearner.h"
#include "model.h"
#include "record.h"

using namespace Audit;

namespace {

using Clock = std::chrono::steady_clock;

double medianOf(int runs, const std::function<void()> &work)
{
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        const auto start = Clock::now();
        work();
        times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
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
    const int runs = option(QStringLiteral("--runs"), QStringLiteral("5")).toInt();
    const Model model = Model::load(project.filePath(QStringLiteral("models/model.bin")));
    const Dataset test = CsvReader::read(project.filePath(QStringLiteral("data/test.csv")), model.schema()).data;
    const FeatureMatrix x = model.encoder().encode(test);
    const Explainer explainer(model);
    std::printf("census test split (%zu rows), learner %s, %s\n", x.rows(), qPrintable(enumName(model.params().kind)),
                qPrintable(explainer.method()));

    double sink = 0;
    const auto warm = Clock::now();
    sink += explainer.explain(x.row(0)).base; // builds the TreeSHAP tables
    std::printf("  first explanation (builds the tables) %6.1f ms\n",
                std::chrono::duration<double>(Clock::now() - warm).count() * 1e3);
    const int calls = 2000;
    const double one = medianOf(runs, [&] {
        for (int i = 0; i < calls; ++i)
            sink += explainer.explain(x.row(std::size_t(i) % x.rows())).base;
    });
    std::printf("  explain one row                    %8.3f ms   (goal <= 1 ms)\n", one / calls * 1e3);
    const double all = medianOf(runs, [&] { sink += explainer.explainAll(x).front().base; });
    std::printf("  explain the whole split            %8.3f s    (goal <= 2 s)\n", all);

    if (const auto *booster = dynamic_cast<const XgboostLearner *>(&model.learner())) {
        BoosterHandle handle = nullptr;
        DMatrixHandle matrix = nullptr;
        XGBoosterCreate(nullptr, 0, &handle);
        XGBoosterLoadModelFromBuffer(handle, booster->boosterJson().data(), bst_ulong(booster->boosterJson().size()));
        XGBoosterSetParam(handle, "nthread", "2");
        XGDMatrixCreateFromMat(x.row(0), bst_ulong(x.rows()), bst_ulong(x.cols()), std::nanf(""), &matrix);
        const char *config = "{\"type\": 2, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, "
                             "\"strict_shape\": false}";
        const double theirs = medianOf(runs, [&] {
            const bst_ulong *shape = nullptr;
            bst_ulong dims = 0;
            const float *out = nullptr;
            XGBoosterPredictFromDMatrix(handle, matrix, config, &shape, &dims, &out);
            sink += out[0];
        });
        std::printf("  XGBoost's own pred_contribs, split %8.3f s    (same rows, 2 threads)\n", theirs);
        XGDMatrixFree(matrix);
        XGBoosterFree(handle);
    }

    const double perm = medianOf(std::max(1, runs / 2), [&] { sink += permutationImportance(model, x, test.labels).baseline; });
    std::printf("  permutation importance (5 x %zu columns) %6.3f s\n", model.schema().features().size(), perm);
    const double cf = medianOf(runs, [&] {
        for (int i = 0; i < 20; ++i)
            sink += double(
                findCounterfactuals(model, recordFromDataset(test, std::size_t(i)), model.threshold(), &test).answers.size());
    });
    std::printf("  counterfactuals, one record        %8.3f ms\n", cf / 20 * 1e3);
    return sink == 12345.678 ? 1 : 0;
}
