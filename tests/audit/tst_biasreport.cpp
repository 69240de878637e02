#include <QtTest>

#include <cmath>

#include <QJsonArray>

#include "auditfixture.h"
#include "biasreport.h"
#include "schemaerror.h"

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
    // Z's 0 of the 2 positive predictions the two groups share: binomial p = 2 * 0.5^2 = 0.5;
    // every metric of these 10-row groups is under the 10 rows to rate, so no q.
    QVERIFY2(text.contains(QStringLiteral("Z: n=2, ppr disparity 0.000 p=0.5000 q=n/a, fpr disparity 0.000 p=1.0000 q=n/a, "
                                          "fnr disparity n/a")),
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
        options.references[QStringLiteral("g")] = reference;
    options.tau = tau;
    try {
        computeBias(auditFixture(), options);
        QFAIL("expected an AuditError");
    } catch (const AuditError &e) {
        QVERIFY2(e.message().contains(messagePart), e.what());
        QVERIFY2(!e.message().contains(QStringLiteral("--")), "core messages name settings, never command-line flags");
    }

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

QTEST_GUILESS_MAIN(TestBiasReport)
#include "tst_biasreport.moc"
