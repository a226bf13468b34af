#include "tls/acmecrypto.h"

#include "tls/opensslutil.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <memory>

namespace gemgate::acme {

namespace {

template <auto FreeFn> using Deleter = tlsdetail::OpenSslDeleter<FreeFn>;
using BioPtr = std::unique_ptr<BIO, Deleter<&BIO_free_all>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<&EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<&EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<&EVP_MD_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<&BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<&ECDSA_SIG_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, Deleter<&X509_REQ_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<&X509_NAME_free>>;

using tlsdetail::drainOpenSslErrors;

QByteArray coordinate(EVP_PKEY* key, const char* name) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &raw) != 1)
        return {};
    BignumPtr bn(raw);
    QByteArray out(32, '\0');
    if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), 32) != 32)
        return {};
    return out;
}

QByteArray compact(const QJsonObject& o) {
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

QByteArray base64url(const QByteArray& data) {
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray generateKeyPem(QString* error) {
    PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) {
        *error = QStringLiteral("generating an EC P-256 key failed: %1").arg(drainOpenSslErrors());
        return {};
    }
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        *error = QStringLiteral("writing the key failed: %1").arg(drainOpenSslErrors());
        return {};
    }
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, n);
}

EcKey::EcKey(const QByteArray& pem) {
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC || EVP_PKEY_get_bits(key.get()) != 256) {
        ERR_clear_error();
        return;
    }
    m_key = key.release();
}

EcKey::~EcKey() {
    EVP_PKEY_free(m_key);
}

QJsonObject EcKey::jwk() const {
    if (!m_key)
        return {};
    return {{QStringLiteral("crv"), QStringLiteral("P-256")},
            {QStringLiteral("kty"), QStringLiteral("EC")},
            {QStringLiteral("x"), QString::fromLatin1(base64url(coordinate(m_key, OSSL_PKEY_PARAM_EC_PUB_X)))},
            {QStringLiteral("y"), QString::fromLatin1(base64url(coordinate(m_key, OSSL_PKEY_PARAM_EC_PUB_Y)))}};
}

QByteArray EcKey::thumbprint() const {
    const QJsonObject j = jwk();
    // Members in lexicographic order, no whitespace (QJsonObject keeps keys sorted, Compact has no spaces).
    return base64url(QCryptographicHash::hash(compact(j), QCryptographicHash::Sha256));
}

QByteArray EcKey::sign(const QByteArray& data) const {
    if (!m_key)
        return {};
    MdCtxPtr ctx(EVP_MD_CTX_new());
    size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, m_key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.constData()),
                       size_t(data.size())) != 1)
        return {};
    QByteArray der(qsizetype(len), '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &len,
                       reinterpret_cast<const unsigned char*>(data.constData()), size_t(data.size())) != 1)
        return {};
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.constData());
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, long(len)));
    if (!sig)
        return {};
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    QByteArray out(64, '\0');
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    if (BN_bn2binpad(r, o, 32) != 32 || BN_bn2binpad(s, o + 32, 32) != 32)
        return {};
    return out;
}

QByteArray EcKey::csrDer(const QStringList& names, QString* error) const {
    X509ReqPtr req(X509_REQ_new());
    X509NamePtr subject(X509_NAME_new());
    if (!m_key || names.isEmpty() || !req || !subject) {
        *error = QStringLiteral("cannot make a CSR without a key and names");
        return {};
    }
    const QByteArray cn = names.first().toUtf8();
    X509_NAME_add_entry_by_txt(subject.get(), "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.data()),
                               int(cn.size()), -1, 0);
    X509_REQ_set_version(req.get(), 0);
    X509_REQ_set_subject_name(req.get(), subject.get());
    X509_REQ_set_pubkey(req.get(), m_key);
    QStringList sans;
    for (const QString& n : names)
        sans.append(QStringLiteral("DNS:") + n);
    const QByteArray sanText = sans.join(u',').toUtf8();
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, sanText.constData());
    bool ok = exts && san && sk_X509_EXTENSION_push(exts, san) > 0;
    if (!ok)
        X509_EXTENSION_free(san);
    ok = ok && X509_REQ_add_extensions(req.get(), exts) == 1 && X509_REQ_sign(req.get(), m_key, EVP_sha256()) > 0;
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    if (!ok) {
        *error = QStringLiteral("making the CSR failed: %1").arg(drainOpenSslErrors());
        return {};
    }
    const int len = i2d_X509_REQ(req.get(), nullptr);
    QByteArray der(len, '\0');
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    i2d_X509_REQ(req.get(), &p);
    return der;
}

QByteArray signJws(const EcKey& key, const QJsonObject& protectedHeader, const QByteArray& payload) {
    QJsonObject header = protectedHeader;
    header.insert(QStringLiteral("alg"), QStringLiteral("ES256"));
    const QByteArray protected64 = base64url(compact(header));
    const QByteArray payload64 = base64url(payload);
    const QByteArray signature = key.sign(protected64 + '.' + payload64);
    return compact({{QStringLiteral("protected"), QString::fromLatin1(protected64)},
                    {QStringLiteral("payload"), QString::fromLatin1(payload64)},
                    {QStringLiteral("signature"), QString::fromLatin1(base64url(signature))}});
}

QJsonObject externalAccountBinding(const EcKey& accountKey, const QString& kid, const QByteArray& hmacKey,
                                   const QString& newAccountUrl) {
    const QByteArray protected64 = base64url(compact({{QStringLiteral("alg"), QStringLiteral("HS256")},
                                                      {QStringLiteral("kid"), kid},
                                                      {QStringLiteral("url"), newAccountUrl}}));
    const QByteArray payload64 = base64url(compact(accountKey.jwk()));
    const QByteArray mac =
        QMessageAuthenticationCode::hash(protected64 + '.' + payload64, hmacKey, QCryptographicHash::Sha256);
    return {{QStringLiteral("protected"), QString::fromLatin1(protected64)},
            {QStringLiteral("payload"), QString::fromLatin1(payload64)},
            {QStringLiteral("signature"), QString::fromLatin1(base64url(mac))}};
}

QByteArray keyAuthorization(const EcKey& accountKey, const QByteArray& token) {
    return token + '.' + accountKey.thumbprint();
}

} // namespace gemgate::acme
