#include "tls/selfsigned.h"

#include "tls/opensslutil.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSaveFile>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <ctime>
#include <memory>

namespace gemgate {

namespace {

Q_LOGGING_CATEGORY(lcTls, "gemgate.tls")

using tlsdetail::drainOpenSslErrors;
using tlsdetail::OpenSslDeleter;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<&BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<&BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpenSslDeleter<&ASN1_INTEGER_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<&EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<&X509_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<&X509_EXTENSION_free>>;

const QString kCertFileName = QStringLiteral("cert.pem");
const QString kKeyFileName = QStringLiteral("key.pem");
const QString kSelfSignedCommonName = QStringLiteral("GemGate local");
constexpr int kSelfSignedValidDays = 825; // the longest validity Apple clients accept for a server certificate

constexpr QFileDevice::Permissions kOwnerReadWrite = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
// QFile::permissions() also reports the *User flags (access for the current user); only these bits are the mode.
constexpr QFileDevice::Permissions kModeBits = QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                               QFileDevice::ExeOwner | QFileDevice::ReadGroup |
                                               QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                                               QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;

void setError(QString* error, const QString& message) {
    if (error)
        *error = message;
}

CertificateBundle failOpenSsl(QString* error, const QString& what) {
    setError(error, QStringLiteral("TLS certificate generation failed: %1 (%2)").arg(what, drainOpenSslErrors()));
    return {};
}

QByteArray readBio(BIO* bio) {
    QByteArray out;
    out.resize(qsizetype(BIO_ctrl_pending(bio)));
    const int n = out.isEmpty() ? 0 : BIO_read(bio, out.data(), int(out.size()));
    out.resize(n > 0 ? n : 0);
    return out;
}

bool addExtension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    // Self-signed: the certificate is its own issuer, which subjectKeyIdentifier=hash needs to find the key.
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Password callback that refuses to prompt. OpenSSL's default callback would read from the terminal; a gateway
// must never block on that, and being called at all tells us the key is encrypted.
int refusePassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* userdata) {
    *static_cast<bool*>(userdata) = true;
    return -1;
}

// Compares the certificate's public key with the private key, so a cert.pem / key.pem pair from two different
// generations is caught at load time rather than as an opaque handshake failure later.
bool keyMatchesCertificate(const QSslCertificate& cert, const QByteArray& keyPem, QString* why) {
    ERR_clear_error();
    const QByteArray der = cert.toDer();
    const auto* derPtr = reinterpret_cast<const unsigned char*>(der.constData());
    X509Ptr x509(d2i_X509(nullptr, &derPtr, long(der.size())));
    if (!x509) {
        *why = QStringLiteral("the certificate cannot be parsed (%1)").arg(drainOpenSslErrors());
        return false;
    }
    BioPtr bio(BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())));
    if (!bio) {
        *why = QStringLiteral("out of memory (%1)").arg(drainOpenSslErrors());
        return false;
    }
    bool askedForPassword = false;
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &refusePassword, &askedForPassword));
    if (!key) {
        *why = askedForPassword
                   ? QStringLiteral("the private key is encrypted with a passphrase, which is not supported")
                   : QStringLiteral("no readable private key (%1)").arg(drainOpenSslErrors());
        return false;
    }
    if (EVP_PKEY_eq(X509_get0_pubkey(x509.get()), key.get()) != 1) {
        ERR_clear_error();
        *why = QStringLiteral("the private key does not match the certificate's public key");
        return false;
    }
    return true;
}

bool readWholeFile(const QString& path, const QString& what, QByteArray* out, QString* error) {
    QFile file(path);
    if (!file.exists()) {
        setError(error, QStringLiteral("%1 file %2 does not exist").arg(what, path));
        return false;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, QStringLiteral("%1 file %2 cannot be read: %3").arg(what, path, file.errorString()));
        return false;
    }
    *out = file.readAll();
    return true;
}

// Writes atomically (temp file + rename) so a crash never leaves a half-written key or certificate. The mode is
// set on the temporary file before any byte is written, so the key is never readable by others, not even briefly.
bool writeFileAtomically(const QString& path, const QByteArray& data, QFileDevice::Permissions mode, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        setError(error, QStringLiteral("cannot create %1: %2").arg(path, file.errorString()));
        return false;
    }
    if (!file.setPermissions(mode)) {
        file.cancelWriting();
        setError(error, QStringLiteral("cannot set permissions on %1: %2").arg(path, file.errorString()));
        return false;
    }
    if (file.write(data) != data.size() || !file.commit()) {
        setError(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    // Belt and braces: some file systems or the temp-file strategy may not carry the mode over the rename.
    if ((QFile::permissions(path) & kModeBits) != mode && !QFile::setPermissions(path, mode)) {
        setError(error, QStringLiteral("cannot set permissions on %1").arg(path));
        return false;
    }
    return true;
}

} // namespace

CertificateBundle loadCertificateFiles(const QString& certPath, const QString& keyPath, QString* error) {
    QByteArray certPem;
    if (!readWholeFile(certPath, QStringLiteral("Certificate"), &certPem, error))
        return {};
    QByteArray keyPem;
    if (!readWholeFile(keyPath, QStringLiteral("Private key"), &keyPem, error))
        return {};

    CertificateBundle bundle;
    bundle.chain = QSslCertificate::fromData(certPem, QSsl::Pem);
    if (bundle.chain.isEmpty()) {
        setError(error, QStringLiteral("Certificate file %1 contains no PEM certificate").arg(certPath));
        return {};
    }
    const QSslCertificate& leaf = bundle.chain.constFirst();
    const QDateTime expiry = leaf.expiryDate();
    if (expiry <= QDateTime::currentDateTimeUtc()) {
        setError(error,
                 QStringLiteral("Certificate in %1 expired on %2").arg(certPath, expiry.toUTC().toString(Qt::ISODate)));
        return {};
    }

    QString why;
    if (!keyMatchesCertificate(leaf, keyPem, &why)) {
        setError(error, QStringLiteral("Private key file %1: %2 (certificate %3)").arg(keyPath, why, certPath));
        return {};
    }

    // Qt needs the algorithm up front; EC is what we generate, RSA is what most user-supplied certificates use.
    // Both readers accept the traditional and the PKCS#8 "PRIVATE KEY" PEM forms.
    bundle.key = QSslKey(keyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    if (bundle.key.isNull())
        bundle.key = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem, QSsl::PrivateKey);
    if (bundle.key.isNull()) {
        setError(error, QStringLiteral("Private key file %1: unsupported key type (only EC and RSA keys are supported)")
                            .arg(keyPath));
        return {};
    }
    return bundle;
}

CertificateBundle generateSelfSigned(const QString& commonName, const QDateTime& notBefore, const QDateTime& notAfter,
                                     QString* error) {
    if (commonName.isEmpty() || !notBefore.isValid() || !notAfter.isValid()) {
        setError(error, QStringLiteral("TLS certificate generation failed: empty common name or invalid dates"));
        return {};
    }
    ERR_clear_error();

    PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key)
        return failOpenSsl(error, QStringLiteral("EC P-256 key generation"));

    X509Ptr cert(X509_new());
    if (!cert)
        return failOpenSsl(error, QStringLiteral("X509_new"));
    if (X509_set_version(cert.get(), X509_VERSION_3) != 1)
        return failOpenSsl(error, QStringLiteral("setting version 3"));

    // 128 random bits with the top bit cleared: positive, at most 16 octets, unique enough that a regenerated
    // certificate never collides with one a browser has cached.
    std::array<unsigned char, 16> serialBytes{};
    BignumPtr serialBn;
    do {
        if (RAND_bytes(serialBytes.data(), int(serialBytes.size())) != 1)
            return failOpenSsl(error, QStringLiteral("random serial number"));
        serialBytes[0] &= 0x7f;
        serialBn.reset(BN_bin2bn(serialBytes.data(), int(serialBytes.size()), nullptr));
        if (!serialBn)
            return failOpenSsl(error, QStringLiteral("serial number conversion"));
    } while (BN_is_zero(serialBn.get()));
    Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(serialBn.get(), nullptr));
    if (!serial || X509_set_serialNumber(cert.get(), serial.get()) != 1)
        return failOpenSsl(error, QStringLiteral("setting the serial number"));

    if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), std::time_t(notBefore.toSecsSinceEpoch())) ||
        !ASN1_TIME_set(X509_getm_notAfter(cert.get()), std::time_t(notAfter.toSecsSinceEpoch())))
        return failOpenSsl(error, QStringLiteral("setting the validity period"));
    if (X509_set_pubkey(cert.get(), key.get()) != 1)
        return failOpenSsl(error, QStringLiteral("setting the public key"));

    X509_NAME* name = X509_get_subject_name(cert.get());
    const QByteArray cn = commonName.toUtf8();
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.constData()),
                                   int(cn.size()), -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("GemGate"), -1, -1,
                                   0) != 1)
        return failOpenSsl(error, QStringLiteral("setting the subject name"));
    if (X509_set_issuer_name(cert.get(), name) != 1)
        return failOpenSsl(error, QStringLiteral("setting the issuer name"));

    // CA:TRUE + keyCertSign let a client trust this one certificate directly as its only CA
    // (QSslConfiguration::setCaCertificates, curl --cacert) instead of disabling verification.
    struct Extension {
        int nid;
        const char* value;
    };
    static constexpr std::array<Extension, 5> extensions{{
        {NID_basic_constraints, "critical,CA:TRUE"},
        {NID_key_usage, "critical,digitalSignature,keyCertSign"},
        {NID_ext_key_usage, "serverAuth"},
        {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"},
        {NID_subject_key_identifier, "hash"},
    }};
    for (const Extension& ext : extensions) {
        if (!addExtension(cert.get(), ext.nid, ext.value))
            return failOpenSsl(error, QStringLiteral("adding extension %1").arg(QLatin1String(OBJ_nid2sn(ext.nid))));
    }

    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
        return failOpenSsl(error, QStringLiteral("signing with SHA-256"));

    BioPtr certBio(BIO_new(BIO_s_mem()));
    if (!certBio || PEM_write_bio_X509(certBio.get(), cert.get()) != 1)
        return failOpenSsl(error, QStringLiteral("PEM encoding the certificate"));
    // Secure-heap BIO where available, so the private key's PEM text is wiped when freed.
    BioPtr keyBio(BIO_new(BIO_s_secmem()));
    if (!keyBio || PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return failOpenSsl(error, QStringLiteral("PEM encoding the private key"));

    const QByteArray certPem = readBio(certBio.get());
    QByteArray keyPem = readBio(keyBio.get());

    CertificateBundle bundle;
    bundle.chain = QSslCertificate::fromData(certPem, QSsl::Pem);
    bundle.key = QSslKey(keyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    OPENSSL_cleanse(keyPem.data(), size_t(keyPem.size()));
    if (bundle.isNull()) {
        setError(error, QStringLiteral("TLS certificate generation failed: Qt could not load the generated PEM"));
        return {};
    }
    return bundle;
}

CertificateBundle generateSelfSigned(const QString& commonName, int validDays, QString* error) {
    if (validDays <= 0) {
        setError(error, QStringLiteral("TLS certificate generation failed: validity must be at least one day"));
        return {};
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // Backdated by an hour so a client whose clock is slightly behind does not see "not yet valid".
    return generateSelfSigned(commonName, now.addSecs(-3600), now.addDays(validDays), error);
}

CertificateBundle loadOrCreateSelfSigned(const QString& dir, bool* generated, QString* error) {
    if (generated)
        *generated = false;
    if (dir.isEmpty()) {
        setError(error, QStringLiteral("no directory given for the self-signed certificate"));
        return {};
    }
    const QDir d(dir);
    const QString certPath = d.filePath(kCertFileName);
    const QString keyPath = d.filePath(kKeyFileName);

    if (QFileInfo::exists(certPath) || QFileInfo::exists(keyPath)) {
        QString loadError;
        CertificateBundle existing = loadCertificateFiles(certPath, keyPath, &loadError);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        if (!existing.isNull()) {
            const QSslCertificate& leaf = existing.chain.constFirst();
            if (leaf.effectiveDate() <= now && leaf.expiryDate() > now.addDays(1)) {
                // Repair a key file whose mode was widened by hand or by a backup restore.
                if ((QFile::permissions(keyPath) & kModeBits & ~kOwnerReadWrite) != 0 &&
                    !QFile::setPermissions(keyPath, kOwnerReadWrite))
                    qCWarning(lcTls) << "Could not restrict permissions of" << keyPath;
                return existing;
            }
            loadError = QStringLiteral("certificate %1 is valid from %2 until %3, not for at least another day")
                            .arg(certPath, leaf.effectiveDate().toUTC().toString(Qt::ISODate),
                                 leaf.expiryDate().toUTC().toString(Qt::ISODate));
        }
        qCInfo(lcTls).noquote() << "Replacing self-signed certificate:" << loadError;
    }

    QString genError;
    CertificateBundle bundle = generateSelfSigned(kSelfSignedCommonName, kSelfSignedValidDays, &genError);
    if (bundle.isNull()) {
        setError(error, genError);
        return {};
    }

    if (!d.exists()) {
        const QFileInfo info(d.absolutePath());
        if (!QDir().mkpath(info.absolutePath()) ||
            !QDir().mkdir(info.absoluteFilePath(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner)) {
            // mkdir fails if another process created it in between; that is fine as long as it now exists.
            if (!d.exists()) {
                setError(error, QStringLiteral("cannot create certificate directory %1").arg(dir));
                return {};
            }
        }
    }

    // Key first: if writing the certificate then fails, the stale pair no longer matches and the next start
    // regenerates instead of serving a certificate whose key is gone.
    QByteArray keyPem = bundle.key.toPem();
    const bool keyWritten = writeFileAtomically(keyPath, keyPem, kOwnerReadWrite, error);
    OPENSSL_cleanse(keyPem.data(), size_t(keyPem.size()));
    if (!keyWritten)
        return {};
    if (!writeFileAtomically(certPath, bundle.chain.constFirst().toPem(),
                             kOwnerReadWrite | QFileDevice::ReadGroup | QFileDevice::ReadOther, error))
        return {};

    qCInfo(lcTls).noquote() << "Generated self-signed TLS certificate" << certPath << "valid until"
                            << bundle.chain.constFirst().expiryDate().toUTC().toString(Qt::ISODate);
    if (generated)
        *generated = true;
    return bundle;
}

} // namespace gemgate
