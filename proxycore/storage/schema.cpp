#include "storage/schema.h"

#include "storage/sqltext.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace gemgate {

namespace {

QString run(QSqlDatabase& db, const QString& sql) {
    QSqlQuery q(db);
    return q.exec(sql) ? QString() : sqlText(q.lastError());
}

// Tables of issued clients made before the per-client policy lack its columns.
QString addClientPolicyColumns(QSqlDatabase& db) {
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA table_info(clients)")))
        return sqlText(q.lastError());
    QStringList columns;
    while (q.next())
        columns.append(q.value(1).toString());
    q.finish();
    for (const char* column : {"limits TEXT NOT NULL DEFAULT '{}'", "ip_allow TEXT NOT NULL DEFAULT '[]'",
                               "ip_deny TEXT NOT NULL DEFAULT '[]'"}) {
        const QString def = QString::fromLatin1(column);
        if (columns.contains(def.section(u' ', 0, 0)))
            continue;
        if (QString error = run(db, QStringLiteral("ALTER TABLE clients ADD COLUMN ") + def); !error.isEmpty())
            return error;
    }
    return {};
}

// One migration's statements, then its function. The first error's text, empty on success.
QString apply(QSqlDatabase& db, const SchemaMigration& m) {
    for (const char* statement : m.statements) {
        if (QString e = run(db, QString::fromLatin1(statement)); !e.isEmpty())
            return e;
    }
    return m.apply ? m.apply(db) : QString();
}

} // namespace

const std::vector<SchemaMigration>& schemaMigrations() {
    // No table holds a secret: managed_keys.secret_ref only says where a key is; clients, namespaces and keys appear
    // in the usage tables by their ids / names only; config versions keep their bytes in owner-only files, not here
    // (they may contain secrets); an issued client's key is stored as its SHA-256.
    static const std::vector<SchemaMigration> kMigrations = {
        {1,
         "key state, usage records and roll-ups, config history, issued clients",
         {

             "CREATE TABLE IF NOT EXISTS key_state ("
             " key_id TEXT PRIMARY KEY NOT NULL,"
             " user_disabled INTEGER NOT NULL DEFAULT 0,"
             " disabled_reason TEXT NOT NULL DEFAULT '',"
             " disabled_at_ms INTEGER NOT NULL DEFAULT 0,"
             " cooldown_until_ms INTEGER NOT NULL DEFAULT 0,"
             " cooldown_reason TEXT NOT NULL DEFAULT '',"
             " last_error TEXT NOT NULL DEFAULT '',"
             " last_error_at_ms INTEGER NOT NULL DEFAULT 0,"
             " last_success_at_ms INTEGER NOT NULL DEFAULT 0)",

             "CREATE TABLE IF NOT EXISTS key_day_counters ("
             " key_id TEXT NOT NULL,"
             " model TEXT NOT NULL,"
             " day TEXT NOT NULL,"
             " requests INTEGER NOT NULL DEFAULT 0,"
             " tokens INTEGER NOT NULL DEFAULT 0,"
             " PRIMARY KEY (key_id, model, day))",
             "CREATE INDEX IF NOT EXISTS key_day_counters_by_day ON key_day_counters (day)",

             "CREATE TABLE IF NOT EXISTS project_cooldowns ("
             " project TEXT NOT NULL,"
             " model TEXT NOT NULL,"
             " until_ms INTEGER NOT NULL,"
             " reason TEXT NOT NULL DEFAULT '',"
             " PRIMARY KEY (project, model))",

             "CREATE TABLE IF NOT EXISTS resource_pins ("
             " name TEXT PRIMARY KEY NOT NULL,"
             " key_id TEXT NOT NULL,"
             " project TEXT NOT NULL DEFAULT '',"
             " created_at_ms INTEGER NOT NULL)",
             "CREATE INDEX IF NOT EXISTS resource_pins_by_created ON resource_pins (created_at_ms)",

             "CREATE TABLE IF NOT EXISTS managed_keys ("
             " key_id TEXT PRIMARY KEY NOT NULL,"
             " label TEXT NOT NULL DEFAULT '',"
             " secret_ref TEXT NOT NULL,"
             " weight INTEGER NOT NULL DEFAULT 1,"
             " project TEXT NOT NULL DEFAULT '',"
             " models TEXT NOT NULL DEFAULT '[]',"
             " created_at_ms INTEGER NOT NULL DEFAULT 0)",

             "CREATE TABLE IF NOT EXISTS usage ("
             " id INTEGER PRIMARY KEY,"
             " time_ms INTEGER NOT NULL,"
             " day TEXT NOT NULL,"
             " request_id TEXT NOT NULL DEFAULT '',"
             " client TEXT NOT NULL DEFAULT '',"
             " namespace TEXT NOT NULL DEFAULT '',"
             " key_id TEXT NOT NULL DEFAULT '',"
             " model TEXT NOT NULL DEFAULT '',"
             " route TEXT NOT NULL DEFAULT '',"
             " status INTEGER NOT NULL DEFAULT 0,"
             " latency_us INTEGER NOT NULL DEFAULT 0,"
             " ttfb_us INTEGER NOT NULL DEFAULT -1,"
             " prompt_tokens INTEGER NOT NULL DEFAULT 0,"
             " candidates_tokens INTEGER NOT NULL DEFAULT 0,"
             " thoughts_tokens INTEGER NOT NULL DEFAULT 0,"
             " cached_tokens INTEGER NOT NULL DEFAULT 0,"
             " total_tokens INTEGER NOT NULL DEFAULT 0,"
             " bytes_in INTEGER NOT NULL DEFAULT 0,"
             " bytes_out INTEGER NOT NULL DEFAULT 0,"
             " error_kind TEXT NOT NULL DEFAULT '',"
             " truncated INTEGER NOT NULL DEFAULT 0,"
             " stream INTEGER NOT NULL DEFAULT 0,"
             " admitted INTEGER NOT NULL DEFAULT 0)",
             "CREATE INDEX IF NOT EXISTS usage_by_time ON usage (time_ms)",
             "CREATE INDEX IF NOT EXISTS usage_by_client_time ON usage (client, time_ms)",
             // Partial indexes of the errors only (few next to all records, so they cost the inserts next to nothing):
             // errorGroups() reads a time range of errors, the logs' errorsOnly pages through the errors newest first,
             // without reading the other records. A query can use them only when its WHERE has kErrorCondition
             // verbatim.
             "CREATE INDEX IF NOT EXISTS usage_errors_by_time ON usage (time_ms) WHERE status >= 400 OR error_kind <> "
             "''",
             "CREATE INDEX IF NOT EXISTS usage_errors_by_id ON usage (id) WHERE status >= 400 OR error_kind <> ''",

             "CREATE TABLE IF NOT EXISTS usage_daily ("
             " day TEXT NOT NULL,"
             " client TEXT NOT NULL,"
             " namespace TEXT NOT NULL,"
             " key_id TEXT NOT NULL,"
             " model TEXT NOT NULL,"
             " requests INTEGER NOT NULL DEFAULT 0,"
             " admitted INTEGER NOT NULL DEFAULT 0,"
             " errors INTEGER NOT NULL DEFAULT 0,"
             " truncated INTEGER NOT NULL DEFAULT 0,"
             " prompt_tokens INTEGER NOT NULL DEFAULT 0,"
             " candidates_tokens INTEGER NOT NULL DEFAULT 0,"
             " thoughts_tokens INTEGER NOT NULL DEFAULT 0,"
             " cached_tokens INTEGER NOT NULL DEFAULT 0,"
             " total_tokens INTEGER NOT NULL DEFAULT 0,"
             " bytes_in INTEGER NOT NULL DEFAULT 0,"
             " bytes_out INTEGER NOT NULL DEFAULT 0,"
             " PRIMARY KEY (day, client, namespace, key_id, model))",

             // AUTOINCREMENT: a pruned version's number is never given to a new one (a comment "rollback to
             // version 3" must keep meaning the same bytes).
             "CREATE TABLE IF NOT EXISTS config_versions ("
             " version INTEGER PRIMARY KEY AUTOINCREMENT,"
             " applied_at_ms INTEGER NOT NULL,"
             " who TEXT NOT NULL DEFAULT '',"
             " source TEXT NOT NULL DEFAULT '',"
             " sha256 TEXT NOT NULL,"
             " size INTEGER NOT NULL,"
             " comment TEXT NOT NULL DEFAULT '')",

             "CREATE TABLE IF NOT EXISTS clients ("
             " id TEXT PRIMARY KEY,"
             " name TEXT NOT NULL UNIQUE,"
             " owner TEXT NOT NULL DEFAULT '',"
             " namespace TEXT NOT NULL DEFAULT 'default',"
             " key_prefix TEXT NOT NULL,"
             " key_hash BLOB NOT NULL UNIQUE,"
             " enabled INTEGER NOT NULL DEFAULT 1,"
             " expires_at_ms INTEGER NOT NULL DEFAULT 0,"
             " models TEXT NOT NULL DEFAULT '[]',"
             " created_at_ms INTEGER NOT NULL,"
             " rotated_at_ms INTEGER NOT NULL DEFAULT 0,"
             " limits TEXT NOT NULL DEFAULT '{}',"
             " ip_allow TEXT NOT NULL DEFAULT '[]',"
             " ip_deny TEXT NOT NULL DEFAULT '[]')",
         },
         addClientPolicyColumns},
        {2,
         "usage records count their upstream attempts",
         {"ALTER TABLE usage ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0"},
         nullptr},
        {3,
         "a note and tags per upstream key, from the window",
         {"CREATE TABLE IF NOT EXISTS key_notes ("
          " key_id TEXT PRIMARY KEY NOT NULL,"
          " note TEXT NOT NULL DEFAULT '',"
          " tags TEXT NOT NULL DEFAULT '[]',"
          " updated_at_ms INTEGER NOT NULL DEFAULT 0)"},
         nullptr},
    };
    return kMigrations;
}

int latestSchemaVersion() {
    return schemaMigrations().back().version;
}

QString migrateSchema(QSqlDatabase& db) {
    if (!db.transaction())
        return QStringLiteral("cannot start a transaction: %1").arg(sqlText(db.lastError()));
    auto fail = [&db](const QString& cause) {
        db.rollback();
        return cause;
    };
    if (QString e = run(db, QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
        !e.isEmpty())
        return fail(QStringLiteral("cannot create the schema: %1").arg(e));
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT max(version) FROM schema_version")))
        return fail(QStringLiteral("cannot read the schema version: %1").arg(sqlText(q.lastError())));
    const QVariant stored = q.next() ? q.value(0) : QVariant();
    q.finish();
    const int version = stored.isNull() ? 0 : stored.toInt();
    const int latest = latestSchemaVersion();
    if (version > latest) {
        return fail(QStringLiteral("schema version %1 is newer than this GemGate supports (%2); it was written by a "
                                   "newer GemGate: upgrade, or move the file away to start afresh")
                        .arg(version)
                        .arg(latest));
    }
    for (const SchemaMigration& m : schemaMigrations()) {
        if (m.version <= version && !(m.version == 1 && version == 1))
            continue; // applied already (version 1 is applied again to a file at 1: see the header)
        if (QString e = apply(db, m); !e.isEmpty())
            return fail(QStringLiteral("cannot create the schema (version %1, %2): %3")
                            .arg(m.version)
                            .arg(QLatin1String(m.what), e));
    }
    if (version < latest) {
        if (QString e = run(db, QStringLiteral("DELETE FROM schema_version")); !e.isEmpty())
            return fail(QStringLiteral("cannot write the schema version: %1").arg(e));
        if (QString e = run(db, QStringLiteral("INSERT INTO schema_version (version) VALUES (%1)").arg(latest));
            !e.isEmpty())
            return fail(QStringLiteral("cannot write the schema version: %1").arg(e));
    }
    if (!db.commit())
        return fail(QStringLiteral("cannot commit the schema: %1").arg(sqlText(db.lastError())));
    return {};
}

} // namespace gemgate
