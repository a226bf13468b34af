#include "storage/usagestore.h"
#include "storage/usagesql.h"

#include "storage/sqltext.h"

#include "storage/statedb.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>
#include <QVariant>

#include <sqlite3.h>

#include <algorithm>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <tuple>

namespace gemgate {

Q_LOGGING_CATEGORY(lcUsage, "gemgate.usage")

namespace usagesql {

const char kRecordColumns[] =
    "time_ms, day, request_id, client, namespace, key_id, model, route, status, latency_us, ttfb_us, prompt_tokens, "
    "candidates_tokens, thoughts_tokens, cached_tokens, total_tokens, bytes_in, bytes_out, error_kind, truncated, "
    "stream, admitted, attempts";

// A record that counts as an error (as isError() below): the partial index usage_errors_by_time's condition.
const char kErrorCondition[] = "(status >= 400 OR error_kind <> '')";

// An error record's kind for errorGroups(): its error kind, or "http_<status>".
const char kErrorKind[] = "CASE WHEN error_kind <> '' THEN error_kind ELSE 'http_' || status END";

// What reads of whole records select: the row id, then kRecordColumns (recordFromQuery()'s order).
QString selectRecordColumns() {
    return QStringLiteral("id, ") + QLatin1String(kRecordColumns);
}

// A record selected with selectRecordColumns().
UsageRecord recordFromQuery(const QSqlQuery& q) {
    UsageRecord r;
    int i = 0;
    r.id = q.value(i++).toLongLong();
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
    r.attempts = q.value(i++).toInt();
    return r;
}

QString SqlWhere::clause() const {
    return conditions.isEmpty() ? QString() : QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
}

} // namespace usagesql

using namespace usagesql;

namespace {

const char kUpsertDaily[] =
    "INSERT INTO usage_daily (day, client, namespace, key_id, model, requests, admitted, errors, truncated, "
    "prompt_tokens, candidates_tokens, thoughts_tokens, cached_tokens, total_tokens, bytes_in, bytes_out) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT (day, client, namespace, key_id, model) DO UPDATE SET "
    "requests = requests + excluded.requests, admitted = admitted + excluded.admitted, "
    "errors = errors + excluded.errors, truncated = truncated + excluded.truncated, "
    "prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
    "candidates_tokens = candidates_tokens + excluded.candidates_tokens, "
    "thoughts_tokens = thoughts_tokens + excluded.thoughts_tokens, "
    "cached_tokens = cached_tokens + excluded.cached_tokens, total_tokens = total_tokens + excluded.total_tokens, "
    "bytes_in = bytes_in + excluded.bytes_in, bytes_out = bytes_out + excluded.bytes_out";

// The sums of a roll-up group, in UsageSummaryRow's order.
const char kSums[] = "SUM(requests), SUM(admitted), SUM(errors), SUM(truncated), SUM(prompt_tokens), "
                     "SUM(candidates_tokens), SUM(thoughts_tokens), SUM(cached_tokens), SUM(total_tokens), "
                     "SUM(bytes_in), SUM(bytes_out), COUNT(*)";

// The same sums over the records themselves.
const char kRecordSums[] =
    "COUNT(*), SUM(admitted), SUM(CASE WHEN status >= 400 OR error_kind <> '' THEN 1 ELSE 0 END), SUM(truncated), "
    "SUM(prompt_tokens), SUM(candidates_tokens), SUM(thoughts_tokens), SUM(cached_tokens), SUM(total_tokens), "
    "SUM(bytes_in), SUM(bytes_out), COUNT(*)";

constexpr qint64 kHourMs = 3'600'000;

// Rows per multi-row INSERT: binding and stepping one statement for many rows is several times faster than one
// statement per row (23 parameters x 64 rows stays far below SQLite's limit of 32766).
constexpr int kRowsPerInsert = 64;
constexpr int kRecordColumnCount = 23;

// The statements of one batch, on the connection's own sqlite3 handle. Qt's bindValue() costs more than SQLite's
// insert itself (a QVariant and a placeholder name per value), and one record per request at 20000 requests a
// second makes that the writer thread's main cost. Prepared per batch (a few per second) and finalized before
// the batch ends, so nothing outlives the connection.
class Statement {
public:
    Statement(sqlite3* db, const QByteArray& sql) {
        if (sqlite3_prepare_v2(db, sql.constData(), int(sql.size()), &m_stmt, nullptr) != SQLITE_OK)
            m_stmt = nullptr;
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    bool ok() const { return m_stmt != nullptr; }
    void bind(int i, qint64 v) { sqlite3_bind_int64(m_stmt, i, v); }
    void bind(int i, const QByteArray& utf8) {
        sqlite3_bind_text(m_stmt, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    }
    void bind(int i, const QString& v) { bind(i, v.toUtf8()); }
    // Runs the statement and makes it ready for the next binding.
    bool run() {
        const bool done = sqlite3_step(m_stmt) == SQLITE_DONE;
        sqlite3_reset(m_stmt);
        return done;
    }

private:
    sqlite3_stmt* m_stmt = nullptr;
};

QByteArray insertStatement(int rows) {
    QByteArray values = "(?" + QByteArray(",?").repeated(kRecordColumnCount - 1) + ')';
    QByteArray sql = "INSERT INTO usage (" + QByteArray(kRecordColumns) + ") VALUES " + values;
    for (int i = 1; i < rows; ++i)
        sql += ',' + values;
    return sql;
}

// The connection's sqlite3 handle (QSQLITE driver); null for any other driver.
sqlite3* nativeHandle(QSqlDatabase& db) {
    const QVariant v = db.driver()->handle();
    if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3* const*>(v.constData());
}

// A failing statement fails for every record (a full disk, a broken file): one warning per 1000, not 20000 a second.
void warnWriteFailed(const char* what, sqlite3* db) {
    thread_local quint64 failures = 0;
    if (failures++ % 1000 == 0)
        qCWarning(lcUsage, "%s (%llu failure(s) so far): %s", what, static_cast<unsigned long long>(failures),
                  db ? sqlite3_errmsg(db) : "no SQLite connection");
}

bool isError(const UsageRecord& r) {
    return r.status >= 400 || !r.errorKind.isEmpty();
}

void bindRecord(Statement& q, int& i, const UsageRecord& r) {
    q.bind(++i, r.timeMs);
    q.bind(++i, r.day);
    q.bind(++i, r.requestId);
    q.bind(++i, r.client);
    q.bind(++i, r.nameSpace);
    q.bind(++i, r.keyId);
    q.bind(++i, r.model);
    q.bind(++i, r.route);
    q.bind(++i, r.status);
    q.bind(++i, r.latencyUs);
    q.bind(++i, r.ttfbUs);
    q.bind(++i, r.promptTokens);
    q.bind(++i, r.candidatesTokens);
    q.bind(++i, r.thoughtsTokens);
    q.bind(++i, r.cachedTokens);
    q.bind(++i, r.totalTokens);
    q.bind(++i, r.bytesIn);
    q.bind(++i, r.bytesOut);
    q.bind(++i, r.errorKind);
    q.bind(++i, r.truncated ? 1 : 0);
    q.bind(++i, r.stream ? 1 : 0);
    q.bind(++i, r.admitted ? 1 : 0);
    q.bind(++i, qint64(r.attempts));
}

// One roll-up group's sums within a batch.
struct DailySums {
    qint64 requests = 0, admitted = 0, errors = 0, truncated = 0;
    qint64 prompt = 0, candidates = 0, thoughts = 0, cached = 0, total = 0, bytesIn = 0, bytesOut = 0;
};

// Writes a batch of records, then adds them to their roll-ups (one upsert per group, not per record). Runs on the
// writer thread inside the batch's transaction. Records that could not be stored are left out of the roll-ups,
// so the two always agree.
void writeRecords(QSqlDatabase& db, const QList<UsageRecord>& records) {
    sqlite3* handle = nativeHandle(db);
    if (!handle) {
        warnWriteFailed("usage records not stored", nullptr);
        return;
    }
    const bool many = records.size() >= kRowsPerInsert;
    Statement insertMany(handle, many ? insertStatement(kRowsPerInsert) : QByteArray());
    Statement insertOne(handle, insertStatement(1));
    Statement upsert(handle, QByteArray(kUpsertDaily));
    if ((many && !insertMany.ok()) || !insertOne.ok() || !upsert.ok()) {
        warnWriteFailed("cannot prepare the usage statements", handle);
        return;
    }
    QList<const UsageRecord*> stored;
    stored.reserve(records.size());
    qsizetype at = 0;
    while (at < records.size()) {
        const qsizetype n = records.size() - at >= kRowsPerInsert ? kRowsPerInsert : 1;
        Statement& q = n > 1 ? insertMany : insertOne;
        int i = 0;
        for (qsizetype k = 0; k < n; ++k)
            bindRecord(q, i, records[at + k]);
        if (q.run()) {
            for (qsizetype k = 0; k < n; ++k)
                stored.append(&records[at + k]);
        } else {
            warnWriteFailed("usage record not stored", handle);
        }
        at += n;
    }

    using GroupKey = std::tuple<QString, QString, QString, QString, QString>;
    std::map<GroupKey, DailySums> groups;
    for (const UsageRecord* r : std::as_const(stored)) {
        DailySums& g = groups[GroupKey{r->day, r->client, r->nameSpace, r->keyId, r->model}];
        ++g.requests;
        g.admitted += r->admitted ? 1 : 0;
        g.errors += isError(*r) ? 1 : 0;
        g.truncated += r->truncated ? 1 : 0;
        g.prompt += r->promptTokens;
        g.candidates += r->candidatesTokens;
        g.thoughts += r->thoughtsTokens;
        g.cached += r->cachedTokens;
        g.total += r->totalTokens;
        g.bytesIn += r->bytesIn;
        g.bytesOut += r->bytesOut;
    }
    for (const auto& [key, g] : groups) {
        int i = 0;
        upsert.bind(++i, std::get<0>(key));
        upsert.bind(++i, std::get<1>(key));
        upsert.bind(++i, std::get<2>(key));
        upsert.bind(++i, std::get<3>(key));
        upsert.bind(++i, std::get<4>(key));
        for (qint64 v : {g.requests, g.admitted, g.errors, g.truncated, g.prompt, g.candidates, g.thoughts, g.cached,
                         g.total, g.bytesIn, g.bytesOut})
            upsert.bind(++i, v);
        if (!upsert.run())
            warnWriteFailed("usage roll-up not updated", handle);
    }
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
    : m_db(db)
    , m_pending(std::make_shared<Pending>()) {}

void UsageStore::record(UsageRecord record) {
    bool first = false;
    {
        QMutexLocker lock(&m_pending->mutex);
        first = m_pending->records.isEmpty();
        m_pending->records.append(std::move(record));
    }
    // The first record of a batch schedules its write; the others join it until the writer takes them.
    if (first) {
        m_db->post([pending = m_pending](QSqlDatabase& d) {
            QList<UsageRecord> records;
            {
                QMutexLocker lock(&pending->mutex);
                records.swap(pending->records);
            }
            writeRecords(d, records);
        });
    }
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
    // The daily roll-ups know neither hours nor times within a day: those come from the records.
    const bool fromRecords = query.byHour || query.fromMs > 0 || query.toMs > 0;
    const bool byHour = query.byHour;
    const bool byDay = query.byDay && !byHour;
    QStringList keyColumns;
    if (byHour)
        keyColumns.append(QStringLiteral("time_ms / %1").arg(kHourMs)); // the hour's number since the epoch
    else if (byDay)
        keyColumns.append(QStringLiteral("day"));
    for (const QString& g : std::as_const(groups))
        keyColumns.append(QString::fromLatin1(groupColumn(g)));

    SqlWhere where;
    where.ifSet("day >= ?", query.fromDay);
    where.ifSet("day <= ?", query.toDay);
    where.ifSet("client = ?", query.client);
    where.ifSet("namespace = ?", query.nameSpace);
    where.ifSet("key_id = ?", query.keyId);
    where.ifSet("model = ?", query.model);
    where.ifSet("time_ms >= ?", query.fromMs);
    where.ifSet("time_ms < ?", query.toMs);
    const QVariantList binds = where.binds;

    QString sql = QStringLiteral("SELECT ");
    for (const QString& c : std::as_const(keyColumns))
        sql += c + QStringLiteral(", ");
    sql += fromRecords ? QLatin1String(kRecordSums) + QStringLiteral(" FROM usage")
                       : QLatin1String(kSums) + QStringLiteral(" FROM usage_daily");
    sql += where.clause();
    if (!keyColumns.isEmpty()) {
        const QString keys = keyColumns.join(QStringLiteral(", "));
        sql += QStringLiteral(" GROUP BY ") + keys + QStringLiteral(" ORDER BY ") + keys;
    }

    return m_db->call<QList<UsageSummaryRow>>([sql, binds, byHour, byDay, groups](QSqlDatabase& d) {
        QList<UsageSummaryRow> out;
        QSqlQuery q(d);
        q.setForwardOnly(true);
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
            if (byHour)
                row.hour = QDateTime::fromMSecsSinceEpoch(q.value(i++).toLongLong() * kHourMs, QTimeZone::utc())
                               .toString(QStringLiteral("yyyy-MM-dd'T'HH':00:00Z'")); // Qt::ISODate says "+00:00"
            else if (byDay)
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
    return m_db->call<QList<QuotaTotalRow>>([day](QSqlDatabase& d) {
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

} // namespace gemgate
