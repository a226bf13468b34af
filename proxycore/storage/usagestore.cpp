#include "storage/usagestore.h"

#include "storage/statedb.h"

#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <functional>
#include <future>
#include <memory>

namespace gemgate {

namespace {
Q_LOGGING_CATEGORY(lcUsage, "gemgate.usage")

// SQLite binds a null QString as NULL (NOT NULL columns and the roll-up's primary key would break): never bind one.
QString text(const QString& s) {
    return s.isNull() ? QString::fromLatin1("", 0) : s;
}

QString sqlText(const QSqlError& e) {
    return e.databaseText().isEmpty() ? e.text() : e.databaseText();
}

// Runs fn on the database's writer thread and waits for its result (not callable from the writer thread itself).
template <typename T> T runSync(StateDb* db, std::function<T(QSqlDatabase&)> fn) {
    auto promise = std::make_shared<std::promise<T>>();
    std::future<T> result = promise->get_future();
    db->post([promise, fn = std::move(fn)](QSqlDatabase& d) { promise->set_value(fn(d)); });
    db->flush();
    return result.get();
}

// No column holds a secret: clients, namespaces and keys appear by their ids / names only.
const char* const kSchema[] = {
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
};

const char kInsertRecord[] =
    "INSERT INTO usage (time_ms, day, request_id, client, namespace, key_id, model, route, status, latency_us, "
    "ttfb_us, prompt_tokens, candidates_tokens, thoughts_tokens, cached_tokens, total_tokens, bytes_in, bytes_out, "
    "error_kind, truncated, stream, admitted) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

const char kUpsertDaily[] =
    "INSERT INTO usage_daily (day, client, namespace, key_id, model, requests, admitted, errors, truncated, "
    "prompt_tokens, candidates_tokens, thoughts_tokens, cached_tokens, total_tokens, bytes_in, bytes_out) "
    "VALUES (?,?,?,?,?,1,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT (day, client, namespace, key_id, model) DO UPDATE SET "
    "requests = requests + excluded.requests, admitted = admitted + excluded.admitted, "
    "errors = errors + excluded.errors, truncated = truncated + excluded.truncated, "
    "prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
    "candidates_tokens = candidates_tokens + excluded.candidates_tokens, "
    "thoughts_tokens = thoughts_tokens + excluded.thoughts_tokens, "
    "cached_tokens = cached_tokens + excluded.cached_tokens, total_tokens = total_tokens + excluded.total_tokens, "
    "bytes_in = bytes_in + excluded.bytes_in, bytes_out = bytes_out + excluded.bytes_out";

const char kRecordColumns[] =
    "time_ms, day, request_id, client, namespace, key_id, model, route, status, latency_us, ttfb_us, prompt_tokens, "
    "candidates_tokens, thoughts_tokens, cached_tokens, total_tokens, bytes_in, bytes_out, error_kind, truncated, "
    "stream, admitted";

// The sums of a roll-up group, in UsageSummaryRow's order.
const char kSums[] = "SUM(requests), SUM(admitted), SUM(errors), SUM(truncated), SUM(prompt_tokens), "
                     "SUM(candidates_tokens), SUM(thoughts_tokens), SUM(cached_tokens), SUM(total_tokens), "
                     "SUM(bytes_in), SUM(bytes_out), COUNT(*)";

// The two statements of record(), prepared once per writer thread (each StateDb has its own thread and connection).
// They live until the thread ends; closing the connection before finalizes them (Qt's SQLite driver does that).
struct WriterStatements {
    QString connection;
    bool ok = false;
    QSqlQuery insert;
    QSqlQuery upsert;
};

thread_local std::unique_ptr<WriterStatements> tlStatements;

WriterStatements* writerStatements(QSqlDatabase& db) {
    if (tlStatements && tlStatements->connection == db.connectionName())
        return tlStatements->ok ? tlStatements.get() : nullptr;
    auto s = std::make_unique<WriterStatements>();
    s->connection = db.connectionName();
    s->insert = QSqlQuery(db);
    s->upsert = QSqlQuery(db);
    s->ok =
        s->insert.prepare(QString::fromLatin1(kInsertRecord)) && s->upsert.prepare(QString::fromLatin1(kUpsertDaily));
    if (!s->ok) // logged once per connection, not once per record
        qCWarning(
            lcUsage, "cannot prepare the usage statements, usage is not recorded: %s",
            qUtf8Printable(sqlText(s->insert.lastError().isValid() ? s->insert.lastError() : s->upsert.lastError())));
    tlStatements = std::move(s);
    return tlStatements->ok ? tlStatements.get() : nullptr;
}

// A failing statement fails for every record (a full disk, a broken file): one warning per 1000, not 20000 a second.
void warnWriteFailed(const char* what, const QSqlError& error) {
    thread_local quint64 failures = 0;
    if (failures++ % 1000 == 0)
        qCWarning(lcUsage, "%s (%llu failure(s) so far): %s", what, static_cast<unsigned long long>(failures),
                  qUtf8Printable(sqlText(error)));
}

void writeRecord(QSqlDatabase& db, const UsageRecord& r) {
    WriterStatements* s = writerStatements(db);
    if (!s)
        return;
    QSqlQuery& in = s->insert;
    int i = 0;
    in.bindValue(i++, r.timeMs);
    in.bindValue(i++, text(r.day));
    in.bindValue(i++, text(QString::fromLatin1(r.requestId))); // text, not a blob; an empty id is null
    in.bindValue(i++, text(r.client));
    in.bindValue(i++, text(r.nameSpace));
    in.bindValue(i++, text(r.keyId));
    in.bindValue(i++, text(r.model));
    in.bindValue(i++, text(r.route));
    in.bindValue(i++, r.status);
    in.bindValue(i++, r.latencyUs);
    in.bindValue(i++, r.ttfbUs);
    in.bindValue(i++, r.promptTokens);
    in.bindValue(i++, r.candidatesTokens);
    in.bindValue(i++, r.thoughtsTokens);
    in.bindValue(i++, r.cachedTokens);
    in.bindValue(i++, r.totalTokens);
    in.bindValue(i++, r.bytesIn);
    in.bindValue(i++, r.bytesOut);
    in.bindValue(i++, text(r.errorKind));
    in.bindValue(i++, r.truncated ? 1 : 0);
    in.bindValue(i++, r.stream ? 1 : 0);
    in.bindValue(i++, r.admitted ? 1 : 0);
    if (!in.exec()) {
        warnWriteFailed("usage record not stored", in.lastError());
        return; // the roll-up stays consistent with the records
    }
    in.finish();

    QSqlQuery& up = s->upsert;
    i = 0;
    up.bindValue(i++, text(r.day));
    up.bindValue(i++, text(r.client));
    up.bindValue(i++, text(r.nameSpace));
    up.bindValue(i++, text(r.keyId));
    up.bindValue(i++, text(r.model));
    up.bindValue(i++, r.admitted ? 1 : 0);
    up.bindValue(i++, r.status >= 400 || !r.errorKind.isEmpty() ? 1 : 0);
    up.bindValue(i++, r.truncated ? 1 : 0);
    up.bindValue(i++, r.promptTokens);
    up.bindValue(i++, r.candidatesTokens);
    up.bindValue(i++, r.thoughtsTokens);
    up.bindValue(i++, r.cachedTokens);
    up.bindValue(i++, r.totalTokens);
    up.bindValue(i++, r.bytesIn);
    up.bindValue(i++, r.bytesOut);
    if (!up.exec())
        warnWriteFailed("usage roll-up not updated", up.lastError());
    up.finish();
}

UsageRecord recordFromQuery(const QSqlQuery& q) {
    UsageRecord r;
    int i = 0;
    r.timeMs = q.value(i++).toLongLong();
    r.day = q.value(i++).toString();
    r.requestId = q.value(i++).toString().toLatin1();
    r.client = q.value(i++).toString();
    r.nameSpace = q.value(i++).toString();
    r.keyId = q.value(i++).toString();
    r.model = q.value(i++).toString();
    r.route = q.value(i++).toString();
    r.status = q.value(i++).toInt();
    r.latencyUs = q.value(i++).toLongLong();
    r.ttfbUs = q.value(i++).toLongLong();
    r.promptTokens = q.value(i++).toLongLong();
    r.candidatesTokens = q.value(i++).toLongLong();
    r.thoughtsTokens = q.value(i++).toLongLong();
    r.cachedTokens = q.value(i++).toLongLong();
    r.totalTokens = q.value(i++).toLongLong();
    r.bytesIn = q.value(i++).toLongLong();
    r.bytesOut = q.value(i++).toLongLong();
    r.errorKind = q.value(i++).toString();
    r.truncated = q.value(i++).toInt() != 0;
    r.stream = q.value(i++).toInt() != 0;
    r.admitted = q.value(i++).toInt() != 0;
    return r;
}

// The roll-up column of a UsageQuery::groupBy name, or null for an unknown name.
const char* groupColumn(const QString& name) {
    if (name == QLatin1String("client"))
        return "client";
    if (name == QLatin1String("namespace"))
        return "namespace";
    if (name == QLatin1String("key"))
        return "key_id";
    if (name == QLatin1String("model"))
        return "model";
    return nullptr;
}

QString* groupField(UsageSummaryRow& row, const QString& name) {
    if (name == QLatin1String("client"))
        return &row.client;
    if (name == QLatin1String("namespace"))
        return &row.nameSpace;
    if (name == QLatin1String("key"))
        return &row.keyId;
    return &row.model;
}

} // namespace

UsageStore::UsageStore(StateDb* db)
    : m_db(db) {
    runSync<bool>(m_db, [](QSqlDatabase& d) {
        for (const char* statement : kSchema) {
            QSqlQuery q(d);
            if (!q.exec(QString::fromLatin1(statement))) {
                qCWarning(lcUsage, "cannot create the usage tables: %s", qUtf8Printable(sqlText(q.lastError())));
                return false;
            }
        }
        return true;
    });
}

void UsageStore::record(UsageRecord record) {
    m_db->post([r = std::move(record)](QSqlDatabase& d) { writeRecord(d, r); });
}

void UsageStore::flush() {
    m_db->flush();
}

void UsageStore::prune(qint64 recordsBeforeMs, const QString& oldestDayToKeep) {
    const QString day = text(oldestDayToKeep);
    m_db->post([recordsBeforeMs, day](QSqlDatabase& d) {
        QSqlQuery q(d);
        q.prepare(QStringLiteral("DELETE FROM usage WHERE time_ms < ?"));
        q.addBindValue(recordsBeforeMs);
        if (!q.exec())
            qCWarning(lcUsage, "pruning usage records failed: %s", qUtf8Printable(sqlText(q.lastError())));
        QSqlQuery daily(d);
        daily.prepare(QStringLiteral("DELETE FROM usage_daily WHERE day < ?"));
        daily.addBindValue(day);
        if (!daily.exec())
            qCWarning(lcUsage, "pruning usage roll-ups failed: %s", qUtf8Printable(sqlText(daily.lastError())));
    });
}

QList<UsageSummaryRow> UsageStore::summarize(const UsageQuery& query) {
    QStringList groups; // the groupBy names, known ones only, each once, order kept
    for (const QString& g : query.groupBy) {
        if (!groupColumn(g))
            qCWarning(lcUsage, "usage summary: unknown group \"%s\" ignored", qUtf8Printable(g));
        else if (!groups.contains(g))
            groups.append(g);
    }
    QStringList keyColumns;
    if (query.byDay)
        keyColumns.append(QStringLiteral("day"));
    for (const QString& g : std::as_const(groups))
        keyColumns.append(QString::fromLatin1(groupColumn(g)));

    QStringList where;
    QVariantList binds;
    auto filter = [&](const char* condition, const QString& value) {
        if (value.isEmpty())
            return;
        where.append(QString::fromLatin1(condition));
        binds.append(value);
    };
    filter("day >= ?", query.fromDay);
    filter("day <= ?", query.toDay);
    filter("client = ?", query.client);
    filter("namespace = ?", query.nameSpace);
    filter("key_id = ?", query.keyId);
    filter("model = ?", query.model);

    QString sql = QStringLiteral("SELECT ");
    for (const QString& c : std::as_const(keyColumns))
        sql += c + QStringLiteral(", ");
    sql += QLatin1String(kSums) + QStringLiteral(" FROM usage_daily");
    if (!where.isEmpty())
        sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    if (!keyColumns.isEmpty()) {
        const QString keys = keyColumns.join(QStringLiteral(", "));
        sql += QStringLiteral(" GROUP BY ") + keys + QStringLiteral(" ORDER BY ") + keys;
    }

    const bool byDay = query.byDay;
    return runSync<QList<UsageSummaryRow>>(m_db, [sql, binds, byDay, groups](QSqlDatabase& d) {
        QList<UsageSummaryRow> out;
        QSqlQuery q(d);
        q.prepare(sql);
        for (const QVariant& v : binds)
            q.addBindValue(v);
        if (!q.exec()) {
            qCWarning(lcUsage, "usage summary failed: %s", qUtf8Printable(sqlText(q.lastError())));
            return out;
        }
        while (q.next()) {
            UsageSummaryRow row;
            int i = 0;
            if (byDay)
                row.day = q.value(i++).toString();
            for (const QString& g : groups)
                *groupField(row, g) = q.value(i++).toString();
            row.requests = q.value(i++).toLongLong();
            row.admitted = q.value(i++).toLongLong();
            row.errors = q.value(i++).toLongLong();
            row.truncated = q.value(i++).toLongLong();
            row.promptTokens = q.value(i++).toLongLong();
            row.candidatesTokens = q.value(i++).toLongLong();
            row.thoughtsTokens = q.value(i++).toLongLong();
            row.cachedTokens = q.value(i++).toLongLong();
            row.totalTokens = q.value(i++).toLongLong();
            row.bytesIn = q.value(i++).toLongLong();
            row.bytesOut = q.value(i++).toLongLong();
            if (q.value(i).toLongLong() > 0) // an ungrouped sum over nothing is one row of NULLs: no row
                out.append(row);
        }
        return out;
    });
}

QList<QuotaTotalRow> UsageStore::quotaTotals(const QString& fromDay) {
    const QString day = text(fromDay);
    return runSync<QList<QuotaTotalRow>>(m_db, [day](QSqlDatabase& d) {
        QList<QuotaTotalRow> out;
        QSqlQuery q(d);
        q.prepare(QStringLiteral("SELECT day, client, namespace, SUM(admitted), SUM(total_tokens) FROM usage_daily "
                                 "WHERE day >= ? GROUP BY day, client, namespace ORDER BY day, client, namespace"));
        q.addBindValue(day);
        if (!q.exec()) {
            qCWarning(lcUsage, "reading the quota totals failed: %s", qUtf8Printable(sqlText(q.lastError())));
            return out;
        }
        while (q.next()) {
            QuotaTotalRow row;
            row.day = q.value(0).toString();
            row.client = q.value(1).toString();
            row.nameSpace = q.value(2).toString();
            row.admitted = q.value(3).toLongLong();
            row.totalTokens = q.value(4).toLongLong();
            out.append(row);
        }
        return out;
    });
}

QList<UsageRecord> UsageStore::recent(int limit, const QString& client) {
    if (limit <= 0)
        return {};
    return runSync<QList<UsageRecord>>(m_db, [limit, client](QSqlDatabase& d) {
        QList<UsageRecord> out;
        QSqlQuery q(d);
        QString sql = QStringLiteral("SELECT %1 FROM usage").arg(QLatin1String(kRecordColumns));
        if (!client.isEmpty())
            sql += QStringLiteral(" WHERE client = ?");
        sql += QStringLiteral(" ORDER BY time_ms DESC, id DESC LIMIT ?");
        q.prepare(sql);
        if (!client.isEmpty())
            q.addBindValue(client);
        q.addBindValue(limit);
        if (!q.exec()) {
            qCWarning(lcUsage, "reading usage records failed: %s", qUtf8Printable(sqlText(q.lastError())));
            return out;
        }
        while (q.next())
            out.append(recordFromQuery(q));
        return out;
    });
}

qint64 UsageStore::recordCount() {
    return runSync<qint64>(m_db, [](QSqlDatabase& d) {
        QSqlQuery q(d);
        return q.exec(QStringLiteral("SELECT count(*) FROM usage")) && q.next() ? q.value(0).toLongLong() : qint64(-1);
    });
}

} // namespace gemgate
