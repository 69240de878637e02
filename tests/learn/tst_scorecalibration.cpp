#include <cmath>
#include <numeric>

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include "calibration.h"
#include "calibrator.h"
#include "csvreader.h"
#include "explainer.h"
#include "explainreport.h"
#include "learners/logisticlearner.h" // sigmoid
#include "model.h"
#include "modelfileerror.h"
#include "rng.h"
#include "schemaerror.h"
#include "testutil.h"
#include "trainer.h"

using namespace Audit;

Q_DECLARE_METATYPE(Audit::LearnerKind)
Q_DECLARE_METATYPE(Audit::CalibrationMethod)

// Post-hoc calibration: Platt's fit meets its own optimality conditions and recovers a known
// curve, isotonic regression equals the min-max formula of the isotonic fit, both repair a
// constructed miscalibrated score on rows they never saw and leave a calibrated one alone; and
// in a model on real census rows the map is stored, applied by every scorer, threshold
// included, attributions add up to the calibrated output, and a damaged map is refused.
class TestScoreCalibration : public QObject
{
    Q_OBJECT

private:
    Dataset m_train;
    Dataset m_test;

    static double logit(double p)
    {
        const double q = std::clamp(p, 1e-15, 1 - 1e-15);
        return std::log(q / (1 - q));
    }

    // n scores uniform in (0, 1) and labels drawn with P(1) = truth(score).
    static void simulate(std::size_t n, std::uint64_t seed, const std::function<double(double)> &truth,
                         std::vector<double> &scores, std::vector<std::int8_t> &labels)
    {
        Rng rng(seed);
        scores.resize(n);
        labels.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            scores[i] = 0.001 + 0.998 * rng.uniform();
            labels[i] = rng.uniform() < truth(scores[i]) ? 1 : 0;
        }
    }

    static TrainParams paramsFor(LearnerKind kind, CalibrationMethod method)
    {
        TrainParams params;
        params.learner.kind = kind;
        params.learner.rounds = 60;
        params.learner.trees = 15;
        params.learner.minLeaf = 40;
        params.learner.epochs = 3;
        params.calibration = method;
        return params;
    }

    // The model file with its JSON header edited by `edit`, resealed as an attacker would.
    static QByteArray withHeader(const QByteArray &file, const std::function<void(QJsonObject &)> &edit)
    {
        const quint32 headerSize = qFromLittleEndian<quint32>(file.constData() + 12);
        QJsonObject header = QJsonDocument::fromJson(file.mid(24, qsizetype(headerSize))).object();
        edit(header);
        const QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
        QByteArray out = file.left(24) + json + file.mid(24 + qsizetype(headerSize), file.size() - 16 - 24 - headerSize);
        const quint32 size = qToLittleEndian(quint32(json.size()));
        std::memcpy(out.data() + 12, &size, 4);
        return out + QCryptographicHash::hash(out, QCryptographicHash::Md5);
    }

private Q_SLOTS:
    void initTestCase();
    void platt_meetsItsOptimalityConditionsAndRecoversTheCurve();
    void isotonic_equalsTheMinMaxFormula();
    void isotonic_poolsTiesAndInterpolates();
    void bothMethods_repairAMiscalibratedScoreOnUnseenRows();
    void calibratedScore_isLeftAlmostAlone();
    void eceInterval_separatesCalibratedFromMiscalibrated();
    void eceInterval_ofManyRowsMatchesResamplingThem();
    void tooFewHeldOutRows_isAClearError();
    void model_appliesTheMapEverywhereAndRoundTrips_data();
    void model_appliesTheMapEverywhereAndRoundTrips();
    void attributions_addUpToTheCalibratedOutput_data();
    void attributions_addUpToTheCalibratedOutput();
    void report_showsBeforeAndAfter();
    void damagedMap_isRefusedNamingTheMember_data();
    void damagedMap_isRefusedNamingTheMember();
};

void TestScoreCalibration::initTestCase()
{
    const LoadReport all = CsvReader::read(TestUtil::censusRaw(), Schema::fromYamlFile(TestUtil::censusSchema()));
    std::vector<std::size_t> trainRows;
    std::vector<std::size_t> testRows;
    const std::vector<int> fold = stratifiedFolds(all.data.labels, 8, 11);
    for (std::size_t i = 0; i < fold.size(); ++i) {
        if (fold[i] == 0)
            trainRows.push_back(i);
        else if (fold[i] == 1)
            testRows.push_back(i);
    }
    m_train = all.data.subset(trainRows); // ~4,000 rows each
    m_test = all.data.subset(testRows);
}

void TestScoreCalibration::platt_meetsItsOptimalityConditionsAndRecoversTheCurve()
{
    // Labels from P(1) = sigmoid(1.7 * logit(s) - 0.4): the fit should find a = 1.7, b = -0.4.
    std::vector<double> scores;
    std::vector<std::int8_t> labels;
    simulate(
        40000, 3, [](double s) { return sigmoid(1.7 * std::log(s / (1 - s)) - 0.4); }, scores, labels);
    const ScoreCalibration c = ScoreCalibration::fit(CalibrationMethod::Platt, scores, labels, QStringLiteral("simulated"));
    QVERIFY2(std::abs(c.a - 1.7) < 0.06 && std::abs(c.b + 0.4) < 0.05, qPrintable(c.describe()));
    // At the maximum likelihood both partial derivatives vanish, with Platt's smoothed targets
    // t+ = (N+ + 1) / (N+ + 2) and t- = 1 / (N- + 2):
    //   sum (q_i - t_i) = 0 and sum (q_i - t_i) z_i = 0, q_i = sigmoid(a z_i + b), z_i = logit(s_i).
    const double positives = double(std::count(labels.begin(), labels.end(), std::int8_t(1)));
    const double negatives = double(labels.size()) - positives;
    double gb = 0, ga = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const double z = logit(scores[i]);
        const double t = labels[i] ? (positives + 1) / (positives + 2) : 1 / (negatives + 2);
        const double q = 1 / (1 + std::exp(-(c.a * z + c.b)));
        gb += q - t;
        ga += (q - t) * z;
    }
    QVERIFY2(std::abs(gb) < 1e-4 && std::abs(ga) < 1e-4, qPrintable(QStringLiteral("%1 %2").arg(ga).arg(gb)));
    QCOMPARE(c.apply(0.3), 1 / (1 + std::exp(-(c.a * std::log(0.3 / 0.7) + c.b))));
    QVERIFY(c.after.logLoss < c.before.logLoss);
    // Deterministic.
    const ScoreCalibration again = ScoreCalibration::fit(CalibrationMethod::Platt, scores, labels, QStringLiteral("simulated"));
    QCOMPARE(again.a, c.a);
    QCOMPARE(again.b, c.b);
}

void TestScoreCalibration::isotonic_equalsTheMinMaxFormula()
{
    // The isotonic least-squares fit at point i (points sorted, distinct) is
    //   max over j <= i of min over k >= i of mean(y[j..k])
    // (Barlow et al. 1972, the min-max formula), here by brute force.
    Rng rng(5);
    std::vector<double> scores(120);
    std::vector<std::int8_t> labels(120);
    for (std::size_t i = 0; i < scores.size(); ++i) {
        scores[i] = (double(i) + 0.5) / 120.0;
        labels[i] = rng.uniform() < scores[i] ? 1 : 0;
    }
    const ScoreCalibration c = ScoreCalibration::fit(CalibrationMethod::Isotonic, scores, labels, QStringLiteral("simulated"));
    for (std::size_t i = 0; i < scores.size(); ++i) {
        double best = -1;
        for (std::size_t j = 0; j <= i; ++j) {
            double lowest = 2;
            double sum = 0;
            for (std::size_t k = j; k < scores.size(); ++k) {
                sum += labels[k];
                if (k >= i)
                    lowest = std::min(lowest, sum / double(k - j + 1));
            }
            best = std::max(best, lowest);
        }
        QVERIFY2(std::abs(c.apply(scores[i]) - best) < 1e-12,
                 qPrintable(QStringLiteral("point %1: %2 vs %3").arg(i).arg(c.apply(scores[i])).arg(best)));
    }
    for (std::size_t i = 1; i < c.y.size(); ++i)
        QVERIFY(c.y[i] >= c.y[i - 1] && c.x[i] > c.x[i - 1]);
}

void TestScoreCalibration::isotonic_poolsTiesAndInterpolates()
{
    // 0.1:0 | 0.2:1 0.3:0 (a violation: pooled to 0.5) | 0.4:1 0.5:1, and three rows tied at
    // 0.6 (1, 0, 0: pooled to 1/3 first), which violate the 1s below and pool with them:
    // (1 + 1 + 1) / 5 = 0.6 over 0.4 .. 0.6.
    std::vector<double> scores{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.6, 0.6};
    std::vector<std::int8_t> labels{0, 1, 0, 1, 1, 1, 0, 0};
    // Repeated 10 times so the fit has its 50 rows (the same map: weights scale).
    std::vector<double> s;
    std::vector<std::int8_t> l;
    for (int r = 0; r < 10; ++r) {
        s.insert(s.end(), scores.begin(), scores.end());
        l.insert(l.end(), labels.begin(), labels.end());
    }
    const ScoreCalibration c = ScoreCalibration::fit(CalibrationMethod::Isotonic, s, l, QStringLiteral("constructed"));
    const std::vector<double> x{0.1, 0.2, 0.3, 0.4, 0.6};
    const std::vector<double> y{0.0, 0.5, 0.5, 0.6, 0.6};
    QCOMPARE(c.x.size(), x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        QCOMPARE(c.x[i], x[i]);
        QVERIFY(std::abs(c.y[i] - y[i]) < 1e-12);
    }
    QVERIFY(std::abs(c.apply(0.35) - 0.55) < 1e-12); // halfway from (0.3, 0.5) to (0.4, 0.6)
    QVERIFY(std::abs(c.apply(0.15) - 0.25) < 1e-12);
    QCOMPARE(c.apply(0.0), 0.0); // clipped outside the fit range
    QVERIFY(std::abs(c.apply(0.95) - 0.6) < 1e-12);
    QVERIFY(std::isnan(c.apply(std::nan(""))));
}

void TestScoreCalibration::bothMethods_repairAMiscalibratedScoreOnUnseenRows()
{
    // The truth is s^2: the score is overconfident everywhere but at 0 and 1.
    const auto truth = [](double s) { return s * s; };
    std::vector<double> fitScores, testScores;
    std::vector<std::int8_t> fitLabels, testLabels;
    simulate(20000, 7, truth, fitScores, fitLabels);
    simulate(20000, 8, truth, testScores, testLabels);
    const double before = calibrationCurve(testScores, testLabels).ece;
    QVERIFY2(before > 0.1, qPrintable(QString::number(before))); // E|s - s^2| = 1/6
    for (CalibrationMethod method : {CalibrationMethod::Platt, CalibrationMethod::Isotonic}) {
        const ScoreCalibration c = ScoreCalibration::fit(method, fitScores, fitLabels, QStringLiteral("simulated"));
        std::vector<double> calibrated = testScores;
        c.applyAll(calibrated);
        const double after = calibrationCurve(calibrated, testLabels).ece;
        QVERIFY2(after < 0.03, qPrintable(QStringLiteral("%1: ECE %2 -> %3").arg(enumName(method)).arg(before).arg(after)));
        // And the map is close to the truth itself.
        for (double s : {0.2, 0.5, 0.8})
            QVERIFY2(std::abs(c.apply(s) - truth(s)) < 0.06,
                     qPrintable(QStringLiteral("%1 at %2: %3").arg(enumName(method)).arg(s).arg(c.apply(s))));
    }
}

void TestScoreCalibration::calibratedScore_isLeftAlmostAlone()
{
    std::vector<double> scores;
    std::vector<std::int8_t> labels;
    simulate(
        20000, 9, [](double s) { return s; }, scores, labels);
    const ScoreCalibration c = ScoreCalibration::fit(CalibrationMethod::Platt, scores, labels, QStringLiteral("simulated"));
    QVERIFY2(std::abs(c.a - 1) < 0.05 && std::abs(c.b) < 0.05, qPrintable(c.describe()));
    const ScoreCalibration iso = ScoreCalibration::fit(CalibrationMethod::Isotonic, scores, labels, QStringLiteral("simulated"));
    for (double s : {0.1, 0.3, 0.5, 0.7, 0.9})
        QVERIFY2(std::abs(iso.apply(s) - s) < 0.05, qPrintable(QStringLiteral("%1 -> %2").arg(s).arg(iso.apply(s))));
}

void TestScoreCalibration::eceInterval_separatesCalibratedFromMiscalibrated()
{
    std::vector<double> scores;
    std::vector<std::int8_t> labels;
    simulate(
        20000, 10, [](double s) { return s; }, scores, labels);
    const double ece = calibrationCurve(scores, labels).ece;
    const Interval ci = eceInterval(scores, labels);
    QVERIFY2(ci.low <= ece + 1e-3 && ece <= ci.high + 1e-3 && ci.high < 0.02,
             qPrintable(QStringLiteral("%1 [%2, %3]").arg(ece).arg(ci.low).arg(ci.high)));
    const Interval again = eceInterval(scores, labels);
    QCOMPARE(again.low, ci.low); // seeded
    QCOMPARE(again.high, ci.high);
    simulate(
        20000, 10, [](double s) { return s * s; }, scores, labels);
    const Interval bad = eceInterval(scores, labels);
    QVERIFY2(bad.low > 0.12, qPrintable(QStringLiteral("[%1, %2]").arg(bad.low).arg(bad.high)));
    // A smaller sample: a wider interval.
    scores.resize(500);
    labels.resize(500);
    const Interval small = eceInterval(scores, labels);
    QVERIFY(small.high - small.low > bad.high - bad.low);
}

void TestScoreCalibration::eceInterval_ofManyRowsMatchesResamplingThem()
{
    // 150,000 rows: past kExactBootstrapDraws, so the normal limit. Against a plain bootstrap
    // done here (rows drawn with replacement, ECE recomputed by calibrationCurve).
    std::vector<double> scores;
    std::vector<std::int8_t> labels;
    simulate(
        150000, 12, [](double s) { return 0.9 * s + 0.05; }, scores, labels);
    QVERIFY(scores.size() * 200 > kExactBootstrapDraws);
    const Interval fast = eceInterval(scores, labels);
    Rng rng(99);
    std::vector<double> eces;
    std::vector<double> s(scores.size());
    std::vector<std::int8_t> l(scores.size());
    for (int r = 0; r < 100; ++r) {
        for (std::size_t k = 0; k < scores.size(); ++k) {
            const std::size_t i = rng.index(scores.size());
            s[k] = scores[i];
            l[k] = labels[i];
        }
        eces.push_back(calibrationCurve(s, l).ece);
    }
    std::sort(eces.begin(), eces.end());
    const double low = eces[2]; // ~2.5th percentile of 100
    const double high = eces[97]; // ~97.5th
    QVERIFY2(
        std::abs(fast.low - low) < 0.15 * (high - low) + 1e-4 && std::abs(fast.high - high) < 0.15 * (high - low) + 1e-4,
        qPrintable(QStringLiteral("normal limit [%1, %2], resampled [%3, %4]").arg(fast.low).arg(fast.high).arg(low).arg(high)));
}

void TestScoreCalibration::tooFewHeldOutRows_isAClearError()
{
    std::vector<double> scores(40, 0.5);
    std::vector<std::int8_t> labels(40, 0);
    labels[0] = labels[1] = 1;
    try {
        ScoreCalibration::fit(CalibrationMethod::Isotonic, scores, labels, QStringLiteral("an inner validation split"));
        QFAIL("a map fit on 40 rows");
    } catch (const SchemaError &e) {
        QVERIFY2(e.message().contains(
                     QStringLiteral("isotonic calibration needs at least 50 held-out rows and 5 of each class; an inner "
                                    "validation split has 2 positive and 38 negative of 40"))
                     && e.message().contains(QStringLiteral("model.calibration: none")),
                 e.what());
    }
    // The trainer says the same for a training set too small to hold enough rows out.
    std::vector<std::size_t> rows(120);
    std::iota(rows.begin(), rows.end(), std::size_t(0));
    try {
        trainModel(m_train.subset(rows), paramsFor(LearnerKind::Logistic, CalibrationMethod::Platt));
        QFAIL("trained a calibrated model on 25 held-out rows");
    } catch (const SchemaError &e) {
        QVERIFY2(e.message().startsWith(QStringLiteral("platt calibration needs at least 50 held-out rows and 5 of each "
                                                       "class; an inner validation split (25 training rows")),
                 e.what());
    }
}

void TestScoreCalibration::model_appliesTheMapEverywhereAndRoundTrips_data()
{
    QTest::addColumn<LearnerKind>("kind");
    QTest::addColumn<CalibrationMethod>("method");
    QTest::newRow("xgboost, platt") << LearnerKind::Xgboost << CalibrationMethod::Platt;
    QTest::newRow("xgboost, isotonic") << LearnerKind::Xgboost << CalibrationMethod::Isotonic;
    QTest::newRow("logistic, isotonic (inner split)") << LearnerKind::Logistic << CalibrationMethod::Isotonic;
    QTest::newRow("random_forest, platt (out of bag)") << LearnerKind::RandomForest << CalibrationMethod::Platt;
}

void TestScoreCalibration::model_appliesTheMapEverywhereAndRoundTrips()
{
    QFETCH(LearnerKind, kind);
    QFETCH(CalibrationMethod, method);
    const Model plain = trainModel(m_train, paramsFor(kind, CalibrationMethod::None));
    const Model model = trainModel(m_train, paramsFor(kind, method));
    QCOMPARE(plain.formatVersion(), quint32(1));
    QCOMPARE(model.formatVersion(), quint32(2));
    QCOMPARE(model.calibration().method, method);
    QVERIFY(model.calibration().fitRows >= std::int64_t(ScoreCalibration::kMinRows));
    // The learner is the same as the uncalibrated model's; the map sits on top of it.
    const std::vector<double> raw = plain.score(m_test);
    const std::vector<double> calibrated = model.score(m_test);
    const auto [after, before] = model.scoreBeforeAfter(m_test);
    const FeatureMatrix x = model.encoder().encode(m_test);
    for (std::size_t r = 0; r < raw.size(); r += 37) {
        QCOMPARE(before[r], raw[r]);
        QCOMPARE(calibrated[r], model.calibration().apply(raw[r]));
        QCOMPARE(after[r], calibrated[r]);
        QCOMPARE(model.learner().score(x.row(r), x.cols()), calibrated[r]);
        QCOMPARE(model.uncalibratedLearner().score(x.row(r), x.cols()), raw[r]);
    }
    // The threshold is tuned on the calibrated held-out scores: the same decisions there as
    // the uncalibrated threshold makes on the raw ones for a strictly increasing (Platt) map.
    QVERIFY(model.training().thresholdTuned);
    if (method == CalibrationMethod::Platt)
        QVERIFY2(std::abs(model.threshold() - model.calibration().apply(plain.threshold())) < 0.02,
                 qPrintable(QStringLiteral("%1 vs %2").arg(model.threshold()).arg(model.calibration().apply(plain.threshold()))));
    // Saved and loaded: the same map, the same scores, the same bytes; training again too.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("calibrated.bin"));
    model.save(path);
    const Model loaded = Model::load(path);
    QCOMPARE(loaded.md5(), model.md5());
    QCOMPARE(loaded.serialize(), model.serialize());
    QCOMPARE(loaded.score(m_test), calibrated);
    QCOMPARE(trainModel(m_train, paramsFor(kind, method)).md5(), model.md5());
    QCOMPARE(loaded.describe().value(QStringLiteral("calibration")).toObject().value(QStringLiteral("method")).toString(),
             enumName(method));
}

void TestScoreCalibration::attributions_addUpToTheCalibratedOutput_data()
{
    QTest::addColumn<LearnerKind>("kind");
    QTest::addColumn<CalibrationMethod>("method");
    QTest::addColumn<bool>("shapley");
    QTest::newRow("xgboost, platt: still exact in log-odds") << LearnerKind::Xgboost << CalibrationMethod::Platt << true;
    QTest::newRow("logistic, platt: still exact in log-odds") << LearnerKind::Logistic << CalibrationMethod::Platt << true;
    QTest::newRow("xgboost, isotonic: rescaled") << LearnerKind::Xgboost << CalibrationMethod::Isotonic << false;
    QTest::newRow("random_forest, platt: rescaled") << LearnerKind::RandomForest << CalibrationMethod::Platt << false;
    QTest::newRow("mlp, isotonic: sampled") << LearnerKind::Mlp << CalibrationMethod::Isotonic << false;
}

void TestScoreCalibration::attributions_addUpToTheCalibratedOutput()
{
    QFETCH(LearnerKind, kind);
    QFETCH(CalibrationMethod, method);
    QFETCH(bool, shapley);
    const Model model = trainModel(m_train, paramsFor(kind, method));
    const Model plain = trainModel(m_train, paramsFor(kind, CalibrationMethod::None));
    const Explainer explainer(model);
    const Explainer plainExplainer(plain);
    QCOMPARE(explainer.exact(), shapley);
    const FeatureMatrix x = model.encoder().encode(m_test);
    ExplainOptions options;
    options.permutations = 8;
    for (OutputSpace space : {OutputSpace::LogOdds, OutputSpace::Probability}) {
        options.space = space;
        for (std::size_t r = 0; r < 40; r += 7) {
            const Explanation e = explainer.explain(x.row(r), options);
            const double p = model.learner().score(x.row(r), x.cols());
            QCOMPARE(e.probability, p);
            const double target = space == OutputSpace::Probability ? p : logit(p);
            const double sum = std::accumulate(e.values.begin(), e.values.end(), e.base);
            QVERIFY2(std::abs(sum - target) < 1e-6 && std::abs(e.output - target) < 1e-6,
                     qPrintable(QStringLiteral("row %1 in %2: %3 vs %4").arg(r).arg(enumName(space)).arg(sum).arg(target)));
            if (shapley && space == OutputSpace::LogOdds) {
                // Platt in log-odds: every value is a times the uncalibrated one, the base a * base + b.
                const Explanation raw = plainExplainer.explain(x.row(r), options);
                const ScoreCalibration &c = model.calibration();
                QVERIFY(std::abs(e.base - (c.a * raw.base + c.b)) < 1e-9);
                for (std::size_t k = 0; k < e.values.size(); ++k)
                    QVERIFY(std::abs(e.values[k] - c.a * raw.values[k]) < 1e-9);
            }
        }
    }
    QVERIFY(!explainer.method().isEmpty());
    if (kind != LearnerKind::Mlp)
        QVERIFY2(explainer.method(ExplainOptions{explainer.nativeSpace()})
                     .contains(shapley ? QStringLiteral("still exact") : QStringLiteral("not Shapley values")),
                 qPrintable(explainer.method()));
}

void TestScoreCalibration::report_showsBeforeAndAfter()
{
    const Model model = trainModel(m_train, paramsFor(LearnerKind::Xgboost, CalibrationMethod::Isotonic));
    const CalibrationReport report = calibrationReport(model, m_test);
    QVERIFY(report.uncalibrated.has_value());
    const auto [after, before] = model.scoreBeforeAfter(m_test);
    // Each side is the curve of its own scores, computed independently here.
    QCOMPARE(report.overall.curve.ece, calibrationCurve(after, m_test.labels).ece);
    QCOMPARE(report.uncalibrated->curve.ece, calibrationCurve(before, m_test.labels).ece);
    double brier = 0;
    for (std::size_t i = 0; i < before.size(); ++i)
        brier += (before[i] - m_test.labels[i]) * (before[i] - m_test.labels[i]);
    QVERIFY(std::abs(report.uncalibrated->brier - brier / double(before.size())) < 1e-12);
    QVERIFY(report.overall.eceCi.low <= report.overall.eceCi.high);
    QCOMPARE(report.uncalibrated->groupEce.size(), report.groups.size());
    const QJsonObject json = report.toJson();
    QVERIFY(json.value(QStringLiteral("calibration")).toString().startsWith(QStringLiteral("isotonic")));
    QCOMPARE(json.value(QStringLiteral("uncalibrated")).toObject().value(QStringLiteral("ece")).toDouble(),
             report.uncalibrated->curve.ece);
    QVERIFY(report.toText().contains(QStringLiteral("before calibration: ECE")));
    // An uncalibrated model has no "before".
    const CalibrationReport plain = calibrationReport(
        trainModel(m_train, paramsFor(LearnerKind::Logistic, CalibrationMethod::None)), m_test);
    QVERIFY(!plain.uncalibrated);
    QVERIFY(!plain.toJson().contains(QStringLiteral("uncalibrated")));
}

void TestScoreCalibration::damagedMap_isRefusedNamingTheMember_data()
{
    const QByteArray isotonic = trainModel(m_train, paramsFor(LearnerKind::Logistic, CalibrationMethod::Isotonic)).serialize();
    const QByteArray platt = trainModel(m_train, paramsFor(LearnerKind::Logistic, CalibrationMethod::Platt)).serialize();
    const QByteArray plain = trainModel(m_train, paramsFor(LearnerKind::Logistic, CalibrationMethod::None)).serialize();
    const auto editMap = [](const QByteArray &file, const std::function<void(QJsonObject &)> &edit) {
        return withHeader(file, [&edit](QJsonObject &h) {
            QJsonObject c = h.value(QStringLiteral("calibration")).toObject();
            edit(c);
            h.insert(QStringLiteral("calibration"), c);
        });
    };
    const auto setArray = [](const char *key, int at, QJsonValue value) {
        return [=](QJsonObject &c) {
            QJsonArray a = c.value(QLatin1String(key)).toArray();
            a[at] = value;
            c.insert(QLatin1String(key), a);
        };
    };
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("message");
    QTest::newRow("untouched, resealed") << withHeader(isotonic, [](QJsonObject &) {}) << QString();
    QTest::newRow("unknown method") << editMap(isotonic, [](QJsonObject &c) { c.insert(QStringLiteral("method"), "magic"); })
                                    << "calibration.method: unknown method \"magic\"";
    QTest::newRow("method none") << editMap(isotonic, [](QJsonObject &c) { c.insert(QStringLiteral("method"), "none"); })
                                 << "calibration.method: \"none\"";
    QTest::newRow("x going down") << editMap(isotonic, setArray("x", 1, -0.5)) << "calibration.x[1]";
    QTest::newRow("y above 1") << editMap(isotonic, setArray("y", 0, 7.0)) << "calibration.y[0]";
    QTest::newRow("y a string") << editMap(isotonic, setArray("y", 1, QStringLiteral("0.4"))) << "calibration.y[1]";
    QTest::newRow("x and y of different lengths")
        << editMap(isotonic, [](QJsonObject &c) { c.insert(QStringLiteral("y"), QJsonArray{0.1}); })
        << "calibration.x, calibration.y";
    QTest::newRow("platt a missing") << editMap(platt, [](QJsonObject &c) { c.remove(QStringLiteral("a")); })
                                     << "calibration.a: expected a finite number";
    QTest::newRow("platt a negative (reverses the ranking)")
        << editMap(platt, [](QJsonObject &c) { c.insert(QStringLiteral("a"), -50); })
        << "calibration.a: -50 is outside (0, 1000]";
    QTest::newRow("platt a huge (attributions overflow)")
        << editMap(platt, [](QJsonObject &c) { c.insert(QStringLiteral("a"), 1e308); }) << "calibration.a: ";
    QTest::newRow("platt b huge") << editMap(platt, [](QJsonObject &c) { c.insert(QStringLiteral("b"), -1e308); })
                                  << "calibration.b: ";
    QTest::newRow("fit rows 2.5") << editMap(platt, [](QJsonObject &c) { c.insert(QStringLiteral("fit_rows"), 2.5); })
                                  << "calibration.fit_rows: expected a whole number of rows";
    QTest::newRow("fit on a number") << editMap(platt, [](QJsonObject &c) { c.insert(QStringLiteral("fit_on"), 5); })
                                     << "calibration.fit_on: expected text";
    QTest::newRow("method a number") << editMap(platt, [](QJsonObject &c) { c.insert(QStringLiteral("method"), 5); })
                                     << "calibration.method: expected \"platt\" or \"isotonic\"";
    QTest::newRow("calibration an array") << withHeader(platt, [](QJsonObject &h) {
        h.insert(QStringLiteral("calibration"), QJsonArray{1});
    }) << "calibration: expected an object";
    QTest::newRow("fit rows negative") << editMap(platt, [](QJsonObject &c) { c.insert(QStringLiteral("fit_rows"), -3); })
                                       << "calibration.fit_rows";
    QTest::newRow("a map in a format-1 file") << withHeader(plain, [&](QJsonObject &h) {
        h.insert(QStringLiteral("calibration"),
                 QJsonDocument::fromJson(isotonic.mid(24, qFromLittleEndian<quint32>(isotonic.constData() + 12)))
                     .object()
                     .value(QStringLiteral("calibration")));
    }) << "a format-1 file cannot hold a calibration map";
    QByteArray noMap = withHeader(isotonic, [](QJsonObject &h) { h.remove(QStringLiteral("calibration")); });
    QTest::newRow("format 2 without its map") << noMap << "calibration: missing";
}

void TestScoreCalibration::damagedMap_isRefusedNamingTheMember()
{
    if (QByteArray(QTest::currentDataTag()) == "untouched, resealed") {
        // fit_on is shown in reports and the card: control characters and markup are blanked.
        QFETCH(QByteArray, bytes);
        const QByteArray forged = withHeader(bytes, [](QJsonObject &h) {
            QJsonObject c = h.value(QStringLiteral("calibration")).toObject();
            c.insert(QStringLiteral("fit_on"), QStringLiteral("rows\u0000\n\u001b[31m<script>|x`"));
            h.insert(QStringLiteral("calibration"), c);
        });
        QCOMPARE(Model::deserialize(forged, QStringLiteral("m.bin")).calibration().fitOn,
                 QStringLiteral("rows   [31m script  x "));
    }
    QFETCH(QByteArray, bytes);
    QFETCH(QString, message);
    if (message.isEmpty()) {
        QVERIFY(Model::deserialize(bytes, QStringLiteral("m.bin")).calibration().active());
        return;
    }
    try {
        Model::deserialize(bytes, QStringLiteral("m.bin"));
        QFAIL("a damaged calibration map loaded");
    } catch (const ModelFileError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("corrupt header: ")) && e.message().contains(message), e.what());
    }
}

QTEST_GUILESS_MAIN(TestScoreCalibration)
#include "tst_scorecalibration.moc"
