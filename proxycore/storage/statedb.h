#pragma once

// GemGate's persistent state in one SQLite file (default <data dir>/gemgate/gemgate.db): key health, today's
// per-key counters, stateful-resource pins, keys added from the window. Later issues add usage records to it.
//
// One writer thread owns the connection: writes are queued and applied in batched transactions, so nothing on
// the request path waits for the disk. Reads are for start-up and management (they run on the writer thread and
// block the caller until done). WAL mode, synchronous=NORMAL, file mode 0600. Thread-safe.

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <future>
#include <memory>

class QSqlDatabase;

namespace gemgate {

struct KeyStateRow {
    QString keyId;
    bool userDisabled = false; // turned off by the user (window / admin API)
    QString disabledReason;    // set when the pool disabled the key (e.g. "API_KEY_INVALID: API key not valid")
    qint64 disabledAtMs = 0;
    qint64 cooldownUntilMs = 0; // key-wide cooldown end (ms since epoch), 0 = none
    QString cooldownReason;
    QString lastError; // redacted text of the last failure
    qint64 lastErrorAtMs = 0;
    qint64 lastSuccessAtMs = 0;
};

// Requests and input tokens one key sent for one model on one Pacific day ("2026-11-23").
struct KeyDayCounterRow {
    QString keyId;
    QString model; // "" for requests that name no model
    QString day;
    qint64 requests = 0;
    qint64 tokens = 0;
};

// A project x model cooldown (per-minute or per-day 429), so that a restart does not hammer a cooling project.
struct ProjectCooldownRow {
    QString project;
    QString model;
    qint64 untilMs = 0;
    QString reason;
};

// A stateful upstream resource ("files/abc", "cachedContents/xyz", "batches/123", "upload/<upload_id>") and the
// key that created it.
struct ResourcePinRow {
    QString name;
    QString keyId;
    QString project;
    qint64 createdAtMs = 0;
};

// A key added from the window or admin API (keys from the config file are not stored here). The secret itself is
// in a SecretStore; secretRef says where ("keychain:<name>", "file:<path>", "env:<VAR>").
struct ManagedKeyRow {
    QString keyId;
    QString label;
    QString secretRef;
    int weight = 1;
    QString project;
    QStringList models;
    qint64 createdAtMs = 0;
};

// Creates every missing directory of dir, each with mode 0700 (GemGate's data directories hold secrets). False with
// *cause naming the directory when one cannot be made or a part of the path is not a directory.
bool makePrivateDirs(const QString& dir, QString* cause);

class StateDb {
public:
    // Opens (creating the file, its directory and the schema when missing) and starts the writer thread.
    // Returns null with *error naming the path and the cause.
    static std::unique_ptr<StateDb> open(const QString& path, QString* error);
    ~StateDb(); // applies every queued write, then closes
    StateDb(const StateDb&) = delete;
    StateDb& operator=(const StateDb&) = delete;

    QString path() const;

    // ---- reads (block the caller until the writer thread has answered) ----
    QList<KeyStateRow> loadKeyStates();
    QList<KeyDayCounterRow> loadDayCounters(const QString& day);
    QList<ProjectCooldownRow> loadProjectCooldowns(qint64 nowMs); // only those still running
    QList<ResourcePinRow> loadPins();
    QList<ManagedKeyRow> loadManagedKeys();

    // ---- writes (queued; return at once) ----
    void saveKeyStates(const QList<KeyStateRow>& rows);               // upsert by keyId
    void addDayCounters(const QList<KeyDayCounterRow>& deltas);       // adds to the stored values (upsert)
    void saveProjectCooldowns(const QList<ProjectCooldownRow>& rows); // upsert by (project, model)
    void savePin(const ResourcePinRow& row);
    void removePin(const QString& name);
    void saveManagedKey(const ManagedKeyRow& row);
    void removeManagedKey(const QString& keyId); // also removes its key_state row
    // Deletes day counters older than keepDays and pins older than maxAgeMs (housekeeping, once a day).
    void prune(const QString& oldestDayToKeep, qint64 pinsCreatedBeforeMs);

    // Runs fn on the writer thread inside the current batch's transaction (for later issues' tables).
    void post(std::function<void(QSqlDatabase&)> fn);
    // Blocks until everything queued so far is committed.
    void flush();
    // Runs fn on the writer thread (after everything queued before) and returns its result. Blocks; never call it
    // from the writer thread itself.
    template <typename T> T call(std::function<T(QSqlDatabase&)> fn) {
        auto promise = std::make_shared<std::promise<T>>();
        std::future<T> result = promise->get_future();
        post([promise, fn = std::move(fn)](QSqlDatabase& db) { promise->set_value(fn(db)); });
        flush();
        return result.get();
    }

private:
    StateDb(); // use open()
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace gemgate
