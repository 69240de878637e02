#include "record.h"

#include "dataset.h"

namespace Audit {

Record recordFromDataset(const Dataset &data, std::size_t row)
{
    Record record;
    record.numbers.resize(data.columns.size());
    record.texts.resize(data.columns.size());
    for (std::size_t c = 0; c < data.columns.size(); ++c) {
        const DataColumn &column = data.columns[c];
        if (column.spec.isNumeric())
            record.numbers[c] = column.numbers[row];
        else
            record.texts[c] = column.categories[std::size_t(column.codes[row])];
    }
    return record;
}

} // namespace Audit
