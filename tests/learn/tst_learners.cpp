#include <sstream>

#include <QtTest>
#include <dlib/random_forest.h>

#include "csvreader.h"
#include "learnerfactory.h"
#include "model.h"
#include "schemaerror.h"
#include "testutil.h"
#include "trainer.h"

using namespace Audit;

Q_DECLARE_METATYPE(Audit::LearnerKind)

// Trains every learner on a seeded 4,000-row sample of the real census data and checks
// quality, save/load and determinism.
class TestLearners : public QObject
{
    Q_OBJECT

private:
    Dataset m_train;
    Dataset m_test;
    QTemporaryDir m_dir;

    static TrainParams paramsFor(LearnerKind kind)
    {
        TrainParams params;
        params.learner.kind = kind;
        params.learner.trees = 30;
        params.learner.minLeaf = 20;
        params.learner.epochs = 8;
        return params;
    }

private Q_SLOTS:
    void initTestCase();
    void train_beatsChanceAndRoundTrips_data();
    void train_beatsChanceAndRoundTrips();
    void train_isByteIdenticalWhenRepeated_data();
    void train_isByteIdenticalWhenRepeated();
    void randomForest_scoresAreDlibsBitForBit();
    void randomForest_brokenTreesAreRefusedOnLoad();
    void train_oneClassIsRejectedBeforeDlib();
    void train_reportsProgressAndCancels();
    void crossValidate_reportsMeanAndSd();
};

void TestLearners::initTestCase()
{
    const LoadReport all = CsvReader::read(TestUtil::censusRaw(), Schema::fromYamlFile(TestUtil::censusSchema()));
    std::vector<std::size_t> trainRows;
    std::vector<std::size_t> testRows;
    const std::vector<int> fold = stratifiedFolds(all.data.labels, 8, 7);
    for (std::size_t i = 0; i < fold.size(); ++i) {
        if (fold[i] == 0)
            trainRows.push_back(i);
        else if (fold[i] == 1)
            testRows.push_back(i);
    }
    m_train = all.data.subset(trainRows);
    m_test = all.data.subset(testRows);
    QVERIFY(m_train.rowCount() > 4000);
}

void TestLearners::train_beatsChanceAndRoundTrips_data()
{
    QTest::addColumn<LearnerKind>("kind");
    QTest::addColumn<double>("minAuc");
    QTest::newRow("logistic") << LearnerKind::Logistic << 0.88;
    QTest::newRow("linear_svm") << LearnerKind::LinearSvm << 0.88;
    QTest::newRow("random_forest") << LearnerKind::RandomForest << 0.88;
    QTest::newRow("mlp") << LearnerKind::Mlp << 0.86;
    QTest::newRow("xgboost") << LearnerKind::Xgboost << 0.90;
}

void TestLearners::train_beatsChanceAndRoundTrips()
{
    QFETCH(LearnerKind, kind);
    QFETCH(double, minAuc);
    const Model model = trainModel(m_train, paramsFor(kind));
    QCOMPARE(model.params().kind, kind);
    QVERIFY(model.training().thresholdTuned);
    QVERIFY(model.threshold() > 0.0 && model.threshold() < 1.0);

    const std::vector<double> scores = model.score(m_test);
    const BinaryMetrics m = computeMetrics(scores, m_test.labels, model.threshold());
    QVERIFY2(m.rocAuc >= minAuc, qPrintable(QStringLiteral("AUC %1").arg(m.rocAuc)));
    QVERIFY2(m.f1 >= 0.6, qPrintable(QStringLiteral("F1 %1").arg(m.f1)));
    for (double s : scores)
        QVERIFY(s >= 0.0 && s <= 1.0);

    const QString path = m_dir.filePath(enumName(kind) + QStringLiteral(".bin"));
    model.save(path);
    const Model loaded = Model::load(path);
    QCOMPARE(loaded.md5(), model.md5());
    QCOMPARE(loaded.threshold(), model.threshold());
    QCOMPARE(loaded.training().rows, std::int64_t(m_train.rowCount()));
    QCOMPARE(loaded.training().dataMd5, m_train.md5);
    QCOMPARE(loaded.schema().toJson(), model.schema().toJson());
    const std::vector<double> again = loaded.score(m_test);
    QCOMPARE(again, scores);
    // One-row scoring agrees with batch scoring.
    const FeatureMatrix x = loaded.encoder().encode(m_test);
    QVERIFY(std::abs(loaded.learner().score(x.row(3), x.cols()) - scores[3]) < 1e-6);
}

void TestLearners::train_isByteIdenticalWhenRepeated_data()
{
    train_beatsChanceAndRoundTrips_data();
}

void TestLearners::train_isByteIdenticalWhenRepeated()
{
    QFETCH(LearnerKind, kind);
    const QByteArray first = trainModel(m_train, paramsFor(kind)).serialize();
    const QByteArray second = trainModel(m_train, paramsFor(kind)).serialize();
    QCOMPARE(first.size(), second.size());
    QVERIFY(first == second);
    TrainParams otherSeed = paramsFor(kind);
    otherSeed.learner.seed = 7;
    if (kind == LearnerKind::RandomForest || kind == LearnerKind::Mlp || kind == LearnerKind::Xgboost)
        QVERIFY(trainModel(m_train, otherSeed).serialize() != first);
}

// The forest scores rows tree by tree in blocks (scoreAll) and walks float rows (score); both
// must give dlib's own random_forest_regression_function::operator() result, to the bit.
void TestLearners::randomForest_scoresAreDlibsBitForBit()
{
    const Model model = trainModel(m_train, paramsFor(LearnerKind::RandomForest));
    std::ostringstream bytes;
    model.learner().save(bytes);
    std::istringstream in(bytes.str());
    dlib::random_forest_regression_function<dlib::dense_feature_extractor> dlibForest;
    deserialize(dlibForest, in);
    QCOMPARE(dlibForest.get_num_trees(), std::size_t(30));

    const FeatureMatrix test = model.encoder().encode(m_test);
    FeatureMatrix x(test.rows() * 3, test.cols()); // > 8,192 rows: several blocks on two threads
    for (std::size_t r = 0; r < x.rows(); ++r)
        std::copy(test.row(r % test.rows()), test.row(r % test.rows()) + test.cols(), x.row(r));
    const std::vector<double> batch = model.learner().scoreAll(x);
    QCOMPARE(batch.size(), x.rows());
    dlib::matrix<double, 0, 1> sample(long(x.cols()));
    std::size_t distinct = 0;
    for (std::size_t r = 0; r < x.rows(); ++r) {
        for (std::size_t c = 0; c < x.cols(); ++c)
            sample(long(c)) = x.row(r)[c];
        const double expected = std::clamp(dlibForest(sample), 0.0, 1.0);
        QVERIFY2(std::memcmp(&batch[r], &expected, sizeof(double)) == 0, qPrintable(QString::number(r)));
        const double one = model.learner().score(x.row(r), x.cols());
        QVERIFY(std::memcmp(&one, &expected, sizeof(double)) == 0);
        distinct += r > 0 && batch[r] != batch[r - 1];
    }
    QVERIFY(distinct > x.rows() / 2); // real, varied scores
}

// dlib walks whatever indices a file holds (its checks are off in Debian's build): a node
// pointing past its tree, or back up it (a loop), must be refused when the forest is loaded,
// not read out of bounds or looped on while scoring.
void TestLearners::randomForest_brokenTreesAreRefusedOnLoad()
{
    using Node = dlib::internal_tree_node<dlib::dense_feature_extractor>;
    const auto bytesOf = [](std::vector<std::vector<Node>> trees) {
        std::vector<std::vector<float>> leaves(trees.size(), {0.25f, 0.75f});
        dlib::random_forest_regression_function<dlib::dense_feature_extractor> forest(dlib::dense_feature_extractor(),
                                                                                      std::move(trees), std::move(leaves));
        std::ostringstream out;
        serialize(forest, out);
        return out.str();
    };
    const auto loads = [](const std::string &bytes) {
        auto learner = makeLearner(LearnerKind::RandomForest);
        std::istringstream in(bytes);
        try {
            learner->load(in);
            return QString();
        } catch (const dlib::serialization_error &e) {
            return QString::fromStdString(e.what());
        }
    };
    Node good{1, 2, 0.5f, 0}; // one split: leaves 0 and 1 are nodes 1 and 2
    QCOMPARE(loads(bytesOf({{good}})), QString());
    Node past = good;
    past.left = 7;
    QVERIFY(loads(bytesOf({{past}})).contains(QStringLiteral("points past its tree")));
    Node loop = good;
    loop.right = 0;
    QVERIFY(loads(bytesOf({{loop}})).contains(QStringLiteral("points back up its tree")));
    // Two trees and one list of leaves (fuzz_model: flatten read past the leaf lists).
    std::vector<std::vector<Node>> two{{good}, {good}};
    std::vector<std::vector<float>> oneList{{0.25f, 0.75f}};
    dlib::random_forest_regression_function<dlib::dense_feature_extractor> uneven(dlib::dense_feature_extractor(), std::move(two),
                                                                                  std::move(oneList));
    std::ostringstream out;
    serialize(uneven, out);
    QCOMPARE(loads(out.str()), QStringLiteral("random forest: 2 trees but 1 lists of leaves"));
}

void TestLearners::train_oneClassIsRejectedBeforeDlib()
{
    std::vector<std::size_t> negatives;
    for (std::size_t i = 0; i < m_train.rowCount() && negatives.size() < 200; ++i) {
        if (!m_train.labels[i])
            negatives.push_back(i);
    }
    const Dataset oneClass = m_train.subset(negatives);
    for (LearnerKind kind :
         {LearnerKind::Logistic, LearnerKind::LinearSvm, LearnerKind::RandomForest, LearnerKind::Mlp, LearnerKind::Xgboost}) {
        try {
            trainModel(oneClass, paramsFor(kind));
            QFAIL("expected SchemaError");
        } catch (const SchemaError &e) {
            QVERIFY2(e.message().contains(QStringLiteral("only one class (0 of 200 rows positive)")), e.what());
        }
    }
}

void TestLearners::train_reportsProgressAndCancels()
{
    QList<int> seen;
    Progress progress;
    progress.report = [&seen](int done, int total, const QString &) { seen << done * 1000 / std::max(1, total); };
    trainModel(m_train, paramsFor(LearnerKind::Mlp), progress);
    QVERIFY(seen.size() > 10);
    QCOMPARE(seen.back(), 1000);
    QVERIFY(std::is_sorted(seen.begin(), seen.end()));

    int calls = 0;
    Progress cancelling;
    cancelling.isCancelled = [&calls] { return ++calls > 3; };
    QVERIFY_THROWS_EXCEPTION(CancelledError, trainModel(m_train, paramsFor(LearnerKind::Mlp), cancelling));
}

void TestLearners::crossValidate_reportsMeanAndSd()
{
    const CrossValidationReport cv = crossValidate(m_train, paramsFor(LearnerKind::Logistic), 3);
    QCOMPARE(cv.perFold.size(), 3);
    QCOMPARE(cv.summary[2].name, QStringLiteral("f1"));
    const double mean = (cv.perFold[0].f1 + cv.perFold[1].f1 + cv.perFold[2].f1) / 3;
    QVERIFY(std::abs(cv.summary[2].mean - mean) < 1e-12);
    QVERIFY(cv.summary[2].sd > 0);
    std::int64_t support = 0;
    for (const BinaryMetrics &m : cv.perFold)
        support += m.support;
    QCOMPARE(support, std::int64_t(m_train.rowCount()));
    QVERIFY(cv.toText().contains(QStringLiteral("f1")));
    QVERIFY_THROWS_EXCEPTION(OptionError, crossValidate(m_train, paramsFor(LearnerKind::Logistic), 1));
}

QTEST_GUILESS_MAIN(TestLearners)
#include "tst_learners.moc"
