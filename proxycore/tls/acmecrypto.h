#pragma once

// The cryptography an ACME client needs (RFC 8555, RFC 7515/7517/7638), on OpenSSL 3: EC P-256 keys kept as PEM,
// their JWK and thumbprint, ES256 signatures in JWS form (raw R||S, not DER), flattened JWS objects, the HMAC of
// External Account Binding, and a certificate signing request for a list of DNS names.

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

struct evp_pkey_st; // OpenSSL's EVP_PKEY

namespace gemgate::acme {

QByteArray base64url(const QByteArray& data); // no padding

// A new EC P-256 private key as PKCS#8 PEM; empty (and *error) on failure.
QByteArray generateKeyPem(QString* error);

// One loaded key. Invalid when the PEM did not parse as an EC P-256 private key.
class EcKey {
public:
    explicit EcKey(const QByteArray& pem);
    ~EcKey();
    EcKey(const EcKey&) = delete;
    EcKey& operator=(const EcKey&) = delete;
    bool isValid() const { return m_key != nullptr; }
    // {"crv":"P-256","kty":"EC","x":...,"y":...}
    QJsonObject jwk() const;
    // RFC 7638: base64url(SHA-256 of the JWK's required members in lexicographic order, no spaces).
    QByteArray thumbprint() const;
    // ES256 over `data`: 64 bytes R||S. Empty on failure.
    QByteArray sign(const QByteArray& data) const;
    // A CSR (DER) for the names (the first is the subject CN; every one a DNS SAN), signed with this key.
    QByteArray csrDer(const QStringList& names, QString* error) const;

private:
    ::evp_pkey_st* m_key = nullptr;
};

// A flattened JWS (RFC 7515 §7.2.2) signed with ES256: {"protected","payload","signature"}. An empty payload is
// POST-as-GET (payload ""), otherwise the compact JSON of `payload`.
QByteArray signJws(const EcKey& key, const QJsonObject& protectedHeader, const QByteArray& payload);

// External Account Binding (RFC 8555 §7.3.4): a JWS over the account JWK, HS256 with the CA's MAC key.
QJsonObject externalAccountBinding(const EcKey& accountKey, const QString& kid, const QByteArray& hmacKey,
                                   const QString& newAccountUrl);

// The key authorization of a challenge token: token "." thumbprint.
QByteArray keyAuthorization(const EcKey& accountKey, const QByteArray& token);

} // namespace gemgate::acme
