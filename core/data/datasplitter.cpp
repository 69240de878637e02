#include "datasplitter.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "csverror.h"
#include "csvreader.h"
#include "csvtokenizer.h"
#include "fileio.h"
#include "rng.h"
#include "schemaerror.h"

namespace Audit {

namespace {

std::string joinRecord(const std::vector<std::string_view> &fields, char delimiter)
{
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i)
            line.push_back(delimiter);
        appendCsvField(line, fields[i]);
    }
    line.push_back('\n');
    return line;
}

} // namespace

SplitReport splitCsv(const QString &inPath, const QString &trainPath, const QString &testPath, const SplitOptions &options)
{
    if (!(options.testSize > 0.0 && options.testSize < 1.0))
        throw OptionError(
            QStringLiteral("test_size"),
            QStringLiteral("test size %1 is outside (0, 1). Fix: give a fraction such as 0.2.").arg(options.testSize));

    const QByteArray bytes = CsvReader::readFileBytes(inPath);
    CsvTokenizer tokenizer(std::string_view(bytes.constData(), std::size_t(bytes.size())), inPath,
                           options.delimiter    ? options.delimiter
                               : options.schema ? options.schema->format().delimiter
                                                : char(0),
                           options.schema ? options.schema->headerlessWidth() : 0);
    const char delimiter = tokenizer.delimiter();
    std::vector<std::string_view> fields;
    if (!tokenizer.next(fields))
        throw CsvError(QStringLiteral("%1: the file is empty (no header, no rows)").arg(inPath), inPath);
    const std::vector<std::string_view> first = fields;
    const std::vector<std::string> names = options.schema ? options.schema->missingHeader(first) : std::vector<std::string>();
    if (!names.empty()) // a headerless file: the schema's columns are its header
        fields.assign(names.begin(), names.end());
    const std::string header = joinRecord(fields, delimiter);
    const std::size_t width = fields.size();

    int stratifyField = -1;
    if (!options.stratifyColumn.isEmpty()) {
        const std::string wanted = options.stratifyColumn.toStdString();
        const auto found = std::find(fields.begin(), fields.end(), std::string_view(wanted));
        if (found == fields.end())
            throw CsvError(QStringLiteral("%1:%2: stratify column \"%3\" is absent from the header")
                               .arg(inPath)
                               .arg(tokenizer.recordLine())
                               .arg(options.stratifyColumn),
                           inPath, tokenizer.recordLine(), options.stratifyColumn);
        stratifyField = int(found - fields.begin());
    }

    std::vector<std::string> rows;
    std::map<std::string, std::vector<std::size_t>> strata; // ordered: same iteration everywhere
    bool pending = !names.empty(); // the first record is a row, not the header
    while (pending || tokenizer.next(fields)) {
        if (pending) {
            fields = first;
            pending = false;
        }
        if (fields.size() != width)
            throw CsvError(QStringLiteral("%1:%2: expected %3 fields as in the header, found %4. Fix: run "
                                          "`modelaudit-cli clean` first.")
                               .arg(inPath)
                               .arg(tokenizer.recordLine())
                               .arg(width)
                               .arg(fields.size()),
                           inPath, tokenizer.recordLine());
        const std::string key = stratifyField >= 0 ? std::string(fields[std::size_t(stratifyField)]) : std::string();
        strata[key].push_back(rows.size());
        rows.push_back(joinRecord(fields, delimiter));
    }

    // As scikit-learn: the test file gets ceil(testSize * n) rows. Strata get their
    // proportional share, rounded down, and the rows left over go to the strata with the
    // largest remainders (ties: the strata's sorted order).
    const auto testTotal = std::size_t(std::ceil(double(rows.size()) * options.testSize - 1e-9));
    std::vector<std::size_t> quota;
    std::vector<std::pair<double, std::size_t>> remainders;
    std::size_t assigned = 0;
    for (const auto &[key, members] : strata) {
        const double exact = double(members.size()) * double(testTotal) / double(rows.size());
        quota.push_back(std::size_t(std::floor(exact)));
        remainders.emplace_back(exact - std::floor(exact), quota.size() - 1);
        assigned += quota.back();
    }
    std::stable_sort(remainders.begin(), remainders.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    for (std::size_t i = 0; assigned < testTotal && i < remainders.size(); ++i, ++assigned)
        ++quota[remainders[i].second];

    std::vector<char> isTest(rows.size(), 0);
    Rng rng(options.seed);
    std::size_t stratum = 0;
    for (auto &[key, members] : strata) {
        rng.shuffle(members);
        for (std::size_t i = 0; i < quota[stratum] && i < members.size(); ++i)
            isTest[members[i]] = 1;
        ++stratum;
    }

    SplitReport report;
    std::string train = header;
    std::string test = header;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        (isTest[i] ? test : train) += rows[i];
        ++(isTest[i] ? report.testRows : report.trainRows);
    }
    if (report.trainRows == 0 || report.testRows == 0)
        throw SchemaError(QStringLiteral("%1: %2 rows with test size %3 leave the %4 file empty. Fix: use more rows "
                                         "or another --test-size.")
                              .arg(inPath)
                              .arg(rows.size())
                              .arg(options.testSize)
                              .arg(report.trainRows == 0 ? QStringLiteral("train") : QStringLiteral("test")));
    writeFileAtomically(trainPath, QByteArray::fromStdString(train));
    writeFileAtomically(testPath, QByteArray::fromStdString(test));
    return report;
}

} // namespace Audit
