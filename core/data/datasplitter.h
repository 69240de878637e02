#pragma once

#include <cstdint>

#include <QString>

#include "schema.h"

namespace Audit {

struct SplitOptions
{
    double testSize = 0.2; // fraction of rows in the test file, in (0, 1)
    std::uint64_t seed = 42;
    QString stratifyColumn; // empty: no stratification
    // The data's schema, when known: a file without a header line (header: false) gets the
    // schema's column names as the header of both files.
    const Schema *schema = nullptr;
    char delimiter = 0; // read with this one; 0: the schema's, else detected. Written with the same.
};

struct SplitReport
{
    qsizetype trainRows = 0;
    qsizetype testRows = 0;
};

// Splits a CSV file into train and test files with the same header. Rows keep their
// original order inside each file. Deterministic: the same file, options and seed give the
// same bytes on every platform. With a stratify column, each of its values is split
// separately so both files keep its proportions.
// Throws: CsvError (bad input file, unknown stratify column, ragged row), SchemaError for a
//         test size outside (0, 1) or one that leaves a file empty; IoError on write failure.
SplitReport splitCsv(const QString &inPath, const QString &trainPath, const QString &testPath, const SplitOptions &options);

} // namespace Audit
