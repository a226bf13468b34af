#include "control/acmemanager.h"

#include "clock/clock.h"
#include "tls/acmeclient.h"
#include "tls/acmehttp.h"
#include "tls/acmestore.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTimer>

namespace gemgate {

namespace {
constexpr qint64 kDayMs = 86'400'000;
constexpr int kMaxBackoffMs = 3'600'000;
constexpr int kMaxTimerMs = 6 * 3'600'000;        // re-plan at least this often (QTimer takes an int; clocks drift)
constexpr qint64 kMinRenewIntervalMs = 3'600'000; // after a success, the same settings order again at most hourly

bool sameAcme(const TlsConfig& a, const TlsConfig& b) {
    return a.acmeDomains == b.acmeDomains && a.acmeDirectoryUrl == b.acmeDirectoryUrl && a.acmeEmail == b.acmeEmail &&
           a.acmeChallenge == b.acmeChallenge && a.acmeRenewBeforeDays == b.acmeRenewBeforeDays &&
           a.acmeStorageDir == b.acmeStorageDir && a.acmeCaFile == b.acmeCaFile && a.acmeEabKid == b.acmeEabKid &&
           a.acmeDnsHook == b.acmeDnsHook;
}
} // namespace

AcmeManager::AcmeManager(QObject* parent)
    : QObject(parent)
    , m_clock(std::shared_ptr<const Clock>(SystemClock::instance(), [](const Clock*) {}))
    , m_timer(new QTimer(this)) {
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &AcmeManager::plan);
}

AcmeManager::~AcmeManager() = default;

void AcmeManager::setClock(std::shared_ptr<const Clock> clock) {
    m_clock = std::move(clock);
}

quint16 AcmeManager::httpPort() const {
    return m_http ? m_http->port() : 0;
}

AcmeStatus AcmeManager::status() const {
    return m_status;
}

void AcmeManager::stop() {
    m_timer->stop();
    delete m_client; // an order in flight is dropped with it
    m_client = nullptr;
    delete m_http;
    m_http = nullptr;
    m_httpBinding.clear();
    m_status.ordering = false;
    m_status.nextAttemptMs = 0;
}

void AcmeManager::apply(const ConfigPtr& config, quint16 httpsPort) {
    const TlsConfig& tls = config->server.tls;
    if (!tls.enabled || !tls.acmeEnabled) {
        stop();
        m_config = config;
        m_status = AcmeStatus{};
        return;
    }
    const bool namesChanged = !m_config || m_config->server.tls.acmeDomains != tls.acmeDomains ||
                              m_config->server.tls.acmeDirectoryUrl != tls.acmeDirectoryUrl;
    if (!m_config || !sameAcme(m_config->server.tls, tls)) {
        m_earliestMs = 0; // new settings: decide afresh
        m_backingOff = false;
    }
    m_config = config;
    m_status.enabled = true;
    m_status.domains = tls.acmeDomains;
    // The responder: on http_port for http-01 (and the redirect); moved when the address changes.
    const QString binding =
        tls.acmeHttpPort > 0 ? QStringLiteral("%1:%2").arg(config->server.host).arg(tls.acmeHttpPort) : QString();
    if (binding != m_httpBinding) {
        delete m_http;
        m_http = nullptr;
        m_httpBinding = binding;
        if (!binding.isEmpty()) {
            m_http = new AcmeHttpResponder(this);
            QString error;
            if (!m_http->listen(QHostAddress(config->server.host), quint16(tls.acmeHttpPort), &error)) {
                m_status.lastError = error;
                Q_EMIT message(QStringLiteral("ACME: %1").arg(error));
            }
        }
    }
    if (m_http)
        m_http->setHttpsPort(httpsPort);
    if (namesChanged && m_client && m_client->isBusy()) {
        delete m_client; // the order was for other names
        m_client = nullptr;
        m_status.ordering = false;
    }
    if (!m_status.ordering)
        plan();
}

void AcmeManager::plan() {
    m_timer->stop();
    if (!m_config || m_status.ordering)
        return;
    const TlsConfig& tls = m_config->server.tls;
    QString why;
    const CertificateBundle stored = acme::loadCertificate(acme::storageDir(tls.acmeStorageDir), tls.acmeDomains, &why);
    const qint64 now = m_clock->nowMs();
    m_status.notAfterMs = stored.isNull() ? 0 : stored.chain.first().expiryDate().toMSecsSinceEpoch();
    qint64 due = now;
    if (m_status.notAfterMs > 0)
        due = m_status.notAfterMs - qint64(tls.acmeRenewBeforeDays) * kDayMs +
              QRandomGenerator::global()->bounded(60'000);
    if (m_backingOff)
        due = qMax(due, m_status.nextAttemptMs); // the backoff after a failure holds
    if (due < m_earliestMs) {
        // Renewal would be due again right after a success: renew_before_days is not shorter than the lifetime.
        if (due <= now)
            Q_EMIT message(QStringLiteral("ACME: renew_before_days (%1) is not shorter than the certificate's "
                                          "lifetime; renewing at most hourly")
                               .arg(tls.acmeRenewBeforeDays));
        due = m_earliestMs;
    }
    if (due <= now) {
        order();
        return;
    }
    m_status.nextAttemptMs = due;
    m_timer->start(int(qMin<qint64>(due - now, kMaxTimerMs)));
}

void AcmeManager::order() {
    const TlsConfig& tls = m_config->server.tls;
    const QString dir = acme::storageDir(tls.acmeStorageDir);
    QString error;
    const QByteArray accountKey = acme::loadOrCreateAccountKey(dir, &error);
    AcmeOrderSpec spec;
    spec.directory = QUrl(tls.acmeDirectoryUrl);
    spec.domains = tls.acmeDomains;
    spec.email = tls.acmeEmail;
    spec.challenge = tls.acmeChallenge;
    spec.eabKid = tls.acmeEabKid;
    spec.eabHmacKey = QByteArray::fromBase64(tls.acmeEabHmacKey.toLatin1(), QByteArray::Base64UrlEncoding);
    if (!tls.acmeCaFile.isEmpty()) {
        QFile f(tls.acmeCaFile);
        if (f.open(QIODevice::ReadOnly))
            spec.extraCaCertificates = QSslCertificate::fromData(f.readAll(), QSsl::Pem);
        if (spec.extraCaCertificates.isEmpty())
            error = QStringLiteral("server.tls.acme.ca_file: no PEM certificate in %1").arg(tls.acmeCaFile);
    }
    if (tls.acmeChallenge != QLatin1String("http-01"))
        error = QStringLiteral("the %1 challenge is not available yet; use http-01").arg(tls.acmeChallenge);
    else if (!m_http)
        error = QStringLiteral("the http-01 challenge needs server.tls.acme.http_port");
    if (accountKey.isEmpty() || !error.isEmpty()) {
        m_status.lastError = error;
        ++m_status.failures;
        m_backingOff = true;
        m_status.nextAttemptMs = m_clock->nowMs() + m_backoffMs;
        m_backoffMs = qMin(m_backoffMs * 2, kMaxBackoffMs);
        m_timer->start(int(qMin<qint64>(m_status.nextAttemptMs - m_clock->nowMs(), kMaxTimerMs)));
        Q_EMIT message(QStringLiteral("ACME: %1").arg(error));
        return;
    }
    delete m_client;
    m_client = new AcmeClient(accountKey, m_http, this);
    m_client->setPolling(1000, 180'000);
    m_status.ordering = true;
    m_status.nextAttemptMs = 0;
    Q_EMIT message(QStringLiteral("ACME: ordering a certificate for %1 from %2")
                       .arg(spec.domains.join(QStringLiteral(", ")), spec.directory.toString()));
    QPointer<AcmeManager> self(this);
    m_client->issue(spec, [self, dir, domains = spec.domains](std::optional<AcmeCertificate> cert,
                                                              const QString& failure) {
        if (!self)
            return;
        self->m_status.ordering = false;
        QString reason = failure;
        if (cert && !acme::saveCertificate(dir, domains, *cert, &reason))
            cert.reset();
        if (!cert) {
            self->m_status.lastError = reason;
            ++self->m_status.failures;
            self->m_backingOff = true;
            self->m_status.nextAttemptMs = self->m_clock->nowMs() + self->m_backoffMs;
            self->m_timer->start(self->m_backoffMs);
            self->m_backoffMs = qMin(self->m_backoffMs * 2, kMaxBackoffMs);
            Q_EMIT self->message(QStringLiteral("ACME: the certificate order failed, next try in %1 s: %2")
                                     .arg(self->m_status.nextAttemptMs / 1000 - self->m_clock->nowMs() / 1000)
                                     .arg(reason));
            return;
        }
        self->m_status.lastError.clear();
        self->m_backingOff = false;
        self->m_earliestMs = self->m_clock->nowMs() + kMinRenewIntervalMs;
        self->m_backoffMs = 60'000;
        ++self->m_status.renewals;
        Q_EMIT self->message(QStringLiteral("ACME: got a certificate for %1").arg(domains.join(QStringLiteral(", "))));
        Q_EMIT self->certificateStored();
        self->plan();
    });
}

} // namespace gemgate
