#include "tls/acmestore.h"

#include "tls/acmecrypto.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QStandardPaths>

namespace gemgate::acme {

namespace {
constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

QString namesDir(const QString& dir, const QStringList& domains) {
    QString first = domains.value(0);
    first.replace(QLatin1String("*."), QLatin1String("_wildcard."));
    return QDir(dir).filePath(first);
}

bool makeDir(const QString& path, QString* error) {
    if (!QDir().mkpath(path)) {
        *error = QStringLiteral("cannot create %1").arg(path);
        return false;
    }
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    return true;
}

bool writeOwnerOnly(const QString& path, const QByteArray& data, QString* error) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || !f.setPermissions(kOwnerOnly) || f.write(data) != data.size() || !f.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

bool covers(const QSslCertificate& cert, const QStringList& domains) {
    const QStringList names = cert.subjectAlternativeNames().values(QSsl::DnsEntry);
    for (const QString& d : domains) {
        if (!names.contains(d, Qt::CaseInsensitive))
            return false;
    }
    return true;
}
} // namespace

QString storageDir(const QString& configured) {
    return configured.isEmpty()
               ? QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QLatin1String("/gemgate/acme")
               : configured;
}

QByteArray loadOrCreateAccountKey(const QString& dir, QString* error) {
    const QString path = QDir(dir).filePath(QStringLiteral("account.key"));
    QFile f(path);
    if (f.open(QIODevice::ReadOnly)) {
        const QByteArray pem = f.readAll();
        if (EcKey(pem).isValid())
            return pem;
        *error = QStringLiteral("%1 is not an EC P-256 private key; move it away to create a new account").arg(path);
        return {};
    }
    if (!makeDir(dir, error))
        return {};
    const QByteArray pem = generateKeyPem(error);
    if (pem.isEmpty() || !writeOwnerOnly(path, pem, error))
        return {};
    return pem;
}

CertificateBundle loadCertificate(const QString& dir, const QStringList& domains, QString* error) {
    const QString base = namesDir(dir, domains);
    const QString certPath = base + QStringLiteral("/cert.pem");
    if (!QFile::exists(certPath)) {
        error->clear();
        return {};
    }
    CertificateBundle bundle = loadCertificateFiles(certPath, base + QStringLiteral("/key.pem"), error);
    if (bundle.isNull())
        return {};
    const QSslCertificate& leaf = bundle.chain.first();
    if (leaf.expiryDate() <= QDateTime::currentDateTimeUtc()) {
        *error = QStringLiteral("the stored certificate %1 expired on %2")
                     .arg(certPath, leaf.expiryDate().toString(Qt::ISODate));
        return {};
    }
    if (!covers(leaf, domains)) {
        *error = QStringLiteral("the stored certificate %1 does not cover every configured name").arg(certPath);
        return {};
    }
    return bundle;
}

bool saveCertificate(const QString& dir, const QStringList& domains, const AcmeCertificate& certificate,
                     QString* error) {
    const QString base = namesDir(dir, domains);
    if (!makeDir(dir, error) || !makeDir(base, error))
        return false;
    // The key first: a chain without its key is never left behind for the runtime to load.
    return writeOwnerOnly(base + QStringLiteral("/key.pem"), certificate.keyPem, error) &&
           writeOwnerOnly(base + QStringLiteral("/cert.pem"), certificate.chainPem, error);
}

} // namespace gemgate::acme
