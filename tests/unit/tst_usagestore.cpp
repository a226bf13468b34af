// UsageStore on real SQLite files: every field of a record read back, the daily roll-up adding up over records and
// groups (errors, admitted, truncated), summaries by every grouping with day and equality filters, quota totals,
// pruning of both tables, many threads recording at once, two databases open at once (per-connection prepared
// statements), a close + reopen keeping and extending everything, hostile names bound as values, and an intact file.

#include "storage/statedb.h"
#include "storage/usagestore.h"

#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <limits>
#include <thread>
#include <vector>

using namespace gemgate;

Q_DECLARE_METATYPE(gemgate::UsageQuery)

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
    QCOMPARE(columns.size(), 23 + 16);
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

QTEST_GUILESS_MAIN(TestUsageStore)
#include "tst_usagestore.moc"
