#pragma once

// Usage metering (issue 4): one record per request, also for rejected and failed ones, in the state database.
// Records are handed to StateDb's writer thread (queued, applied in batched transactions, WAL): nothing on the
// request path waits for the disk. The same transaction adds the record to its day's roll-up
// (usage_daily: per day x client x namespace x key x model), which is kept longer than the records themselves and
// from which daily/monthly quotas are restored after a restart. Days are in the time zone of limits.time_zone; the
// caller computes a record's day.

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <memory>

namespace gemgate {

class StateDb;

struct UsageRecord {
    qint64 id = 0;     // the stored record's row id (set by reads only; record() ignores it)
    qint64 timeMs = 0; // when the request arrived (ms since the epoch)
    QString day;       // "2026-11-24" in limits.time_zone, for the roll-up
    QByteArray requestId;
    QString client;    // client name / id ("" when authentication failed)
    QString nameSpace; // the client's namespace ("" when unknown)
    QString keyId;     // the upstream key of the last attempt ("" when none was used)
    QString model;     // "" when the path names none
    QString route;     // "POST /v1beta/models/{model}:generateContent": method and path, model replaced
    int status = 0;
    qint64 latencyUs = 0;
    qint64 ttfbUs = -1; // -1: no byte reached the client
    qint64 promptTokens = 0;
    qint64 candidatesTokens = 0;
    qint64 thoughtsTokens = 0;
    qint64 cachedTokens = 0;
    qint64 totalTokens = 0;
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
    QString errorKind;      // "" on success
    bool truncated = false; // a stream ended by GemGate because a quota ran out
    bool stream = false;
    bool admitted = false; // passed the client policy (counts against request quotas)
    int attempts = 0;      // upstream attempts (more than one: retried on another key)
};

// One line of `gemgate usage`: the sums of a group of the daily roll-ups (or of the records, see UsageQuery).
struct UsageSummaryRow {
    QString hour;      // "2026-11-24T13:00:00Z" (the UTC hour's start) when grouped by hour, else ""
    QString day;       // "" unless grouped by day
    QString client;    // "" unless grouped by client
    QString nameSpace; // "" unless grouped by namespace
    QString keyId;     // "" unless grouped by key
    QString model;     // "" unless grouped by model
    qint64 requests = 0;
    qint64 admitted = 0;
    qint64 errors = 0; // status >= 400 or an error kind
    qint64 truncated = 0;
    qint64 promptTokens = 0;
    qint64 candidatesTokens = 0;
    qint64 thoughtsTokens = 0;
    qint64 cachedTokens = 0;
    qint64 totalTokens = 0;
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
};

// What summarize() sums. By default the daily roll-ups; byHour or a time bound (fromMs / toMs) sums the records
// themselves instead, which are kept for less long (usage.retention_days) than the roll-ups.
struct UsageQuery {
    // Any of "client", "namespace", "key", "model" (order kept in the output columns); empty = one total row.
    QStringList groupBy;
    bool byDay = true;   // group by the record's day (limits.time_zone); ignored when byHour
    bool byHour = false; // group by UTC hour (UsageSummaryRow::hour), oldest first
    QString fromDay;     // inclusive, "" = no lower bound
    QString toDay;       // inclusive, "" = no upper bound
    qint64 fromMs = 0;   // records with fromMs <= timeMs < toMs; 0 = no bound
    qint64 toMs = 0;
    QString client; // filters; "" = all
    QString nameSpace;
    QString keyId;
    QString model;
};

// A page of usage records for the admin API's logs. Filters left empty / 0 match everything.
struct LogQuery {
    QString client, keyId, model, nameSpace;
    int status = 0;          // exact, 0 = any
    bool errorsOnly = false; // status >= 400 or an error kind (as the roll-ups count errors)
    QString errorKind;       // an ErrorGroup's kind: the error kind, or "http_<status>"; "" = any
    qint64 fromMs = 0;       // fromMs <= timeMs < toMs; 0 = no bound
    qint64 toMs = 0;
    int limit = 100;     // clamped to 1..1000
    qint64 beforeId = 0; // the page cursor: only records with id < beforeId; 0 = from the newest
};

struct LogPage {
    QList<UsageRecord> records; // newest (highest id) first
    qint64 nextBeforeId = 0;    // beforeId of the next page; 0 = this was the last one
};

// The errors of one kind: errorKind, or "http_<status>" for an error status without a kind.
struct ErrorGroup {
    QString kind;
    qint64 count = 0;
    qint64 firstMs = 0, lastMs = 0; // oldest and newest record's timeMs
    // Of the newest record (the highest id among those at lastMs):
    int lastStatus = 0;
    QByteArray lastRequestId;
    QString lastRoute;
    QString lastClient;
    QList<int> statuses; // every status seen, ascending
};

// What quotas need after a restart: per day, client and namespace, the admitted requests and total tokens.
struct QuotaTotalRow {
    QString day;
    QString client;
    QString nameSpace;
    qint64 admitted = 0;
    qint64 totalTokens = 0;
};

// The traffic history's read-back (control/traffichistory.h): the records of one time bucket with one status,
// error kind and key, counted and their tokens summed.
struct TimelineRow {
    qint64 bucketMs = 0; // the bucket's start: timeMs rounded down to the bucket size
    int status = 0;
    QString errorKind;
    QString keyId;
    qint64 requests = 0;
    qint64 promptTokens = 0;
    qint64 candidatesTokens = 0;
    qint64 thoughtsTokens = 0;
};
// One record's timings, for percentiles read back from the records.
struct LatencySample {
    qint64 timeMs = 0;
    qint64 latencyUs = 0;
    qint64 ttfbUs = -1;
};

class UsageStore {
public:
    explicit UsageStore(StateDb* db); // creates the tables when missing (blocks until done)

    // Queued for the writer thread; returns at once. Thread-safe.
    void record(UsageRecord record);
    // Blocks until every record queued so far is committed.
    void flush();

    // Deletes records older than `recordsBeforeMs` and roll-ups of days before `oldestDayToKeep`.
    void prune(qint64 recordsBeforeMs, const QString& oldestDayToKeep);

    // ---- reads (block until the writer thread answers) ----
    QList<UsageSummaryRow> summarize(const UsageQuery& query);
    QList<QuotaTotalRow> quotaTotals(const QString& fromDay);
    // The newest records first (for tests and `gemgate usage --requests`).
    QList<UsageRecord> recent(int limit, const QString& client = {});
    // The admin API's logs: records matching every filter, newest first by id (the order in which they were
    // recorded, i.e. finished; a long stream can be recorded after requests that arrived later). Walking the pages
    // with nextBeforeId sees every matching record once, also while new ones arrive.
    LogPage logs(const LogQuery& query);
    // Records that are errors (status >= 400 or an error kind) with timeMs >= sinceMs, grouped by kind, the most
    // frequent first (then the most recent, then by kind).
    QList<ErrorGroup> errorGroups(qint64 sinceMs);
    qint64 recordCount();
    // The records with fromMs <= timeMs < toMs in buckets of bucketMs (usagetimeline.cpp), oldest first.
    QList<TimelineRow> timeline(qint64 fromMs, qint64 toMs, qint64 bucketMs);
    // The timings of the records with fromMs <= timeMs < toMs, oldest first; past maxSamples records, an even
    // sample of them (every n-th by row id).
    QList<LatencySample> latencySamples(qint64 fromMs, qint64 toMs, int maxSamples);

private:
    // Records waiting for the writer thread: one queued task writes all that arrived until it runs, in a few
    // multi-row statements (shared with that task, which may run after this object is gone).
    struct Pending {
        QMutex mutex;
        QList<UsageRecord> records;
    };
    StateDb* m_db;
    std::shared_ptr<Pending> m_pending;
};

} // namespace gemgate
