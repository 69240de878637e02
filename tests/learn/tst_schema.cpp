#include <QtTest>

#include "params.h"
#include "schema.h"
#include "schemaerror.h"
#include "testutil.h"
#include "yamlutil.h"

using namespace Audit;

class TestSchema : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void withScalar_changesOneValueAndKeepsTheRest();
    void oversizedYaml_refusedUnread();
    void withScalar_refusesWhatItCannotEdit_data();
    void withScalar_refusesWhatItCannotEdit();
    void censusSchema_declaresColumnsLabelAndProtected();
    void jsonRoundTrip_keepsEverything();
    void badSchema_namesLineAndKey_data();
    void badSchema_namesLineAndKey();
    void params_readEveryLearnerSection();
    void badParams_namesLineAndKey_data();
    void badParams_namesLineAndKey();
    void params_relativeSchemaPathResolvesNextToParams();
};

void TestSchema::censusSchema_declaresColumnsLabelAndProtected()
{
    const Schema schema = Schema::fromYamlFile(TestUtil::censusSchema());
    QCOMPARE(int(schema.features().size()), 14);
    QCOMPARE(schema.labelColumn(), QStringLiteral("salary"));
    QCOMPARE(schema.positiveLabel(), QStringLiteral(">50K"));
    QCOMPARE(schema.negativeLabel(), QStringLiteral("<=50K"));
    QCOMPARE(schema.categoricalColumns().size(), 8);
    QVERIFY(schema.featureIndex(QStringLiteral("education-num")) >= 0);
    QCOMPARE(schema.protectedAttributes().size(), std::size_t(2));
    QCOMPARE(schema.protectedAttributes()[0].column, QStringLiteral("race"));
    QCOMPARE(schema.protectedAttributes()[0].reference, QStringLiteral("White"));
    QCOMPARE(schema.missingToken(), QStringLiteral("?"));
}

void TestSchema::jsonRoundTrip_keepsEverything()
{
    const Schema schema = Schema::fromYamlFile(TestUtil::censusSchema());
    const Schema copy = Schema::fromJson(schema.toJson());
    QCOMPARE(copy.toJson(), schema.toJson());
    QCOMPARE(copy.features()[2].type, ColumnType::Integer);
}

void TestSchema::badSchema_namesLineAndKey_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("messagePart");

    const QByteArray label = "label: {column: y, positive: a, negative: b}\n";
    QTest::newRow("protected and actionable") << QByteArray(
        "label: {column: y, positive: a, negative: b}\ncolumns:\n  - {name: g, type: categorical, actionable: true}\n"
        "protected:\n  - {column: g}\n") << "\"g\" is protected, so it cannot be actionable";
    QTest::newRow("actionable not a boolean") << QByteArray(
        "label: {column: y, positive: a, negative: b}\ncolumns:\n  - {name: g, type: categorical, actionable: yes}\n")
                                              << "s.yaml:3: columns[0].actionable: expected true or false, found \"yes\"";
    QTest::newRow("not YAML") << QByteArray("columns: [unclosed\n") << "s.yaml:2: not valid YAML";
    QTest::newRow("top level is a list") << QByteArray("- a\n- b\n") << "expected a YAML mapping at the top level";
    QTest::newRow("label missing") << QByteArray("columns:\n  - {name: a, type: integer}\n")
                                   << "s.yaml:1: label: required section is missing";
    QTest::newRow("positive missing") << QByteArray("label: {column: y, negative: b}\ncolumns: []\n")
                                      << "label.positive: required key is missing";
    QTest::newRow("unknown type") << label + "columns:\n  - {name: a, type: integer}\n  - {name: b, type: text}\n"
                                  << "s.yaml:4: columns[1].type: expected one of categorical, integer, real; found \"text\"";
    QTest::newRow("column without name") << label + "columns:\n  - {type: integer}\n"
                                         << "columns[0].name: required key is missing";
    QTest::newRow("no columns") << label + "columns: []\n"
                                << "no feature columns are declared";
    QTest::newRow("duplicate column") << label + "columns:\n  - {name: a, type: integer}\n  - {name: a, type: real}\n"
                                      << "\"a\" is declared twice";
    QTest::newRow("misspelt key") << label + "columns:\n  - {name: a, tpye: integer}\n"
                                  << "s.yaml:3: columns[0].tpye: unknown key; did you mean type?";
    QTest::newRow("misspelt top-level key") << label + "colums:\n  - {name: a, type: integer}\n"
                                            << "colums: unknown key; did you mean columns?";
    QTest::newRow("key given twice") << label + "label: {column: z, positive: a, negative: b}\ncolumns: []\n"
                                     << "label: given twice";
    QTest::newRow("same positive and negative") << QByteArray("label: {column: y, positive: a, negative: a}\n"
                                                              "columns:\n  - {name: a, type: integer}\n")
                                                << "positive and negative are both \"a\"";
    QTest::newRow("positive and negative one number") << QByteArray("label: {column: y, positive: [1, 2], negative: 1.0}\n"
                                                                    "columns:\n  - {name: a, type: integer}\n")
                                                      << "s.yaml:1: label.negative: positive and negative are both \"1\"";
    QTest::newRow("a label value listed twice") << QByteArray("label: {column: y, positive: [a, a], negative: b}\n"
                                                              "columns:\n  - {name: a, type: integer}\n")
                                                << "label.positive[1]: \"a\" is listed twice";
    QTest::newRow("empty positive list") << QByteArray("label: {column: y, positive: [], negative: b}\n"
                                                       "columns:\n  - {name: a, type: integer}\n")
                                         << "label.positive: the list is empty";
    QTest::newRow("unknown delimiter") << "delimiter: \":\"\n" + label + "columns:\n  - {name: a, type: integer}\n"
                                       << "s.yaml:1: delimiter: expected one of \",\", \";\", tab, \"|\", auto; found \":\"";
    QTest::newRow("header not a boolean") << "header: maybe\n" + label + "columns:\n  - {name: a, type: integer}\n"
                                          << "header: expected true or false, found \"maybe\"";
    QByteArray many = "missing: [";
    for (int i = 0; i < 101; ++i)
        many += QByteArray::number(i) + ", ";
    many += "x]\n";
    QTest::newRow("too many missing tokens") << many + label + "columns:\n  - {name: a, type: integer}\n"
                                             << "s.yaml:1: missing: 102 values; at most 100 are allowed";
    QTest::newRow("column missing tokens not text") << label + "columns:\n  - {name: a, type: integer, missing: {x: 1}}\n"
                                                    << "columns[0].missing: expected a text value";
    QTest::newRow("protected column unknown")
        << label + "columns:\n  - {name: a, type: integer}\nprotected:\n  - {column: zz, reference: x}\n"
        << "s.yaml:5: protected[0].column: \"zz\" is not one of the columns";
}

void TestSchema::badSchema_namesLineAndKey()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, messagePart);
    try {
        Schema::fromYaml(yaml, QStringLiteral("s.yaml"));
        QFAIL("expected SchemaError");
    } catch (const SchemaError &e) {
        QVERIFY2(e.message().contains(messagePart), e.what());
    }
}

void TestSchema::params_readEveryLearnerSection()
{
    const TrainParams params = TrainParams::fromYamlFile(TestUtil::projectFile(QStringLiteral("params.yaml")));
    QVERIFY(params.schemaPath.endsWith(QStringLiteral("data/census.schema.yaml")));
    QVERIFY(QFile::exists(params.schemaPath));

    const TrainParams rf = TrainParams::fromYaml("model:\n  learner: random_forest\n  threshold: 0.4\n"
                                                 "  random_forest: {trees: 7, min_leaf: 3, feature_fraction: 0.5}\n",
                                                 QStringLiteral("p.yaml"));
    QCOMPARE(rf.learner.kind, LearnerKind::RandomForest);
    QCOMPARE(rf.learner.trees, 7);
    QCOMPARE(rf.learner.minLeaf, 3);
    QCOMPARE(rf.learner.featureFraction, 0.5);
    QVERIFY(!rf.tuneThreshold);
    QCOMPARE(rf.threshold, 0.4);

    const TrainParams mlp = TrainParams::fromYaml("model:\n  learner: mlp\n  mlp: {hidden1: 8, hidden2: 4, epochs: 3}\n",
                                                  QStringLiteral("p.yaml"));
    QCOMPARE(mlp.learner.hidden1, 8);
    QCOMPARE(mlp.learner.epochs, 3);
    QVERIFY(mlp.tuneThreshold);
    QCOMPARE(LearnerParams::fromJson(mlp.learner.toJson()).hidden2, 4);
}

void TestSchema::badParams_namesLineAndKey_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("no model section") << QByteArray("data: {schema: s.yaml}\n") << "model: required section is missing";
    QTest::newRow("unknown learner") << QByteArray("model:\n  learner: lightgbm\n")
                                     << "p.yaml:2: model.learner: unknown learner \"lightgbm\"; expected logistic, linear_svm, "
                                        "random_forest, mlp or xgboost";
    QTest::newRow("xgboost eta out of range") << QByteArray("model:\n  learner: xgboost\n  xgboost:\n    eta: 2\n")
                                              << "p.yaml:4: model.xgboost.eta: 2 is out of range [1e-06, 1]";
    QTest::newRow("xgboost unknown key") << QByteArray("model:\n  learner: xgboost\n  xgboost:\n    n_estimators: 5\n")
                                         << "p.yaml:4: model.xgboost.n_estimators: unknown key (known here: rounds, eta,";
    QTest::newRow("xgboost unbounded trees")
        << QByteArray("model:\n  learner: xgboost\n  xgboost:\n    max_depth: 0\n    max_leaves: 0\n")
        << "model.xgboost.max_depth: max_depth 0 needs max_leaves > 0";
    QTest::newRow("threshold out of range") << QByteArray("model:\n  learner: mlp\n  threshold: 1.5\n")
                                            << "p.yaml:3: model.threshold: 1.5 is out of range [0, 1]";
    QTest::newRow("epochs not a number") << QByteArray("model:\n  learner: mlp\n  mlp:\n    epochs: many\n")
                                         << "p.yaml:4: model.mlp.epochs: expected a whole number, found \"many\"";
    QTest::newRow("zero trees") << QByteArray("model:\n  learner: random_forest\n  random_forest: {trees: 0}\n")
                                << "model.random_forest.trees: 0 is out of range";
    QTest::newRow("unknown calibration") << QByteArray("model:\n  learner: xgboost\n  calibration: beta\n")
                                         << "p.yaml:3: model.calibration: unknown calibration \"beta\"; expected none, platt "
                                            "or isotonic";
    QTest::newRow("bad log1p") << QByteArray("model:\n  learner: mlp\n  log1p: sometimes\n")
                               << "model.log1p: expected auto or none";
}

void TestSchema::badParams_namesLineAndKey()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, messagePart);
    try {
        TrainParams::fromYaml(yaml, QStringLiteral("p.yaml"));
        QFAIL("expected SchemaError");
    } catch (const SchemaError &e) {
        QVERIFY2(e.message().contains(messagePart), e.what());
    }
}

void TestSchema::params_relativeSchemaPathResolvesNextToParams()
{
    QTemporaryDir dir;
    const QString path = TestUtil::writeFile(dir, QStringLiteral("params.yaml"),
                                             "data: {schema: sub/s.yaml}\nmodel: {learner: logistic}\n");
    QCOMPARE(TrainParams::fromYamlFile(path).schemaPath, dir.filePath(QStringLiteral("sub/s.yaml")));
}

void TestSchema::withScalar_changesOneValueAndKeepsTheRest()
{
    const YamlReader reader(QStringLiteral("p.yaml"));
    const QByteArray yaml
        = "# top comment\nmodel:\n  learner: forest   # which\n  threshold: tune         # \"tune\" or a number\n"
          "  nested:\n    trees: 60\nother: {a: 1}\n";
    // Shorter value: the comment stays in its column.
    QCOMPARE(reader.withScalar(yaml, QStringLiteral("model.threshold"), QStringLiteral("0.7")),
             QByteArray("# top comment\nmodel:\n  learner: forest   # which\n  threshold: 0.7          # \"tune\" or a number\n"
                        "  nested:\n    trees: 60\nother: {a: 1}\n"));
    // Longer value: the comment moves right, one space kept.
    QCOMPARE(
        reader.withScalar(yaml, QStringLiteral("model.learner"), QStringLiteral("random_forest_x")),
        QByteArray("# top comment\nmodel:\n  learner: random_forest_x # which\n  threshold: tune         # \"tune\" or a number\n"
                   "  nested:\n    trees: 60\nother: {a: 1}\n"));
    QCOMPARE(reader.withScalar(yaml, QStringLiteral("model.nested.trees"), QStringLiteral("120")),
             QByteArray(yaml).replace("trees: 60", "trees: 120"));
    // A missing key becomes the mapping's first entry, at its indentation.
    QCOMPARE(reader.withScalar(yaml, QStringLiteral("model.seed"), QStringLiteral("42")),
             QByteArray(yaml).replace("model:\n", "model:\n  seed: 42\n"));
    // Quoted values are replaced whole, quotes included.
    QCOMPARE(reader.withScalar("a:\n  b: \"x # y\"  # c\n", QStringLiteral("a.b"), QStringLiteral("0.5")),
             QByteArray("a:\n  b: 0.5      # c\n"));
    QCOMPARE(reader.withScalar("a:\n  b: 'it''s'\n", QStringLiteral("a.b"), QStringLiteral("1")), QByteArray("a:\n  b: 1\n"));
}

void TestSchema::withScalar_refusesWhatItCannotEdit_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("no such mapping") << QByteArray("data:\n  x: 1\n") << "model.threshold"
                                     << "p.yaml:1: model: expected a mapping to hold \"model.threshold\"";
    QTest::newRow("flow mapping") << QByteArray("model: {threshold: tune}\n") << "model.threshold"
                                  << "p.yaml:1: model: written in flow style";
    QTest::newRow("a list, not a value") << QByteArray("model:\n  threshold: [1, 2]\n") << "model.threshold"
                                         << "p.yaml:2: model.threshold: holds a list or mapping";
    QTest::newRow("multi-line value") << QByteArray("model:\n  threshold: \"tu\n    ne\"\n") << "model.threshold"
                                      << "model.threshold: its value spans lines";
    QTest::newRow("not YAML") << QByteArray("model: [\n") << "model.threshold"
                              << "p.yaml:2: not valid YAML";
}

void TestSchema::withScalar_refusesWhatItCannotEdit()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, path);
    QFETCH(QString, messagePart);
    try {
        YamlReader(QStringLiteral("p.yaml")).withScalar(yaml, path, QStringLiteral("0.5"));
        QFAIL("expected a SchemaError");
    } catch (const SchemaError &e) {
        QVERIFY2(e.message().contains(messagePart), e.what());
    }
}

void TestSchema::oversizedYaml_refusedUnread()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("params.yaml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QVERIFY(file.resize(YamlReader::kMaxFileBytes + 1)); // sparse: nothing this big is written
    file.close();
    try {
        TrainParams::fromYamlFile(path);
        QFAIL("expected a SchemaError");
    } catch (const SchemaError &e) {
        QVERIFY2(e.message().contains(path + QStringLiteral(": 16777217 bytes is too big for a params file")), e.what());
    }
}

QTEST_GUILESS_MAIN(TestSchema)
#include "tst_schema.moc"
