#pragma once

#include <array>
#include <optional>
#include <utility>

#include <QString>
#include <QStringList>
#include <QStringView>

namespace Audit {

// The names of an enum's values, written once per enum as a specialisation beside the enum:
//   template <> struct EnumNames<CardFormat> {
//       static constexpr std::array<std::pair<CardFormat, const char *>, 2> table{
//           {{CardFormat::Markdown, "md"}, {CardFormat::Html, "html"}}};
//   };
template <typename E>
struct EnumNames;

// The name of `value` ("" for a value missing from its table).
template <typename E>
QString enumName(E value)
{
    for (const auto &[v, name] : EnumNames<E>::table) {
        if (v == value)
            return QString::fromLatin1(name);
    }
    return {};
}

// The value named `name` (exact match); nullopt for an unknown name.
template <typename E>
std::optional<E> enumFromName(QStringView name)
{
    for (const auto &[v, n] : EnumNames<E>::table) {
        if (name == QLatin1String(n))
            return v;
    }
    return std::nullopt;
}

// Every name, for messages: "md, html, pdf or json".
template <typename E>
QString enumNameList()
{
    QStringList names;
    for (const auto &entry : EnumNames<E>::table)
        names << QString::fromLatin1(entry.second);
    if (names.size() < 2)
        return names.join(QString());
    const QString last = names.takeLast();
    return names.join(QStringLiteral(", ")) + QStringLiteral(" or ") + last;
}

} // namespace Audit
