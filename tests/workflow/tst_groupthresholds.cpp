#include <QtTest>

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>

#include <cmath>
#include <limits>

#include "audit.h"
#include "auditdataset.h"
#include "counterfactuals.h"
#include "csvreader.h"
#include "evaluation.h"
#include "explainreport.h"
#include "mitigation.h"
#include "mitigationrun.h"
#include "model.h"
#include "modelcard.h"
#include "modelfileerror.h"
#include "prediction.h"
#include "project.h"
#include "projectfixture.h"
#include "record.h"
#include "schemaerror.h"
#include "slicecounts.h"
#include "testutil.h"
#include "trainer.h"
#include "whatifsweep.h"

using namespace Audit;

// Group thresholds applied: stored in the model file (format 3), honoured by every path that
// decides (the audit, evaluate, predict, one record at a time), fitted in training on the same
// out-of-fold rows `mitigate` uses, and refused where a file or params.yaml is wrong.
class TestGroupThresholds : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::optional<Model> m_model; // the project's logistic model (one threshold)
    Dataset m_test;
    ScoredData m_scored;

    // The scored test rows' groups of `attribute`, and thresholds fitted on them.
    MitigationReport fit(FairnessConstraint constraint, double tolerance, std::vector<std::int32_t> &codes,
                         QStringList &names) const;
    Model applied(const MitigationReport &report) const
    {
        return m_model->withGroupThresholds(toGroupThresholds(report, QStringLiteral("the test rows"), 2000, 7));
    }

private Q_SLOTS:
    void initTestCase();
    void modelFile_roundTripsFormat3();
    void modelFile_refusesBadGroupThresholds_data();
    void modelFile_refusesBadGroupThresholds();
    void decisionKeys_decideExactlyAsTheRowThresholds();
    void audit_decidesAsTheFittedRules_data();
    void audit_decidesAsTheFittedRules();
    void mixedThresholds_drawnPerRecordAtTheirRates();
    void singleThreshold_refusedForAGroupModel();
    void whatIfAndCounterfactuals_meetEachVariantsGroupThreshold();
    void mitigate_warnsOfADegenerateFit();
    void training_fitsOnTheOutOfFoldRowsMitigateUses();
    void training_namesTheParamsLineAtFault_data();
    void training_namesTheParamsLineAtFault();
};

void TestGroupThresholds::initTestCase()
{
    TestUtil::makeProject(m_dir);
    m_model = Model::load(m_dir.filePath(QStringLiteral("models/model.bin")));
    m_test = CsvReader::read(m_dir.filePath(QStringLiteral("data/test.csv")), m_model->schema()).data;
    m_scored = scoreDataset(*m_model, m_test);
    QCOMPARE(m_scored.rowCount(), std::size_t(2000));
    QVERIFY(m_scored.rowThresholds.empty());
}

MitigationReport TestGroupThresholds::fit(FairnessConstraint constraint, double tolerance, std::vector<std::int32_t> &codes,
                                          QStringList &names) const
{
    const DataColumn *sex = m_scored.column(QStringLiteral("sex"));
    names.clear();
    for (const std::string &c : sex->categories)
        names << QString::fromStdString(c);
    codes = sex->codes;
    const GroupedScores rows{&m_scored.scores, &m_scored.labels, &codes, names};
    return fitGroupThresholds(rows, constraint, tolerance, Objective::parse(QStringLiteral("f1")), m_model->threshold(),
                              QStringLiteral("sex"));
}

void TestGroupThresholds::modelFile_roundTripsFormat3()
{
    std::vector<std::int32_t> codes;
    QStringList names;
    const MitigationReport report = fit(FairnessConstraint::EqualOpportunity, 0.02, codes, names);
    QVERIFY(report.found);
    const Model model = applied(report);
    QCOMPARE(m_model->formatVersion(), quint32(1));
    QCOMPARE(model.formatVersion(), quint32(3));
    QVERIFY(model.md5() != m_model->md5());
    QVERIFY(model.groupThresholds().active());
    QCOMPARE(model.groupThresholds().groups.size(), report.rules.size());

    const QByteArray bytes = model.serialize();
    QCOMPARE(qFromLittleEndian<quint32>(bytes.constData() + 8), quint32(3));
    const Model back = Model::deserialize(bytes, QStringLiteral("applied.bin"));
    QCOMPARE(back.serialize(), bytes); // byte for byte
    QCOMPARE(back.md5(), model.md5());
    for (std::size_t g = 0; g < report.rules.size(); ++g) {
        QCOMPARE(back.groupThresholds().groups[g].name, report.rules[g].group);
        QCOMPARE(back.groupThresholds().groups[g].threshold(), report.rules[g].threshold); // exact: JSON keeps every bit
    }
    QVERIFY2(back.groupThresholds().describe().startsWith(QStringLiteral("by sex: ")),
             qPrintable(back.groupThresholds().describe()));
    // Taking them away gives the original file back, byte for byte.
    QCOMPARE(model.withGroupThresholds({}).serialize(), m_model->serialize());
    QCOMPARE(model.describe().value(QStringLiteral("group_thresholds")).toObject().value(QStringLiteral("attribute")).toString(),
             QStringLiteral("sex"));
}

namespace {

// `bytes` with its header replaced by `edit(header)` and its format set to `version`, resealed
// with a good checksum (what an attacker or a careless tool would write).
QByteArray resealed(const QByteArray &bytes, quint32 version, const std::function<void(QJsonObject &)> &edit)
{
    const quint32 headerSize = qFromLittleEndian<quint32>(bytes.constData() + 12);
    QJsonObject header = QJsonDocument::fromJson(bytes.mid(24, headerSize)).object();
    edit(header);
    const QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    QByteArray out = bytes.left(24);
    const quint32 v = qToLittleEndian(version);
    std::memcpy(out.data() + 8, &v, 4);
    const quint32 size = qToLittleEndian(quint32(json.size()));
    std::memcpy(out.data() + 12, &size, 4);
    out += json + bytes.mid(24 + headerSize, bytes.size() - 24 - headerSize - 16);
    out += QCryptographicHash::hash(out, QCryptographicHash::Md5);
    return out;
}

void setGroups(QJsonObject &header, const std::function<void(QJsonObject &)> &edit)
{
    QJsonObject g = header.value(QStringLiteral("group_thresholds")).toObject();
    edit(g);
    header.insert(QStringLiteral("group_thresholds"), g);
}

void setFirstMix(QJsonObject &header, const QJsonArray &mix)
{
    setGroups(header, [&mix](QJsonObject &g) {
        QJsonArray groups = g.value(QStringLiteral("groups")).toArray();
        QJsonObject first = groups[0].toObject();
        first.insert(QStringLiteral("mix"), mix);
        groups[0] = first;
        g.insert(QStringLiteral("groups"), groups);
    });
}

QJsonObject entry(double t, double p)
{
    return {{QStringLiteral("threshold"), t}, {QStringLiteral("probability"), p}};
}

} // namespace

void TestGroupThresholds::modelFile_refusesBadGroupThresholds_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("messagePart");
    std::vector<std::int32_t> codes;
    QStringList names;
    const QByteArray good = applied(fit(FairnessConstraint::EqualOpportunity, 0.02, codes, names)).serialize();
    const QByteArray plain = m_model->serialize();

    QTest::newRow("group thresholds in a format-1 file")
        << resealed(good, 1, [](QJsonObject &) {}) << "group_thresholds: a format-1 file cannot hold them";
    QTest::newRow("format 3 without them") << resealed(plain, 3, [](QJsonObject &) {})
                                           << "group_thresholds: missing (a format-3 file holds group thresholds)";
    QTest::newRow("not an object") << resealed(good, 3, [](QJsonObject &h) { h.insert(QStringLiteral("group_thresholds"), 5); })
                                   << "group_thresholds: expected an object";
    QTest::newRow("unknown attribute") << resealed(good, 3, [](QJsonObject &h) {
        setGroups(h, [](QJsonObject &g) { g.insert(QStringLiteral("attribute"), QStringLiteral("planet")); });
    }) << "group_thresholds.attribute: \"planet\" is not a column of the model's schema";
    QTest::newRow("numeric attribute") << resealed(good, 3, [](QJsonObject &h) {
        setGroups(h, [](QJsonObject &g) { g.insert(QStringLiteral("attribute"), QStringLiteral("age")); });
    }) << "group_thresholds.attribute: \"age\" is numeric";
    QTest::newRow("unknown constraint") << resealed(good, 3, [](QJsonObject &h) {
        setGroups(h, [](QJsonObject &g) { g.insert(QStringLiteral("constraint"), QStringLiteral("fairish")); });
    }) << "group_thresholds.constraint: \"fairish\" is not a fairness constraint";
    QTest::newRow("probabilities short of 1") << resealed(good, 3, [](QJsonObject &h) {
        setFirstMix(h, {entry(0.6, 0.5), entry(0.3, 0.4)});
    }) << "group_thresholds.groups[0].mix: probabilities sum to 0.9, not 1";
    QTest::newRow("threshold above 1") << resealed(good, 3, [](QJsonObject &h) { setFirstMix(h, {entry(1.5, 1)}); })
                                       << "group_thresholds.groups[0].mix: a threshold in [0, 1] for each entry";
    QTest::newRow("thresholds not descending") << resealed(good, 3, [](QJsonObject &h) {
        setFirstMix(h, {entry(0.3, 0.5), entry(0.6, 0.5)});
    }) << "group_thresholds.groups[0].mix: thresholds in descending order, each once";
    QTest::newRow("four thresholds mixed") << resealed(good, 3, [](QJsonObject &h) {
        setFirstMix(h, {entry(0.8, 0.25), entry(0.6, 0.25), entry(0.4, 0.25), entry(0.2, 0.25)});
    }) << "group_thresholds.groups[0].mix: expected a list of 1 to 3 thresholds";
    QTest::newRow("a group twice") << resealed(good, 3, [](QJsonObject &h) {
        setGroups(h, [](QJsonObject &g) {
            QJsonArray groups = g.value(QStringLiteral("groups")).toArray();
            groups[1] = groups[0];
            g.insert(QStringLiteral("groups"), groups);
        });
    }) << "group_thresholds.groups[1].group: \"Male\" is listed twice";
    QTest::newRow("one group") << resealed(good, 3, [](QJsonObject &h) {
        setGroups(h, [](QJsonObject &g) {
            QJsonArray groups = g.value(QStringLiteral("groups")).toArray();
            groups.removeLast();
            g.insert(QStringLiteral("groups"), groups);
        });
    }) << "group_thresholds.groups: 1 groups: between 2 and 1000";
    QTest::newRow("a group name of 300 characters") << resealed(good, 3, [](QJsonObject &h) {
        setGroups(h, [](QJsonObject &g) {
            QJsonArray groups = g.value(QStringLiteral("groups")).toArray();
            QJsonObject first = groups[0].toObject();
            first.insert(QStringLiteral("group"), QString(300, QLatin1Char('x')));
            groups[0] = first;
            g.insert(QStringLiteral("groups"), groups);
        });
    }) << "group_thresholds.groups[0].group: 300 characters (at most 256)";
    QTest::newRow("a group no row can have") << resealed(good, 3, [](QJsonObject &h) {
        setGroups(h, [](QJsonObject &g) {
            QJsonArray groups = g.value(QStringLiteral("groups")).toArray();
            QJsonObject first = groups[0].toObject();
            first.insert(QStringLiteral("group"), QStringLiteral(" Male "));
            groups[0] = first;
            g.insert(QStringLiteral("groups"), groups);
        });
    }) << "group_thresholds.groups[0].group: \" Male \" is not a category of sex the model was trained on";
    QTest::newRow("another column's groups") << resealed(good, 3, [](QJsonObject &h) {
        setGroups(h, [](QJsonObject &g) { g.insert(QStringLiteral("attribute"), QStringLiteral("race")); });
    }) << "is not a category of race the model was trained on";
    QTest::newRow("seed not a number") << resealed(good, 3, [](QJsonObject &h) {
        setGroups(h, [](QJsonObject &g) { g.insert(QStringLiteral("seed"), QStringLiteral("-x")); });
    }) << "group_thresholds.seed: expected a whole number as text";
}

void TestGroupThresholds::modelFile_refusesBadGroupThresholds()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, messagePart);
    try {
        Model::deserialize(bytes, QStringLiteral("bad.bin"));
        QFAIL("a bad group_thresholds member was accepted");
    } catch (const ModelFileError &e) {
        QVERIFY2(e.message().contains(messagePart), qPrintable(e.message()));
        QVERIFY2(e.message().startsWith(QStringLiteral("bad.bin")), qPrintable(e.message()));
    }
}

void TestGroupThresholds::decisionKeys_decideExactlyAsTheRowThresholds()
{
    // Scores a hair either side of their row's threshold, far from the single threshold: the
    // keys must put each on the side its own threshold does, at the single threshold.
    ScoredData data;
    data.threshold = 0.3568;
    std::vector<double> thresholds;
    const double cuts[] = {0.0, 0.1234567890123, 0.28390000000000004, 0.5, 0.7777, 0.999999999, 1.0};
    for (const double t : cuts) {
        for (const double s : {std::nextafter(t, -1.0), t, std::nextafter(t, 2.0), t - 1e-17, t + 3e-17, 0.3568, 0.0, 1.0}) {
            if (s < 0 || s > 1)
                continue;
            data.scores.push_back(s);
            data.labels.push_back(std::int8_t(data.scores.size() % 2));
            thresholds.push_back(t);
        }
    }
    thresholds.back() = std::nextafter(1.0, 2.0); // a group that is never positive
    data.setRowThresholds(thresholds, QStringLiteral("test"), 0);
    const std::vector<std::uint8_t> outcomes = data.outcomes();
    std::size_t positives = 0;
    for (std::size_t i = 0; i < data.scores.size(); ++i) {
        const bool expected = data.scores[i] >= thresholds[i];
        positives += expected ? 1 : 0;
        QVERIFY2(bool(outcomes[i] & 1) == expected,
                 qPrintable(QStringLiteral("row %1: score %2, threshold %3")
                                .arg(i)
                                .arg(data.scores[i], 0, 'g', 17)
                                .arg(thresholds[i], 0, 'g', 17)));
    }
    QCOMPARE(RankedRows(data).predictedPositives(data.threshold), positives);
    QVERIFY_THROWS_EXCEPTION(SchemaError, data.setRowThresholds({0.5}, QStringLiteral("test"), 0));
}

void TestGroupThresholds::audit_decidesAsTheFittedRules_data()
{
    QTest::addColumn<int>("constraint");
    QTest::addColumn<double>("tolerance");
    QTest::newRow("demographic parity 0.05") << int(FairnessConstraint::DemographicParity) << 0.05;
    QTest::newRow("equal opportunity 0.02") << int(FairnessConstraint::EqualOpportunity) << 0.02;
}

void TestGroupThresholds::audit_decidesAsTheFittedRules()
{
    QFETCH(int, constraint);
    QFETCH(double, tolerance);
    std::vector<std::int32_t> codes;
    QStringList names;
    const MitigationReport report = fit(FairnessConstraint(constraint), tolerance, codes, names);
    QVERIFY(report.found);
    const GroupedScores rows{&m_scored.scores, &m_scored.labels, &codes, names};
    const MitigationOutcome expected = evaluateRules(rows, report, true); // the decide library's own count
    QVERIFY(expected.groups.size() == 2);
    const Model model = applied(report);

    // The audit of the model's own scoring, through the slice and bias engines.
    const ScoredData scored = scoreDataset(model, m_test);
    QCOMPARE(scored.rowThresholds.size(), std::size_t(2000));
    QCOMPARE(scored.ungroupedRows, std::size_t(0));
    QCOMPARE(scored.scores, m_scored.scores); // scores untouched: only decisions change
    BiasOptions bias;
    bias.attributes = {QStringLiteral("sex")};
    bias.references[QStringLiteral("sex")] = QStringLiteral("Male");
    const AuditResults results = runAudit(scored, SliceOptions{}, bias);
    const Confusion &c = results.metrics.confusion;
    QCOMPARE(double(c.tp), expected.overall.tp);
    QCOMPARE(double(c.fp), expected.overall.fp);
    QCOMPARE(double(c.tn), expected.overall.tn);
    QCOMPARE(double(c.fn), expected.overall.fn);
    QCOMPARE(results.metrics.f1, expected.f1);
    // Threshold-free figures are the scores': the same as before.
    const AuditResults single = runAudit(m_scored, SliceOptions{}, bias);
    QCOMPARE(results.metrics.rocAuc, single.metrics.rocAuc);
    QCOMPARE(results.metrics.logLoss, single.metrics.logLoss);
    QVERIFY(results.metrics.confusion.tp != single.metrics.confusion.tp
            || results.metrics.confusion.fp != single.metrics.confusion.fp);
    // Per group, as evaluateRules counts them.
    QVERIFY(results.bias);
    for (const GroupOutcome &g : expected.groups) {
        const auto found = std::find_if(results.bias->groups.begin(), results.bias->groups.end(), [&g](const GroupMetrics &m) {
            return m.attribute == QLatin1String("sex") && m.value == g.group;
        });
        QVERIFY(found != results.bias->groups.end());
        QCOMPARE(double(found->tp), g.tp);
        QCOMPARE(double(found->fp), g.fp);
        QCOMPARE(double(found->fn), g.fn);
    }
    // The slice report's sex=Female slice agrees too.
    bool sawFemale = false;
    for (const SliceRow &row : results.slices->slices) {
        if (row.feature() == QLatin1String("sex") && row.values.size() == 1 && row.values[0] == QLatin1String("Female")) {
            sawFemale = true;
            const GroupOutcome &female = expected.groups[std::size_t(names.indexOf(QStringLiteral("Female")))];
            QCOMPARE(double(row.tp), female.tp);
            QCOMPARE(double(row.fp), female.fp);
        }
    }
    QVERIFY(sawFemale);
    QVERIFY(results.slices->decisionRule.startsWith(QStringLiteral("by sex")));
    QVERIFY(results.slices->toText().contains(QStringLiteral("Slice performance (thresholds by sex: ")));
    QVERIFY(results.bias->toJson().value(QStringLiteral("group_thresholds")).toString().startsWith(QStringLiteral("by sex")));
    QVERIFY(!single.bias->toJson().contains(QStringLiteral("group_thresholds"))); // one threshold: the report as before

    // The card says group-aware thresholds are used, and what the evaluation rows show of them.
    ModelCard card;
    card.refresh(model, m_test, results);
    const QString md = card.toMarkdown();
    QVERIFY2(md.contains(QStringLiteral("| Decision thresholds by group | by sex: ")), qPrintable(md.left(3000)));
    QVERIFY(
        md.contains(QStringLiteral("**Group-aware thresholds.** This model's decision depends on sex as well as on the score")));
    QVERIFY(md.contains(QStringLiteral("the HTTP endpoint refuses (422) a request without it")));
    QVERIFY(md.contains(QStringLiteral("### Overall (group thresholds by sex, 2000 rows)")));
    if (FairnessConstraint(constraint) == FairnessConstraint::EqualOpportunity) {
        const GroupOutcome &a = expected.groups[0], &b = expected.groups[1];
        const QString gap = QString::number(std::abs(a.tpr() - b.tpr()), 'f', 3);
        QVERIFY2(md.contains(QStringLiteral("the true-positive rates are "))
                     && md.contains(QStringLiteral("(a gap of %1)").arg(gap)),
                 qPrintable(gap));
    }

    // evaluate (reports/metrics.json) counts the same.
    LoadReport load;
    load.data = m_test;
    const EvaluationReport evaluation = evaluateModel(model, load);
    QCOMPARE(evaluation.metrics.confusion.tp, c.tp);
    QCOMPARE(evaluation.metrics.confusion.fp, c.fp);
    QVERIFY(evaluation.toText().startsWith(QStringLiteral("decided with group thresholds by sex")));
    QCOMPARE(evaluation.toJson().value(QStringLiteral("group_thresholds")).toString(), model.groupThresholds().describe());

    // predict --data writes each row's threshold and decides with it.
    const QString out = m_dir.filePath(QStringLiteral("predicted.csv"));
    const PredictReport predicted = predictCsv(model, m_dir.filePath(QStringLiteral("data/test.csv")), out);
    QCOMPARE(predicted.outputColumns,
             (QStringList{QStringLiteral("score"), QStringLiteral("prediction"), QStringLiteral("threshold"),
                          QStringLiteral("label_value")}));
    QCOMPARE(qint64(predicted.positives), c.tp + c.fp);
    const QList<QByteArray> lines = TestUtil::readFile(out).split('\n');
    const QByteArray last = lines[1].split(',').at(lines[1].split(',').size() - 2);
    QCOMPARE(last.toDouble(), scored.rowThresholds[0]);

    // Importance counts the model's own errors: each row at its group's threshold.
    ImportanceRequest importance;
    importance.maxRows = 0;
    const ImportanceReport explained = importanceReport(model, m_test, importance);
    QCOMPARE(explained.rowThresholds, scored.rowThresholds);
    QCOMPARE(qint64(explained.errors), c.fp + c.fn);
    importance.threshold = 0.5;
    QVERIFY_THROWS_EXCEPTION(OptionError, importanceReport(model, m_test, importance));

    // One record at a time (the CLI's predict and the server): each row's threshold and label.
    for (std::size_t r = 0; r < m_test.rowCount(); r += 7) {
        const Prediction p = predictRecord(model, recordFromDataset(m_test, r));
        QCOMPARE(p.threshold, scored.rowThresholds[r]);
        QCOMPARE(p.label == model.schema().positiveLabel(), scored.scores[r] >= scored.rowThresholds[r]);
        QVERIFY(p.warnings.isEmpty() || !p.warnings.join(QString()).contains(QStringLiteral("none of the groups")));
    }
    // A record of a group the thresholds do not list: the single threshold, said so.
    Record stranger = recordFromDataset(m_test, 0);
    stranger.texts[std::size_t(model.schema().featureIndex(QStringLiteral("sex")))] = "Nonbinary";
    const Prediction p = predictRecord(model, stranger);
    QCOMPARE(p.threshold, model.threshold());
    QVERIFY2(p.warnings.join(QString()).contains(QStringLiteral("sex: \"Nonbinary\" is none of the groups")),
             qPrintable(p.warnings.join(QLatin1Char('\n'))));
}

void TestGroupThresholds::mixedThresholds_drawnPerRecordAtTheirRates()
{
    // Female mixes 0.6 (a quarter of the records) with 0.2; Male has one threshold.
    GroupThresholds g;
    g.attribute = QStringLiteral("sex");
    g.constraint = QStringLiteral("equalized_odds");
    g.objective = QStringLiteral("f1");
    g.fittedOn = QStringLiteral("by hand");
    g.seed = 11;
    g.groups = {{QStringLiteral("Female"), {{0.6, 0.25}, {0.2, 0.75}}}, {QStringLiteral("Male"), {{0.5, 1.0}}}};
    const Model model = m_model->withGroupThresholds(g);
    QVERIFY(model.groupThresholds().randomised());
    const ScoredData scored = scoreDataset(model, m_test);
    const ScoredData again = scoreDataset(Model::deserialize(model.serialize(), QStringLiteral("m.bin")), m_test);
    QCOMPARE(again.rowThresholds, scored.rowThresholds); // the same records, the same draws
    const int sex = model.schema().featureIndex(QStringLiteral("sex"));
    int female = 0, high = 0;
    for (std::size_t r = 0; r < m_test.rowCount(); ++r) {
        const Record record = recordFromDataset(m_test, r);
        const bool isFemale = record.texts[std::size_t(sex)] == "Female";
        QCOMPARE(scored.rowThresholds[r], isFemale ? scored.rowThresholds[r] : 0.5);
        if (isFemale) {
            ++female;
            high += scored.rowThresholds[r] == 0.6 ? 1 : 0;
            QVERIFY(scored.rowThresholds[r] == 0.6 || scored.rowThresholds[r] == 0.2);
        }
        if (r % 5 == 0) // the server's path draws what the audit drew
            QCOMPARE(predictRecord(model, record).threshold, scored.rowThresholds[r]);
    }
    // Binomial(female, 0.25): within 4 standard deviations.
    const double sd = std::sqrt(female * 0.25 * 0.75);
    QVERIFY2(female > 500 && std::abs(high - 0.25 * female) < 4 * sd,
             qPrintable(QStringLiteral("%1 of %2 drew 0.6").arg(high).arg(female)));
    // Another seed draws differently; the key ignores NaN's payload and zero's sign.
    GroupThresholds other = g;
    other.seed = 12;
    QVERIFY(scoreDataset(m_model->withGroupThresholds(other), m_test).rowThresholds != scored.rowThresholds);
    const float a[] = {std::numeric_limits<float>::quiet_NaN(), 0.0f, 1.5f};
    const float b[] = {-std::numeric_limits<float>::quiet_NaN(), -0.0f, 1.5f};
    const float c[] = {std::numeric_limits<float>::quiet_NaN(), 0.0f, 1.5000001f};
    QCOMPARE(g.keyOf(a, 3), g.keyOf(b, 3));
    QVERIFY(g.keyOf(a, 3) != g.keyOf(c, 3));
    // thresholdOf follows the cumulative probabilities: u < 0.25 is the first.
    QCOMPARE(g.thresholdOf(0, 0, 0.4), 0.6);
    QCOMPARE(g.thresholdOf(0, ~std::uint64_t(0), 0.4), 0.2);
    QCOMPARE(g.thresholdOf(-1, 123, 0.4), 0.4);

    // Many groups: messages and reports name the first 12 and count the rest (bounded text
    // whatever the file holds), each name echoed safely.
    GroupThresholds many = g;
    many.groups.clear();
    for (int k = 0; k < 30; ++k)
        many.groups.push_back({QStringLiteral("group\n%1").arg(k), {{0.5, 1.0}}});
    QVERIFY2(many.shownGroups().endsWith(QStringLiteral(", and 18 more")), qPrintable(many.shownGroups()));
    QVERIFY2(!many.shownGroups().contains(QLatin1Char('\n')), qPrintable(many.shownGroups()));
    QVERIFY2(many.describe().contains(QStringLiteral("group\\x0a11 0.5000, and 18 more (")), qPrintable(many.describe()));
}

void TestGroupThresholds::singleThreshold_refusedForAGroupModel()
{
    std::vector<std::int32_t> codes;
    QStringList names;
    const Model model = applied(fit(FairnessConstraint::EqualOpportunity, 0.02, codes, names));
    LoadReport load;
    load.data = m_test;
    try {
        evaluateModel(model, load, 1.0, 0.5);
        QFAIL("evaluate --threshold was accepted for a model with group thresholds");
    } catch (const OptionError &e) {
        QCOMPARE(e.field(), QStringLiteral("threshold"));
        QVERIFY2(e.message().contains(QStringLiteral("decides with thresholds by sex")), qPrintable(e.message()));
    }
    const ScoredData scored = scoreDataset(model, m_test);
    AuditRequest request;
    request.threshold = 0.5;
    QVERIFY_THROWS_EXCEPTION(OptionError, auditScored(scored, request, BiasOptions{}));
    request.threshold = model.threshold(); // its own single threshold: the model's decision
    QCOMPARE(auditScored(scored, request, BiasOptions{}).metrics.confusion.tp,
             runAudit(scored, SliceOptions{}, BiasOptions{}).metrics.confusion.tp);
}

void TestGroupThresholds::whatIfAndCounterfactuals_meetEachVariantsGroupThreshold()
{
    // Far-apart thresholds: a Male record scored between them is negative, and positive as Female.
    GroupThresholds g;
    g.attribute = QStringLiteral("sex");
    g.constraint = QStringLiteral("equal_opportunity");
    g.objective = QStringLiteral("f1");
    g.fittedOn = QStringLiteral("by hand");
    g.groups = {{QStringLiteral("Male"), {{0.9, 1.0}}}, {QStringLiteral("Female"), {{0.05, 1.0}}}};
    const Model model = m_model->withGroupThresholds(g);
    const std::size_t sex = std::size_t(model.schema().featureIndex(QStringLiteral("sex")));
    std::optional<Record> record;
    for (std::size_t r = 0; r < m_test.rowCount() && !record; ++r) {
        const Record candidate = recordFromDataset(m_test, r);
        const double p = predictRecord(model, candidate).probability;
        if (candidate.texts[sex] == "Male" && p > 0.1 && p < 0.85)
            record = candidate;
    }
    QVERIFY(record.has_value());
    QCOMPARE(predictRecord(model, *record).threshold, 0.9);
    // Swept over sex, each category is decided at its own group's threshold.
    const WhatIfSweep sweep = sweepFeature(model, *record, sex, model.threshold(), &m_test);
    for (const WhatIfPoint &p : sweep.points) {
        QCOMPARE(p.threshold, p.value == QLatin1String("Male") ? 0.9 : 0.05);
        QCOMPARE(p.positive(), p.value == QLatin1String("Female"));
    }
    QCOMPARE(describeFlips(sweep, model.schema()), QStringLiteral("flips to %1 with Female").arg(model.schema().positiveLabel()));
    // Counterfactuals are found at the record's group's threshold, whatever the caller passed.
    const CounterfactualSearch search = findCounterfactuals(model, *record, 0.5, &m_test);
    QCOMPARE(search.threshold, 0.9);
    QVERIFY(!search.positive);
    for (const Counterfactual &c : search.answers)
        QVERIFY2(c.probability >= 0.9, qPrintable(QString::number(c.probability)));
}

void TestGroupThresholds::mitigate_warnsOfADegenerateFit()
{
    // Equal opportunity at tolerance 0 meets equality by making (nearly) everyone positive.
    MitigationRequest request;
    request.modelPath = m_dir.filePath(QStringLiteral("models/model.bin"));
    request.attribute = QStringLiteral("sex");
    request.constraint = FairnessConstraint::EqualOpportunity;
    request.tolerance = 0;
    request.objective = Objective::parse(QStringLiteral("f1"));
    request.fitPath = m_dir.filePath(QStringLiteral("data/test.csv"));
    request.reportPath = request.fitPath;
    const MitigationRun run = runMitigation(request, nullptr);
    bool warned = false;
    for (std::size_t k = 0; k < run.after.groups.size(); ++k) {
        const double b = run.before.groups[k].ppr(), a = run.after.groups[k].ppr();
        const bool degenerate = (a >= 0.9 && b < 0.9) || (a <= 0.02 && b > 0.02) || std::abs(a - b) >= 0.4;
        const bool said = run.warnings.join(QLatin1Char('\n'))
                              .contains(QStringLiteral("group \"%1\": its threshold makes").arg(run.after.groups[k].group));
        QCOMPARE(said, degenerate);
        warned |= said;
    }
    QVERIFY2(warned, qPrintable(run.toText()));
    // At 0.05 the fit is not degenerate: no such warning.
    request.tolerance = 0.05;
    QVERIFY(!runMitigation(request, nullptr).warnings.join(QString()).contains(QStringLiteral("degenerate")));
}

void TestGroupThresholds::training_fitsOnTheOutOfFoldRowsMitigateUses()
{
    // params.yaml with a mitigation section; `mitigate --cv 3` on the project fits the same.
    TestUtil::writeFile(m_dir, QStringLiteral("params.yaml"),
                        "data:\n  schema: data/census.schema.yaml\n  train: data/train.csv\n  test: data/test.csv\n"
                        "model:\n  learner: logistic\n  seed: 42\n  threshold: tune\n  log1p: none\n"
                        "mitigation:\n  constraint: equal_opportunity\n  attribute: sex\n  tolerance: 0.03\n"
                        "  objective: cost:3\n  folds: 3\n");
    const Project project = Project::open(m_dir.path());
    const TrainParams &params = project.params();
    QVERIFY(params.mitigation.active());
    const Dataset train = CsvReader::read(params.trainPath, project.loadSchema()).data;
    const Model model = trainProjectModel(train, params);
    QCOMPARE(model.formatVersion(), quint32(3));
    // Deterministic: the same data and params, the same bytes.
    QCOMPARE(trainProjectModel(train, params).serialize(), model.serialize());
    // The learner and its threshold are what plain training gives: only the decisions differ.
    QCOMPARE(model.withGroupThresholds({}).serialize(), trainModel(train, params).serialize());

    MitigationRequest request;
    request.modelPath = m_dir.filePath(QStringLiteral("models/model.bin"));
    trainModel(train, params).save(request.modelPath);
    request.attribute = QStringLiteral("sex");
    request.constraint = FairnessConstraint::EqualOpportunity;
    request.tolerance = 0.03;
    request.objective = Objective::parse(QStringLiteral("cost:3"));
    request.folds = 3;
    request.reportPath = params.testPath;
    const MitigationRun run = runMitigation(request, &project);
    const GroupThresholds &g = model.groupThresholds();
    QCOMPARE(g.groups.size(), run.fitted.rules.size());
    for (std::size_t k = 0; k < g.groups.size(); ++k) {
        QCOMPARE(g.groups[k].name, run.fitted.rules[k].group);
        QCOMPARE(g.groups[k].threshold(), run.fitted.rules[k].threshold);
    }
    QCOMPARE(g.fitRows, std::int64_t(3000));
    QCOMPARE(g.objective, QStringLiteral("cost:fp=1,fn=3")); // the spec written out in full
    QVERIFY2(g.fittedOn.startsWith(QStringLiteral("3-fold out-of-fold scores of the training rows (data md5 ")),
             qPrintable(g.fittedOn));
    // What the mitigate report shows on the test split is what the applied model's audit gives.
    const AuditResults audited = runAudit(scoreDataset(model, m_test), SliceOptions{}, BiasOptions{});
    QCOMPARE(double(audited.metrics.confusion.tp), run.after.overall.tp);
    QCOMPARE(double(audited.metrics.confusion.fp), run.after.overall.fp);
    // Put the fixture back for the other cases.
    TestUtil::makeProject(m_dir);
}

void TestGroupThresholds::training_namesTheParamsLineAtFault_data()
{
    QTest::addColumn<QByteArray>("mitigation");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("recall target") << QByteArray("  constraint: equal_opportunity\n  attribute: sex\n  objective: recall:0.8\n")
                                   << "params.yaml:9: mitigation.objective: group thresholds optimise F-beta or an expected "
                                      "cost, not recall >= 0.8";
    QTest::newRow("bad objective") << QByteArray("  constraint: equal_opportunity\n  attribute: sex\n  objective: best\n")
                                   << "params.yaml:9: mitigation.objective: ";
    QTest::newRow("numeric attribute") << QByteArray("  constraint: demographic_parity\n  attribute: age\n")
                                       << "params.yaml:8: mitigation.attribute: \"age\" is numeric";
    QTest::newRow("no such attribute") << QByteArray("  constraint: demographic_parity\n  attribute: planet\n")
                                       << "params.yaml:8: mitigation.attribute: \"planet\" is not a column";
    QTest::newRow("unknown constraint") << QByteArray("  constraint: fair\n  attribute: sex\n")
                                        << "mitigation.constraint: unknown constraint \"fair\"";
    QTest::newRow("no attribute") << QByteArray("  constraint: equal_opportunity\n")
                                  << "mitigation.attribute: a constraint needs the attribute";
    QTest::newRow("tolerance out of range") << QByteArray("  constraint: equal_opportunity\n  attribute: sex\n  tolerance: 2\n")
                                            << "mitigation.tolerance";
    QTest::newRow("the section twice") << QByteArray("  constraint: none\nmitigation:\n  constraint: equal_opportunity\n")
                                       << "params.yaml:8: mitigation: a second \"mitigation:\" section; keep one";
    QTest::newRow("unknown key") << QByteArray("  constraint: equal_opportunity\n  attribute: sex\n  tolerence: 0.1\n")
                                 << "tolerence";
}

void TestGroupThresholds::training_namesTheParamsLineAtFault()
{
    QFETCH(QByteArray, mitigation);
    QFETCH(QString, messagePart);
    QTemporaryDir dir;
    TestUtil::makeProject(dir, false);
    TestUtil::writeFile(dir, QStringLiteral("params.yaml"),
                        "data:\n  schema: data/census.schema.yaml\n  train: data/train.csv\n"
                        "model:\n  learner: logistic\nmitigation:\n"
                            + mitigation);
    try {
        const TrainParams params = TrainParams::fromYamlFile(dir.filePath(QStringLiteral("params.yaml")));
        const Dataset train = CsvReader::read(params.trainPath, Schema::fromYamlFile(params.schemaPath)).data;
        trainProjectModel(train, params);
        QFAIL("bad mitigation params were accepted");
    } catch (const SchemaError &e) {
        QVERIFY2(e.message().contains(messagePart), qPrintable(e.message()));
        QVERIFY2(e.message().contains(QStringLiteral("params.yaml")), qPrintable(e.message()));
    }
}

QTEST_GUILESS_MAIN(TestGroupThresholds)
#include "tst_groupthresholds.moc"
