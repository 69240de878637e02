#include <QXmlStreamReader>
#include <QtTest>

#include "auditfixture.h"
#include "auditpolicy.h"
#include "schemaerror.h"

using namespace Audit;
using Status = RuleResult::Status;

// The audit gate's rules, each on constructed data whose verdict is known: kEvidenceGroups
// (auditfixture.h) has a reference R, a group F whose FPR is three times R's (a significant
// failure), N outside the band but within chance, S too small for a verdict.
class TestAuditPolicy : public QObject
{
    Q_OBJECT

private:
    static AuditResults audited(const ScoredData &data)
    {
        SliceOptions slices;
        slices.features = {QStringLiteral("g")};
        slices.minSize = 1;
        BiasOptions bias;
        bias.attributes = {QStringLiteral("g")};
        bias.references = {{QStringLiteral("g"), QStringLiteral("R")}};
        return runAudit(data, slices, bias, 0.5);
    }
    static RuleResult one(const QByteArray &rule, const AuditResults &results, const CardFacts *card = nullptr,
                          const RegressionFacts *regression = nullptr)
    {
        const AuditPolicy policy = AuditPolicy::parse("version: 1\nrules:\n" + rule, QStringLiteral("policy.yaml"));
        return evaluatePolicy(policy, results, card, regression).results.at(0);
    }

private Q_SLOTS:
    void parse_readsEveryKind();
    void parse_badPolicies_nameFileLineAndKey_data();
    void parse_badPolicies_nameFileLineAndKey();
    void parse_controlCharactersInNamesAreBlanked();
    void metric_floorsCeilingsAndIntervals();
    void weakSlices_countsWhatTheRuleNames();
    void parity_failsPassesAndUnclearAsThePolicySays();
    void calibration_ceiling();
    void card_completeAndFresh();
    void regression_againstThePreviousVersion();
    void warningRules_reportWithTheirReasonAndDoNotFail();
    void reports_junitMarkdownJsonAgree();
};

void TestAuditPolicy::parse_readsEveryKind()
{
    const AuditPolicy p = AuditPolicy::parse(R"(version: 1
rules:
  - name: F1 floor
    metric: f1
    min: 0.7
    require_interval: true
  - name: weak
    weak_slices: {min_size: 50, q: 0.01, gap: 0.2, max: 2, max_features: 1}
  - name: sex
    parity: {attribute: sex, verdicts: [equalized_odds, statistical], insufficient: fail, not_significant: pass}
    severity: warning
    reason: known
  - name: ece
    calibration: {ece_max: 0.03}
  - name: card
    card: {complete: false}
  - name: reg
    regression: {max_worse_slices: 1, metric: log_loss, max_drop: 0.02}
)",
                                             QStringLiteral("p.yaml"));
    QCOMPARE(p.rules.size(), std::size_t(6));
    QCOMPARE(p.rules[0].kind, PolicyRule::Kind::Metric);
    QCOMPARE(*p.rules[0].min, 0.7);
    QVERIFY(p.rules[0].requireInterval);
    QCOMPARE(p.rules[0].line, 3);
    QCOMPARE(p.rules[1].minSize, std::int64_t(50));
    QCOMPARE(p.rules[1].maxFeatures, 1);
    QCOMPARE(p.rules[1].maxCount, 2);
    QCOMPARE(p.rules[2].parities.size(), std::size_t(2));
    QCOMPARE(p.rules[2].parities[0], Parity::EqualizedOdds);
    QCOMPARE(p.rules[2].insufficient, Unclear::Fail);
    QCOMPARE(p.rules[2].notSignificant, Unclear::Pass);
    QVERIFY(p.rules[2].warning);
    QCOMPARE(p.rules[3].eceMax, 0.03);
    QVERIFY(!p.rules[4].requireComplete && p.rules[4].requireFresh);
    QCOMPARE(p.rules[5].metric, QStringLiteral("log_loss"));
    QCOMPARE(p.rules[5].requirement(), QStringLiteral("at most 1 slice(s) significantly worse, log_loss at most 0.02 worse"));
}

void TestAuditPolicy::parse_badPolicies_nameFileLineAndKey_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("message");
    const QByteArray head = "version: 1\nrules:\n";
    QTest::newRow("unknown top key") << QByteArray("version: 1\nrule:\n  - {name: a, metric: f1, min: 0}\n")
                                     << "policy.yaml:2: rule: unknown key";
    QTest::newRow("no rules") << QByteArray("version: 1\nrules: []\n") << "policy.yaml:2: rules: a policy has at least one rule";
    QTest::newRow("version 2") << QByteArray("version: 2\nrules:\n  - {name: a, metric: f1, min: 0}\n")
                               << "policy.yaml:1: version";
    QTest::newRow("no kind") << head + "  - name: a\n    min: 0.5\n"
                             << "policy.yaml:3: rules[0]: the rule says what it checks";
    QTest::newRow("two kinds") << head + "  - name: a\n    metric: f1\n    card: {}\n"
                               << "policy.yaml:3: rules[0]: one kind per rule, found metric and card";
    QTest::newRow("unknown metric") << head + "  - name: a\n    metric: f2\n    min: 0.5\n"
                                    << "policy.yaml:4: rules[0].metric: unknown metric \"f2\"";
    QTest::newRow("typo") << head + "  - name: a\n    metric: f1\n    mni: 0.5\n"
                          << "policy.yaml:5: rules[0].mni: unknown key";
    QTest::newRow("no limit") << head + "  - name: a\n    metric: f1\n"
                              << "policy.yaml:3: rules[0]: a metric rule sets min or max";
    QTest::newRow("min not a number") << head + "  - name: a\n    metric: f1\n    min: high\n"
                                      << "policy.yaml:5: rules[0].min";
    QTest::newRow("warning without reason") << head + "  - name: a\n    metric: f1\n    min: 0.5\n    severity: warning\n"
                                            << "policy.yaml:3: rules[0].reason: a warning rule says why";
    QTest::newRow("bad severity") << head + "  - name: a\n    metric: f1\n    min: 0.5\n    severity: fatal\n"
                                  << "policy.yaml:6: rules[0].severity: expected error or warning, found \"fatal\"";
    QTest::newRow("same name twice") << head + "  - {name: a, metric: f1, min: 0}\n  - {name: a, metric: recall, min: 0}\n"
                                     << "policy.yaml:4: rules[1].name: \"a\" names two rules";
    QTest::newRow("unknown verdict") << head + "  - name: a\n    parity: {attribute: sex, verdicts: [equal_odds]}\n"
                                     << "rules[0].parity.verdicts: unknown verdict \"equal_odds\"";
    QTest::newRow("bad unclear") << head + "  - name: a\n    parity: {attribute: sex, insufficient: ignore}\n"
                                 << "rules[0].parity.insufficient: expected pass, warn or fail, found \"ignore\"";
    QTest::newRow("no attribute") << head + "  - name: a\n    parity: {}\n"
                                  << "rules[0].parity.attribute";
    QTest::newRow("q out of range") << head + "  - name: a\n    weak_slices: {q: 2}\n"
                                    << "rules[0].weak_slices.q";
    QTest::newRow("bad flag") << head + "  - name: a\n    card: {fresh: yes please}\n"
                              << "rules[0].card.fresh: expected true or false, found \"yes please\"";
    QTest::newRow("settings not a map") << head + "  - name: a\n    calibration: 0.05\n"
                                        << "rules[0].calibration: a mapping of the rule's settings";
    QTest::newRow("rule not a map") << head + "  - f1 >= 0.7\n"
                                    << "policy.yaml:3: rules[0]: a rule is a mapping";
    QTest::newRow("not YAML") << QByteArray("rules: [\n") << "policy.yaml";
    QTest::newRow("floor above 1") << head + "  - name: a\n    metric: f1\n    min: 2\n"
                                   << "policy.yaml:5: rules[0].min: f1 lies in [0, 1]";
    QTest::newRow("min above max") << head + "  - name: a\n    metric: f1\n    min: 0.9\n    max: 0.1\n"
                                   << "policy.yaml:6: rules[0].max: max 0.1 is below min 0.9";
    QTest::newRow("names equal but for a control character")
        << head + "  - {name: \"a\\a\", metric: f1, min: 0}\n  - {name: a, metric: recall, min: 0}\n"
        << "rules[1].name: \"a\" names two rules";
}

void TestAuditPolicy::parse_badPolicies_nameFileLineAndKey()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, message);
    try {
        AuditPolicy::parse(yaml, QStringLiteral("policy.yaml"));
        QFAIL("accepted");
    } catch (const SchemaError &e) {
        QVERIFY2(e.message().contains(message), qPrintable(e.message()));
    }
}

void TestAuditPolicy::parse_controlCharactersInNamesAreBlanked()
{
    const AuditPolicy p = AuditPolicy::parse("rules:\n  - {name: \"x\\n  [PASS   ] fake\\u001b[2J\", metric: f1, min: 0}\n",
                                             QStringLiteral("p.yaml"));
    QCOMPARE(p.rules[0].name, QStringLiteral("x [PASS ] fake [2J"));
    const PolicyVerdict v = evaluatePolicy(p, audited(countsFixture(kEvidenceGroups)), nullptr, nullptr);
    QVERIFY(!v.toText().contains(QLatin1Char('\x1b')));
    QCOMPARE(v.toText().count(QLatin1Char('\n')), 1); // the summary line and one rule line
}

void TestAuditPolicy::metric_floorsCeilingsAndIntervals()
{
    const AuditResults r = audited(countsFixture(kEvidenceGroups));
    // F1 from the counts: TP 101, FP 90, FN 85 -> 2*101 / (2*101 + 90 + 85) = 202 / 377.
    const double f1 = 202.0 / 377.0;
    QVERIFY(std::abs(r.metrics.f1 - f1) < 1e-12);
    QCOMPARE(one("  - {name: a, metric: f1, min: 0.53}\n", r).status, Status::Pass);
    QCOMPARE(one("  - {name: a, metric: f1, min: 0.54}\n", r).status, Status::Fail);
    QCOMPARE(one("  - {name: a, metric: f1, max: 0.53}\n", r).status, Status::Fail);
    // A floor the value clears but its 95% interval does not: passes, unless the rule asks for
    // the whole interval; either way the detail says the data cannot rule out a miss.
    const double low = r.slices->overall.f1Ci.low;
    QVERIFY(low < f1 - 0.02);
    const QByteArray floor = QByteArray::number(f1 - 0.01, 'f', 4);
    const RuleResult lenient = one("  - {name: a, metric: f1, min: " + floor + "}\n", r);
    QCOMPARE(lenient.status, Status::Pass);
    QVERIFY2(lenient.detail.contains(QStringLiteral("cannot rule out")), qPrintable(lenient.detail));
    QCOMPARE(one("  - {name: a, metric: f1, min: " + floor + ", require_interval: true}\n", r).status, Status::Fail);
    QVERIFY(lenient.measured.contains(QStringLiteral("[95% CI %1,").arg(low, 0, 'f', 4)));
    // Lower is better for log loss: a ceiling.
    QCOMPARE(one("  - {name: a, metric: log_loss, max: 100}\n", r).status, Status::Pass);
    QCOMPARE(one("  - {name: a, metric: log_loss, max: 0.01}\n", r).status, Status::Fail);
}

void TestAuditPolicy::weakSlices_countsWhatTheRuleNames()
{
    // F's F1 (60 / (60 + 60 + 50) = 0.353) is far below overall (0.536) on 200 rows.
    const AuditResults r = audited(countsFixture(kEvidenceGroups));
    const SliceRow *f = nullptr;
    for (const SliceRow &s : r.slices->slices)
        f = s.values.value(0) == QLatin1String("F") ? &s : f;
    QVERIFY(f && f->weak && f->q <= 0.05);
    QVERIFY(std::abs(f->gap - (202.0 / 377.0 - 60.0 / 170.0)) < 1e-12);
    const RuleResult hit = one("  - name: a\n    weak_slices: {min_size: 100, q: 0.05, gap: 0.1}\n", r);
    QCOMPARE(hit.status, Status::Fail);
    QVERIFY2(hit.detail.contains(QStringLiteral("g=F (n 200")), qPrintable(hit.detail));
    QVERIFY(hit.measured.startsWith(QStringLiteral("1 such slice(s)")));
    QCOMPARE(one("  - name: a\n    weak_slices: {min_size: 100, q: 0.05, gap: 0.1, max: 1}\n", r).status, Status::Pass);
    QCOMPARE(one("  - name: a\n    weak_slices: {min_size: 201}\n", r).status, Status::Pass);
    QCOMPARE(one("  - name: a\n    weak_slices: {gap: 0.19}\n", r).status, Status::Pass); // the gap is 0.183
    QCOMPARE(one("  - name: a\n    weak_slices: {q: 1e-12}\n", r).status, Status::Pass);
}

void TestAuditPolicy::parity_failsPassesAndUnclearAsThePolicySays()
{
    const AuditResults r = audited(countsFixture(kEvidenceGroups));
    // F fails FPR parity (disparity 3) significantly: the attribute's FPR roll-up fails.
    const RuleResult fpr = one("  - name: a\n    parity: {attribute: g, verdicts: [fpr]}\n", r);
    QCOMPARE(fpr.status, Status::Fail);
    QVERIFY2(fpr.detail.contains(QStringLiteral("F fpr")) && fpr.detail.contains(QStringLiteral("fpr disparity 3.0000")),
             qPrintable(fpr.detail));
    // Only N and S against R: N is outside the band but not significant, S has too few rows.
    ScoredData small = countsFixture({kEvidenceGroups[0], kEvidenceGroups[2]});
    const AuditResults n = audited(small);
    QCOMPARE(one("  - name: a\n    parity: {attribute: g, verdicts: [fpr]}\n", n).status, Status::Warn);
    QCOMPARE(one("  - name: a\n    parity: {attribute: g, verdicts: [fpr], not_significant: pass}\n", n).status, Status::Pass);
    QCOMPARE(one("  - name: a\n    parity: {attribute: g, verdicts: [fpr], not_significant: fail}\n", n).status, Status::Fail);
    const AuditResults s = audited(countsFixture({kEvidenceGroups[0], kEvidenceGroups[3]}));
    QCOMPARE(one("  - name: a\n    parity: {attribute: g, verdicts: [fpr]}\n", s).status, Status::Warn);
    QCOMPARE(one("  - name: a\n    parity: {attribute: g, verdicts: [fpr], insufficient: fail}\n", s).status, Status::Fail);
    QCOMPARE(one("  - name: a\n    parity: {attribute: g, verdicts: [fpr], insufficient: pass}\n", s).status, Status::Pass);
    // Equal rates everywhere: a pass.
    const AuditResults equal = audited(countsFixture({{"R", 60, 20, 100, 20}, {"T", 60, 20, 100, 20}}));
    QCOMPARE(one("  - name: a\n    parity: {attribute: g, verdicts: [equalized_odds, statistical]}\n", equal).status,
             Status::Pass);
    // An attribute the audit does not cover fails, saying so.
    const RuleResult missing = one("  - name: a\n    parity: {attribute: h}\n", r);
    QCOMPARE(missing.status, Status::Fail);
    QVERIFY(missing.detail.contains(QStringLiteral("\"h\" is not among the audited attributes")));
}

void TestAuditPolicy::calibration_ceiling()
{
    // Scores of 0.9 and 0.1 against the counts' rates: ECE = sum over the two bins of
    // |positives - n * score| / rows: 191 rows at 0.9 with 101 positives, 263 at 0.1 with 85, of 454.
    const AuditResults r = audited(countsFixture(kEvidenceGroups));
    const double ece = (std::abs(101 - 191 * 0.9) + std::abs(85 - 263 * 0.1)) / 454;
    QVERIFY(std::abs(r.calibration.ece - ece) < 1e-12);
    QCOMPARE(one("  - name: a\n    calibration: {ece_max: 0.3}\n", r).status, Status::Pass);
    QCOMPARE(one("  - name: a\n    calibration: {ece_max: 0.2}\n", r).status, Status::Fail);
}

void TestAuditPolicy::card_completeAndFresh()
{
    const AuditResults r = audited(countsFixture(kEvidenceGroups));
    const QByteArray rule = "  - name: a\n    card: {}\n";
    CardFacts card;
    card.path = QStringLiteral("model_card.md");
    card.exists = true;
    QCOMPARE(one(rule, r, &card).status, Status::Pass);
    card.stale = true;
    RuleResult res = one(rule, r, &card);
    QCOMPARE(res.status, Status::Fail);
    QVERIFY(res.detail.contains(QStringLiteral("from another model or data version")));
    QCOMPARE(one("  - name: a\n    card: {fresh: false}\n", r, &card).status, Status::Pass);
    card.stale = false;
    card.emptyFields = {QStringLiteral("primary_uses")};
    res = one(rule, r, &card);
    QCOMPARE(res.status, Status::Fail);
    QVERIFY(res.detail.contains(QStringLiteral("empty: primary_uses")));
    card.exists = false;
    QVERIFY(one(rule, r, &card).detail.contains(QStringLiteral("model_card.md does not exist")));
    QCOMPARE(one(rule, r).status, Status::Skipped);
}

void TestAuditPolicy::regression_againstThePreviousVersion()
{
    const AuditResults r = audited(countsFixture(kEvidenceGroups));
    const QByteArray rule = "  - name: a\n    regression: {max_worse_slices: 0, metric: f1, max_drop: 0.01}\n";
    QCOMPARE(one(rule, r).status, Status::Skipped);
    RegressionFacts facts;
    facts.against = QStringLiteral("HEAD~1");
    facts.testedSlices = 10;
    facts.metrics[QStringLiteral("f1")] = {0.75, 0.745};
    QCOMPARE(one(rule, r, nullptr, &facts).status, Status::Pass);
    facts.metrics[QStringLiteral("f1")] = {0.75, 0.73};
    RuleResult res = one(rule, r, nullptr, &facts);
    QCOMPARE(res.status, Status::Fail);
    QVERIFY2(res.detail.contains(QStringLiteral("f1 worse by 0.0200")), qPrintable(res.detail));
    facts.metrics[QStringLiteral("f1")] = {0.75, 0.76};
    facts.worseSlices = 2;
    res = one(rule, r, nullptr, &facts);
    QCOMPARE(res.status, Status::Fail);
    QVERIFY(res.detail.contains(QStringLiteral("2 slices significantly worse")));
    // Lower is better for log loss: a rise is the regression.
    facts.worseSlices = 0;
    facts.metrics[QStringLiteral("log_loss")] = {0.30, 0.35};
    QCOMPARE(one("  - name: a\n    regression: {metric: log_loss, max_drop: 0.01}\n", r, nullptr, &facts).status, Status::Fail);
    facts.problem = QStringLiteral("version HEAD~1 could not be audited: no such revision");
    QCOMPARE(one(rule, r, nullptr, &facts).status, Status::Fail);
}

void TestAuditPolicy::warningRules_reportWithTheirReasonAndDoNotFail()
{
    const AuditResults r = audited(countsFixture(kEvidenceGroups));
    const AuditPolicy policy = AuditPolicy::parse(R"(version: 1
rules:
  - {name: floor, metric: f1, min: 0.5}
  - name: parity
    parity: {attribute: g, verdicts: [fpr]}
    severity: warning
    reason: a known failure, fixed by group thresholds
)",
                                                  QStringLiteral("p.yaml"));
    const PolicyVerdict v = evaluatePolicy(policy, r, nullptr, nullptr);
    QVERIFY(v.passed());
    QCOMPARE(v.results[1].status, Status::Warn);
    QVERIFY(v.results[1].detail.contains(QStringLiteral("Kept as a warning: a known failure, fixed by group thresholds")));
    QCOMPARE(v.count(Status::Pass), 1);
    QCOMPARE(v.count(Status::Warn), 1);
}

void TestAuditPolicy::reports_junitMarkdownJsonAgree()
{
    const AuditResults r = audited(countsFixture(kEvidenceGroups));
    const AuditPolicy policy = AuditPolicy::parse(R"(version: 1
rules:
  - {name: "floor <&>", metric: f1, min: 0.5}
  - {name: too high, metric: f1, min: 0.9}
  - name: card
    card: {}
)",
                                                  QStringLiteral("p.yaml"));
    const PolicyVerdict v = evaluatePolicy(policy, r, nullptr, nullptr);
    QVERIFY(!v.passed());
    // JUnit: one test case per rule; the failing one has a <failure>, the skipped one <skipped>.
    QXmlStreamReader xml(v.toJUnitXml());
    int cases = 0;
    int failures = 0;
    int skipped = 0;
    QStringList names;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("testsuite")) {
            QCOMPARE(xml.attributes().value(QStringLiteral("tests")).toInt(), 3);
            QCOMPARE(xml.attributes().value(QStringLiteral("failures")).toInt(), 1);
        }
        if (xml.name() == QLatin1String("testcase")) {
            ++cases;
            names << xml.attributes().value(QStringLiteral("name")).toString();
        }
        failures += xml.name() == QLatin1String("failure");
        skipped += xml.name() == QLatin1String("skipped");
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(cases, 3);
    QCOMPARE(failures, 1);
    QCOMPARE(skipped, 1);
    QCOMPARE(names.front(), QStringLiteral("floor <&>"));
    const QString md = v.toMarkdown();
    QVERIFY(md.startsWith(QStringLiteral("## Audit gate: failed")));
    QVERIFY2(md.contains(QStringLiteral("| too high | ❌ fail | f1 >= 0.9 |")), qPrintable(md));
    const QJsonObject json = v.toJson();
    QCOMPARE(json.value(QStringLiteral("passed")).toBool(true), false);
    QCOMPARE(json.value(QStringLiteral("counts")).toObject().value(QStringLiteral("fail")).toInt(), 1);
    QCOMPARE(json.value(QStringLiteral("rules")).toArray().at(1).toObject().value(QStringLiteral("line")).toInt(), 4);
    QVERIFY(v.toText().contains(QStringLiteral("[FAIL   ] too high")));
}

QTEST_GUILESS_MAIN(TestAuditPolicy)
#include "tst_auditpolicy.moc"
