// libFuzzer target for everything that parses outside input: HTTP request bodies (JSON →
// Record with validation, then encoding), CSV files and model card Markdown. Built only with
// -DMODELAUDIT_FUZZ=ON and clang (see README in this folder); not part of CI.
#include <cstdint>
#include <memory>

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "auditerror.h"
#include "csvreader.h"
#include "featureencoder.h"
#include "modelcard.h"
#include "recordparser.h"
#include "schema.h"

namespace {

std::unique_ptr<Audit::Schema> g_schema;
std::unique_ptr<Audit::FeatureEncoder> g_encoder;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    g_schema = std::make_unique<Audit::Schema>(Audit::Schema::fromYamlFile(QStringLiteral(CENSUS_SCHEMA)));
    const Audit::LoadReport fixture = Audit::CsvReader::read(QStringLiteral(CENSUS_FIXTURE), *g_schema);
    g_encoder = std::make_unique<Audit::FeatureEncoder>(Audit::FeatureEncoder::fit(fixture.data));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    const QJsonDocument doc = QJsonDocument::fromJson(bytes);
    if (doc.isObject()) {
        for (bool strict : {false, true}) {
            QList<Audit::RecordProblem> problems;
            const Audit::Record record = Audit::parseRecord(doc.object(), *g_schema, *g_encoder, strict,
                                                            QJsonArray{QStringLiteral("body")}, problems);
            if (problems.isEmpty()) {
                std::vector<float> row(std::size_t(g_encoder->width()));
                g_encoder->encodeRow(record.numbers, record.texts, row.data());
            }
            for (const Audit::RecordProblem &p : problems)
                (void)p.toJson();
        }
    }
    try {
        Audit::CsvReader::readBytes(bytes, QStringLiteral("fuzz.csv"), *g_schema);
    } catch (const Audit::AuditError &) {}
    try {
        const Audit::ModelCard card = Audit::ModelCard::fromMarkdown(QString::fromUtf8(bytes), QStringLiteral("fuzz.md"));
        (void)card.toMarkdown();
    } catch (const Audit::AuditError &) {}
    return 0;
}
