#include "fileio.h"

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

void writeFileAtomically(const QString &path, const QByteArray &bytes)
{
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

QString fileMd5(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw IoError(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Md5);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace Audit
