#include <QtTest>

#include <cmath>

#include "auditfixture.h"
#include "biasreport.h"
#include "biassummary.h"
#include "metrics.h"

using namespace Audit;

Q_DECLARE_METATYPE(Audit::Intervention)
Q_DECLARE_METATYPE(Audit::Concern)

// The plain-language summary, the metric formulas and the fairness tree: every number the
// summary states is the report's, every verdict it names is the report's verdict.
class TestBiasSummary : public QObject
{
    Q_OBJECT

private:
    static BiasReport report(ReferenceMethod method = ReferenceMethod::Predefined)
    {
        BiasOptions options;
        options.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
        options.attributes = {QStringLiteral("g")};
        if (method != ReferenceMethod::Predefined)
            options.attributes << QStringLiteral("x"); // binned numbers: no predefined reference
        options.references = {{QStringLiteral("g"), QStringLiteral("A")}};
        options.method = method;
        return computeBias(auditFixture(), options);
    }
    static const GroupMetrics *find(const BiasReport &r, const QString &attribute, const QString &value)
    {
        for (const GroupMetrics &g : r.groups) {
            if (g.attribute == attribute && g.value == value)
                return &g;
        }
        return nullptr;
    }

private Q_SLOTS:
    void summary_numbersAndVerdictsAreTheReports_data();
    void summary_numbersAndVerdictsAreTheReports();
    void summary_sentencesOnTheFixture();
    void summary_evidenceStatesInWords();
    void formula_countsGiveTheMetric();
    void formula_groupsThousands();
    void fairnessTree_mapsEachChoice_data();
    void fairnessTree_mapsEachChoice();
};

void TestBiasSummary::summary_numbersAndVerdictsAreTheReports_data()
{
    QTest::addColumn<int>("method");
    QTest::newRow("predefined") << int(ReferenceMethod::Predefined);
    QTest::newRow("majority") << int(ReferenceMethod::Majority);
    QTest::newRow("min_metric") << int(ReferenceMethod::MinMetric);
}

void TestBiasSummary::summary_numbersAndVerdictsAreTheReports()
{
    QFETCH(int, method);
    const BiasReport r = report(ReferenceMethod(method));
    const std::vector<AttributeSummary> summary = biasSummary(r);
    QCOMPARE(summary.size(), r.attributes.size());
    int failures = 0;
    for (std::size_t a = 0; a < summary.size(); ++a) {
        const AttributeSummary &s = summary[a];
        QCOMPARE(s.attribute, r.attributes[a].attribute);
        QCOMPARE(s.reference, r.attributes[a].reference);
        QVERIFY(s.text.startsWith(s.attribute + QStringLiteral(" (reference ")));
        for (const GroupSummary &gs : s.groups) {
            const GroupMetrics *g = find(r, s.attribute, gs.group);
            QVERIFY(g);
            if (ReferenceMethod(method) != ReferenceMethod::MinMetric)
                QVERIFY(gs.group != s.reference); // the reference is not compared with itself
            QVERIFY(s.text.contains(gs.text));
            std::size_t failed = 0;
            for (const ParityFinding &f : gs.findings) {
                const std::size_t i = std::size_t(f.metric);
                QCOMPARE(int(f.parity), int(i));
                QCOMPARE(f.reference, g->references[i]);
                QVERIFY(f.verdict == g->parities[i]);
                const GroupMetrics *ref = find(r, s.attribute, f.reference);
                QVERIFY(ref);
                QVERIFY(f.value == g->metrics[i] || (std::isnan(f.value) && std::isnan(g->metrics[i])));
                QVERIFY(f.referenceValue == ref->metrics[i] || (std::isnan(f.referenceValue) && std::isnan(ref->metrics[i])));
                QVERIFY(f.disparity == g->disparities[i] || (std::isnan(f.disparity) && std::isnan(g->disparities[i])));
                const QString shortName = parityName(f.parity).remove(QStringLiteral(" Parity"));
                if (!f.verdict.has_value()) {
                    QVERIFY(gs.undefined.contains(shortName));
                } else if (*f.verdict) {
                    QVERIFY2(gs.passed.contains(shortName), qPrintable(gs.text));
                } else {
                    ++failed;
                    // The sentence states the report's disparity and both values, and the verdict.
                    QVERIFY2(gs.text.contains(QString::number(f.disparity, 'f', 3) + QStringLiteral("×")), qPrintable(gs.text));
                    QVERIFY2(
                        gs.text.contains(QStringLiteral("%1 vs %2")
                                             .arg(QString::number(f.value, 'f', 3), QString::number(f.referenceValue, 'f', 3))),
                        qPrintable(gs.text));
                    QVERIFY2(gs.text.contains(parityName(f.parity) + QStringLiteral(" fails")), qPrintable(gs.text));
                }
            }
            QCOMPARE(gs.failed.size(), failed);
            failures += int(failed);
            if (failed > 0 && !gs.passed.isEmpty())
                QVERIFY(gs.text.contains(QStringLiteral("Passes %1 parity.").arg(gs.passed.join(QStringLiteral(", ")))));
        }
    }
    QVERIFY(failures > 0); // the fixture fails some parities under every method
}

void TestBiasSummary::summary_sentencesOnTheFixture()
{
    const BiasReport r = report();
    const AttributeSummary s = biasSummary(r).front();
    QCOMPARE(s.attribute, QStringLiteral("g"));
    QCOMPARE(s.groups.size(), std::size_t(3)); // B, C, D; A is the reference
    // C: FPR 1/2 against A's 1/3 = 1.5, outside 0.80–1.25.
    const GroupSummary &c = s.groups[1];
    QCOMPARE(c.group, QStringLiteral("C"));
    const GroupMetrics *cg = find(r, QStringLiteral("g"), QStringLiteral("C"));
    QCOMPARE(cg->disparity(BiasMetric::Fpr), 1.5);
    QVERIFY2(c.text.contains(QStringLiteral("false-positive rate is 1.500× A's (0.500 vs 0.333)")), qPrintable(c.text));
    QVERIFY2(c.text.contains(QStringLiteral("FPR Parity fails")), qPrintable(c.text));
    QVERIFY2(c.text.contains(QStringLiteral("(parity needs 0.80–1.25; Aequitas's plain verdict: too few rows to test)")),
             qPrintable(c.text));
    QVERIFY(biasSummaryText(r).contains(s.text));
}

// The default evidence verdicts on the counts fixture (auditfixture.h): F fails FPR parity
// significantly, N is outside the band within chance, S has 18 rows.
void TestBiasSummary::summary_evidenceStatesInWords()
{
    BiasOptions options;
    options.attributes = {QStringLiteral("g")};
    options.references = {{QStringLiteral("g"), QStringLiteral("R")}};
    const BiasReport r = computeBias(countsFixture(kEvidenceGroups), options);
    const AttributeSummary s = biasSummary(r).front();
    QCOMPARE(s.groups.size(), std::size_t(3)); // F, N, S
    const GroupSummary &f = s.groups[0];
    const GroupMetrics *fg = find(r, QStringLiteral("g"), QStringLiteral("F"));
    const std::size_t fpr = std::size_t(BiasMetric::Fpr);
    const QString sentence = QStringLiteral("F's false-positive rate is 3.000× R's (0.500 vs 0.167); 95% CI %1–%2, q = %3 — FPR "
                                            "Parity fails (parity needs 0.80–1.25).")
                                 .arg(fg->disparityCi[fpr].low, 0, 'f', 3)
                                 .arg(fg->disparityCi[fpr].high, 0, 'f', 3)
                                 .arg(pValueText(fg->qValues[fpr]));
    QVERIFY2(f.failures.contains(sentence),
             qPrintable(sentence + QStringLiteral("\nnot in\n") + f.failures.join(QLatin1Char('\n'))));
    const GroupSummary &n = s.groups[1];
    QCOMPARE(n.group, QStringLiteral("N"));
    QVERIFY(n.failed.empty() || std::none_of(n.failed.begin(), n.failed.end(), [](const ParityFinding &x) {
                return x.metric == BiasMetric::Fpr;
            }));
    QVERIFY2(n.text.contains(QStringLiteral("Outside 0.80–1.25 but not significant: "))
                 && n.text.contains(QStringLiteral("FPR 1.500")),
             qPrintable(n.text));
    QVERIFY(std::any_of(n.notSignificantSentences.begin(), n.notSignificantSentences.end(), [](const QString &x) {
        return x.contains(QStringLiteral("FPR Parity is outside the band, but not significantly"));
    }));
    // A pass whose interval reaches outside the band says so.
    int wideCount = 0;
    for (const GroupSummary &g : s.groups) {
        const GroupMetrics *m = find(r, QStringLiteral("g"), g.group);
        for (BiasMetric metric : kBiasMetrics) {
            const std::size_t i = std::size_t(metric);
            const bool wide = m->states[i] == VerdictState::Pass && std::isfinite(m->disparityCi[i].low)
                && (m->disparityCi[i].low < 0.8 || m->disparityCi[i].high > 1.25);
            if (wide)
                QVERIFY2(g.text.contains(QStringLiteral("reaching outside it")), qPrintable(g.text));
            wideCount += wide;
        }
    }
    QVERIFY(wideCount > 0); // N's passes rest on 36 rows
    const GroupSummary &small = s.groups[2];
    QCOMPARE(small.groupInsufficient, QStringLiteral("18 rows (minimum 30)"));
    QCOMPARE(small.text, QStringLiteral("S: insufficient data (18 rows (minimum 30)) — no verdict."));
    QCOMPARE(small.insufficientSentence, small.text);
}

void TestBiasSummary::formula_countsGiveTheMetric()
{
    const BiasReport r = report();
    for (const GroupMetrics &g : r.groups) {
        for (BiasMetric metric : kBiasMetrics) {
            const MetricFormula f = biasMetricFormula(g, metric);
            if (f.denominator == 0)
                QVERIFY(std::isnan(g.metric(metric)));
            else
                QCOMPARE(double(f.numerator) / double(f.denominator), g.metric(metric));
            QVERIFY(f.text.endsWith(QStringLiteral("%1 / %2").arg(f.numerator).arg(f.denominator)));
        }
    }
    const GroupMetrics *a = find(r, QStringLiteral("g"), QStringLiteral("A"));
    QCOMPARE(biasMetricFormula(*a, BiasMetric::Fpr).text, QStringLiteral("FPR = fp / (fp + tn) = 1 / 3"));
    QCOMPARE(biasMetricFormula(*a, BiasMetric::Ppr).text, QStringLiteral("PPR = pp / k = 3 / 8"));
}

void TestBiasSummary::formula_groupsThousands()
{
    GroupMetrics g;
    g.fp = 112;
    g.tn = 1388;
    QCOMPARE(biasMetricFormula(g, BiasMetric::Fpr).text, QStringLiteral("FPR = fp / (fp + tn) = 112 / 1,500"));
}

void TestBiasSummary::fairnessTree_mapsEachChoice_data()
{
    QTest::addColumn<Intervention>("intervention");
    QTest::addColumn<Concern>("concern");
    QTest::addColumn<QStringList>("parities");
    QTest::addColumn<QStringList>("metrics");
    // Aequitas's fairness tree: representation when the concern is everyone; else errors,
    // by the intervention and whom the errors fall on.
    const QStringList representation = {QStringLiteral("Statistical Parity"), QStringLiteral("Impact Parity")};
    QTest::newRow("punitive, everyone") << Intervention::Punitive << Concern::Everyone << representation
                                        << QStringList{QStringLiteral("ppr"), QStringLiteral("pprev")};
    QTest::newRow("punitive, selected") << Intervention::Punitive << Concern::Selected
                                        << QStringList{QStringLiteral("FDR Parity")} << QStringList{QStringLiteral("fdr")};
    QTest::newRow("punitive, not warranted") << Intervention::Punitive << Concern::InNeed
                                             << QStringList{QStringLiteral("FPR Parity")} << QStringList{QStringLiteral("fpr")};
    QTest::newRow("assistive, everyone") << Intervention::Assistive << Concern::Everyone << representation
                                         << QStringList{QStringLiteral("ppr"), QStringLiteral("pprev")};
    QTest::newRow("assistive, not helped") << Intervention::Assistive << Concern::Selected
                                           << QStringList{QStringLiteral("FOR Parity")} << QStringList{QStringLiteral("for")};
    QTest::newRow("assistive, in need") << Intervention::Assistive << Concern::InNeed << QStringList{QStringLiteral("FNR Parity")}
                                        << QStringList{QStringLiteral("fnr")};
}

void TestBiasSummary::fairnessTree_mapsEachChoice()
{
    QFETCH(Intervention, intervention);
    QFETCH(Concern, concern);
    QFETCH(QStringList, parities);
    QFETCH(QStringList, metrics);
    const ParityAdvice advice = fairnessTree(intervention, concern);
    QStringList gotParities;
    for (Parity p : advice.parities)
        gotParities << parityName(p);
    QStringList gotMetrics;
    for (BiasMetric m : advice.metrics)
        gotMetrics << biasMetricName(m);
    QCOMPARE(gotParities, parities);
    QCOMPARE(gotMetrics, metrics);
    QVERIFY(!advice.explanation.isEmpty());
    for (const QString &p : parities)
        QVERIFY2(advice.explanation.contains(p), qPrintable(advice.explanation));
}

QTEST_GUILESS_MAIN(TestBiasSummary)
#include "tst_biassummary.moc"
