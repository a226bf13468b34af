// The client policy engine on a ManualClock: requests-per-minute bucket math (burst, steady refill, Retry-After),
// concurrency slots, tokens per minute with reconciliation from the reply, day and month token / request quotas
// with their reset at the zone's midnight, restore after a restart, the per-request input cap, scopes (a
// namespace shared by two clients, the global bucket), a stream's running totals running a quota out, and exact
// accounting under 4 threads.

#include "policy/policyengine.h"

#include <QDateTime>
#include <QTest>
#include <QTimeZone>

#include <atomic>
#include <thread>
#include <vector>

using namespace gemgate;

namespace {
qint64 utcMs(int y, int mo, int d, int h, int mi = 0) {
    return QDateTime(QDate(y, mo, d), QTime(h, mi), QTimeZone::utc()).toMSecsSinceEpoch();
}

PolicySubject client(const QString& name, const LimitSet& limits, const QString& ns = QString()) {
    PolicySubject s;
    s.client = name;
    s.clientLimits = limits;
    s.nameSpace = ns;
    return s;
}

LimitSet rpm(qint64 n) {
    LimitSet l;
    l.requestsPerMinute = n;
    return l;
}

// Admits and settles at once (a request that ends immediately, using `tokens`).
bool once(PolicyEngine& e, const PolicySubject& s, qint64 estimate = 0, bool tokens = false, qint64 actual = 0,
          PolicyRejection* why = nullptr) {
    PolicyTicket t;
    const auto r = e.admit(s, estimate, tokens, &t);
    if (r) {
        if (why)
            *why = *r;
        return false;
    }
    e.settle(t, actual);
    return true;
}
} // namespace

class TestPolicyEngine : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void unlimitedTakesNoTicket() {
        PolicyEngine e;
        PolicyTicket t;
        QVERIFY(!e.admit(client(QStringLiteral("a"), LimitSet()), 100, true, &t));
        QVERIFY(!t.valid());
        LimitSet zero;
        zero.requestsPerMinute = 0; // 0 = unlimited
        QVERIFY(!e.admit(client(QStringLiteral("a"), zero), 100, true, &t));
        QVERIFY(!t.valid());
    }

    void requestsPerMinuteBurstAndRefill() {
        ManualClock clock(utcMs(2026, 11, 24, 10));
        PolicyEngine e(&clock);
        const PolicySubject s = client(QStringLiteral("a"), rpm(60));
        for (int i = 0; i < 60; ++i)
            QVERIFY2(once(e, s), qPrintable(QString::number(i)));
        PolicyRejection why;
        QVERIFY(!once(e, s, 0, false, 0, &why));
        QCOMPARE(why.status, 429);
        QCOMPARE(why.errorKind, QByteArray("rate_limited"));
        QCOMPARE(why.retryAfterMs, 1000); // 60 per minute: one every second
        QVERIFY2(why.message.contains(QLatin1String("requests_per_minute = 60")), qPrintable(why.message));
        QVERIFY(why.message.contains(QLatin1String("client \"a\"")));
        clock.advanceMs(999);
        QVERIFY(!once(e, s, 0, false, 0, &why));
        QCOMPARE(why.retryAfterMs, 1);
        clock.advanceMs(1);
        QVERIFY(once(e, s));
        QVERIFY(!once(e, s));
        clock.advanceMs(30'000); // half a minute: 30 more
        for (int i = 0; i < 30; ++i)
            QVERIFY(once(e, s));
        QVERIFY(!once(e, s));
        // A bucket never holds more than a minute's worth.
        clock.advanceMs(10 * 60'000);
        for (int i = 0; i < 60; ++i)
            QVERIFY(once(e, s));
        QVERIFY(!once(e, s));
    }

    void oddRatesAreExact() {
        ManualClock clock(1'000'000);
        PolicyEngine e(&clock);
        const PolicySubject s = client(QStringLiteral("a"), rpm(7));
        for (int i = 0; i < 7; ++i)
            QVERIFY(once(e, s));
        PolicyRejection why;
        QVERIFY(!once(e, s, 0, false, 0, &why));
        QCOMPARE(why.retryAfterMs, 8572); // ceil(60000 / 7)
        clock.advanceMs(8571);
        QVERIFY(!once(e, s));
        clock.advanceMs(1);
        QVERIFY(once(e, s));
    }

    void limitChangeKeepsWhatWasUsed() {
        ManualClock clock(1'000'000);
        PolicyEngine e(&clock);
        for (int i = 0; i < 10; ++i)
            QVERIFY(once(e, client(QStringLiteral("a"), rpm(20))));
        // Lowered to 15 by a reload: 10 used, 5 left.
        for (int i = 0; i < 5; ++i)
            QVERIFY(once(e, client(QStringLiteral("a"), rpm(15))));
        QVERIFY(!once(e, client(QStringLiteral("a"), rpm(15))));
    }

    void concurrency() {
        PolicyEngine e;
        LimitSet l;
        l.concurrentRequests = 2;
        const PolicySubject s = client(QStringLiteral("a"), l);
        PolicyTicket t1, t2, t3;
        QVERIFY(!e.admit(s, 0, false, &t1));
        QVERIFY(!e.admit(s, 0, false, &t2));
        const auto r = e.admit(s, 0, false, &t3);
        QVERIFY(r);
        QCOMPARE(r->errorKind, QByteArray("concurrency_limited"));
        QVERIFY(r->message.contains(QLatin1String("concurrent_requests = 2")));
        QCOMPARE(e.usage(QStringLiteral("c:a")).concurrent, 2);
        e.settle(t1, 0);
        e.settle(t1, 0); // settling twice changes nothing
        QCOMPARE(e.usage(QStringLiteral("c:a")).concurrent, 1);
        QVERIFY(!e.admit(s, 0, false, &t3));
        e.settle(t2, 0);
        e.settle(t3, 0);
        QCOMPARE(e.usage(QStringLiteral("c:a")).concurrent, 0);
    }

    void tokensPerMinuteReconciles() {
        ManualClock clock(1'000'000);
        PolicyEngine e(&clock);
        LimitSet l;
        l.tokensPerMinute = 1000;
        const PolicySubject s = client(QStringLiteral("a"), l);
        // Estimated 100, used 700: 300 left.
        QVERIFY(once(e, s, 100, true, 700));
        QVERIFY(once(e, s, 300, true, 300));
        PolicyRejection why;
        QVERIFY(!once(e, s, 1, true, 1, &why));
        QCOMPARE(why.errorKind, QByteArray("token_rate_limited"));
        QCOMPARE(why.retryAfterMs, 60); // 1000 per minute: one token every 60 ms
        // Calls that do not count tokens (a models list) are not held back by the token bucket.
        QVERIFY(once(e, s, 0, false));
        // A refund: estimated 500, the call used nothing (failed upstream).
        clock.advanceMs(60'000);
        PolicyTicket t;
        QVERIFY(!e.admit(s, 500, true, &t));
        e.settle(t, 0);
        QVERIFY(once(e, s, 1000, true, 1000)); // the whole minute again
        // A request larger than the whole minute passes only with a full bucket, and leaves a debt.
        clock.advanceMs(60'000);
        QVERIFY(once(e, s, 5000, true, 5000));
        clock.advanceMs(60'000);
        QVERIFY(!once(e, s, 1, true, 1)); // still paying off 4000 tokens
        clock.advanceMs(4 * 60'000 + 60);
        QVERIFY(once(e, s, 1, true, 1));
    }

    void dayQuotaResetsAtZoneMidnight() {
        ManualClock clock(utcMs(2026, 11, 24, 22, 30)); // 23:30 in Berlin (UTC+1 in November)
        PolicyEngine e(&clock);
        e.setTimeZone(QStringLiteral("Europe/Berlin"));
        QCOMPARE(e.today(), QStringLiteral("2026-11-24"));
        LimitSet l;
        l.tokensPerDay = 1000;
        const PolicySubject s = client(QStringLiteral("a"), l);
        QVERIFY(once(e, s, 10, true, 990));
        PolicyRejection why;
        QVERIFY(!once(e, s, 11, true, 11, &why)); // 990 + 11 > 1000
        QCOMPARE(why.errorKind, QByteArray("quota_exhausted"));
        QCOMPARE(why.retryAfterMs, 30 * 60'000); // until Berlin midnight
        QVERIFY(why.message.contains(QLatin1String("tokens_per_day = 1000")));
        QVERIFY(once(e, s, 10, true, 10));       // exactly 1000
        QVERIFY(!once(e, s, 0, true, 0));        // nothing left at all
        QVERIFY(once(e, s, 0, false));           // calls that use no tokens still pass
        clock.setMs(utcMs(2026, 11, 24, 23, 0)); // midnight in Berlin
        QCOMPARE(e.today(), QStringLiteral("2026-11-25"));
        QVERIFY(once(e, s, 500, true, 500));
        QCOMPARE(e.usage(QStringLiteral("c:a")).dayTokens, 500);
        QCOMPARE(e.usage(QStringLiteral("c:a")).monthTokens, 1500);
    }

    void monthAndRequestQuotas() {
        ManualClock clock(utcMs(2026, 11, 30, 12));
        PolicyEngine e(&clock);
        LimitSet l;
        l.requestsPerDay = 3;
        l.requestsPerMonth = 5;
        l.tokensPerMonth = 10'000;
        const PolicySubject s = client(QStringLiteral("a"), l);
        for (int i = 0; i < 3; ++i)
            QVERIFY(once(e, s));
        PolicyRejection why;
        QVERIFY(!once(e, s, 0, false, 0, &why));
        QVERIFY(why.message.contains(QLatin1String("requests_per_day = 3")));
        QCOMPARE(why.retryAfterMs, 12 * 3600 * 1000);
        clock.setMs(utcMs(2026, 11, 30, 23, 59)); // same day
        QVERIFY(!once(e, s));
        QCOMPARE(e.monthStart(), QStringLiteral("2026-11-01"));
        clock.setMs(utcMs(2026, 12, 1, 0, 0)); // a new day and a new month
        QCOMPARE(e.monthStart(), QStringLiteral("2026-12-01"));
        for (int i = 0; i < 3; ++i)
            QVERIFY(once(e, s));
        clock.setMs(utcMs(2026, 12, 2, 0, 0));
        QVERIFY(once(e, s));
        QVERIFY(once(e, s));
        QVERIFY(!once(e, s, 0, false, 0, &why)); // 5 this month
        QVERIFY(why.message.contains(QLatin1String("requests_per_month = 5")));
        QCOMPARE(why.retryAfterMs, utcMs(2027, 1, 1, 0) - utcMs(2026, 12, 2, 0));
    }

    // gemgate_quota_used_ratio's source: every touched quota with its use, and none that a reload took away.
    void quotaUses() {
        ManualClock clock(utcMs(2026, 11, 24, 12));
        PolicyEngine e(&clock);
        LimitSet l;
        l.requestsPerDay = 4;
        l.tokensPerMonth = 1000;
        const PolicySubject s = client(QStringLiteral("alice"), l);
        QVERIFY(once(e, s, 10, true, 250));
        QList<PolicyEngine::QuotaUse> uses = e.quotaUses();
        QCOMPARE(uses.size(), 2);
        for (const PolicyEngine::QuotaUse& u : uses) {
            QCOMPARE(u.scope, QStringLiteral("client:alice"));
            if (QByteArray(u.limit) == "requests_per_day") {
                QCOMPARE(u.used, qint64(1));
                QCOMPARE(u.max, qint64(4));
            } else {
                QCOMPARE(QByteArray(u.limit), QByteArray("tokens_per_month"));
                QCOMPARE(u.used, qint64(250));
                QCOMPARE(u.max, qint64(1000));
            }
        }
        e.forgetQuotaLimits(); // a reload
        QVERIFY(e.quotaUses().isEmpty());
        QVERIFY(once(e, client(QStringLiteral("alice"), rpm(100))));
        QVERIFY(e.quotaUses().isEmpty()); // the new config has no quota for her
        QVERIFY(once(e, s));
        QCOMPARE(e.quotaUses().size(), 2); // the use was kept; only the limits are learned again
    }

    void restoreAfterRestart() {
        ManualClock clock(utcMs(2026, 11, 24, 12));
        PolicyEngine e(&clock);
        e.restore({
            {QStringLiteral("2026-11-24"), QStringLiteral("a"), QStringLiteral("team"), 4, 900},
            {QStringLiteral("2026-11-03"), QStringLiteral("a"), QStringLiteral("team"), 10, 5000},
            {QStringLiteral("2026-10-31"), QStringLiteral("a"), QStringLiteral("team"), 99, 99999}, // last month
            {QStringLiteral("2026-11-24"), QStringLiteral("b"), QStringLiteral("team"), 1, 50},
        });
        const auto a = e.usage(QStringLiteral("c:a"));
        QCOMPARE(a.dayTokens, 900);
        QCOMPARE(a.dayRequests, 4);
        QCOMPARE(a.monthTokens, 5900);
        QCOMPARE(a.monthRequests, 14);
        QCOMPARE(e.usage(QStringLiteral("n:team")).dayTokens, 950);
        QCOMPARE(e.usage(QStringLiteral("g")).monthTokens, 5950);
        LimitSet l;
        l.tokensPerDay = 1000;
        QVERIFY(!once(e, client(QStringLiteral("a"), l), 101, true, 0));
        QVERIFY(once(e, client(QStringLiteral("a"), l), 100, true, 100));
    }

    void inputCap() {
        PolicyEngine e;
        LimitSet l;
        l.maxInputTokens = 1000;
        PolicyRejection why;
        QVERIFY(!once(e, client(QStringLiteral("a"), l), 1001, true, 0, &why));
        QCOMPARE(why.status, 400);
        QCOMPARE(why.errorKind, QByteArray("input_too_large"));
        QVERIFY(why.message.contains(QLatin1String("1001")));
        QVERIFY(why.message.contains(QLatin1String("max_input_tokens = 1000")));
        QVERIFY(once(e, client(QStringLiteral("a"), l), 1000, true, 0));
    }

    void namespaceIsShared() {
        ManualClock clock(1'000'000);
        PolicyEngine e(&clock);
        PolicySubject a = client(QStringLiteral("a"), rpm(100), QStringLiteral("team"));
        a.namespaceLimits = rpm(10);
        PolicySubject b = a;
        b.client = QStringLiteral("b");
        for (int i = 0; i < 5; ++i) {
            QVERIFY(once(e, a));
            QVERIFY(once(e, b));
        }
        PolicyRejection why;
        QVERIFY(!once(e, a, 0, false, 0, &why));
        QVERIFY2(why.message.contains(QLatin1String("namespace \"team\"")), qPrintable(why.message));
        // A rejection takes nothing from the scopes that had room.
        QCOMPARE(e.usage(QStringLiteral("c:a")).dayRequests, 5);
        // Another namespace is not affected.
        PolicySubject c = client(QStringLiteral("c"), rpm(100), QStringLiteral("other"));
        c.namespaceLimits = rpm(10);
        QVERIFY(once(e, c));
    }

    void globalAndIp() {
        ManualClock clock(1'000'000);
        PolicyEngine e(&clock);
        PolicySubject s = client(QStringLiteral("a"), LimitSet());
        s.ip = QStringLiteral("10.0.0.1");
        s.ipLimits = rpm(3);
        s.globalLimits = rpm(5);
        for (int i = 0; i < 3; ++i)
            QVERIFY(once(e, s));
        PolicyRejection why;
        QVERIFY(!once(e, s, 0, false, 0, &why));
        QVERIFY(why.message.contains(QLatin1String("source address 10.0.0.1")));
        s.ip = QStringLiteral("10.0.0.2");
        QVERIFY(once(e, s));
        QVERIFY(once(e, s));
        QVERIFY(!once(e, s, 0, false, 0, &why));
        QVERIFY(why.message.contains(QLatin1String("the gateway")));
    }

    void streamRunsQuotaOut() {
        PolicyEngine e;
        LimitSet l;
        l.tokensPerDay = 1000;
        const PolicySubject s = client(QStringLiteral("a"), l);
        QVERIFY(once(e, s, 0, true, 400));
        PolicyTicket t;
        QVERIFY(!e.admit(s, 50, true, &t));
        QVERIFY(t.watchesTokens());
        QString msg;
        QVERIFY(e.progress(t, 300, &msg));
        QCOMPARE(e.usage(QStringLiteral("c:a")).reservedTokens, 300);
        QVERIFY(e.progress(t, 600, &msg)); // 400 + 600 = 1000: at the quota, not over
        QVERIFY(!e.progress(t, 601, &msg));
        QVERIFY2(msg.contains(QLatin1String("tokens_per_day = 1000")), qPrintable(msg));
        e.settle(t, 601);
        QCOMPARE(e.usage(QStringLiteral("c:a")).dayTokens, 1001);
        QCOMPARE(e.usage(QStringLiteral("c:a")).reservedTokens, 0);
        // Two streams at once share the quota: their running totals add up.
        PolicyEngine f;
        PolicyTicket t1, t2;
        QVERIFY(!f.admit(s, 0, true, &t1));
        QVERIFY(!f.admit(s, 0, true, &t2));
        QVERIFY(f.progress(t1, 500, &msg));
        QVERIFY(f.progress(t2, 500, &msg));
        QVERIFY(!f.progress(t1, 501, &msg));
        f.settle(t1, 501);
        f.settle(t2, 500);
    }

    void exactUnderThreads() {
        ManualClock clock(1'000'000);
        PolicyEngine e(&clock);
        LimitSet l;
        l.requestsPerMinute = 1000;
        l.tokensPerDay = 1'000'000;
        const PolicySubject s = client(QStringLiteral("a"), l, QStringLiteral("team"));
        std::atomic<int> admitted{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i) {
            threads.emplace_back([&] {
                for (int j = 0; j < 1000; ++j) {
                    PolicyTicket t;
                    if (!e.admit(s, 10, true, &t)) {
                        ++admitted;
                        e.settle(t, 7);
                    }
                }
            });
        }
        for (auto& t : threads)
            t.join();
        QCOMPARE(admitted.load(), 1000);
        const auto u = e.usage(QStringLiteral("c:a"));
        QCOMPARE(u.dayRequests, 1000);
        QCOMPARE(u.dayTokens, 7000);
        QCOMPARE(u.concurrent, 0);
        QCOMPARE(u.reservedTokens, 0);
    }

    void pruneKeepsQuotaState() {
        ManualClock clock(utcMs(2026, 11, 24, 12));
        PolicyEngine e(&clock);
        LimitSet l;
        l.tokensPerDay = 100;
        QVERIFY(once(e, client(QStringLiteral("a"), l), 10, true, 60));
        PolicySubject ip = client(QString(), LimitSet());
        ip.ip = QStringLiteral("10.0.0.9");
        ip.ipLimits = rpm(5);
        QVERIFY(once(e, ip));
        clock.advanceMs(120'000);
        e.prune();
        QCOMPARE(e.usage(QStringLiteral("c:a")).dayTokens, 60);         // quota state stays for the month
        QCOMPARE(e.usage(QStringLiteral("i:10.0.0.9")).dayRequests, 0); // idle address forgotten
    }
};

QTEST_GUILESS_MAIN(TestPolicyEngine)
#include "tst_policyengine.moc"
