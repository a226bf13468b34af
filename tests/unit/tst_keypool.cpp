// KeyPool, the quota-aware key scheduler, driven by a ManualClock: strategy shares, smooth round-robin order,
// sliding RPM/TPM windows with reconciliation, the Pacific-midnight RPD reset across both DST changes, per-minute
// and per-day 429 cooldowns, project-shared budgets, disabling and health checks, blame for transient failures,
// the pool-level breaker with half-open probes, sticky sessions, pins, persistence and concurrency.

#include "keys/keypool.h"
#include "storage/statedb.h"

#include <QDateTime>
#include <QHash>
#include <QSet>
#include <QTest>
#include <QTimeZone>

#include <thread>
#include <vector>

using namespace gemgate;

namespace {

constexpr qint64 kSecond = 1000;
constexpr qint64 kMinute = 60 * kSecond;
const QString kModel = QStringLiteral("gemini-2.5-flash");

QString idOf(int i) {
    return QString(QLatin1Char(char('a' + i)));
}

QByteArray secretOf(const QString& id) {
    return "AIzaSyTestSecretForKey-" + id.toLatin1() + "-0123456789abcdef";
}

GeminiConfig makeConfig(const QList<int>& weights, KeyStrategy strategy = KeyStrategy::RoundRobin) {
    GeminiConfig c;
    for (int i = 0; i < weights.size(); ++i)
        c.apiKeys.append(UpstreamKey::literal(idOf(i), QString::fromLatin1(secretOf(idOf(i))), weights[i]));
    c.keyPool.strategy = strategy;
    return c;
}

qint64 utcMs(int y, int mo, int d, int h, int mi) {
    return QDateTime(QDate(y, mo, d), QTime(h, mi), QTimeZone::utc()).toMSecsSinceEpoch();
}

PickRequest forModel(qint64 tokens = 0) {
    PickRequest r;
    r.model = kModel;
    r.countsAgainstQuota = true;
    r.estimatedTokens = tokens;
    return r;
}

// Picks and immediately reports success, so that nothing stays in flight.
QString pickOk(KeyPool& pool, const PickRequest& r = {}) {
    const PickResult res = pool.pick(r);
    if (!res.lease)
        return QStringLiteral("-");
    pool.reportSuccess(*res.lease);
    return res.lease->id;
}

QString picks(KeyPool& pool, int n, const PickRequest& r = {}) {
    QString out;
    for (int i = 0; i < n; ++i)
        out += pickOk(pool, r);
    return out;
}

ClassifiedError error429(QuotaScope scope, qint64 delayMs = -1, const QString& model = kModel) {
    ClassifiedError e;
    e.cls = UpstreamErrorClass::RateLimited;
    e.httpStatus = 429;
    e.quota = scope;
    e.retryDelayMs = delayMs;
    e.model = model;
    e.reason = QStringLiteral("RESOURCE_EXHAUSTED");
    e.message = QStringLiteral("You exceeded your current quota");
    return e;
}

ClassifiedError errorOf(UpstreamErrorClass cls, int status, const QString& reason, const QString& message = {}) {
    ClassifiedError e;
    e.cls = cls;
    e.httpStatus = status;
    e.reason = reason;
    e.message = message;
    return e;
}

// Fails one request on key `id` with `e` (the other keys are excluded, so exactly one pick is made).
void failKey(KeyPool& pool, const QString& id, const ClassifiedError& e, const PickRequest& r = forModel()) {
    PickRequest only = r;
    for (const KeyStatus& s : pool.statuses()) {
        if (s.id != id)
            only.exclude.append(s.id);
    }
    const PickResult res = pool.pick(only);
    QVERIFY2(res.lease, qPrintable(res.message));
    QCOMPARE(res.lease->id, id);
    pool.reportFailure(*res.lease, e);
}

void verifyShares(const QHash<QString, int>& counts, const QList<int>& weights, int n) {
    int total = 0;
    for (int w : weights)
        total += w;
    for (int i = 0; i < weights.size(); ++i) {
        const double share = double(counts.value(idOf(i))) / n;
        const double want = double(weights[i]) / total;
        QVERIFY2(qAbs(share - want) <= 0.02,
                 qPrintable(QStringLiteral("key %1: share %2, expected %3").arg(idOf(i)).arg(share).arg(want)));
    }
}

} // namespace

class TestKeyPool : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sharesFollowWeights_data();
    void sharesFollowWeights();
    void smoothSequence_data();
    void smoothSequence();
    void exclusionAndExhaustion();
    void emptyPool();
    void reloadKeepsRotationAndState();
    void leastInFlightPrefersIdleKeys();
    void mostHeadroomPrefersUnusedBudget();
    void stickySessionsStayOnTheirKey();
    void slidingRpmWindow();
    void tpmEstimateIsReconciled();
    void rpdResetsAtPacificMidnight_data();
    void rpdResetsAtPacificMidnight();
    void perMinute429UsesRetryInfo();
    void perMinute429WithoutDelayBacksOff();
    void perDay429RestsUntilPacificMidnight();
    void projectSharesBudgetAndCooldown();
    void keyLimitOnTopOfProjectLimit();
    void invalidKeyIsDisabledUntilHealthy();
    void badRequestNeverBlamesTheKey();
    void transientBlameOnlyWhileOthersSucceed();
    void breakerOpensAndHalfOpens();
    void allLimitedGivesSoonestRetry();
    void noneUsableNamesReasonsWithoutSecrets();
    void modelsAllowList();
    void pinnedProjectOnly();
    void secretsArriveLater();
    void persistenceRoundTrip();
    void concurrentPicksAreExact();
    void tokenEstimate();
    void probeAnsweredClosesBreakerAtOnce();
    void healthCheckWaitsAnIntervalAfterRest();
    void modelLess429DoesNotStopGeneration();
    void countersStayOnTheirDay();
    void keyLimitHeadroomInSharedProject();
    void replacedSecretIsJudgedAfresh();
    void restingKeysGive503NotRateLimited();
    void eventsDescribeWhatThePoolDid();
    void dryRunCountsNothing();
};

void TestKeyPool::sharesFollowWeights_data() {
    QTest::addColumn<QList<int>>("weights");
    QTest::addColumn<int>("strategy");
    for (const auto& [name, s] :
         {std::pair{"round_robin", KeyStrategy::RoundRobin}, std::pair{"weighted_random", KeyStrategy::WeightedRandom},
          std::pair{"least_in_flight", KeyStrategy::LeastInFlight},
          std::pair{"most_headroom", KeyStrategy::MostHeadroom}}) {
        QTest::newRow(qPrintable(QStringLiteral("%1 1:1").arg(QLatin1String(name)))) << QList<int>{1, 1} << int(s);
        QTest::newRow(qPrintable(QStringLiteral("%1 5:3:2").arg(QLatin1String(name)))) << QList<int>{5, 3, 2} << int(s);
        QTest::newRow(qPrintable(QStringLiteral("%1 1:1:1:97").arg(QLatin1String(name))))
            << QList<int>{1, 1, 1, 97} << int(s);
    }
}

void TestKeyPool::sharesFollowWeights() {
    QFETCH(QList<int>, weights);
    QFETCH(int, strategy);
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    pool.setRandomSeed(42);
    pool.configure(makeConfig(weights, KeyStrategy(strategy)));
    constexpr int kPicks = 10000;
    QHash<QString, int> counts;
    for (int i = 0; i < kPicks; ++i) {
        const PickResult r = pool.pick({});
        QVERIFY(r.lease);
        QCOMPARE(r.lease->secret, secretOf(r.lease->id));
        ++counts[r.lease->id];
        pool.reportSuccess(*r.lease);
    }
    verifyShares(counts, weights, kPicks);
}

void TestKeyPool::smoothSequence_data() {
    QTest::addColumn<QList<int>>("weights");
    QTest::addColumn<QString>("sequence");
    // nginx's documented sequence for weights 5, 1, 1, twice: it is periodic.
    QTest::newRow("5:1:1") << QList<int>{5, 1, 1} << QStringLiteral("aabacaaaabacaa");
    QTest::newRow("1:1") << QList<int>{1, 1} << QStringLiteral("abab");
    QTest::newRow("2:1") << QList<int>{2, 1} << QStringLiteral("abaaba");
    QTest::newRow("1:2") << QList<int>{1, 2} << QStringLiteral("babbab");
}

void TestKeyPool::smoothSequence() {
    QFETCH(QList<int>, weights);
    QFETCH(QString, sequence);
    KeyPool pool;
    pool.configure(makeConfig(weights));
    QCOMPARE(picks(pool, int(sequence.size())), sequence);
}

void TestKeyPool::exclusionAndExhaustion() {
    KeyPool pool;
    pool.configure(makeConfig({1, 5, 1}));
    PickRequest r;
    r.exclude = {QStringLiteral("a"), QStringLiteral("b")};
    QCOMPARE(picks(pool, 5, r), QStringLiteral("ccccc"));
    r.exclude.append(QStringLiteral("c"));
    const PickResult none = pool.pick(r);
    QVERIFY(!none.lease);
    QCOMPARE(none.cause, NoKeyCause::Exhausted);
}

void TestKeyPool::emptyPool() {
    KeyPool pool;
    const PickResult r = pool.pick({});
    QVERIFY(!r.lease);
    QCOMPARE(r.cause, NoKeyCause::NoneConfigured);
    QCOMPARE(pool.summary().total, 0);
    QVERIFY(pool.secrets().isEmpty());
}

void TestKeyPool::reloadKeepsRotationAndState() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    pool.configure(makeConfig({5, 1, 1}));
    QCOMPARE(picks(pool, 3), QStringLiteral("aab"));
    failKey(pool, QStringLiteral("c"), errorOf(UpstreamErrorClass::KeyInvalid, 400, QStringLiteral("API_KEY_INVALID")));
    GeminiConfig next = makeConfig({5, 1, 1, 1}); // d added
    pool.configure(next);
    QCOMPARE(pool.status(QStringLiteral("c"))->health, KeyHealth::Disabled); // state kept
    QVERIFY(!picks(pool, 50).contains(u'c'));
    pool.configure(makeConfig({1})); // b, c, d removed
    QCOMPARE(pool.summary().total, 1);
    QCOMPARE(picks(pool, 3), QStringLiteral("aaa"));
}

void TestKeyPool::leastInFlightPrefersIdleKeys() {
    KeyPool pool;
    pool.configure(makeConfig({1, 1, 1}, KeyStrategy::LeastInFlight));
    std::vector<KeyLease> held;
    for (int i = 0; i < 3; ++i)
        held.push_back(*pool.pick({}).lease);
    QSet<QString> ids;
    for (const KeyLease& l : held)
        ids.insert(l.id);
    QCOMPARE(ids.size(), 3); // one each before any key gets a second request
    pool.reportSuccess(held[1]);
    QCOMPARE(pool.pick({}).lease->id, held[1].id); // the only idle key
}

void TestKeyPool::mostHeadroomPrefersUnusedBudget() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1, 1}, KeyStrategy::MostHeadroom);
    c.limits = {ModelLimitRule{QStringLiteral("*"), ModelLimits{10, 0, 100}}};
    pool.configure(c);
    // Spend a's budget through an exclusion, then most_headroom must keep choosing b until they are level.
    PickRequest onlyA = forModel();
    onlyA.exclude = {QStringLiteral("b")};
    for (int i = 0; i < 4; ++i)
        QCOMPARE(pickOk(pool, onlyA), QStringLiteral("a"));
    QCOMPARE(picks(pool, 4, forModel()), QStringLiteral("bbbb"));
    const KeyStatus a = *pool.status(QStringLiteral("a"));
    QCOMPARE(a.budgets.value(0).rpmUsed, 4);
    QCOMPARE(a.budgets.value(0).rpmLimit, 10);
    QVERIFY(qAbs(a.headroom - 0.6) < 1e-9);
}

void TestKeyPool::stickySessionsStayOnTheirKey() {
    KeyPool pool;
    pool.configure(makeConfig({1, 1, 1, 1}, KeyStrategy::Sticky));
    QHash<QString, QString> home;
    QHash<QString, int> spread;
    for (int s = 0; s < 400; ++s) {
        PickRequest r;
        r.stickyKey = QStringLiteral("session-%1").arg(s);
        const QString first = pickOk(pool, r);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(pickOk(pool, r), first);
        home.insert(r.stickyKey, first);
        ++spread[first];
    }
    for (int i = 0; i < 4; ++i)
        QVERIFY2(spread.value(idOf(i)) > 60, qPrintable(QString::number(spread.value(idOf(i)))));
    // A disabled key's sessions move; the others stay put; re-enabled, they come back.
    QVERIFY(pool.setUserEnabled(QStringLiteral("a"), false));
    for (auto it = home.cbegin(); it != home.cend(); ++it) {
        PickRequest r;
        r.stickyKey = it.key();
        const QString now = pickOk(pool, r);
        QVERIFY(now != QStringLiteral("a"));
        if (it.value() != QStringLiteral("a"))
            QCOMPARE(now, it.value());
    }
    QVERIFY(pool.setUserEnabled(QStringLiteral("a"), true));
    for (auto it = home.cbegin(); it != home.cend(); ++it) {
        PickRequest r;
        r.stickyKey = it.key();
        QCOMPARE(pickOk(pool, r), it.value());
    }
}

void TestKeyPool::slidingRpmWindow() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1});
    c.limits = {ModelLimitRule{kModel, ModelLimits{3, 0, 0}}};
    pool.configure(c);
    QCOMPARE(picks(pool, 2, forModel()), QStringLiteral("aa")); // t = 0
    clock.advanceMs(30 * kSecond);
    QCOMPARE(pickOk(pool, forModel()), QStringLiteral("a")); // t = 30 s: 3 in the window
    PickResult r = pool.pick(forModel());
    QVERIFY(!r.lease);
    QCOMPARE(r.cause, NoKeyCause::AllLimited);
    QVERIFY2(r.retryAfterMs > 29 * kSecond && r.retryAfterMs <= 30 * kSecond,
             qPrintable(QString::number(r.retryAfterMs)));
    QVERIFY(r.message.contains(QStringLiteral("3 requests/minute")));
    // Other models and model-less calls are not limited by this rule.
    PickRequest other = forModel();
    other.model = QStringLiteral("gemini-2.5-pro");
    QCOMPARE(pickOk(pool, other), QStringLiteral("a"));
    QCOMPARE(pickOk(pool, {}), QStringLiteral("a"));
    clock.advanceMs(30 * kSecond + 1); // t = 60 s: the first two left the window
    QCOMPARE(picks(pool, 2, forModel()), QStringLiteral("aa"));
    QVERIFY(!pool.pick(forModel()).lease);
    clock.advanceMs(30 * kSecond); // t = 90 s: the one from t = 30 left
    QCOMPARE(pickOk(pool, forModel()), QStringLiteral("a"));
}

void TestKeyPool::tpmEstimateIsReconciled() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1});
    c.limits = {ModelLimitRule{QStringLiteral("gemini-*"), ModelLimits{0, 1000, 0}}};
    pool.configure(c);
    const PickResult first = pool.pick(forModel(600));
    QVERIFY(first.lease);
    const PickResult second = pool.pick(forModel(600));
    QVERIFY(!second.lease); // 1200 > 1000
    QVERIFY(second.message.contains(QStringLiteral("input tokens/minute")));
    pool.reportSuccess(*first.lease, 100); // usageMetadata said 100
    const PickResult third = pool.pick(forModel(600));
    QVERIFY(third.lease); // 100 + 600 <= 1000
    pool.reportSuccess(*third.lease, 900);
    QVERIFY(!pool.pick(forModel(1)).lease); // 1000 used
    clock.advanceMs(kMinute + 1);
    QVERIFY(pool.pick(forModel(900)).lease);
}

void TestKeyPool::rpdResetsAtPacificMidnight_data() {
    QTest::addColumn<qint64>("start");        // a minute before a Pacific midnight
    QTest::addColumn<qint64>("nextMidnight"); // the Pacific midnight after that one
    // Winter (PST, UTC-8): 2026-01-15 00:00 PST = 08:00 UTC.
    QTest::newRow("pst") << utcMs(2026, 1, 15, 7, 59) << utcMs(2026, 1, 16, 8, 0);
    // Spring forward: 2026-03-08 is 23 h long; 00:00 PST = 08:00 UTC, next midnight (PDT) = 2026-03-09 07:00 UTC.
    QTest::newRow("spring forward") << utcMs(2026, 3, 8, 7, 59) << utcMs(2026, 3, 9, 7, 0);
    // Fall back: 2026-11-01 is 25 h long; 00:00 PDT = 07:00 UTC, next midnight (PST) = 2026-11-02 08:00 UTC.
    QTest::newRow("fall back") << utcMs(2026, 11, 1, 6, 59) << utcMs(2026, 11, 2, 8, 0);
}

void TestKeyPool::rpdResetsAtPacificMidnight() {
    QFETCH(qint64, start);
    QFETCH(qint64, nextMidnight);
    ManualClock clock(start);
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1});
    c.limits = {ModelLimitRule{QStringLiteral("*"), ModelLimits{0, 0, 2}}};
    pool.configure(c);
    QCOMPARE(picks(pool, 2, forModel()), QStringLiteral("aa"));
    PickResult r = pool.pick(forModel());
    QVERIFY(!r.lease);
    QCOMPARE(r.retryAfterMs, kMinute); // midnight is one minute away
    QVERIFY(r.message.contains(QStringLiteral("requests/day")));
    clock.advanceMs(kMinute); // exactly midnight: a new day
    QCOMPARE(picks(pool, 2, forModel()), QStringLiteral("aa"));
    clock.advanceMs(kMinute);
    r = pool.pick(forModel());
    QVERIFY(!r.lease);
    // The next reset is a whole Pacific day later: 23, 24 or 25 hours after this midnight.
    QCOMPARE(r.retryAfterMs, nextMidnight - clock.nowMs());
    clock.setMs(nextMidnight - 1);
    QVERIFY(!pool.pick(forModel()).lease);
    clock.setMs(nextMidnight);
    QCOMPARE(pickOk(pool, forModel()), QStringLiteral("a"));
}

void TestKeyPool::perMinute429UsesRetryInfo() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    pool.configure(makeConfig({1, 1}));
    failKey(pool, QStringLiteral("a"), error429(QuotaScope::PerMinute, 41 * kSecond));
    QCOMPARE(pool.status(QStringLiteral("a"))->health, KeyHealth::CoolingDown);
    QCOMPARE(pool.status(QStringLiteral("a"))->availableAtMs, clock.nowMs() + 41 * kSecond);
    QCOMPARE(picks(pool, 10, forModel()), QStringLiteral("bbbbbbbbbb"));
    // The cooldown is per model: another model still uses a.
    PickRequest pro = forModel();
    pro.model = QStringLiteral("gemini-2.5-pro");
    QVERIFY(picks(pool, 4, pro).contains(u'a'));
    clock.advanceMs(41 * kSecond - 1);
    QVERIFY(!picks(pool, 6, forModel()).contains(u'a'));
    clock.advanceMs(1);
    QVERIFY(picks(pool, 6, forModel()).contains(u'a'));
    QCOMPARE(pool.status(QStringLiteral("a"))->health, KeyHealth::Ready);
}

void TestKeyPool::perMinute429WithoutDelayBacksOff() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    pool.setRandomSeed(7);
    GeminiConfig c = makeConfig({1, 1});
    c.keyPool.cooldownBaseSeconds = 10;
    c.keyPool.cooldownMaxSeconds = 35;
    pool.configure(c);
    qint64 previous = 0;
    for (int strike = 1; strike <= 4; ++strike) {
        const qint64 t0 = clock.nowMs();
        failKey(pool, QStringLiteral("a"), error429(QuotaScope::Unknown));
        const qint64 rest = pool.status(QStringLiteral("a"))->availableAtMs - t0;
        const qint64 nominal = qMin<qint64>(35 * kSecond, (10 * kSecond) << (strike - 1));
        QVERIFY2(rest >= qMin<qint64>(nominal * 8 / 10, 35 * kSecond) && rest <= 35 * kSecond &&
                     rest <= nominal * 12 / 10,
                 qPrintable(QStringLiteral("strike %1: %2 ms").arg(strike).arg(rest)));
        QVERIFY(rest >= previous || rest == 35 * kSecond);
        previous = rest;
        clock.advanceMs(rest);
    }
    // A success resets the backoff.
    QCOMPARE(pickOk(pool, forModel()).size(), 1);
    PickRequest onlyA = forModel();
    onlyA.exclude = {QStringLiteral("b")};
    QCOMPARE(pickOk(pool, onlyA), QStringLiteral("a"));
    const qint64 t0 = clock.nowMs();
    failKey(pool, QStringLiteral("a"), error429(QuotaScope::Unknown));
    QVERIFY(pool.status(QStringLiteral("a"))->availableAtMs - t0 <= 12 * kSecond);
}

void TestKeyPool::perDay429RestsUntilPacificMidnight() {
    ManualClock clock(utcMs(2026, 7, 10, 20, 0)); // 13:00 PDT
    KeyPool pool(&clock);
    pool.configure(makeConfig({1, 1}));
    failKey(pool, QStringLiteral("a"), error429(QuotaScope::PerDay));
    const KeyStatus a = *pool.status(QStringLiteral("a"));
    QCOMPARE(a.health, KeyHealth::CoolingDown);
    QCOMPARE(a.availableAtMs, utcMs(2026, 7, 11, 7, 0)); // midnight PDT
    QVERIFY(a.detail.contains(QStringLiteral("midnight Pacific")));
    clock.setMs(utcMs(2026, 7, 11, 6, 59));
    QVERIFY(!picks(pool, 6, forModel()).contains(u'a'));
    clock.setMs(utcMs(2026, 7, 11, 7, 0));
    QVERIFY(picks(pool, 6, forModel()).contains(u'a'));
}

void TestKeyPool::projectSharesBudgetAndCooldown() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1, 1, 1});
    c.apiKeys[0].project = QStringLiteral("p");
    c.apiKeys[1].project = QStringLiteral("p");
    c.apiKeys[2].project = QStringLiteral("q");
    c.limits = {ModelLimitRule{kModel, ModelLimits{4, 0, 0}}};
    c.projects = {ProjectConfig{QStringLiteral("q"), {ModelLimitRule{QStringLiteral("*"), ModelLimits{1, 0, 0}}}}};
    pool.configure(c);
    // p's 4 requests per minute are shared by a and b; q (c) has its own override of 1.
    QString got = picks(pool, 5, forModel());
    QCOMPARE(got.count(u'a') + got.count(u'b'), 4);
    QCOMPARE(got.count(u'c'), 1);
    const PickResult r = pool.pick(forModel());
    QVERIFY(!r.lease);
    QCOMPARE(r.cause, NoKeyCause::AllLimited);
    QVERIFY(r.message.contains(QStringLiteral("project p")));

    // A 429 on a cools down b too (same project), not c.
    clock.advanceMs(kMinute + 1);
    failKey(pool, QStringLiteral("a"), error429(QuotaScope::PerMinute, 20 * kSecond));
    QCOMPARE(pool.status(QStringLiteral("b"))->health, KeyHealth::CoolingDown);
    QCOMPARE(pool.status(QStringLiteral("c"))->health, KeyHealth::Ready);
    QCOMPARE(pickOk(pool, forModel()), QStringLiteral("c"));
}

void TestKeyPool::keyLimitOnTopOfProjectLimit() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1, 1});
    c.apiKeys[0].limits = {ModelLimitRule{QStringLiteral("*"), ModelLimits{2, 0, 0}}}; // seed's max_requests_per_minute
    pool.configure(c);
    const QString got = picks(pool, 10, forModel());
    QCOMPARE(got.count(u'a'), 2);
    QCOMPARE(got.count(u'b'), 8);
}

void TestKeyPool::invalidKeyIsDisabledUntilHealthy() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    pool.configure(makeConfig({1, 1}));
    const QString leak = QString::fromLatin1(secretOf(QStringLiteral("a")));
    failKey(pool, QStringLiteral("a"),
            errorOf(UpstreamErrorClass::KeyInvalid, 403, QStringLiteral("CONSUMER_SUSPENDED"),
                    QStringLiteral("Permission denied: Consumer 'api_key:%1' has been suspended.").arg(leak)));
    KeyStatus a = *pool.status(QStringLiteral("a"));
    QCOMPARE(a.health, KeyHealth::Disabled);
    QVERIFY(a.disabledReason.startsWith(QStringLiteral("CONSUMER_SUSPENDED")));
    QVERIFY2(!a.disabledReason.contains(leak), qPrintable(a.disabledReason)); // redacted
    QVERIFY(!a.lastError.contains(leak));
    QCOMPARE(picks(pool, 5), QStringLiteral("bbbbb"));
    clock.advanceMs(24 * 3600 * kSecond); // disabled keys do not come back by themselves
    QCOMPARE(picks(pool, 3), QStringLiteral("bbb"));

    // The health check: due once per interval, and a success brings the key back.
    QList<HealthCheckTarget> due = pool.dueForHealthCheck(5 * kMinute);
    QCOMPARE(due.size(), 1);
    QCOMPARE(due[0].id, QStringLiteral("a"));
    QVERIFY(pool.dueForHealthCheck(5 * kMinute).isEmpty()); // not again right away
    pool.reportHealthCheck(QStringLiteral("a"), false,
                           errorOf(UpstreamErrorClass::KeyInvalid, 400, QStringLiteral("API_KEY_INVALID")));
    QCOMPARE(pool.status(QStringLiteral("a"))->health, KeyHealth::Disabled);
    clock.advanceMs(5 * kMinute);
    QCOMPARE(pool.dueForHealthCheck(5 * kMinute).size(), 1);
    pool.reportHealthCheck(QStringLiteral("a"), true, {});
    QCOMPARE(pool.status(QStringLiteral("a"))->health, KeyHealth::Ready);
    QVERIFY(picks(pool, 4).contains(u'a'));

    // A key turned off by the user stays off whatever checks say, until turned on.
    pool.setUserEnabled(QStringLiteral("b"), false);
    QCOMPARE(pool.status(QStringLiteral("b"))->health, KeyHealth::UserDisabled);
    QVERIFY(pool.dueForHealthCheck(0).isEmpty());
    QCOMPARE(picks(pool, 3), QStringLiteral("aaa"));
}

void TestKeyPool::badRequestNeverBlamesTheKey() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    pool.configure(makeConfig({1}));
    for (int i = 0; i < 20; ++i)
        failKey(pool, QStringLiteral("a"), errorOf(UpstreamErrorClass::BadRequest, 400, QStringLiteral("HTTP_400")));
    const KeyStatus a = *pool.status(QStringLiteral("a"));
    QCOMPARE(a.health, KeyHealth::Ready);
    QVERIFY(a.lastError.isEmpty());
    QCOMPARE(a.inFlight, 0);
}

void TestKeyPool::transientBlameOnlyWhileOthersSucceed() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1, 1});
    c.keyPool.blameAfterFailures = 3;
    c.keyPool.transientCooldownSeconds = 30;
    pool.configure(c);
    const ClassifiedError e503 = errorOf(UpstreamErrorClass::Transient, 503, QStringLiteral("HTTP_503"));
    // A Gemini-wide outage: both keys fail, nobody succeeds -> nobody is blamed.
    for (int i = 0; i < 5; ++i) {
        failKey(pool, QStringLiteral("a"), e503);
        failKey(pool, QStringLiteral("b"), e503);
        clock.advanceMs(kSecond);
    }
    QCOMPARE(pool.summary().available, 2);
    // Now only a keeps failing while b succeeds.
    for (int i = 0; i < 3; ++i) {
        PickRequest onlyB;
        onlyB.exclude = {QStringLiteral("a")};
        QCOMPARE(pickOk(pool, onlyB), QStringLiteral("b"));
        clock.advanceMs(kSecond);
        failKey(pool, QStringLiteral("a"), e503, {});
    }
    KeyStatus a = *pool.status(QStringLiteral("a"));
    QCOMPARE(a.health, KeyHealth::CoolingDown);
    QCOMPARE(a.availableAtMs, clock.nowMs() + 30 * kSecond);
    QCOMPARE(picks(pool, 4), QStringLiteral("bbbb"));
    clock.advanceMs(30 * kSecond);
    QVERIFY(picks(pool, 4).contains(u'a'));
}

void TestKeyPool::breakerOpensAndHalfOpens() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1, 1, 1, 1});
    c.keyPool.breaker = BreakerConfig{true, 10, 0.75, 2, 15};
    pool.configure(c);
    // Two of four keys answering 429 is not enough (75 % = 3 keys) ...
    failKey(pool, QStringLiteral("a"), error429(QuotaScope::PerMinute, kSecond));
    failKey(pool, QStringLiteral("b"), error429(QuotaScope::PerMinute, kSecond));
    QVERIFY(pool.pick({}).lease);
    // ... three within the window trips it.
    clock.advanceMs(2 * kSecond);
    failKey(pool, QStringLiteral("c"), error429(QuotaScope::PerMinute, kSecond));
    PickResult r = pool.pick({});
    QVERIFY(!r.lease);
    QCOMPARE(r.cause, NoKeyCause::BreakerOpen);
    QCOMPARE(r.retryAfterMs, 15 * kSecond);
    clock.advanceMs(15 * kSecond - 1);
    QCOMPARE(pool.pick({}).cause, NoKeyCause::BreakerOpen);
    clock.advanceMs(1);
    // Half-open: one probe at a time.
    const PickResult probe = pool.pick({});
    QVERIFY(probe.lease);
    QVERIFY(probe.lease->probe);
    QCOMPARE(pool.pick({}).cause, NoKeyCause::BreakerOpen);
    // The probe is throttled too: open again for twice as long.
    pool.reportFailure(*probe.lease, error429(QuotaScope::PerMinute, kSecond));
    r = pool.pick({});
    QCOMPARE(r.cause, NoKeyCause::BreakerOpen);
    QCOMPARE(r.retryAfterMs, 30 * kSecond);
    clock.advanceMs(30 * kSecond);
    const PickResult probe2 = pool.pick({});
    QVERIFY(probe2.lease && probe2.lease->probe);
    pool.reportSuccess(*probe2.lease);
    // Closed: every key serves again, no probes.
    const QString after = picks(pool, 8);
    QCOMPARE(QSet<QChar>(after.begin(), after.end()).size(), 4);
    const PickResult normal = pool.pick({});
    QVERIFY(normal.lease && !normal.lease->probe);
}

void TestKeyPool::allLimitedGivesSoonestRetry() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1, 1});
    c.keyPool.breaker.enabled = false;
    pool.configure(c);
    failKey(pool, QStringLiteral("a"), error429(QuotaScope::PerMinute, 41 * kSecond));
    clock.advanceMs(5 * kSecond);
    failKey(pool, QStringLiteral("b"), error429(QuotaScope::PerMinute, 20 * kSecond));
    const PickResult r = pool.pick(forModel());
    QVERIFY(!r.lease);
    QCOMPARE(r.cause, NoKeyCause::AllLimited);
    QCOMPARE(r.retryAfterMs, 20 * kSecond); // b comes back first
    QVERIFY(r.message.contains(QStringLiteral("a:")) && r.message.contains(QStringLiteral("b:")));
    QCOMPARE(pool.summary().coolingDown, 2);
}

void TestKeyPool::noneUsableNamesReasonsWithoutSecrets() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1, 1, 1});
    c.apiKeys[2].enabled = false;
    pool.configure(c);
    failKey(pool, QStringLiteral("a"),
            errorOf(UpstreamErrorClass::KeyInvalid, 400, QStringLiteral("API_KEY_INVALID"),
                    QStringLiteral("API key not valid. Please pass a valid API key.")));
    pool.setUserEnabled(QStringLiteral("b"), false);
    const PickResult r = pool.pick(forModel());
    QVERIFY(!r.lease);
    QCOMPARE(r.cause, NoKeyCause::NoneUsable);
    QVERIFY(r.message.contains(QStringLiteral("API_KEY_INVALID")));
    QVERIFY(r.message.contains(QStringLiteral("turned off by the user")));
    QVERIFY(r.message.contains(QStringLiteral("disabled in the config")));
    for (int i = 0; i < 3; ++i)
        QVERIFY(!r.message.contains(QString::fromLatin1(secretOf(idOf(i)))));
}

void TestKeyPool::modelsAllowList() {
    KeyPool pool;
    GeminiConfig c = makeConfig({1, 1});
    c.apiKeys[0].models = {QStringLiteral("gemini-2.5-pro*")};
    pool.configure(c);
    QCOMPARE(picks(pool, 4, forModel()), QStringLiteral("bbbb"));
    PickRequest pro = forModel();
    pro.model = QStringLiteral("gemini-2.5-pro-preview");
    QVERIFY(picks(pool, 4, pro).contains(u'a'));
}

void TestKeyPool::pinnedProjectOnly() {
    KeyPool pool;
    GeminiConfig c = makeConfig({1, 1, 1});
    c.apiKeys[0].project = QStringLiteral("p");
    c.apiKeys[1].project = QStringLiteral("p");
    c.apiKeys[2].project = QStringLiteral("q");
    pool.configure(c);
    PickRequest r;
    r.pinnedKey = QStringLiteral("b");
    r.pinnedProject = QStringLiteral("p");
    QCOMPARE(picks(pool, 5, r), QStringLiteral("bbbbb")); // the creating key while it is usable
    pool.setUserEnabled(QStringLiteral("b"), false);
    QCOMPARE(picks(pool, 3, r), QStringLiteral("aaa")); // then another key of its project
    pool.setUserEnabled(QStringLiteral("a"), false);
    const PickResult none = pool.pick(r);
    QVERIFY(!none.lease); // never a key of another project
    QCOMPARE(none.cause, NoKeyCause::NoneUsable);
}

void TestKeyPool::secretsArriveLater() {
    KeyPool pool;
    GeminiConfig c = makeConfig({1, 1});
    c.apiKeys[1].secret.clear();
    c.apiKeys[1].secretRef = QStringLiteral("keychain:upstream-b");
    pool.configure(c);
    QCOMPARE(pool.status(QStringLiteral("b"))->health, KeyHealth::NoSecret);
    QCOMPARE(picks(pool, 3), QStringLiteral("aaa"));
    pool.setSecretError(QStringLiteral("b"), QStringLiteral("keychain: locked"));
    QCOMPARE(pool.status(QStringLiteral("b"))->detail, QStringLiteral("keychain: locked"));
    pool.setSecret(QStringLiteral("b"), secretOf(QStringLiteral("b")));
    QCOMPARE(pool.status(QStringLiteral("b"))->health, KeyHealth::Ready);
    QVERIFY(picks(pool, 4).contains(u'b'));
    QVERIFY(pool.secrets().contains(secretOf(QStringLiteral("b"))));
    // A reload with the same reference keeps the loaded secret.
    pool.configure(c);
    QCOMPARE(pool.status(QStringLiteral("b"))->health, KeyHealth::Ready);
}

void TestKeyPool::persistenceRoundTrip() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    GeminiConfig c = makeConfig({1, 1, 1});
    c.limits = {ModelLimitRule{kModel, ModelLimits{0, 0, 5}}};
    KeyPoolDelta delta;
    {
        KeyPool pool(&clock);
        pool.configure(c);
        PickRequest onlyC = forModel(40);
        onlyC.exclude = {QStringLiteral("a"), QStringLiteral("b")};
        QCOMPARE(picks(pool, 3, onlyC), QStringLiteral("ccc"));
        failKey(pool, QStringLiteral("a"),
                errorOf(UpstreamErrorClass::KeyInvalid, 400, QStringLiteral("API_KEY_INVALID")));
        failKey(pool, QStringLiteral("b"), error429(QuotaScope::PerDay));
        pool.setUserEnabled(QStringLiteral("c"), false);
        delta = pool.takeDelta();
        QVERIFY(pool.takeDelta().isEmpty()); // taken once
    }
    QCOMPARE(delta.cooldowns.size(), 1);
    qint64 requests = 0;
    for (const KeyDayCounterRow& row : delta.counters)
        requests += row.requests;
    QCOMPARE(requests, 5); // c's three, plus a's and b's failed attempts

    // A restart: a new pool restored from the rows keeps everything, including the day's requests.
    clock.advanceMs(kMinute);
    KeyPool pool(&clock);
    pool.configure(c);
    pool.restore(delta.states, delta.counters, delta.cooldowns);
    QCOMPARE(pool.status(QStringLiteral("a"))->health, KeyHealth::Disabled);
    QCOMPARE(pool.status(QStringLiteral("b"))->health, KeyHealth::CoolingDown);
    QCOMPARE(pool.status(QStringLiteral("c"))->health, KeyHealth::UserDisabled);
    QCOMPARE(pool.status(QStringLiteral("c"))->requestsToday, 3);
    pool.setUserEnabled(QStringLiteral("c"), true);
    PickRequest r = forModel();
    QCOMPARE(picks(pool, 3, r), QStringLiteral("cc-")); // 5 per day: 3 used before the restart
    // Rows of another day are ignored.
    KeyPool fresh(&clock);
    fresh.configure(c);
    QList<KeyDayCounterRow> old = delta.counters;
    for (KeyDayCounterRow& row : old)
        row.day = QStringLiteral("2026-05-31");
    fresh.restore({}, old, {});
    QCOMPARE(fresh.status(QStringLiteral("c"))->requestsToday, 0);
}

void TestKeyPool::concurrentPicksAreExact() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({5, 3, 2});
    c.limits = {ModelLimitRule{QStringLiteral("*"), ModelLimits{0, 0, 30000}}};
    pool.configure(c);
    constexpr int kThreads = 4;
    constexpr int kPerThread = 10000;
    std::vector<QHash<QString, int>> perThread(kThreads);
    std::vector<int> misses(kThreads, 0);
    {
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&pool, &perThread, &misses, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    const PickResult r = pool.pick(forModel());
                    if (r.lease) {
                        ++perThread[t][r.lease->id];
                        pool.reportSuccess(*r.lease);
                    } else {
                        ++misses[t];
                    }
                }
            });
        }
        for (std::thread& th : threads)
            th.join();
    }
    QHash<QString, int> counts;
    int missed = 0;
    for (int t = 0; t < kThreads; ++t) {
        missed += misses[t];
        for (auto it = perThread[t].cbegin(); it != perThread[t].cend(); ++it)
            counts[it.key()] += it.value();
    }
    // The per-project daily limit is exact under contention: 30000 per key (each key is its own project).
    QCOMPARE(missed, 0);
    QCOMPARE(counts.value(QStringLiteral("a")) + counts.value(QStringLiteral("b")) + counts.value(QStringLiteral("c")),
             kThreads * kPerThread);
    QCOMPARE(counts.value(QStringLiteral("a")), 20000); // the shared rotation stays exact: 5/10 of 40000
    QCOMPARE(counts.value(QStringLiteral("b")), 12000);
    QCOMPARE(counts.value(QStringLiteral("c")), 8000);
    for (const KeyStatus& s : pool.statuses())
        QCOMPARE(s.inFlight, 0);
}

void TestKeyPool::tokenEstimate() {
    QCOMPARE(estimateInputTokens(QByteArray(400, 'x')), 100);
    const QByteArray image = "{\"contents\":[{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" +
                             QByteArray(400000, 'A') + "\"}},{\"text\":\"describe\"}]}]}";
    const qint64 est = estimateInputTokens(image);
    QVERIFY2(est > 258 && est < 320, qPrintable(QString::number(est))); // one image, not 100k tokens
}

void TestKeyPool::probeAnsweredClosesBreakerAtOnce() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1, 1});
    c.keyPool.breaker = BreakerConfig{true, 10, 0.75, 2, 15};
    pool.configure(c);
    failKey(pool, QStringLiteral("a"), error429(QuotaScope::PerMinute, kSecond));
    failKey(pool, QStringLiteral("b"), error429(QuotaScope::PerMinute, kSecond));
    QCOMPARE(pool.pick({}).cause, NoKeyCause::BreakerOpen);
    clock.advanceMs(15 * kSecond);
    PickResult probe = pool.pick({});
    QVERIFY(probe.lease && probe.lease->probe);
    // Its headers said 200: a long stream may follow, but everyone else may go now.
    pool.probeAnswered(&*probe.lease);
    QVERIFY(!probe.lease->probe);
    const PickResult other = pool.pick({});
    QVERIFY(other.lease);
    QVERIFY(!other.lease->probe);
    pool.reportSuccess(*probe.lease);
    pool.reportSuccess(*other.lease);
    for (const KeyStatus& s : pool.statuses())
        QCOMPARE(s.inFlight, 0);
}

void TestKeyPool::healthCheckWaitsAnIntervalAfterRest() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1, 1});
    c.keyPool.blameAfterFailures = 1;
    c.keyPool.transientCooldownSeconds = 120;
    pool.configure(c);
    QCOMPARE(pickOk(pool), QStringLiteral("a"));
    failKey(pool, QStringLiteral("a"), errorOf(UpstreamErrorClass::Transient, 500, QStringLiteral("HTTP_500")), {});
    QCOMPARE(pool.status(QStringLiteral("a"))->health, KeyHealth::CoolingDown);
    QVERIFY(pool.dueForHealthCheck(60 * kSecond).isEmpty()); // not at once: the rest would end at the next tick
    clock.advanceMs(60 * kSecond);
    QCOMPARE(pool.dueForHealthCheck(60 * kSecond).size(), 1);
}

void TestKeyPool::modelLess429DoesNotStopGeneration() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    pool.configure(makeConfig({1}));
    PickRequest files; // e.g. GET /v1beta/files: no model, no quota
    const PickResult r = pool.pick(files);
    pool.reportFailure(*r.lease, error429(QuotaScope::PerMinute, 30 * kSecond, QString()));
    QVERIFY(!pool.pick(files).lease);                        // files calls wait
    QCOMPARE(pickOk(pool, forModel()), QStringLiteral("a")); // generation does not
    // A countTokens-style call (a model, but no quota) naming the model in its 429 does not cool generation either.
    PickRequest count;
    count.model = kModel;
    clock.advanceMs(31 * kSecond);
    const PickResult c2 = pool.pick(count);
    QVERIFY(c2.lease);
    pool.reportFailure(*c2.lease, error429(QuotaScope::PerMinute, 30 * kSecond));
    QCOMPARE(pickOk(pool, forModel()), QStringLiteral("a"));
}

void TestKeyPool::countersStayOnTheirDay() {
    ManualClock clock(utcMs(2026, 6, 2, 6, 59) + 59 * kSecond); // 23:59:59 PDT
    KeyPool pool(&clock);
    pool.configure(makeConfig({1}));
    QCOMPARE(pickOk(pool, forModel()), QStringLiteral("a"));
    clock.advanceMs(2 * kSecond); // the next Pacific day, before the 1 s persistence tick
    QCOMPARE(pickOk(pool, forModel()), QStringLiteral("a"));
    const KeyPoolDelta d = pool.takeDelta();
    QCOMPARE(d.counters.size(), 2);
    QSet<QString> days;
    for (const KeyDayCounterRow& row : d.counters) {
        QCOMPARE(row.requests, 1);
        days.insert(row.day);
    }
    QCOMPARE(days, (QSet<QString>{QStringLiteral("2026-06-01"), QStringLiteral("2026-06-02")}));
    QCOMPARE(pool.status(QStringLiteral("a"))->requestsToday, 1);
}

void TestKeyPool::keyLimitHeadroomInSharedProject() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1, 1});
    for (UpstreamKey& k : c.apiKeys) {
        k.project = QStringLiteral("shared");
        k.limits = {ModelLimitRule{QStringLiteral("*"), ModelLimits{10, 0, 0}}};
    }
    pool.configure(c);
    QCOMPARE(picks(pool, 10, forModel()), QStringLiteral("ababababab"));
    // Each key used 5 of its own 10: half its budget, not "at the limit" because the project sent 10.
    for (const KeyStatus& s : pool.statuses()) {
        QCOMPARE(s.health, KeyHealth::Ready);
        QVERIFY2(qAbs(s.headroom - 0.5) < 1e-9, qPrintable(QString::number(s.headroom)));
        QCOMPARE(s.budgets.value(0).rpmUsed, 5);
        QCOMPARE(s.budgets.value(0).rpmLimit, 10);
    }
    QCOMPARE(picks(pool, 12, forModel()).count(u'-'), 2); // and each stops at its own 10
}

void TestKeyPool::replacedSecretIsJudgedAfresh() {
    KeyPool pool;
    GeminiConfig c = makeConfig({1, 1});
    pool.configure(c);
    failKey(pool, QStringLiteral("a"), errorOf(UpstreamErrorClass::KeyInvalid, 400, QStringLiteral("API_KEY_INVALID")));
    pool.configure(c); // same key: still disabled
    QCOMPARE(pool.status(QStringLiteral("a"))->health, KeyHealth::Disabled);
    c.apiKeys[0].secret = QStringLiteral("AIzaSyReplacementKey-0123456789abcdefghij");
    pool.configure(c); // the user pasted a new key
    QCOMPARE(pool.status(QStringLiteral("a"))->health, KeyHealth::Ready);
    // The same for a secret rotated behind a reference.
    c.apiKeys[1].secret.clear();
    c.apiKeys[1].secretRef = QStringLiteral("file:/k/b.key");
    pool.configure(c);
    pool.setSecret(QStringLiteral("b"), "first-secret-value");
    failKey(pool, QStringLiteral("b"),
            errorOf(UpstreamErrorClass::KeyInvalid, 403, QStringLiteral("CONSUMER_SUSPENDED")));
    pool.setSecret(QStringLiteral("b"), "first-secret-value");
    QCOMPARE(pool.status(QStringLiteral("b"))->health, KeyHealth::Disabled);
    pool.setSecret(QStringLiteral("b"), "second-secret-value");
    QCOMPARE(pool.status(QStringLiteral("b"))->health, KeyHealth::Ready);
}

void TestKeyPool::restingKeysGive503NotRateLimited() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1, 1});
    c.keyPool.blameAfterFailures = 1;
    pool.configure(c);
    QCOMPARE(pickOk(pool), QStringLiteral("a"));
    failKey(pool, QStringLiteral("b"), errorOf(UpstreamErrorClass::Transient, 503, QStringLiteral("HTTP_503")), {});
    QCOMPARE(pickOk(pool), QStringLiteral("a"));
    failKey(pool, QStringLiteral("a"), errorOf(UpstreamErrorClass::Transient, 503, QStringLiteral("HTTP_503")), {});
    const PickResult r = pool.pick({});
    QVERIFY(!r.lease);
    QCOMPARE(r.cause, NoKeyCause::NoneUsable);
    QVERIFY(r.retryAfterMs > 0);
}

void TestKeyPool::eventsDescribeWhatThePoolDid() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    pool.configure(makeConfig({1, 1}));
    failKey(pool, QStringLiteral("a"),
            errorOf(UpstreamErrorClass::KeyInvalid, 403, QStringLiteral("CONSUMER_SUSPENDED"),
                    QStringLiteral("Consumer 'api_key:%1' has been suspended.")
                        .arg(QString::fromLatin1(secretOf(QStringLiteral("a"))))));
    failKey(pool, QStringLiteral("b"), error429(QuotaScope::PerMinute, 41 * kSecond));
    const QStringList events = pool.takeEvents();
    QCOMPARE(events.size(), 2);
    QVERIFY(events[0].startsWith(QStringLiteral("disabled key a: CONSUMER_SUSPENDED")));
    QVERIFY(!events[0].contains(QString::fromLatin1(secretOf(QStringLiteral("a")))));
    QVERIFY(events[1].contains(QStringLiteral("retry after 41 s")));
    QVERIFY(pool.takeEvents().isEmpty());
}

void TestKeyPool::dryRunCountsNothing() {
    ManualClock clock(utcMs(2026, 6, 1, 12, 0));
    KeyPool pool(&clock);
    GeminiConfig c = makeConfig({1});
    c.limits = {ModelLimitRule{QStringLiteral("*"), ModelLimits{1, 0, 0}}};
    pool.configure(c);
    PickRequest ask = forModel();
    ask.dryRun = true;
    for (int i = 0; i < 5; ++i) {
        const PickResult r = pool.pick(ask);
        QVERIFY(!r.lease);
        QCOMPARE(r.cause, NoKeyCause::None);
    }
    QCOMPARE(pickOk(pool, forModel()), QStringLiteral("a")); // the one request per minute is still there
    QCOMPARE(pool.pick(ask).cause, NoKeyCause::AllLimited);
    QCOMPARE(pool.status(QStringLiteral("a"))->inFlight, 0);
}

QTEST_GUILESS_MAIN(TestKeyPool)
#include "tst_keypool.moc"
