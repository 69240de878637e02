#include <bit>
#include <cmath>
#include <functional>
#include <sstream>

#include <QtTest>
#include <dlib/serialize.h>

#include "counterfactuals.h"
#include "csvreader.h"
#include "explainer.h"
#include "explainreport.h"
#include "learners/logisticlearner.h"
#include "learners/randomforestlearner.h"
#include "model.h"
#include "partialdependence.h"
#include "prediction.h"
#include "record.h"
#include "schemaerror.h"
#include "testutil.h"
#include "trainer.h"

using namespace Audit;

Q_DECLARE_METATYPE(Audit::LearnerKind)

// Attributions of every learner on real census rows: they add up to the model's output in
// both spaces (local accuracy), the exact ones equal Shapley values computed by their
// definition, the sampled ones come within their standard errors of the exact interventional
// values, and all of it is deterministic.
class TestExplain : public QObject
{
    Q_OBJECT

private:
    Dataset m_train;
    Dataset m_test;

    static TrainParams paramsFor(LearnerKind kind)
    {
        TrainParams params;
        params.learner.kind = kind;
        params.learner.trees = 20;
        params.learner.minLeaf = 40;
        params.learner.epochs = 4;
        params.learner.rounds = 80;
        return params;
    }

    // The explainer's log-odds: a probability of exactly 0 or 1 (a forest's leaves can all be 0)
    // is read as 1e-15 or 1 - 1e-15.
    static double logit(double p)
    {
        const double q = std::clamp(p, 1e-15, 1 - 1e-15);
        return std::log(q / (1 - q));
    }

    // Shapley values over the columns by their definition, for a value function v(coalition).
    static std::vector<double> shapley(std::size_t players, const std::function<double(std::uint32_t)> &v)
    {
        std::vector<double> factorial(players + 1, 1.0);
        for (std::size_t k = 1; k <= players; ++k)
            factorial[k] = factorial[k - 1] * double(k);
        std::vector<double> values(1u << players);
        for (std::uint32_t s = 0; s < values.size(); ++s)
            values[s] = v(s);
        std::vector<double> phi(players, 0.0);
        for (std::size_t p = 0; p < players; ++p) {
            for (std::uint32_t s = 0; s < values.size(); ++s) {
                if (s & (1u << p))
                    continue;
                const auto size = std::size_t(std::popcount(s));
                phi[p] += factorial[size] * factorial[players - size - 1] / factorial[players]
                    * (values[s | (1u << p)] - values[s]);
            }
        }
        return phi;
    }

private Q_SLOTS:
    void initTestCase();
    void everyLearner_addsUpInBothSpaces_data();
    void everyLearner_addsUpInBothSpaces();
    void linear_isCoefficientTimesCentredValue_data();
    void linear_isCoefficientTimesCentredValue();
    void forest_treeShapEqualsBruteForceShapley();
    void mlp_samplingIsWithinItsErrorOfExactShapley();
    void explainAll_equalsOneByOneAndIsDeterministic();
    void forestWithoutCovers_fallsBackToSampling();
    void counterfactuals_flipAndChangeOnlyActionableColumns();
    void partialDependence_averagesTheIceCurves();
    void sliceImportance_isTheMeanOverTheSlicesRows();
};

void TestExplain::initTestCase()
{
    const LoadReport all = CsvReader::read(TestUtil::censusRaw(), Schema::fromYamlFile(TestUtil::censusSchema()));
    std::vector<std::size_t> trainRows;
    std::vector<std::size_t> testRows;
    const std::vector<int> fold = stratifiedFolds(all.data.labels, 10, 11);
    for (std::size_t i = 0; i < fold.size(); ++i) {
        if (fold[i] == 0)
            trainRows.push_back(i);
        else if (fold[i] == 1 && testRows.size() < 200)
            testRows.push_back(i);
    }
    m_train = all.data.subset(trainRows);
    m_test = all.data.subset(testRows);
}

void TestExplain::everyLearner_addsUpInBothSpaces_data()
{
    QTest::addColumn<LearnerKind>("kind");
    QTest::addColumn<bool>("exact");
    QTest::addColumn<QString>("native");
    QTest::newRow("xgboost") << LearnerKind::Xgboost << true << "log-odds";
    QTest::newRow("random_forest") << LearnerKind::RandomForest << true << "probability";
    QTest::newRow("logistic") << LearnerKind::Logistic << true << "log-odds";
    QTest::newRow("linear_svm") << LearnerKind::LinearSvm << true << "log-odds";
    QTest::newRow("mlp") << LearnerKind::Mlp << false << "probability";
}

void TestExplain::everyLearner_addsUpInBothSpaces()
{
    QFETCH(LearnerKind, kind);
    QFETCH(bool, exact);
    QFETCH(QString, native);
    // Through the file: what explains is what was saved.
    QTemporaryDir dir;
    trainModel(m_train, paramsFor(kind)).save(dir.filePath(QStringLiteral("m.bin")));
    const Model model = Model::load(dir.filePath(QStringLiteral("m.bin")));
    const Explainer explainer(model);
    QCOMPARE(explainer.exact(), exact);
    QCOMPARE(enumName(explainer.nativeSpace()), native);
    QCOMPARE(explainer.columns().size(), qsizetype(model.schema().features().size()));
    const FeatureMatrix x = model.encoder().encode(m_test);
    const std::vector<double> scores = model.score(m_test);
    for (std::size_t r = 0; r < 20; ++r) {
        for (OutputSpace space : {OutputSpace::LogOdds, OutputSpace::Probability}) {
            ExplainOptions options;
            options.space = space;
            options.permutations = 8;
            const Explanation e = explainer.explain(x.row(r), options);
            QCOMPARE(e.space, space);
            QCOMPARE(e.values.size(), std::size_t(explainer.columns().size()));
            double sum = e.base;
            for (double v : e.values)
                sum += v;
            const double expected = space == OutputSpace::Probability ? scores[r] : logit(scores[r]);
            // Local accuracy: the attributions add up to the model's own output.
            QVERIFY2(std::abs(sum - expected) < 1e-6,
                     qPrintable(QStringLiteral("row %1 %2: base + sum = %3, model %4")
                                    .arg(r)
                                    .arg(enumName(space))
                                    .arg(sum, 0, 'g', 12)
                                    .arg(expected, 0, 'g', 12)));
            QVERIFY(std::abs(e.output - expected) < 1e-6);
            QVERIFY(std::abs(e.probability - scores[r]) < 1e-6); // one row or a batch (dlib's MLP)
            QCOMPARE(e.standardErrors.empty(), exact);
            const QJsonObject json = explainer.toJson(e, options);
            QCOMPARE(json.value(QStringLiteral("exact")).toBool(), exact && enumName(space) == native);
            QCOMPARE(json.value(QStringLiteral("attributions")).toObject().size(), explainer.columns().size());
        }
    }
}

void TestExplain::linear_isCoefficientTimesCentredValue_data()
{
    QTest::addColumn<LearnerKind>("kind");
    QTest::newRow("logistic") << LearnerKind::Logistic;
    QTest::newRow("linear_svm") << LearnerKind::LinearSvm;
}

// A linear log-odds model's attribution of a column is what the log-odds lose when that
// column's encoded values are replaced by the training means: the model as a black box.
void TestExplain::linear_isCoefficientTimesCentredValue()
{
    QFETCH(LearnerKind, kind);
    const Model model = trainModel(m_train, paramsFor(kind));
    const Explainer explainer(model);
    const FeatureMatrix x = model.encoder().encode(m_test);
    const std::vector<double> &means = model.background().means;
    QCOMPARE(means.size(), x.cols());
    // The means are those of the encoded training rows.
    const FeatureMatrix train = model.encoder().encode(m_train);
    for (std::size_t f = 0; f < x.cols(); f += 7) {
        double sum = 0;
        for (std::size_t r = 0; r < train.rows(); ++r)
            sum += train.row(r)[f];
        QVERIFY(std::abs(sum / double(train.rows()) - means[f]) < 1e-9);
    }
    const auto &columns = model.encoder().columns();
    for (std::size_t r = 0; r < 10; ++r) {
        const Explanation e = explainer.explain(x.row(r));
        const double full = logit(model.learner().score(x.row(r), x.cols()));
        for (std::size_t c = 0; c < columns.size(); ++c) {
            std::vector<float> centred(x.row(r), x.row(r) + x.cols());
            const int end = c + 1 < columns.size() ? columns[c + 1].offset : model.encoder().width();
            for (int f = columns[c].offset; f < end; ++f)
                centred[std::size_t(f)] = float(means[std::size_t(f)]);
            const double without = logit(model.learner().score(centred.data(), centred.size()));
            QVERIFY2(std::abs(e.values[c] - (full - without)) < 1e-5,
                     qPrintable(QStringLiteral("%1: %2 vs %3").arg(columns[c].spec.name).arg(e.values[c]).arg(full - without)));
        }
    }
}

// Path-dependent TreeSHAP over the forest's own trees and recorded covers equals the Shapley
// values of v(S) = the forest's output with S fixed and the rest averaged by cover.
void TestExplain::forest_treeShapEqualsBruteForceShapley()
{
    TrainParams params = paramsFor(LearnerKind::RandomForest);
    params.learner.trees = 2;
    params.learner.minLeaf = 600;
    const Model model = trainModel(m_train, params);
    const TreeEnsemble &trees = dynamic_cast<const RandomForestLearner &>(model.learner()).ensemble();
    QCOMPARE(trees.trees.size(), std::size_t(2));
    // Covers are the training rows reaching each node: the root holds them all.
    for (const TreeEnsemble::Tree &tree : trees.trees)
        QCOMPARE(tree.nodes[0].cover, double(m_train.rowCount()));
    std::vector<std::uint32_t> players;
    for (const TreeEnsemble::Tree &tree : trees.trees) {
        for (const TreeEnsemble::Node &node : tree.nodes) {
            if (node.left != TreeEnsemble::kLeaf && std::find(players.begin(), players.end(), node.feature) == players.end())
                players.push_back(node.feature);
        }
    }
    QVERIFY2(players.size() >= 3 && players.size() <= 18, qPrintable(QString::number(players.size())));
    const FeatureMatrix x = model.encoder().encode(m_test);
    const Explainer explainer(model);
    for (std::size_t r : {0, 9, 42}) {
        const float *row = x.row(r);
        const std::vector<double> exact = shapley(players.size(), [&](std::uint32_t s) {
            double sum = 0;
            for (const TreeEnsemble::Tree &tree : trees.trees) {
                const std::function<double(std::uint32_t)> walk = [&](std::uint32_t i) -> double {
                    const TreeEnsemble::Node &n = tree.nodes[i];
                    if (n.left == TreeEnsemble::kLeaf)
                        return n.value;
                    const auto p = std::size_t(std::find(players.begin(), players.end(), n.feature) - players.begin());
                    if (s & (1u << p))
                        return walk(row[n.feature] < n.threshold ? n.left : n.right);
                    const double l = tree.nodes[n.left].cover;
                    const double rr = tree.nodes[n.right].cover;
                    return (l * walk(n.left) + rr * walk(n.right)) / (l + rr);
                };
                sum += walk(0);
            }
            return sum / double(trees.trees.size());
        });
        std::vector<double> phi(x.cols(), 0.0);
        trees.shap(row, phi.data());
        for (std::size_t p = 0; p < players.size(); ++p)
            QVERIFY2(std::abs(exact[p] - phi[players[p]]) < 1e-12,
                     qPrintable(QStringLiteral("feature %1: %2 vs %3").arg(players[p]).arg(exact[p]).arg(phi[players[p]])));
        // And the explainer sums them into columns, in probability.
        ExplainOptions probability;
        probability.space = OutputSpace::Probability;
        const Explanation e = explainer.explain(row, probability);
        double total = 0;
        for (double v : e.values)
            total += v;
        double featureTotal = 0;
        for (double v : phi)
            featureTotal += v;
        QVERIFY(std::abs(total - featureTotal) < 1e-12);
    }
}

// The MLP's sampled values against the exact interventional Shapley values over the columns
// with the same background rows: v(S) = mean over background rows b of f(row on S, b elsewhere),
// every coalition of the 14 columns scored.
void TestExplain::mlp_samplingIsWithinItsErrorOfExactShapley()
{
    const Model model = trainModel(m_train, paramsFor(LearnerKind::Mlp));
    const Explainer explainer(model);
    QVERIFY(!explainer.exact());
    QVERIFY(explainer.method().contains(QStringLiteral("sampling Shapley")));
    const FeatureMatrix x = model.encoder().encode(m_test);
    const FeatureMatrix &background = model.background().rows;
    QCOMPARE(background.rows(), ExplainBackground::kRows);
    const auto &columns = model.encoder().columns();
    const std::size_t players = columns.size();
    const std::size_t width = x.cols();
    const float *row = x.row(3);
    // Every coalition x every background row: one batch of background rows per coalition.
    FeatureMatrix block(background.rows(), width);
    const std::vector<double> exact = shapley(players, [&](std::uint32_t s) {
        for (std::size_t b = 0; b < background.rows(); ++b) {
            float *z = block.row(b);
            std::copy(background.row(b), background.row(b) + width, z);
            for (std::size_t c = 0; c < players; ++c) {
                if (s & (1u << c)) {
                    const int end = c + 1 < players ? columns[c + 1].offset : model.encoder().width();
                    std::copy(row + columns[c].offset, row + end, z + columns[c].offset);
                }
            }
        }
        double sum = 0;
        for (double v : model.learner().scoreAll(block))
            sum += v;
        return sum / double(background.rows());
    });
    ExplainOptions options;
    options.space = OutputSpace::Probability;
    options.permutations = 64;
    const Explanation e = explainer.explain(row, options);
    int within = 0;
    for (std::size_t c = 0; c < players; ++c) {
        const double gap = std::abs(e.values[c] - exact[c]);
        QVERIFY2(gap <= 4 * e.standardErrors[c] + 1e-9,
                 qPrintable(QStringLiteral("%1: sampled %2 ± %3, exact %4")
                                .arg(columns[c].spec.name)
                                .arg(e.values[c])
                                .arg(e.standardErrors[c])
                                .arg(exact[c])));
        within += gap <= 2 * e.standardErrors[c] + 1e-9;
    }
    QVERIFY2(within >= int(players) - 3, qPrintable(QString::number(within))); // ~95% within 2 SE
    double total = 0;
    for (double v : exact)
        total += v;
    double sampled = 0;
    for (double v : e.values)
        sampled += v;
    QVERIFY(std::abs(total - sampled) < 1e-9); // both add up to f(row) - mean f(background)
}

void TestExplain::explainAll_equalsOneByOneAndIsDeterministic()
{
    for (LearnerKind kind : {LearnerKind::Xgboost, LearnerKind::Mlp}) {
        const Model model = trainModel(m_train, paramsFor(kind));
        const Explainer explainer(model);
        const FeatureMatrix x = model.encoder().encode(m_test);
        ExplainOptions options;
        options.permutations = 4;
        const std::vector<Explanation> all = explainer.explainAll(x, options);
        QCOMPARE(all.size(), x.rows());
        for (std::size_t r : {std::size_t(0), std::size_t(77), x.rows() - 1}) {
            const Explanation one = explainer.explain(x.row(r), options);
            QCOMPARE(one.values, all[r].values);
            QCOMPARE(one.base, all[r].base);
        }
        QCOMPARE(explainer.explainAll(x, options)[5].values, all[5].values);
    }
}

void TestExplain::forestWithoutCovers_fallsBackToSampling()
{
    // A forest file from before covers were saved: dlib's bytes only.
    const Model model = trainModel(m_train, paramsFor(LearnerKind::RandomForest));
    QVERIFY(Explainer(model).exact());
    std::ostringstream full;
    model.learner().save(full);
    const std::string bytes = full.str();
    const std::size_t at = bytes.rfind("MACOVER1");
    QVERIFY(at != std::string::npos);
    std::istringstream old(bytes.substr(0, at));
    std::unique_ptr<Learner> learner = model.learner().clone();
    learner->load(old);
    std::vector<double> phi(std::size_t(model.encoder().width()), 0.0);
    const FeatureMatrix x = model.encoder().encode(m_test);
    QVERIFY(!learner->exactAttributions(x.row(0), x.cols(), {}, phi.data()).has_value());
    // Trailing bytes that are not covers are refused.
    std::istringstream junk(bytes.substr(0, at) + "MACOVERX");
    QVERIFY_THROWS_EXCEPTION(dlib::serialization_error, learner->load(junk));
}

// Every answer really gives the other decision when applied to the record, changes only
// actionable columns (never a protected one), stays in the training ranges and categories, and
// no answer's columns contain a cheaper answer's.
void TestExplain::counterfactuals_flipAndChangeOnlyActionableColumns()
{
    const Model model = trainModel(m_train, paramsFor(LearnerKind::Xgboost));
    const Schema &schema = model.schema();
    QStringList actionable;
    for (const ColumnSpec &c : schema.features()) {
        if (c.actionable)
            actionable << c.name;
    }
    QVERIFY2(actionable.size() >= 2, "the census schema marks some columns actionable");
    int withAnswers = 0;
    std::vector<float> row(std::size_t(model.encoder().width()));
    for (std::size_t r = 0; r < 40; ++r) {
        const Record record = recordFromDataset(m_test, r);
        const CounterfactualSearch search = findCounterfactuals(model, record, model.threshold(), &m_test);
        QCOMPARE(search.actionable, actionable);
        withAnswers += !search.answers.empty();
        QVERIFY(search.answers.size() <= 3);
        QCOMPARE(search.answers.empty(), !search.note.isEmpty());
        std::vector<QSet<QString>> sets;
        double lastCost = 0;
        for (const Counterfactual &a : search.answers) {
            QVERIFY(a.cost >= lastCost);
            lastCost = a.cost;
            Record changed = record;
            QSet<QString> columns;
            for (const CounterfactualChange &c : a.changes) {
                const int f = schema.featureIndex(c.column);
                QVERIFY(f >= 0);
                QVERIFY2(schema.features()[std::size_t(f)].actionable, qPrintable(c.column));
                QVERIFY(!schema.isProtected(c.column));
                const FeatureEncoder::Column &column = model.encoder().columns()[std::size_t(f)];
                if (c.numeric) {
                    QVERIFY(c.toNumber >= column.minimum && c.toNumber <= column.maximum);
                    changed.numbers[std::size_t(f)] = c.toNumber;
                } else {
                    QVERIFY(model.encoder().categoryIndex(std::size_t(f), c.to.toStdString()) >= 0);
                    changed.texts[std::size_t(f)] = c.to.toStdString();
                }
                columns.insert(c.column);
            }
            model.encoder().encodeRow(changed.numbers, changed.texts, row.data());
            const double p = model.learner().score(row.data(), row.size());
            QVERIFY(std::abs(p - a.probability) < 1e-12);
            QVERIFY2((p >= model.threshold()) != search.positive, qPrintable(QStringLiteral("row %1: P %2").arg(r).arg(p)));
            for (const QSet<QString> &earlier : sets)
                QVERIFY(!columns.contains(earlier)); // minimal: not a cheaper answer plus more
            sets.push_back(columns);
        }
    }
    QVERIFY2(withAnswers >= 20, qPrintable(QString::number(withAnswers)));
}

void TestExplain::partialDependence_averagesTheIceCurves()
{
    const Model model = trainModel(m_train, paramsFor(LearnerKind::Logistic));
    const QString column = model.schema().features()[0].name; // numeric in the census schema
    PartialDependenceOptions options;
    options.sample = 30;
    const PartialDependence pd = partialDependence(model, m_test, column, options);
    QVERIFY(pd.numeric);
    QCOMPARE(pd.curves.size(), std::size_t(30));
    QVERIFY(pd.values.size() >= 10);
    QVERIFY(std::is_sorted(pd.numbers.begin(), pd.numbers.end()));
    for (std::size_t g = 0; g < pd.numbers.size(); ++g) {
        double sum = 0;
        for (const IceCurve &c : pd.curves)
            sum += c.probabilities[g];
        QVERIFY(std::abs(sum / 30 - pd.average[g]) < 1e-12);
    }
    // An ICE point is the model on the record with that value, the rest kept.
    const IceCurve &curve = pd.curves[3];
    Record record = recordFromDataset(m_test, curve.row);
    QCOMPARE(curve.ownProbability, predictRecord(model, record).probability);
    record.numbers[0] = pd.numbers[2];
    QCOMPARE(curve.probabilities[2], predictRecord(model, record).probability);
    // The same seed gives the same rows; another seed others.
    QCOMPARE(partialDependence(model, m_test, column, options).curves[7].row, pd.curves[7].row);
    options.seed = 7;
    QVERIFY(partialDependence(model, m_test, column, options).curves[0].row != pd.curves[0].row
            || partialDependence(model, m_test, column, options).curves[1].row != pd.curves[1].row);
    QVERIFY_THROWS_EXCEPTION(SchemaError, partialDependence(model, m_test, QStringLiteral("no such column"), options));
}

void TestExplain::sliceImportance_isTheMeanOverTheSlicesRows()
{
    const Model model = trainModel(m_train, paramsFor(LearnerKind::Logistic));
    ImportanceRequest request = standardImportanceRequest(model.schema());
    request.permutationToo = false;
    const ImportanceReport report = importanceReport(model, m_test, request);
    QCOMPARE(report.rows.size(), m_test.rowCount());
    const QString column = model.schema().protectedAttributes().back().column;
    const DataColumn &data = m_test.columns[std::size_t(m_test.schema.featureIndex(column))];
    const QString value = QString::fromStdString(data.categories[std::size_t(data.codes[0])]);
    const std::optional<GroupImportance> why = sliceImportance(report, m_test, {column}, {value}, 4, model.threshold());
    QVERIFY(why);
    std::vector<std::size_t> rows;
    std::size_t errors = 0;
    for (std::size_t r = 0; r < m_test.rowCount(); ++r) {
        if (data.codes[r] == data.codes[0]) {
            rows.push_back(r);
            errors += (report.explanations[r].probability >= model.threshold()) != bool(m_test.labels[r]);
        }
    }
    QCOMPARE(why->rows, rows.size());
    QCOMPARE(why->errors, errors);
    const QString top = why->all.columns.front().column;
    const auto c = std::size_t(report.columns.indexOf(top));
    double mean = 0;
    for (std::size_t r : rows)
        mean += std::abs(report.explanations[r].values[c]) / double(rows.size());
    QVERIFY(std::abs(mean - why->all.columns.front().value) < 1e-12);
    QVERIFY(!sliceImportance(report, m_test, {column}, {QStringLiteral("no such group")}, 4, 0.5));
    QVERIFY(!sliceImportance(report, m_test, {QStringLiteral("no such column")}, {value}, 4, 0.5));
}

QTEST_GUILESS_MAIN(TestExplain)
#include "tst_explain.moc"
