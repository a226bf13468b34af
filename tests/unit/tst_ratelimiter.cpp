// RateLimiter: token-bucket math on a manual clock, limit changes, exactness under 4 threads, pruning.

#include "policy/ratelimiter.h"

#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace gemgate;

class TestRateLimiter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void burstThenSteadyRate();
    void clientsAreIndependent();
    void unlimited();
    void limitChangeKeepsUsage();
    void exactUnderConcurrency();
    void pruneDropsFullBuckets();
};

void TestRateLimiter::burstThenSteadyRate() {
    ManualClock clock(1'000'000);
    RateLimiter limiter(&clock);
    qint64 retry = 0;
    for (int i = 0; i < 60; ++i)
        QVERIFY(limiter.tryAcquire(QStringLiteral("a"), 60, &retry));
    QVERIFY(!limiter.tryAcquire(QStringLiteral("a"), 60, &retry));
    QCOMPARE(retry, 1000); // one token per second at 60/min
    clock.advanceMs(999);
    QVERIFY(!limiter.tryAcquire(QStringLiteral("a"), 60, &retry));
    QCOMPARE(retry, 1);
    clock.advanceMs(1);
    QVERIFY(limiter.tryAcquire(QStringLiteral("a"), 60, &retry));
    QVERIFY(!limiter.tryAcquire(QStringLiteral("a"), 60, &retry));
    clock.advanceMs(30'000); // half a minute: 30 tokens
    int granted = 0;
    while (limiter.tryAcquire(QStringLiteral("a"), 60, &retry))
        ++granted;
    QCOMPARE(granted, 30);
    clock.advanceMs(10 * 60'000); // never more than the bucket holds
    granted = 0;
    while (limiter.tryAcquire(QStringLiteral("a"), 60, &retry))
        ++granted;
    QCOMPARE(granted, 60);
}

void TestRateLimiter::clientsAreIndependent() {
    ManualClock clock(0);
    RateLimiter limiter(&clock);
    qint64 retry = 0;
    for (int i = 0; i < 3; ++i)
        QVERIFY(limiter.tryAcquire(QStringLiteral("a"), 3, &retry));
    QVERIFY(!limiter.tryAcquire(QStringLiteral("a"), 3, &retry));
    QCOMPARE(retry, 20'000);
    QVERIFY(limiter.tryAcquire(QStringLiteral("b"), 3, &retry));
}

void TestRateLimiter::unlimited() {
    RateLimiter limiter;
    for (int i = 0; i < 10'000; ++i)
        QVERIFY(limiter.tryAcquire(QStringLiteral("a"), 0, nullptr));
}

void TestRateLimiter::limitChangeKeepsUsage() {
    ManualClock clock(0);
    RateLimiter limiter(&clock);
    qint64 retry = 0;
    for (int i = 0; i < 10; ++i)
        QVERIFY(limiter.tryAcquire(QStringLiteral("a"), 100, &retry));
    // Lowered to 15 by a reload: 10 of them are used already.
    int granted = 0;
    while (limiter.tryAcquire(QStringLiteral("a"), 15, &retry))
        ++granted;
    QCOMPARE(granted, 5);
    QVERIFY(qAbs(limiter.available(QStringLiteral("a"), 15)) < 1e-9);
}

void TestRateLimiter::exactUnderConcurrency() {
    ManualClock clock(0); // time stands still: exactly the bucket's 500 tokens exist
    RateLimiter limiter(&clock);
    std::atomic<int> granted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) {
                if (limiter.tryAcquire(QStringLiteral("shared"), 500, nullptr))
                    granted.fetch_add(1);
            }
        });
    }
    for (std::thread& th : threads)
        th.join();
    QCOMPARE(granted.load(), 500);
}

void TestRateLimiter::pruneDropsFullBuckets() {
    ManualClock clock(0);
    RateLimiter limiter(&clock);
    QVERIFY(limiter.tryAcquire(QStringLiteral("a"), 2, nullptr));
    QVERIFY(limiter.tryAcquire(QStringLiteral("a"), 2, nullptr));
    limiter.prune(); // just used: kept
    QVERIFY(!limiter.tryAcquire(QStringLiteral("a"), 2, nullptr));
    clock.advanceMs(60'000);
    limiter.prune(); // a minute idle: full again, dropped, and nothing changes for the client
    QCOMPARE(limiter.available(QStringLiteral("a"), 2), 2.0);
}

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
