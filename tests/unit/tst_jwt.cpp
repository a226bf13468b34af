// JwtVerifier: HS256/RS256/ES256 with a secret, PEM keys and a JWKS file; claim checks; alg none and algorithm
// confusion; malformed tokens; JWKS rotation; concurrent verification. Keys are generated here with OpenSSL and
// tokens signed with libjwt or, for hand-crafted and interoperability cases, with OpenSSL directly.

#include "auth/jwtverifier.h"

#include <QAtomicInt>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <memory>
#include <vector>

using namespace gemgate;

namespace {

constexpr qint64 nowMs = 1700000000000; // 2023-11-14T22:13:20Z
constexpr qint64 nowS = nowMs / 1000;
const QString hsSecret = QStringLiteral("0123456789abcdef0123456789abcdef-test-secret");

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

QByteArray b64(const QByteArray& data) {
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray json(const QJsonObject& object) {
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

PkeyPtr generateRsa(unsigned bits = 2048) {
    return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(bits)));
}
PkeyPtr generateEc(const char* curve = "P-256") {
    return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}

QByteArray bioContents(BIO* bio) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    QByteArray out(data, len);
    BIO_free(bio);
    return out;
}

QByteArray publicPem(EVP_PKEY* key) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key);
    return bioContents(bio);
}

QByteArray privatePem(EVP_PKEY* key) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    return bioContents(bio);
}

QByteArray bnParam(EVP_PKEY* key, const char* name) {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(key, name, &bn);
    QByteArray out(BN_num_bytes(bn), Qt::Uninitialized);
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(bn);
    return out;
}

QJsonObject rsaJwk(EVP_PKEY* key, const QString& kid) {
    QJsonObject jwk{{QStringLiteral("kty"), QStringLiteral("RSA")},
                    {QStringLiteral("use"), QStringLiteral("sig")},
                    {QStringLiteral("alg"), QStringLiteral("RS256")},
                    {QStringLiteral("n"), QString::fromLatin1(b64(bnParam(key, OSSL_PKEY_PARAM_RSA_N)))},
                    {QStringLiteral("e"), QString::fromLatin1(b64(bnParam(key, OSSL_PKEY_PARAM_RSA_E)))}};
    if (!kid.isEmpty())
        jwk.insert(QStringLiteral("kid"), kid);
    return jwk;
}

QJsonObject ecJwk(EVP_PKEY* key, const QString& kid) {
    unsigned char point[65];
    size_t len = 0;
    EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len);
    Q_ASSERT(len == 65 && point[0] == 4);
    const QByteArray x(reinterpret_cast<const char*>(point + 1), 32);
    const QByteArray y(reinterpret_cast<const char*>(point + 33), 32);
    QJsonObject jwk{{QStringLiteral("kty"), QStringLiteral("EC")},
                    {QStringLiteral("crv"), QStringLiteral("P-256")},
                    {QStringLiteral("x"), QString::fromLatin1(b64(x))},
                    {QStringLiteral("y"), QString::fromLatin1(b64(y))}};
    if (!kid.isEmpty())
        jwk.insert(QStringLiteral("kid"), kid);
    return jwk;
}

// Signs with libjwt. `key` is the HMAC secret or the private key PEM.
QByteArray libjwtSign(jwt_alg_t alg, const QByteArray& key, const QJsonObject& claims, const QString& kid = {}) {
    jwt_t* jwt = nullptr;
    if (jwt_new(&jwt) != 0)
        return {};
    jwt_add_grants_json(jwt, json(claims).constData());
    if (!kid.isEmpty())
        jwt_add_header(jwt, "kid", kid.toUtf8().constData());
    QByteArray token;
    if (jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(key.constData()), int(key.size())) == 0) {
        char* encoded = jwt_encode_str(jwt);
        if (encoded) {
            token = encoded;
            free(encoded);
        }
    }
    jwt_free(jwt);
    return token;
}

// Hand-made HS256 token (any header), HMAC by OpenSSL.
QByteArray hmacToken(const QByteArray& header, const QByteArray& payload, const QByteArray& key) {
    const QByteArray input = b64(header) + '.' + b64(payload);
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t macLen = 0;
    EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.constData(), size_t(key.size()),
              reinterpret_cast<const unsigned char*>(input.constData()), size_t(input.size()), mac, sizeof mac,
              &macLen);
    return input + '.' + b64(QByteArray(reinterpret_cast<const char*>(mac), qsizetype(macLen)));
}

// RS256 / ES256 token signed by OpenSSL directly (ES256 in the JWS raw r||s form), for interoperability.
QByteArray opensslToken(EVP_PKEY* key, const QByteArray& header, const QByteArray& payload) {
    const QByteArray input = b64(header) + '.' + b64(payload);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t sigLen = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
    EVP_DigestSign(ctx, nullptr, &sigLen, reinterpret_cast<const unsigned char*>(input.constData()),
                   size_t(input.size()));
    QByteArray sig(qsizetype(sigLen), Qt::Uninitialized);
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &sigLen,
                   reinterpret_cast<const unsigned char*>(input.constData()), size_t(input.size()));
    EVP_MD_CTX_free(ctx);
    sig.resize(qsizetype(sigLen));
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
        const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.constData());
        ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, long(sig.size()));
        QByteArray raw(64, '\0');
        BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), reinterpret_cast<unsigned char*>(raw.data()), 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
        ECDSA_SIG_free(ecdsa);
        sig = raw;
    }
    return input + '.' + b64(sig);
}

QJsonObject claims(const QString& sub = QStringLiteral("alice")) {
    return QJsonObject{{QStringLiteral("sub"), sub},
                       {QStringLiteral("iss"), QStringLiteral("https://idp.example")},
                       {QStringLiteral("aud"), QStringLiteral("gemgate")},
                       {QStringLiteral("iat"), double(nowS - 10)},
                       {QStringLiteral("exp"), double(nowS + 3600)}};
}

QJsonObject with(QJsonObject object, const QString& key, const QJsonValue& value) {
    if (value.isUndefined())
        object.remove(key);
    else
        object.insert(key, value);
    return object;
}

} // namespace

class TestJwt : public QObject {
    Q_OBJECT

private:
    PkeyPtr rsa1, rsa2, ec1, ec2;
    QByteArray rsa1Pem, rsa2Pem, ec1Pem, ec2Pem; // public
    QByteArray rsa1Priv, rsa2Priv, ec1Priv, ec2Priv;
    QTemporaryDir dir;

    JwtConfig baseConfig() const {
        JwtConfig config;
        config.hsSecret = hsSecret;
        config.publicKeyPems = {QString::fromLatin1(rsa1Pem), QString::fromLatin1(ec1Pem)};
        config.issuer = QStringLiteral("https://idp.example");
        config.audiences = {QStringLiteral("gemgate")};
        return config;
    }

    std::unique_ptr<JwtVerifier> make(const JwtConfig& config) {
        QString error;
        auto verifier = JwtVerifier::create(config, &error);
        if (!verifier)
            qWarning("create failed: %s", qPrintable(error));
        return verifier;
    }

    QString writeJwks(const QString& name, const QJsonArray& keys) {
        const QString path = dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        file.write(json(QJsonObject{{QStringLiteral("keys"), keys}}));
        return path;
    }

    // Verification must fail with a message containing `expected`, and the message must not leak the token.
    bool expectFailure(const JwtVerifier& verifier, const QByteArray& token, const QString& expected,
                       qint64 at = nowMs) {
        QString error;
        const auto identity = verifier.verify(token, at, &error);
        if (identity) {
            qWarning("unexpectedly verified; expected failure \"%s\"", qPrintable(expected));
            return false;
        }
        if (!error.contains(expected)) {
            qWarning("error \"%s\" does not contain \"%s\"", qPrintable(error), qPrintable(expected));
            return false;
        }
        const QList<QByteArray> parts = token.split('.');
        for (const QByteArray& part : parts) {
            if (part.size() >= 8 && error.contains(QString::fromLatin1(part))) {
                qWarning("error \"%s\" contains a part of the token", qPrintable(error));
                return false;
            }
        }
        if (error.contains(hsSecret)) {
            qWarning("error contains the secret");
            return false;
        }
        return true;
    }

    bool expectSubject(const JwtVerifier& verifier, const QByteArray& token, const QString& subject,
                       qint64 at = nowMs) {
        QString error;
        const auto identity = verifier.verify(token, at, &error);
        if (!identity) {
            qWarning("verification failed: %s", qPrintable(error));
            return false;
        }
        if (identity->subject != subject) {
            qWarning("subject %s, expected %s", qPrintable(identity->subject), qPrintable(subject));
            return false;
        }
        return true;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir.isValid());
        rsa1 = generateRsa();
        rsa2 = generateRsa();
        ec1 = generateEc();
        ec2 = generateEc();
        QVERIFY(rsa1 && rsa2 && ec1 && ec2);
        rsa1Pem = publicPem(rsa1.get());
        rsa2Pem = publicPem(rsa2.get());
        ec1Pem = publicPem(ec1.get());
        ec2Pem = publicPem(ec2.get());
        rsa1Priv = privatePem(rsa1.get());
        rsa2Priv = privatePem(rsa2.get());
        ec1Priv = privatePem(ec1.get());
        ec2Priv = privatePem(ec2.get());
        QVERIFY(rsa1Pem.startsWith("-----BEGIN PUBLIC KEY-----"));
        QVERIFY(ec1Priv.contains("PRIVATE KEY"));
    }

    void validTokens() {
        auto verifier = make(baseConfig());
        QVERIFY(verifier);
        QCOMPARE(verifier->acceptedAlgorithms(),
                 (QStringList{QStringLiteral("HS256"), QStringLiteral("RS256"), QStringLiteral("ES256")}));
        QVERIFY(
            expectSubject(*verifier, libjwtSign(JWT_ALG_HS256, hsSecret.toUtf8(), claims()), QStringLiteral("alice")));
        QVERIFY(expectSubject(*verifier, libjwtSign(JWT_ALG_RS256, rsa1Priv, claims(QStringLiteral("bob"))),
                              QStringLiteral("bob")));
        QVERIFY(expectSubject(*verifier, libjwtSign(JWT_ALG_ES256, ec1Priv, claims(QStringLiteral("carol"))),
                              QStringLiteral("carol")));
        // Signed by OpenSSL directly (standard JWS encoding; ES256 signature as raw r||s).
        const QByteArray rsHeader = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        const QByteArray esHeader = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}";
        QVERIFY(expectSubject(*verifier, opensslToken(rsa1.get(), rsHeader, json(claims(QStringLiteral("dave")))),
                              QStringLiteral("dave")));
        for (int i = 0; i < 20; ++i) { // r or s with leading zero bytes show up now and then
            QVERIFY(expectSubject(*verifier, opensslToken(ec1.get(), esHeader, json(claims(QStringLiteral("erin")))),
                                  QStringLiteral("erin")));
        }
    }

    void identityContents() {
        auto verifier = make(baseConfig());
        QVERIFY(verifier);
        const QJsonObject c = with(claims(), QStringLiteral("tier"), QStringLiteral("gold"));
        QString error;
        const auto identity = verifier->verify(libjwtSign(JWT_ALG_HS256, hsSecret.toUtf8(), c), nowMs, &error);
        QVERIFY2(identity, qPrintable(error));
        QCOMPARE(identity->subject, QStringLiteral("alice"));
        QCOMPARE(identity->issuer, QStringLiteral("https://idp.example"));
        QCOMPARE(identity->expiresAtMs, (nowS + 3600) * 1000);
        QCOMPARE(identity->claims.value(QStringLiteral("tier")).toString(), QStringLiteral("gold"));
        QCOMPARE(identity->claims.value(QStringLiteral("aud")).toString(), QStringLiteral("gemgate"));
    }

    void expiry() {
        auto verifier = make(baseConfig());
        QVERIFY(verifier);
        const QByteArray key = hsSecret.toUtf8();
        const QByteArray expired =
            libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("exp"), double(nowS - 61)));
        QVERIFY(expectFailure(*verifier, expired, QStringLiteral("token expired at 2023-11-14T22:12:19Z")));
        // Within the 60 s leeway.
        QVERIFY(expectSubject(*verifier,
                              libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("exp"), double(nowS - 59))),
                              QStringLiteral("alice")));
        // exp exactly now + leeway is expired already; one second earlier is not.
        const QByteArray edge = libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("exp"), double(nowS)));
        QVERIFY(expectSubject(*verifier, edge, QStringLiteral("alice"), nowMs + 59999));
        QVERIFY(expectFailure(*verifier, edge, QStringLiteral("token expired at"), nowMs + 60000));
        // Missing exp: refused unless requireExp is off.
        const QByteArray noExp =
            libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("exp"), QJsonValue::Undefined));
        QVERIFY(expectFailure(*verifier, noExp, QStringLiteral("token has no \"exp\" claim")));
        JwtConfig lax = baseConfig();
        lax.requireExp = false;
        auto laxVerifier = make(lax);
        QVERIFY(laxVerifier);
        QString error;
        const auto identity = laxVerifier->verify(noExp, nowMs, &error);
        QVERIFY2(identity, qPrintable(error));
        QCOMPARE(identity->expiresAtMs, 0);
        // exp that is not a number.
        QVERIFY(expectFailure(
            *verifier,
            libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("exp"), QStringLiteral("tomorrow"))),
            QStringLiteral("claim \"exp\" is not a number")));
        // A zero leeway is exact.
        JwtConfig strict = baseConfig();
        strict.leewaySeconds = 0;
        auto strictVerifier = make(strict);
        QVERIFY(strictVerifier);
        QVERIFY(expectFailure(*strictVerifier,
                              libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("exp"), double(nowS))),
                              QStringLiteral("token expired at 2023-11-14T22:13:20Z")));
    }

    void notYetValid() {
        auto verifier = make(baseConfig());
        QVERIFY(verifier);
        const QByteArray key = hsSecret.toUtf8();
        QVERIFY(expectFailure(*verifier,
                              libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("nbf"), double(nowS + 120))),
                              QStringLiteral("token is not valid before 2023-11-14T22:15:20Z")));
        QVERIFY(expectSubject(*verifier,
                              libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("nbf"), double(nowS + 30))),
                              QStringLiteral("alice")));
    }

    void issuedInTheFuture() {
        auto verifier = make(baseConfig());
        QVERIFY(verifier);
        const QByteArray key = hsSecret.toUtf8();
        QVERIFY(expectFailure(*verifier,
                              libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("iat"), double(nowS + 120))),
                              QStringLiteral("token was issued in the future")));
        QVERIFY(expectSubject(*verifier,
                              libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("iat"), double(nowS + 30))),
                              QStringLiteral("alice")));
    }

    void audience() {
        auto verifier = make(baseConfig());
        QVERIFY(verifier);
        const QByteArray key = hsSecret.toUtf8();
        auto token = [&](const QJsonValue& aud) {
            return libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("aud"), aud));
        };
        QVERIFY(expectFailure(*verifier, token(QStringLiteral("other")),
                              QStringLiteral("audience \"other\" not accepted")));
        QVERIFY(expectSubject(*verifier, token(QJsonArray{QStringLiteral("x"), QStringLiteral("gemgate")}),
                              QStringLiteral("alice")));
        QVERIFY(expectFailure(*verifier, token(QJsonArray{QStringLiteral("x"), QStringLiteral("y")}),
                              QStringLiteral("audiences \"x\", \"y\" not accepted")));
        QVERIFY(expectFailure(*verifier, token(QJsonValue::Undefined), QStringLiteral("token has no \"aud\" claim")));
        QVERIFY(expectFailure(*verifier, token(QJsonArray{}), QStringLiteral("empty \"aud\"")));
        QVERIFY(expectFailure(*verifier, token(42), QStringLiteral("neither a string nor an array")));
        // Without configured audiences, aud is not checked.
        JwtConfig noAud = baseConfig();
        noAud.audiences.clear();
        auto open = make(noAud);
        QVERIFY(open);
        QVERIFY(expectSubject(*open, token(QStringLiteral("other")), QStringLiteral("alice")));
        // Several accepted audiences.
        JwtConfig two = baseConfig();
        two.audiences = {QStringLiteral("a"), QStringLiteral("other")};
        auto twoVerifier = make(two);
        QVERIFY(twoVerifier);
        QVERIFY(expectSubject(*twoVerifier, token(QStringLiteral("other")), QStringLiteral("alice")));
    }

    void issuer() {
        auto verifier = make(baseConfig());
        QVERIFY(verifier);
        const QByteArray key = hsSecret.toUtf8();
        QVERIFY(expectFailure(*verifier,
                              libjwtSign(JWT_ALG_HS256, key,
                                         with(claims(), QStringLiteral("iss"), QStringLiteral("https://evil.example"))),
                              QStringLiteral("issuer \"https://evil.example\" not accepted")));
        QVERIFY(expectFailure(
            *verifier, libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("iss"), QJsonValue::Undefined)),
            QStringLiteral("token has no \"iss\" claim")));
    }

    void wrongKey() {
        auto verifier = make(baseConfig());
        QVERIFY(verifier);
        QVERIFY(expectFailure(*verifier, libjwtSign(JWT_ALG_RS256, rsa2Priv, claims()),
                              QStringLiteral("signature does not verify")));
        QVERIFY(expectFailure(*verifier, libjwtSign(JWT_ALG_ES256, ec2Priv, claims()),
                              QStringLiteral("signature does not verify")));
        QVERIFY(expectFailure(*verifier,
                              libjwtSign(JWT_ALG_HS256, QByteArray("another-secret-another-secret-0123456"), claims()),
                              QStringLiteral("signature does not verify")));
        // An RS256 token signed with an EC key's private key, and vice versa.
        QVERIFY(expectFailure(*verifier, opensslToken(ec1.get(), "{\"alg\":\"RS256\"}", json(claims())),
                              QStringLiteral("signature does not verify")));
        QVERIFY(expectFailure(*verifier, opensslToken(rsa1.get(), "{\"alg\":\"ES256\"}", json(claims())),
                              QStringLiteral("signature does not verify")));
    }

    void algNone() {
        auto verifier = make(baseConfig());
        QVERIFY(verifier);
        const QByteArray payload = b64(json(claims()));
        for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
            const QByteArray header = b64(QByteArray("{\"alg\":\"") + alg + "\",\"typ\":\"JWT\"}");
            QVERIFY(expectFailure(*verifier, header + '.' + payload + '.',
                                  QStringLiteral("algorithm none is not accepted")));
            // ... also with some signature appended.
            QVERIFY(expectFailure(*verifier, header + '.' + payload + ".AAAA",
                                  QStringLiteral("algorithm none is not accepted")));
        }
        // No alg at all, and algorithms we do not support.
        QVERIFY(
            expectFailure(*verifier, b64("{\"typ\":\"JWT\"}") + '.' + payload + ".AAAA", QStringLiteral("no \"alg\"")));
        QVERIFY(expectFailure(*verifier, libjwtSign(JWT_ALG_HS512, hsSecret.toUtf8(), claims()),
                              QStringLiteral("algorithm \"HS512\" is not accepted (accepted: HS256, RS256, ES256)")));
        // An HS256 token with an empty signature.
        QVERIFY(expectFailure(*verifier, b64("{\"alg\":\"HS256\"}") + '.' + payload + '.',
                              QStringLiteral("signature does not verify")));
        // "none" can never be configured.
        JwtConfig config = baseConfig();
        config.algorithms = {QStringLiteral("none")};
        QString error;
        QVERIFY(!JwtVerifier::create(config, &error));
        QVERIFY2(error.contains(QStringLiteral("none")), qPrintable(error));
    }

    void algorithmConfusion() {
        // Only an RSA public key: an HS256 token whose HMAC key is that public key's PEM is refused outright.
        JwtConfig rsaOnly;
        rsaOnly.publicKeyPems = {QString::fromLatin1(rsa1Pem)};
        auto verifier = make(rsaOnly);
        QVERIFY(verifier);
        QCOMPARE(verifier->acceptedAlgorithms(), QStringList{QStringLiteral("RS256")});
        const QByteArray confused = libjwtSign(JWT_ALG_HS256, rsa1Pem, claims());
        QVERIFY(!confused.isEmpty());
        QVERIFY(expectFailure(*verifier, confused,
                              QStringLiteral("algorithm \"HS256\" is not accepted (accepted: RS256)")));
        // With a shared secret configured too, HS256 is enabled but only ever checked against the secret.
        auto both = make(baseConfig());
        QVERIFY(both);
        QVERIFY(expectFailure(*both, confused, QStringLiteral("signature does not verify")));
        QVERIFY(expectFailure(*both, libjwtSign(JWT_ALG_HS256, ec1Pem, claims()),
                              QStringLiteral("signature does not verify")));
        QVERIFY(expectFailure(*both, hmacToken("{\"alg\":\"HS256\",\"kid\":\"r1\"}", json(claims()), rsa1Pem),
                              QStringLiteral("signature does not verify")));
        // The same through a JWKS file (the key's PEM form is what an attacker would try as HMAC key).
        JwtConfig jwks;
        jwks.jwksPath =
            writeJwks(QStringLiteral("confusion.json"), QJsonArray{rsaJwk(rsa1.get(), QStringLiteral("r1"))});
        auto jwksVerifier = make(jwks);
        QVERIFY(jwksVerifier);
        QVERIFY(expectFailure(*jwksVerifier, hmacToken("{\"alg\":\"HS256\",\"kid\":\"r1\"}", json(claims()), rsa1Pem),
                              QStringLiteral("algorithm \"HS256\" is not accepted")));
        // Parser differential: two "alg" members, HMAC-signed with the RSA public key PEM. Whichever member our
        // header check sees, libjwt must not get to verify it as HS256 with the RSA key.
        for (const QByteArray& header : {QByteArray("{\"alg\":\"RS256\",\"alg\":\"HS256\"}"),
                                         QByteArray("{\"alg\":\"HS256\",\"alg\":\"RS256\"}")}) {
            QString error;
            QVERIFY(!both->verify(hmacToken(header, json(claims()), rsa1Pem), nowMs, &error));
            QVERIFY(!jwksVerifier->verify(hmacToken(header, json(claims()), rsa1Pem), nowMs, &error));
        }
        // ES256 token naming an RSA key's kid.
        JwtConfig mixed;
        mixed.jwksPath = writeJwks(QStringLiteral("mixed.json"), QJsonArray{rsaJwk(rsa1.get(), QStringLiteral("r1")),
                                                                            ecJwk(ec1.get(), QStringLiteral("e1"))});
        auto mixedVerifier = make(mixed);
        QVERIFY(mixedVerifier);
        QVERIFY(expectFailure(*mixedVerifier, libjwtSign(JWT_ALG_ES256, ec1Priv, claims(), QStringLiteral("r1")),
                              QStringLiteral("kid \"r1\" does not name an EC P-256 key")));
        // Restricting the algorithms disables the others even with keys present.
        JwtConfig restricted = baseConfig();
        restricted.algorithms = {QStringLiteral("RS256")};
        auto restrictedVerifier = make(restricted);
        QVERIFY(restrictedVerifier);
        QVERIFY(expectFailure(*restrictedVerifier, libjwtSign(JWT_ALG_HS256, hsSecret.toUtf8(), claims()),
                              QStringLiteral("algorithm \"HS256\" is not accepted (accepted: RS256)")));
        QVERIFY(
            expectSubject(*restrictedVerifier, libjwtSign(JWT_ALG_RS256, rsa1Priv, claims()), QStringLiteral("alice")));
    }

    void tampered() {
        auto verifier = make(baseConfig());
        QVERIFY(verifier);
        for (const QByteArray& token :
             {libjwtSign(JWT_ALG_HS256, hsSecret.toUtf8(), claims()), libjwtSign(JWT_ALG_RS256, rsa1Priv, claims()),
              libjwtSign(JWT_ALG_ES256, ec1Priv, claims())}) {
            QList<QByteArray> parts = token.split('.');
            QCOMPARE(parts.size(), 3);
            parts[1] = b64(json(claims(QStringLiteral("admin"))));
            QVERIFY(expectFailure(*verifier, parts.join('.'), QStringLiteral("signature does not verify")));
            // A flipped signature character.
            QByteArray flipped = token;
            flipped[flipped.size() - 2] = flipped.at(flipped.size() - 2) == 'A' ? 'B' : 'A';
            QVERIFY(expectFailure(*verifier, flipped, QStringLiteral("signature does not verify")));
            // A header that differs from the signed one (alg kept).
            QList<QByteArray> p2 = token.split('.');
            const QJsonObject header =
                QJsonDocument::fromJson(QByteArray::fromBase64(p2[0], QByteArray::Base64UrlEncoding)).object();
            p2[0] = b64(json(with(header, QStringLiteral("x"), 1)));
            QVERIFY(expectFailure(*verifier, p2.join('.'), QStringLiteral("signature does not verify")));
        }
    }

    void malformed() {
        auto verifier = make(baseConfig());
        QVERIFY(verifier);
        const QByteArray good = libjwtSign(JWT_ALG_HS256, hsSecret.toUtf8(), claims());
        const QList<QByteArray> parts = good.split('.');
        QVERIFY(expectFailure(*verifier, QByteArray(), QStringLiteral("token is empty")));
        QVERIFY(expectFailure(*verifier, parts[0] + '.' + parts[1],
                              QStringLiteral("expected 3 dot-separated parts, found 2")));
        QVERIFY(expectFailure(*verifier, good + ".x", QStringLiteral("found 4")));
        QVERIFY(expectFailure(*verifier, good + ".x.y", QStringLiteral("JWE")));
        QVERIFY(expectFailure(*verifier, "abc", QStringLiteral("found 1")));
        QVERIFY(expectFailure(*verifier, "..", QStringLiteral("header is not base64url")));
        QVERIFY(expectFailure(*verifier, parts[0] + ".!!!!." + parts[2], QStringLiteral("payload is not base64url")));
        QVERIFY(expectFailure(*verifier, parts[0] + '.' + parts[1] + "=." + parts[2],
                              QStringLiteral("payload is not base64url")));
        QVERIFY(expectFailure(*verifier, parts[0] + '.' + parts[1] + '.' + parts[2] + '=',
                              QStringLiteral("signature is not base64url")));
        QVERIFY(expectFailure(*verifier, parts[0] + '.' + parts[1] + ".a+b/",
                              QStringLiteral("signature is not base64url")));
        QVERIFY(expectFailure(*verifier, "A." + parts[1] + '.' + parts[2], QStringLiteral("header is not base64url")));
        QVERIFY(expectFailure(*verifier, b64("not json") + '.' + parts[1] + '.' + parts[2],
                              QStringLiteral("header is not a JSON object")));
        QVERIFY(expectFailure(*verifier, b64("[1,2]") + '.' + parts[1] + '.' + parts[2],
                              QStringLiteral("header is not a JSON object")));
        QVERIFY(
            expectFailure(*verifier, QByteArray("eyJhbGciOiJIUzI1NiJ9\0.x.y", 25), QStringLiteral("not base64url")));
        QVERIFY(expectFailure(*verifier, " " + good, QStringLiteral("header is not base64url")));
        // Huge: refused by size before any parsing.
        const QByteArray huge = parts[0] + '.' + QByteArray(JwtVerifier::maxTokenBytes, 'A') + '.' + parts[2];
        QVERIFY(expectFailure(*verifier, huge, QStringLiteral("token is too large")));
        // A correctly signed payload that is not an object.
        QVERIFY(expectFailure(*verifier, hmacToken("{\"alg\":\"HS256\"}", "[1]", hsSecret.toUtf8()),
                              QStringLiteral("payload is not a JSON object")));
        // Critical header extensions are not understood.
        QVERIFY(expectFailure(
            *verifier, hmacToken("{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}", json(claims()), hsSecret.toUtf8()),
            QStringLiteral("crit")));
        // Control: the hand-made HS256 token verifies.
        QVERIFY(expectSubject(*verifier, hmacToken("{\"alg\":\"HS256\"}", json(claims()), hsSecret.toUtf8()),
                              QStringLiteral("alice")));
    }

    void identityClaim() {
        auto verifier = make(baseConfig());
        QVERIFY(verifier);
        const QByteArray key = hsSecret.toUtf8();
        QVERIFY(expectFailure(
            *verifier, libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("sub"), QJsonValue::Undefined)),
            QStringLiteral("token has no \"sub\" claim")));
        QVERIFY(expectFailure(*verifier, libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("sub"), 12345)),
                              QStringLiteral("claim \"sub\" is not a non-empty string")));
        QVERIFY(expectFailure(*verifier,
                              libjwtSign(JWT_ALG_HS256, key, with(claims(), QStringLiteral("sub"), QString())),
                              QStringLiteral("claim \"sub\" is not a non-empty string")));
        JwtConfig custom = baseConfig();
        custom.identityClaim = QStringLiteral("email");
        auto emailVerifier = make(custom);
        QVERIFY(emailVerifier);
        const QJsonObject c = with(claims(), QStringLiteral("email"), QStringLiteral("alice@example.org"));
        QVERIFY(expectSubject(*emailVerifier, libjwtSign(JWT_ALG_HS256, key, c), QStringLiteral("alice@example.org")));
        QVERIFY(expectFailure(*emailVerifier, libjwtSign(JWT_ALG_HS256, key, claims()),
                              QStringLiteral("token has no \"email\" claim")));
    }

    void pemFromFile() {
        const QString path = dir.filePath(QStringLiteral("ec.pem"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(ec2Pem + rsa2Pem); // two blocks in one file
        file.close();
        JwtConfig config;
        config.publicKeyPems = {path};
        auto verifier = make(config);
        QVERIFY(verifier);
        QCOMPARE(verifier->publicKeyCount(), 2);
        QVERIFY(expectSubject(*verifier, libjwtSign(JWT_ALG_ES256, ec2Priv, claims()), QStringLiteral("alice")));
        QVERIFY(expectSubject(*verifier, libjwtSign(JWT_ALG_RS256, rsa2Priv, claims()), QStringLiteral("alice")));
        // A PEM key is tried for a token whose kid is unknown (PEM keys have no kid).
        QVERIFY(expectSubject(*verifier, libjwtSign(JWT_ALG_RS256, rsa2Priv, claims(), QStringLiteral("whatever")),
                              QStringLiteral("alice")));
    }

    void configErrors() {
        auto createError = [](const JwtConfig& config) {
            QString error;
            auto verifier = JwtVerifier::create(config, &error);
            return verifier ? QStringLiteral("<created>") : error;
        };
        JwtConfig empty;
        QVERIFY(createError(empty).contains(QStringLiteral("no JWT key configured")));
        JwtConfig shortSecret;
        shortSecret.hsSecret = QStringLiteral("short");
        QVERIFY(createError(shortSecret).contains(QStringLiteral("at least 32 bytes")));
        QVERIFY(!createError(shortSecret).contains(QStringLiteral("short\"")));
        JwtConfig unknownAlg = baseConfig();
        unknownAlg.algorithms = {QStringLiteral("HS256"), QStringLiteral("PS256")};
        QVERIFY(createError(unknownAlg).contains(QStringLiteral("unsupported JWT algorithm \"PS256\"")));
        JwtConfig noSecret;
        noSecret.publicKeyPems = {QString::fromLatin1(rsa1Pem)};
        noSecret.algorithms = {QStringLiteral("HS256"), QStringLiteral("RS256")};
        QVERIFY(createError(noSecret).contains(QStringLiteral("HS256 is allowed but no shared secret")));
        noSecret.algorithms = {QStringLiteral("ES256")};
        QVERIFY(createError(noSecret).contains(QStringLiteral("ES256 is allowed but no EC P-256 public key")));
        JwtConfig privateKey;
        privateKey.publicKeyPems = {QString::fromLatin1(rsa1Priv)};
        QVERIFY(createError(privateKey).contains(QStringLiteral("holds a private key")));
        JwtConfig garbage;
        garbage.publicKeyPems = {QStringLiteral("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")};
        QVERIFY(createError(garbage).contains(QStringLiteral("cannot parse")));
        JwtConfig missingFile;
        missingFile.publicKeyPems = {dir.filePath(QStringLiteral("nope.pem"))};
        QVERIFY(createError(missingFile).contains(QStringLiteral("cannot read")));
        PkeyPtr small = generateRsa(1024);
        JwtConfig weak;
        weak.publicKeyPems = {QString::fromLatin1(publicPem(small.get()))};
        QVERIFY(createError(weak).contains(QStringLiteral("1024 bits")));
        PkeyPtr p384 = generateEc("P-384");
        JwtConfig otherCurve;
        otherCurve.publicKeyPems = {QString::fromLatin1(publicPem(p384.get()))};
        QVERIFY(createError(otherCurve).contains(QStringLiteral("only P-256")));
        JwtConfig badJwks;
        badJwks.jwksPath = dir.filePath(QStringLiteral("bad.json"));
        QFile file(badJwks.jwksPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"keys\": [");
        file.close();
        QVERIFY(createError(badJwks).contains(QStringLiteral("invalid JSON")));
        JwtConfig uselessJwks;
        uselessJwks.jwksPath = writeJwks(QStringLiteral("useless.json"),
                                         QJsonArray{QJsonObject{{QStringLiteral("kty"), QStringLiteral("oct")},
                                                                {QStringLiteral("k"), QStringLiteral("c2VjcmV0")}}});
        QVERIFY(createError(uselessJwks).contains(QStringLiteral("no usable RS256 or ES256 key")));
        QJsonObject badPoint = ecJwk(ec1.get(), QStringLiteral("bad"));
        badPoint.insert(QStringLiteral("y"), QString::fromLatin1(b64(QByteArray(32, '\x01'))));
        JwtConfig offCurve;
        offCurve.jwksPath = writeJwks(QStringLiteral("offcurve.json"), QJsonArray{badPoint});
        QVERIFY(createError(offCurve).contains(QStringLiteral("not a valid P-256 public key")));
        JwtConfig negative = baseConfig();
        negative.leewaySeconds = -1;
        QVERIFY(createError(negative).contains(QStringLiteral("leeway")));
    }

    void jwksAndRotation() {
        const QString path = writeJwks(
            QStringLiteral("jwks.json"),
            QJsonArray{rsaJwk(rsa1.get(), QStringLiteral("r1")), ecJwk(ec1.get(), QStringLiteral("e1")),
                       // skipped: an encryption key and an unsupported type
                       with(rsaJwk(rsa2.get(), QStringLiteral("enc")), QStringLiteral("use"), QStringLiteral("enc")),
                       QJsonObject{{QStringLiteral("kty"), QStringLiteral("OKP")}}});
        JwtConfig config;
        config.jwksPath = path;
        config.audiences = {QStringLiteral("gemgate")};
        auto verifier = make(config);
        QVERIFY(verifier);
        QCOMPARE(verifier->publicKeyCount(), 2);
        QCOMPARE(verifier->acceptedAlgorithms(), (QStringList{QStringLiteral("RS256"), QStringLiteral("ES256")}));

        const QByteArray r1 = libjwtSign(JWT_ALG_RS256, rsa1Priv, claims(), QStringLiteral("r1"));
        const QByteArray e1 = libjwtSign(JWT_ALG_ES256, ec1Priv, claims(), QStringLiteral("e1"));
        const QByteArray r2 = libjwtSign(JWT_ALG_RS256, rsa2Priv, claims(), QStringLiteral("r2"));
        QVERIFY(expectSubject(*verifier, r1, QStringLiteral("alice")));
        QVERIFY(expectSubject(*verifier, e1, QStringLiteral("alice")));
        // No kid: every key of the right type is tried.
        QVERIFY(expectSubject(*verifier, libjwtSign(JWT_ALG_RS256, rsa1Priv, claims()), QStringLiteral("alice")));
        QVERIFY(expectSubject(*verifier, libjwtSign(JWT_ALG_ES256, ec1Priv, claims()), QStringLiteral("alice")));
        // A known kid with another key's signature.
        QVERIFY(expectFailure(*verifier, libjwtSign(JWT_ALG_RS256, rsa2Priv, claims(), QStringLiteral("r1")),
                              QStringLiteral("signature does not verify (kid \"r1\")")));
        QVERIFY(expectFailure(*verifier, r2, QStringLiteral("unknown kid \"r2\"")));
        // The skipped encryption key does not verify anything.
        QVERIFY(expectFailure(*verifier, libjwtSign(JWT_ALG_RS256, rsa2Priv, claims(), QStringLiteral("enc")),
                              QStringLiteral("unknown kid \"enc\"")));

        // Rotation: r1 is replaced by r2. Until reloadKeys() the old set stays in force.
        QCOMPARE(writeJwks(QStringLiteral("jwks.json"), QJsonArray{rsaJwk(rsa2.get(), QStringLiteral("r2")),
                                                                   ecJwk(ec1.get(), QStringLiteral("e1"))}),
                 path);
        QVERIFY(expectFailure(*verifier, r2, QStringLiteral("unknown kid \"r2\"")));
        QString error;
        QVERIFY2(verifier->reloadKeys(&error), qPrintable(error));
        QVERIFY(expectSubject(*verifier, r2, QStringLiteral("alice")));
        QVERIFY(expectSubject(*verifier, e1, QStringLiteral("alice")));
        QVERIFY(expectFailure(*verifier, r1, QStringLiteral("unknown kid \"r1\"")));
        QVERIFY(expectFailure(*verifier, libjwtSign(JWT_ALG_RS256, rsa1Priv, claims()),
                              QStringLiteral("signature does not verify")));

        // A broken file on reload: false, and the previous keys stay in use.
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("{\"keys\": 5}");
        file.close();
        QVERIFY(!verifier->reloadKeys(&error));
        QVERIFY2(error.contains(QStringLiteral("\"keys\" array")), qPrintable(error));
        QVERIFY(expectSubject(*verifier, r2, QStringLiteral("alice")));
        // Removing the file: same.
        QVERIFY(QFile::remove(path));
        QVERIFY(!verifier->reloadKeys(&error));
        QVERIFY2(error.contains(QStringLiteral("cannot read")), qPrintable(error));
        QVERIFY(expectSubject(*verifier, e1, QStringLiteral("alice")));

        // Only EC keys after a rotation: RS256 is no longer accepted.
        writeJwks(QStringLiteral("jwks.json"), QJsonArray{ecJwk(ec2.get(), QStringLiteral("e2"))});
        QVERIFY2(verifier->reloadKeys(&error), qPrintable(error));
        QCOMPARE(verifier->acceptedAlgorithms(), QStringList{QStringLiteral("ES256")});
        QVERIFY(expectFailure(*verifier, r2, QStringLiteral("algorithm \"RS256\" is not accepted (accepted: ES256)")));
        QVERIFY(expectSubject(*verifier, libjwtSign(JWT_ALG_ES256, ec2Priv, claims(), QStringLiteral("e2")),
                              QStringLiteral("alice")));
    }

    void concurrency() {
        const QString path =
            writeJwks(QStringLiteral("concurrent.json"),
                      QJsonArray{rsaJwk(rsa1.get(), QStringLiteral("r1")), ecJwk(ec1.get(), QStringLiteral("e1"))});
        JwtConfig config = baseConfig();
        config.jwksPath = path;
        auto verifier = make(config);
        QVERIFY(verifier);
        struct Case {
            QByteArray token;
            QString subject; // empty: must fail
        };
        std::vector<Case> cases;
        for (int i = 0; i < 4; ++i) {
            const QString sub = QStringLiteral("user-%1").arg(i);
            cases.push_back({libjwtSign(JWT_ALG_HS256, hsSecret.toUtf8(), claims(sub)), sub});
            cases.push_back({libjwtSign(JWT_ALG_RS256, rsa1Priv, claims(sub), QStringLiteral("r1")), sub});
            cases.push_back({libjwtSign(JWT_ALG_ES256, ec1Priv, claims(sub), QStringLiteral("e1")), sub});
            cases.push_back({libjwtSign(JWT_ALG_RS256, rsa2Priv, claims(sub)), QString()});
            cases.push_back({libjwtSign(JWT_ALG_HS256, hsSecret.toUtf8(),
                                        with(claims(sub), QStringLiteral("exp"), double(nowS - 3600))),
                             QString()});
        }
        constexpr int threads = 4;
        constexpr int perThread = 2000;
        QAtomicInt mismatches = 0;
        QAtomicInt verified = 0;
        QAtomicInt stop = 0;
        std::vector<std::unique_ptr<QThread>> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back(QThread::create([&, t] {
                for (int i = 0; i < perThread; ++i) {
                    const Case& c = cases[size_t(i + t) % cases.size()];
                    QString error;
                    const auto identity = verifier->verify(c.token, nowMs, &error);
                    const bool ok = identity && identity->subject == c.subject;
                    const bool expectedFailure = !identity && c.subject.isEmpty() && !error.isEmpty();
                    if (!ok && !expectedFailure)
                        mismatches.ref();
                    if (identity)
                        verified.ref();
                }
            }));
        }
        // Reloads (of an unchanged file) race with the verifications.
        std::unique_ptr<QThread> reloader(QThread::create([&] {
            while (!stop.loadAcquire()) {
                QString error;
                if (!verifier->reloadKeys(&error))
                    mismatches.ref();
                QThread::msleep(1);
            }
        }));
        reloader->start();
        for (auto& worker : workers)
            worker->start();
        for (auto& worker : workers)
            QVERIFY(worker->wait(120000));
        stop.storeRelease(1);
        QVERIFY(reloader->wait(10000));
        QCOMPARE(mismatches.loadRelaxed(), 0);
        QCOMPARE(verified.loadRelaxed(), threads * perThread * 3 / 5);
    }
};

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"
