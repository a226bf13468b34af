// UsageStore on real SQLite files: every field of a record read back, the daily roll-up adding up over records and
// groups (errors, admitted, truncated), summaries by every grouping with day and equality filters, quota totals,
// pruning of both tables, many threads recording at once, two databases open at once (per-connection prepared
// statements), a close + reopen keeping and extending everything, hostile names bound as values, and an intact file.
// For the admin API: sums per UTC hour from the records (hour boundaries, filters, time bounds), log pages walked
// with every filter (each record once, also while new ones arrive), and errors grouped by kind.

#include "storage/statedb.h"
#include "storage/usagestore.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <algorithm>
#include <limits>
#include <thread>
#include <vector>

using namespace gemgate;

Q_DECLARE_METATYPE(gemgate::UsageQuery)
Q_DECLARE_METATYPE(gemgate::LogQuery)

namespace {

// One value read through a separate connection of the test thread: sees only what StateDb has committed.
QVariant peek(const QString& path, const QString& sql) {
    static int counter = 0;
    const QString name = QStringLiteral("tst-usagestore-peek-%1").arg(++counter);
    QVariant value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                value = q.value(0);
            else
                qInfo("peek failed: %s", qPrintable(q.lastError().text()));
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return value;
}

UsageRecord rec(const QString& day, const QString& client, const QString& ns, const QString& key, const QString& model,
                int status = 200, qint64 total = 10) {
    static qint64 t = 1'700'000'000'000;
    UsageRecord r;
    r.timeMs = ++t;
    r.day = day;
    r.requestId = "req-" + QByteArray::number(t);
    r.client = client;
    r.nameSpace = ns;
    r.keyId = key;
    r.model = model;
    r.route = QStringLiteral("POST /v1beta/models/{model}:generateContent");
    r.status = status;
    r.promptTokens = total / 2;
    r.candidatesTokens = total / 4;
    r.thoughtsTokens = total - total / 2 - total / 4;
    r.cachedTokens = 1;
    r.totalTokens = total;
    r.bytesIn = 100;
    r.bytesOut = 1000;
    r.admitted = status != 401 && status != 429;
    return r;
}

// A summary row as one comparable line: the grouped fields, then requests/admitted/errors/truncated and the tokens.
QString line(const UsageSummaryRow& r) {
    return QStringList{r.day,
                       r.client,
                       r.nameSpace,
                       r.keyId,
                       r.model,
                       QString::number(r.requests),
                       QString::number(r.admitted),
                       QString::number(r.errors),
                       QString::number(r.truncated),
                       QString::number(r.totalTokens)}
        .join(u'|');
}

QStringList lines(const QList<UsageSummaryRow>& rows) {
    QStringList out;
    for (const UsageSummaryRow& r : rows)
        out.append(line(r));
    return out;
}

// The data set of the summary tests: 2 days x 2 clients (2 namespaces) x 2 keys x 2 models, plus errors.
void seed(UsageStore& store) {
    const QString d1 = QStringLiteral("2026-11-23"), d2 = QStringLiteral("2026-11-24");
    const QString alice = QStringLiteral("alice"), bob = QStringLiteral("bob");
    const QString nsA = QStringLiteral("team-a"), nsB = QStringLiteral("team-b");
    const QString k1 = QStringLiteral("k1"), k2 = QStringLiteral("k2");
    const QString flash = QStringLiteral("gemini-2.5-flash"), pro = QStringLiteral("gemini-2.5-pro");
    store.record(rec(d1, alice, nsA, k1, flash, 200, 10));
    store.record(rec(d1, alice, nsA, k1, flash, 200, 20));
    store.record(rec(d1, alice, nsA, k2, pro, 500, 0));
    store.record(rec(d1, bob, nsB, k1, flash, 200, 40));
    store.record(rec(d2, alice, nsA, k2, flash, 200, 100));
    store.record(rec(d2, bob, nsB, k2, pro, 429, 0));
    UsageRecord truncated = rec(d2, bob, nsB, k2, pro, 200, 1000);
    truncated.truncated = true;
    truncated.errorKind = QStringLiteral("quota_exhausted"); // an error kind with a 200 counts as an error
    store.record(truncated);
    store.record(rec(d2, QString(), QString(), QString(), QString(), 401, 0)); // rejected before authentication
}

UsageQuery query(const QStringList& groupBy, bool byDay) {
    UsageQuery q;
    q.groupBy = groupBy;
    q.byDay = byDay;
    return q;
}

bool sameRecord(const UsageRecord& a, const UsageRecord& b) {
    return a.timeMs == b.timeMs && a.day == b.day && a.requestId == b.requestId && a.client == b.client &&
           a.nameSpace == b.nameSpace && a.keyId == b.keyId && a.model == b.model && a.route == b.route &&
           a.status == b.status && a.latencyUs == b.latencyUs && a.ttfbUs == b.ttfbUs &&
           a.promptTokens == b.promptTokens && a.candidatesTokens == b.candidatesTokens &&
           a.thoughtsTokens == b.thoughtsTokens && a.cachedTokens == b.cachedTokens && a.totalTokens == b.totalTokens &&
           a.bytesIn == b.bytesIn && a.bytesOut == b.bytesOut && a.errorKind == b.errorKind &&
           a.truncated == b.truncated && a.stream == b.stream && a.admitted == b.admitted;
}

// ---- hours, logs, errors ----

// 2026-11-24T12:00:00Z: the start of the hour the hour tests are built around.
qint64 hour12() {
    return QDateTime(QDate(2026, 11, 24), QTime(12, 0), QTimeZone::utc()).toMSecsSinceEpoch();
}

constexpr qint64 kMinute = 60'000;

UsageRecord recAt(qint64 timeMs, const QString& client, const QString& ns, const QString& key, const QString& model,
                  int status = 200, qint64 total = 10) {
    UsageRecord r = rec(QStringLiteral("2026-11-24"), client, ns, key, model, status, total);
    r.timeMs = timeMs;
    return r;
}

// Around the hour boundaries of 2026-11-24 12:00, 13:00 and 14:00 UTC (the last and the first millisecond of an
// hour included), plus one record of the evening before.
void seedHours(UsageStore& store) {
    const qint64 h = hour12();
    const QString alice = QStringLiteral("alice"), bob = QStringLiteral("bob");
    const QString nsA = QStringLiteral("team-a"), nsB = QStringLiteral("team-b");
    const QString k1 = QStringLiteral("k1"), k2 = QStringLiteral("k2");
    const QString flash = QStringLiteral("gemini-2.5-flash"), pro = QStringLiteral("gemini-2.5-pro");
    store.record(recAt(h + 10 * kMinute, alice, nsA, k1, flash, 200, 10));
    store.record(recAt(h + 60 * kMinute - 1, alice, nsA, k1, flash, 500, 0)); // 12:59:59.999
    store.record(recAt(h + 60 * kMinute, alice, nsA, k2, pro, 200, 20));      // 13:00:00.000
    store.record(recAt(h + 61 * kMinute, bob, nsB, k1, flash, 429, 0));
    UsageRecord truncated = recAt(h + 90 * kMinute, bob, nsB, k2, pro, 200, 1000);
    truncated.truncated = true;
    truncated.errorKind = QStringLiteral("quota_exhausted");
    store.record(truncated);
    store.record(recAt(h + 125 * kMinute, alice, nsA, k1, flash, 200, 40));
    UsageRecord evening = recAt(h - 13 * 60 * kMinute, QStringLiteral("carol"), nsA, k1, flash, 200, 5);
    evening.day = QStringLiteral("2026-11-23");
    store.record(evening);
}

// An hour row: hour, the grouped fields, then requests/admitted/errors/truncated and the total tokens.
QString hourLine(const UsageSummaryRow& r) {
    return QStringList{r.hour,
                       r.day,
                       r.client,
                       r.nameSpace,
                       r.keyId,
                       r.model,
                       QString::number(r.requests),
                       QString::number(r.admitted),
                       QString::number(r.errors),
                       QString::number(r.truncated),
                       QString::number(r.totalTokens)}
        .join(u'|');
}

QStringList hourLines(const QList<UsageSummaryRow>& rows) {
    QStringList out;
    for (const UsageSummaryRow& r : rows)
        out.append(hourLine(r));
    return out;
}

// The log tests' 30 records, in recording order (ids 1..30 in a fresh database).
QList<UsageRecord> logRecords() {
    static const qint64 t0 = hour12();
    QList<UsageRecord> out;
    const QString clients[] = {QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")};
    const QString spaces[] = {QStringLiteral("team-a"), QStringLiteral("team-b"), QStringLiteral("team-a")};
    for (int i = 0; i < 30; ++i) {
        const int status = i % 7 == 3 ? 429 : (i % 10 == 9 ? 500 : 200);
        UsageRecord r =
            recAt(t0 + i * 1000, clients[i % 3], spaces[i % 3], i % 2 ? QStringLiteral("k2") : QStringLiteral("k1"),
                  i % 5 == 0 ? QStringLiteral("gemini-2.5-pro") : QStringLiteral("gemini-2.5-flash"), status, i);
        r.requestId = "log-" + QByteArray::number(i);
        if (status == 429)
            r.errorKind = QStringLiteral("rate_limited");
        if (i == 12 || i == 13) { // an error kind with a 200: an error too
            r.truncated = true;
            r.errorKind = QStringLiteral("quota_exhausted");
        }
        if (i == 28) // a long stream: arrived first, recorded late
            r.timeMs = t0 - 5000;
        out.append(r);
    }
    return out;
}

// What LogQuery's filters select, written out independently of the SQL.
bool logMatches(const LogQuery& q, const UsageRecord& r) {
    return (q.client.isEmpty() || r.client == q.client) && (q.keyId.isEmpty() || r.keyId == q.keyId) &&
           (q.model.isEmpty() || r.model == q.model) && (q.nameSpace.isEmpty() || r.nameSpace == q.nameSpace) &&
           (q.status == 0 || r.status == q.status) && (!q.errorsOnly || r.status >= 400 || !r.errorKind.isEmpty()) &&
           (q.fromMs <= 0 || r.timeMs >= q.fromMs) && (q.toMs <= 0 || r.timeMs < q.toMs);
}

// Walks every page of q (from q.beforeId), checking each page; returns the request ids in the order seen.
QList<QByteArray> walkLogs(UsageStore& store, LogQuery q, int* pages = nullptr) {
    QList<QByteArray> seen;
    const int pageSize = std::clamp(q.limit, 1, 1000);
    int n = 0;
    for (;;) {
        if (++n > 200) {
            qInfo("more pages than records");
            return {};
        }
        const LogPage page = store.logs(q);
        if (page.records.size() > pageSize) {
            qInfo("page larger than its limit");
            return {};
        }
        for (const UsageRecord& r : page.records)
            seen.append(r.requestId);
        if (page.nextBeforeId == 0)
            break;
        if (page.records.isEmpty() || page.nextBeforeId != page.records.last().id) {
            qInfo("the cursor is not the page's last id");
            return {};
        }
        q.beforeId = page.nextBeforeId;
    }
    if (pages)
        *pages = n;
    return seen;
}

// An error group as one comparable line; times as offsets from `base`.
QString groupLine(const ErrorGroup& g, qint64 base) {
    QStringList statuses;
    for (int s : g.statuses)
        statuses.append(QString::number(s));
    return QStringLiteral("%1|%2|%3|%4|%5|%6|%7|%8|%9")
        .arg(g.kind)
        .arg(g.count)
        .arg(g.firstMs - base)
        .arg(g.lastMs - base)
        .arg(g.lastStatus)
        .arg(QString::fromLatin1(g.lastRequestId), g.lastRoute, g.lastClient, statuses.join(u','));
}

} // namespace

class TestUsageStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void recordRoundTrip();
    void nullStringsStored();
    void hostileNamesAreValues();
    void rollUpAddsUp();
    void summarize_data();
    void summarize();
    void emptySummary();
    void unknownGroupIgnored();
    void quotaTotals();
    void prune();
    void readsSeeQueuedWrites();
    void manyThreads();
    void twoDatabasesAtOnce();
    void reopenKeepsEverything();
    void destructorAppliesQueue();
    void noSecretColumns();
    void summarizeByHour_data();
    void summarizeByHour();
    void hourSumsMatchRollUps();
    void logs_data();
    void logs();
    void logsWhileRecording();
    void errorGroups_data();
    void errorGroups();

private:
    QTemporaryDir m_tmp;
    int m_n = 0;
    QString m_path;
    std::unique_ptr<StateDb> open(const QString& path) {
        QString error;
        std::unique_ptr<StateDb> db = StateDb::open(path, &error);
        if (!db)
            qInfo("open failed: %s", qPrintable(error));
        return db;
    }
    void checkIntegrity(const QString& path) {
        QCOMPARE(peek(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    }
};

void TestUsageStore::init() {
    QVERIFY(m_tmp.isValid());
    m_path = m_tmp.filePath(QStringLiteral("usage-%1.db").arg(++m_n));
    // The store logs every SQL failure as a warning, and Qt warns about connections still in use on close.
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestUsageStore::recordRoundTrip() {
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    UsageRecord a = rec(QStringLiteral("2026-11-24"), QStringLiteral("alice"), QStringLiteral("team-a"),
                        QStringLiteral("key-one"), QStringLiteral("gemini-2.5-flash"));
    a.latencyUs = 123456;
    a.ttfbUs = 7890;
    a.promptTokens = 11;
    a.candidatesTokens = 22;
    a.thoughtsTokens = 33;
    a.cachedTokens = 4;
    a.totalTokens = 66;
    a.bytesIn = 5'000'000'000LL; // beyond 32 bits
    a.bytesOut = 6;
    a.stream = true;
    a.truncated = true;
    a.errorKind = QStringLiteral("quota_exhausted");
    UsageRecord b = rec(QStringLiteral("2026-11-24"), QStringLiteral("bob"), QStringLiteral("team-b"), QString(),
                        QString(), 401, 0);
    b.ttfbUs = -1;
    b.route = QStringLiteral("GET /v1beta/models");
    b.admitted = false;
    store.record(a);
    store.record(b);
    store.flush();

    QCOMPARE(store.recordCount(), 2);
    const QList<UsageRecord> all = store.recent(10);
    QCOMPARE(all.size(), 2);
    QVERIFY(sameRecord(all[0], b)); // newest first
    QVERIFY(sameRecord(all[1], a));
    QCOMPARE(all[1].bytesIn, 5'000'000'000LL);
    QCOMPARE(all[0].ttfbUs, -1);
    QCOMPARE(all[1].requestId, a.requestId);

    const QList<UsageRecord> one = store.recent(1);
    QCOMPARE(one.size(), 1);
    QVERIFY(sameRecord(one[0], b));
    const QList<UsageRecord> alice = store.recent(10, QStringLiteral("alice"));
    QCOMPARE(alice.size(), 1);
    QVERIFY(sameRecord(alice[0], a));
    QVERIFY(store.recent(10, QStringLiteral("carol")).isEmpty());
    QVERIFY(store.recent(0).isEmpty());
    // Committed for other connections too.
    QCOMPARE(peek(m_path, QStringLiteral("SELECT count(*) FROM usage")).toInt(), 2);
    QCOMPARE(peek(m_path, QStringLiteral("SELECT typeof(request_id) FROM usage LIMIT 1")).toString(),
             QStringLiteral("text"));
}

void TestUsageStore::nullStringsStored() {
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    UsageRecord r; // every string null: would be NULL in NOT NULL columns and the roll-up's key
    r.status = 400;
    store.record(r);
    store.record(r);
    QCOMPARE(store.recordCount(), 2);
    const QList<UsageSummaryRow> rows = store.summarize(query(
        {QStringLiteral("client"), QStringLiteral("namespace"), QStringLiteral("key"), QStringLiteral("model")}, true));
    // One roll-up row (NULLs in a primary key would be distinct and make two).
    QCOMPARE(lines(rows), QStringList{QStringLiteral("|||||2|0|2|0|0")});
    QCOMPARE(peek(m_path, QStringLiteral("SELECT count(*) FROM usage_daily")).toInt(), 1);
    QCOMPARE(peek(m_path, QStringLiteral("SELECT count(*) FROM usage WHERE client IS NULL OR day IS NULL")).toInt(), 0);
}

void TestUsageStore::hostileNamesAreValues() {
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    const QString evil = QStringLiteral("o'brien\"; DROP TABLE usage; --");
    const QString unicode = QStringLiteral("客户-\u00e9\U0001F600");
    store.record(rec(QStringLiteral("2026-11-24"), evil, unicode, evil, unicode));
    UsageQuery q;
    q.groupBy = {QStringLiteral("client"), QStringLiteral("namespace")};
    q.client = evil;
    q.nameSpace = unicode;
    const QList<UsageSummaryRow> rows = store.summarize(q);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].client, evil);
    QCOMPARE(rows[0].nameSpace, unicode);
    QCOMPARE(store.recent(5, evil).size(), 1);
    QCOMPARE(store.recent(5, evil)[0].model, unicode);
    QCOMPARE(store.recordCount(), 1);
}

void TestUsageStore::rollUpAddsUp() {
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    seed(store);
    store.flush();
    QCOMPARE(store.recordCount(), 8);
    QCOMPARE(peek(m_path, QStringLiteral("SELECT count(*) FROM usage_daily")).toInt(), 6);

    // Every counter of one roll-up row: alice / team-a / k1 / flash on day 1 holds two records.
    const QString sql = QStringLiteral(
        "SELECT requests || ',' || admitted || ',' || errors || ',' || truncated || ',' || prompt_tokens || ',' || "
        "candidates_tokens || ',' || thoughts_tokens || ',' || cached_tokens || ',' || total_tokens || ',' || "
        "bytes_in || ',' || bytes_out FROM usage_daily WHERE day = '2026-11-23' AND client = 'alice' AND "
        "key_id = 'k1' AND model = 'gemini-2.5-flash'");
    // 10 -> 5+2+3, 20 -> 10+5+5
    QCOMPARE(peek(m_path, sql).toString(), QStringLiteral("2,2,0,0,15,7,8,2,30,200,2000"));

    // The whole thing in one row; every field of the sum.
    const QList<UsageSummaryRow> total = store.summarize(query({}, false));
    QCOMPARE(total.size(), 1);
    const UsageSummaryRow& t = total[0];
    QVERIFY(t.day.isEmpty() && t.client.isEmpty() && t.model.isEmpty());
    QCOMPARE(t.requests, 8);
    QCOMPARE(t.admitted, 6); // 429 and 401 are not admitted
    QCOMPARE(t.errors, 4);   // 500, 429, 401, and the 200 with an error kind
    QCOMPARE(t.truncated, 1);
    QCOMPARE(t.totalTokens, 1170);
    QCOMPARE(t.promptTokens, 5 + 10 + 0 + 20 + 50 + 0 + 500 + 0);
    QCOMPARE(t.candidatesTokens, 2 + 5 + 0 + 10 + 25 + 0 + 250 + 0);
    QCOMPARE(t.thoughtsTokens, 3 + 5 + 0 + 10 + 25 + 0 + 250 + 0);
    QCOMPARE(t.cachedTokens, 8);
    QCOMPARE(t.bytesIn, 800);
    QCOMPARE(t.bytesOut, 8000);
    // The roll-up agrees with the records it was built from.
    QCOMPARE(peek(m_path, QStringLiteral("SELECT SUM(total_tokens) FROM usage")).toLongLong(), t.totalTokens);
}

void TestUsageStore::summarize_data() {
    QTest::addColumn<UsageQuery>("query");
    QTest::addColumn<QStringList>("expected");
    const auto q = query;
    const QString client = QStringLiteral("client"), ns = QStringLiteral("namespace"), key = QStringLiteral("key"),
                  model = QStringLiteral("model");

    QTest::newRow("total") << q({}, false) << QStringList{QStringLiteral("|||||8|6|4|1|1170")};
    QTest::newRow("by day") << q({}, true)
                            << QStringList{QStringLiteral("2026-11-23|||||4|4|1|0|70"),
                                           QStringLiteral("2026-11-24|||||4|2|3|1|1100")};
    QTest::newRow("client, total") << q({client}, false)
                                   << QStringList{QStringLiteral("|||||1|0|1|0|0"), // unauthenticated sorts first
                                                  QStringLiteral("|alice||||4|4|1|0|130"),
                                                  QStringLiteral("|bob||||3|2|2|1|1040")};
    QTest::newRow("client by day") << q({client}, true)
                                   << QStringList{QStringLiteral("2026-11-23|alice||||3|3|1|0|30"),
                                                  QStringLiteral("2026-11-23|bob||||1|1|0|0|40"),
                                                  QStringLiteral("2026-11-24|||||1|0|1|0|0"),
                                                  QStringLiteral("2026-11-24|alice||||1|1|0|0|100"),
                                                  QStringLiteral("2026-11-24|bob||||2|1|2|1|1000")};
    QTest::newRow("model, key (order kept)")
        << q({model, key}, false)
        << QStringList{QStringLiteral("|||||1|0|1|0|0"), QStringLiteral("|||k1|gemini-2.5-flash|3|3|0|0|70"),
                       QStringLiteral("|||k2|gemini-2.5-flash|1|1|0|0|100"),
                       QStringLiteral("|||k2|gemini-2.5-pro|3|2|3|1|1000")};
    QTest::newRow("namespace, total") << q({ns}, false)
                                      << QStringList{QStringLiteral("|||||1|0|1|0|0"),
                                                     QStringLiteral("||team-a|||4|4|1|0|130"),
                                                     QStringLiteral("||team-b|||3|2|2|1|1040")};
    QTest::newRow("all four") << q({client, ns, key, model}, false)
                              << QStringList{QStringLiteral("|||||1|0|1|0|0"),
                                             QStringLiteral("|alice|team-a|k1|gemini-2.5-flash|2|2|0|0|30"),
                                             QStringLiteral("|alice|team-a|k2|gemini-2.5-flash|1|1|0|0|100"),
                                             QStringLiteral("|alice|team-a|k2|gemini-2.5-pro|1|1|1|0|0"),
                                             QStringLiteral("|bob|team-b|k1|gemini-2.5-flash|1|1|0|0|40"),
                                             QStringLiteral("|bob|team-b|k2|gemini-2.5-pro|2|1|2|1|1000")};

    UsageQuery fromDay2 = q({client}, true);
    fromDay2.fromDay = QStringLiteral("2026-11-24");
    QTest::newRow("from day") << fromDay2
                              << QStringList{QStringLiteral("2026-11-24|||||1|0|1|0|0"),
                                             QStringLiteral("2026-11-24|alice||||1|1|0|0|100"),
                                             QStringLiteral("2026-11-24|bob||||2|1|2|1|1000")};
    UsageQuery toDay1 = q({}, false);
    toDay1.toDay = QStringLiteral("2026-11-23");
    QTest::newRow("to day") << toDay1 << QStringList{QStringLiteral("|||||4|4|1|0|70")};
    UsageQuery range = q({}, true);
    range.fromDay = QStringLiteral("2026-11-24");
    range.toDay = QStringLiteral("2026-11-24");
    QTest::newRow("one-day range") << range << QStringList{QStringLiteral("2026-11-24|||||4|2|3|1|1100")};
    UsageQuery none = q({}, true);
    none.fromDay = QStringLiteral("2026-11-25");
    QTest::newRow("range without data") << none << QStringList{};

    UsageQuery bob = q({model}, false);
    bob.client = QStringLiteral("bob");
    QTest::newRow("client filter") << bob
                                   << QStringList{QStringLiteral("||||gemini-2.5-flash|1|1|0|0|40"),
                                                  QStringLiteral("||||gemini-2.5-pro|2|1|2|1|1000")};
    UsageQuery keyModel = q({client}, false);
    keyModel.keyId = QStringLiteral("k2");
    keyModel.model = QStringLiteral("gemini-2.5-pro");
    QTest::newRow("key + model filters") << keyModel
                                         << QStringList{QStringLiteral("|alice||||1|1|1|0|0"),
                                                        QStringLiteral("|bob||||2|1|2|1|1000")};
    UsageQuery nsFilter = q({}, false);
    nsFilter.nameSpace = QStringLiteral("team-a");
    QTest::newRow("namespace filter") << nsFilter << QStringList{QStringLiteral("|||||4|4|1|0|130")};
    UsageQuery nobody = q({client}, true);
    nobody.client = QStringLiteral("carol");
    QTest::newRow("unknown client") << nobody << QStringList{};
}

void TestUsageStore::summarize() {
    QFETCH(UsageQuery, query);
    QFETCH(QStringList, expected);
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    seed(store);
    const QStringList got = lines(store.summarize(query));
    QCOMPARE(got, expected);
}

void TestUsageStore::emptySummary() {
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    QCOMPARE(store.recordCount(), 0);
    QVERIFY(store.summarize(query({}, false)).isEmpty()); // not one row of zeros
    QVERIFY(store.summarize(query({QStringLiteral("client")}, true)).isEmpty());
    QVERIFY(store.quotaTotals(QStringLiteral("2000-01-01")).isEmpty());
    QVERIFY(store.recent(10).isEmpty());
}

void TestUsageStore::unknownGroupIgnored() {
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    seed(store);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("unknown group \"owner\"")));
    const QStringList got = lines(
        store.summarize(query({QStringLiteral("owner"), QStringLiteral("client"), QStringLiteral("client")}, false)));
    QCOMPARE(got.size(), 3); // by client only, once
    QCOMPARE(got[1], QStringLiteral("|alice||||4|4|1|0|130"));
}

void TestUsageStore::quotaTotals() {
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    seed(store);
    // Also a second namespace for alice on day 2: quotas are per client and namespace.
    store.record(rec(QStringLiteral("2026-11-24"), QStringLiteral("alice"), QStringLiteral("team-x"),
                     QStringLiteral("k1"), QStringLiteral("gemini-2.5-flash"), 200, 7));
    auto text = [](const QList<QuotaTotalRow>& rows) {
        QStringList out;
        for (const QuotaTotalRow& r : rows)
            out.append(
                QStringLiteral("%1|%2|%3|%4|%5").arg(r.day, r.client, r.nameSpace).arg(r.admitted).arg(r.totalTokens));
        return out;
    };
    // Summed over keys and models.
    QCOMPARE(
        text(store.quotaTotals(QStringLiteral("2026-11-23"))),
        (QStringList{QStringLiteral("2026-11-23|alice|team-a|3|30"), QStringLiteral("2026-11-23|bob|team-b|1|40"),
                     QStringLiteral("2026-11-24|||0|0"), QStringLiteral("2026-11-24|alice|team-a|1|100"),
                     QStringLiteral("2026-11-24|alice|team-x|1|7"), QStringLiteral("2026-11-24|bob|team-b|1|1000")}));
    QCOMPARE(store.quotaTotals(QStringLiteral("2026-11-24")).size(), 4);
    QVERIFY(store.quotaTotals(QStringLiteral("2026-11-25")).isEmpty());
    QCOMPARE(store.quotaTotals(QString()).size(), 6); // no lower bound
}

void TestUsageStore::prune() {
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    seed(store);
    const QList<UsageRecord> all = store.recent(100);
    QCOMPARE(all.size(), 8);
    // Keep the 3 newest records, and the roll-ups from day 2 on.
    store.prune(all[2].timeMs, QStringLiteral("2026-11-24"));
    store.flush();
    QCOMPARE(store.recordCount(), 3);
    const QList<UsageRecord> kept = store.recent(100);
    QCOMPARE(kept.size(), 3);
    for (int i = 0; i < 3; ++i)
        QVERIFY(sameRecord(kept[i], all[i]));
    QCOMPARE(lines(store.summarize(query({}, true))), QStringList{QStringLiteral("2026-11-24|||||4|2|3|1|1100")});
    // The roll-ups outlive their records: day 2 still counts the record pruned above.
    QCOMPARE(peek(m_path, QStringLiteral("SELECT count(*) FROM usage_daily WHERE day < '2026-11-24'")).toInt(), 0);

    store.prune(0, QString()); // nothing is older than that
    QCOMPARE(store.recordCount(), 3);
    QCOMPARE(store.summarize(query({}, false)).size(), 1);
    store.prune(std::numeric_limits<qint64>::max(), QStringLiteral("9999-12-31"));
    QCOMPARE(store.recordCount(), 0);
    QVERIFY(store.summarize(query({}, false)).isEmpty());
    checkIntegrity(m_path);
}

void TestUsageStore::readsSeeQueuedWrites() {
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    for (int i = 0; i < 50; ++i)
        store.record(rec(QStringLiteral("2026-11-24"), QStringLiteral("alice"), QStringLiteral("a"),
                         QStringLiteral("k"), QStringLiteral("m")));
    // No flush: a read is queued behind the writes.
    QCOMPARE(store.recordCount(), 50);
    QCOMPARE(store.summarize(query({}, false)).value(0).requests, 50);
}

void TestUsageStore::manyThreads() {
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    constexpr int kThreads = 4;
    constexpr int kPerThread = 2000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&store, t] {
            for (int i = 0; i < kPerThread; ++i) {
                UsageRecord r;
                r.timeMs = 1'800'000'000'000 + i;
                r.day = i % 2 ? QStringLiteral("2026-11-24") : QStringLiteral("2026-11-23");
                r.client = QStringLiteral("client-%1").arg(t);
                r.nameSpace = QStringLiteral("ns");
                r.keyId = QStringLiteral("k%1").arg(i % 3);
                r.model = QStringLiteral("m");
                r.status = i % 10 == 0 ? 503 : 200;
                r.totalTokens = 3;
                r.bytesOut = 1;
                r.admitted = true;
                store.record(std::move(r));
            }
        });
    }
    for (std::thread& t : threads)
        t.join();
    store.flush();
    QCOMPARE(store.recordCount(), qint64(kThreads * kPerThread));
    QCOMPARE(peek(m_path, QStringLiteral("SELECT count(*) FROM usage")).toInt(), kThreads * kPerThread);
    const QList<UsageSummaryRow> total = store.summarize(query({}, false));
    QCOMPARE(total.size(), 1);
    QCOMPARE(total[0].requests, qint64(kThreads * kPerThread));
    QCOMPARE(total[0].admitted, qint64(kThreads * kPerThread));
    QCOMPARE(total[0].errors, qint64(kThreads * kPerThread / 10));
    QCOMPARE(total[0].totalTokens, qint64(3 * kThreads * kPerThread));
    QCOMPARE(total[0].bytesOut, qint64(kThreads * kPerThread));
    const QList<UsageSummaryRow> perClient = store.summarize(query({QStringLiteral("client")}, false));
    QCOMPARE(perClient.size(), kThreads);
    for (const UsageSummaryRow& r : perClient)
        QCOMPARE(r.requests, qint64(kPerThread));
    // 2 days x 4 clients x 3 keys.
    QCOMPARE(peek(m_path, QStringLiteral("SELECT count(*) FROM usage_daily")).toInt(), 24);
    checkIntegrity(m_path);
}

void TestUsageStore::twoDatabasesAtOnce() {
    // Each StateDb has its own writer thread and connection: the statements prepared for one never write to the other.
    const QString otherPath = m_tmp.filePath(QStringLiteral("other-%1.db").arg(m_n));
    auto db1 = open(m_path);
    auto db2 = open(otherPath);
    QVERIFY(db1 && db2);
    UsageStore s1(db1.get());
    UsageStore s2(db2.get());
    for (int i = 0; i < 10; ++i) {
        s1.record(rec(QStringLiteral("2026-11-24"), QStringLiteral("one"), QString(), QString(), QString()));
        if (i % 2)
            s2.record(rec(QStringLiteral("2026-11-24"), QStringLiteral("two"), QString(), QString(), QString()));
    }
    QCOMPARE(s1.recordCount(), 10);
    QCOMPARE(s2.recordCount(), 5);
    QCOMPARE(s1.recent(100, QStringLiteral("two")).size(), 0);
    QCOMPARE(s2.recent(100, QStringLiteral("one")).size(), 0);
    // A second store on the same database shares it.
    UsageStore s1b(db1.get());
    s1b.record(rec(QStringLiteral("2026-11-24"), QStringLiteral("one"), QString(), QString(), QString()));
    QCOMPARE(s1.recordCount(), 11);
    db2.reset();
    s1.record(rec(QStringLiteral("2026-11-24"), QStringLiteral("one"), QString(), QString(), QString()));
    QCOMPARE(s1.recordCount(), 12);
    QCOMPARE(peek(otherPath, QStringLiteral("SELECT count(*) FROM usage")).toInt(), 5);
}

void TestUsageStore::reopenKeepsEverything() {
    QStringList before;
    QList<UsageRecord> recordsBefore;
    {
        auto db = open(m_path);
        QVERIFY(db);
        UsageStore store(db.get());
        seed(store);
        before = lines(store.summarize(query(
            {QStringLiteral("client"), QStringLiteral("namespace"), QStringLiteral("key"), QStringLiteral("model")},
            true)));
        recordsBefore = store.recent(100);
        QCOMPARE(recordsBefore.size(), 8);
    }
    checkIntegrity(m_path);
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get()); // the tables exist: nothing is created or cleared
    const QStringList after = lines(store.summarize(
        query({QStringLiteral("client"), QStringLiteral("namespace"), QStringLiteral("key"), QStringLiteral("model")},
              true)));
    QCOMPARE(after, before);
    const QList<UsageRecord> recordsAfter = store.recent(100);
    QCOMPARE(recordsAfter.size(), recordsBefore.size());
    for (qsizetype i = 0; i < recordsAfter.size(); ++i)
        QVERIFY(sameRecord(recordsAfter[i], recordsBefore[i]));

    // New records add onto the restored roll-ups.
    store.record(rec(QStringLiteral("2026-11-23"), QStringLiteral("alice"), QStringLiteral("team-a"),
                     QStringLiteral("k1"), QStringLiteral("gemini-2.5-flash"), 200, 5));
    UsageQuery q = query({QStringLiteral("client")}, true);
    q.client = QStringLiteral("alice");
    q.toDay = QStringLiteral("2026-11-23");
    QCOMPARE(lines(store.summarize(q)), QStringList{QStringLiteral("2026-11-23|alice||||4|4|1|0|35")});
    QCOMPARE(store.recordCount(), 9);
    db.reset();
    checkIntegrity(m_path);
    QCOMPARE(peek(m_path, QStringLiteral("SELECT SUM(requests) FROM usage_daily")).toInt(), 9);
}

void TestUsageStore::destructorAppliesQueue() {
    {
        auto db = open(m_path);
        QVERIFY(db);
        UsageStore store(db.get());
        for (int i = 0; i < 300; ++i)
            store.record(rec(QStringLiteral("2026-11-24"), QStringLiteral("alice"), QString(), QString(), QString()));
        // No flush: the StateDb's destructor applies what is queued.
    }
    QCOMPARE(peek(m_path, QStringLiteral("SELECT count(*) FROM usage")).toInt(), 300);
    QCOMPARE(peek(m_path, QStringLiteral("SELECT SUM(requests) FROM usage_daily")).toInt(), 300);
    checkIntegrity(m_path);
}

void TestUsageStore::noSecretColumns() {
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    db.reset();
    QStringList columns;
    for (const QString& table : {QStringLiteral("usage"), QStringLiteral("usage_daily")}) {
        const QString name = QStringLiteral("tst-usagestore-columns-") + table;
        {
            QSqlDatabase c = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            c.setDatabaseName(m_path);
            QVERIFY(c.open());
            QSqlQuery q(c);
            QVERIFY(q.exec(QStringLiteral("PRAGMA table_info(%1)").arg(table)));
            while (q.next())
                columns.append(q.value(1).toString());
            c.close();
        }
        QSqlDatabase::removeDatabase(name);
    }
    QCOMPARE(columns.size(), 24 + 16); // usage: id, 22 record columns, attempts (schema version 2)
    for (const QString& c : std::as_const(columns))
        QVERIFY2(!c.contains(QLatin1String("secret")) && !c.contains(QLatin1String("token_value")) &&
                     c != QLatin1String("key") && c != QLatin1String("api_key"),
                 qPrintable(c));
    // Indexes exist for the time-ordered reads.
    QCOMPARE(peek(m_path, QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                                         "('usage_by_time', 'usage_by_client_time')"))
                 .toInt(),
             2);
}

void TestUsageStore::summarizeByHour_data() {
    QTest::addColumn<UsageQuery>("query");
    QTest::addColumn<QStringList>("expected"); // hourLine()s
    const qint64 h = hour12();
    const QString client = QStringLiteral("client"), ns = QStringLiteral("namespace");
    auto byHour = [](const QStringList& groupBy) {
        UsageQuery q = query(groupBy, true); // byDay stays true: byHour wins
        q.byHour = true;
        return q;
    };
    const QStringList all{QStringLiteral("2026-11-23T23:00:00Z||||||1|1|0|0|5"),
                          QStringLiteral("2026-11-24T12:00:00Z||||||2|2|1|0|10"),
                          QStringLiteral("2026-11-24T13:00:00Z||||||3|2|2|1|1020"),
                          QStringLiteral("2026-11-24T14:00:00Z||||||1|1|0|0|40")};
    QTest::newRow("total per hour") << byHour({}) << all;
    UsageQuery noDay = byHour({});
    noDay.byDay = false;
    QTest::newRow("byDay false: the same") << noDay << all;
    QTest::newRow("per hour and client") << byHour({client})
                                         << QStringList{QStringLiteral("2026-11-23T23:00:00Z||carol||||1|1|0|0|5"),
                                                        QStringLiteral("2026-11-24T12:00:00Z||alice||||2|2|1|0|10"),
                                                        QStringLiteral("2026-11-24T13:00:00Z||alice||||1|1|0|0|20"),
                                                        QStringLiteral("2026-11-24T13:00:00Z||bob||||2|1|2|1|1000"),
                                                        QStringLiteral("2026-11-24T14:00:00Z||alice||||1|1|0|0|40")};
    UsageQuery bob = byHour({QStringLiteral("model")});
    bob.client = QStringLiteral("bob");
    QTest::newRow("client filter") << bob
                                   << QStringList{
                                          QStringLiteral("2026-11-24T13:00:00Z|||||gemini-2.5-flash|1|0|1|0|0"),
                                          QStringLiteral("2026-11-24T13:00:00Z|||||gemini-2.5-pro|1|1|1|1|1000")};
    UsageQuery keyModel = byHour({ns});
    keyModel.keyId = QStringLiteral("k1");
    keyModel.model = QStringLiteral("gemini-2.5-flash");
    QTest::newRow("key + model filters") << keyModel
                                         << QStringList{QStringLiteral("2026-11-23T23:00:00Z|||team-a|||1|1|0|0|5"),
                                                        QStringLiteral("2026-11-24T12:00:00Z|||team-a|||2|2|1|0|10"),
                                                        QStringLiteral("2026-11-24T13:00:00Z|||team-b|||1|0|1|0|0"),
                                                        QStringLiteral("2026-11-24T14:00:00Z|||team-a|||1|1|0|0|40")};
    UsageQuery nsFilter = byHour({});
    nsFilter.nameSpace = QStringLiteral("team-b");
    QTest::newRow("namespace filter") << nsFilter
                                      << QStringList{QStringLiteral("2026-11-24T13:00:00Z||||||2|1|2|1|1000")};
    // [12:59:59.999, 13:01): the last millisecond of one hour and the first of the next; 13:01 itself is out.
    UsageQuery boundary = byHour({});
    boundary.fromMs = h + 60 * kMinute - 1;
    boundary.toMs = h + 61 * kMinute;
    QTest::newRow("across the hour boundary") << boundary
                                              << QStringList{QStringLiteral("2026-11-24T12:00:00Z||||||1|1|1|0|0"),
                                                             QStringLiteral("2026-11-24T13:00:00Z||||||1|1|0|0|20")};
    UsageQuery from13 = byHour({client});
    from13.fromMs = h + 60 * kMinute;
    QTest::newRow("from 13:00") << from13
                                << QStringList{QStringLiteral("2026-11-24T13:00:00Z||alice||||1|1|0|0|20"),
                                               QStringLiteral("2026-11-24T13:00:00Z||bob||||2|1|2|1|1000"),
                                               QStringLiteral("2026-11-24T14:00:00Z||alice||||1|1|0|0|40")};
    UsageQuery to13 = byHour({});
    to13.toMs = h + 60 * kMinute;
    QTest::newRow("until 13:00") << to13
                                 << QStringList{QStringLiteral("2026-11-23T23:00:00Z||||||1|1|0|0|5"),
                                                QStringLiteral("2026-11-24T12:00:00Z||||||2|2|1|0|10")};
    UsageQuery fromDay = byHour({});
    fromDay.fromDay = QStringLiteral("2026-11-24");
    QTest::newRow("day filter") << fromDay << all.mid(1);
    UsageQuery empty = byHour({});
    empty.fromMs = h;
    empty.toMs = h;
    QTest::newRow("empty range") << empty << QStringList{};
    UsageQuery nobody = byHour({client});
    nobody.client = QStringLiteral("nobody");
    QTest::newRow("no match") << nobody << QStringList{};

    // A time bound without byHour: the records summed per day (the roll-ups cannot be cut within a day).
    UsageQuery perDay = query({client}, true);
    perDay.fromMs = h + 60 * kMinute;
    QTest::newRow("time bound, per day") << perDay
                                         << QStringList{QStringLiteral("|2026-11-24|alice||||2|2|0|0|60"),
                                                        QStringLiteral("|2026-11-24|bob||||2|1|2|1|1000")};
    UsageQuery total = query({}, false);
    total.toMs = h + 60 * kMinute;
    QTest::newRow("time bound, total") << total << QStringList{QStringLiteral("||||||3|3|1|0|15")};
}

void TestUsageStore::summarizeByHour() {
    QFETCH(UsageQuery, query);
    QFETCH(QStringList, expected);
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    seedHours(store); // no flush: the read is queued behind the records
    QCOMPARE(hourLines(store.summarize(query)), expected);
}

void TestUsageStore::hourSumsMatchRollUps() {
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    seedHours(store);
    seed(store);
    UsageQuery q = query({}, false);
    q.byHour = true;
    const QList<UsageSummaryRow> hours = store.summarize(q);
    QVERIFY(hours.size() > 3);
    UsageSummaryRow sum;
    for (const UsageSummaryRow& r : hours) {
        QVERIFY(r.day.isEmpty());
        QVERIFY2(QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:00:00Z$")).match(r.hour).hasMatch(),
                 qPrintable(r.hour));
        sum.requests += r.requests;
        sum.admitted += r.admitted;
        sum.errors += r.errors;
        sum.truncated += r.truncated;
        sum.promptTokens += r.promptTokens;
        sum.candidatesTokens += r.candidatesTokens;
        sum.thoughtsTokens += r.thoughtsTokens;
        sum.cachedTokens += r.cachedTokens;
        sum.totalTokens += r.totalTokens;
        sum.bytesIn += r.bytesIn;
        sum.bytesOut += r.bytesOut;
    }
    // Every sum over the records agrees with the daily roll-ups of the same records.
    const QList<UsageSummaryRow> total = store.summarize(query({}, false));
    QCOMPARE(total.size(), 1);
    const UsageSummaryRow& t = total[0];
    QVERIFY(t.hour.isEmpty());
    QCOMPARE(sum.requests, t.requests);
    QCOMPARE(sum.admitted, t.admitted);
    QCOMPARE(sum.errors, t.errors);
    QCOMPARE(sum.truncated, t.truncated);
    QCOMPARE(sum.promptTokens, t.promptTokens);
    QCOMPARE(sum.candidatesTokens, t.candidatesTokens);
    QCOMPARE(sum.thoughtsTokens, t.thoughtsTokens);
    QCOMPARE(sum.cachedTokens, t.cachedTokens);
    QCOMPARE(sum.totalTokens, t.totalTokens);
    QCOMPARE(sum.bytesIn, t.bytesIn);
    QCOMPARE(sum.bytesOut, t.bytesOut);
    QCOMPARE(t.requests, 15);
    // And the same for a grouping by day, read from the records through a time bound that includes them all.
    UsageQuery fromRecords = query({QStringLiteral("client"), QStringLiteral("key")}, true);
    fromRecords.fromMs = 1;
    QCOMPARE(lines(store.summarize(fromRecords)),
             lines(store.summarize(query({QStringLiteral("client"), QStringLiteral("key")}, true))));
}

void TestUsageStore::logs_data() {
    QTest::addColumn<LogQuery>("query");
    QTest::addColumn<int>("expectedCount"); // counted by hand from logRecords()
    QTest::addColumn<int>("expectedPages");
    const qint64 t0 = hour12();
    auto make = [](int limit) {
        LogQuery q;
        q.limit = limit;
        return q;
    };
    QTest::newRow("all, one page") << make(100) << 30 << 1;
    QTest::newRow("all, pages of 7") << make(7) << 30 << 5;
    QTest::newRow("all, pages of 1") << make(1) << 30 << 30;
    QTest::newRow("all, exactly one full page") << make(30) << 30 << 1;
    QTest::newRow("all, pages of 29") << make(29) << 30 << 2;
    QTest::newRow("limit 0 is 1") << make(0) << 30 << 30;
    QTest::newRow("limit -5 is 1") << make(-5) << 30 << 30;
    QTest::newRow("limit 5000 is 1000") << make(5000) << 30 << 1;

    LogQuery q = make(4);
    q.client = QStringLiteral("bob");
    QTest::newRow("client") << q << 10 << 3;
    q = make(4);
    q.keyId = QStringLiteral("k2");
    QTest::newRow("key") << q << 15 << 4;
    q = make(4);
    q.model = QStringLiteral("gemini-2.5-pro");
    QTest::newRow("model") << q << 6 << 2;
    q = make(4);
    q.nameSpace = QStringLiteral("team-a");
    QTest::newRow("namespace") << q << 20 << 5;
    q = make(4);
    q.status = 429;
    QTest::newRow("status 429") << q << 4 << 1;
    q = make(4);
    q.status = 200;
    QTest::newRow("status 200") << q << 23 << 6;
    q = make(4);
    q.status = 404;
    QTest::newRow("status without records") << q << 0 << 1;
    q = make(4);
    q.errorsOnly = true;
    QTest::newRow("errors only") << q << 9 << 3; // 4 x 429, 3 x 500, 2 x 200 with an error kind
    q = make(2);
    q.errorsOnly = true;
    q.client = QStringLiteral("alice");
    QTest::newRow("errors only, client") << q << 4 << 2;
    q = make(4);
    q.fromMs = t0 + 20'000;
    QTest::newRow("from") << q << 9 << 3; // 20..29 but 28 (arrived before t0)
    q = make(4);
    q.toMs = t0 + 10'000;
    QTest::newRow("to (exclusive)") << q << 11 << 3; // 0..9 and 28
    q = make(3);
    q.fromMs = t0 + 10'000;
    q.toMs = t0 + 20'000;
    QTest::newRow("from + to") << q << 10 << 4;
    q = make(2);
    q.client = QStringLiteral("alice");
    q.keyId = QStringLiteral("k1");
    q.model = QStringLiteral("gemini-2.5-flash");
    q.nameSpace = QStringLiteral("team-a");
    q.status = 200;
    q.fromMs = t0 + 1;
    q.toMs = t0 + 25'000;
    QTest::newRow("every filter") << q << 3 << 2; // 6, 12 (a 200 with an error kind) and 18; 0 is pro, 24 a 429
    q = make(4);
    q.client = QStringLiteral("nobody");
    QTest::newRow("no match") << q << 0 << 1;
    q = make(4);
    q.beforeId = 11; // ids 1..10
    QTest::newRow("starting at a cursor") << q << 10 << 3;
    q = make(4);
    q.beforeId = 1;
    QTest::newRow("cursor before the first") << q << 0 << 1;
}

void TestUsageStore::logs() {
    QFETCH(LogQuery, query);
    QFETCH(int, expectedCount);
    QFETCH(int, expectedPages);
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    const QList<UsageRecord> records = logRecords();
    for (const UsageRecord& r : records)
        store.record(r);

    QList<QByteArray> expected; // newest (last recorded) first
    for (qsizetype i = records.size() - 1; i >= 0; --i) {
        if (logMatches(query, records[i]) && (query.beforeId <= 0 || i + 1 < query.beforeId))
            expected.append(records[i].requestId);
    }
    QCOMPARE(expected.size(), expectedCount);

    int pages = 0;
    const QList<QByteArray> seen = walkLogs(store, query, &pages);
    QCOMPARE(seen, expected); // every record once, none missing, newest first
    QCOMPARE(pages, expectedPages);

    // Every field of the records read back, and ids that are the recording order.
    const LogPage page = store.logs(query);
    for (const UsageRecord& r : page.records) {
        QVERIFY(r.id >= 1 && r.id <= 30);
        QVERIFY(sameRecord(r, records[r.id - 1]));
    }
}

void TestUsageStore::logsWhileRecording() {
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    const QList<UsageRecord> records = logRecords();
    for (const UsageRecord& r : records)
        store.record(r);
    LogQuery q;
    q.limit = 8;
    QList<QByteArray> seen;
    QSet<qint64> ids;
    for (int page = 0; page < 10; ++page) {
        const LogPage p = store.logs(q);
        for (const UsageRecord& r : p.records) {
            QVERIFY(!ids.contains(r.id));
            ids.insert(r.id);
            seen.append(r.requestId);
        }
        // New records arrive between the pages: they are newer than the cursor, and do not shift the pages.
        for (int i = 0; i < 5; ++i)
            store.record(rec(QStringLiteral("2026-11-24"), QStringLiteral("late"), QString(), QString(), QString()));
        if (p.nextBeforeId == 0)
            break;
        q.beforeId = p.nextBeforeId;
    }
    QCOMPARE(seen.size(), 30);
    for (qsizetype i = 0; i < seen.size(); ++i)
        QCOMPARE(seen[i], records[records.size() - 1 - i].requestId);
    QCOMPARE(store.recordCount(), 30 + 4 * 5);
    // A fresh walk sees the late ones first.
    LogQuery fresh;
    fresh.limit = 3;
    QCOMPARE(store.logs(fresh).records.value(0).client, QStringLiteral("late"));
    // recent() has the ids too.
    const QList<UsageRecord> recent = store.recent(2);
    QCOMPARE(recent.size(), 2);
    QVERIFY(recent[0].id > 0 && recent[1].id > 0 && recent[0].id != recent[1].id);
}

void TestUsageStore::errorGroups_data() {
    QTest::addColumn<qint64>("since"); // offset from the base time
    QTest::addColumn<QStringList>("expected");
    const QString gen = QStringLiteral("POST /v1beta/models/{model}:generateContent");
    const QString list = QStringLiteral("GET /v1beta/models");
    // Most frequent first; then the most recent; then by kind.
    QTest::newRow("everything") << qint64(-1'000'000)
                                << QStringList{
                                       QStringLiteral("rate_limited|4|20|95|503|e12|%1|dave|429,503").arg(gen),
                                       QStringLiteral("http_503|3|0|70|503|e8|%1|bob|503").arg(gen),
                                       QStringLiteral("unauthenticated|2|80|80|403|e10|%1|bob|401,403").arg(list),
                                       QStringLiteral("a_kind|1|110|110|400|e15|%1|erin|400").arg(gen),
                                       QStringLiteral("b_kind|1|110|110|400|e14|%1|erin|400").arg(gen),
                                       QStringLiteral("client_disconnected|1|100|100|0|e13|%1|alice|0").arg(gen),
                                       QStringLiteral("upstream_unavailable|1|90|90|503|e11|%1|alice|503").arg(gen),
                                       QStringLiteral("http_500|1|50|50|500|e6|%1|alice|500").arg(gen),
                                       QStringLiteral("quota_exhausted|1|30|30|200|e4|%1|carol|200").arg(gen)};
    QTest::newRow("since 70 (inclusive)")
        << qint64(70)
        << QStringList{QStringLiteral("unauthenticated|2|80|80|403|e10|%1|bob|401,403").arg(list),
                       QStringLiteral("a_kind|1|110|110|400|e15|%1|erin|400").arg(gen),
                       QStringLiteral("b_kind|1|110|110|400|e14|%1|erin|400").arg(gen),
                       QStringLiteral("client_disconnected|1|100|100|0|e13|%1|alice|0").arg(gen),
                       QStringLiteral("rate_limited|1|95|95|503|e12|%1|dave|503").arg(gen),
                       QStringLiteral("upstream_unavailable|1|90|90|503|e11|%1|alice|503").arg(gen),
                       QStringLiteral("http_503|1|70|70|503|e8|%1|bob|503").arg(gen)};
    QTest::newRow("since 100") << qint64(100)
                               << QStringList{
                                      QStringLiteral("a_kind|1|110|110|400|e15|%1|erin|400").arg(gen),
                                      QStringLiteral("b_kind|1|110|110|400|e14|%1|erin|400").arg(gen),
                                      QStringLiteral("client_disconnected|1|100|100|0|e13|%1|alice|0").arg(gen)};
    QTest::newRow("after the last") << qint64(111) << QStringList{};
}

void TestUsageStore::errorGroups() {
    QFETCH(qint64, since);
    QFETCH(QStringList, expected);
    auto db = open(m_path);
    QVERIFY(db);
    UsageStore store(db.get());
    const qint64 base = hour12();
    int n = 0;
    auto add = [&](qint64 offset, const char* client, int status, const char* kind, bool listRoute = false) {
        UsageRecord r = recAt(base + offset, QString::fromLatin1(client), QStringLiteral("ns"), QStringLiteral("k"),
                              QStringLiteral("m"), status, 1);
        r.requestId = "e" + QByteArray::number(++n);
        r.errorKind = QString::fromLatin1(kind);
        if (listRoute)
            r.route = QStringLiteral("GET /v1beta/models");
        store.record(r);
    };
    // Not errors, in between: successes, a redirect, a status-less record without a kind.
    auto ok = [&](qint64 offset, int status) {
        UsageRecord r = recAt(base + offset, QStringLiteral("ok"), QString(), QString(), QString(), status, 1);
        r.requestId = "ok";
        store.record(r);
    };
    ok(-1, 200);
    add(0, "alice", 503, ""); // e1
    add(10, "bob", 503, "");  // e2
    ok(15, 399);
    add(20, "alice", 429, "rate_limited");    // e3
    add(30, "carol", 200, "quota_exhausted"); // e4: an error kind with a 200
    add(40, "bob", 429, "rate_limited");      // e5
    add(50, "alice", 500, "");                // e6
    add(60, "carol", 429, "rate_limited");    // e7
    add(70, "bob", 503, "");                  // e8
    ok(75, 0);
    add(80, "alice", 401, "unauthenticated", true); // e9
    add(80, "bob", 403, "unauthenticated", true);   // e10: same time, recorded later: the last
    add(90, "alice", 503, "upstream_unavailable");  // e11: a kind wins over http_503
    add(95, "dave", 503, "rate_limited");           // e12
    add(100, "alice", 0, "client_disconnected");    // e13
    add(110, "erin", 400, "b_kind");                // e14
    add(110, "erin", 400, "a_kind");                // e15
    ok(200, 200);

    QStringList got;
    for (const ErrorGroup& g : store.errorGroups(base + since))
        got.append(groupLine(g, base));
    QCOMPARE(got, expected);
}

QTEST_GUILESS_MAIN(TestUsageStore)
#include "tst_usagestore.moc"
