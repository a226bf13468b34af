// StateDb on real SQLite files: schema, file modes, every table's round trip, counters that add up (also across a
// reopen), reads that see queued writes, flush() committing for other connections, many writer threads, the
// destructor applying what is queued, and clear failures (not a database, unusable directory, newer schema).

#include "storage/schema.h"
#include "storage/statedb.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

using namespace gemgate;

namespace {

int fileMode(const QString& path) {
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

// One value read through a separate connection of the test thread: sees only what StateDb has committed.
QVariant peek(const QString& path, const QString& sql) {
    static int counter = 0;
    const QString name = QStringLiteral("tst-statedb-peek-%1").arg(++counter);
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

// Runs a query on the writer thread (through post) and returns the first column of every row.
QStringList onWriter(StateDb& db, const QString& sql) {
    auto out = std::make_shared<QStringList>();
    db.post([sql, out](QSqlDatabase& c) {
        QSqlQuery q(c);
        if (!q.exec(sql)) {
            out->append(QStringLiteral("ERROR: ") + q.lastError().text());
            return;
        }
        while (q.next())
            out->append(q.value(0).toString());
    });
    db.flush();
    return *out;
}

KeyStateRow keyState(const QString& id, int n) {
    KeyStateRow r;
    r.keyId = id;
    r.userDisabled = n % 2 == 1;
    r.disabledReason = QStringLiteral("API_KEY_INVALID: API key not valid %1").arg(n);
    r.disabledAtMs = 1000 + n;
    r.cooldownUntilMs = 2000 + n;
    r.cooldownReason = QStringLiteral("per-minute quota");
    r.lastError = QStringLiteral("HTTP 429 \u2013 quota \"x\"; ' DROP TABLE key_state; --");
    r.lastErrorAtMs = 3000 + n;
    r.lastSuccessAtMs = 4000 + n;
    return r;
}

bool sameKeyState(const KeyStateRow& a, const KeyStateRow& b) {
    return a.keyId == b.keyId && a.userDisabled == b.userDisabled && a.disabledReason == b.disabledReason &&
           a.disabledAtMs == b.disabledAtMs && a.cooldownUntilMs == b.cooldownUntilMs &&
           a.cooldownReason == b.cooldownReason && a.lastError == b.lastError && a.lastErrorAtMs == b.lastErrorAtMs &&
           a.lastSuccessAtMs == b.lastSuccessAtMs;
}

KeyDayCounterRow counter(const QString& key, const QString& model, const QString& day, qint64 req, qint64 tok) {
    KeyDayCounterRow r;
    r.keyId = key;
    r.model = model;
    r.day = day;
    r.requests = req;
    r.tokens = tok;
    return r;
}

} // namespace

class TestStateDb : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void schemaCreated();
    void fileModes();
    void keyStatesRoundTrip();
    void dayCountersAccumulate();
    void dayCountersSurviveReopen();
    void projectCooldowns();
    void pins();
    void managedKeys();
    void prune();
    void readsSeeQueuedWrites();
    void flushCommits();
    void postRunsOnWriterThread();
    void manyThreads();
    void destructorAppliesQueue();
    void integrity();
    void notADatabase();
    void unusableDirectory();
    void unwritableDirectory();
    void newerSchemaRefused();
    void migrationListIsOrdered();
    void olderFileBroughtUpToDate();
    void emptyPath();

private:
    QTemporaryDir m_tmp;
    QString dbPath(const QString& name = QStringLiteral("gemgate.db")) const { return m_tmp.filePath(name); }
    std::unique_ptr<StateDb> openOk(const QString& path) {
        QString error;
        std::unique_ptr<StateDb> db = StateDb::open(path, &error);
        if (!db)
            qWarning("open failed: %s", qPrintable(error));
        return db;
    }
    int m_n = 0;
};

void TestStateDb::init() {
    QVERIFY(m_tmp.isValid());
    // Any warning (a failed statement, "connection still in use", ...) fails the test.
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestStateDb::schemaCreated() {
    const QString path = m_tmp.filePath(QStringLiteral("schema/nested/dir/gemgate.db"));
    auto db = openOk(path);
    QVERIFY(db);
    QCOMPARE(db->path(), path);
    QVERIFY(QFile::exists(path));
    QCOMPARE(fileMode(m_tmp.filePath(QStringLiteral("schema"))), 0700);
    QCOMPARE(fileMode(m_tmp.filePath(QStringLiteral("schema/nested/dir"))), 0700);

    QCOMPARE(onWriter(*db, QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")),
             (QStringList{QStringLiteral("clients"), QStringLiteral("config_versions"),
                          QStringLiteral("key_day_counters"), QStringLiteral("key_notes"), QStringLiteral("key_state"),
                          QStringLiteral("managed_keys"), QStringLiteral("project_cooldowns"),
                          QStringLiteral("resource_pins"), QStringLiteral("schema_version"),
                          QStringLiteral("sqlite_sequence"), QStringLiteral("usage"), QStringLiteral("usage_daily")}));
    QCOMPARE(onWriter(*db, QStringLiteral("SELECT version FROM schema_version")),
             QStringList{QString::number(latestSchemaVersion())});
    QCOMPARE(onWriter(*db, QStringLiteral("PRAGMA journal_mode")), QStringList{QStringLiteral("wal")});
    QCOMPARE(onWriter(*db, QStringLiteral("PRAGMA synchronous")), QStringList{QStringLiteral("1")}); // NORMAL
    QCOMPARE(onWriter(*db, QStringLiteral("PRAGMA foreign_keys")), QStringList{QStringLiteral("1")});
    QVERIFY(onWriter(*db, QStringLiteral("PRAGMA busy_timeout")).value(0).toInt() > 0);
    // Never a column for a secret.
    const QStringList columns = onWriter(*db, QStringLiteral("SELECT name FROM pragma_table_info('managed_keys')"));
    QVERIFY(columns.contains(QStringLiteral("secret_ref")));
    for (const QString& c : columns)
        QVERIFY2(c == QStringLiteral("secret_ref") || !c.contains(QStringLiteral("secret")), qPrintable(c));

    // Opening again keeps one version row and the data.
    db.reset();
    db = openOk(path);
    QVERIFY(db);
    QCOMPARE(onWriter(*db, QStringLiteral("SELECT count(*) FROM schema_version")), QStringList{QStringLiteral("1")});
}

void TestStateDb::fileModes() {
    const QString path = dbPath(QStringLiteral("modes.db"));
    auto db = openOk(path);
    QVERIFY(db);
    db->saveKeyStates({keyState(QStringLiteral("k"), 1)});
    db->flush();
    QCOMPARE(fileMode(path), 0600);
    if (QFile::exists(path + QStringLiteral("-wal")))
        QCOMPARE(fileMode(path + QStringLiteral("-wal")), 0600);
    if (QFile::exists(path + QStringLiteral("-shm")))
        QCOMPARE(fileMode(path + QStringLiteral("-shm")), 0600);
    db.reset();

    // A file left readable by others (an older build, a copy) is fixed on open.
    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0644) == 0);
    db = openOk(path);
    QVERIFY(db);
    QCOMPARE(fileMode(path), 0600);
    QCOMPARE(db->loadKeyStates().size(), 1);
}

void TestStateDb::keyStatesRoundTrip() {
    auto db = openOk(dbPath(QStringLiteral("keystate.db")));
    QVERIFY(db);
    QVERIFY(db->loadKeyStates().isEmpty());
    const QList<KeyStateRow> rows = {keyState(QStringLiteral("key-b"), 1), keyState(QStringLiteral("key-a"), 2)};
    db->saveKeyStates(rows);
    QList<KeyStateRow> loaded = db->loadKeyStates();
    QCOMPARE(loaded.size(), 2);
    QVERIFY(sameKeyState(loaded[0], rows[1])); // ordered by key id
    QVERIFY(sameKeyState(loaded[1], rows[0]));

    // Upsert by key id; null strings come back empty.
    KeyStateRow changed;
    changed.keyId = QStringLiteral("key-a");
    changed.lastSuccessAtMs = 99;
    db->saveKeyStates({changed});
    db->saveKeyStates({});
    loaded = db->loadKeyStates();
    QCOMPARE(loaded.size(), 2);
    QVERIFY(sameKeyState(loaded[0], changed));
    QVERIFY(loaded[0].disabledReason.isEmpty());
    QVERIFY(!loaded[0].userDisabled);

    // removeManagedKey also drops the key's state.
    db->removeManagedKey(QStringLiteral("key-b"));
    loaded = db->loadKeyStates();
    QCOMPARE(loaded.size(), 1);
    QCOMPARE(loaded[0].keyId, QStringLiteral("key-a"));
}

void TestStateDb::dayCountersAccumulate() {
    auto db = openOk(dbPath(QStringLiteral("counters.db")));
    QVERIFY(db);
    const QString today = QStringLiteral("2026-11-23");
    const QString yesterday = QStringLiteral("2026-11-22");
    db->addDayCounters({counter(QStringLiteral("k1"), QStringLiteral("gemini-2.5-flash"), today, 1, 100),
                        counter(QStringLiteral("k1"), QStringLiteral("gemini-2.5-pro"), today, 2, 200),
                        counter(QStringLiteral("k2"), QString(), today, 1, 0)});
    db->addDayCounters({counter(QStringLiteral("k1"), QStringLiteral("gemini-2.5-flash"), today, 3, 30),
                        counter(QStringLiteral("k1"), QStringLiteral("gemini-2.5-flash"), yesterday, 7, 70),
                        counter(QStringLiteral("k2"), QStringLiteral(""), today, 4, 5)}); // "" is the same as null
    db->addDayCounters({});

    const QList<KeyDayCounterRow> rows = db->loadDayCounters(today);
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows[0].keyId, QStringLiteral("k1"));
    QCOMPARE(rows[0].model, QStringLiteral("gemini-2.5-flash"));
    QCOMPARE(rows[0].day, today);
    QCOMPARE(rows[0].requests, qint64(4));
    QCOMPARE(rows[0].tokens, qint64(130));
    QCOMPARE(rows[1].model, QStringLiteral("gemini-2.5-pro"));
    QCOMPARE(rows[1].requests, qint64(2));
    QCOMPARE(rows[1].tokens, qint64(200));
    QCOMPARE(rows[2].keyId, QStringLiteral("k2"));
    QCOMPARE(rows[2].model, QString());
    QCOMPARE(rows[2].requests, qint64(5));
    QCOMPARE(rows[2].tokens, qint64(5));

    const QList<KeyDayCounterRow> old = db->loadDayCounters(yesterday);
    QCOMPARE(old.size(), 1);
    QCOMPARE(old[0].requests, qint64(7));
    QVERIFY(db->loadDayCounters(QStringLiteral("2026-11-24")).isEmpty());

    // Big numbers stay exact.
    db->addDayCounters({counter(QStringLiteral("big"), QString(), today, 1, qint64(1) << 40)});
    db->addDayCounters({counter(QStringLiteral("big"), QString(), today, 1, qint64(1) << 40)});
    const QList<KeyDayCounterRow> after = db->loadDayCounters(today);
    QCOMPARE(after[0].keyId, QStringLiteral("big"));
    QCOMPARE(after[0].tokens, qint64(1) << 41);
}

void TestStateDb::dayCountersSurviveReopen() {
    const QString path = dbPath(QStringLiteral("reopen.db"));
    const QString day = QStringLiteral("2026-03-08");
    for (int round = 1; round <= 3; ++round) {
        auto db = openOk(path);
        QVERIFY(db);
        db->addDayCounters({counter(QStringLiteral("k"), QStringLiteral("m"), day, 10, 1000)});
        // No flush: the destructor must apply it.
    }
    auto db = openOk(path);
    QVERIFY(db);
    const QList<KeyDayCounterRow> rows = db->loadDayCounters(day);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].requests, qint64(30));
    QCOMPARE(rows[0].tokens, qint64(3000));
}

void TestStateDb::projectCooldowns() {
    auto db = openOk(dbPath(QStringLiteral("cooldowns.db")));
    QVERIFY(db);
    const qint64 now = 1'800'000'000'000;
    db->saveProjectCooldowns(
        {{QStringLiteral("proj-a"), QStringLiteral("gemini-2.5-flash"), now + 60'000,
          QStringLiteral("per-minute quota")},
         {QStringLiteral("proj-a"), QStringLiteral("gemini-2.5-pro"), now - 1, QStringLiteral("expired")},
         {QStringLiteral("proj-b"), QStringLiteral("gemini-2.5-flash"), now + 3'600'000,
          QStringLiteral("per-day quota")}});
    QList<ProjectCooldownRow> rows = db->loadProjectCooldowns(now);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].project, QStringLiteral("proj-a"));
    QCOMPARE(rows[0].model, QStringLiteral("gemini-2.5-flash"));
    QCOMPARE(rows[0].untilMs, now + 60'000);
    QCOMPARE(rows[0].reason, QStringLiteral("per-minute quota"));
    QCOMPARE(rows[1].project, QStringLiteral("proj-b"));
    QCOMPARE(rows[1].untilMs, now + 3'600'000);

    // Upsert by (project, model): the expired one comes back, the other one is shortened.
    db->saveProjectCooldowns(
        {{QStringLiteral("proj-a"), QStringLiteral("gemini-2.5-pro"), now + 5, QString()},
         {QStringLiteral("proj-b"), QStringLiteral("gemini-2.5-flash"), now + 10, QStringLiteral("shorter")}});
    rows = db->loadProjectCooldowns(now);
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows[1].model, QStringLiteral("gemini-2.5-pro"));
    QCOMPARE(rows[1].untilMs, now + 5);
    QCOMPARE(rows[2].untilMs, now + 10);
    QCOMPARE(rows[2].reason, QStringLiteral("shorter"));
    QCOMPARE(db->loadProjectCooldowns(now + 60'000).size(), 0);
    QCOMPARE(db->loadProjectCooldowns(0).size(), 3);
}

void TestStateDb::pins() {
    auto db = openOk(dbPath(QStringLiteral("pins.db")));
    QVERIFY(db);
    db->savePin({QStringLiteral("files/abc"), QStringLiteral("k1"), QStringLiteral("proj-a"), 100});
    db->savePin({QStringLiteral("cachedContents/xyz"), QStringLiteral("k2"), QStringLiteral("proj-b"), 200});
    db->savePin({QStringLiteral("upload/u-1"), QStringLiteral("k1"), QString(), 300});
    QList<ResourcePinRow> pins = db->loadPins();
    QCOMPARE(pins.size(), 3);
    QCOMPARE(pins[0].name, QStringLiteral("cachedContents/xyz"));
    QCOMPARE(pins[0].keyId, QStringLiteral("k2"));
    QCOMPARE(pins[0].project, QStringLiteral("proj-b"));
    QCOMPARE(pins[0].createdAtMs, qint64(200));
    QCOMPARE(pins[2].name, QStringLiteral("upload/u-1"));
    QVERIFY(pins[2].project.isEmpty());

    db->savePin({QStringLiteral("files/abc"), QStringLiteral("k3"), QStringLiteral("proj-c"), 400}); // upsert
    db->removePin(QStringLiteral("upload/u-1"));
    db->removePin(QStringLiteral("no/such"));
    pins = db->loadPins();
    QCOMPARE(pins.size(), 2);
    QCOMPARE(pins[1].name, QStringLiteral("files/abc"));
    QCOMPARE(pins[1].keyId, QStringLiteral("k3"));
    QCOMPARE(pins[1].project, QStringLiteral("proj-c"));
    QCOMPARE(pins[1].createdAtMs, qint64(400));
}

void TestStateDb::managedKeys() {
    const QString path = dbPath(QStringLiteral("managed.db"));
    auto db = openOk(path);
    QVERIFY(db);
    ManagedKeyRow a;
    a.keyId = QStringLiteral("key-1");
    a.label = QStringLiteral("Büro, \"main\"");
    a.secretRef = QStringLiteral("keychain:key-1");
    a.weight = 3;
    a.project = QStringLiteral("proj-a");
    a.models = {QStringLiteral("gemini-2.5-flash"), QStringLiteral("odd,model \"name\"")};
    a.createdAtMs = 10;
    ManagedKeyRow b;
    b.keyId = QStringLiteral("key-2");
    b.secretRef = QStringLiteral("file:/etc/gemgate/key-2");
    b.createdAtMs = 20;
    db->saveManagedKey(a);
    db->saveManagedKey(b);
    db->saveKeyStates({keyState(QStringLiteral("key-1"), 1), keyState(QStringLiteral("key-2"), 2)});

    auto check = [](const ManagedKeyRow& x, const ManagedKeyRow& y) {
        return x.keyId == y.keyId && x.label == y.label && x.secretRef == y.secretRef && x.weight == y.weight &&
               x.project == y.project && x.models == y.models && x.createdAtMs == y.createdAtMs;
    };
    QList<ManagedKeyRow> keys = db->loadManagedKeys();
    QCOMPARE(keys.size(), 2);
    QVERIFY(check(keys[0], a));
    QVERIFY(check(keys[1], b));
    QCOMPARE(keys[1].weight, 1);
    QVERIFY(keys[1].models.isEmpty());

    a.weight = 5;
    a.models = {};
    a.secretRef = QStringLiteral("env:GEMINI_KEY_1");
    db->saveManagedKey(a); // upsert
    db->removeManagedKey(QStringLiteral("key-2"));
    db.reset();

    db = openOk(path);
    QVERIFY(db);
    keys = db->loadManagedKeys();
    QCOMPARE(keys.size(), 1);
    QVERIFY(check(keys[0], a));
    const QList<KeyStateRow> states = db->loadKeyStates();
    QCOMPARE(states.size(), 1);
    QCOMPARE(states[0].keyId, QStringLiteral("key-1"));
}

void TestStateDb::prune() {
    auto db = openOk(dbPath(QStringLiteral("prune.db")));
    QVERIFY(db);
    for (const char* day : {"2026-10-31", "2026-11-01", "2026-11-22", "2026-11-23"})
        db->addDayCounters({counter(QStringLiteral("k"), QString(), QString::fromLatin1(day), 1, 1)});
    db->savePin({QStringLiteral("files/old"), QStringLiteral("k"), QString(), 1000});
    db->savePin({QStringLiteral("files/edge"), QStringLiteral("k"), QString(), 5000});
    db->savePin({QStringLiteral("files/new"), QStringLiteral("k"), QString(), 9000});
    db->prune(QStringLiteral("2026-11-22"), 5000);
    QVERIFY(db->loadDayCounters(QStringLiteral("2026-10-31")).isEmpty());
    QVERIFY(db->loadDayCounters(QStringLiteral("2026-11-01")).isEmpty());
    QCOMPARE(db->loadDayCounters(QStringLiteral("2026-11-22")).size(), 1);
    QCOMPARE(db->loadDayCounters(QStringLiteral("2026-11-23")).size(), 1);
    const QList<ResourcePinRow> pins = db->loadPins();
    QCOMPARE(pins.size(), 2);
    QCOMPARE(pins[0].name, QStringLiteral("files/edge"));
    QCOMPARE(pins[1].name, QStringLiteral("files/new"));
}

void TestStateDb::readsSeeQueuedWrites() {
    auto db = openOk(dbPath(QStringLiteral("reads.db")));
    QVERIFY(db);
    // Interleaved writes and reads, no flush: every read sees everything queued before it.
    for (int i = 1; i <= 20; ++i) {
        db->addDayCounters({counter(QStringLiteral("k"), QString(), QStringLiteral("2026-01-01"), 1, i)});
        db->savePin({QStringLiteral("files/%1").arg(i), QStringLiteral("k"), QString(), i});
        const QList<KeyDayCounterRow> rows = db->loadDayCounters(QStringLiteral("2026-01-01"));
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].requests, qint64(i));
        QCOMPARE(rows[0].tokens, qint64(i * (i + 1) / 2));
        QCOMPARE(db->loadPins().size(), i);
    }
}

void TestStateDb::flushCommits() {
    const QString path = dbPath(QStringLiteral("flush.db"));
    auto db = openOk(path);
    QVERIFY(db);
    for (int i = 0; i < 50; ++i)
        db->addDayCounters({counter(QStringLiteral("k"), QString(), QStringLiteral("2026-01-01"), 1, 0)});
    db->flush();
    // Another connection sees the committed rows right after flush().
    QCOMPARE(peek(path, QStringLiteral("SELECT requests FROM key_day_counters")).toInt(), 50);
    db->flush(); // nothing queued: returns at once
    QCOMPARE(peek(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
}

void TestStateDb::postRunsOnWriterThread() {
    auto db = openOk(dbPath(QStringLiteral("post.db")));
    QVERIFY(db);
    StateDb* raw = db.get();
    auto seen = std::make_shared<int>(-1);
    auto inTransaction = std::make_shared<bool>(false);
    db->savePin({QStringLiteral("files/p"), QStringLiteral("k"), QString(), 1});
    db->post([raw, seen, inTransaction](QSqlDatabase& c) {
        QSqlQuery q(c);
        q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS later_issue (id INTEGER PRIMARY KEY, v TEXT)"));
        q.exec(QStringLiteral("INSERT INTO later_issue (v) VALUES ('x')"));
        // A read and a flush from inside post() run in place instead of waiting for themselves.
        *seen = int(raw->loadPins().size());
        raw->flush();
        // Inside the batch's transaction: BEGIN fails while one is open.
        QSqlQuery begin(c);
        *inTransaction = !begin.exec(QStringLiteral("BEGIN"));
    });
    db->post({}); // ignored
    db->flush();
    QCOMPARE(*seen, 1);
    QVERIFY(*inTransaction);
    QCOMPARE(onWriter(*db, QStringLiteral("SELECT v FROM later_issue")), QStringList{QStringLiteral("x")});
}

void TestStateDb::manyThreads() {
    const QString path = dbPath(QStringLiteral("threads.db"));
    auto db = openOk(path);
    QVERIFY(db);
    constexpr int kThreads = 4;
    constexpr int kPerThread = 500;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&db, t] {
            for (int i = 0; i < kPerThread; ++i) {
                const QString key = QStringLiteral("key-%1").arg(i % 3);
                db->addDayCounters(
                    {counter(key, QStringLiteral("gemini-2.5-flash"), QStringLiteral("2026-11-23"), 1, t + 1)});
                if (i % 100 == 0)
                    (void)db->loadKeyStates(); // reads mixed in
                if (i % 50 == 0)
                    db->savePin({QStringLiteral("files/t%1-%2").arg(t).arg(i), key, QString(), i});
            }
        });
    }
    for (std::thread& th : threads)
        th.join();
    db->flush();
    qint64 requests = 0;
    qint64 tokens = 0;
    for (const KeyDayCounterRow& r : db->loadDayCounters(QStringLiteral("2026-11-23"))) {
        requests += r.requests;
        tokens += r.tokens;
    }
    QCOMPARE(requests, qint64(kThreads * kPerThread));
    QCOMPARE(tokens, qint64(kPerThread * (1 + 2 + 3 + 4)));
    QCOMPARE(db->loadPins().size(), kThreads * (kPerThread / 50));
    QCOMPARE(peek(path, QStringLiteral("SELECT sum(requests) FROM key_day_counters")).toLongLong(),
             qint64(kThreads * kPerThread));
}

void TestStateDb::destructorAppliesQueue() {
    const QString path = dbPath(QStringLiteral("dtor.db"));
    {
        auto db = openOk(path);
        QVERIFY(db);
        for (int i = 0; i < 300; ++i)
            db->savePin({QStringLiteral("files/%1").arg(i), QStringLiteral("k"), QString(), i});
        db->saveKeyStates({keyState(QStringLiteral("k"), 7)});
    } // destroyed with the writes still queued
    QCOMPARE(peek(path, QStringLiteral("SELECT count(*) FROM resource_pins")).toInt(), 300);
    auto db = openOk(path);
    QVERIFY(db);
    QCOMPARE(db->loadPins().size(), 300);
    QVERIFY(sameKeyState(db->loadKeyStates().value(0), keyState(QStringLiteral("k"), 7)));
}

void TestStateDb::integrity() {
    const QString path = dbPath(QStringLiteral("integrity.db"));
    auto db = openOk(path);
    QVERIFY(db);
    db->saveKeyStates({keyState(QStringLiteral("a"), 1)});
    db->addDayCounters({counter(QStringLiteral("a"), QString(), QStringLiteral("2026-01-01"), 1, 1)});
    QCOMPARE(onWriter(*db, QStringLiteral("PRAGMA integrity_check")), QStringList{QStringLiteral("ok")});
    db.reset();
    QCOMPARE(peek(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
}

void TestStateDb::notADatabase() {
    const QString path = dbPath(QStringLiteral("notes.txt"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    const QByteArray content = QByteArray("These are my notes, not a database.\n").repeated(200);
    f.write(content);
    f.close();
    QString error;
    QVERIFY(!StateDb::open(path, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("not a")), qPrintable(error));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), content); // left alone
    f.close();

    // A directory where the file should be.
    QVERIFY(QDir(m_tmp.path()).mkdir(QStringLiteral("adir.db")));
    QVERIFY(!StateDb::open(dbPath(QStringLiteral("adir.db")), &error));
    QVERIFY2(error.contains(dbPath(QStringLiteral("adir.db"))), qPrintable(error));
}

void TestStateDb::unusableDirectory() {
    // A path "under" a regular file can never be created, not even by root.
    const QString file = dbPath(QStringLiteral("plainfile"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    const QString path = file + QStringLiteral("/sub/gemgate.db");
    QString error;
    QVERIFY(!StateDb::open(path, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("not a directory")), qPrintable(error));
}

void TestStateDb::unwritableDirectory() {
    if (::geteuid() == 0)
        QSKIP("running as root: directory permissions are not enforced");
    const QString dir = dbPath(QStringLiteral("readonly"));
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0500) == 0);
    const QString path = dir + QStringLiteral("/gemgate.db");
    QString error;
    const bool opened = StateDb::open(path, &error) != nullptr;
    ::chmod(QFile::encodeName(dir).constData(), 0700);
    QVERIFY(!opened);
    QVERIFY2(error.contains(path), qPrintable(error));
}

void TestStateDb::migrationListIsOrdered() {
    const auto& list = schemaMigrations();
    QVERIFY(!list.empty());
    for (size_t i = 0; i < list.size(); ++i) {
        QCOMPARE(list[i].version, int(i) + 1); // from 1, ascending, no gaps
        QVERIFY(qstrlen(list[i].what) > 0);
        QVERIFY(!list[i].statements.empty() || list[i].apply);
    }
    QCOMPARE(latestSchemaVersion(), int(list.size()));
}

// A file an earlier GemGate wrote: recorded at version 1 with only the key-state tables, the usage and history
// tables never created, and an issued-clients table from before the per-client policy columns. Opening it creates
// what is missing, adds the columns, and keeps every row.
void TestStateDb::olderFileBroughtUpToDate() {
    const QString path = dbPath(QStringLiteral("older.db"));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tst-statedb-older"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        for (const char* sql :
             {"CREATE TABLE schema_version (version INTEGER NOT NULL)", "INSERT INTO schema_version VALUES (1)",
              "CREATE TABLE resource_pins (name TEXT PRIMARY KEY NOT NULL, key_id TEXT NOT NULL, project TEXT NOT "
              "NULL DEFAULT '', created_at_ms INTEGER NOT NULL)",
              "INSERT INTO resource_pins VALUES ('files/old', 'k1', '', 5)",
              "CREATE TABLE clients (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, owner TEXT NOT NULL DEFAULT '', "
              "namespace TEXT NOT NULL DEFAULT 'default', key_prefix TEXT NOT NULL, key_hash BLOB NOT NULL UNIQUE, "
              "enabled INTEGER NOT NULL DEFAULT 1, expires_at_ms INTEGER NOT NULL DEFAULT 0, models TEXT NOT NULL "
              "DEFAULT '[]', created_at_ms INTEGER NOT NULL, rotated_at_ms INTEGER NOT NULL DEFAULT 0)",
              "INSERT INTO clients (id, name, key_prefix, key_hash, created_at_ms) VALUES ('c1', 'alice', 'gg_ab', "
              "x'00', 7)"})
            QVERIFY2(q.exec(QString::fromLatin1(sql)), qPrintable(q.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tst-statedb-older"));

    auto db = openOk(path);
    QVERIFY(db);
    const QStringList tables =
        onWriter(*db, QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"));
    for (const char* t : {"usage", "usage_daily", "config_versions", "key_state", "managed_keys"})
        QVERIFY2(tables.contains(QLatin1String(t)), t);
    QCOMPARE(onWriter(*db, QStringLiteral("SELECT name, limits, ip_allow, ip_deny FROM clients")),
             QStringList{QStringLiteral("alice")});
    QCOMPARE(onWriter(*db, QStringLiteral("SELECT limits || ip_allow || ip_deny FROM clients")),
             QStringList{QStringLiteral("{}[][]")});
    QCOMPARE(onWriter(*db, QStringLiteral("SELECT key_id FROM resource_pins WHERE name = 'files/old'")),
             QStringList{QStringLiteral("k1")});
    // Version 2: usage records count their upstream attempts.
    QVERIFY(onWriter(*db, QStringLiteral("SELECT name FROM pragma_table_info('usage')"))
                .contains(QStringLiteral("attempts")));
    QCOMPARE(onWriter(*db, QStringLiteral("SELECT version FROM schema_version")),
             QStringList{QString::number(latestSchemaVersion())});
}

void TestStateDb::newerSchemaRefused() {
    const QString path = dbPath(QStringLiteral("newer.db"));
    auto db = openOk(path);
    QVERIFY(db);
    db->savePin({QStringLiteral("files/keep"), QStringLiteral("k"), QString(), 1});
    db->post([](QSqlDatabase& c) { QSqlQuery(c).exec(QStringLiteral("UPDATE schema_version SET version = 99")); });
    db.reset();

    QString error;
    QVERIFY(!StateDb::open(path, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("schema version 99")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("newer")), qPrintable(error));
    // Nothing was changed in the newer file.
    QCOMPARE(peek(path, QStringLiteral("SELECT version FROM schema_version")).toInt(), 99);
    QCOMPARE(peek(path, QStringLiteral("SELECT count(*) FROM resource_pins")).toInt(), 1);
}

void TestStateDb::emptyPath() {
    QString error;
    QVERIFY(!StateDb::open(QString(), &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!StateDb::open(QString(), nullptr)); // no error slot: still no crash
}

QTEST_GUILESS_MAIN(TestStateDb)
#include "tst_statedb.moc"
