#pragma once

#include <string>
#include <vector>

#include <QString>
#include <QStringList>

namespace Audit {

struct Dataset;

// One input row by schema feature: numbers[c] for numeric features, texts[c] for categorical
// ones. The same shape the CSV reader and the HTTP API produce.
struct Record
{
    std::vector<double> numbers;
    std::vector<std::string> texts;
};

// Row `row` of `data` as a Record.
Record recordFromDataset(const Dataset &data, std::size_t row);

} // namespace Audit
