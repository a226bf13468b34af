#pragma once

// AcmeClient: obtains a certificate from an RFC 8555 CA (Let's Encrypt, pebble, any ACME server) over
// QNetworkAccessManager, on the thread it lives on (the controller's). One issue() runs the whole dance:
// directory, nonce (badNonce retried with the CA's fresh nonce), account (ES256 key given by the caller, found
// again by its key on later runs; External Account Binding when configured), order for every name, each
// authorization (already valid ones skipped), its challenge answered through a ChallengeSolver, finalize with a CSR
// for a new EC P-256 key, polling with the CA's Retry-After, and the chain's download. Problems come back as one
// line naming the step and the CA's problem type and detail (rate limits included).

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace gemgate {

namespace acme {
class EcKey;
}

// Answers challenges: http-01 (a token served under /.well-known/acme-challenge/), tls-alpn-01 (a certificate for
// the name on the HTTPS port), dns-01 (a TXT record through a hook).
class AcmeChallengeSolver {
public:
    virtual ~AcmeChallengeSolver() = default;
    // Makes the answer available; ready("") once the CA may check it, ready(error) when it cannot be.
    virtual void deploy(const QString& type, const QString& domain, const QByteArray& token,
                        const QByteArray& keyAuthorization, std::function<void(const QString& error)> ready) = 0;
    virtual void cleanup(const QString& type, const QString& domain, const QByteArray& token) = 0;
};

struct AcmeOrderSpec {
    QUrl directory;
    QStringList domains;
    QString email;
    QString challenge = QStringLiteral("http-01");
    QString eabKid;
    QByteArray eabHmacKey;                      // raw bytes (the configured value is base64url)
    QList<QSslCertificate> extraCaCertificates; // trusted besides the system's, for talking to the CA
};

struct AcmeCertificate {
    QByteArray chainPem; // leaf first, as the CA sent it
    QByteArray keyPem;   // the certificate's private key (PKCS#8)
};

class AcmeClient : public QObject {
    Q_OBJECT
public:
    AcmeClient(QByteArray accountKeyPem, AcmeChallengeSolver* solver, QObject* parent = nullptr);
    ~AcmeClient() override;

    // How long to wait between polls when the CA gives no Retry-After, and how long to poll at most.
    void setPolling(int intervalMs, int timeoutMs);
    // Runs one issuance; done(certificate, "") or done(nullopt, error). One at a time.
    void issue(const AcmeOrderSpec& spec,
               std::function<void(std::optional<AcmeCertificate>, const QString& error)> done);
    bool isBusy() const;

Q_SIGNALS:
    void progress(const QString& step);

private:
    struct Run;
    struct Response {
        int status = 0;
        QByteArray body;
        QJsonObject json;
        QUrl location;
        int retryAfterSeconds = -1;
        QString networkError;
    };
    using Handler = std::function<void(const Response&)>;

    void get(const QUrl& url, Handler handler);
    // POST of a JWS: payload nullopt = POST-as-GET. jwk: sign with the key itself (newAccount), else the kid.
    void post(const QUrl& url, const std::optional<QJsonObject>& payload, bool jwk, Handler handler,
              const QByteArray& accept = {}, int attempt = 0);
    void withNonce(std::function<void()> next);
    QNetworkReply* send(const QUrl& url, const QByteArray& method, const QByteArray& body, const QByteArray& accept);
    static Response read(QNetworkReply* reply);

    void stepDirectory();
    void stepAccount();
    void stepOrder();
    void stepAuthorization(int index);
    void pollAuthorization(const QUrl& url, const QString& type, const QString& domain, const QByteArray& token,
                           qint64 deadlineMs);
    void stepFinalize();
    void pollOrder(qint64 deadlineMs);
    void stepDownload(const QUrl& certificateUrl);
    void finish(std::optional<AcmeCertificate> certificate, const QString& error);
    // "step: the CA answered 403 urn:ietf:params:acme:error:rateLimited: detail"
    static QString problem(const QString& step, const Response& r);
    void later(int ms, std::function<void()> fn);

    QNetworkAccessManager* m_nam = nullptr;
    AcmeChallengeSolver* m_solver = nullptr;
    std::unique_ptr<acme::EcKey> m_key;
    std::unique_ptr<Run> m_run;
    QByteArray m_nonce;
    int m_pollMs = 1000;
    int m_pollTimeoutMs = 120'000;
};

} // namespace gemgate
