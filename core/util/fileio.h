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
// Refuses (UsageError) an empty path, an existing target that is not a regular file (a folder,
// a device, a FIFO) and a read-only one, before anything is written.
void checkOutputFile(const QString &path);
void writeFileAtomically(const QString &path, const QByteArray &bytes); // checkOutputFile first

// Lower-case hex md5 of a file's bytes. Throws IoError when unreadable or not a regular file.
QString fileMd5(const QString &path);

// Refuses what only looks like a file: a device (/dev/zero would be read forever), a FIFO (it
// would block), a folder, or a regular file over `maxBytes`. `what` names the file's role in
// the message ("model", "CSV"). Throws: SchemaError (bad input) naming the path.
void checkInputFile(const QString &path, const QString &what, qint64 maxBytes);

// checkInputFile, then the whole file, never more than `maxBytes` (a file that grows while it
// is read is refused). Throws: SchemaError for what is not a file to read, IoError when it cannot
// be opened; both name the path.
QByteArray readInputFile(const QString &path, const QString &what, qint64 maxBytes);

} // namespace Audit
