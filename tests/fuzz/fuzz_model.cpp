// libFuzzer target for the model loader and scoring: the input is a model file without its md5
// trailer, which the target appends, so every mutation gets past the checksum (as an attacker
// who rewrites a file and its checksum would) and reaches the header JSON, the encoder and the
// learner's own data. A model that loads is then scored and explained, on rows built from the input bytes,
// and on the census fixture when its schema is the census one. Any byte string must either be
// refused with a ModelFileError or score safely: no crash, no endless loop, no huge allocation.
// Built only with -DMODELAUDIT_FUZZ=ON and clang (see README in this folder); not part of CI.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include <QByteArray>
#include <QCryptographicHash>
#include <QJsonDocument>

#include "auditerror.h"
#include "csvreader.h"
#include "explainer.h"
#include "model.h"
#include "schema.h"

namespace {

std::unique_ptr<Audit::Schema> g_schema;
std::unique_ptr<Audit::Dataset> g_rows;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    g_schema = std::make_unique<Audit::Schema>(Audit::Schema::fromYamlFile(QStringLiteral(CENSUS_SCHEMA)));
    Audit::LoadReport fixture = Audit::CsvReader::read(QStringLiteral(CENSUS_FIXTURE), *g_schema);
    std::vector<std::size_t> first;
    for (std::size_t r = 0; r < 64 && r < fixture.data.rowCount(); ++r)
        first.push_back(r);
    g_rows = std::make_unique<Audit::Dataset>(fixture.data.subset(first));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    bytes += QCryptographicHash::hash(bytes, QCryptographicHash::Md5);
    try {
        const Audit::Model model = Audit::Model::deserialize(bytes, QStringLiteral("fuzz.bin"));
        // Rows of the encoder's width from the input's own bytes: any floats, NaN included.
        const std::size_t width = std::size_t(model.encoder().width());
        std::vector<float> row(width, 0.0f);
        for (std::size_t i = 0; i < width && i * sizeof(float) < size; ++i)
            std::memcpy(&row[i], data + i * sizeof(float), std::min(sizeof(float), size - i * sizeof(float)));
        volatile double sink = model.learner().score(row.data(), row.size());
        (void)sink;
        // And explained (TreeSHAP over trees read from the file, the linear weights, or the
        // sampling estimator over the stored background rows).
        try {
            const Audit::Explainer explainer(model);
            Audit::ExplainOptions options;
            options.permutations = 2;
            sink = explainer.explain(row.data(), options).base;
        } catch (const Audit::AuditError &) {
            // a model that cannot be explained says so
        }
        if (QJsonDocument(model.schema().toJson()) == QJsonDocument(g_schema->toJson())) {
            const std::vector<double> scores = model.score(*g_rows);
            sink = scores.empty() ? 0 : scores.front();
        }
    } catch (const Audit::AuditError &) {
        // refused with a message: fine
    }
    return 0;
}
