#pragma once

// Self-signed certificate for HTTPS when TLS is enabled without a user certificate.
// Generated with OpenSSL 3 (EC P-256, SHA-256, SAN DNS:localhost + IP:127.0.0.1 + IP:::1), persisted as
// cert.pem / key.pem (key mode 0600) in a directory, and reused on later starts while it is valid for at
// least another day.

#include <QDateTime>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

namespace gemgate {

struct CertificateBundle {
    QList<QSslCertificate> chain; // leaf first
    QSslKey key;
    bool isNull() const { return chain.isEmpty() || key.isNull(); }
};

// Loads a PEM certificate chain and private key (EC or RSA). Returns a null bundle and sets *error on failure,
// naming the file and the problem.
CertificateBundle loadCertificateFiles(const QString& certPath, const QString& keyPath, QString* error);

// Generates a fresh self-signed certificate in memory.
CertificateBundle generateSelfSigned(const QString& commonName, int validDays, QString* error);

// Same, with an explicit validity window (UTC). Lets tests produce expired or nearly expired certificates.
CertificateBundle generateSelfSigned(const QString& commonName, const QDateTime& notBefore, const QDateTime& notAfter,
                                     QString* error);

// Returns the certificate in dir (cert.pem + key.pem) if present and valid for at least one more day;
// otherwise generates one, writes it atomically and returns it. *generated tells which happened.
CertificateBundle loadOrCreateSelfSigned(const QString& dir, bool* generated, QString* error);

} // namespace gemgate
