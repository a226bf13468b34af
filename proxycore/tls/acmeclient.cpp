#include "tls/acmeclient.h"

#include "tls/acmecrypto.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>

namespace gemgate {

namespace {
const QByteArray kJose = "application/jose+json";
const QString kBadNonce = QStringLiteral("urn:ietf:params:acme:error:badNonce");
constexpr int kMaxNonceRetries = 5;

QString str(const QJsonObject& o, const char* key) {
    return o.value(QLatin1String(key)).toString();
}
} // namespace

struct AcmeClient::Run {
    AcmeOrderSpec spec;
    std::function<void(std::optional<AcmeCertificate>, const QString&)> done;
    QJsonObject directory;
    QString kid;
    QUrl orderUrl;
    QJsonObject order;
    QByteArray certKeyPem;
};

AcmeClient::AcmeClient(QByteArray accountKeyPem, AcmeChallengeSolver* solver, QObject* parent)
    : QObject(parent)
    , m_nam(new QNetworkAccessManager(this))
    , m_solver(solver)
    , m_key(std::make_unique<acme::EcKey>(accountKeyPem)) {
    accountKeyPem.fill('\0');
}

AcmeClient::~AcmeClient() = default;

void AcmeClient::setPolling(int intervalMs, int timeoutMs) {
    m_pollMs = qMax(10, intervalMs);
    m_pollTimeoutMs = qMax(m_pollMs, timeoutMs);
}

bool AcmeClient::isBusy() const {
    return m_run != nullptr;
}

void AcmeClient::issue(const AcmeOrderSpec& spec,
                       std::function<void(std::optional<AcmeCertificate>, const QString&)> done) {
    if (m_run) {
        done(std::nullopt, QStringLiteral("an ACME order is already running"));
        return;
    }
    if (!m_key->isValid()) {
        done(std::nullopt, QStringLiteral("the ACME account key is not an EC P-256 private key"));
        return;
    }
    if (spec.domains.isEmpty()) {
        done(std::nullopt, QStringLiteral("no domains to order a certificate for"));
        return;
    }
    m_run = std::make_unique<Run>();
    m_run->spec = spec;
    m_run->done = std::move(done);
    m_nonce.clear();
    stepDirectory();
}

void AcmeClient::finish(std::optional<AcmeCertificate> certificate, const QString& error) {
    std::unique_ptr<Run> run = std::move(m_run);
    if (run && run->done)
        run->done(std::move(certificate), error);
}

void AcmeClient::later(int ms, std::function<void()> fn) {
    QTimer::singleShot(ms, this, std::move(fn));
}

QString AcmeClient::problem(const QString& step, const Response& r) {
    if (r.status == 0)
        return QStringLiteral("%1: cannot reach the ACME server: %2").arg(step, r.networkError);
    const QString type = str(r.json, "type");
    const QString detail = str(r.json, "detail");
    QString text = QStringLiteral("%1: the ACME server answered %2").arg(step).arg(r.status);
    if (!type.isEmpty())
        text += QLatin1Char(' ') + type;
    if (!detail.isEmpty())
        text += QStringLiteral(": ") + detail;
    if (type.endsWith(QLatin1String(":rateLimited")) && r.retryAfterSeconds > 0)
        text += QStringLiteral(" (retry after %1 s)").arg(r.retryAfterSeconds);
    return text;
}

QNetworkReply* AcmeClient::send(const QUrl& url, const QByteArray& method, const QByteArray& body,
                                const QByteArray& accept) {
    QNetworkRequest req(url);
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (m_run && !m_run->spec.extraCaCertificates.isEmpty())
        ssl.addCaCertificates(m_run->spec.extraCaCertificates);
    req.setSslConfiguration(ssl);
    req.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("GemGate-ACME"));
    req.setTransferTimeout(30'000);
    if (!accept.isEmpty())
        req.setRawHeader("Accept", accept);
    if (method == "POST") {
        req.setHeader(QNetworkRequest::ContentTypeHeader, kJose);
        return m_nam->post(req, body);
    }
    if (method == "HEAD")
        return m_nam->head(req);
    return m_nam->get(req);
}

AcmeClient::Response AcmeClient::read(QNetworkReply* reply) {
    Response r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    if (r.status == 0)
        r.networkError = reply->errorString();
    const QJsonDocument doc = QJsonDocument::fromJson(r.body);
    if (doc.isObject())
        r.json = doc.object();
    const QByteArray location = reply->rawHeader("Location");
    if (!location.isEmpty())
        r.location = reply->url().resolved(QUrl(QString::fromUtf8(location)));
    bool ok = false;
    const int retry = reply->rawHeader("Retry-After").trimmed().toInt(&ok);
    if (ok)
        r.retryAfterSeconds = retry;
    return r;
}

void AcmeClient::get(const QUrl& url, Handler handler) {
    QNetworkReply* reply = send(url, "GET", {}, {});
    connect(reply, &QNetworkReply::finished, this, [reply, handler = std::move(handler)] {
        reply->deleteLater();
        handler(read(reply));
    });
}

void AcmeClient::withNonce(std::function<void()> next) {
    if (!m_nonce.isEmpty()) {
        next();
        return;
    }
    QNetworkReply* reply = send(QUrl(str(m_run->directory, "newNonce")), "HEAD", {}, {});
    QPointer<AcmeClient> self(this);
    connect(reply, &QNetworkReply::finished, this, [self, reply, next = std::move(next)] {
        reply->deleteLater();
        if (!self || !self->m_run)
            return;
        self->m_nonce = reply->rawHeader("Replay-Nonce");
        if (self->m_nonce.isEmpty()) {
            Response r = read(reply);
            self->finish(std::nullopt, problem(QStringLiteral("getting a nonce"), r));
            return;
        }
        next();
    });
}

void AcmeClient::post(const QUrl& url, const std::optional<QJsonObject>& payload, bool jwk, Handler handler,
                      const QByteArray& accept, int attempt) {
    QPointer<AcmeClient> self(this);
    withNonce([self, url, payload, jwk, handler = std::move(handler), accept, attempt]() mutable {
        if (!self || !self->m_run)
            return;
        QJsonObject header{{QStringLiteral("nonce"), QString::fromLatin1(self->m_nonce)},
                           {QStringLiteral("url"), url.toString()}};
        if (jwk)
            header.insert(QStringLiteral("jwk"), self->m_key->jwk());
        else
            header.insert(QStringLiteral("kid"), self->m_run->kid);
        self->m_nonce.clear(); // used
        const QByteArray body = acme::signJws(
            *self->m_key, header, payload ? QJsonDocument(*payload).toJson(QJsonDocument::Compact) : QByteArray());
        QNetworkReply* reply = self->send(url, "POST", body, accept);
        self->connect(reply, &QNetworkReply::finished, self,
                      [self, reply, url, payload, jwk, handler = std::move(handler), accept, attempt]() mutable {
                          reply->deleteLater();
                          if (!self || !self->m_run)
                              return;
                          self->m_nonce = reply->rawHeader("Replay-Nonce");
                          const Response r = read(reply);
                          if (r.status == 400 && str(r.json, "type") == kBadNonce && attempt < kMaxNonceRetries) {
                              self->post(url, payload, jwk, std::move(handler), accept, attempt + 1);
                              return;
                          }
                          handler(r);
                      });
    });
}

void AcmeClient::stepDirectory() {
    Q_EMIT progress(QStringLiteral("reading the ACME directory"));
    get(m_run->spec.directory, [this](const Response& r) {
        if (r.status != 200 || str(r.json, "newOrder").isEmpty()) {
            finish(std::nullopt,
                   problem(QStringLiteral("reading the directory %1").arg(m_run->spec.directory.toString()), r));
            return;
        }
        m_run->directory = r.json;
        stepAccount();
    });
}

void AcmeClient::stepAccount() {
    Q_EMIT progress(QStringLiteral("registering the account"));
    const QString url = str(m_run->directory, "newAccount");
    QJsonObject payload{{QStringLiteral("termsOfServiceAgreed"), true}};
    if (!m_run->spec.email.isEmpty())
        payload.insert(QStringLiteral("contact"),
                       QJsonArray{QJsonValue(QStringLiteral("mailto:") + m_run->spec.email)});
    if (!m_run->spec.eabKid.isEmpty())
        payload.insert(QStringLiteral("externalAccountBinding"),
                       acme::externalAccountBinding(*m_key, m_run->spec.eabKid, m_run->spec.eabHmacKey, url));
    post(QUrl(url), payload, true, [this](const Response& r) {
        if ((r.status != 200 && r.status != 201) || r.location.isEmpty()) {
            finish(std::nullopt, problem(QStringLiteral("registering the ACME account"), r));
            return;
        }
        m_run->kid = r.location.toString();
        stepOrder();
    });
}

void AcmeClient::stepOrder() {
    Q_EMIT progress(
        QStringLiteral("ordering a certificate for %1").arg(m_run->spec.domains.join(QStringLiteral(", "))));
    QJsonArray identifiers;
    for (const QString& d : std::as_const(m_run->spec.domains))
        identifiers.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("dns")}, {QStringLiteral("value"), d}});
    post(QUrl(str(m_run->directory, "newOrder")), QJsonObject{{QStringLiteral("identifiers"), identifiers}}, false,
         [this](const Response& r) {
             if (r.status != 201 || r.location.isEmpty()) {
                 finish(std::nullopt, problem(QStringLiteral("creating the order"), r));
                 return;
             }
             m_run->orderUrl = r.location;
             m_run->order = r.json;
             stepAuthorization(0);
         });
}

void AcmeClient::stepAuthorization(int index) {
    const QJsonArray authzs = m_run->order.value(QStringLiteral("authorizations")).toArray();
    if (index >= authzs.size()) {
        stepFinalize();
        return;
    }
    const QUrl url(authzs.at(index).toString());
    post(url, std::nullopt, false, [this, url, index](const Response& r) {
        if (r.status != 200) {
            finish(std::nullopt, problem(QStringLiteral("reading an authorization"), r));
            return;
        }
        const QString domain = str(r.json.value(QStringLiteral("identifier")).toObject(), "value");
        const QString status = str(r.json, "status");
        if (status == QLatin1String("valid")) { // the CA remembers an earlier proof
            stepAuthorization(index + 1);
            return;
        }
        if (status != QLatin1String("pending")) {
            finish(std::nullopt, QStringLiteral("the authorization for %1 is %2").arg(domain, status));
            return;
        }
        const QString type = m_run->spec.challenge;
        QJsonObject challenge;
        for (const QJsonValue& c : r.json.value(QStringLiteral("challenges")).toArray()) {
            if (str(c.toObject(), "type") == type)
                challenge = c.toObject();
        }
        if (challenge.isEmpty()) {
            finish(std::nullopt, QStringLiteral("the CA offers no %1 challenge for %2").arg(type, domain));
            return;
        }
        const QByteArray token = str(challenge, "token").toLatin1();
        const QUrl challengeUrl(str(challenge, "url"));
        Q_EMIT progress(QStringLiteral("answering the %1 challenge for %2").arg(type, domain));
        QPointer<AcmeClient> self(this);
        m_solver->deploy(
            type, domain, token, acme::keyAuthorization(*m_key, token),
            [self, url, challengeUrl, type, domain, token](const QString& error) {
                if (!self || !self->m_run)
                    return;
                if (!error.isEmpty()) {
                    self->finish(std::nullopt,
                                 QStringLiteral("preparing the %1 challenge for %2: %3").arg(type, domain, error));
                    return;
                }
                self->post(
                    challengeUrl, QJsonObject{}, false, [self, url, type, domain, token](const Response& answer) {
                        if (answer.status != 200) {
                            self->m_solver->cleanup(type, domain, token);
                            self->finish(std::nullopt, problem(QStringLiteral("starting the challenge"), answer));
                            return;
                        }
                        self->pollAuthorization(url, type, domain, token,
                                                QDateTime::currentMSecsSinceEpoch() + self->m_pollTimeoutMs);
                    });
            });
    });
}

void AcmeClient::pollAuthorization(const QUrl& url, const QString& type, const QString& domain, const QByteArray& token,
                                   qint64 deadlineMs) {
    post(url, std::nullopt, false, [this, url, type, domain, token, deadlineMs](const Response& r) {
        const QString status = str(r.json, "status");
        if (r.status == 200 && status == QLatin1String("valid")) {
            m_solver->cleanup(type, domain, token);
            const QJsonArray authzs = m_run->order.value(QStringLiteral("authorizations")).toArray();
            int index = 0;
            while (index < authzs.size() && QUrl(authzs.at(index).toString()) != url)
                ++index;
            stepAuthorization(index + 1);
            return;
        }
        if (r.status != 200 || status == QLatin1String("invalid") || QDateTime::currentMSecsSinceEpoch() > deadlineMs) {
            m_solver->cleanup(type, domain, token);
            QString why;
            for (const QJsonValue& c : r.json.value(QStringLiteral("challenges")).toArray()) {
                const QJsonObject e = c.toObject().value(QStringLiteral("error")).toObject();
                if (!e.isEmpty())
                    why = str(e, "type") + QStringLiteral(": ") + str(e, "detail");
            }
            finish(std::nullopt,
                   r.status != 200 ? problem(QStringLiteral("checking the authorization"), r)
                   : status == QLatin1String("invalid")
                       ? QStringLiteral("the CA refused the %1 challenge for %2: %3").arg(type, domain, why)
                       : QStringLiteral("the %1 challenge for %2 was not checked in time").arg(type, domain));
            return;
        }
        later(
            r.retryAfterSeconds > 0 ? r.retryAfterSeconds * 1000 : m_pollMs,
            [this, url, type, domain, token, deadlineMs] { pollAuthorization(url, type, domain, token, deadlineMs); });
    });
}

void AcmeClient::stepFinalize() {
    Q_EMIT progress(QStringLiteral("finalizing the order"));
    QString error;
    m_run->certKeyPem = acme::generateKeyPem(&error);
    const acme::EcKey certKey(m_run->certKeyPem);
    const QByteArray csr = certKey.isValid() ? certKey.csrDer(m_run->spec.domains, &error) : QByteArray();
    if (csr.isEmpty()) {
        finish(std::nullopt, QStringLiteral("making the certificate request: %1").arg(error));
        return;
    }
    post(QUrl(str(m_run->order, "finalize")),
         QJsonObject{{QStringLiteral("csr"), QString::fromLatin1(acme::base64url(csr))}}, false,
         [this](const Response& r) {
             if (r.status != 200) {
                 finish(std::nullopt, problem(QStringLiteral("finalizing the order"), r));
                 return;
             }
             m_run->order = r.json;
             pollOrder(QDateTime::currentMSecsSinceEpoch() + m_pollTimeoutMs);
         });
}

void AcmeClient::pollOrder(qint64 deadlineMs) {
    const QString status = str(m_run->order, "status");
    if (status == QLatin1String("valid")) {
        stepDownload(QUrl(str(m_run->order, "certificate")));
        return;
    }
    if (status == QLatin1String("invalid") || QDateTime::currentMSecsSinceEpoch() > deadlineMs) {
        finish(std::nullopt,
               QStringLiteral("the order ended %1")
                   .arg(status == QLatin1String("invalid") ? QStringLiteral("invalid")
                                                           : QStringLiteral("without a certificate in time")));
        return;
    }
    later(m_pollMs, [this, deadlineMs] {
        post(m_run->orderUrl, std::nullopt, false, [this, deadlineMs](const Response& r) {
            if (r.status != 200) {
                finish(std::nullopt, problem(QStringLiteral("checking the order"), r));
                return;
            }
            m_run->order = r.json;
            pollOrder(deadlineMs);
        });
    });
}

void AcmeClient::stepDownload(const QUrl& certificateUrl) {
    Q_EMIT progress(QStringLiteral("downloading the certificate"));
    post(
        certificateUrl, std::nullopt, false,
        [this](const Response& r) {
            if (r.status != 200 || !r.body.contains("-----BEGIN CERTIFICATE-----")) {
                finish(std::nullopt, problem(QStringLiteral("downloading the certificate"), r));
                return;
            }
            AcmeCertificate cert{r.body, m_run->certKeyPem};
            finish(std::move(cert), QString());
        },
        QByteArrayLiteral("application/pem-certificate-chain"));
}

} // namespace gemgate
