#include "control/gatewaycontroller.h"

#include "config/configloader.h"
#include "control/engine.h"
#include "control/keymanager.h"
#include "net/fdlimit.h"
#include "storage/usagestore.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcControl, "gemgate.control")

namespace gemgate {

namespace {
// log.level: which of GemGate's own diagnostic categories (gemgate.*) print.
void applyLogLevel(const QString& level) {
    const int rank = level == QLatin1String("debug")     ? 0
                     : level == QLatin1String("warning") ? 2
                     : level == QLatin1String("error")   ? 3
                                                         : 1;
    auto on = [rank](int r) { return r >= rank ? QLatin1String("true") : QLatin1String("false"); };
    QLoggingCategory::setFilterRules(
        QStringLiteral("gemgate.*.debug=%1\ngemgate.*.info=%2\ngemgate.*.warning=%3").arg(on(0), on(1), on(2)));
}
} // namespace

QString keyHealthLabel(KeyHealth health) {
    return QString::fromLatin1(keyHealthName(health));
}

GatewayController::GatewayController(QObject* parent)
    : QObject(parent)
    , m_metricsTimer(new QTimer(this))
    , m_drainTimer(new QTimer(this))
    , m_keys(new KeyManager(this)) {
    qRegisterMetaType<gemgate::MetricsSnapshot>();
    qRegisterMetaType<gemgate::GatewayState>();
    m_metricsTimer->setInterval(1000);
    connect(m_metricsTimer, &QTimer::timeout, this, &GatewayController::sampleMetrics);
    m_drainTimer->setInterval(50);
    connect(m_keys, &KeyManager::message, this, &GatewayController::message);
    connect(m_keys, &KeyManager::keysChanged, this, &GatewayController::keysChanged);
    connect(m_keys, &KeyManager::keyTested, this, &GatewayController::keyTested);
    m_acme = new AcmeManager(this);
    connect(m_acme, &AcmeManager::message, this, &GatewayController::message);
    // A new ACME certificate: a reload builds a runtime that serves it to new handshakes.
    connect(m_acme, &AcmeManager::certificateStored, this, [this] {
        if (!m_engine || !m_baseConfig)
            return;
        QString error;
        reload(m_baseConfig, &error);
    });
    connect(m_keys, &KeyManager::reloadNeeded, this, [this] {
        if (!m_engine || !m_baseConfig)
            return;
        QString error;
        reload(m_baseConfig, &error);
    });
}

GatewayController::~GatewayController() {
    stop();
}

void GatewayController::setConfigPath(const QString& path) {
    m_configPath = path;
}

QString GatewayController::configPath() const {
    return m_configPath;
}

namespace {
bool readConfigBytes(const QString& path, QByteArray* out, QString* error) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the config file %1: %2").arg(path, f.errorString());
        return false;
    }
    *out = f.readAll();
    return true;
}

// The open-file limit, raised as far as it goes, and whether max_connections fits under it.
void noteOpenFileLimit(const ServerConfig& server, QStringList* notes) {
    const OpenFileLimit fd = raiseOpenFileLimit();
    if (fd.now < 0)
        return; // no such limit here
    if (fd.now > fd.before)
        notes->append(QStringLiteral("open files: %1 (soft limit raised from %2)").arg(fd.now).arg(fd.before));
    else if (!fd.error.isEmpty())
        notes->append(QStringLiteral("open files: %1 (raising it to the hard limit %2 failed: %3)")
                          .arg(fd.now)
                          .arg(fd.hard)
                          .arg(fd.error));
    else
        notes->append(QStringLiteral("open files: %1 (the hard limit)").arg(fd.now));
    constexpr int kOwnDescriptors = 64; // files, databases, listeners, event loops
    if (fd.now < qint64(server.maxConnections) + kOwnDescriptors)
        notes->append(QStringLiteral("open files: server.max_connections is %1, more than this limit allows; beyond "
                                     "it new connections wait until others close (raise the hard limit, e.g. "
                                     "LimitNOFILE= in the systemd unit or ulimit -Hn)")
                          .arg(server.maxConnections));
}

QByteArray fileHash(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result();
}
} // namespace

bool GatewayController::start(QString* error) {
    QByteArray text;
    if (!readConfigBytes(m_configPath, &text, error))
        return false;
    const QByteArray hash = QCryptographicHash::hash(text, QCryptographicHash::Sha256);
    const ConfigLoadResult r = loadConfigText(text, m_configPath);
    for (const ConfigIssue& w : r.warnings)
        Q_EMIT message(QStringLiteral("config warning: %1").arg(w.toString()));
    if (!r.ok()) {
        *error = QStringLiteral("invalid config:\n%1").arg(r.errorText());
        return false;
    }
    if (!start(r.config, error))
        return false;
    m_loadedHash = hash;
    recordVersion(text, QStringLiteral("gemgate (start)"), QStringLiteral("start"));
    watchConfigFile();
    return true;
}

void GatewayController::watchConfigFile() {
    if (m_configPath.isEmpty())
        return;
    if (!m_watcher) {
        m_watcher = new QFileSystemWatcher(this);
        m_watchTimer = new QTimer(this);
        m_watchTimer->setSingleShot(true);
        m_watchTimer->setInterval(300); // editors write in several steps: reload once they are done
        connect(m_watcher, &QFileSystemWatcher::fileChanged, m_watchTimer, qOverload<>(&QTimer::start));
        connect(m_watcher, &QFileSystemWatcher::directoryChanged, m_watchTimer, qOverload<>(&QTimer::start));
        connect(m_watchTimer, &QTimer::timeout, this, &GatewayController::configFileTouched);
    }
    const QString dir = QFileInfo(m_configPath).absolutePath();
    if (!m_watcher->directories().contains(dir))
        m_watcher->addPath(dir);
    // A save by rename replaces the file: watch the new one.
    if (QFileInfo::exists(m_configPath) && !m_watcher->files().contains(m_configPath))
        m_watcher->addPath(m_configPath);
}

void GatewayController::configFileTouched() {
    if (!m_engine)
        return;
    watchConfigFile();
    const QByteArray hash = fileHash(m_configPath);
    if (hash.isEmpty() || hash == m_loadedHash)
        return; // removed for a moment, or touched without a change
    Q_EMIT message(QStringLiteral("config file changed on disk: reloading"));
    QString error;
    reload(&error, QStringLiteral("file")); // reports the outcome through message()
}

bool GatewayController::start(std::shared_ptr<Config> config, QString* error) {
    if (m_engine) {
        *error = QStringLiteral("the gateway is already running");
        return false;
    }
    if (!m_keys->open(*config, error))
        return false;
    QStringList notes;
    std::shared_ptr<Config> merged = m_keys->withManagedKeys(config, &notes);
    RuntimePtr rt = buildRuntime(merged, error, &notes);
    if (!rt)
        return false;
    applyLogLevel(config->log.level);
    noteOpenFileLimit(merged->server, &notes);
    auto engine = std::make_unique<Engine>();
    if (!engine->start(rt, error))
        return false;
    m_engine = std::move(engine);
    m_baseConfig = config;
    m_keys->attach(&m_engine->shared());
    for (const QString& n : notes)
        Q_EMIT message(n);
    m_last = MetricsSnapshot();
    m_perf.reset();
    m_keyAttempts.clear();
    m_configText.clear();
    m_configVersion = 0;
    m_metricsTimer->start();
    setState(GatewayState::Running);
    Q_EMIT message(QStringLiteral("listening on %1 (%2 upstream key(s))")
                       .arg(listenUrl())
                       .arg(m_engine->shared().keys.summary().total));
    applyAdmin(*config);
    m_acme->apply(config, boundPort());
    return true;
}

void GatewayController::stop() {
    m_drainTimer->stop();
    m_drainTimer->disconnect();
    if (!m_engine)
        return;
    m_metricsTimer->stop();
    if (m_watcher) {
        delete m_watcher; // stop watching until the next start()
        m_watcher = nullptr;
        delete m_watchTimer;
        m_watchTimer = nullptr;
    }
    m_admin.reset(); // the admin listener closes with the gateway
    m_acme->stop();
    m_engine->stop();
    m_keys->detach();
    m_engine.reset();
    m_last = MetricsSnapshot();
    setState(GatewayState::Stopped);
    Q_EMIT message(QStringLiteral("stopped"));
}

void GatewayController::drainAndStop(int timeoutMs) {
    if (!m_engine) {
        Q_EMIT drained();
        return;
    }
    m_engine->startDrain();
    setState(GatewayState::Draining);
    Q_EMIT message(QStringLiteral("draining: %1 request(s) in flight, waiting up to %2 ms")
                       .arg(m_engine->activeRequests())
                       .arg(timeoutMs));
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    m_drainTimer->disconnect();
    connect(m_drainTimer, &QTimer::timeout, this, [this, clock, timeoutMs] {
        if (!m_engine)
            return;
        const int active = m_engine->activeRequests();
        if (active > 0 && clock->elapsed() < timeoutMs)
            return;
        if (active > 0)
            Q_EMIT message(QStringLiteral("drain timeout: closing %1 request(s) still in flight").arg(active));
        stop();
        Q_EMIT drained();
    });
    m_drainTimer->start();
}

bool GatewayController::reload(QString* error, const QString& source) {
    QByteArray text;
    if (!readConfigBytes(m_configPath, &text, error)) {
        ++m_reloadsFailed;
        *error = QStringLiteral("reload rejected, the running config stays in force: %1").arg(*error);
        Q_EMIT message(*error);
        return false;
    }
    // Remembered even when the file is rejected: the watcher waits for the next change, not the same one again.
    m_loadedHash = QCryptographicHash::hash(text, QCryptographicHash::Sha256);
    const ConfigLoadResult r = loadConfigText(text, m_configPath);
    for (const ConfigIssue& w : r.warnings)
        Q_EMIT message(QStringLiteral("config warning: %1").arg(w.toString()));
    if (!r.ok()) {
        ++m_reloadsFailed;
        *error = QStringLiteral("reload rejected, the running config stays in force:\n%1").arg(r.errorText());
        Q_EMIT message(*error);
        return false;
    }
    if (!reload(r.config, error))
        return false;
    recordVersion(text,
                  source == QLatin1String("file") ? QStringLiteral("gemgate (config file changed)")
                                                  : QStringLiteral("gemgate (%1)").arg(source),
                  source);
    return true;
}

bool GatewayController::reload(std::shared_ptr<Config> config, QString* error) {
    if (!m_engine) {
        *error = QStringLiteral("the gateway is not running");
        return false;
    }
    QStringList notes;
    auto reject = [this, error] {
        ++m_reloadsFailed;
        *error = QStringLiteral("reload rejected, the running config stays in force: %1").arg(*error);
        Q_EMIT message(*error);
        return false;
    };
    if (!m_keys->open(*config, error, &notes))
        return reject();
    std::shared_ptr<Config> merged = m_keys->withManagedKeys(config, &notes);
    RuntimePtr rt = buildRuntime(merged, error, &notes);
    if (!rt)
        return reject();
    const ServerConfig& before = m_engine->shared().snapshot()->config->server;
    const ServerConfig& after = config->server;
    if (before.host != after.host || (after.port != 0 && before.port != after.port) || !m_engine->listening()) {
        // The new socket listens before the old one closes; connections already accepted carry on where they are.
        // A gateway that lost its socket in an earlier reload listens again even when the address is unchanged.
        if (!m_engine->rebind(after, m_engine->shared().snapshot()->serverTls != nullptr, error))
            return reject();
        notes.append(QStringLiteral("now listening on %1").arg(listenUrl()));
    }
    if (before.workers != after.workers || before.tls.enabled != after.tls.enabled)
        Q_EMIT message(QStringLiteral("server.workers/tls.enabled changed: restart GemGate to apply them"));
    m_engine->swap(rt);
    ++m_reloadsOk;
    applyAdmin(*config);
    m_acme->apply(config, boundPort());
    m_baseConfig = config;
    m_keys->resolveMissingSecrets(true);
    Q_EMIT keysChanged();
    applyLogLevel(config->log.level);
    for (const QString& n : notes)
        Q_EMIT message(n);
    Q_EMIT message(QStringLiteral("config reloaded (%1 upstream key(s))").arg(m_engine->shared().keys.summary().total));
    return true;
}

ConfigPtr GatewayController::config() const {
    return m_engine ? m_engine->shared().snapshot()->config : nullptr;
}

QString GatewayController::listenUrl() const {
    return m_engine ? m_engine->shared().listenUrl() : QString();
}

quint16 GatewayController::boundPort() const {
    return m_engine ? m_engine->port() : 0;
}

KeySummary GatewayController::keySummary() const {
    if (!m_engine)
        return {};
    const KeyPoolSummary s = m_engine->shared().keys.summary();
    return KeySummary{s.total, s.available, s.coolingDown, s.disabled};
}

QList<KeyStatus> GatewayController::keyStatuses() const {
    return m_engine ? m_keys->statuses() : QList<KeyStatus>();
}

void GatewayController::addKey(const NewKey& key, std::function<void(bool, const QString&)> done) {
    if (!m_engine) {
        done(false, QStringLiteral("start the gateway before adding keys"));
        return;
    }
    m_keys->addKey(key, std::move(done));
}

void GatewayController::removeKey(const QString& id, std::function<void(bool, const QString&)> done) {
    if (!m_engine) {
        done(false, QStringLiteral("start the gateway before removing keys"));
        return;
    }
    m_keys->removeKey(id, std::move(done));
}

bool GatewayController::setKeyEnabled(const QString& id, bool enabled, QString* error) {
    if (!m_engine) {
        *error = QStringLiteral("the gateway is not running");
        return false;
    }
    return m_keys->setEnabled(id, enabled, error);
}

bool GatewayController::setKeyNote(const QString& id, const QString& note, const QStringList& tags, QString* error) {
    if (!m_engine) {
        *error = QStringLiteral("the gateway is not running");
        return false;
    }
    return m_keys->setNote(id, note, tags, error);
}

void GatewayController::testKey(const QString& id) {
    if (!m_engine) {
        Q_EMIT keyTested(id, false, QStringLiteral("the gateway is not running"));
        return;
    }
    m_keys->testKey(id);
}

QString GatewayController::databasePath() const {
    return m_engine ? m_keys->databasePath() : QString();
}

QString GatewayController::localClientKey() const {
    const ConfigPtr c = config();
    if (!c || !c->auth.enabled || c->auth.clientKeys.isEmpty())
        return {};
    return c->auth.clientKeys.constFirst().key;
}

void GatewayController::setState(GatewayState s) {
    if (m_state == s)
        return;
    m_state = s;
    Q_EMIT stateChanged(s);
}

void GatewayController::sampleMetrics() {
    if (!m_engine)
        return;
    MetricsSnapshot s = m_engine->sample();
    if (m_last.at.isValid()) {
        const double secs = qMax<qint64>(1, m_last.at.msecsTo(s.at)) / 1000.0;
        s.requestsPerSecond = static_cast<double>(s.requestsTotal - m_last.requestsTotal) / secs;
    }
    s.traffic = trafficPoint(s, samplePerformance());
    m_traffic.append(s.traffic);
    m_last = s;
    Q_EMIT metricsUpdated(s);
}

MetricsSnapshot GatewayController::currentMetrics() const {
    return m_engine ? m_engine->sample() : MetricsSnapshot();
}

} // namespace gemgate
