#pragma once

// JWT bearer-token verification for client authentication (HS256, RS256, ES256).
//
// Signatures are checked by libjwt (Debian's libjwt-dev 1.10, OpenSSL backend). libjwt 1.10 only verifies a
// signature with a key the caller hands it and takes the algorithm from the token's own header, so everything
// that decides *which* key and algorithm may be used happens here, before libjwt sees the token:
//   - the header is decoded and its "alg" checked against the algorithms enabled by the configured keys
//     (HS256 needs the shared secret, RS256 an RSA public key, ES256 an EC P-256 public key); "none" in any
//     spelling is refused, as is every algorithm that is not enabled;
//   - an HS256 token is only ever checked against the shared secret, an RS256/ES256 token only against public
//     keys of the matching type. A public key's bytes are never used as an HMAC secret (algorithm confusion);
//   - after libjwt accepts the signature, the algorithm libjwt itself parsed must equal the one checked here
//     (no parser differential, e.g. a header with two "alg" members).
// libjwt 1.10 has no claim validation and no JWKS support: exp/nbf/iat/iss/aud are checked here, and JWKS keys
// (RSA n/e, EC P-256 x/y) are turned into PEM public keys with OpenSSL 3's EVP API, then verified by libjwt.
// Header members that point at keys (jku, x5u, jwk, x5c) are ignored: keys come only from the configuration.
//
// Thread safety: verify() may be called from any number of threads at once. Every call works on its own libjwt
// object; the key set is immutable and shared through a std::shared_ptr that reloadKeys() swaps under a mutex.

#include <QByteArrayView>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <memory>
#include <optional>

namespace gemgate {

struct JwtConfig {
    // Shared secret for HS256 (UTF-8 bytes of the string). At least 32 bytes (RFC 7518 section 3.2). Empty: HS256
    // is not enabled.
    QString hsSecret;
    // RS256/ES256 public keys. Each entry is either PEM text ("-----BEGIN PUBLIC KEY-----", may hold several
    // blocks; an X.509 "CERTIFICATE" block contributes its public key) or, when it holds no "-----BEGIN", the
    // path of a file with such PEM text. RSA keys must have at least 2048 bits; EC keys must be on P-256.
    QStringList publicKeyPems;
    // JSON Web Key Set file ({"keys": [...]}) with RSA ("kty":"RSA", n, e) and EC P-256 ("kty":"EC",
    // "crv":"P-256", x, y) keys, optionally with "kid". Keys of other types, or with "use" other than "sig",
    // or with an "alg" other than RS256/ES256, are skipped. Re-read by JwtVerifier::reloadKeys().
    QString jwksPath;
    // Allowed algorithms, a subset of HS256, RS256, ES256. Empty: all three, as far as configured keys allow.
    QStringList algorithms;
    // When not empty, the "iss" claim must equal it.
    QString issuer;
    // When not empty, the "aud" claim (a string or an array of strings) must contain one of these.
    QStringList audiences;
    // Clock skew allowed for exp, nbf and iat.
    int leewaySeconds = 60;
    // The claim naming the client; must be a non-empty string.
    QString identityClaim = QStringLiteral("sub");
    // A token without "exp" is refused.
    bool requireExp = true;
};

struct JwtIdentity {
    QString subject;        // the value of JwtConfig::identityClaim
    QString issuer;         // "iss", empty when absent
    QVariantMap claims;     // every claim of the payload
    qint64 expiresAtMs = 0; // "exp" in ms since the epoch; 0 when the token has no exp
};

class JwtVerifier {
public:
    // Tokens longer than this are refused before any parsing.
    static constexpr qsizetype maxTokenBytes = 16 * 1024;

    // Loads the keys. nullptr (and *error set) when the configuration is unusable: no key at all, a key that
    // does not parse, an unknown algorithm name, an allowed algorithm without a key, a short HS256 secret.
    static std::unique_ptr<JwtVerifier> create(const JwtConfig& config, QString* error);
    ~JwtVerifier();
    JwtVerifier(const JwtVerifier&) = delete;
    JwtVerifier& operator=(const JwtVerifier&) = delete;

    // Verifies signature and claims at time nowMs (ms since the epoch). On failure returns nullopt and sets
    // *error to which check failed; the message never contains the token or a key.
    // Key choice: HS256 uses the shared secret (a "kid" is ignored). An RS256/ES256 token with a "kid" is checked
    // against the keys with that kid; when no key has it, against the keys without a kid (PEM keys), and it fails
    // with "unknown kid" when there are none. A token without "kid" is checked against every key of its type.
    // Claims: exp (now >= exp + leeway: expired), nbf (now + leeway < nbf), iat (iat > now + leeway), then iss,
    // aud and the identity claim. Signature first: no claim is looked at before the signature verifies.
    std::optional<JwtIdentity> verify(QByteArrayView token, qint64 nowMs, QString* error) const;

    // Re-reads the JWKS file and the PEM key files. On failure the previous keys stay in use, false is returned
    // and *error says why.
    bool reloadKeys(QString* error);

    // The algorithms currently accepted (depends on the loaded keys), e.g. {"HS256", "RS256"}.
    QStringList acceptedAlgorithms() const;
    // Number of public keys currently loaded (PEM and JWKS).
    int publicKeyCount() const;

private:
    struct KeySet;
    struct Private;
    explicit JwtVerifier(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace gemgate
