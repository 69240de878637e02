#include <QtTest>

#include <cmath>
#include <numeric>

#include <QJsonArray>

#include "auditfixture.h"
#include "biasreport.h"
#include "metrics.h"
#include "schemaerror.h"
#include "statcheck.h"

using namespace Audit;

class TestBiasReport : public QObject
{
    Q_OBJECT

private:
    static const GroupMetrics &group(const BiasReport &report, const QString &value)
    {
        for (const GroupMetrics &m : report.groups) {
            if (m.value == value)
                return m;
        }
        qFatal("no group %s", qPrintable(value));
    }
    static BiasOptions evidenceOptions(const QString &reference = QStringLiteral("R"))
    {
        BiasOptions options; // the defaults: evidence verdicts, 30 rows, 10 to rate, alpha 0.05
        options.attributes = {QStringLiteral("g")};
        options.references = {{QStringLiteral("g"), reference}};
        return options;
    }
    static BiasReport predefined()
    {
        BiasOptions options;
        options.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
        options.attributes = {QStringLiteral("g")};
        options.references = {{QStringLiteral("g"), QStringLiteral("A")}};
        return computeBias(auditFixture(), options);
    }

private Q_SLOTS:
    void groupCounts_matchHandCount();
    void groupMetrics_matchAequitasDefinitions();
    void disparities_predefinedReference();
    void disparities_zeroReferenceCapsAtTenAndZeroOverZeroIsNaN();
    void majorityReference_isLargestGroup();
    void minMetricReference_isSmallestValuePerMetric();
    void parities_andRollUps();
    void verdicts_attributeAndOverall();
    void outputs_jsonNullAndCsvEmptyForNaN();
    void outputs_sameNumbersInJsonCsvAndNoNanInText();
    void badInput_namesTheProblem_data();
    void badInput_namesTheProblem();
    void evidence_intervalsAndTestsMatchTheFormulas();
    void evidence_failNotSignificantAndInsufficient();
    void evidence_smallGroupsDoNotDecideTheRollUp();
    void evidence_smallReferenceRefusedNamingAnother();
    void evidence_aequitasModeKeepsPlainVerdictsAndColumns();
};

void TestBiasReport::groupCounts_matchHandCount()
{
    const BiasReport r = predefined();
    QCOMPARE(r.groups.size(), std::size_t(4));
    const GroupMetrics &a = group(r, QStringLiteral("A"));
    QCOMPARE(a.groupSize, std::int64_t(6));
    QCOMPARE(a.labelPos, std::int64_t(3));
    QCOMPARE(a.labelNeg, std::int64_t(3));
    QCOMPARE(a.pp, std::int64_t(3));
    QCOMPARE(a.pn, std::int64_t(3));
    QCOMPARE(a.tp, std::int64_t(2));
    QCOMPARE(a.fp, std::int64_t(1));
    QCOMPARE(a.tn, std::int64_t(2));
    QCOMPARE(a.fn, std::int64_t(1));
    std::int64_t sizes = 0;
    for (const GroupMetrics &m : r.groups) {
        QCOMPARE(m.k, std::int64_t(8)); // the row without a group counts in k
        QCOMPARE(m.tp + m.fp + m.tn + m.fn, m.groupSize);
        sizes += m.groupSize;
    }
    QCOMPARE(sizes, std::int64_t(14)); // 15 rows, one without a group
}

void TestBiasReport::groupMetrics_matchAequitasDefinitions()
{
    const BiasReport r = predefined();
    const GroupMetrics &a = group(r, QStringLiteral("A"));
    QCOMPARE(a.metric(BiasMetric::Ppr), 3.0 / 8);
    QCOMPARE(a.metric(BiasMetric::Pprev), 0.5);
    QCOMPARE(a.metric(BiasMetric::Precision), 2.0 / 3);
    QCOMPARE(a.metric(BiasMetric::Fdr), 1.0 / 3);
    QCOMPARE(a.metric(BiasMetric::For), 1.0 / 3);
    QCOMPARE(a.metric(BiasMetric::Fpr), 1.0 / 3);
    QCOMPARE(a.metric(BiasMetric::Fnr), 1.0 / 3);
    QCOMPARE(a.metric(BiasMetric::Tpr), 2.0 / 3);
    QCOMPARE(a.metric(BiasMetric::Tnr), 2.0 / 3);
    QCOMPARE(a.metric(BiasMetric::Npv), 2.0 / 3);
    QCOMPARE(a.accuracy, 4.0 / 6);
    QCOMPARE(a.prev, 0.5);

    const GroupMetrics &c = group(r, QStringLiteral("C"));
    QCOMPARE(c.metric(BiasMetric::Precision), 0.0);
    QVERIFY(std::isnan(c.metric(BiasMetric::Fnr))); // no label positives: 0/0
    QVERIFY(std::isnan(c.metric(BiasMetric::Tpr)));
    QCOMPARE(c.prev, 0.0);

    const GroupMetrics &d = group(r, QStringLiteral("D"));
    QVERIFY(std::isnan(d.metric(BiasMetric::For))); // no predicted negatives
    QVERIFY(std::isnan(d.metric(BiasMetric::Npv)));
    QCOMPARE(d.metric(BiasMetric::Fpr), 1.0);
}

void TestBiasReport::disparities_predefinedReference()
{
    const BiasReport r = predefined();
    const GroupMetrics &a = group(r, QStringLiteral("A"));
    for (BiasMetric m : kBiasMetrics) {
        QCOMPARE(a.disparity(m), 1.0);
        QCOMPARE(a.references[std::size_t(m)], QStringLiteral("A"));
    }
    const GroupMetrics &b = group(r, QStringLiteral("B"));
    QCOMPARE(b.disparity(BiasMetric::Ppr), 1.0 / 3);
    QCOMPARE(b.disparity(BiasMetric::Pprev), 0.5);
    QCOMPARE(b.disparity(BiasMetric::Precision), 1.5);
    QCOMPARE(b.disparity(BiasMetric::Fdr), 0.0);
    QCOMPARE(b.disparity(BiasMetric::For), 1.0);
    QCOMPARE(b.disparity(BiasMetric::Fpr), 0.0);
    QCOMPARE(b.disparity(BiasMetric::Fnr), 1.5);
    QCOMPARE(b.disparity(BiasMetric::Tpr), 0.75);
    QCOMPARE(b.disparity(BiasMetric::Tnr), 1.5);
    QCOMPARE(b.disparity(BiasMetric::Npv), 1.0);
    const GroupMetrics &c = group(r, QStringLiteral("C"));
    QCOMPARE(c.disparity(BiasMetric::Fdr), 3.0);
    QVERIFY(std::isnan(c.disparity(BiasMetric::Fnr))); // NaN metric: NaN disparity
}

void TestBiasReport::disparities_zeroReferenceCapsAtTenAndZeroOverZeroIsNaN()
{
    BiasOptions options;
    options.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
    options.attributes = {QStringLiteral("g")};
    options.references = {{QStringLiteral("g"), QStringLiteral("B")}}; // B: fpr 0, fdr 0
    const BiasReport r = computeBias(auditFixture(), options);
    QCOMPARE(group(r, QStringLiteral("A")).disparity(BiasMetric::Fpr), 10.0); // (1/3) / 0
    QCOMPARE(group(r, QStringLiteral("D")).disparity(BiasMetric::Fdr), 10.0); // 1 / 0
    QVERIFY(std::isnan(group(r, QStringLiteral("B")).disparity(BiasMetric::Fpr))); // 0 / 0
}

void TestBiasReport::majorityReference_isLargestGroup()
{
    BiasOptions options;
    options.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
    options.attributes = {QStringLiteral("g")};
    options.method = ReferenceMethod::Majority;
    const BiasReport r = computeBias(auditFixture(), options);
    QCOMPARE(r.attributes[0].reference, QStringLiteral("A"));
    QCOMPARE(group(r, QStringLiteral("B")).disparity(BiasMetric::Tpr), 0.75);
}

void TestBiasReport::minMetricReference_isSmallestValuePerMetric()
{
    BiasOptions options;
    options.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
    options.attributes = {QStringLiteral("g")};
    options.method = ReferenceMethod::MinMetric;
    const BiasReport r = computeBias(auditFixture(), options);
    const GroupMetrics &a = group(r, QStringLiteral("A"));
    // ppr: B and C tie at 1/8; the first group in order wins.
    QCOMPARE(a.references[std::size_t(BiasMetric::Ppr)], QStringLiteral("B"));
    QCOMPARE(a.disparity(BiasMetric::Ppr), 3.0);
    // precision: C and D are 0; C comes first. tnr: D's 0. NaN values are never the minimum.
    QCOMPARE(a.references[std::size_t(BiasMetric::Precision)], QStringLiteral("C"));
    QCOMPARE(a.references[std::size_t(BiasMetric::Tnr)], QStringLiteral("D"));
    QCOMPARE(a.references[std::size_t(BiasMetric::Fnr)], QStringLiteral("A")); // 1/3 < B's 1/2; C, D NaN
    QCOMPARE(group(r, QStringLiteral("B")).disparity(BiasMetric::Fnr), 1.5);
}

void TestBiasReport::parities_andRollUps()
{
    const BiasReport r = predefined();
    const GroupMetrics &b = group(r, QStringLiteral("B"));
    QCOMPARE(b.parity(Parity::Statistical), Verdict(false));
    QCOMPARE(b.parity(Parity::For), Verdict(true));
    QCOMPARE(b.parity(Parity::Npv), Verdict(true));
    QCOMPARE(b.parity(Parity::Tpr), Verdict(false)); // 0.75 < 0.8
    QCOMPARE(b.parity(Parity::TypeII), Verdict(false)); // FOR true, FNR 1.5 false

    const GroupMetrics &c = group(r, QStringLiteral("C"));
    QCOMPARE(c.parity(Parity::Impact), Verdict(true)); // pprev 1/2 vs 1/2
    QCOMPARE(c.parity(Parity::Fnr), Verdict()); // NaN: undefined
    QCOMPARE(c.parity(Parity::EqualizedOdds), Verdict(false)); // FPR 1.5 fails, TPR undefined: false wins

    const GroupMetrics &d = group(r, QStringLiteral("D"));
    QCOMPARE(d.parity(Parity::TypeII), Verdict()); // FOR and FNR both undefined
    QCOMPARE(d.parity(Parity::Supervised), Verdict(false)); // TypeI fails

    const GroupMetrics &a = group(r, QStringLiteral("A"));
    for (std::size_t p = 0; p < kParityCount; ++p)
        QCOMPARE(a.parities[p], Verdict(true));

    // A looser tau lets B's 0.75 TPR pass.
    BiasOptions loose;
    loose.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
    loose.attributes = {QStringLiteral("g")};
    loose.references = {{QStringLiteral("g"), QStringLiteral("A")}};
    loose.tau = 0.7;
    QCOMPARE(group(computeBias(auditFixture(), loose), QStringLiteral("B")).parity(Parity::Tpr), Verdict(true));
}

void TestBiasReport::verdicts_attributeAndOverall()
{
    BiasOptions options;
    options.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
    options.attributes = {QStringLiteral("g"), QStringLiteral("x")};
    options.references = {{QStringLiteral("g"), QStringLiteral("A")}};
    options.method = ReferenceMethod::Predefined;
    options.references[QStringLiteral("x")] = QStringLiteral("[10, 20)");
    options.bins = 2;
    const BiasReport r = computeBias(auditFixture(), options);
    QCOMPARE(r.attributes.size(), std::size_t(2));
    QCOMPARE(r.attributes[0].parities[std::size_t(Parity::Npv)], Verdict(false)); // C's npv disparity 1.5
    QCOMPARE(r.attributes[0].parities[std::size_t(Parity::Statistical)], Verdict(false));
    for (std::size_t p = 0; p < kParityCount; ++p) {
        Verdict expected = r.attributes[0].parities[p];
        const Verdict other = r.attributes[1].parities[p];
        if (expected.has_value() && !*expected)
            expected = false;
        else if (other.has_value() && !*other)
            expected = false;
        else if (!expected.has_value() || !other.has_value())
            expected = Verdict();
        QCOMPARE(r.overall[p], expected);
    }
}

void TestBiasReport::outputs_jsonNullAndCsvEmptyForNaN()
{
    const BiasReport r = predefined();
    const QJsonObject json = r.toJson();
    const QJsonArray groups = json.value(QStringLiteral("groups")).toArray();
    QCOMPARE(groups.size(), 4);
    const QJsonObject c = groups[2].toObject();
    QCOMPARE(c.value(QStringLiteral("attribute_value")).toString(), QStringLiteral("C"));
    QVERIFY(c.value(QStringLiteral("fnr")).isNull());
    QVERIFY(c.value(QStringLiteral("fnr_disparity")).isNull());
    QCOMPARE(c.value(QStringLiteral("fdr_disparity")).toDouble(), 3.0);
    QCOMPARE(c.value(QStringLiteral("fdr_ref_group_value")).toString(), QStringLiteral("A"));
    QVERIFY(c.value(QStringLiteral("parity")).toObject().value(QStringLiteral("FNR Parity")).isNull());

    const QList<QByteArray> lines = r.toCsv().split('\n');
    QVERIFY(lines[0].startsWith("attribute_name,attribute_value,group_size,group_label_pos,group_label_neg,pp,pn,tp,"
                                "fp,tn,fn,k,accuracy,tpr,tnr,fpr,fnr,precision,fdr,npv,for,ppr,pprev,prev,ppr_disparity"));
    const QList<QByteArray> header = lines[0].split(',');
    const QList<QByteArray> cRow = lines[3].split(',');
    QCOMPARE(cRow[0], QByteArray("g"));
    QCOMPARE(cRow[1], QByteArray("C"));
    QCOMPARE(cRow[qsizetype(header.indexOf("fnr"))], QByteArray());
    QCOMPARE(cRow[qsizetype(header.indexOf("k"))], QByteArray("8"));
    QVERIFY(r.toText().contains(QStringLiteral("g (reference A)")));
}

void TestBiasReport::outputs_sameNumbersInJsonCsvAndNoNanInText()
{
    // "R" (reference): 10 rows, 5 labelled positive, 2 predicted positive (row 0 rightly,
    // row 9 wrongly). "A": 10 rows, 5 labelled positive, 3 predicted positive (true ones).
    // "Z": 2 rows, both negative, neither predicted: ppr 0, fpr 0, fnr = 0/0.
    // pprev: A 3/10, R 2/10, so pprev_disparity = 1.5 exactly (3/10 / 2/10 in floating point
    // is 1.4999999999999998).
    ScoredData data;
    DataColumn g;
    g.spec.name = QStringLiteral("g");
    g.categories = {"R", "A", "Z"};
    const auto add = [&](int code, int label, int prediction) {
        g.codes.push_back(code);
        data.labels.push_back(std::int8_t(label));
        data.scores.push_back(prediction);
    };
    for (int i = 0; i < 10; ++i)
        add(0, i < 5, i < 1 || i == 9);
    for (int i = 0; i < 10; ++i)
        add(1, i < 5, i < 3);
    add(2, 0, 0);
    add(2, 0, 0);
    data.columns = {g};
    BiasOptions options;
    options.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
    options.attributes = {QStringLiteral("g")};
    options.references = {{QStringLiteral("g"), QStringLiteral("R")}};
    const BiasReport r = computeBias(data, options);

    const QJsonArray groups = r.toJson().value(QStringLiteral("groups")).toArray();
    const QList<QByteArray> lines = r.toCsv().split('\n');
    const QList<QByteArray> header = lines[0].split(',');
    const auto cell = [&](int row, const QString &column) { return lines[row + 1].split(',')[header.indexOf(column.toUtf8())]; };
    // QCOMPARE on doubles is fuzzy; compare all 17 digits.
    const auto exact = [](double v) { return QString::number(v, 'g', 17); };
    QCOMPARE(exact(groups[1].toObject().value(QStringLiteral("pprev_disparity")).toDouble()), exact(1.5));
    QCOMPARE(cell(1, QStringLiteral("pprev_disparity")), QByteArray("1.5"));
    for (int row = 0; row < 3; ++row) {
        const QJsonObject json = groups[row].toObject();
        for (BiasMetric m : kBiasMetrics) {
            const QString name = biasMetricName(m);
            for (const QString &key : {name, name + QStringLiteral("_disparity"), name + QStringLiteral("_disparity_low"),
                                       name + QStringLiteral("_disparity_high"), name + QStringLiteral("_significance"),
                                       name + QStringLiteral("_q")}) {
                const QByteArray csv = cell(row, key);
                QCOMPARE(json.value(key).isNull(), csv.isEmpty());
                if (!csv.isEmpty())
                    QCOMPARE(exact(json.value(key).toDouble()), exact(csv.toDouble()));
            }
        }
    }
    const QString text = r.toText();
    QVERIFY2(!text.contains(QStringLiteral("nan")), qPrintable(text));
    // These groups of 10 and 2 rows are under the 30 a test needs: no p, no q, and no NaN.
    QVERIFY2(text.contains(QStringLiteral("Z: n=2, ppr disparity 0.000, fpr disparity 0.000, fnr disparity n/a")),
             qPrintable(text));
}

void TestBiasReport::badInput_namesTheProblem_data()
{
    QTest::addColumn<QStringList>("attributes");
    QTest::addColumn<QString>("reference");
    QTest::addColumn<double>("tau");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("missing column") << QStringList{QStringLiteral("race")} << "A" << 0.8
                                    << "attribute \"race\" is not a column of fixture (columns: g, x)";
    QTest::newRow("unknown reference") << QStringList{QStringLiteral("g")} << "Z" << 0.8
                                       << "reference group \"Z\" does not exist for attribute \"g\" (groups: A, B, C, D)";
    QTest::newRow("no reference") << QStringList{QStringLiteral("g")} << "" << 0.8 << "no reference group for attribute \"g\"";
    QTest::newRow("tau too big") << QStringList{QStringLiteral("g")} << "A" << 1.5
                                 << "parity tolerance tau = 1.5: must be in (0, 1]";
    QTest::newRow("no attributes") << QStringList{} << "A" << 0.8 << "no attributes to audit";
}

void TestBiasReport::badInput_namesTheProblem()
{
    QFETCH(QStringList, attributes);
    QFETCH(QString, reference);
    QFETCH(double, tau);
    QFETCH(QString, messagePart);
    BiasOptions options;
    options.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
    options.attributes = attributes;
    if (!reference.isEmpty())
        options.references[attributes.value(0, QStringLiteral("g"))] = reference;
    options.tau = tau;
    try {
        computeBias(auditFixture(), options);
        QFAIL("expected an AuditError");
    } catch (const AuditError &e) {
        QVERIFY2(e.message().contains(messagePart), e.what());
        QVERIFY2(!e.message().contains(QStringLiteral("--")), "core messages name settings, never command-line flags");
    }

    // A reference for an attribute not being audited, and an attribute named twice.
    BiasOptions stray;
    stray.verdicts = VerdictMode::Aequitas;
    stray.attributes = {QStringLiteral("g")};
    stray.references = {{QStringLiteral("g"), QStringLiteral("A")}, {QStringLiteral("x"), QStringLiteral("[10, 20)")}};
    try {
        computeBias(auditFixture(), stray);
        QFAIL("a reference for x, which is not audited, was accepted");
    } catch (const OptionError &e) {
        QCOMPARE(e.field(), QStringLiteral("reference"));
        QVERIFY2(e.message().contains(QStringLiteral("(x=[10, 20)) for \"x\", which is not an attribute being audited")),
                 e.what());
    }
    stray.references.erase(QStringLiteral("x"));
    stray.attributes = {QStringLiteral("g"), QStringLiteral("g")};
    QVERIFY_THROWS_EXCEPTION(OptionError, computeBias(auditFixture(), stray));

    // An attribute with a single group cannot have disparities.
    ScoredData one = auditFixture();
    for (std::int32_t &code : one.columns[0].codes)
        code = code < 0 ? -1 : 0;
    BiasOptions single;
    single.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
    single.attributes = {QStringLiteral("g")};
    single.method = ReferenceMethod::Majority;
    QVERIFY_THROWS_EXCEPTION(SchemaError, computeBias(one, single));
}

void TestBiasReport::evidence_intervalsAndTestsMatchTheFormulas()
{
    const BiasReport r = computeBias(countsFixture(kEvidenceGroups), evidenceOptions());
    const GroupMetrics &f = group(r, QStringLiteral("F"));
    const std::size_t fpr = std::size_t(BiasMetric::Fpr);
    QCOMPARE(f.disparity(BiasMetric::Fpr), 3.0);
    // The MOVER interval of 60/120 over 20/120 (Wilson limits on the log scale; statcheck.h).
    const double z = 1.959963984540054;
    const auto [low, high] = StatCheck::moverRatio(60, 120, 20, 120);
    QVERIFY(std::abs(f.disparityCi[fpr].low - low) < 1e-12);
    QVERIFY(std::abs(f.disparityCi[fpr].high - high) < 1e-12);
    // 240 rows to compare: Fisher's exact test (the z test takes over above 1000 rows).
    QCOMPARE(f.tests[fpr], Stats::Test::Fisher);
    QVERIFY(std::abs(f.significance[fpr] / StatCheck::fisher(60, 120, 20, 120) - 1) < 1e-9);
    const GroupMetrics &n = group(r, QStringLiteral("N"));
    QVERIFY(std::abs(n.significance[fpr] / StatCheck::fisher(4, 16, 20, 120) - 1) < 1e-9);
    // PPR is F's 90 positive predictions over R's 80 of the same k: a ratio of two counts,
    // interval exp(log(90/80) +- z sqrt(1/90 + 1/80)), tested by binom.test(90, 170, 0.5).
    const std::size_t ppr = std::size_t(BiasMetric::Ppr);
    QCOMPARE(f.disparity(BiasMetric::Ppr), 90.0 / 80);
    QVERIFY(std::abs(f.disparityCi[ppr].low - 90.0 / 80 * std::exp(-z * std::sqrt(1.0 / 90 + 1.0 / 80))) < 1e-12);
    QCOMPARE(f.tests[ppr], Stats::Test::Binomial);
    double binomial = 0; // two-sided: 2 P(X >= 90) for X ~ Bin(170, 1/2), symmetric
    for (int x = 90; x <= 170; ++x)
        binomial += std::exp(std::lgamma(171.0) - std::lgamma(x + 1.0) - std::lgamma(171.0 - x) - 170 * std::log(2.0));
    QVERIFY(std::abs(f.significance[ppr] / std::min(1.0, 2 * binomial) - 1) < 1e-9);

    // q: Benjamini-Hochberg over the 20 tests of F and N (S is too small to test; R is the
    // reference): q_(i) = min over j >= i of p_(j) * m / j.
    QCOMPARE(r.tested, std::size_t(20));
    std::vector<double> p;
    for (const GroupMetrics *g : {&f, &n})
        p.insert(p.end(), g->significance.begin(), g->significance.end());
    const std::vector<double> q = StatCheck::benjaminiHochberg(p);
    for (std::size_t i = 0; i < kBiasMetricCount; ++i) {
        QVERIFY(std::abs(f.qValues[i] - q[i]) < 1e-12);
        QVERIFY(std::abs(n.qValues[i] - q[kBiasMetricCount + i]) < 1e-12);
    }
    // The JSON and CSV state the same numbers under Aequitas's naming.
    const QJsonObject fJson = r.toJson()[QStringLiteral("groups")][1].toObject();
    // The JSON states them at the reports' 10 significant digits.
    QCOMPARE(fJson[QStringLiteral("fpr_disparity_low")].toDouble(), reportNumber(f.disparityCi[fpr].low));
    QCOMPARE(fJson[QStringLiteral("fpr_significance")].toDouble(), reportNumber(f.significance[fpr]));
    QCOMPARE(fJson[QStringLiteral("fpr_q")].toDouble(), reportNumber(f.qValues[fpr]));
    QCOMPARE(fJson[QStringLiteral("fpr_test")].toString(), QStringLiteral("fisher"));
}

void TestBiasReport::evidence_failNotSignificantAndInsufficient()
{
    const BiasReport r = computeBias(countsFixture(kEvidenceGroups), evidenceOptions());
    const GroupMetrics &f = group(r, QStringLiteral("F"));
    const GroupMetrics &n = group(r, QStringLiteral("N"));
    const GroupMetrics &s = group(r, QStringLiteral("S"));
    QCOMPARE(f.state(Parity::Fpr), VerdictState::Fail);
    QVERIFY(f.qValues[std::size_t(BiasMetric::Fpr)] < 1e-6);
    // N's FPR disparity 1.5 is outside [0.8, 1.25], and Aequitas fails it; the evidence says
    // nothing: p ~ 0.5.
    QCOMPARE(n.disparity(BiasMetric::Fpr), 1.5);
    QCOMPARE(n.parity(Parity::Fpr), Verdict(false));
    QVERIFY(n.qValues[std::size_t(BiasMetric::Fpr)] > 0.05);
    QCOMPARE(n.state(Parity::Fpr), VerdictState::NotSignificant);
    QCOMPARE(verdictStateText(n.state(Parity::Fpr)), QStringLiteral("outside band, not significant"));
    // S has 18 rows: insufficient data on every metric, with the reason, and no test.
    QCOMPARE(s.insufficient, QStringLiteral("18 rows (minimum 30)"));
    for (std::size_t p = 0; p < kParityCount; ++p)
        QCOMPARE(s.states[p], VerdictState::Insufficient);
    QVERIFY(std::isnan(s.qValues[std::size_t(BiasMetric::Fpr)]));
    QCOMPARE(s.notes[std::size_t(BiasMetric::Fpr)], QStringLiteral("18 rows (minimum 30)"));
    // A group big enough with a metric of too few rows to rate: that metric alone.
    BiasOptions strict = evidenceOptions();
    strict.minEvents = 17; // N has 16 label negatives (FPR, TNR) and 20 label positives
    const GroupMetrics &n17 = group(computeBias(countsFixture(kEvidenceGroups), strict), QStringLiteral("N"));
    QCOMPARE(n17.state(Parity::Fpr), VerdictState::Insufficient);
    QCOMPARE(n17.notes[std::size_t(BiasMetric::Fpr)], QStringLiteral("16 label negatives (minimum 17)"));
    QCOMPARE(n17.state(Parity::Tnr), VerdictState::Insufficient);
    QVERIFY(n17.state(Parity::Tpr) != VerdictState::Insufficient);

    // The outputs say each state in words and in the JSON.
    const QJsonObject json = r.toJson();
    const QJsonArray groups = json[QStringLiteral("groups")].toArray();
    QCOMPARE(groups[1][QStringLiteral("verdict")][QStringLiteral("FPR Parity")].toString(), QStringLiteral("fail"));
    QCOMPARE(groups[2][QStringLiteral("verdict")][QStringLiteral("FPR Parity")].toString(), QStringLiteral("not_significant"));
    QCOMPARE(groups[3][QStringLiteral("verdict")][QStringLiteral("FPR Parity")].toString(), QStringLiteral("insufficient_data"));
    QCOMPARE(groups[3][QStringLiteral("insufficient")].toString(), QStringLiteral("18 rows (minimum 30)"));
    QCOMPARE(groups[2][QStringLiteral("parity")][QStringLiteral("FPR Parity")].toBool(), false); // Aequitas's, kept
    const QString text = r.toText();
    QVERIFY2(text.contains(QStringLiteral("S: n=18"))
                 && text.contains(QStringLiteral("insufficient data (18 rows (minimum 30))")),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("outside band, not significant: ")), qPrintable(text));
    QCOMPARE(r.attributes[0].states[std::size_t(Parity::Fpr)], VerdictState::Fail);
}

void TestBiasReport::evidence_smallGroupsDoNotDecideTheRollUp()
{
    // P equals R exactly; S (18 rows) is far from both. Aequitas fails the attribute on S's
    // disparities; the evidence verdict passes it, S being insufficient data.
    const ScoredData data = countsFixture({{"R", 60, 20, 100, 20}, {"P", 60, 20, 100, 20}, {"S", 1, 6, 6, 5}});
    const BiasReport r = computeBias(data, evidenceOptions());
    QCOMPARE(r.attributes[0].parities[std::size_t(Parity::Fpr)], Verdict(false));
    QCOMPARE(r.attributes[0].states[std::size_t(Parity::Fpr)], VerdictState::Pass);
    QCOMPARE(r.overallStates[std::size_t(Parity::Fpr)], VerdictState::Pass);
    QCOMPARE(group(r, QStringLiteral("S")).state(Parity::Fpr), VerdictState::Insufficient);
    // Every group but the reference insufficient: the attribute cannot be judged either.
    BiasOptions large = evidenceOptions();
    large.minGroupSize = 201;
    large.method = ReferenceMethod::MinMetric; // a predefined R would be refused
    const BiasReport none = computeBias(countsFixture({{"R", 60, 20, 100, 20}, {"S", 1, 6, 6, 5}}), large);
    QCOMPARE(none.attributes[0].states[std::size_t(Parity::Fpr)], VerdictState::Insufficient);
    QCOMPARE(none.overallStates[std::size_t(Parity::Fpr)], VerdictState::Insufficient);
    // A reference big enough and the one other group too few label positives to rate FNR: the
    // reference, compared with itself, is no evidence of parity (it used to make this a pass).
    const BiasReport few = computeBias(countsFixture({{"R", 60, 20, 100, 20}, {"S", 2, 10, 26, 2}}), evidenceOptions());
    QCOMPARE(group(few, QStringLiteral("S")).state(Parity::Fnr), VerdictState::Insufficient);
    QCOMPARE(group(few, QStringLiteral("R")).state(Parity::Fnr), VerdictState::Pass);
    QCOMPARE(few.attributes[0].states[std::size_t(Parity::Fnr)], VerdictState::Insufficient);
    // Roll-ups come from S alone: TypeII is S's worst of FOR and FNR.
    QCOMPARE(few.attributes[0].states[std::size_t(Parity::TypeII)], group(few, QStringLiteral("S")).state(Parity::TypeII));
    QCOMPARE(few.overallStates[std::size_t(Parity::Fnr)], VerdictState::Insufficient);
    QVERIFY(few.attributes[0].states[std::size_t(Parity::Fpr)] != VerdictState::Insufficient); // S rates FPR
}

void TestBiasReport::evidence_smallReferenceRefusedNamingAnother()
{
    const ScoredData data = countsFixture(kEvidenceGroups);
    try {
        computeBias(data, evidenceOptions(QStringLiteral("S")));
        QFAIL("an 18-row reference was accepted");
    } catch (const OptionError &e) {
        QCOMPARE(e.field(), QStringLiteral("reference"));
        QVERIFY2(e.message().contains(QStringLiteral("reference group \"S\" of \"g\" has 18 rows, fewer than the 30"))
                     && e.message().contains(QStringLiteral("g=R (200 rows)")),
                 e.what());
    }
    // Majority with every group small, and the plain verdicts that accept S.
    BiasOptions majority = evidenceOptions();
    majority.method = ReferenceMethod::Majority;
    majority.minGroupSize = 1000;
    QVERIFY_THROWS_EXCEPTION(OptionError, computeBias(data, majority));
    BiasOptions plain = evidenceOptions(QStringLiteral("S"));
    plain.verdicts = VerdictMode::Aequitas;
    QCOMPARE(computeBias(data, plain).attributes[0].reference, QStringLiteral("S"));
    // min_metric takes the smallest metric among the groups large enough to judge: N's FNR
    // 10/20 is the smallest but for S's 5/6, which is too small to be a reference.
    BiasOptions minMetric = evidenceOptions();
    minMetric.method = ReferenceMethod::MinMetric;
    const BiasReport r = computeBias(data, minMetric);
    QCOMPARE(group(r, QStringLiteral("F")).references[std::size_t(BiasMetric::Fpr)], QStringLiteral("R"));
    QCOMPARE(group(r, QStringLiteral("F")).references[std::size_t(BiasMetric::Tpr)], QStringLiteral("F"));
}

void TestBiasReport::evidence_aequitasModeKeepsPlainVerdictsAndColumns()
{
    const ScoredData data = countsFixture(kEvidenceGroups);
    BiasOptions plain = evidenceOptions();
    plain.verdicts = VerdictMode::Aequitas;
    const BiasReport a = computeBias(data, plain);
    const BiasReport e = computeBias(data, evidenceOptions());
    for (std::size_t g = 0; g < a.groups.size(); ++g) {
        for (std::size_t p = 0; p < kParityCount; ++p) {
            QCOMPARE(a.groups[g].states[p], verdictState(a.groups[g].parities[p]));
            QCOMPARE(a.groups[g].parities[p], e.groups[g].parities[p]); // Aequitas's own, either way
        }
        for (std::size_t m = 0; m < kBiasMetricCount; ++m) {
            const double pa = a.groups[g].significance[m], pe = e.groups[g].significance[m];
            QVERIFY((std::isnan(pa) && std::isnan(pe)) || pa == pe);
        }
    }
    for (std::size_t p = 0; p < kParityCount; ++p)
        QCOMPARE(a.overallStates[p], verdictState(a.overall[p]));
    // Aequitas's group-metric columns come first and are the same bytes in both modes.
    const QList<QByteArray> csvA = a.toCsv().split('\n');
    const QList<QByteArray> csvE = e.toCsv().split('\n');
    const qsizetype aequitasColumns = csvA[0].split(',').indexOf("ppr_disparity_low");
    QVERIFY(aequitasColumns > 50);
    for (qsizetype line = 0; line < csvA.size(); ++line)
        QCOMPARE(csvA[line].split(',').mid(0, aequitasColumns), csvE[line].split(',').mid(0, aequitasColumns));
}

QTEST_GUILESS_MAIN(TestBiasReport)
#include "tst_biasreport.moc"
