#include <QtTest>

#include <cmath>

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>

#include "auditdataset.h"
#include "auditfixture.h"
#include "auditreport.h"
#include "cardrenderer.h"
#include "jsonschema.h"
#include "modelcard.h"
#include "prediction.h"
#include "projectfixture.h"
#include "reportexport.h"
#include "schemaerror.h"
#include "statcheck.h"
#include "testutil.h"

using namespace Audit;

namespace {

// JSON written with single quotes, for readable test rows.
QByteArray sq(const char *json)
{
    return QByteArray(json).replace('\'', '"');
}

} // namespace

// The model card on a real audited model: Markdown round trip, prose kept across refreshes,
// JSON valid against the Model Card Toolkit schema, PDF and HTML exports, stale detection,
// classic-template import and malformed cards.
static QString proseOf(const ModelCard &card, const char *key)
{
    const auto found = card.prose.find(QLatin1String(key));
    return found == card.prose.end() ? QStringLiteral("(missing)") : found->second;
}

class TestModelCard : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_project;
    std::unique_ptr<Model> m_model;
    Dataset m_data;
    std::unique_ptr<AuditResults> m_results;

    AuditResults auditAt(std::optional<double> threshold) const
    {
        return runAudit(scoreDataset(*m_model, m_data), SliceOptions(), resolveBiasOptions({}, &m_model->schema()), threshold);
    }

    ModelCard writtenCard() const
    {
        ModelCard card;
        card.refresh(*m_model, m_data, *m_results);
        card.name = QStringLiteral("Census \"income\" model");
        card.prose[QStringLiteral("overview")] = QStringLiteral(
            "Line one.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nÜnïcode — ok.\n\n\n");
        card.prose[QStringLiteral("caveats")] = QStringLiteral("- one\n- two: \"quoted\" and \\ backslash");
        card.details[QStringLiteral("owners")] = QStringLiteral("Audit team");
        card.details[QStringLiteral("license")] = QStringLiteral("mit");
        card.details[QStringLiteral("date")] = QStringLiteral("2026-11-26");
        return card;
    }

private Q_SLOTS:
    void initTestCase();
    void markdown_exportImportExportIsIdentical();
    void refresh_keepsProseAndReplacesNumbers();
    void stale_whenModelOrDataChange();
    void json_validAgainstModelCardToolkitSchema();
    void markdown_validHuggingFaceMetadata();
    void pdf_hasPagesAndTheModelName();
    void html_isSelfContained();
    void report_wordsEveryFailedParity();
    void report_failedPdfWriteLeavesNoHtml();
    void classicTemplate_importsIntoFields();
    void json_importsBackAndNamesBadFields();
    void malformedCard_namesTheLine_data();
    void malformedCard_namesTheLine();
    void json_checkedAgainstTheToolkitsOwnSchema_data();
    void json_checkedAgainstTheToolkitsOwnSchema();
    void schema_isTheVendoredCopy();
    void jsonSchema_refsAndLoops();
    void oversizedCard_refusedUnread();
    void threshold_outsideUnitInterval_refused();
    void hostileProse_sanitisedAndNothingLost();
};

void TestModelCard::initTestCase()
{
    TestUtil::makeProject(m_project);
    m_model = std::make_unique<Model>(Model::load(m_project.filePath(QStringLiteral("models/model.bin"))));
    m_data = CsvReader::read(m_project.filePath(QStringLiteral("data/test.csv")), m_model->schema()).data;
    m_results = std::make_unique<AuditResults>(auditAt(std::nullopt));
}

void TestModelCard::markdown_exportImportExportIsIdentical()
{
    const QString first = writtenCard().toMarkdown();
    const ModelCard imported = ModelCard::fromMarkdown(first, QStringLiteral("card.md"));
    QCOMPARE(imported.name, QStringLiteral("Census \"income\" model"));
    QCOMPARE(imported.details.at(QStringLiteral("owners")), QStringLiteral("Audit team"));
    QVERIFY(imported.prose.at(QStringLiteral("overview")).contains(QStringLiteral("Ünïcode")));
    QCOMPARE(imported.modelMd5, m_model->md5());
    QCOMPARE(imported.metrics.size(), writtenCard().metrics.size());
    const QString second = imported.toMarkdown();
    QCOMPARE(second, first);
    // And through a real file.
    const QString path = m_project.filePath(QStringLiteral("card.md"));
    imported.save(path);
    QCOMPARE(ModelCard::load(path).toMarkdown(), first);
}

void TestModelCard::refresh_keepsProseAndReplacesNumbers()
{
    ModelCard card = writtenCard();
    const QString quantBefore = card.generated.at(QStringLiteral("quantitative_analyses"));
    card.refresh(*m_model, m_data, auditAt(0.9));
    // The fixture's logistic model tuned its threshold on an inner validation split (a forest would say
    // out-of-bag): the card says which.
    QVERIFY(card.generated.at(QStringLiteral("model_details"))
                .contains(QStringLiteral("tuned for F1 on an inner validation split of the training rows")));
    QCOMPARE(card.prose.at(QStringLiteral("overview")), writtenCard().prose.at(QStringLiteral("overview")));
    QCOMPARE(card.prose.at(QStringLiteral("caveats")), writtenCard().prose.at(QStringLiteral("caveats")));
    QCOMPARE(card.details.at(QStringLiteral("owners")), QStringLiteral("Audit team"));
    QCOMPARE(card.name, QStringLiteral("Census \"income\" model"));
    QVERIFY(card.generated.at(QStringLiteral("quantitative_analyses")) != quantBefore);
    QVERIFY(card.generated.at(QStringLiteral("quantitative_analyses")).contains(QStringLiteral("threshold 0.9000")));
    // Refreshing a card read back from Markdown keeps its prose byte for byte too.
    ModelCard reread = ModelCard::fromMarkdown(writtenCard().toMarkdown(), QStringLiteral("c.md"));
    reread.refresh(*m_model, m_data, *m_results);
    QCOMPARE(reread.toMarkdown(), ModelCard::fromMarkdown(writtenCard().toMarkdown(), QStringLiteral("c.md")).toMarkdown());
}

void TestModelCard::stale_whenModelOrDataChange()
{
    const ModelCard card = writtenCard();
    QVERIFY(!card.isStale(m_model->md5(), m_data.md5));
    QVERIFY(card.isStale(QStringLiteral("0123456789abcdef0123456789abcdef"), m_data.md5));
    QVERIFY(card.isStale(m_model->md5(), QStringLiteral("fedcba9876543210fedcba9876543210")));
    QVERIFY(ModelCard().isStale(m_model->md5(), m_data.md5));
}

void TestModelCard::json_validAgainstModelCardToolkitSchema()
{
    const QString tool = TestUtil::projectFile(QStringLiteral("../shared/tools/validate-config"));
    if (!QFile::exists(tool))
        QSKIP("../shared/tools/validate-config is not beside this checkout");
    const QString path = m_project.filePath(QStringLiteral("card.json"));
    TestUtil::writeFile(m_project, QStringLiteral("card.json"), QJsonDocument(writtenCard().toJson()).toJson());
    QProcess process;
    process.start(QStringLiteral("python3"),
                  {tool, m_project.path(), QStringLiteral("--skip"), QStringLiteral("dvc"), QStringLiteral("--skip"),
                   QStringLiteral("workflows"), QStringLiteral("--model-card"), path, QStringLiteral("--format-check")});
    QVERIFY(process.waitForFinished(60000));
    const QByteArray output = process.readAllStandardOutput() + process.readAllStandardError();
    QVERIFY2(process.exitCode() == 0, output.constData());
    const QJsonObject json = writtenCard().toJson();
    QCOMPARE(json.value(QStringLiteral("schema_version")).toString(), QStringLiteral("0.0.2"));
    QVERIFY(json.value(QStringLiteral("quantitative_analysis"))
                .toObject()
                .value(QStringLiteral("performance_metrics"))
                .toArray()
                .size()
            > 20);

    // A JSON that breaks the schema is caught, naming the field.
    QJsonObject broken = json;
    QJsonObject details = broken.value(QStringLiteral("model_details")).toObject();
    details.insert(QStringLiteral("name"), 42);
    broken.insert(QStringLiteral("model_details"), details);
    TestUtil::writeFile(m_project, QStringLiteral("card.json"), QJsonDocument(broken).toJson());
    process.start(QStringLiteral("python3"),
                  {tool, m_project.path(), QStringLiteral("--skip"), QStringLiteral("dvc"), QStringLiteral("--skip"),
                   QStringLiteral("workflows"), QStringLiteral("--model-card"), path});
    QVERIFY(process.waitForFinished(60000));
    QVERIFY(process.exitCode() != 0);
    QVERIFY((process.readAllStandardOutput() + process.readAllStandardError()).contains("name"));
}

void TestModelCard::markdown_validHuggingFaceMetadata()
{
    const QString tool = TestUtil::projectFile(QStringLiteral("../shared/tools/validate-config"));
    if (!QFile::exists(tool))
        QSKIP("../shared/tools/validate-config is not beside this checkout");
    writtenCard().save(m_project.filePath(QStringLiteral("hf.md")));
    QProcess process;
    process.start(QStringLiteral("python3"),
                  {tool, m_project.path(), QStringLiteral("--skip"), QStringLiteral("dvc"), QStringLiteral("--skip"),
                   QStringLiteral("workflows"), QStringLiteral("--hf-card"), m_project.filePath(QStringLiteral("hf.md")),
                   QStringLiteral("--strict")});
    QVERIFY(process.waitForFinished(60000));
    QVERIFY2(process.exitCode() == 0, (process.readAllStandardOutput() + process.readAllStandardError()).constData());
}

void TestModelCard::pdf_hasPagesAndTheModelName()
{
    if (QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty())
        QSKIP("pdftotext is not installed (scripts/install-deps.sh installs poppler-utils)");
    const QByteArray pdf = CardRenderer::toPdf(writtenCard(), CardRenderer::charts(*m_results));
    QVERIFY(pdf.startsWith("%PDF"));
    const QString path = TestUtil::writeFile(m_project, QStringLiteral("card.pdf"), pdf);
    QProcess process;
    process.start(QStringLiteral("pdftotext"), {path, QStringLiteral("-")});
    QVERIFY(process.waitForFinished(30000));
    const QString text = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY2(text.contains(QStringLiteral("Census \"income\" model")), qPrintable(text.left(300)));
    QVERIFY(text.contains(QStringLiteral("Quantitative Analyses")));
    process.start(QStringLiteral("pdfinfo"), {path});
    QVERIFY(process.waitForFinished(30000));
    const QString info = QString::fromUtf8(process.readAllStandardOutput());
    static const QRegularExpression pages(QStringLiteral("Pages:\\s+(\\d+)"));
    QVERIFY(pages.match(info).captured(1).toInt() >= 1);
}

// The fixture's attribute g against reference A (see auditfixture.h): D is predicted positive
// on 2 of 2 rows, A on 3 of 6, so D's PPREV disparity is 1.0 / 0.5 = 2; its PPR is (2/8) / (3/8).
void TestModelCard::report_wordsEveryFailedParity()
{
    using namespace Audit;
    BiasOptions bias;
    bias.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
    bias.attributes = {QStringLiteral("g")};
    bias.references = {{QStringLiteral("g"), QStringLiteral("A")}};
    const AuditResults results = runAudit(auditFixture(), SliceOptions{}, bias);
    const std::vector<AuditReport::GroupSummary> summary = AuditReport::biasSummary(results, QStringLiteral("g"));
    QCOMPARE(summary.size(), std::size_t(3)); // every group but the reference, A
    QCOMPARE(summary[2].group, QStringLiteral("D"));
    QCOMPARE(summary[2].size, 2);
    const QStringList d = summary[2].sentences();
    // Core's words (biassummary), the numbers from the report: D's PPR 2/8, A's 3/8. The
    // intervals, recomputed here: PPR is a ratio of the counts 2 and 3, exp(log r +- z se) with
    // se = sqrt(1/2 + 1/3); PPrev is 2/2 over 3/6, MOVER with Wilson limits (statcheck.h).
    const auto ci = [](double low, double high) {
        return QStringLiteral("95% CI %1–%2").arg(low, 0, 'f', 3).arg(high, 0, 'f', 3);
    };
    const auto katz = [&ci](double ratio, double se) {
        const double z = 1.959963984540054;
        return ci(ratio * std::exp(-z * se), ratio * std::exp(z * se));
    };
    const auto [pprevLow, pprevHigh] = StatCheck::moverRatio(2, 2, 3, 6);
    // The fixture's groups are far under the 30 rows a test needs: Aequitas's plain verdict
    // fails them, and the sentence says there was too little to test.
    const QString ppr = QStringLiteral(
                            "D receives 0.667× as large a share of the positive predictions as A (PPR 0.250 vs 0.375); %1 "
                            "— Statistical Parity fails (parity needs 0.80–1.25; Aequitas's plain verdict: too few "
                            "rows to test).")
                            .arg(katz(2.0 / 3.0, std::sqrt(1.0 / 2 + 1.0 / 3)));
    QVERIFY2(d.contains(ppr), qPrintable(ppr + QStringLiteral("\nnot in\n") + d.join(QLatin1Char('\n'))));
    const QString pprev = QStringLiteral("D is predicted positive 2.000× as often as A (PPrev 1.000 vs 0.500); %1 — Impact "
                                         "Parity fails (parity needs 0.80–1.25; Aequitas's plain verdict: too few rows to test).")
                              .arg(ci(pprevLow, pprevHigh));
    QVERIFY2(d.contains(pprev), qPrintable(pprev + QStringLiteral("\nnot in\n") + d.join(QLatin1Char('\n'))));
    // D has no positive labels: its TPR is 0/0, so TPR Parity cannot be judged.
    QVERIFY2(d.last().startsWith(QStringLiteral("D: ")) && d.last().contains(QStringLiteral("TPR"))
                 && d.last().endsWith(QStringLiteral("parity cannot be judged (a rate of 0/0 in the group or its reference).")),
             qPrintable(d.last()));
    QVERIFY(std::none_of(summary.begin(), summary.end(), [](const auto &g) { return g.group == QLatin1String("A"); }));

    // A scored CSV has no model: the report says so and still states every number.
    ReportFacts facts = ReportFacts::of(nullptr, QStringLiteral("/somewhere/scored.csv"), QStringLiteral("abc123"), results);
    QCOMPARE(facts.title, QStringLiteral("Audit report: scores from scored.csv"));
    const QString html = QString::fromUtf8(AuditReport::toHtml(facts, results, CardRenderer::charts(results)));
    QVERIFY(html.contains(QStringLiteral("none: a scored CSV")));
    QVERIFY(html.contains(QStringLiteral("<b>0.5000</b>: positive when score")));
    QVERIFY(html.contains(QStringLiteral("<li>%1</li>").arg(pprev)));
    QVERIFY(!html.contains(QStringLiteral("<h2>Version diff</h2>")));
}

void TestModelCard::report_failedPdfWriteLeavesNoHtml()
{
    using namespace Audit;
    BiasOptions bias;
    bias.verdicts = VerdictMode::Aequitas; // a hand-sized fixture: Aequitas's plain verdicts
    bias.attributes = {QStringLiteral("g")};
    bias.references = {{QStringLiteral("g"), QStringLiteral("A")}};
    const AuditResults results = runAudit(auditFixture(), SliceOptions{}, bias);
    const ReportFacts facts = ReportFacts::of(nullptr, QStringLiteral("scored.csv"), QString(), results);
    QTemporaryDir dir;
    TestUtil::writeFile(dir, QStringLiteral("file"), "not a folder");
    const QString html = dir.filePath(QStringLiteral("report.html"));
    QVERIFY_THROWS_EXCEPTION(IoError, exportReport(facts, results, html, dir.filePath(QStringLiteral("file/report.pdf"))));
    QVERIFY(!QFile::exists(html));
    exportReport(facts, results, html, dir.filePath(QStringLiteral("report.pdf")));
    QVERIFY(TestUtil::readFile(html).startsWith("<!DOCTYPE html>"));
    QVERIFY(TestUtil::readFile(dir.filePath(QStringLiteral("report.pdf"))).startsWith("%PDF"));
}

void TestModelCard::html_isSelfContained()
{
    const std::vector<CardChart> charts = CardRenderer::charts(*m_results);
    QCOMPARE(charts.size(), std::size_t(4)); // F1 and FPR disparity for race and sex
    const QString html = QString::fromUtf8(CardRenderer::toHtml(writtenCard(), charts));
    QVERIFY(html.startsWith(QStringLiteral("<!DOCTYPE html>")));
    QVERIFY(!html.contains(QStringLiteral("http://")));
    QVERIFY(!html.contains(QStringLiteral("https://")));
    QVERIFY(!html.contains(QStringLiteral("src=\"//")));
    QCOMPARE(html.count(QStringLiteral("src=\"data:image/png;base64,")), 4);
    QVERIFY(html.contains(QStringLiteral("Census &quot;income&quot; model")));
    QVERIFY(!html.contains(QStringLiteral("<!-- prose")));
}

void TestModelCard::classicTemplate_importsIntoFields()
{
    const QString classic = QStringLiteral(
        "# Loan model\n\n## Model Details\nA gradient boosted model.\n\n"
        "## Intended Use\n### Primary intended uses\nRanking applications.\n\n"
        "### Primary intended users\nAnalysts.\n### Out-of-scope use cases\nAutomated denial.\n\n"
        "## Factors\nAge groups.\n\n## Metrics\nAUC because ranking.\n\n"
        "## Training Data\nBank records 2019.\n## Evaluation Data\nBank records 2020.\n"
        "## Quantitative Analyses\nSee tables.\n## Ethical Considerations\nCredit is sensitive.\n"
        "## Caveats and Recommendations\nRetrain yearly.\n");
    const ModelCard card = ModelCard::fromMarkdown(classic, QStringLiteral("classic.md"));
    QCOMPARE(card.name, QStringLiteral("Loan model"));
    QCOMPARE(proseOf(card, "overview"), QStringLiteral("A gradient boosted model."));
    QCOMPARE(proseOf(card, "primary_uses"), QStringLiteral("Ranking applications."));
    QCOMPARE(proseOf(card, "primary_users"), QStringLiteral("Analysts."));
    QCOMPARE(proseOf(card, "out_of_scope"), QStringLiteral("Automated denial."));
    QCOMPARE(proseOf(card, "relevant_factors"), QStringLiteral("Age groups."));
    QCOMPARE(proseOf(card, "metrics_why"), QStringLiteral("AUC because ranking."));
    QCOMPARE(proseOf(card, "training_data"), QStringLiteral("Bank records 2019."));
    QCOMPARE(proseOf(card, "evaluation_data"), QStringLiteral("Bank records 2020."));
    QCOMPARE(proseOf(card, "ethical"), QStringLiteral("Credit is sensitive."));
    QCOMPARE(proseOf(card, "caveats"), QStringLiteral("Retrain yearly."));
    // Once written in our form it round-trips exactly.
    const QString ours = card.toMarkdown();
    QCOMPARE(ModelCard::fromMarkdown(ours, QStringLiteral("x.md")).toMarkdown(), ours);
}

void TestModelCard::json_importsBackAndNamesBadFields()
{
    const ModelCard card = writtenCard();
    const ModelCard back = ModelCard::fromJson(card.toJson(), QStringLiteral("card.json"));
    QCOMPARE(back.name, card.name);
    QCOMPARE(back.prose.at(QStringLiteral("overview")), card.prose.at(QStringLiteral("overview")));
    QCOMPARE(back.prose.at(QStringLiteral("caveats")), card.prose.at(QStringLiteral("caveats")));
    QCOMPARE(back.details.at(QStringLiteral("owners")), QStringLiteral("Audit team"));
    QCOMPARE(back.details.at(QStringLiteral("license")), QStringLiteral("mit"));
    QCOMPARE(back.metrics.size(), card.metrics.size());
    QCOMPARE(back.metrics[2].lower, card.metrics[2].lower);
    // Through a file, by extension.
    TestUtil::writeFile(m_project, QStringLiteral("in.json"), QJsonDocument(card.toJson()).toJson());
    QCOMPARE(ModelCard::load(m_project.filePath(QStringLiteral("in.json"))).name, card.name);

    const auto rejects = [](QJsonObject json, const QString &part) {
        try {
            ModelCard::fromJson(json, QStringLiteral("bad.json"));
            return false;
        } catch (const SchemaError &e) {
            return e.message().contains(part);
        }
    };
    QJsonObject json = card.toJson();
    QJsonObject details = json.value(QStringLiteral("model_details")).toObject();
    details.insert(QStringLiteral("name"), 42);
    json.insert(QStringLiteral("model_details"), details);
    QVERIFY(rejects(json, QStringLiteral("bad.json: model_details.name: expected a string, found a number")));
    json = card.toJson();
    QJsonObject quant = json.value(QStringLiteral("quantitative_analysis")).toObject();
    QJsonArray metrics = quant.value(QStringLiteral("performance_metrics")).toArray();
    QJsonObject metric = metrics[1].toObject();
    metric.insert(QStringLiteral("value"), 0.5);
    metrics[1] = metric;
    quant.insert(QStringLiteral("performance_metrics"), metrics);
    json.insert(QStringLiteral("quantitative_analysis"), quant);
    QVERIFY(rejects(json, QStringLiteral("quantitative_analysis.performance_metrics[1].value: expected a string")));
    json = card.toJson();
    json.insert(QStringLiteral("extra"), true);
    QVERIFY(rejects(json, QStringLiteral("bad.json: extra: not a Model Card Toolkit field")));
}

void TestModelCard::malformedCard_namesTheLine_data()
{
    QTest::addColumn<QString>("markdown");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("front matter never closed")
        << QStringLiteral("---\nlicense: mit\n# Title\n") << "bad.md:1: the YAML front matter opened here is never closed";
    QTest::newRow("front matter not YAML") << QStringLiteral("---\nlicense: [mit\n---\n# T\n")
                                           << "bad.md:2: front matter is not valid YAML";
    QTest::newRow("prose never closed") << QStringLiteral("# T\n\n## Model Details\n<!-- prose:overview -->\ntext\n")
                                        << "bad.md:4: \"<!-- prose:overview -->\" is opened here and never closed";
    QTest::newRow("unknown prose field") << QStringLiteral("# T\n<!-- prose:summary -->\nx\n<!-- /prose -->\n")
                                         << "bad.md:2: unknown prose field \"summary\"";
    QTest::newRow("newer card format") << QStringLiteral("---\nmodelaudit:\n  card_format: 9\n---\n# T\n")
                                       << "modelaudit.card_format 9 is newer than this ModelAudit reads";
    QTest::newRow("bad results entry") << QStringLiteral("---\nmodelaudit:\n  results:\n  - [f1, 0.5]\n---\n")
                                       << "each entry must be [type, value, slice, lower, upper]";
}

void TestModelCard::malformedCard_namesTheLine()
{
    QFETCH(QString, markdown);
    QFETCH(QString, messagePart);
    try {
        ModelCard::fromMarkdown(markdown, QStringLiteral("bad.md"));
        QFAIL("expected SchemaError");
    } catch (const SchemaError &e) {
        QVERIFY2(e.message().contains(messagePart), e.what());
    }
}

void TestModelCard::json_checkedAgainstTheToolkitsOwnSchema_data()
{
    // Each row breaks one rule of MCT's v0.0.2 schema; the message names the member.
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("license with neither identifier nor custom_text")
        << sq("{'model_details': {'licenses': [{}]}}")
        << "card.json: model_details.licenses[0]: must fit exactly one of 2 forms, fits none";
    QTest::newRow("license with both") << sq("{'model_details': {'licenses': [{'identifier': 'mit', 'custom_text': 'x'}]}}")
                                       << "card.json: model_details.licenses[0]: must fit exactly one of 2 forms, fits 2";
    QTest::newRow("owners not a list") << sq("{'model_details': {'owners': {'name': 'x'}}}")
                                       << "card.json: model_details.owners: expected a list, found an object";
    QTest::newRow("owner's name a number") << sq("{'model_details': {'owners': [{'name': 'a'}, {'name': 7}]}}")
                                           << "card.json: model_details.owners[1].name: expected a string, found a number";
    QTest::newRow("interval bound a number")
        << sq("{'quantitative_analysis': {'performance_metrics': [{'type': 'f1', 'value': '0.5', 'confidence_interval': "
              "{'lower_bound': 0.4, 'upper_bound': '0.6'}}]}}")
        << "performance_metrics[0].confidence_interval.lower_bound: expected a string, found a number";
    QTest::newRow("unknown top-level member")
        << sq("{'schema_version': '0.0.2', 'extras': 1}") << "card.json: extras: not a Model Card Toolkit field";
    QTest::newRow("top level a list") << QByteArray("[]") << "card.json: (top level): expected an object, found a list";
}

void TestModelCard::json_checkedAgainstTheToolkitsOwnSchema()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, messagePart);
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    QVERIFY(!doc.isNull());
    try {
        JsonSchema(QJsonDocument::fromJson(
                       TestUtil::readFile(TestUtil::projectFile(QStringLiteral("resources/schemas/model-card.schema.json"))))
                       .object(),
                   QStringLiteral("Model Card Toolkit"))
            .validate(doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()), QStringLiteral("card.json"));
        QFAIL("expected a SchemaError");
    } catch (const SchemaError &e) {
        QVERIFY2(e.message().contains(messagePart), e.what());
    }
    if (doc.isObject()) { // the import goes through the same check
        QTemporaryDir dir;
        TestUtil::writeFile(dir, QStringLiteral("card.json"), json);
        QVERIFY_THROWS_EXCEPTION(SchemaError, ModelCard::load(dir.filePath(QStringLiteral("card.json"))));
    }
}

void TestModelCard::schema_isTheVendoredCopy()
{
    const QString shared = TestUtil::projectFile(QStringLiteral("../shared/schemas/model-card.schema.json"));
    if (!QFile::exists(shared))
        QSKIP("../shared/schemas is not beside this checkout");
    const QByteArray built = TestUtil::readFile(
        TestUtil::projectFile(QStringLiteral("resources/schemas/model-card.schema.json")));
    QCOMPARE(built, TestUtil::readFile(shared));
    QCOMPARE(QCryptographicHash::hash(built, QCryptographicHash::Sha256).toHex(),
             QByteArray("5fa8263ea5036c17ba4a8b93e3b34d07e11077b4e9c0c2048d3ba8897a48757c"));
}

void TestModelCard::jsonSchema_refsAndLoops()
{
    const auto problem = [](const QByteArray &schema, const QByteArray &value) -> QString {
        try {
            JsonSchema(QJsonDocument::fromJson(schema).object(), QStringLiteral("test"))
                .validate(QJsonDocument::fromJson(value).object(), QStringLiteral("v.json"));
            return {};
        } catch (const SchemaError &e) {
            return e.message();
        }
    };
    const QByteArray tree = sq(
        "{'type': 'object', 'properties': {'kid': {'$ref': '#/definitions/node'}}, 'definitions': {'node': {'type': 'object', "
        "'required': ['id'], 'properties': {'id': {'type': 'integer'}, 'kid': {'$ref': '#/definitions/node'}}}}}");
    QCOMPARE(problem(tree, sq("{'kid': {'id': 1, 'kid': {'id': 2}}}")), QString());
    QCOMPARE(problem(tree, sq("{'kid': {'id': 1, 'kid': {'id': 2.5}}}")),
             QStringLiteral("v.json: kid.kid.id: expected a whole number, found a number"));
    QCOMPARE(problem(tree, sq("{'kid': {'id': 1, 'kid': {}}}")), QStringLiteral("v.json: kid.kid.id: required, and missing"));
    QVERIFY(problem(sq("{'properties': {'a': {'$ref': '#/definitions/none'}}}"), sq("{'a': 1}"))
                .contains(QStringLiteral("v.json: a: the schema's reference \"#/definitions/none\" does not resolve")));
    QVERIFY(problem(sq("{'properties': {'a': {'$ref': 'http://example.com/s.json'}}}"), sq("{'a': 1}"))
                .contains(QStringLiteral("does not resolve")));
    // A reference to itself would recurse for ever; it stops at the depth limit with a message.
    QVERIFY(problem(sq("{'definitions': {'x': {'$ref': '#/definitions/x'}}, 'properties': {'a': {'$ref': '#/definitions/x'}}}"),
                    sq("{'a': 1}"))
                .contains(QStringLiteral("nests deeper than 64 levels")));
}

void TestModelCard::oversizedCard_refusedUnread()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("huge.md"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QVERIFY(file.resize((16 << 20) + 1)); // sparse: no 16 MiB written
    file.close();
    try {
        ModelCard::load(path);
        QFAIL("expected a SchemaError");
    } catch (const SchemaError &e) {
        QVERIFY2(e.message().contains(path + QStringLiteral(": 16777217 bytes is too big for a model card (at most 16 MiB)")),
                 e.what());
    }
}

void TestModelCard::threshold_outsideUnitInterval_refused()
{
    // The old "-1 means the model's threshold" sentinel must not pass as a threshold.
    const ScoredData scored = scoreDataset(*m_model, m_data);
    for (double bad : {-1.0, 1.5, qQNaN()}) {
        QVERIFY_THROWS_EXCEPTION(OptionError, runAudit(scored, SliceOptions(), resolveBiasOptions({}, &m_model->schema()), bad));
        QVERIFY_THROWS_EXCEPTION(OptionError, computeSlices(scored, SliceOptions(), bad));
    }
    QCOMPARE(auditAt(std::nullopt).threshold, m_model->threshold());
    QCOMPARE(auditAt(0.0).metrics.confusion.tp + auditAt(0.0).metrics.confusion.fn,
             auditAt(0.0).metrics.confusion.tp); // all positive
}

// Prose is the user's (or whoever edited the card): the exports must neither run it nor lose
// it. A raw <img onerror> used to drop everything after it from the HTML and the PDF, and
// javascript:/vbscript:/data:text/html URLs survived in links and images.
void TestModelCard::hostileProse_sanitisedAndNothingLost()
{
    ModelCard card = writtenCard();
    card.prose[QStringLiteral("overview")] = QStringLiteral(
        "Before the tag. <img src=x onerror=alert(1)> After the tag, still here.\n\n"
        "[click](javascript:alert(1)) [vb](vbscript:msgbox) [page](data:text/html,<script>alert(1)</script>) "
        "[fine](https://example.org/docs) [mail](mailto:audit@example.org)\n\n"
        "![pixel](data:text/html;base64,PHNjcmlwdD4=) ![remote](http://tracker.example/p.png)\n\n"
        "<script>alert(2)</script> The end of the overview.");
    const QString html = QString::fromUtf8(CardRenderer::toHtml(card));
    QVERIFY(!html.contains(QStringLiteral("javascript:"), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QStringLiteral("vbscript:"), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QStringLiteral("href=\"javascript:"), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QStringLiteral("src=\"data:text/html"), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QStringLiteral("src=\"http://tracker"), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QStringLiteral("<script"), Qt::CaseInsensitive));
    QVERIFY(html.contains(QStringLiteral("href=\"https://example.org/docs\"")));
    QVERIFY(html.contains(QStringLiteral("href=\"mailto:audit@example.org\"")));
    // Nothing lost: the raw tags show as text, and what follows them is there.
    QVERIFY2(html.contains(QStringLiteral("&lt;img src=x onerror=alert(1)&gt;")), qPrintable(html.left(4000)));
    QVERIFY(html.contains(QStringLiteral("After the tag, still here.")));
    QVERIFY(html.contains(QStringLiteral("The end of the overview.")));
    QVERIFY(html.contains(QStringLiteral("[image not shown: data:text/html;base64,PHNjcmlwdD4=]")));
    // The PDF says the same words.
    const QString path = TestUtil::writeFile(m_project, QStringLiteral("hostile.pdf"), CardRenderer::toPdf(card));
    QProcess process;
    process.start(QStringLiteral("pdftotext"), {path, QStringLiteral("-")});
    QVERIFY(process.waitForFinished(30000));
    const QString text = QString::fromUtf8(process.readAllStandardOutput()).simplified();
    QVERIFY2(text.contains(QStringLiteral("After the tag, still here."))
                 && text.contains(QStringLiteral("The end of the overview.")),
             qPrintable(text.left(2000)));
}

QTEST_MAIN(TestModelCard)
#include "tst_modelcard.moc"
