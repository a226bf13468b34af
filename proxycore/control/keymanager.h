#pragma once

// KeyManager: the key pool's life outside the request path, on the controller's thread. It owns the state
// database, loads secrets from their stores (keychain jobs are asynchronous; the gateway starts with the keys it
// has and the others join when their secret arrives), restores and persists key state once a second, runs the
// scheduled health checks of disabled / resting keys, and carries out the window's key actions.

#include "config/config.h"
#include "keys/keypool.h"
#include "secrets/secretstore.h" // SecretBackend: part of this API (the UI chooses a store with it)

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkProxy;
class QNetworkRequest;
class QTimer;

namespace gemgate {

class ClientStore;
class KeyNotes;
struct KeyNote;
class SecretResolver;
class UsageStore;
class StateDb;
struct SharedState;

// A key added from the window or the admin API.
struct NewKey {
    QString id;
    QString label;
    QByteArray secret; // goes to the chosen store, never to the config or the database
    SecretBackend backend;
    int weight = 1;
    QString project;
    QStringList models;
};

class KeyManager : public QObject {
    Q_OBJECT
public:
    explicit KeyManager(QObject* parent = nullptr);
    ~KeyManager() override;

    // Opens the state database named by the config (default <data dir>/gemgate/gemgate.db). Reopened only when
    // the path changes.
    // While attached to a running engine the open database stays (a changed path is noted in *notes: restart).
    bool open(const Config& config, QString* error, QStringList* notes = nullptr);
    // A copy of `config` with the keys added from the window appended (a config key with the same id wins).
    std::shared_ptr<Config> withManagedKeys(const std::shared_ptr<Config>& config, QStringList* notes) const;
    // Binds to a freshly started engine: restores key state and pins, loads secrets, starts the timers.
    void attach(SharedState* shared);
    // After a reload: loads the secrets of keys that have none yet, and re-reads the health check interval.
    // all: re-read every referenced secret (a reload: a key may have been rotated in the keychain or its file).
    void resolveMissingSecrets(bool all = false);
    // Persists, stops the timers and lets go of the engine (its pool is about to be destroyed).
    void detach();
    // Writes what changed in the pool since the last call (also called by the 1 s timer).
    void persist();
    StateDb* database() const { return m_db.get(); }
    // Client keys issued by GemGate, in the same database (null until open()).
    ClientStore* clientStore() const { return m_clients.get(); }
    // Usage records and their daily roll-ups, in the same database (null until open()).
    UsageStore* usageStore() const { return m_usage.get(); }
    // Reloads the gateway's client directory from the database (also done when another process, e.g. the
    // `gemgate clients` CLI, changed it).
    void refreshClients();
    QString databasePath() const;

    QList<KeyStatus> statuses() const;
    // The state database a config names: storage.database, else <data dir>/gemgate/gemgate.db.
    static QString databasePathFor(const Config& config);
    // Where addKey() puts the secret of a key with this id: keychain entry "upstream-<id>", or the 0600 file
    // <data dir>/gemgate/keys/<id>.key.
    static QString secretLocation(const QString& id, SecretBackend backend);
    // Stores the secret, records the key and reloads; done(ok, message) on this thread.
    void addKey(const NewKey& key, std::function<void(bool ok, const QString& message)> done);
    // Adds several keys one after the other and reloads once; done(added ids, "id: error" for the others).
    void addKeys(QList<NewKey> keys, std::function<void(const QStringList& added, const QStringList& errors)> done);
    // A models list call made with `secret` against the upstream in force (its TLS settings; the key's egress
    // proxy, else gemini.proxy, in *proxy). nullopt while no engine is attached.
    std::optional<QNetworkRequest> modelsListRequest(const QByteArray& secret, const QUrl& keyProxy,
                                                     QNetworkProxy* proxy) const;
    // Keys added from the window only (config keys are removed in the config file).
    void removeKey(const QString& id, std::function<void(bool ok, const QString& message)> done);
    bool setEnabled(const QString& id, bool enabled, QString* error);
    // The window's note and tags of a key (any key in the pool); empty ones clear them.
    bool setNote(const QString& id, const QString& note, const QStringList& tags, QString* error);
    // Checks the key with a models list call now; emits keyTested.
    void testKey(const QString& id);
    // Runs the scheduled health checks that are due (also called by its timer).
    void runHealthChecks();

Q_SIGNALS:
    void message(const QString& text);
    void keysChanged();
    void keyTested(const QString& id, bool ok, const QString& message);
    // The set of managed keys changed: the controller reloads so that the pool sees it.
    void reloadNeeded();

private:
    // Why a key cannot be added ("" when it can).
    QString checkNewKey(const NewKey& key) const;
    // Writes the secret to its store and records the key (no reload).
    void storeKey(const NewKey& key, std::function<void(bool ok, const QString& message)> done);
    void check(const HealthCheckTarget& target, bool onDemand);
    void scheduleHealthChecks();
    // Deletes usage records and roll-ups older than usage.retention_days / aggregate_retention_days.
    void pruneUsage();

    std::unique_ptr<StateDb> m_db;
    std::unique_ptr<ClientStore> m_clients; // declared after m_db: destroyed before it
    std::unique_ptr<UsageStore> m_usage;
    std::unique_ptr<KeyNotes> m_notes;
    QHash<QString, KeyNote> m_noteCache;
    qint64 m_clientsVersion = -1;
    int m_ticks = 0;
    QString m_dbPath;
    QString m_configDir;
    SharedState* m_shared = nullptr;
    SecretResolver* m_resolver = nullptr;
    QNetworkAccessManager* m_nam = nullptr;
    QTimer* m_persistTimer = nullptr;
    QTimer* m_healthTimer = nullptr;
    QStringList m_resolving;  // key ids whose secret is being read
    quint64 m_generation = 0; // bumped on attach/detach: late answers for an old engine are dropped
};

} // namespace gemgate
