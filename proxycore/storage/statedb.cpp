#include "storage/statedb.h"

#include "storage/sqltext.h"

#include "storage/schema.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include <pthread.h>
#include <sys/stat.h>
#include <sys/types.h>

namespace gemgate {

namespace {
Q_LOGGING_CATEGORY(lcState, "gemgate.state")

// A batch collects the writes queued during this long after the first one (unless a read or flush() asks sooner).
constexpr auto kBatchDelay = std::chrono::milliseconds(100);
constexpr int kBusyTimeoutMs = 5000;

constexpr QFile::Permissions kFilePerms = QFile::ReadOwner | QFile::WriteOwner;

QString errnoText(int err) {
    return QString::fromLocal8Bit(std::strerror(err));
}

// Runs one statement; on failure logs what failed (the operation and SQLite's message, never bound values).
bool exec(QSqlQuery& q, const char* what) {
    if (q.exec())
        return true;
    qCWarning(lcState, "%s failed: %s", what, qUtf8Printable(sqlText(q.lastError())));
    return false;
}

bool exec(QSqlDatabase& db, const QString& sql, const char* what, QString* error = nullptr) {
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    if (error)
        *error = sqlText(q.lastError());
    else
        qCWarning(lcState, "%s failed: %s", what, qUtf8Printable(sqlText(q.lastError())));
    return false;
}

QString modelsToText(const QStringList& models) {
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(models)).toJson(QJsonDocument::Compact));
}

QStringList modelsFromText(const QString& s) {
    QStringList out;
    const QJsonArray array = QJsonDocument::fromJson(s.toUtf8()).array();
    for (const QJsonValue& v : array)
        out.append(v.toString());
    return out;
}

struct Task {
    bool barrier = false; // reads and flushes: everything queued before is committed before fn runs
    std::function<void(QSqlDatabase&)> fn;
};

} // namespace

bool makePrivateDirs(const QString& dir, QString* cause) {
    QString existing = QDir::cleanPath(dir);
    QStringList missing;
    while (!QFileInfo::exists(existing)) {
        missing.prepend(existing);
        const QString parent = QFileInfo(existing).path();
        if (parent == existing)
            break;
        existing = parent;
    }
    if (QFileInfo::exists(existing) && !QFileInfo(existing).isDir()) {
        *cause = QStringLiteral("%1 is not a directory").arg(QDir::toNativeSeparators(existing));
        return false;
    }
    for (const QString& d : std::as_const(missing)) {
        if (::mkdir(QFile::encodeName(d).constData(), 0700) != 0 && errno != EEXIST) {
            *cause =
                QStringLiteral("cannot create directory %1: %2").arg(QDir::toNativeSeparators(d), errnoText(errno));
            return false;
        }
    }
    return true;
}

struct StateDb::Private {
    QString path;
    QString connectionName;
    std::thread thread;
    std::thread::id writerId;
    QSqlDatabase* db = nullptr; // the writer thread's connection; only touched on that thread

    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Task> queue; // guarded by mutex
    int queuedBarriers = 0; // guarded by mutex
    bool stopping = false;  // guarded by mutex

    void run(const std::shared_ptr<std::promise<QString>>& opened);
    QString setUp(QSqlDatabase& connection);
    QString createSchema(QSqlDatabase& connection);
    void loop();
    void execBatch(std::deque<Task>& batch);

    void enqueue(Task task) {
        {
            std::lock_guard lock(mutex);
            if (task.barrier)
                ++queuedBarriers;
            queue.push_back(std::move(task));
        }
        wake.notify_one();
    }

    void write(std::function<void(QSqlDatabase&)> fn) { enqueue(Task{false, std::move(fn)}); }

    template <typename T> T read(std::function<T(QSqlDatabase&)> fn) {
        if (std::this_thread::get_id() == writerId) // from inside post(): already on the writer thread
            return fn(*db);
        auto promise = std::make_shared<std::promise<T>>();
        std::future<T> result = promise->get_future();
        enqueue(Task{true, [promise, fn = std::move(fn)](QSqlDatabase& c) { promise->set_value(fn(c)); }});
        return result.get();
    }

    QString failure(const QString& cause) const {
        return QStringLiteral("state database %1: %2").arg(QDir::toNativeSeparators(path), cause);
    }
};

void StateDb::Private::run(const std::shared_ptr<std::promise<QString>>& opened) {
    QString error;
    {
        QSqlDatabase connection = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
        error = setUp(connection);
        if (error.isEmpty()) {
            db = &connection;
            opened->set_value(QString());
            loop();
            db = nullptr;
        }
        connection.close();
    }
    // Every QSqlDatabase object of the connection is gone: it can be removed without a warning.
    QSqlDatabase::removeDatabase(connectionName);
    if (!error.isEmpty())
        opened->set_value(error);
}

QString StateDb::Private::setUp(QSqlDatabase& connection) {
    if (!connection.isValid())
        return failure(QStringLiteral("the Qt SQLite driver (QSQLITE) is not available; install libqt6sql6-sqlite"));

    const QFileInfo info(path);
    QString cause;
    if (!makePrivateDirs(info.absolutePath(), &cause))
        return failure(cause);
    if (info.exists()) {
        if (info.isDir())
            return failure(QStringLiteral("is a directory, not a file"));
        if (!info.isReadable() || !info.isWritable())
            return failure(QStringLiteral("the file is not readable and writable by this user"));
    } else {
        // Create it empty with mode 0600 before SQLite opens it, so that it is never readable by others.
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, kFilePerms))
            return failure(QStringLiteral("cannot create the file: %1").arg(file.errorString()));
    }

    connection.setDatabaseName(path);
    if (!connection.open())
        return failure(QStringLiteral("cannot open: %1").arg(sqlText(connection.lastError())));

    QString sqlError;
    if (!exec(connection, QStringLiteral("PRAGMA busy_timeout = %1").arg(kBusyTimeoutMs), "busy_timeout", &sqlError))
        return failure(QStringLiteral("cannot configure the connection: %1").arg(sqlError));
    // The first read of the file: fails with "file is not a database" for anything but SQLite.
    if (!exec(connection, QStringLiteral("SELECT count(*) FROM sqlite_master"), "probe", &sqlError))
        return failure(QStringLiteral("not a usable SQLite database (%1)").arg(sqlError));

    // It is ours: owner-only, also for a file created by an older build or by hand, and its WAL files.
    for (const QString& f : QStringList{path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm")}) {
        if (QFileInfo::exists(f) && !QFile::setPermissions(f, kFilePerms))
            qCWarning(lcState, "cannot set mode 0600 on %s", qUtf8Printable(QDir::toNativeSeparators(f)));
    }

    {
        QSqlQuery q(connection);
        if (!q.exec(QStringLiteral("PRAGMA journal_mode = WAL")))
            return failure(QStringLiteral("cannot enable WAL: %1").arg(sqlText(q.lastError())));
        if (q.next() && q.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            qCWarning(lcState, "state database %s: WAL not available on this file system (journal mode %s)",
                      qUtf8Printable(QDir::toNativeSeparators(path)), qUtf8Printable(q.value(0).toString()));
    }
    if (!exec(connection, QStringLiteral("PRAGMA synchronous = NORMAL"), "synchronous", &sqlError) ||
        !exec(connection, QStringLiteral("PRAGMA foreign_keys = ON"), "foreign_keys", &sqlError))
        return failure(QStringLiteral("cannot configure the connection: %1").arg(sqlError));

    return createSchema(connection);
}

QString StateDb::Private::createSchema(QSqlDatabase& connection) {
    const QString error = migrateSchema(connection);
    return error.isEmpty() ? QString() : failure(error);
}

void StateDb::Private::loop() {
    std::unique_lock lock(mutex);
    for (;;) {
        wake.wait(lock, [this] { return stopping || !queue.empty(); });
        if (queue.empty())
            return; // stopping, and everything has been applied
        if (!stopping && queuedBarriers == 0)
            wake.wait_for(lock, kBatchDelay, [this] { return stopping || queuedBarriers > 0; });
        std::deque<Task> batch;
        batch.swap(queue);
        queuedBarriers = 0;
        lock.unlock();
        execBatch(batch);
        lock.lock();
    }
}

void StateDb::Private::execBatch(std::deque<Task>& batch) {
    bool inTransaction = false;
    auto commit = [this, &inTransaction] {
        if (!inTransaction)
            return;
        inTransaction = false;
        if (!db->commit()) {
            qCWarning(lcState, "commit failed: %s", qUtf8Printable(sqlText(db->lastError())));
            db->rollback();
        }
    };
    for (Task& task : batch) {
        if (task.barrier) {
            commit();
        } else if (!inTransaction) {
            inTransaction = db->transaction();
            if (!inTransaction) // the writes still apply, one by one
                qCWarning(lcState, "cannot start a transaction: %s", qUtf8Printable(sqlText(db->lastError())));
        }
        try {
            task.fn(*db);
        } catch (const std::exception& e) {
            qCWarning(lcState, "a queued state update threw: %s", e.what());
        } catch (...) {
            qCWarning(lcState, "a queued state update threw");
        }
    }
    commit();
}

StateDb::StateDb()
    : d(std::make_unique<Private>()) {}

std::unique_ptr<StateDb> StateDb::open(const QString& path, QString* error) {
    auto fail = [error](const QString& message) -> std::unique_ptr<StateDb> {
        if (error)
            *error = message;
        return nullptr;
    };
    if (path.isEmpty())
        return fail(QStringLiteral("state database: no path given"));

    static std::atomic<quint64> counter{0};
    std::unique_ptr<StateDb> db(new StateDb);
    Private* p = db->d.get();
    p->path = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    p->connectionName = QStringLiteral("gemgate-statedb-%1").arg(counter.fetch_add(1) + 1);

    auto opened = std::make_shared<std::promise<QString>>();
    std::future<QString> result = opened->get_future();
    p->thread = std::thread([p, opened] {
        pthread_setname_np(pthread_self(), "gemgate-db");
        p->run(opened);
    });
    p->writerId = p->thread.get_id();
    const QString message = result.get();
    if (!message.isEmpty()) {
        p->thread.join();
        return fail(message);
    }
    return db;
}

StateDb::~StateDb() {
    if (!d || !d->thread.joinable())
        return;
    {
        std::lock_guard lock(d->mutex);
        d->stopping = true;
    }
    d->wake.notify_all();
    d->thread.join();
}

QString StateDb::path() const {
    return d->path;
}

// ---- reads ----

QList<KeyStateRow> StateDb::loadKeyStates() {
    return d->read<QList<KeyStateRow>>([](QSqlDatabase& db) {
        QList<KeyStateRow> rows;
        QSqlQuery q(db);
        q.setForwardOnly(true);
        q.prepare(QStringLiteral("SELECT key_id, user_disabled, disabled_reason, disabled_at_ms, cooldown_until_ms, "
                                 "cooldown_reason, last_error, last_error_at_ms, last_success_at_ms "
                                 "FROM key_state ORDER BY key_id"));
        if (!exec(q, "loadKeyStates"))
            return rows;
        while (q.next()) {
            KeyStateRow r;
            r.keyId = q.value(0).toString();
            r.userDisabled = q.value(1).toLongLong() != 0;
            r.disabledReason = q.value(2).toString();
            r.disabledAtMs = q.value(3).toLongLong();
            r.cooldownUntilMs = q.value(4).toLongLong();
            r.cooldownReason = q.value(5).toString();
            r.lastError = q.value(6).toString();
            r.lastErrorAtMs = q.value(7).toLongLong();
            r.lastSuccessAtMs = q.value(8).toLongLong();
            rows.append(r);
        }
        return rows;
    });
}

QList<KeyDayCounterRow> StateDb::loadDayCounters(const QString& day) {
    return d->read<QList<KeyDayCounterRow>>([day](QSqlDatabase& db) {
        QList<KeyDayCounterRow> rows;
        QSqlQuery q(db);
        q.setForwardOnly(true);
        q.prepare(QStringLiteral("SELECT key_id, model, day, requests, tokens FROM key_day_counters WHERE day = ? "
                                 "ORDER BY key_id, model"));
        q.addBindValue(text(day));
        if (!exec(q, "loadDayCounters"))
            return rows;
        while (q.next()) {
            KeyDayCounterRow r;
            r.keyId = q.value(0).toString();
            r.model = q.value(1).toString();
            r.day = q.value(2).toString();
            r.requests = q.value(3).toLongLong();
            r.tokens = q.value(4).toLongLong();
            rows.append(r);
        }
        return rows;
    });
}

QList<ProjectCooldownRow> StateDb::loadProjectCooldowns(qint64 nowMs) {
    return d->read<QList<ProjectCooldownRow>>([nowMs](QSqlDatabase& db) {
        QList<ProjectCooldownRow> rows;
        QSqlQuery q(db);
        q.setForwardOnly(true);
        q.prepare(QStringLiteral("SELECT project, model, until_ms, reason FROM project_cooldowns WHERE until_ms > ? "
                                 "ORDER BY project, model"));
        q.addBindValue(nowMs);
        if (!exec(q, "loadProjectCooldowns"))
            return rows;
        while (q.next()) {
            ProjectCooldownRow r;
            r.project = q.value(0).toString();
            r.model = q.value(1).toString();
            r.untilMs = q.value(2).toLongLong();
            r.reason = q.value(3).toString();
            rows.append(r);
        }
        return rows;
    });
}

QList<ResourcePinRow> StateDb::loadPins() {
    return d->read<QList<ResourcePinRow>>([](QSqlDatabase& db) {
        QList<ResourcePinRow> rows;
        QSqlQuery q(db);
        q.setForwardOnly(true);
        q.prepare(QStringLiteral("SELECT name, key_id, project, created_at_ms FROM resource_pins ORDER BY name"));
        if (!exec(q, "loadPins"))
            return rows;
        while (q.next()) {
            ResourcePinRow r;
            r.name = q.value(0).toString();
            r.keyId = q.value(1).toString();
            r.project = q.value(2).toString();
            r.createdAtMs = q.value(3).toLongLong();
            rows.append(r);
        }
        return rows;
    });
}

QList<ManagedKeyRow> StateDb::loadManagedKeys() {
    return d->read<QList<ManagedKeyRow>>([](QSqlDatabase& db) {
        QList<ManagedKeyRow> rows;
        QSqlQuery q(db);
        q.setForwardOnly(true);
        q.prepare(QStringLiteral("SELECT key_id, label, secret_ref, weight, project, models, created_at_ms "
                                 "FROM managed_keys ORDER BY created_at_ms, key_id"));
        if (!exec(q, "loadManagedKeys"))
            return rows;
        while (q.next()) {
            ManagedKeyRow r;
            r.keyId = q.value(0).toString();
            r.label = q.value(1).toString();
            r.secretRef = q.value(2).toString();
            r.weight = q.value(3).toInt();
            r.project = q.value(4).toString();
            r.models = modelsFromText(q.value(5).toString());
            r.createdAtMs = q.value(6).toLongLong();
            rows.append(r);
        }
        return rows;
    });
}

// ---- writes ----

void StateDb::saveKeyStates(const QList<KeyStateRow>& rows) {
    if (rows.isEmpty())
        return;
    d->write([rows](QSqlDatabase& db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral(
            "INSERT INTO key_state (key_id, user_disabled, disabled_reason, disabled_at_ms, cooldown_until_ms, "
            "cooldown_reason, last_error, last_error_at_ms, last_success_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (key_id) DO UPDATE SET user_disabled = excluded.user_disabled, "
            "disabled_reason = excluded.disabled_reason, disabled_at_ms = excluded.disabled_at_ms, "
            "cooldown_until_ms = excluded.cooldown_until_ms, cooldown_reason = excluded.cooldown_reason, "
            "last_error = excluded.last_error, last_error_at_ms = excluded.last_error_at_ms, "
            "last_success_at_ms = excluded.last_success_at_ms"));
        for (const KeyStateRow& r : rows) {
            q.addBindValue(text(r.keyId));
            q.addBindValue(r.userDisabled ? 1 : 0);
            q.addBindValue(text(r.disabledReason));
            q.addBindValue(r.disabledAtMs);
            q.addBindValue(r.cooldownUntilMs);
            q.addBindValue(text(r.cooldownReason));
            q.addBindValue(text(r.lastError));
            q.addBindValue(r.lastErrorAtMs);
            q.addBindValue(r.lastSuccessAtMs);
            exec(q, "saveKeyStates");
        }
    });
}

void StateDb::addDayCounters(const QList<KeyDayCounterRow>& deltas) {
    if (deltas.isEmpty())
        return;
    d->write([deltas](QSqlDatabase& db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT INTO key_day_counters (key_id, model, day, requests, tokens) "
                                 "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key_id, model, day) DO UPDATE SET "
                                 "requests = requests + excluded.requests, tokens = tokens + excluded.tokens"));
        for (const KeyDayCounterRow& r : deltas) {
            q.addBindValue(text(r.keyId));
            q.addBindValue(text(r.model));
            q.addBindValue(text(r.day));
            q.addBindValue(r.requests);
            q.addBindValue(r.tokens);
            exec(q, "addDayCounters");
        }
    });
}

void StateDb::saveProjectCooldowns(const QList<ProjectCooldownRow>& rows) {
    if (rows.isEmpty())
        return;
    d->write([rows](QSqlDatabase& db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT INTO project_cooldowns (project, model, until_ms, reason) VALUES (?, ?, ?, ?) "
                                 "ON CONFLICT (project, model) DO UPDATE SET until_ms = excluded.until_ms, "
                                 "reason = excluded.reason"));
        for (const ProjectCooldownRow& r : rows) {
            q.addBindValue(text(r.project));
            q.addBindValue(text(r.model));
            q.addBindValue(r.untilMs);
            q.addBindValue(text(r.reason));
            exec(q, "saveProjectCooldowns");
        }
    });
}

void StateDb::savePin(const ResourcePinRow& row) {
    d->write([row](QSqlDatabase& db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT INTO resource_pins (name, key_id, project, created_at_ms) VALUES (?, ?, ?, ?) "
                                 "ON CONFLICT (name) DO UPDATE SET key_id = excluded.key_id, "
                                 "project = excluded.project, created_at_ms = excluded.created_at_ms"));
        q.addBindValue(text(row.name));
        q.addBindValue(text(row.keyId));
        q.addBindValue(text(row.project));
        q.addBindValue(row.createdAtMs);
        exec(q, "savePin");
    });
}

void StateDb::removePin(const QString& name) {
    d->write([name](QSqlDatabase& db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("DELETE FROM resource_pins WHERE name = ?"));
        q.addBindValue(text(name));
        exec(q, "removePin");
    });
}

void StateDb::saveManagedKey(const ManagedKeyRow& row) {
    d->write([row](QSqlDatabase& db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral(
            "INSERT INTO managed_keys (key_id, label, secret_ref, weight, project, models, created_at_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key_id) DO UPDATE SET label = excluded.label, "
            "secret_ref = excluded.secret_ref, weight = excluded.weight, project = excluded.project, "
            "models = excluded.models, created_at_ms = excluded.created_at_ms"));
        q.addBindValue(text(row.keyId));
        q.addBindValue(text(row.label));
        q.addBindValue(text(row.secretRef));
        q.addBindValue(row.weight);
        q.addBindValue(text(row.project));
        q.addBindValue(modelsToText(row.models));
        q.addBindValue(row.createdAtMs);
        exec(q, "saveManagedKey");
    });
}

void StateDb::removeManagedKey(const QString& keyId) {
    d->write([keyId](QSqlDatabase& db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("DELETE FROM managed_keys WHERE key_id = ?"));
        q.addBindValue(text(keyId));
        exec(q, "removeManagedKey");
        q.prepare(QStringLiteral("DELETE FROM key_state WHERE key_id = ?"));
        q.addBindValue(text(keyId));
        exec(q, "removeManagedKey (key_state)");
    });
}

void StateDb::prune(const QString& oldestDayToKeep, qint64 pinsCreatedBeforeMs) {
    d->write([oldestDayToKeep, pinsCreatedBeforeMs](QSqlDatabase& db) {
        QSqlQuery q(db);
        if (!oldestDayToKeep.isEmpty()) { // "YYYY-MM-DD" keys sort as dates
            q.prepare(QStringLiteral("DELETE FROM key_day_counters WHERE day < ?"));
            q.addBindValue(oldestDayToKeep);
            exec(q, "prune (day counters)");
        }
        q.prepare(QStringLiteral("DELETE FROM resource_pins WHERE created_at_ms < ?"));
        q.addBindValue(pinsCreatedBeforeMs);
        exec(q, "prune (pins)");
    });
}

void StateDb::post(std::function<void(QSqlDatabase&)> fn) {
    if (fn)
        d->write(std::move(fn));
}

void StateDb::flush() {
    if (std::this_thread::get_id() == d->writerId)
        return; // from inside post(): waiting for our own batch would never end
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> finished = done->get_future();
    d->enqueue(Task{true, [done](QSqlDatabase&) { done->set_value(); }});
    finished.get();
}

} // namespace gemgate
