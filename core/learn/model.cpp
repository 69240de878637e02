#include "model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <dlib/serialize.h>

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtEndian>

#include "allocationbudget.h"
#include "echovalue.h"
#include "fileio.h"
#include "learnerfactory.h"
#include "modelfileerror.h"
#include "rng.h"
#include "schemaerror.h"

namespace Audit {

namespace {

// A model file is a few MB (the census forest is 3 MB); anything past this is not one.
constexpr qint64 kMaxModelBytes = qint64(1) << 30;
constexpr quint32 kMaxHeaderBytes = quint32(64) << 20;
// What loading may hold in memory: the learner data's bytes times this, plus the base.
constexpr std::size_t kLoadBudgetBase = std::size_t(64) << 20;
constexpr std::size_t kLoadBudgetPerByte = 16;

constexpr char kMagic[8] = {'M', 'A', 'U', 'D', 'I', 'T', 'M', '\x1a'};
constexpr qsizetype kMagicSize = 8;
constexpr qsizetype kMd5Size = 16;
constexpr qsizetype kFixedHeader = kMagicSize + 4 + 4 + 8; // magic, version, json length, payload length

QString md5Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex());
}

BinaryMetrics metricsFromJson(const QJsonObject &json)
{
    BinaryMetrics m;
    const auto number = [&json](const char *key) {
        const QJsonValue v = json.value(QLatin1String(key));
        return v.isNull() ? std::numeric_limits<double>::quiet_NaN() : v.toDouble();
    };
    m.precision = number("precision");
    m.recall = number("recall");
    m.f1 = number("f1");
    m.accuracy = number("accuracy");
    m.rocAuc = number("roc_auc");
    m.prAuc = number("pr_auc");
    m.logLoss = number("log_loss");
    m.brier = number("brier");
    const QJsonObject c = json.value(QStringLiteral("confusion")).toObject();
    m.confusion = {c.value(QStringLiteral("tp")).toInteger(), c.value(QStringLiteral("fp")).toInteger(),
                   c.value(QStringLiteral("tn")).toInteger(), c.value(QStringLiteral("fn")).toInteger()};
    m.support = json.value(QStringLiteral("support")).toInteger();
    m.positives = json.value(QStringLiteral("positives")).toInteger();
    m.threshold = number("threshold");
    m.beta = json.value(QStringLiteral("beta")).toDouble(1.0);
    return m;
}

} // namespace

ExplainBackground ExplainBackground::of(const FeatureMatrix &x, std::uint64_t seed)
{
    ExplainBackground b;
    if (x.rows() == 0)
        return b;
    b.means.assign(x.cols(), 0.0);
    std::vector<std::size_t> counts(x.cols(), 0);
    for (std::size_t r = 0; r < x.rows(); ++r) {
        for (std::size_t c = 0; c < x.cols(); ++c) {
            const float v = x.row(r)[c];
            if (!std::isnan(v)) {
                b.means[c] += double(v);
                ++counts[c];
            }
        }
    }
    for (std::size_t c = 0; c < x.cols(); ++c)
        b.means[c] = counts[c] ? b.means[c] / double(counts[c]) : 0.0;
    std::vector<std::size_t> order(x.rows());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    Rng rng(seed ^ 0xbac6ULL);
    rng.shuffle(order);
    order.resize(std::min(order.size(), kRows));
    std::sort(order.begin(), order.end());
    b.rows = x.subset(order);
    return b;
}

namespace {

QJsonObject backgroundToJson(const ExplainBackground &b)
{
    QJsonArray means;
    for (double m : b.means)
        means.append(m);
    QJsonArray rows;
    for (std::size_t r = 0; r < b.rows.rows(); ++r) {
        QJsonArray row;
        for (std::size_t c = 0; c < b.rows.cols(); ++c) {
            const float v = b.rows.row(r)[c];
            row.append(std::isnan(v) ? QJsonValue() : QJsonValue(double(v)));
        }
        rows.append(row);
    }
    return QJsonObject{{QStringLiteral("means"), means}, {QStringLiteral("rows"), rows}};
}

ExplainBackground backgroundFromJson(const QJsonObject &json, int width)
{
    ExplainBackground b;
    if (json.isEmpty())
        return b;
    const QJsonArray means = json.value(QStringLiteral("means")).toArray();
    const QJsonArray rows = json.value(QStringLiteral("rows")).toArray();
    if (means.size() != width)
        throw SchemaError(QStringLiteral("explain_background: %1 means for %2 features").arg(means.size()).arg(width));
    if (rows.size() > qsizetype(ExplainBackground::kRows) || rows.isEmpty())
        throw SchemaError(
            QStringLiteral("explain_background: %1 rows (1 to %2 expected)").arg(rows.size()).arg(ExplainBackground::kRows));
    for (const QJsonValue &m : means) {
        if (!m.isDouble() || !std::isfinite(m.toDouble()))
            throw SchemaError(QStringLiteral("explain_background: a mean is not a number"));
        b.means.push_back(m.toDouble());
    }
    b.rows = FeatureMatrix(std::size_t(rows.size()), std::size_t(width));
    for (qsizetype r = 0; r < rows.size(); ++r) {
        const QJsonArray row = rows[r].toArray();
        if (row.size() != width)
            throw SchemaError(
                QStringLiteral("explain_background: row %1 has %2 values for %3 features").arg(r + 1).arg(row.size()).arg(width));
        for (qsizetype c = 0; c < width; ++c)
            b.rows.row(std::size_t(r))[c] = row[c].isNull() ? std::numeric_limits<float>::quiet_NaN() : float(row[c].toDouble());
    }
    return b;
}

} // namespace

Model::Model(Schema schema, FeatureEncoder encoder, std::unique_ptr<Learner> learner, LearnerParams params, double threshold,
             TrainingInfo training, ExplainBackground background, ScoreCalibration calibration, GroupThresholds groupThresholds)
    : m_schema(std::move(schema))
    , m_encoder(std::move(encoder))
    , m_learner(std::move(learner))
    , m_params(params)
    , m_threshold(threshold)
    , m_training(std::move(training))
    , m_background(std::move(background))
    , m_calibration(std::move(calibration))
    , m_groupThresholds(std::move(groupThresholds))
{
    if (m_calibration.active())
        m_learner = std::make_unique<CalibratedLearner>(std::move(m_learner), m_calibration);
    m_md5 = md5Hex(serialize());
}

const Learner &Model::uncalibratedLearner() const
{
    if (m_calibration.active())
        return static_cast<const CalibratedLearner &>(*m_learner).base();
    return *m_learner;
}

Model::Model(const Model &other)
    : m_schema(other.m_schema)
    , m_encoder(other.m_encoder)
    , m_learner(other.m_learner->clone())
    , m_params(other.m_params)
    , m_threshold(other.m_threshold)
    , m_training(other.m_training)
    , m_background(other.m_background)
    , m_calibration(other.m_calibration)
    , m_groupThresholds(other.m_groupThresholds)
    , m_md5(other.m_md5)
{}

namespace {

// Every group must be a category of the attribute the model was trained on: a group no row
// can have ("Martian", " Male ", another column's values) would leave its rows silently on
// the single threshold offline while the server refused them.
void checkGroupsAreCategories(const GroupThresholds &groups, const Schema &schema, const FeatureEncoder &encoder)
{
    const int c = schema.featureIndex(groups.attribute);
    for (std::size_t g = 0; g < groups.groups.size(); ++g) {
        if (encoder.categoryIndex(std::size_t(c), groups.groups[g].name.toStdString()) < 0)
            throw SchemaError(QStringLiteral("group_thresholds.groups[%1].group: \"%2\" is not a category of %3 the model "
                                             "was trained on")
                                  .arg(g)
                                  .arg(echoValue(groups.groups[g].name), groups.attribute));
    }
}

} // namespace

Model Model::withGroupThresholds(GroupThresholds thresholds) const
{
    if (thresholds.active()) { // what a file holding them must pass, checked before it is written
        thresholds = GroupThresholds::fromJson(thresholds.toJson(), m_schema);
        checkGroupsAreCategories(thresholds, m_schema, m_encoder);
    }
    Model out(*this);
    out.m_groupThresholds = std::move(thresholds);
    out.m_md5 = md5Hex(out.serialize());
    return out;
}

std::optional<double> Model::thresholdFor(std::string_view group, const float *row, std::size_t width) const
{
    if (!m_groupThresholds.active())
        return m_threshold;
    const int g = m_groupThresholds.groupIndex(group);
    if (g < 0)
        return std::nullopt;
    return m_groupThresholds.thresholdOf(g, m_groupThresholds.randomised() ? m_groupThresholds.keyOf(row, width) : 0,
                                         m_threshold);
}

void Model::sliceThresholds(const Dataset &data, const FeatureMatrix &slice, std::size_t first, std::vector<double> &out,
                            std::size_t *ungrouped) const
{
    if (!m_groupThresholds.active()) {
        out.insert(out.end(), slice.rows(), m_threshold);
        return;
    }
    const DataColumn *column = nullptr;
    for (const DataColumn &c : data.columns)
        column = c.spec.name == m_groupThresholds.attribute ? &c : column;
    if (!column || column->spec.isNumeric())
        throw SchemaError(QStringLiteral("%1: no categorical column \"%2\", which this model's group thresholds need")
                              .arg(data.path, m_groupThresholds.attribute));
    // Each of the data's categories to its group once, then one lookup per row.
    std::vector<int> groupOf;
    groupOf.reserve(column->categories.size());
    for (const std::string &category : column->categories)
        groupOf.push_back(m_groupThresholds.groupIndex(category));
    const bool draw = m_groupThresholds.randomised();
    for (std::size_t r = 0; r < slice.rows(); ++r) {
        const std::int32_t code = column->codes[first + r];
        const int g = code >= 0 && std::size_t(code) < groupOf.size() ? groupOf[std::size_t(code)] : -1;
        if (g < 0 && ungrouped)
            ++*ungrouped;
        out.push_back(
            m_groupThresholds.thresholdOf(g, draw ? m_groupThresholds.keyOf(slice.row(r), slice.cols()) : 0, m_threshold));
    }
}

Model &Model::operator=(const Model &other)
{
    if (this != &other)
        *this = Model(other);
    return *this;
}

Model::~Model() = default;

QJsonObject Model::describe() const
{
    QJsonObject json{
        {QStringLiteral("format"), qint64(formatVersion())},
        {QStringLiteral("created_by"), QStringLiteral("ModelAudit " MODELAUDIT_VERSION)},
        {QStringLiteral("schema"), m_schema.toJson()},
        {QStringLiteral("encoder"), m_encoder.toJson()},
        {QStringLiteral("params"), m_params.toJson()},
        {QStringLiteral("threshold"), m_threshold},
        {QStringLiteral("training"),
         QJsonObject{{QStringLiteral("data_md5"), m_training.dataMd5},
                     {QStringLiteral("rows"), qint64(m_training.rows)},
                     {QStringLiteral("positives"), qint64(m_training.positives)},
                     {QStringLiteral("threshold_tuned"), m_training.thresholdTuned},
                     {QStringLiteral("train_metrics"), m_training.trainMetrics.toJson()},
                     {QStringLiteral("validation_metrics"), m_training.validationMetrics.toJson()}}},
    };
    if (m_calibration.active())
        json.insert(QStringLiteral("calibration"), m_calibration.toJson());
    if (m_groupThresholds.active())
        json.insert(QStringLiteral("group_thresholds"), m_groupThresholds.toJson());
    return json;
}

QByteArray Model::serialize() const
{
    QJsonObject json = describe();
    if (!m_background.empty())
        json.insert(QStringLiteral("explain_background"), backgroundToJson(m_background));
    const QByteArray header = QJsonDocument(json).toJson(QJsonDocument::Compact);
    std::ostringstream payloadStream;
    m_learner->save(payloadStream);
    const std::string payload = payloadStream.str();

    QByteArray bytes;
    bytes.reserve(kFixedHeader + header.size() + qsizetype(payload.size()) + kMd5Size);
    bytes.append(kMagic, kMagicSize);
    const auto appendLE = [&bytes](auto value) {
        const auto le = qToLittleEndian(value);
        bytes.append(reinterpret_cast<const char *>(&le), sizeof le);
    };
    appendLE(formatVersion());
    appendLE(quint32(header.size()));
    appendLE(quint64(payload.size()));
    bytes.append(header);
    bytes.append(payload.data(), qsizetype(payload.size()));
    bytes.append(QCryptographicHash::hash(bytes, QCryptographicHash::Md5));
    return bytes;
}

void Model::save(const QString &path) const
{
    writeFileAtomically(path, serialize());
}

Model Model::load(const QString &path)
{
    QFile file(path);
    if (!QFileInfo::exists(path))
        throw ModelFileError(path,
                             QStringLiteral("no such model file. Fix: train one with `modelaudit-cli train`, or "
                                            "check the path."));
    return deserialize(readInputFile(path, QStringLiteral("model"), kMaxModelBytes), path);
}

Model Model::deserialize(const QByteArray &bytes, const QString &path)
{
    if (bytes.size() < kMagicSize || bytes.left(kMagicSize) != QByteArray(kMagic, kMagicSize))
        throw ModelFileError(path,
                             QStringLiteral("not a ModelAudit model file (wrong signature). Fix: point to a "
                                            "file written by `modelaudit-cli train`."));
    if (bytes.size() < kFixedHeader + kMd5Size)
        throw ModelFileError(path, QStringLiteral("truncated: %1 bytes is shorter than any model file").arg(bytes.size()));
    const auto readLE = [&bytes](qsizetype offset, auto zero) {
        decltype(zero) value;
        std::memcpy(&value, bytes.constData() + offset, sizeof value);
        return qFromLittleEndian(value);
    };
    const quint32 version = readLE(kMagicSize, quint32(0));
    if (version > kFormatVersion)
        throw ModelFileError(path,
                             QStringLiteral("written by a newer ModelAudit (format %1; this build reads up to "
                                            "format %2). Fix: upgrade ModelAudit or retrain the model.")
                                 .arg(version)
                                 .arg(kFormatVersion));
    if (version == 0)
        throw ModelFileError(path, QStringLiteral("format version 0 is not valid; the file is corrupt"));
    const quint32 headerSize = readLE(kMagicSize + 4, quint32(0));
    const quint64 payloadSize = readLE(kMagicSize + 8, quint64(0));
    // Each size alone within the file first, so their sum below cannot wrap around.
    if (quint64(headerSize) > quint64(bytes.size()) || payloadSize > quint64(bytes.size()))
        throw ModelFileError(path,
                             QStringLiteral("truncated or corrupt: the header says %1 + %2 bytes, the file has %3")
                                 .arg(headerSize)
                                 .arg(payloadSize)
                                 .arg(bytes.size()));
    const quint64 expected = quint64(kFixedHeader) + headerSize + payloadSize + quint64(kMd5Size);
    if (quint64(bytes.size()) < expected)
        throw ModelFileError(path,
                             QStringLiteral("truncated: %1 bytes, the file says %2. Fix: copy the file again or "
                                            "retrain.")
                                 .arg(bytes.size())
                                 .arg(expected));
    if (quint64(bytes.size()) > expected)
        throw ModelFileError(
            path,
            QStringLiteral("corrupt: %1 unexpected bytes after the end of the model").arg(quint64(bytes.size()) - expected));
    // The header holds the schema, encoder, background rows and a calibration map: a few MB at
    // most (the census model's is 40 KB); parsing JSON takes several times its size in memory.
    if (headerSize > kMaxHeaderBytes)
        throw ModelFileError(path, QStringLiteral("corrupt: a %1-byte header (at most %2)").arg(headerSize).arg(kMaxHeaderBytes));
    const QByteArray body = bytes.left(bytes.size() - kMd5Size);
    if (QCryptographicHash::hash(body, QCryptographicHash::Md5) != bytes.right(kMd5Size))
        throw ModelFileError(path,
                             QStringLiteral("corrupt: the checksum does not match the contents. Fix: copy the "
                                            "file again or retrain."));

    QJsonParseError parseError;
    const QJsonDocument header = QJsonDocument::fromJson(bytes.mid(kFixedHeader, qsizetype(headerSize)), &parseError);
    if (parseError.error != QJsonParseError::NoError || !header.isObject())
        throw ModelFileError(path,
                             QStringLiteral("corrupt header: ")
                                 + (parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                                 : QStringLiteral("not a JSON object")));
    const QJsonObject json = header.object();

    try {
        Schema schema = Schema::fromJson(json.value(QStringLiteral("schema")).toObject());
        FeatureEncoder encoder = FeatureEncoder::fromJson(json.value(QStringLiteral("encoder")).toObject());
        const LearnerParams params = LearnerParams::fromJson(json.value(QStringLiteral("params")).toObject());
        std::unique_ptr<Learner> learner = makeLearner(params.kind);
        std::istringstream payload(std::string(bytes.constData() + kFixedHeader + headerSize, std::size_t(payloadSize)));
        // dlib allocates the sizes the learner data states before it reads the elements: no
        // valid model holds more in memory than a small multiple of its bytes, so a corrupt
        // size fails as bad_alloc at that bound instead of exhausting memory.
        const AllocationBudget budget(kLoadBudgetBase + kLoadBudgetPerByte * std::size_t(payloadSize));
        learner->load(payload);
        learner->checkInputWidth(std::size_t(encoder.width()));
        // A test row through the learner now, so a model whose data is inconsistent in ways no
        // check above sees (dlib's own layer shapes) is refused here, not when it first scores.
        const std::vector<float> zero(std::size_t(encoder.width()), 0.0f);
        try {
            const double p = learner->score(zero.data(), zero.size());
            if (!(p >= 0 && p <= 1))
                throw ModelFileError(path,
                                     QStringLiteral("corrupt learner data: a test row scores %1, not a probability").arg(p));
        } catch (const ModelFileError &) {
            throw;
        } catch (const std::exception &e) {
            throw ModelFileError(path,
                                 QStringLiteral("corrupt learner data: scoring a test row failed: ")
                                     + QString::fromUtf8(e.what()).simplified().left(200));
        }

        const QJsonObject t = json.value(QStringLiteral("training")).toObject();
        TrainingInfo training;
        training.dataMd5 = t.value(QStringLiteral("data_md5")).toString();
        training.rows = t.value(QStringLiteral("rows")).toInteger();
        training.positives = t.value(QStringLiteral("positives")).toInteger();
        training.thresholdTuned = t.value(QStringLiteral("threshold_tuned")).toBool();
        training.trainMetrics = metricsFromJson(t.value(QStringLiteral("train_metrics")).toObject());
        training.validationMetrics = metricsFromJson(t.value(QStringLiteral("validation_metrics")).toObject());
        ExplainBackground background = backgroundFromJson(json.value(QStringLiteral("explain_background")).toObject(),
                                                          encoder.width());
        ScoreCalibration calibration;
        if (json.contains(QStringLiteral("calibration"))) {
            if (!json.value(QStringLiteral("calibration")).isObject())
                throw SchemaError(QStringLiteral("calibration: expected an object"));
            if (version < 2)
                throw SchemaError(QStringLiteral("calibration: a format-%1 file cannot hold a calibration map").arg(version));
            calibration = ScoreCalibration::fromJson(json.value(QStringLiteral("calibration")).toObject());
            if (!calibration.active())
                throw SchemaError(QStringLiteral("calibration.method: \"none\" is written as no calibration at all"));
        } else if (version == 2) {
            throw SchemaError(QStringLiteral("calibration: missing (a format-2 file holds a calibration map)"));
        }
        GroupThresholds groups;
        if (json.contains(QStringLiteral("group_thresholds"))) {
            if (!json.value(QStringLiteral("group_thresholds")).isObject())
                throw SchemaError(QStringLiteral("group_thresholds: expected an object"));
            if (version < 3)
                throw SchemaError(QStringLiteral("group_thresholds: a format-%1 file cannot hold them").arg(version));
            groups = GroupThresholds::fromJson(json.value(QStringLiteral("group_thresholds")).toObject(), schema);
            checkGroupsAreCategories(groups, schema, encoder);
        } else if (version >= 3) {
            throw SchemaError(QStringLiteral("group_thresholds: missing (a format-3 file holds group thresholds)"));
        }
        return Model(std::move(schema), std::move(encoder), std::move(learner), params,
                     json.value(QStringLiteral("threshold")).toDouble(0.5), std::move(training), std::move(background),
                     std::move(calibration), std::move(groups));
    } catch (const SchemaError &e) {
        throw ModelFileError(path, QStringLiteral("corrupt header: ") + e.message());
    } catch (const dlib::serialization_error &e) {
        throw ModelFileError(path, QStringLiteral("corrupt learner data: ") + QString::fromStdString(e.what()));
    } catch (const std::bad_alloc &) {
        // dlib allocates what a size in the data says before reading it: a corrupt size.
        throw ModelFileError(path, QStringLiteral("corrupt learner data: a size larger than memory"));
    } catch (const std::length_error &) {
        throw ModelFileError(path, QStringLiteral("corrupt learner data: a size larger than any container"));
    }
}

std::pair<std::vector<double>, std::vector<double>> Model::scoreBeforeAfter(const Dataset &data, std::vector<double> *thresholds,
                                                                            std::size_t *ungrouped) const
{
    std::vector<double> before;
    before.reserve(data.rowCount());
    if (thresholds)
        thresholds->reserve(data.rowCount());
    m_encoder.encodeInSlices(data, 65536, [&](FeatureMatrix &&slice, std::size_t first) {
        const std::vector<double> part = uncalibratedLearner().scoreAll(slice);
        before.insert(before.end(), part.begin(), part.end());
        if (thresholds)
            sliceThresholds(data, slice, first, *thresholds, ungrouped);
    });
    std::vector<double> after = before;
    m_calibration.applyAll(after);
    return {std::move(after), std::move(before)};
}

std::vector<double> Model::score(const Dataset &data, EncodeReport *report, std::vector<double> *thresholds,
                                 std::size_t *ungrouped) const
{
    // Encoded a slice of rows at a time: the one-hot rows of a million-row file would take
    // ~0.4 GB at once; a slice is a few MB and still warm in cache when it is scored.
    constexpr std::size_t kSlice = 65536;
    std::vector<double> scores;
    scores.reserve(data.rowCount());
    m_encoder.encodeInSlices(
        data, kSlice,
        [&](FeatureMatrix &&slice, std::size_t first) {
            const std::vector<double> part = m_learner->scoreAll(slice);
            scores.insert(scores.end(), part.begin(), part.end());
            if (thresholds)
                sliceThresholds(data, slice, first, *thresholds, ungrouped);
        },
        report);
    return scores;
}

} // namespace Audit
