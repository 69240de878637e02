#include "fileio.h"

#include "schemaerror.h"

#include <limits>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include "auditerror.h"

namespace Audit {

void makeParentFolder(const QString &path)
{
    const QString folder = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(folder))
        throw IoError(QStringLiteral("%1: cannot create folder %2").arg(path, folder));
}

void checkOutputFile(const QString &path)
{
    if (path.isEmpty())
        throw UsageError(QStringLiteral("an output file needs a name (an empty path was given)"));
    const QFileInfo info(path);
    // An atomic write renames a new file over the target: over a device or FIFO it would
    // replace the node itself (as root, /dev/null), and a read-only file would lose its mode.
    if (info.exists() && !info.isFile())
        throw UsageError(QStringLiteral("%1: not a regular file (%2): not replaced; give a file path")
                             .arg(path, info.isDir() ? QStringLiteral("a folder") : QStringLiteral("a device, FIFO or socket")));
    if (info.exists() && !info.isWritable())
        throw UsageError(QStringLiteral("%1: read-only: not replaced").arg(path));
}

void writeFileAtomically(const QString &path, const QByteArray &bytes)
{
    checkOutputFile(path);
    makeParentFolder(path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw IoError(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    if (file.write(bytes) != bytes.size()) {
        file.cancelWriting();
        throw IoError(QStringLiteral("%1: write failed: %2").arg(path, file.errorString()));
    }
    if (!file.commit())
        throw IoError(QStringLiteral("%1: cannot save: %2").arg(path, file.errorString()));
}

void checkInputFile(const QString &path, const QString &what, qint64 maxBytes)
{
    const QFileInfo info(path);
    if (info.exists() && !info.isFile())
        throw SchemaError(
            QStringLiteral("%1: not a regular file (%2); give the %3 file itself")
                .arg(path, info.isDir() ? QStringLiteral("a folder") : QStringLiteral("a device, FIFO or socket"), what));
    if (info.size() > maxBytes)
        throw SchemaError(QStringLiteral("%1: %2 bytes is too big for a %3 file (at most %4 MiB); not read")
                              .arg(path)
                              .arg(info.size())
                              .arg(what)
                              .arg(maxBytes >> 20));
}

QByteArray readInputFile(const QString &path, const QString &what, qint64 maxBytes)
{
    checkInputFile(path, what, maxBytes);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw IoError(QStringLiteral("%1: cannot open %2 file: %3").arg(path, what, file.errorString()));
    const QByteArray bytes = file.read(maxBytes + 1);
    if (bytes.size() > maxBytes)
        throw SchemaError(QStringLiteral("%1: grew past %2 MiB while being read").arg(path).arg(maxBytes >> 20));
    return bytes;
}

QString fileMd5(const QString &path)
{
    checkInputFile(path, QStringLiteral("hashed"), std::numeric_limits<qint64>::max());
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw IoError(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Md5);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace Audit
