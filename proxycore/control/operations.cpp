// GatewayController: the operations surface (metrics, performance, errors, logs, config history, apply and
// rollback, the admin listener). Split from gatewaycontroller.cpp, which keeps start, stop, reload, keys and clients.

#include "clock/clock.h"
#include "config/configredact.h"
#include "control/engine.h"
#include "control/gatewaycontroller.h"
#include "control/keymanager.h"
#include "metrics/exposition.h"
#include "storage/statedb.h"
#include "tls/acmestore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QSslCertificate>

#include <algorithm>

namespace gemgate {

namespace {
constexpr int kConfigVersionsKept = 200;

// A generated admin token: "gga_" + 32 random bytes, base64url.
QString newAdminToken() {
    QByteArray raw(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(raw.data()), 8);
    return QStringLiteral("gga_") +
           QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

// The token in path, or a new one written there (0600) when the file does not exist yet.
QString loadOrCreateToken(const QString& path, QString* error) {
    QFile f(path);
    if (f.exists()) {
        if (!f.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read the admin token file %1: %2").arg(path, f.errorString());
            return {};
        }
        const QString token = QString::fromUtf8(f.readAll()).trimmed();
        if (token.size() >= 16)
            return token;
    }
    QDir().mkpath(QFileInfo(path).absolutePath());
    const QString token = newAdminToken();
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || !out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        out.write(token.toUtf8() + '\n') < 0 || !out.commit()) {
        *error = QStringLiteral("cannot write the admin token file %1: %2").arg(path, out.errorString());
        return {};
    }
    return token;
}
} // namespace

ConfigHistory* GatewayController::history() const {
    StateDb* db = m_keys->database();
    if (!db)
        return nullptr;
    if (!m_history || m_historyDb != db) {
        m_history = std::make_unique<ConfigHistory>(db, QFileInfo(db->path()).absolutePath() +
                                                            QStringLiteral("/config-versions"));
        m_historyDb = db;
    }
    return m_history.get();
}

int GatewayController::recordVersion(const QByteArray& text, const QString& who, const QString& source,
                                     const QString& comment) {
    m_configText = text;
    ConfigHistory* h = history();
    if (!h || text.isEmpty())
        return m_configVersion = 0;
    QString error;
    const std::optional<ConfigVersion> v = h->record(text, who, source, comment, &error);
    if (!v) {
        Q_EMIT message(QStringLiteral("config history: %1").arg(error));
        return m_configVersion = 0; // unknown: If-Match cannot match a version that was not recorded
    }
    if (v->version % 50 == 0)
        h->prune(kConfigVersionsKept);
    return m_configVersion = v->version;
}

QByteArray GatewayController::prometheusMetrics() const {
    ScrapeInput in;
    in.reloadsOk = m_reloadsOk;
    in.reloadsFailed = m_reloadsFailed;
    if (m_engine) {
        in.workers = m_engine->workerMetrics();
        const MetricsSnapshot s = m_engine->sample();
        in.upstreamRetries = s.upstreamRetries;
        in.bytesIn = s.bytesIn;
        in.bytesOut = s.bytesOut;
        in.activeConnections = s.activeConnections;
        in.activeRequests = s.activeRequests;
        in.activeStreams = s.activeStreams;
        in.keys = m_engine->shared().keys.statuses();
        in.quotas = m_engine->shared().policy.quotaUses();
        const RuntimePtr rt = m_engine->shared().snapshot();
        if (rt->serverTls && !rt->serverTls->localCertificate().isNull()) {
            const QSslCertificate leaf = rt->serverTls->localCertificate();
            in.certificateNotAfter = leaf.expiryDate().toSecsSinceEpoch();
            in.certificateNames = leaf.subjectAlternativeNames().values(QSsl::DnsEntry);
            if (in.certificateNames.isEmpty())
                in.certificateNames = leaf.subjectInfo(QSslCertificate::CommonName);
        }
        const AcmeStatus acme = m_acme->status();
        in.acme = acme.enabled;
        in.acmeOrdersOk = acme.renewals;
        in.acmeOrdersFailed = acme.failures;
    }
    return renderPrometheus(in);
}

PerfWindow::Totals GatewayController::samplePerformance() {
    if (!m_engine)
        return {};
    PerfWindow::Totals t;
    for (const WorkerMetrics* w : m_engine->workerMetrics()) {
        w->latency.forEach([&](const auto& labels, const RouteValues& v) {
            if (labels[0] == QLatin1String("GET /health"))
                return; // a load balancer's probes are not the gateway's performance
            for (size_t i = 0; i < t.latency.size(); ++i) {
                t.latency[i] += v.duration.slots[i].get();
                t.ttfb[i] += v.ttfb.slots[i].get();
            }
        });
        w->requests.forEach([&](const auto& labels, const SoloCounter& v) {
            if (labels[0] == QLatin1String("GET /health"))
                return;
            t.requests += v.get();
            if (labels[2].startsWith(QLatin1Char('5')))
                t.errors += v.get();
        });
    }
    return m_perf.sample(QDateTime::currentMSecsSinceEpoch(), t);
}

TrafficPoint GatewayController::trafficPoint(const MetricsSnapshot& s, const PerfWindow::Totals& interval) {
    TrafficPoint p;
    p.atMs = s.at.toMSecsSinceEpoch();
    p.spanSeconds = m_last.at.isValid() ? qMax(1, int((m_last.at.msecsTo(s.at) + 500) / 1000)) : 1;
    const qint64 requests = s.requestsTotal - m_last.requestsTotal;
    p.outcomes[size_t(Outcome::ClientError)] = s.clientErrors - m_last.clientErrors;
    p.outcomes[size_t(Outcome::Rejected)] = s.rejected - m_last.rejected;
    p.outcomes[size_t(Outcome::UpstreamError)] = s.upstreamErrors - m_last.upstreamErrors;
    p.outcomes[size_t(Outcome::Ok)] = qMax<qint64>(0, requests - p.outcomes[1] - p.outcomes[2] - p.outcomes[3]);
    p.promptTokens = s.promptTokens - m_last.promptTokens;
    p.thinkingTokens = s.thoughtsTokens - m_last.thoughtsTokens;
    p.outputTokens = s.outputTokens - m_last.outputTokens - p.thinkingTokens;
    quint64 n = 0, nt = 0;
    for (size_t i = 0; i < interval.latency.size(); ++i) {
        n += interval.latency[i];
        nt += interval.ttfb[i];
    }
    p.latencySamples = qint64(n);
    p.latencyP50 = PerfWindow::quantileMs(interval.latency, n, 0.5);
    p.latencyP95 = PerfWindow::quantileMs(interval.latency, n, 0.95);
    p.latencyP99 = PerfWindow::quantileMs(interval.latency, n, 0.99);
    p.ttfbP50 = PerfWindow::quantileMs(interval.ttfb, nt, 0.5);
    QHash<QString, quint64> attempts;
    for (const WorkerMetrics* w : m_engine->workerMetrics())
        w->upstream.forEach([&](const auto& labels, const SoloCounter& v) { attempts[labels[0]] += v.get(); });
    for (auto it = attempts.cbegin(); it != attempts.cend(); ++it) {
        const quint64 before = m_keyAttempts.value(it.key());
        if (it.value() > before)
            p.perKey.append({it.key(), qint64(it.value() - before)});
    }
    std::sort(p.perKey.begin(), p.perKey.end());
    m_keyAttempts = std::move(attempts);
    p.connections = s.activeConnections;
    p.streams = s.activeStreams;
    return p;
}

HealthReport GatewayController::health() const {
    return health(keyStatuses());
}

HealthReport GatewayController::health(const QList<KeyStatus>& statuses) const {
    HealthReport r;
    if (!m_engine)
        return r;
    for (const KeyStatus& k : statuses) {
        ++r.total;
        switch (k.health) {
        case KeyHealth::Ready:
            ++r.ready;
            break;
        case KeyHealth::CoolingDown:
            ++r.coolingDown;
            break;
        case KeyHealth::Limited:
            ++r.limited;
            break;
        case KeyHealth::Disabled:
            ++r.disabled;
            break;
        case KeyHealth::UserDisabled:
            ++r.userOff;
            break;
        case KeyHealth::NoSecret:
            ++r.noSecret;
            break;
        }
    }
    if (m_state == GatewayState::Draining)
        r.health = GatewayHealth::Degraded; // stopping by itself; the tray says so in its text
    else if (!isReady(&r.notReadyReason))
        r.health = GatewayHealth::Down;
    else if (r.coolingDown + r.limited + r.disabled + r.noSecret > 0)
        r.health = GatewayHealth::Degraded;
    else
        r.health = GatewayHealth::Running;
    return r;
}

QList<QuotaUse> GatewayController::quotaUses() const {
    QList<QuotaUse> out;
    if (!m_engine)
        return out;
    for (const PolicyEngine::QuotaUse& q : m_engine->shared().policy.quotaUses())
        out.append({q.scope, QString::fromLatin1(q.limit), q.used, q.max});
    return out;
}

std::optional<ServedCertificate> GatewayController::servedCertificate() const {
    const ConfigPtr c = config();
    const RuntimePtr rt = m_engine ? m_engine->shared().snapshot() : nullptr;
    if (!c || !rt || !rt->serverTls || rt->serverTls->localCertificate().isNull())
        return std::nullopt;
    const QSslCertificate leaf = rt->serverTls->localCertificate();
    ServedCertificate out;
    out.names = leaf.subjectAlternativeNames().values(QSsl::DnsEntry);
    out.subject = leaf.subjectDisplayName();
    out.issuer = leaf.issuerDisplayName();
    out.serial = QString::fromLatin1(leaf.serialNumber());
    out.notBefore = leaf.effectiveDate();
    out.notAfter = leaf.expiryDate();
    const TlsConfig& tls = c->server.tls;
    QString ignored;
    const CertificateBundle acme =
        tls.acmeEnabled ? acme::loadCertificate(acme::storageDir(tls.acmeStorageDir), tls.acmeDomains, &ignored)
                        : CertificateBundle();
    out.source = !acme.isNull() && acme.chain.first() == leaf ? QStringLiteral("acme")
                 : !tls.certPath.isEmpty()                    ? QStringLiteral("file")
                                                              : QStringLiteral("self-signed");
    return out;
}

QList<CertificateInfo> GatewayController::certificates() const {
    QList<CertificateInfo> out;
    const ConfigPtr c = config();
    if (!c || !c->server.tls.enabled || (c->server.tls.certPath.isEmpty() && !c->server.tls.acmeEnabled))
        return out; // a generated self-signed certificate is renewed by GemGate itself
    // The certificate served now (the configured files, or the ACME one once it is there).
    const RuntimePtr rt = m_engine->shared().snapshot();
    const QSslCertificate leaf = rt->serverTls ? rt->serverTls->localCertificate() : QSslCertificate();
    if (leaf.isNull())
        return out;
    const bool selfSigned = leaf.issuerDisplayName() == leaf.subjectDisplayName();
    if (selfSigned && c->server.tls.certPath.isEmpty())
        return out; // still waiting for the first ACME certificate
    const QString source = c->server.tls.acmeEnabled && !selfSigned
                               ? QStringLiteral("ACME (%1)").arg(c->server.tls.acmeDomains.join(QStringLiteral(", ")))
                               : c->server.tls.certPath;
    out.append({source, leaf.subjectDisplayName(), leaf.expiryDate()});
    return out;
}

qint64 GatewayController::quotaDayEndsMs(qint64 nowMs) {
    return nextPacificMidnightMs(nowMs);
}

QList<TrafficPoint> GatewayController::trafficHistory(int windowSeconds) const {
    // The time before this process's first start, read back from the usage records the first time anything asks
    // (the dashboard): not at start, and never in a headless gateway that nobody charts.
    if (!m_trafficReadBack) {
        if (UsageStore* store = m_keys->usageStore()) {
            m_traffic.readBack(*store, QDateTime::currentMSecsSinceEpoch());
            m_trafficReadBack = true;
        }
    }
    return m_traffic.window(QDateTime::currentMSecsSinceEpoch(),
                            qBound(1, windowSeconds, TrafficHistory::kKeepSeconds));
}

QHash<QString, KeyActivity> GatewayController::keyActivity(qint64 nowMs) const {
    UsageStore* store = m_keys->usageStore();
    if (!store || !m_engine)
        return {};
    return m_keyActivity.read(*store, nowMs);
}

PerfWindow::Stats GatewayController::performance(int windowSeconds) const {
    return m_perf.stats(windowSeconds);
}

QList<ErrorGroup> GatewayController::recentErrors(qint64 sinceMs) const {
    UsageStore* store = m_keys->usageStore();
    if (!store)
        return {};
    store->flush();
    return store->errorGroups(sinceMs);
}

LogPage GatewayController::logs(const LogQuery& query) const {
    UsageStore* store = m_keys->usageStore();
    if (!store)
        return {};
    store->flush();
    return store->logs(query);
}

bool GatewayController::isReady(QString* reason) const {
    if (!m_engine) {
        *reason = QStringLiteral("the gateway is stopped");
        return false;
    }
    if (m_state == GatewayState::Draining) {
        *reason = QStringLiteral("the gateway is draining");
        return false;
    }
    const KeyPoolSummary k = m_engine->shared().keys.summary();
    if (k.available > 0)
        return true;
    *reason = k.total == 0 ? QStringLiteral("no upstream key is configured")
                           : QStringLiteral("no upstream key can take a request now (%1 cooling down, %2 disabled)")
                                 .arg(k.coolingDown)
                                 .arg(k.disabled);
    return false;
}

QByteArray GatewayController::redactedConfigText(int* version) const {
    if (version)
        *version = m_configVersion;
    const ConfigPtr c = config();
    if (!c || m_configText.isEmpty())
        return {};
    return redactConfigText(m_configText, *c);
}

QList<ConfigVersion> GatewayController::configHistory(int limit, int beforeVersion) const {
    ConfigHistory* h = history();
    return h ? h->list(limit, beforeVersion) : QList<ConfigVersion>();
}

std::optional<QByteArray> GatewayController::redactedConfigVersion(int version, QString* error) const {
    ConfigHistory* h = history();
    if (!h) {
        *error = QStringLiteral("no state database is open");
        return std::nullopt;
    }
    const std::optional<QByteArray> bytes = h->content(version, error);
    if (!bytes)
        return std::nullopt;
    // Redacted with the secrets of that version, which needs it parsed: ${VAR}s are filled with a stand-in (an
    // old version may name a variable that is gone; the reference is all the text shows anyway). A version that does
    // not parse is not shown at all rather than shown with its secrets.
    const EnvLookup standIn = [](const QString&) { return std::optional<QString>(QString(64, QLatin1Char('x'))); };
    const ConfigLoadResult r =
        loadConfigText(*bytes, m_configPath.isEmpty() ? QStringLiteral("config.yaml") : m_configPath, standIn);
    if (!r.config) {
        *error = QStringLiteral("version %1 no longer parses, so its secrets cannot be found to redact them: it is not "
                                "shown (a rollback to it is still possible, and validates it)")
                     .arg(version);
        return std::nullopt;
    }
    QByteArray out = redactConfigText(*bytes, *r.config);
    if (const ConfigPtr c = config())
        out = redactConfigText(out, *c);
    return out;
}

QStringList ConfigApplyResult::issueLines() const {
    QStringList out;
    for (const ConfigIssue& issue : issues)
        out.append(issue.toString());
    return out;
}

QStringList GatewayController::checkConfigText(const QByteArray& text) const {
    const ConfigPtr running = config();
    QString error;
    const std::optional<QByteArray> restored =
        running ? restoreConfigSecrets(text, *running, &error) : std::optional<QByteArray>(text);
    if (!restored)
        return {error};
    const QString name = m_configPath.isEmpty() ? QStringLiteral("config.yaml") : m_configPath;
    QStringList out;
    for (const ConfigIssue& issue : loadConfigText(*restored, name).errors)
        out.append(issue.toString());
    return out;
}

ConfigApplyResult GatewayController::applyConfigText(const QByteArray& text, const QString& who, int ifVersion,
                                                     const QString& source) {
    ConfigApplyResult res;
    if (!m_engine) {
        res.status = 409;
        res.error = QStringLiteral("the gateway is not running");
        return res;
    }
    if (ifVersion > 0 && ifVersion != m_configVersion) {
        res.status = 409;
        res.error = QStringLiteral("version %1 is no longer in force (version %2 is): fetch the config again")
                        .arg(ifVersion)
                        .arg(m_configVersion);
        return res;
    }
    QString error;
    const std::optional<QByteArray> restored = restoreConfigSecrets(text, *config(), &error);
    if (!restored) {
        res.status = 400;
        res.error = error;
        return res;
    }
    return applyValidated(*restored, who, source, QString());
}

std::optional<QByteArray> GatewayController::editConfigText(const QByteArray& text, const QList<YamlEdit>& edits,
                                                            QString* error) const {
    return applyYamlEdits(text, edits, error);
}

ConfigApplyResult GatewayController::rollbackConfig(int version, const QString& who) {
    ConfigApplyResult res;
    ConfigHistory* h = history();
    if (!m_engine || !h) {
        res.status = 409;
        res.error = QStringLiteral("the gateway is not running");
        return res;
    }
    QString error;
    const std::optional<QByteArray> bytes = h->content(version, &error);
    if (!bytes) {
        res.status = h->version(version) ? 500 : 404;
        res.error = error;
        return res;
    }
    return applyValidated(*bytes, who, QStringLiteral("rollback"),
                          QStringLiteral("rollback to version %1").arg(version));
}

ConfigApplyResult GatewayController::applyValidated(const QByteArray& text, const QString& who, const QString& source,
                                                    const QString& comment) {
    ConfigApplyResult res;
    const QString name = m_configPath.isEmpty() ? QStringLiteral("config.yaml") : m_configPath;
    const ConfigLoadResult r = loadConfigText(text, name);
    if (!r.ok()) {
        ++m_reloadsFailed;
        res.status = 400;
        res.issues = r.errors;
        res.error = QStringLiteral("the config has %1 error(s); nothing was changed").arg(r.errors.size());
        Q_EMIT message(QStringLiteral("config from %1 rejected:\n%2").arg(who, r.errorText()));
        return res;
    }
    // The file first (atomically), so that a restart or a SIGHUP reads what is in force; put back if the swap fails.
    const QByteArray before = m_configText;
    auto writeFile = [this](const QByteArray& bytes, QString* err) {
        if (m_configPath.isEmpty())
            return true;
        QSaveFile f(m_configPath);
        if (!f.open(QIODevice::WriteOnly) || !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
            f.write(bytes) != bytes.size() || !f.commit()) {
            *err = QStringLiteral("cannot write %1: %2").arg(m_configPath, f.errorString());
            return false;
        }
        return true;
    };
    QString error;
    if (!writeFile(text, &error)) {
        ++m_reloadsFailed;
        res.status = 500;
        res.error = error;
        return res;
    }
    m_loadedHash = QCryptographicHash::hash(text, QCryptographicHash::Sha256); // the watcher need not reload it
    if (!reload(r.config, &error)) {
        QString ignored;
        writeFile(before, &ignored);
        m_loadedHash = QCryptographicHash::hash(before, QCryptographicHash::Sha256);
        res.status = 400;
        res.error = error;
        return res;
    }
    res.ok = true;
    res.version = recordVersion(text, who, source, comment);
    for (const ConfigIssue& w : r.warnings)
        res.warnings.append(w.toString());
    if (!m_adminProblem.isEmpty())
        res.warnings.append(m_adminProblem);
    return res;
}

QString GatewayController::adminUrl() const {
    if (!m_admin || !m_admin->isListening())
        return {};
    const QString host = m_admin->host().contains(QLatin1Char(':'))
                             ? QLatin1Char('[') + m_admin->host() + QLatin1Char(']')
                             : m_admin->host();
    return QStringLiteral("http://%1:%2").arg(host).arg(m_admin->port());
}

void GatewayController::applyAdmin(const Config& config) {
    const AdminConfig& a = config.admin;
    m_adminProblem.clear();
    if (!a.enabled) {
        if (m_admin) {
            // This may run inside an admin request (PUT /api/config turning the listener off): the server and its
            // connections go once control is back in the event loop, not under the request's feet.
            m_admin->closeSoon();
            m_admin.reset();
            Q_EMIT message(QStringLiteral("admin listener closed (admin.enabled: false)"));
        }
        return;
    }
    QString error;
    QString token = a.token;
    if (token.isEmpty()) {
        const QString path = !a.tokenFile.isEmpty() ? a.tokenFile
                             : m_keys->database()
                                 ? QFileInfo(m_keys->database()->path()).absolutePath() + QStringLiteral("/admin-token")
                                 : QString();
        if (!path.isEmpty())
            token = loadOrCreateToken(path, &error);
        if (token.isEmpty()) {
            m_adminProblem =
                QStringLiteral("admin API disabled: %1").arg(error.isEmpty() ? QStringLiteral("no token") : error);
            Q_EMIT message(m_adminProblem);
        }
    }
    m_adminToken = token;
    if (!m_admin) {
        if (!m_adminFactory) {
            m_adminProblem = QStringLiteral("admin API not available in this process (no admin endpoint attached)");
            Q_EMIT message(m_adminProblem);
            return;
        }
        m_admin = m_adminFactory(*this);
    }
    m_admin->setToken(token);
    const quint16 port = config.metrics.prometheusPort;
    if (m_admin->isListening() && m_admin->host() == a.host && (port == 0 || m_admin->port() == port))
        return;
    if (!m_admin->listen(a.host, port, &error)) {
        m_adminProblem = error; // the config is in force all the same; the old admin socket (if any) keeps listening
        Q_EMIT message(error);
        return;
    }
    Q_EMIT message(QStringLiteral("admin listener on %1 (/metrics, /health, /ready; admin API with the admin token)")
                       .arg(adminUrl()));
}

} // namespace gemgate
