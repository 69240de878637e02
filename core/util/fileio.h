#pragma once

#include <QByteArray>
#include <QString>

namespace Audit {

// Creates the folder `path` goes in, and its parents, when missing.
// Throws: IoError naming the path and the folder.
void makeParentFolder(const QString &path);

// Writes `bytes` to `path` through QSaveFile: readers see the old file or the new one,
// never a partial one, and a failure leaves no file behind. Creates missing parent folders.
// Throws: IoError naming the path.
void writeFileAtomically(const QString &path, const QByteArray &bytes);

// Lower-case hex md5 of a file's bytes. Throws IoError when unreadable.
QString fileMd5(const QString &path);

} // namespace Audit
