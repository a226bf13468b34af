#include "auth/jwtverifier.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QMutexLocker>

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace gemgate {

namespace {

enum class Alg { HS256, RS256, ES256 };
enum class KeyType { Rsa, Ec };

constexpr std::array<Alg, 3> allAlgs{Alg::HS256, Alg::RS256, Alg::ES256};
constexpr int minRsaBits = 2048;
constexpr int minHmacSecretBytes = 32;
// Dates beyond year 9999 are clamped (keeps the double -> qint64 conversions defined).
constexpr double maxNumericDate = 253402300799.0;

QString algName(Alg alg) {
    switch (alg) {
    case Alg::HS256:
        return QStringLiteral("HS256");
    case Alg::RS256:
        return QStringLiteral("RS256");
    case Alg::ES256:
        return QStringLiteral("ES256");
    }
    return {};
}

std::optional<Alg> algFromName(QStringView name) {
    for (Alg alg : allAlgs) {
        if (name == algName(alg))
            return alg;
    }
    return std::nullopt;
}

jwt_alg_t libjwtAlg(Alg alg) {
    switch (alg) {
    case Alg::HS256:
        return JWT_ALG_HS256;
    case Alg::RS256:
        return JWT_ALG_RS256;
    case Alg::ES256:
        return JWT_ALG_ES256;
    }
    return JWT_ALG_INVAL;
}

QString keyTypeName(KeyType type) {
    return type == KeyType::Rsa ? QStringLiteral("RSA") : QStringLiteral("EC P-256");
}

struct PublicKey {
    KeyType type = KeyType::Rsa;
    QString kid;    // empty for PEM keys
    QByteArray pem; // SubjectPublicKeyInfo PEM, as libjwt wants it
    QString origin; // for messages: "public key 1", "JWKS key \"k1\""
};

// --- OpenSSL RAII ---------------------------------------------------------------------------------------------

struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct BnFree {
    void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ParamBldFree {
    void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
    void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
};
struct OpenSslFree {
    void operator()(void* p) const { OPENSSL_free(p); }
};
struct JwtFree {
    void operator()(jwt_t* p) const { jwt_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

void setError(QString* error, const QString& message) {
    if (error)
        *error = message;
}

// Quotes a value taken from a token for an error message: printable ASCII only, at most 64 characters.
QString quoted(const QString& value) {
    QString out;
    out.reserve(qMin(value.size(), qsizetype(64)) + 2);
    out += QLatin1Char('"');
    for (qsizetype i = 0; i < value.size(); ++i) {
        if (i == 64) {
            out += QStringLiteral("...");
            break;
        }
        const QChar c = value.at(i);
        out += (c.unicode() >= 0x20 && c.unicode() < 0x7f && c != QLatin1Char('"')) ? c : QLatin1Char('?');
    }
    out += QLatin1Char('"');
    return out;
}

QString formatTime(double secondsSinceEpoch) {
    const double clamped = std::clamp(secondsSinceEpoch, -maxNumericDate, maxNumericDate);
    return QDateTime::fromSecsSinceEpoch(static_cast<qint64>(std::floor(clamped)), Qt::UTC).toString(Qt::ISODate);
}

bool isBase64UrlChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Strict base64url without padding (RFC 7515 section 2).
std::optional<QByteArray> decodeBase64Url(QByteArrayView text) {
    for (char c : text) {
        if (!isBase64UrlChar(c))
            return std::nullopt;
    }
    if (text.size() % 4 == 1)
        return std::nullopt;
    auto result = QByteArray::fromBase64Encoding(text.toByteArray(), QByteArray::Base64UrlEncoding |
                                                                         QByteArray::OmitTrailingEquals |
                                                                         QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return std::nullopt;
    return result.decoded;
}

// --- key loading ----------------------------------------------------------------------------------------------

QString openSslReason() {
    const unsigned long code = ERR_peek_last_error();
    QString reason;
    if (code != 0) {
        std::array<char, 256> buf{};
        ERR_error_string_n(code, buf.data(), buf.size());
        reason = QString::fromLatin1(buf.data());
    }
    ERR_clear_error();
    return reason.isEmpty() ? QStringLiteral("OpenSSL error") : reason;
}

// Checks the key's type and size and converts it to SubjectPublicKeyInfo PEM.
bool acceptPublicKey(EVP_PKEY* pkey, const QString& origin, const QString& kid, std::vector<PublicKey>* out,
                     QString* error) {
    PublicKey key;
    key.kid = kid;
    key.origin = origin;
    const int baseId = EVP_PKEY_get_base_id(pkey);
    if (baseId == EVP_PKEY_RSA) {
        const int bits = EVP_PKEY_get_bits(pkey);
        if (bits < minRsaBits) {
            setError(error, QStringLiteral("%1: RSA key has %2 bits, at least %3 are required")
                                .arg(origin)
                                .arg(bits)
                                .arg(minRsaBits));
            return false;
        }
        key.type = KeyType::Rsa;
    } else if (baseId == EVP_PKEY_EC) {
        std::array<char, 64> group{};
        size_t groupLen = 0;
        if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(), &groupLen) !=
            1) {
            ERR_clear_error();
            setError(error, QStringLiteral("%1: EC key without a named curve").arg(origin));
            return false;
        }
        const QLatin1StringView groupName(group.data(), qsizetype(groupLen));
        if (groupName != QLatin1StringView("prime256v1") && groupName != QLatin1StringView("P-256")) {
            setError(error, QStringLiteral("%1: EC key on curve %2; only P-256 (ES256) is supported")
                                .arg(origin, QString(groupName)));
            return false;
        }
        key.type = KeyType::Ec;
    } else {
        setError(error, QStringLiteral("%1: unsupported key type (only RSA and EC P-256 public keys)").arg(origin));
        return false;
    }
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey) != 1) {
        setError(error, QStringLiteral("%1: cannot encode the key: %2").arg(origin, openSslReason()));
        return false;
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    key.pem = QByteArray(data, len);
    out->push_back(std::move(key));
    return true;
}

// Reads every PEM block of `text`; public keys and certificates contribute keys.
bool loadPemText(const QByteArray& text, const QString& origin, std::vector<PublicKey>* out, QString* error) {
    BioPtr bio(BIO_new_mem_buf(text.constData(), static_cast<int>(text.size())));
    if (!bio) {
        setError(error, QStringLiteral("%1: out of memory").arg(origin));
        return false;
    }
    int found = 0;
    for (;;) {
        char* rawName = nullptr;
        char* rawHeader = nullptr;
        unsigned char* rawData = nullptr;
        long len = 0;
        if (PEM_read_bio(bio.get(), &rawName, &rawHeader, &rawData, &len) != 1) {
            ERR_clear_error(); // end of input (or trailing garbage after the last block)
            break;
        }
        std::unique_ptr<char, OpenSslFree> name(rawName);
        std::unique_ptr<char, OpenSslFree> header(rawHeader);
        std::unique_ptr<unsigned char, OpenSslFree> data(rawData);
        const QLatin1StringView blockName(name.get());
        const unsigned char* p = data.get();
        PkeyPtr pkey;
        if (blockName == QLatin1StringView("PUBLIC KEY")) {
            pkey.reset(d2i_PUBKEY(nullptr, &p, len));
        } else if (blockName == QLatin1StringView("RSA PUBLIC KEY")) {
            pkey.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, len));
        } else if (blockName == QLatin1StringView("CERTIFICATE")) {
            X509Ptr cert(d2i_X509(nullptr, &p, len));
            if (cert) {
                EVP_PKEY* certKey = X509_get0_pubkey(cert.get());
                if (certKey && EVP_PKEY_up_ref(certKey) == 1)
                    pkey.reset(certKey);
            }
        } else if (blockName.endsWith(QLatin1StringView("PRIVATE KEY"))) {
            setError(error, QStringLiteral("%1: holds a private key; configure the public key instead").arg(origin));
            return false;
        } else {
            continue; // e.g. "EC PARAMETERS" from `openssl ecparam`
        }
        ++found;
        const QString keyOrigin = QStringLiteral("%1 (block %2)").arg(origin).arg(found);
        if (!pkey) {
            setError(error, QStringLiteral("%1: cannot parse the %2: %3")
                                .arg(keyOrigin, QString(blockName).toLower(), openSslReason()));
            return false;
        }
        if (!acceptPublicKey(pkey.get(), keyOrigin, QString(), out, error))
            return false;
    }
    if (found == 0) {
        setError(error, QStringLiteral("%1: no PEM public key or certificate found").arg(origin));
        return false;
    }
    return true;
}

bool loadPemEntry(const QString& entry, int index, std::vector<PublicKey>* out, QString* error) {
    const QString origin = QStringLiteral("public key %1").arg(index + 1);
    if (entry.contains(QLatin1StringView("-----BEGIN")))
        return loadPemText(entry.toUtf8(), origin, out, error);
    QFile file(entry);
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, QStringLiteral("%1: cannot read %2: %3").arg(origin, entry, file.errorString()));
        return false;
    }
    return loadPemText(file.readAll(), QStringLiteral("%1 (%2)").arg(origin, entry), out, error);
}

std::optional<QByteArray> jwkBytes(const QJsonObject& jwk, const char* member, const QString& origin, QString* error) {
    const QJsonValue value = jwk.value(QLatin1StringView(member));
    if (!value.isString()) {
        setError(error,
                 QStringLiteral("%1: member \"%2\" missing or not a string").arg(origin, QLatin1StringView(member)));
        return std::nullopt;
    }
    QByteArray text = value.toString().toLatin1();
    while (text.endsWith('='))
        text.chop(1); // tolerate padded base64url in key files
    auto decoded = decodeBase64Url(text);
    if (!decoded || decoded->isEmpty()) {
        setError(error, QStringLiteral("%1: member \"%2\" is not base64url").arg(origin, QLatin1StringView(member)));
        return std::nullopt;
    }
    return decoded;
}

PkeyPtr pkeyFromParams(const char* typeName, OSSL_PARAM_BLD* bld) {
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, typeName, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return nullptr;
    PkeyPtr pkey(raw);
    // Rejects e.g. an EC point that is not on the curve.
    PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return nullptr;
    return pkey;
}

PkeyPtr rsaFromJwk(const QJsonObject& jwk, const QString& origin, QString* error) {
    const auto n = jwkBytes(jwk, "n", origin, error);
    const auto e = n ? jwkBytes(jwk, "e", origin, error) : std::nullopt;
    if (!n || !e)
        return nullptr;
    BnPtr bnN(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->constData()), static_cast<int>(n->size()), nullptr));
    BnPtr bnE(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->constData()), static_cast<int>(e->size()), nullptr));
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bnN || !bnE || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bnN.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bnE.get()) != 1) {
        setError(error, QStringLiteral("%1: %2").arg(origin, openSslReason()));
        return nullptr;
    }
    PkeyPtr pkey = pkeyFromParams("RSA", bld.get());
    if (!pkey)
        setError(error, QStringLiteral("%1: not a valid RSA public key: %2").arg(origin, openSslReason()));
    return pkey;
}

PkeyPtr ecFromJwk(const QJsonObject& jwk, const QString& origin, QString* error) {
    const auto x = jwkBytes(jwk, "x", origin, error);
    const auto y = x ? jwkBytes(jwk, "y", origin, error) : std::nullopt;
    if (!x || !y)
        return nullptr;
    if (x->size() != 32 || y->size() != 32) {
        setError(error, QStringLiteral("%1: P-256 coordinates must be 32 bytes each").arg(origin));
        return nullptr;
    }
    QByteArray point;
    point.reserve(65);
    point.append('\x04').append(*x).append(*y); // uncompressed SEC1 point
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                         static_cast<size_t>(point.size())) != 1) {
        setError(error, QStringLiteral("%1: %2").arg(origin, openSslReason()));
        return nullptr;
    }
    PkeyPtr pkey = pkeyFromParams("EC", bld.get());
    if (!pkey)
        setError(error, QStringLiteral("%1: not a valid P-256 public key: %2").arg(origin, openSslReason()));
    return pkey;
}

bool loadJwks(const QString& path, std::vector<PublicKey>* out, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, QStringLiteral("JWKS file %1: cannot read: %2").arg(path, file.errorString()));
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        setError(error, QStringLiteral("JWKS file %1: invalid JSON at offset %2: %3")
                            .arg(path)
                            .arg(parseError.offset)
                            .arg(parseError.errorString()));
        return false;
    }
    if (!doc.isObject() || !doc.object().value(QLatin1StringView("keys")).isArray()) {
        setError(error, QStringLiteral("JWKS file %1: expected an object with a \"keys\" array").arg(path));
        return false;
    }
    const QJsonArray keys = doc.object().value(QLatin1StringView("keys")).toArray();
    for (qsizetype i = 0; i < keys.size(); ++i) {
        QString origin = QStringLiteral("JWKS file %1, key %2").arg(path).arg(i + 1);
        if (!keys.at(i).isObject()) {
            setError(error, QStringLiteral("%1: not an object").arg(origin));
            return false;
        }
        const QJsonObject jwk = keys.at(i).toObject();
        const QJsonValue kidValue = jwk.value(QLatin1StringView("kid"));
        if (!kidValue.isUndefined() && !kidValue.isString()) {
            setError(error, QStringLiteral("%1: \"kid\" is not a string").arg(origin));
            return false;
        }
        const QString kid = kidValue.toString();
        if (!kid.isEmpty())
            origin += QStringLiteral(" (kid %1)").arg(quoted(kid));
        const QString kty = jwk.value(QLatin1StringView("kty")).toString();
        const QJsonValue use = jwk.value(QLatin1StringView("use"));
        if (!use.isUndefined() && use.toString() != QLatin1StringView("sig"))
            continue; // an encryption key
        const QJsonValue keyOps = jwk.value(QLatin1StringView("key_ops"));
        if (keyOps.isArray() && !keyOps.toArray().contains(QJsonValue(QStringLiteral("verify"))))
            continue;
        const QJsonValue alg = jwk.value(QLatin1StringView("alg"));
        PkeyPtr pkey;
        if (kty == QLatin1StringView("RSA")) {
            if (!alg.isUndefined() && alg.toString() != QLatin1StringView("RS256"))
                continue; // e.g. an RS512 or PS256 key
            pkey = rsaFromJwk(jwk, origin, error);
        } else if (kty == QLatin1StringView("EC")) {
            if (jwk.value(QLatin1StringView("crv")).toString() != QLatin1StringView("P-256"))
                continue; // ES384/ES512 keys
            if (!alg.isUndefined() && alg.toString() != QLatin1StringView("ES256"))
                continue;
            pkey = ecFromJwk(jwk, origin, error);
        } else {
            continue; // "oct" (never taken from a key file), "OKP", ...
        }
        if (!pkey || !acceptPublicKey(pkey.get(), origin, kid, out, error))
            return false;
    }
    return true;
}

} // namespace

// --- JwtVerifier ----------------------------------------------------------------------------------------------

struct JwtVerifier::KeySet {
    QByteArray hsSecret;
    std::vector<PublicKey> keys;
    std::array<bool, 3> enabled{}; // indexed by Alg

    bool isEnabled(Alg alg) const { return enabled[static_cast<size_t>(alg)]; }
    QStringList enabledNames() const {
        QStringList names;
        for (Alg alg : allAlgs) {
            if (isEnabled(alg))
                names << algName(alg);
        }
        return names;
    }
};

struct JwtVerifier::Private {
    JwtConfig config;
    std::array<bool, 3> allowed{}; // by the configuration's algorithm list
    mutable QMutex mutex;
    std::shared_ptr<const KeySet> keys; // guarded by mutex; the KeySet itself is immutable

    std::shared_ptr<const KeySet> currentKeys() const {
        QMutexLocker lock(&mutex);
        return keys;
    }

    std::shared_ptr<const KeySet> loadKeys(QString* error) const {
        auto set = std::make_shared<KeySet>();
        set->hsSecret = config.hsSecret.toUtf8();
        for (qsizetype i = 0; i < config.publicKeyPems.size(); ++i) {
            if (!loadPemEntry(config.publicKeyPems.at(i), static_cast<int>(i), &set->keys, error))
                return nullptr;
        }
        if (!config.jwksPath.isEmpty()) {
            const size_t before = set->keys.size();
            if (!loadJwks(config.jwksPath, &set->keys, error))
                return nullptr;
            if (set->keys.size() == before) {
                setError(error, QStringLiteral("JWKS file %1: no usable RS256 or ES256 key").arg(config.jwksPath));
                return nullptr;
            }
        }
        bool haveRsa = false;
        bool haveEc = false;
        for (const PublicKey& key : set->keys) {
            (key.type == KeyType::Rsa ? haveRsa : haveEc) = true;
        }
        set->enabled[size_t(Alg::HS256)] = allowed[size_t(Alg::HS256)] && !set->hsSecret.isEmpty();
        set->enabled[size_t(Alg::RS256)] = allowed[size_t(Alg::RS256)] && haveRsa;
        set->enabled[size_t(Alg::ES256)] = allowed[size_t(Alg::ES256)] && haveEc;
        return set;
    }

    bool checkUsable(const KeySet& set, QString* error) const {
        if (!set.enabledNames().isEmpty())
            return true;
        setError(error, QStringLiteral("no JWT algorithm is usable: the configured keys do not match the allowed "
                                       "algorithms (%1)")
                            .arg(config.algorithms.isEmpty() ? QStringLiteral("HS256, RS256, ES256")
                                                             : config.algorithms.join(QStringLiteral(", "))));
        return false;
    }
};

JwtVerifier::JwtVerifier(std::unique_ptr<Private> priv)
    : d(std::move(priv)) {}
JwtVerifier::~JwtVerifier() = default;

std::unique_ptr<JwtVerifier> JwtVerifier::create(const JwtConfig& config, QString* error) {
    auto priv = std::make_unique<Private>();
    priv->config = config;
    if (config.leewaySeconds < 0) {
        setError(error, QStringLiteral("JWT leeway must not be negative"));
        return nullptr;
    }
    if (config.identityClaim.isEmpty()) {
        setError(error, QStringLiteral("JWT identity claim name is empty"));
        return nullptr;
    }
    if (config.algorithms.isEmpty()) {
        priv->allowed.fill(true);
    } else {
        for (const QString& name : config.algorithms) {
            if (name.compare(QLatin1StringView("none"), Qt::CaseInsensitive) == 0) {
                setError(error, QStringLiteral("algorithm none cannot be allowed"));
                return nullptr;
            }
            const auto alg = algFromName(name);
            if (!alg) {
                setError(
                    error,
                    QStringLiteral("unsupported JWT algorithm %1 (supported: HS256, RS256, ES256)").arg(quoted(name)));
                return nullptr;
            }
            priv->allowed[size_t(*alg)] = true;
        }
    }
    if (!config.hsSecret.isEmpty() && config.hsSecret.toUtf8().size() < minHmacSecretBytes) {
        setError(error,
                 QStringLiteral("the HS256 shared secret must be at least %1 bytes long").arg(minHmacSecretBytes));
        return nullptr;
    }
    if (config.hsSecret.isEmpty() && config.publicKeyPems.isEmpty() && config.jwksPath.isEmpty()) {
        setError(error, QStringLiteral("no JWT key configured (shared secret, public keys or JWKS file)"));
        return nullptr;
    }
    auto keys = priv->loadKeys(error);
    if (!keys)
        return nullptr;
    // An algorithm named explicitly must have a key now, unless a JWKS file may still bring one on reload.
    if (!config.algorithms.isEmpty()) {
        for (const QString& name : config.algorithms) {
            const Alg alg = *algFromName(name);
            if (keys->isEnabled(alg) || (alg != Alg::HS256 && !config.jwksPath.isEmpty()))
                continue;
            setError(error, alg == Alg::HS256
                                ? QStringLiteral("HS256 is allowed but no shared secret is configured")
                                : QStringLiteral("%1 is allowed but no %2 public key is configured")
                                      .arg(name, keyTypeName(alg == Alg::RS256 ? KeyType::Rsa : KeyType::Ec)));
            return nullptr;
        }
    }
    if (!priv->checkUsable(*keys, error))
        return nullptr;
    priv->keys = std::move(keys);
    return std::unique_ptr<JwtVerifier>(new JwtVerifier(std::move(priv)));
}

bool JwtVerifier::reloadKeys(QString* error) {
    auto keys = d->loadKeys(error);
    if (!keys || !d->checkUsable(*keys, error))
        return false;
    QMutexLocker lock(&d->mutex);
    d->keys = std::move(keys);
    return true;
}

QStringList JwtVerifier::acceptedAlgorithms() const {
    return d->currentKeys()->enabledNames();
}

int JwtVerifier::publicKeyCount() const {
    return static_cast<int>(d->currentKeys()->keys.size());
}

std::optional<JwtIdentity> JwtVerifier::verify(QByteArrayView token, qint64 nowMs, QString* error) const {
    auto fail = [error](const QString& message) -> std::optional<JwtIdentity> {
        setError(error, message);
        return std::nullopt;
    };
    if (token.isEmpty())
        return fail(QStringLiteral("token is empty"));
    if (token.size() > maxTokenBytes)
        return fail(QStringLiteral("token is too large (%1 bytes, limit %2)").arg(token.size()).arg(maxTokenBytes));

    // Structure: header.payload.signature, each strict base64url.
    const qsizetype dot1 = token.indexOf('.');
    const qsizetype dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    const qsizetype parts = 1 + token.count('.');
    if (parts == 5)
        return fail(QStringLiteral("token is malformed: encrypted tokens (JWE) are not supported"));
    if (parts != 3)
        return fail(QStringLiteral("token is malformed: expected 3 dot-separated parts, found %1").arg(parts));
    const QByteArrayView headerPart = token.first(dot1);
    const QByteArrayView payloadPart = token.sliced(dot1 + 1, dot2 - dot1 - 1);
    const QByteArrayView signaturePart = token.sliced(dot2 + 1);
    const auto headerBytes = decodeBase64Url(headerPart);
    if (!headerBytes || headerBytes->isEmpty())
        return fail(QStringLiteral("token is malformed: the header is not base64url"));
    const auto payloadBytes = decodeBase64Url(payloadPart);
    if (!payloadBytes || payloadBytes->isEmpty())
        return fail(QStringLiteral("token is malformed: the payload is not base64url"));
    if (!decodeBase64Url(signaturePart))
        return fail(QStringLiteral("token is malformed: the signature is not base64url"));

    QJsonParseError parseError;
    const QJsonDocument headerDoc = QJsonDocument::fromJson(*headerBytes, &parseError);
    if (parseError.error != QJsonParseError::NoError || !headerDoc.isObject())
        return fail(QStringLiteral("token is malformed: the header is not a JSON object"));
    const QJsonObject header = headerDoc.object();

    // Algorithm policy, decided here and never by the token alone.
    const QJsonValue algValue = header.value(QLatin1StringView("alg"));
    if (!algValue.isString())
        return fail(QStringLiteral("token header has no \"alg\""));
    const QString algText = algValue.toString();
    if (algText.compare(QLatin1StringView("none"), Qt::CaseInsensitive) == 0)
        return fail(QStringLiteral("algorithm none is not accepted"));
    const auto keys = d->currentKeys();
    const auto alg = algFromName(algText);
    if (!alg || !keys->isEnabled(*alg)) {
        return fail(QStringLiteral("algorithm %1 is not accepted (accepted: %2)")
                        .arg(quoted(algText), keys->enabledNames().join(QStringLiteral(", "))));
    }
    if (header.contains(QLatin1StringView("crit")))
        return fail(QStringLiteral("token header has critical extensions (\"crit\"), which are not supported"));
    if (signaturePart.isEmpty())
        return fail(QStringLiteral("signature does not verify (the token has no signature)"));

    // Candidate keys: the shared secret for HS256; public keys of the algorithm's type otherwise, chosen by kid
    // when the token names one.
    struct Candidate {
        QByteArrayView key;
    };
    std::vector<Candidate> candidates;
    QString kidNote;
    if (*alg == Alg::HS256) {
        candidates.push_back({keys->hsSecret});
    } else {
        const KeyType wanted = *alg == Alg::RS256 ? KeyType::Rsa : KeyType::Ec;
        const QJsonValue kidValue = header.value(QLatin1StringView("kid"));
        if (!kidValue.isUndefined() && !kidValue.isString())
            return fail(QStringLiteral("token header \"kid\" is not a string"));
        const QString kid = kidValue.toString();
        bool kidKnown = false;
        if (!kid.isEmpty()) {
            kidNote = QStringLiteral(" (kid %1)").arg(quoted(kid));
            for (const PublicKey& key : keys->keys) {
                if (key.kid != kid)
                    continue;
                kidKnown = true;
                if (key.type == wanted)
                    candidates.push_back({key.pem});
            }
            if (kidKnown && candidates.empty()) {
                return fail(QStringLiteral("kid %1 does not name an %2 key, as %3 requires")
                                .arg(quoted(kid), keyTypeName(wanted), algName(*alg)));
            }
        }
        if (!kidKnown) {
            // No kid, or one we do not know: keys without a kid (PEM keys) are tried; JWKS keys only without kid.
            for (const PublicKey& key : keys->keys) {
                if (key.type == wanted && (kid.isEmpty() || key.kid.isEmpty()))
                    candidates.push_back({key.pem});
            }
            if (candidates.empty() && !kid.isEmpty())
                return fail(QStringLiteral("unknown kid %1").arg(quoted(kid)));
        }
    }
    if (candidates.empty())
        return fail(QStringLiteral("no %1 key is configured").arg(algName(*alg)));

    // Signature, by libjwt. Each call decodes into its own jwt_t; no libjwt object is shared.
    const QByteArray tokenZ = token.toByteArray(); // NUL-terminated; the charset check excluded embedded NULs
    bool verified = false;
    for (const Candidate& candidate : candidates) {
        jwt_t* raw = nullptr;
        const int rc =
            jwt_decode(&raw, tokenZ.constData(), reinterpret_cast<const unsigned char*>(candidate.key.data()),
                       static_cast<int>(candidate.key.size()));
        JwtPtr jwt(raw);
        if (rc == 0 && jwt && jwt_get_alg(jwt.get()) == libjwtAlg(*alg)) {
            verified = true;
            break;
        }
        ERR_clear_error();
    }
    if (!verified)
        return fail(QStringLiteral("signature does not verify") + kidNote);

    // Claims (from the bytes whose signature was just verified).
    const QJsonDocument payloadDoc = QJsonDocument::fromJson(*payloadBytes, &parseError);
    if (parseError.error != QJsonParseError::NoError || !payloadDoc.isObject())
        return fail(QStringLiteral("token payload is not a JSON object"));
    const QJsonObject claims = payloadDoc.object();
    const double now = static_cast<double>(nowMs) / 1000.0;
    const double leeway = d->config.leewaySeconds;

    auto numericDate = [&claims](const char* name, double* value, QString* message) -> bool {
        const QJsonValue v = claims.value(QLatin1StringView(name));
        if (v.isUndefined())
            return false;
        if (!v.isDouble() || !std::isfinite(v.toDouble())) {
            *message = QStringLiteral("claim \"%1\" is not a number").arg(QLatin1StringView(name));
            return false;
        }
        *value = std::clamp(v.toDouble(), -maxNumericDate, maxNumericDate);
        return true;
    };
    QString message;
    double exp = 0;
    const bool hasExp = numericDate("exp", &exp, &message);
    if (!message.isEmpty())
        return fail(message);
    if (hasExp && now >= exp + leeway)
        return fail(QStringLiteral("token expired at %1").arg(formatTime(exp)));
    if (!hasExp && d->config.requireExp)
        return fail(QStringLiteral("token has no \"exp\" claim"));
    double nbf = 0;
    if (numericDate("nbf", &nbf, &message) && now + leeway < nbf)
        return fail(QStringLiteral("token is not valid before %1").arg(formatTime(nbf)));
    if (!message.isEmpty())
        return fail(message);
    double iat = 0;
    if (numericDate("iat", &iat, &message) && iat > now + leeway)
        return fail(QStringLiteral("token was issued in the future (iat %1)").arg(formatTime(iat)));
    if (!message.isEmpty())
        return fail(message);

    const QJsonValue issValue = claims.value(QLatin1StringView("iss"));
    if (!issValue.isUndefined() && !issValue.isString())
        return fail(QStringLiteral("claim \"iss\" is not a string"));
    if (!d->config.issuer.isEmpty()) {
        if (issValue.isUndefined())
            return fail(QStringLiteral("token has no \"iss\" claim"));
        if (issValue.toString() != d->config.issuer)
            return fail(QStringLiteral("issuer %1 not accepted").arg(quoted(issValue.toString())));
    }

    if (!d->config.audiences.isEmpty()) {
        const QJsonValue aud = claims.value(QLatin1StringView("aud"));
        QStringList tokenAudiences;
        if (aud.isUndefined())
            return fail(QStringLiteral("token has no \"aud\" claim"));
        if (aud.isString()) {
            tokenAudiences << aud.toString();
        } else if (aud.isArray()) {
            for (const QJsonValue& entry : aud.toArray()) {
                if (!entry.isString())
                    return fail(QStringLiteral("claim \"aud\" holds a value that is not a string"));
                tokenAudiences << entry.toString();
            }
        } else {
            return fail(QStringLiteral("claim \"aud\" is neither a string nor an array of strings"));
        }
        bool matched = false;
        for (const QString& audience : std::as_const(tokenAudiences)) {
            if (d->config.audiences.contains(audience)) {
                matched = true;
                break;
            }
        }
        if (!matched) {
            if (tokenAudiences.isEmpty())
                return fail(QStringLiteral("token has an empty \"aud\" claim"));
            QStringList shown;
            for (qsizetype i = 0; i < tokenAudiences.size() && i < 3; ++i)
                shown << quoted(tokenAudiences.at(i));
            if (tokenAudiences.size() > 3)
                shown << QStringLiteral("...");
            return fail(QStringLiteral("%1 %2 not accepted")
                            .arg(tokenAudiences.size() == 1 ? QStringLiteral("audience") : QStringLiteral("audiences"),
                                 shown.join(QStringLiteral(", "))));
        }
    }

    const QString& identityClaim = d->config.identityClaim;
    const QJsonValue identity = claims.value(identityClaim);
    if (identity.isUndefined())
        return fail(QStringLiteral("token has no %1 claim").arg(quoted(identityClaim)));
    if (!identity.isString() || identity.toString().isEmpty())
        return fail(QStringLiteral("claim %1 is not a non-empty string").arg(quoted(identityClaim)));

    JwtIdentity result;
    result.subject = identity.toString();
    result.issuer = issValue.toString();
    result.claims = claims.toVariantMap();
    result.expiresAtMs = hasExp ? static_cast<qint64>(exp * 1000.0) : 0;
    return result;
}

} // namespace gemgate
