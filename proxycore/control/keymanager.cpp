#include "control/keymanager.h"

#include "clients/clientstore.h"
#include "gemini/errorclass.h"
#include "runtime/runtime.h"
#include "secrets/secretstore.h"
#include "storage/keynotes.h"
#include "storage/statedb.h"
#include "storage/usagestore.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QStandardPaths>
#include <QTimer>

namespace gemgate {

namespace {
constexpr int kSecretTimeoutMs = 8000;
constexpr int kHealthCheckTimeoutMs = 15'000;
constexpr int kHealthTickMs = 15'000;

QString dataDir() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QLatin1String("/gemgate");
}

bool validKeyId(const QString& id) {
    if (id.isEmpty() || id.size() > 64)
        return false;
    return std::all_of(id.begin(), id.end(),
                       [](QChar c) { return c.isLetterOrNumber() || c == u'-' || c == u'_' || c == u'.'; });
}
} // namespace

KeyManager::KeyManager(QObject* parent)
    : QObject(parent)
    , m_persistTimer(new QTimer(this))
    , m_healthTimer(new QTimer(this)) {
    m_persistTimer->setInterval(1000);
    connect(m_persistTimer, &QTimer::timeout, this, &KeyManager::persist);
    m_healthTimer->setInterval(kHealthTickMs);
    connect(m_healthTimer, &QTimer::timeout, this, &KeyManager::runHealthChecks);
}

KeyManager::~KeyManager() {
    detach();
}

bool KeyManager::open(const Config& config, QString* error, QStringList* notes) {
    const QString path = databasePathFor(config);
    m_configDir = config.sourcePath.isEmpty() ? QDir::currentPath() : QFileInfo(config.sourcePath).absolutePath();
    if (m_db && path == m_dbPath)
        return true;
    if (m_db && m_shared) {
        // The running engine writes pins and state into the open database from its worker threads: switching
        // files under it is a restart's job.
        if (notes)
            notes->append(QStringLiteral("storage.database changed: restart GemGate to use %1 (still using %2)")
                              .arg(QDir::cleanPath(path), m_dbPath));
        return true;
    }
    QString err;
    std::unique_ptr<StateDb> db = StateDb::open(path, &err);
    if (!db) {
        *error = QStringLiteral("storage.database: %1").arg(err);
        return false;
    }
    m_clients.reset();
    m_usage.reset();
    m_notes.reset();
    m_db = std::move(db);
    m_dbPath = path;
    m_clients = std::make_unique<ClientStore>(m_db.get());
    m_usage = std::make_unique<UsageStore>(m_db.get());
    m_notes = std::make_unique<KeyNotes>(m_db.get());
    m_noteCache = m_notes->load();
    m_clientsVersion = -1;
    return true;
}

QString KeyManager::databasePath() const {
    return m_dbPath;
}

std::shared_ptr<Config> KeyManager::withManagedKeys(const std::shared_ptr<Config>& config, QStringList* notes) const {
    if (!m_db)
        return config;
    const QList<ManagedKeyRow> rows = m_db->loadManagedKeys();
    if (rows.isEmpty())
        return config;
    auto merged = std::make_shared<Config>(*config);
    for (const ManagedKeyRow& row : rows) {
        const bool clash = std::any_of(merged->gemini.apiKeys.cbegin(), merged->gemini.apiKeys.cend(),
                                       [&row](const UpstreamKey& k) { return k.id == row.keyId; });
        if (clash) {
            if (notes)
                notes->append(QStringLiteral("key '%1' added in the window is shadowed by a config key with the same "
                                             "id; the config key is used")
                                  .arg(row.keyId));
            continue;
        }
        UpstreamKey k;
        k.id = row.keyId;
        k.label = row.label;
        k.secretRef = row.secretRef;
        k.weight = qMax(1, row.weight);
        k.project = row.project;
        k.models = row.models;
        k.managed = true;
        merged->gemini.apiKeys.append(k);
    }
    return merged;
}

void KeyManager::attach(SharedState* shared) {
    m_shared = shared;
    ++m_generation;
    if (m_db) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        shared->keys.restore(m_db->loadKeyStates(), m_db->loadDayCounters(pacificDayKey(now)),
                             m_db->loadProjectCooldowns(now));
        shared->pins.setDatabase(m_db.get());
        shared->pins.load(m_db->loadPins());
        m_db->prune(pacificDayKey(now - 40LL * 24 * 3600 * 1000), now - 8LL * 24 * 3600 * 1000);
        // Daily and monthly quotas go on where they were (the usage roll-ups of this month).
        QList<PolicyRestoreRow> totals;
        for (const QuotaTotalRow& r : m_usage->quotaTotals(shared->policy.monthStart()))
            totals.append(PolicyRestoreRow{r.day, r.client, r.nameSpace, r.admitted, r.totalTokens});
        shared->policy.restore(totals);
        shared->usage.store(m_usage.get(), std::memory_order_release);
        pruneUsage();
    }
    if (!m_resolver)
        m_resolver = new SecretResolver(m_configDir, kSecretTimeoutMs, this);
    if (!m_nam)
        m_nam = new QNetworkAccessManager(this);
    refreshClients();
    m_persistTimer->start();
    scheduleHealthChecks();
    resolveMissingSecrets();
}

void KeyManager::scheduleHealthChecks() {
    // Look for due checks often enough for short intervals (tests, impatient users), at most every 15 s.
    const int interval = m_shared->snapshot()->config->gemini.keyPool.healthCheckSeconds;
    if (interval <= 0) {
        m_healthTimer->stop();
        return;
    }
    m_healthTimer->start(qBound(500, interval * 500, kHealthTickMs));
}

void KeyManager::resolveMissingSecrets(bool all) {
    if (!m_shared)
        return;
    scheduleHealthChecks();
    const RuntimePtr rt = m_shared->snapshot();
    QList<SecretRef> refs;
    QStringList ids;
    for (const UpstreamKey& k : rt->config->gemini.apiKeys) {
        if (k.secretRef.isEmpty() || m_resolving.contains(k.id))
            continue;
        const std::optional<KeyStatus> st = m_shared->keys.status(k.id);
        if (!st || (!all && st->health != KeyHealth::NoSecret))
            continue;
        QString err;
        const std::optional<SecretRef> ref = SecretRef::parse(k.secretRef, &err);
        if (!ref) {
            m_shared->keys.setSecretError(k.id, err);
            continue;
        }
        refs.append(*ref);
        ids.append(k.id);
    }
    if (refs.isEmpty())
        return;
    m_resolving += ids;
    QPointer<KeyManager> self(this);
    SharedState* shared = m_shared;
    const quint64 generation = m_generation;
    QStringList refTexts;
    for (const SecretRef& ref : std::as_const(refs))
        refTexts.append(ref.toString());
    m_resolver->resolve(
        refs,
        [self, shared, ids, generation, refTexts](int i, const SecretResult& r) {
            if (!self || self->m_generation != generation)
                return;
            self->m_resolving.removeAll(ids[i]);
            // The key may have been reconfigured to another reference while this one was read.
            const std::optional<KeyStatus> now = shared->keys.status(ids[i]);
            if (!now || now->secretSource != refTexts[i]) {
                self->resolveMissingSecrets();
                return;
            }
            if (r.ok) {
                shared->keys.setSecret(ids[i], r.value);
            } else if (now->health != KeyHealth::NoSecret) {
                // A re-read after a reload failed: the key keeps the secret it has.
                Q_EMIT self->message(
                    QStringLiteral("upstream key '%1': could not re-read its secret, keeping the one loaded: %2")
                        .arg(ids[i], r.error));
            } else {
                shared->keys.setSecretError(ids[i], r.error);
                Q_EMIT self->message(QStringLiteral("upstream key '%1' is not available: %2").arg(ids[i], r.error));
            }
        },
        [self] {
            if (self)
                Q_EMIT self->keysChanged();
        });
}

void KeyManager::detach() {
    if (!m_shared)
        return;
    persist();
    m_persistTimer->stop();
    m_healthTimer->stop();
    m_shared->pins.setDatabase(nullptr);
    m_shared->usage.store(nullptr, std::memory_order_release);
    m_shared = nullptr;
    ++m_generation; // answers still on their way belong to the engine that is gone
    m_resolving.clear();
    if (m_db)
        m_db->flush();
}

void KeyManager::refreshClients() {
    if (!m_shared || !m_clients)
        return;
    m_clientsVersion = m_clients->dataVersion();
    m_shared->clients.replace(m_clients->list());
}

void KeyManager::persist() {
    if (!m_shared)
        return;
    // Every other second: has another process (the clients CLI) changed the issued client keys?
    if (m_clients && ++m_ticks % 2 == 0 && m_clients->dataVersion() != m_clientsVersion)
        refreshClients();
    if (m_ticks % 60 == 0)
        m_shared->policy.prune();
    if (m_ticks % 3600 == 0)
        pruneUsage();
    for (const QString& event : m_shared->keys.takeEvents())
        Q_EMIT message(QStringLiteral("key pool: %1").arg(event));
    if (!m_db)
        return;
    const KeyPoolDelta d = m_shared->keys.takeDelta();
    if (d.isEmpty())
        return;
    if (!d.states.isEmpty())
        m_db->saveKeyStates(d.states);
    if (!d.counters.isEmpty())
        m_db->addDayCounters(d.counters);
    if (!d.cooldowns.isEmpty())
        m_db->saveProjectCooldowns(d.cooldowns);
}

void KeyManager::pruneUsage() {
    if (!m_shared || !m_usage)
        return;
    const UsageConfig& u = m_shared->snapshot()->config->usage;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QString oldestDay = QDate::fromString(m_shared->policy.today(), Qt::ISODate)
                                  .addDays(-u.aggregateRetentionDays)
                                  .toString(Qt::ISODate);
    m_usage->prune(now - qint64(u.retentionDays) * 24 * 3600 * 1000, oldestDay);
}

QString KeyManager::databasePathFor(const Config& config) {
    return config.storage.database.isEmpty() ? dataDir() + QLatin1String("/gemgate.db") : config.storage.database;
}

QString KeyManager::secretLocation(const QString& id, SecretBackend backend) {
    switch (backend) {
    case SecretBackend::Keychain:
        return QStringLiteral("upstream-") + id;
    case SecretBackend::File:
        return dataDir() + QStringLiteral("/keys/") + id + QStringLiteral(".key");
    case SecretBackend::Env:
        break;
    }
    return QString();
}

QList<KeyStatus> KeyManager::statuses() const {
    QList<KeyStatus> out = m_shared ? m_shared->keys.statuses() : QList<KeyStatus>();
    for (KeyStatus& s : out) {
        const auto it = m_noteCache.constFind(s.id);
        if (it != m_noteCache.constEnd()) {
            s.note = it->note;
            s.noteTags = it->tags;
        }
    }
    return out;
}

bool KeyManager::setNote(const QString& id, const QString& note, const QStringList& tags, QString* error) {
    if (!m_shared || !m_notes || !m_shared->keys.contains(id)) {
        *error = QStringLiteral("no key '%1'").arg(id);
        return false;
    }
    KeyNote n;
    n.note = note.trimmed().left(500);
    for (const QString& t : tags) {
        const QString tag = t.trimmed().left(40);
        if (!tag.isEmpty() && !n.tags.contains(tag))
            n.tags.append(tag);
    }
    if (n.isEmpty())
        m_noteCache.remove(id);
    else
        m_noteCache.insert(id, n);
    m_notes->save(id, n);
    Q_EMIT keysChanged();
    return true;
}

QString KeyManager::checkNewKey(const NewKey& key) const {
    if (!m_db || !m_resolver)
        return QStringLiteral("start the gateway before adding keys");
    if (!validKeyId(key.id))
        return QStringLiteral("the key id must be 1-64 letters, digits, '-', '_' or '.', got \"%1\"")
            .arg(key.id.left(80));
    if (m_shared && m_shared->keys.contains(key.id))
        return QStringLiteral("a key with the id \"%1\" already exists").arg(key.id);
    const QByteArray secret = key.secret.trimmed();
    if (secret.isEmpty() || secret.contains(' ') || secret.contains('\n'))
        return QStringLiteral("the API key is empty or contains spaces");
    if (key.backend == SecretBackend::Env)
        return QStringLiteral(
            "env: keys cannot be added from here; reference them in the config file (secret: env:VAR)");
    return {};
}

void KeyManager::storeKey(const NewKey& key, std::function<void(bool, const QString&)> done) {
    SecretRef ref;
    ref.backend = key.backend;
    ref.name = secretLocation(key.id, key.backend);
    SecretStore* store = m_resolver->store(key.backend);
    QPointer<KeyManager> self(this);
    store->write(ref.name, key.secret.trimmed(), [self, key, ref, done](const SecretResult& r) {
        if (!self)
            return;
        if (!r.ok) {
            done(false, r.error);
            return;
        }
        ManagedKeyRow row;
        row.keyId = key.id;
        row.label = key.label.isEmpty() ? key.id : key.label;
        row.secretRef = ref.toString();
        row.weight = qMax(1, key.weight);
        row.project = key.project;
        row.models = key.models;
        row.createdAtMs = QDateTime::currentMSecsSinceEpoch();
        self->m_db->saveManagedKey(row);
        self->m_db->flush();
        Q_EMIT self->message(
            QStringLiteral("added upstream key '%1' (secret in %2)")
                .arg(key.id, ref.backend == SecretBackend::Keychain ? QStringLiteral("the keychain") : ref.name));
        done(true, QString());
    });
}

void KeyManager::addKey(const NewKey& key, std::function<void(bool, const QString&)> done) {
    if (const QString error = checkNewKey(key); !error.isEmpty()) {
        done(false, error);
        return;
    }
    QPointer<KeyManager> self(this);
    storeKey(key, [self, done](bool ok, const QString& message) {
        if (self && ok) {
            Q_EMIT self->reloadNeeded();
            Q_EMIT self->keysChanged();
        }
        done(ok, message);
    });
}

void KeyManager::addKeys(QList<NewKey> keys, std::function<void(const QStringList&, const QStringList&)> done) {
    // One after the other (a keychain write is asynchronous), then one reload for all of them.
    struct Batch {
        QList<NewKey> keys;
        QStringList added, errors;
        std::function<void(const QStringList&, const QStringList&)> done;
        std::function<void()> next;
    };
    auto batch = std::make_shared<Batch>();
    batch->keys = std::move(keys);
    batch->done = std::move(done);
    QPointer<KeyManager> self(this);
    batch->next = [self, b = std::weak_ptr<Batch>(batch)] {
        const std::shared_ptr<Batch> current = b.lock();
        if (!self || !current)
            return;
        if (current->keys.isEmpty()) {
            if (!current->added.isEmpty()) {
                Q_EMIT self->reloadNeeded();
                Q_EMIT self->keysChanged();
            }
            current->done(current->added, current->errors);
            current->next = nullptr; // lets the batch go
            return;
        }
        const NewKey key = current->keys.takeFirst();
        if (const QString error = self->checkNewKey(key); !error.isEmpty()) {
            current->errors.append(key.id + QStringLiteral(": ") + error);
            current->next();
            return;
        }
        self->storeKey(key, [current, id = key.id](bool ok, const QString& message) {
            if (ok)
                current->added.append(id);
            else
                current->errors.append(id + QStringLiteral(": ") + message);
            if (current->next)
                current->next();
        });
    };
    batch->next();
}

void KeyManager::removeKey(const QString& id, std::function<void(bool, const QString&)> done) {
    if (!m_db || !m_resolver) {
        done(false, QStringLiteral("the gateway is not running"));
        return;
    }
    const QList<ManagedKeyRow> rows = m_db->loadManagedKeys();
    const auto it = std::find_if(rows.cbegin(), rows.cend(), [&id](const ManagedKeyRow& r) { return r.keyId == id; });
    if (it == rows.cend()) {
        done(false, m_shared && m_shared->keys.contains(id)
                        ? QStringLiteral("key '%1' is defined in the config file; remove it there (or turn it off "
                                         "here)")
                              .arg(id)
                        : QStringLiteral("no key '%1'").arg(id));
        return;
    }
    m_db->removeManagedKey(id);
    m_noteCache.remove(id);
    m_notes->save(id, KeyNote{});
    m_db->flush();
    Q_EMIT reloadNeeded();
    Q_EMIT keysChanged();
    QString err;
    const std::optional<SecretRef> ref = SecretRef::parse(it->secretRef, &err);
    if (!ref || ref->backend == SecretBackend::Env) {
        done(true, QString());
        return;
    }
    QPointer<KeyManager> self(this);
    m_resolver->store(ref->backend)->remove(ref->name, [self, id, done](const SecretResult& r) {
        if (!self)
            return;
        if (!r.ok && !r.notFound) {
            // The key is gone from GemGate; only its stored secret could not be deleted.
            Q_EMIT self->message(
                QStringLiteral("removed key '%1', but its secret could not be deleted: %2").arg(id, r.error));
        } else {
            Q_EMIT self->message(QStringLiteral("removed upstream key '%1'").arg(id));
        }
        done(true, QString());
    });
}

bool KeyManager::setEnabled(const QString& id, bool enabled, QString* error) {
    const std::optional<KeyStatus> st = m_shared ? m_shared->keys.status(id) : std::nullopt;
    if (enabled && st && !st->configEnabled) {
        *error = QStringLiteral("key '%1' has enabled: false in the config file; change it there and reload").arg(id);
        return false;
    }
    if (!m_shared || !m_shared->keys.setUserEnabled(id, enabled)) {
        *error = QStringLiteral("no key '%1'").arg(id);
        return false;
    }
    persist();
    Q_EMIT message(QStringLiteral("upstream key '%1' %2")
                       .arg(id, enabled ? QStringLiteral("turned on") : QStringLiteral("turned off")));
    Q_EMIT keysChanged();
    return true;
}

void KeyManager::testKey(const QString& id) {
    const std::optional<HealthCheckTarget> t = m_shared ? m_shared->keys.target(id) : std::nullopt;
    if (!t) {
        Q_EMIT keyTested(id, false,
                         m_shared && m_shared->keys.contains(id) ? QStringLiteral("the key's secret is not loaded")
                                                                 : QStringLiteral("no key '%1'").arg(id));
        return;
    }
    check(*t, true);
}

void KeyManager::runHealthChecks() {
    if (!m_shared)
        return;
    const int interval = m_shared->snapshot()->config->gemini.keyPool.healthCheckSeconds;
    if (interval <= 0)
        return;
    for (const HealthCheckTarget& t : m_shared->keys.dueForHealthCheck(qint64(interval) * 1000))
        check(t, false);
}

std::optional<QNetworkRequest> KeyManager::modelsListRequest(const QByteArray& secret, const QUrl& keyProxy,
                                                             QNetworkProxy* proxy) const {
    if (!m_shared)
        return std::nullopt;
    const RuntimePtr rt = m_shared->snapshot();
    QUrl url = rt->upstreamOrigin;
    url.setPath(QString::fromUtf8(rt->upstreamPathPrefix) + QStringLiteral("/v1beta/models"));
    url.setQuery(QStringLiteral("pageSize=1"));
    QNetworkRequest req(url);
    req.setRawHeader("x-goog-api-key", secret);
    req.setRawHeader("Accept-Encoding", "identity");
    req.setTransferTimeout(kHealthCheckTimeoutMs);
    if (rt->upstreamTls)
        req.setSslConfiguration(*rt->upstreamTls);
    const QUrl proxyUrl = keyProxy.isEmpty() ? rt->config->gemini.proxy : keyProxy;
    *proxy =
        proxyUrl.isEmpty()
            ? QNetworkProxy(QNetworkProxy::NoProxy)
            : QNetworkProxy(proxyUrl.scheme().startsWith(QLatin1String("socks")) ? QNetworkProxy::Socks5Proxy
                                                                                 : QNetworkProxy::HttpProxy,
                            proxyUrl.host(), quint16(proxyUrl.port(1080)), proxyUrl.userName(), proxyUrl.password());
    return req;
}

void KeyManager::check(const HealthCheckTarget& target, bool onDemand) {
    QNetworkProxy proxy;
    const std::optional<QNetworkRequest> req = modelsListRequest(target.secret, target.proxy, &proxy);
    if (!req)
        return;
    m_nam->setProxy(proxy);
    QNetworkReply* reply = m_nam->get(*req);
    QPointer<KeyManager> self(this);
    SharedState* shared = m_shared;
    const quint64 generation = m_generation;
    const QString id = target.id;
    connect(reply, &QNetworkReply::finished, this, [self, shared, generation, reply, id, onDemand] {
        reply->deleteLater();
        if (!self || self->m_generation != generation)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll().left(64 * 1024);
        bool ok = false;
        QString text;
        ClassifiedError error;
        if (status == 200) {
            ok = true;
            text = QStringLiteral("the key works (models list answered 200)");
            shared->keys.reportHealthCheck(id, true, error);
        } else if (status == 0) {
            error = transientError(QStringLiteral("CONNECTION"), reply->errorString());
            text = QStringLiteral("could not reach Gemini: %1").arg(reply->errorString());
            shared->keys.reportHealthCheck(id, false, error);
        } else {
            error = classifyUpstreamError(status, body);
            text = QStringLiteral("HTTP %1 %2: %3")
                       .arg(status)
                       .arg(error.reason, QString::fromUtf8(shared->keys.redact(error.message.toUtf8())).left(300));
            shared->keys.reportHealthCheck(id, false, error);
        }
        self->persist();
        if (onDemand)
            Q_EMIT self->keyTested(id, ok, text);
        else if (ok)
            Q_EMIT self->message(QStringLiteral("upstream key '%1' passed its health check and is back").arg(id));
        Q_EMIT self->keysChanged();
    });
}

} // namespace gemgate
