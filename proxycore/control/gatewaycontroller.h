#pragma once

// GatewayController: the one seam the desktop window and the headless main talk to.
//
// It lives in the thread that created it (the GUI or main thread), owns the listener thread and the worker
// threads, publishes the config snapshot and, once a second, sums the workers' counters into one
// MetricsSnapshot (metricsUpdated). Nothing here is called per request.

#include "clients/clientstore.h"
#include "config/config.h"
#include "config/configloader.h"
#include "config/yamledit.h"
#include "control/acmemanager.h"
#include "control/adminendpoint.h"
#include "control/keyactivity.h"
#include "control/keyintake.h"
#include "control/traffichistory.h"
#include "keys/keypool.h"
#include "metrics/perfwindow.h"
#include "storage/confighistory.h"
#include "storage/usagestore.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

class QFileSystemWatcher;
class QTimer;

namespace gemgate {

class AdminEndpoint;
class Engine;
class KeyManager;
struct NewKey;

enum class GatewayState { Stopped, Running, Draining };

struct MetricsSnapshot {
    QDateTime at;
    qint64 requestsTotal = 0;   // completed requests (any status)
    qint64 errorsTotal = 0;     // completed requests with status >= 400 or a broken stream
    qint64 upstreamRetries = 0; // requests sent again on another key
    qint64 bytesIn = 0;         // request bytes read from clients
    qint64 bytesOut = 0;        // response bytes written to clients
    qint64 promptTokens = 0;    // from usageMetadata
    qint64 outputTokens = 0;    // candidates + thoughts
    qint64 thoughtsTokens = 0;  // part of outputTokens
    qint64 clientErrors = 0;    // finished requests by outcome (metrics/outcome.h); the rest were answered
    qint64 rejected = 0;
    qint64 upstreamErrors = 0;
    int activeConnections = 0;
    int activeRequests = 0;
    int activeStreams = 0;
    double requestsPerSecond = 0; // over the last interval
    TrafficPoint traffic;         // the last interval as the dashboard draws it (set by the controller)
};

// The outcome of PUT /api/config or a rollback.
struct ConfigApplyResult {
    bool ok = false;
    int status = 200;          // HTTP status for the admin API: 400 invalid, 404 unknown version, 409, 500
    int version = 0;           // the version now in force
    QList<ConfigIssue> issues; // every validation error (with field paths) when rejected
    // issues, each as "file:line:column: field.path: message"
    QStringList issueLines() const;
    QString error;        // one-line summary when rejected
    QStringList warnings; // applied, but: config warnings, an admin listener that could not move
};

struct KeySummary {
    int total = 0;
    int available = 0;
    int coolingDown = 0;
    int disabled = 0;
};

// What the tray shows: stopped; running with every key fine; degraded (some keys cooling down, at a limit, disabled
// by Gemini or without their secret; keys the user turned off do not count); down (running, but no key can take a
// request).
enum class GatewayHealth { Stopped, Running, Degraded, Down };

struct HealthReport {
    GatewayHealth health = GatewayHealth::Stopped;
    int total = 0;
    int ready = 0;
    int coolingDown = 0;
    int limited = 0;
    int disabled = 0; // by the pool after Gemini's answer
    int noSecret = 0;
    int userOff = 0;
    QString notReadyReason; // when Down: why no key can take a request
};

// One day/month quota of a client or namespace and its use in the current period (as last checked).
struct QuotaUse {
    QString scope; // "client:<name>", "namespace:<name>", "ip:<address>" or "global"
    QString limit; // "tokens_per_day", "requests_per_day", "tokens_per_month", "requests_per_month"
    qint64 used = 0;
    qint64 max = 0;
};

// An issued client with its use today and this month (limits.time_zone's days) against its quotas.
struct ClientUsage {
    ClientRecord client;
    LimitSet effective; // its own limits over limits.clients.<name> over limits.client_default
    qint64 requestsToday = 0, tokensToday = 0;
    qint64 requestsMonth = 0, tokensMonth = 0;
};

// A certificate the HTTPS listener serves.
// The certificate the HTTPS listener serves now.
struct ServedCertificate {
    QStringList names; // DNS names (SANs)
    QString subject;
    QString issuer;
    QString serial;
    QDateTime notBefore;
    QDateTime notAfter;
    QString source; // "acme", "file" or "self-signed"
};

struct CertificateInfo {
    QString path;
    QString subject;
    QDateTime expiresAt;
};

// The stable name of a key's health, as the admin API reports it: ready, cooling_down, limited, disabled,
// user_disabled, no_secret.
QString keyHealthLabel(KeyHealth health);

class GatewayController : public QObject {
    Q_OBJECT
public:
    explicit GatewayController(QObject* parent = nullptr);
    ~GatewayController() override;

    // What the admin listener is made with (admin/adminservice.h: attachAdminApi). Without it, admin.enabled
    // reports that the admin API is not available in this process.
    void setAdminEndpointFactory(AdminEndpointFactory factory) { m_adminFactory = std::move(factory); }

    // The file start() and reload() read. Empty => start() needs an explicit config.
    void setConfigPath(const QString& path);
    QString configPath() const;

    // Loads the config file and starts listening. On failure returns false with a message that says what to
    // fix; nothing keeps running.
    bool start(QString* error);
    // Starts with an in-memory config (tests, embedding).
    bool start(std::shared_ptr<Config> config, QString* error);

    // Stops at once: closes the listener and every connection.
    void stop();
    // Stops accepting, lets in-flight requests and streams finish for up to timeoutMs, then stops; emits
    // drained() when done (at once if nothing is in flight).
    void drainAndStop(int timeoutMs);

    // Re-reads the config file and swaps it in atomically. A config that fails validation is rejected with all
    // its errors in *error and the running one keeps serving. While running from a file, the file is also watched:
    // a change on disk (also an editor's save-by-rename) reloads it after a short settling delay, when its
    // content actually changed.
    // source names the trigger in the config history ("file", "sighup", "reload").
    bool reload(QString* error, const QString& source = QStringLiteral("reload"));
    // Swaps in an in-memory config (tests). A change of server.host/port moves the listener (the new socket listens
    // before the old one closes; accepted connections are not touched); workers and tls.enabled need a restart.
    bool reload(std::shared_ptr<Config> config, QString* error);

    GatewayState state() const { return m_state; }
    bool isRunning() const { return m_state != GatewayState::Stopped; }
    ConfigPtr config() const;
    // "http://127.0.0.1:8080" (or https); empty when stopped.
    QString listenUrl() const;
    quint16 boundPort() const;
    // The snapshot published by the last metricsUpdated().
    MetricsSnapshot metrics() const { return m_last; }
    // Sums the workers' counters now (tests, /health); not for per-request use.
    MetricsSnapshot currentMetrics() const;
    KeySummary keySummary() const;
    // The state and the keys' health in one (reads every key's status: once a second at most).
    HealthReport health() const;
    // The same from statuses just read with keyStatuses() (one read a second serves the tray and its notifier).
    HealthReport health(const QList<KeyStatus>& statuses) const;
    // The day/month quotas the policy has checked since start, with their use today / this month.
    QList<QuotaUse> quotaUses() const;
    // The certificates the HTTPS listener serves (empty without TLS or when stopped).
    QList<CertificateInfo> certificates() const;

    // Upstream keys: state, remaining budget, last error (empty when stopped).
    QList<KeyStatus> keyStatuses() const;
    // Adds a key: the secret goes to the chosen store (keychain or an owner-only file), the key to the state
    // database, then the pool reloads. done(ok, message) runs on this thread.
    void addKey(const NewKey& key, std::function<void(bool ok, const QString& message)> done);
    // Removes a key added from the window (and its stored secret).
    void removeKey(const QString& id, std::function<void(bool ok, const QString& message)> done);
    // Turns a key on or off (kept across restarts). Turning it on also clears a disable by the pool.
    bool setKeyEnabled(const QString& id, bool enabled, QString* error);
    // The window's note and tags of a key (kept in the state database; shown in KeyStatus.note / noteTags).
    bool setKeyNote(const QString& id, const QString& note, const QStringList& tags, QString* error);
    // Bulk intake: every key in the text, each once, marked when the pool already has it.
    KeyScan scanForKeys(const QString& text) const;
    // Checks each secret with a models list call against the upstream, a few at a time; each(index, probe) as the
    // answers come and finished() after the last, on this thread; nothing is called once `context` is destroyed
    // (closing the dialog cancels the checks). False (*error) when the gateway is not running.
    bool probeKeys(const QList<QByteArray>& secrets, QObject* context, std::function<void(int, const KeyProbe&)> each,
                   std::function<void()> finished, QString* error);
    // Adds the keys one after the other and reloads once: done(added ids, "id: error" for the rest).
    void addKeys(const QList<NewKey>& keys,
                 std::function<void(const QStringList& added, const QStringList& errors)> done);
    // Validates a key now with a models list call; the answer comes as keyTested().
    void testKey(const QString& id);
    // The state database in use (empty when stopped).
    QString databasePath() const;
    KeyManager* keyManager() const { return m_keys; }
    // server.tls.acme's state (also the HTTP responder's port, 0 when it does not listen).
    AcmeStatus acmeStatus() const { return m_acme->status(); }
    quint16 acmeHttpPort() const { return m_acme->httpPort(); }
    // What HTTPS serves now; nullopt without a TLS listener.
    std::optional<ServedCertificate> servedCertificate() const;

    // The key a local program presents: the first of the running config's auth.client_keys (the one the first-run
    // config generated). Empty when stopped, when authentication is off or when the config lists none. For the
    // window to show on request; never logged.
    QString localClientKey() const;

    // Client keys issued by GemGate (`gemgate clients ...`), in the state database. They work while the gateway is
    // stopped too, once a start has opened the database; without one they fail with a plain error (lists: empty).
    // Every change reaches the running gateway at once and emits clientsChanged(). An issued key is returned here
    // once and appears in no log or signal. idOrName: the client's id ("c-...") or its name.
    QList<ClientRecord> clients() const;
    std::optional<IssuedClient> addClient(const NewClient& client, QString* error);
    bool setClientEnabled(const QString& idOrName, bool enabled, QString* error);
    std::optional<IssuedClient> rotateClient(const QString& idOrName, QString* error);
    bool removeClient(const QString& idOrName, QString* error);
    // Replaces the client's own limits (unset fields: limits.clients / client_default decide) and IP rules (CIDR).
    bool setClientPolicy(const QString& idOrName, const LimitSet& limits, const QStringList& ipAllow,
                         const QStringList& ipDeny, QString* error);
    bool setClientNamespace(const QString& idOrName, const QString& nameSpace, QString* error);
    // Every issued client with its use today and this month (admitted requests, total tokens) and the limits that
    // apply to it. Empty without a database.
    QList<ClientUsage> clientUsage() const;
    // The daily usage roll-ups, grouped as asked; records the gateway queued so far are included.
    QList<UsageSummaryRow> usage(const UsageQuery& query) const;

    // ---- operations: what the admin API (and the window) reads and changes ----
    // Everything the gateway measures, in the Prometheus text format.
    QByteArray prometheusMetrics() const;
    // Requests per second and latency / TTFB percentiles over the last windowSeconds (60, 300, 3600).
    PerfWindow::Stats performance(int windowSeconds) const;
    // The dashboard's points of the last windowSeconds (at most an hour), oldest first: one per second while
    // running, 10-second points read back from the usage records for the time before the first start.
    QList<TrafficPoint> trafficHistory(int windowSeconds) const;
    // When Gemini's daily quotas (RPD) next start again: the next midnight in America/Los_Angeles after nowMs.
    static qint64 quotaDayEndsMs(qint64 nowMs);
    // Each key's requests and errors per hour over the last 24 hours (from the usage records; the current hour
    // re-read at most once a minute). Empty while stopped or without usage records.
    QHash<QString, KeyActivity> keyActivity(qint64 nowMs) const;
    // Errors since sinceMs grouped by kind, and the request log (both from the usage records; empty without them).
    QList<ErrorGroup> recentErrors(qint64 sinceMs) const;
    LogPage logs(const LogQuery& query) const;
    // At least one upstream key can take a request now and the gateway is not draining; *reason says why not.
    bool isReady(QString* reason) const;

    // The running config's text (the file as applied), with every literal secret replaced by a placeholder that
    // applyConfigText() puts back. Empty when GemGate runs from an in-memory config.
    QByteArray redactedConfigText(int* version) const;
    // Validates the text and, when it is valid, writes it to the config file atomically and swaps it in; the
    // applied text becomes a new version in the history (who: e.g. "admin api (127.0.0.1)"). When anything is
    // wrong nothing changes and the result lists every error. ifVersion > 0: only when that version is in force.
    // source names the trigger in the history ("admin-api", "window").
    ConfigApplyResult applyConfigText(const QByteArray& text, const QString& who, int ifVersion = 0,
                                      const QString& source = QStringLiteral("admin-api"));
    // Validates a config text as applyConfigText() would (placeholders of redacted secrets put back), without
    // applying it: every problem as "file:line:column: field.path: message"; empty when it is valid.
    QStringList checkConfigText(const QByteArray& text) const;
    // The text with the edits made in place (the Settings page's forms): comments, order and untouched values stay
    // as written. nullopt and *error ("server.port: ...") when an edit cannot be made safely; the result is not
    // validated (applyConfigText() does that).
    std::optional<QByteArray> editConfigText(const QByteArray& text, const QList<YamlEdit>& edits,
                                             QString* error) const;
    // Applies the exact bytes of an earlier version (a new version in the history, comment "rollback to N").
    ConfigApplyResult rollbackConfig(int version, const QString& who);
    QList<ConfigVersion> configHistory(int limit, int beforeVersion) const;
    std::optional<QByteArray> redactedConfigVersion(int version, QString* error) const;
    qint64 reloadsOk() const { return m_reloadsOk; }
    qint64 reloadsFailed() const { return m_reloadsFailed; }

    // The admin listener: "http://127.0.0.1:9090" (empty when off or not bound) and its token (for the window;
    // never logged).
    QString adminUrl() const;
    QString adminToken() const { return m_adminToken; }

Q_SIGNALS:
    void stateChanged(gemgate::GatewayState state);
    void metricsUpdated(const gemgate::MetricsSnapshot& snapshot);
    void drained();
    // Human-readable operational messages (start, stop, reload results) for the window's log / stderr.
    void message(const QString& text);
    void keysChanged();
    void keyTested(const QString& id, bool ok, const QString& message);
    // An issued client was added, changed or removed through this controller.
    void clientsChanged();

private:
    void setState(GatewayState s);
    void sampleMetrics();
    // The open client store, or null with *error set.
    ClientStore* clientStoreOr(QString* error) const;
    // After a change: the running gateway's client directory re-reads the database; clientsChanged().
    void clientsUpdated();
    // Watches the config file (and its directory, for saves that replace the file) while running from it.
    void watchConfigFile();
    void configFileTouched();

    // The config history in the open state database (made when first needed, and again if the database changes).
    ConfigHistory* history() const;
    // Records the text now in force as a version; returns its number (0 without a database).
    int recordVersion(const QByteArray& text, const QString& who, const QString& source, const QString& comment = {});
    // Starts, moves or stops the admin listener to match the config; resolves the admin token.
    void applyAdmin(const Config& config);
    // Feeds the performance windows; returns what the workers measured since the last call.
    PerfWindow::Totals samplePerformance();
    // The traffic point of the interval that ends with snapshot s (m_last: the one before).
    TrafficPoint trafficPoint(const MetricsSnapshot& s, const PerfWindow::Totals& interval);
    ConfigApplyResult applyValidated(const QByteArray& text, const QString& who, const QString& source,
                                     const QString& comment);

    QByteArray m_configText; // the bytes of the config in force (file-based configs)
    int m_configVersion = 0;
    mutable std::unique_ptr<ConfigHistory> m_history;
    mutable StateDb* m_historyDb = nullptr;
    AdminEndpointFactory m_adminFactory;
    std::unique_ptr<AdminEndpoint> m_admin;
    QString m_adminToken;
    QString m_adminProblem; // why the admin listener or API is not as configured ("" when it is)
    PerfWindow m_perf;
    mutable TrafficHistory m_traffic; // the read-back part is added on the first trafficHistory()
    mutable bool m_trafficReadBack = false;
    mutable KeyActivityCache m_keyActivity;
    QHash<QString, quint64> m_keyAttempts; // upstream attempts per key since start, as of the last sample
    qint64 m_reloadsOk = 0;
    qint64 m_reloadsFailed = 0;

    QFileSystemWatcher* m_watcher = nullptr;
    QTimer* m_watchTimer = nullptr;
    QByteArray m_loadedHash; // SHA-256 of the config file's bytes when last loaded

    QString m_configPath;
    std::shared_ptr<Config> m_baseConfig; // the last config given or loaded, before managed keys were added
    std::unique_ptr<Engine> m_engine;
    GatewayState m_state = GatewayState::Stopped;
    MetricsSnapshot m_last;
    QTimer* m_metricsTimer = nullptr;
    QTimer* m_drainTimer = nullptr;
    KeyManager* m_keys = nullptr;
    AcmeManager* m_acme = nullptr;
};

} // namespace gemgate

Q_DECLARE_METATYPE(gemgate::MetricsSnapshot)
Q_DECLARE_METATYPE(gemgate::GatewayState)
