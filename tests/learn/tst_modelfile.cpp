#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <QtEndian>

#include <numeric>
#include <thread>

#include "allocationbudget.h"
#include "csvreader.h"
#include "model.h"
#include "modelfileerror.h"
#include "testutil.h"
#include "trainer.h"

using namespace Audit;

// Loading damaged model files must fail with a ModelFileError that says what is wrong.
class TestModelFile : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QByteArray m_good;

private Q_SLOTS:
    void initTestCase();
    void damagedFile_throwsModelFileError_data();
    void damagedFile_throwsModelFileError();
    void missingFile_saysHowToGetOne();
    void save_isAtomicAndLoadable();
    void allocationBudget_boundsThisThreadOnly();
    void learnerSizeOverBudget_refusedBeforeMemoryGrows();
    void mlpData_everyShapeCheckedBeforeAllocation_data();
    void mlpData_everyShapeCheckedBeforeAllocation();
};

namespace {

// This process's peak resident memory so far (VmHWM), in kB.
qint64 peakRssKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

} // namespace

void TestModelFile::initTestCase()
{
    const Dataset data = CsvReader::read(TestUtil::censusRaw(), Schema::fromYamlFile(TestUtil::censusSchema())).data;
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < 2000; ++i)
        rows.push_back(i);
    TrainParams params;
    params.learner.kind = LearnerKind::Logistic;
    m_good = trainModel(data.subset(rows), params).serialize();
    QVERIFY(m_good.size() > 100);
}

void TestModelFile::damagedFile_throwsModelFileError_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("messagePart");

    QTest::newRow("empty file") << QByteArray() << "not a ModelAudit model file";
    QTest::newRow("foreign file") << QByteArray("PK\x03\x04 this is a zip archive, not a model") << "not a ModelAudit model file";
    QTest::newRow("csv instead of model") << QByteArray("age,workclass\n39,State-gov\n") << "wrong signature";
    QTest::newRow("truncated to header") << m_good.left(12) << "truncated";
    QTest::newRow("truncated in half") << m_good.left(m_good.size() / 2) << "truncated";
    QTest::newRow("last byte missing") << m_good.left(m_good.size() - 1) << "truncated";
    QTest::newRow("extra bytes") << m_good + "junk"
                                 << "unexpected bytes after the end";

    QByteArray flipped = m_good;
    flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x20);
    QTest::newRow("one flipped byte") << flipped << "checksum does not match";

    QByteArray newer = m_good;
    const quint32 version = qToLittleEndian(quint32(Model::kFormatVersion + 1));
    std::memcpy(newer.data() + 8, &version, 4);
    QTest::newRow("newer format") << newer << "written by a newer ModelAudit (format 4; this build reads up to format 3)";

    // Rewritten with its checksum, as an attacker would: the encoder one category narrower
    // than the learner's weights (fuzz_model found scoring then read past the row).
    const quint32 headerSize = qFromLittleEndian<quint32>(m_good.constData() + 12);
    QJsonObject header = QJsonDocument::fromJson(m_good.mid(24, headerSize)).object();
    QJsonObject encoder = header.value(QStringLiteral("encoder")).toObject();
    QJsonArray columns = encoder.value(QStringLiteral("columns")).toArray();
    for (qsizetype c = 0; c < columns.size(); ++c) {
        QJsonObject column = columns[c].toObject();
        QJsonArray categories = column.value(QStringLiteral("categories")).toArray();
        if (categories.size() > 1) {
            categories.removeLast();
            column.insert(QStringLiteral("categories"), categories);
            columns[c] = column;
            break;
        }
    }
    encoder.insert(QStringLiteral("columns"), columns);
    encoder.insert(QStringLiteral("width"), encoder.value(QStringLiteral("width")).toInt() - 1);
    header.insert(QStringLiteral("encoder"), encoder);
    const QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    QByteArray resealed = m_good.left(24);
    const quint32 newSize = qToLittleEndian(quint32(json.size()));
    std::memcpy(resealed.data() + 12, &newSize, 4);
    resealed += json + m_good.mid(24 + headerSize, m_good.size() - 24 - headerSize - 16);
    resealed += QCryptographicHash::hash(resealed, QCryptographicHash::Md5);
    QTest::newRow("learner wider than its encoder, resealed") << resealed << "weights but rows have";

    // Sizes whose sum wraps around to the file's length (an attacker's), resealed: refused on
    // each size alone before the sum is formed, never read past the file.
    QByteArray wrapped = m_good.left(m_good.size() - 16);
    const quint32 huge = 0xfffffff0u;
    const quint64 payload = qToLittleEndian(quint64(0) - quint64(24 + 16) - quint64(huge) + quint64(wrapped.size() + 16));
    const quint32 bigHeader = qToLittleEndian(huge);
    std::memcpy(wrapped.data() + 12, &bigHeader, 4);
    std::memcpy(wrapped.data() + 16, &payload, 8);
    wrapped += QCryptographicHash::hash(wrapped, QCryptographicHash::Md5);
    QTest::newRow("sizes that wrap around, resealed") << wrapped << "the header says";
    // A header that is JSON but not an object.
    QByteArray list = m_good.left(24);
    const quint32 two = qToLittleEndian(quint32(2));
    std::memcpy(list.data() + 12, &two, 4);
    const quint64 none = 0;
    std::memcpy(list.data() + 16, &none, 8);
    list += "[]";
    list += QCryptographicHash::hash(list, QCryptographicHash::Md5);
    QTest::newRow("header not an object") << list << "corrupt header: not a JSON object";
}

void TestModelFile::damagedFile_throwsModelFileError()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, messagePart);
    const QString path = TestUtil::writeFile(m_dir, QStringLiteral("damaged.bin"), bytes);
    try {
        Model::load(path);
        QFAIL("expected ModelFileError");
    } catch (const ModelFileError &e) {
        QVERIFY2(e.message().startsWith(path + QStringLiteral(": ")), e.what());
        QVERIFY2(e.message().contains(messagePart), e.what());
        QCOMPARE(e.path(), path);
    }
}

void TestModelFile::missingFile_saysHowToGetOne()
{
    try {
        Model::load(m_dir.filePath(QStringLiteral("none.bin")));
        QFAIL("expected ModelFileError");
    } catch (const ModelFileError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("no such model file. Fix: train one")), e.what());
    }
}

void TestModelFile::save_isAtomicAndLoadable()
{
    const Model model = Model::deserialize(m_good, QStringLiteral("memory"));
    QCOMPARE(model.serialize(), m_good);
    const QString path = m_dir.filePath(QStringLiteral("nested/dir/model.bin"));
    model.save(path);
    QCOMPARE(TestUtil::readFile(path), m_good);
    QCOMPARE(QDir(m_dir.filePath(QStringLiteral("nested/dir"))).entryList(QDir::Files).size(), 1); // no temp files left
    QCOMPARE(Model::load(path).id(), model.id());
    QCOMPARE(model.id().size(), 12);
}

void TestModelFile::allocationBudget_boundsThisThreadOnly()
{
    {
        const AllocationBudget budget(1 << 20);
        auto first = std::make_unique<char[]>(600 << 10);
        QVERIFY(AllocationBudget::heldBytes() >= (600 << 10));
        QVERIFY_THROWS_EXCEPTION(std::bad_alloc, std::make_unique<char[]>(600 << 10)); // 1.2 MB held
        QVERIFY_THROWS_EXCEPTION(std::bad_alloc, std::vector<double>(std::size_t(1) << 27)); // 1 GB at once
        // Another thread has no budget.
        bool allocated = false;
        std::thread other([&allocated] { allocated = std::make_unique<char[]>(16 << 20) != nullptr; });
        other.join();
        QVERIFY(allocated);
        first.reset(); // freed: room again
        QVERIFY(std::make_unique<char[]>(600 << 10) != nullptr);
        {
            const AllocationBudget inner(100 << 10);
            QVERIFY_THROWS_EXCEPTION(std::bad_alloc, std::make_unique<char[]>(200 << 10));
        }
        QVERIFY(std::make_unique<char[]>(200 << 10) != nullptr); // the outer budget again
    }
    QCOMPARE(AllocationBudget::heldBytes(), std::ptrdiff_t(0));
    QVERIFY(std::make_unique<char[]>(16 << 20) != nullptr); // no budget
}

void TestModelFile::learnerSizeOverBudget_refusedBeforeMemoryGrows()
{
    // The logistic learner's data starts with its weight vector's size, in dlib's encoding: a
    // byte giving the count of little-endian bytes that follow. Rewritten, with the checksum,
    // to 2^27 doubles (1 GiB): dlib would allocate and zero all of it before reading any.
    const quint32 headerSize = qFromLittleEndian<quint32>(m_good.constData() + 12);
    const qsizetype payload = 24 + qsizetype(headerSize);
    const int sizeBytes = int(quint8(m_good[payload]));
    QVERIFY(sizeBytes >= 1 && sizeBytes <= 8);
    QByteArray crafted = m_good.left(payload);
    crafted += QByteArray("\x04\x00\x00\x00\x08", 5);
    crafted += m_good.mid(payload + 1 + sizeBytes, m_good.size() - 16 - payload - 1 - sizeBytes);
    const quint64 newPayload = quint64(crafted.size() - payload);
    const quint64 le = qToLittleEndian(newPayload);
    std::memcpy(crafted.data() + 16, &le, 8);
    crafted += QCryptographicHash::hash(crafted, QCryptographicHash::Md5);
    const QString path = TestUtil::writeFile(m_dir, QStringLiteral("huge.bin"), crafted);
    const qint64 before = peakRssKb();
    try {
        Model::load(path);
        QFAIL("a learner asking for 1 GiB loaded");
    } catch (const ModelFileError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("corrupt learner data: a size larger than memory")), e.what());
    }
    const qint64 grown = peakRssKb() - before;
    QVERIFY2(grown < 100 * 1024, qPrintable(QStringLiteral("peak RSS grew by %1 kB").arg(grown)));
    // The real model loads under the same budget.
    QVERIFY(Model::deserialize(m_good, QStringLiteral("good.bin")).encoder().width() > 0);
}

void TestModelFile::mlpData_everyShapeCheckedBeforeAllocation_data()
{
    // An MLP's learner data: "MAMLP1", then per layer rows, columns (uint32 LE) and floats.
    // Each case rewrites it and reseals the file with its checksum, as an attacker would.
    const Dataset data = CsvReader::read(TestUtil::censusRaw(), Schema::fromYamlFile(TestUtil::censusSchema())).data;
    std::vector<std::size_t> rows(300);
    std::iota(rows.begin(), rows.end(), std::size_t(0));
    TrainParams params;
    params.learner.kind = LearnerKind::Mlp;
    params.learner.hidden1 = 4;
    params.learner.hidden2 = 3;
    params.learner.epochs = 1;
    const QByteArray good = trainModel(data.subset(rows), params).serialize();
    const quint32 headerSize = qFromLittleEndian<quint32>(good.constData() + 12);
    const qsizetype payload = 24 + qsizetype(headerSize);
    QCOMPARE(good.mid(payload, 6), QByteArray("MAMLP1"));
    const auto reseal = [&good, payload](QByteArray learner) {
        QByteArray out = good.left(payload) + learner;
        const quint64 size = qToLittleEndian(quint64(learner.size()));
        std::memcpy(out.data() + 16, &size, 8);
        return out + QCryptographicHash::hash(out, QCryptographicHash::Md5);
    };
    const QByteArray learner = good.mid(payload, good.size() - 16 - payload);
    const auto setU32 = [](QByteArray bytes, qsizetype at, quint32 value) {
        const quint32 le = qToLittleEndian(value);
        std::memcpy(bytes.data() + at, &le, 4);
        return bytes;
    };
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("untouched, resealed") << reseal(learner) << QString();
    QTest::newRow("rows 2^31") << reseal(setU32(learner, 6, 0x80000000u)) << "first layer has an impossible shape";
    QTest::newRow("more parameters than bytes") << reseal(setU32(learner, 10, 100000)) << "more than the data holds";
    QTest::newRow("a layer wider than written") << reseal(setU32(learner, 10, 5)) << "more than the data holds";
    QTest::newRow("cut in a layer") << reseal(learner.left(40)) << "more than the data holds";
    QTest::newRow("bytes after the last layer") << reseal(learner + "x") << "bytes after its last layer";
    QByteArray nan = learner;
    std::memcpy(nan.data() + 14, "\x00\x00\xc0\x7f", 4);
    QTest::newRow("a NaN weight") << reseal(nan) << "not a number";
    QTest::newRow("dlib's own net format") << reseal(QByteArray("\x01\x02\x00\x00", 4) + learner.mid(6))
                                           << "not in ModelAudit's MLP format";
}

void TestModelFile::mlpData_everyShapeCheckedBeforeAllocation()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, messagePart);
    if (messagePart.isEmpty()) {
        QVERIFY(Model::deserialize(bytes, QStringLiteral("mlp.bin")).encoder().width() > 0);
        return;
    }
    try {
        Model::deserialize(bytes, QStringLiteral("mlp.bin"));
        QFAIL("a damaged MLP loaded");
    } catch (const ModelFileError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("corrupt learner data: ")) && e.message().contains(messagePart), e.what());
    }
}

QTEST_GUILESS_MAIN(TestModelFile)
#include "tst_modelfile.moc"
