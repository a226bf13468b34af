// Clocks and the Pacific day: the date and day key around Los Angeles midnight in winter and summer, the next
// midnight across the 23-hour and 25-hour days, the year boundary, ManualClock, and the built-in DST rule (used
// without tzdata) agreeing with QTimeZone hour by hour over 2025-2027.

#include "clock/clock.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTest>
#include <QTimeZone>

#include <thread>
#include <vector>

namespace gemgate::detail {
// Defined in keys/clock.cpp: the fixed-rule fallback, for the comparison with QTimeZone.
QDate pacificDateFixedRule(qint64 msSinceEpoch);
qint64 nextPacificMidnightMsFixedRule(qint64 msSinceEpoch);
} // namespace gemgate::detail

using namespace gemgate;

namespace {
constexpr qint64 kHour = 3600 * 1000;

qint64 utc(int y, int mo, int d, int h, int mi = 0, int s = 0, int ms = 0) {
    return QDateTime(QDate(y, mo, d), QTime(h, mi, s, ms), Qt::UTC).toMSecsSinceEpoch();
}

QTimeZone losAngeles() {
    return QTimeZone(QByteArrayLiteral("America/Los_Angeles"));
}
} // namespace

class TestClock : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void zoneDataPresent();
    void pacificDay_data();
    void pacificDay();
    void nextMidnight_data();
    void nextMidnight();
    void dayLengths();
    void outOfOrderCalls();
    void manyThreads();
    void manualClock();
    void systemClock();
    void fixedRuleMatchesQTimeZone();
    void fixedRuleKnownAnswers();
};

void TestClock::zoneDataPresent() {
    // Not required by the code (it falls back to the fixed rule), but the comparisons below need it.
    if (!losAngeles().isValid())
        QSKIP("tzdata has no America/Los_Angeles here: the gateway runs on the built-in rule");
    QVERIFY(losAngeles().isValid());
}

void TestClock::pacificDay_data() {
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("day");

    // Winter (PST, UTC-8): midnight is 08:00 UTC.
    QTest::newRow("PST, last ms of the day") << utc(2026, 1, 15, 7, 59, 59, 999) << QStringLiteral("2026-01-14");
    QTest::newRow("PST, midnight") << utc(2026, 1, 15, 8) << QStringLiteral("2026-01-15");
    QTest::newRow("PST, UTC already tomorrow") << utc(2026, 1, 16, 3) << QStringLiteral("2026-01-15");
    // Summer (PDT, UTC-7): midnight is 07:00 UTC.
    QTest::newRow("PDT, last ms of the day") << utc(2026, 7, 4, 6, 59, 59, 999) << QStringLiteral("2026-07-03");
    QTest::newRow("PDT, midnight") << utc(2026, 7, 4, 7) << QStringLiteral("2026-07-04");
    QTest::newRow("PDT, 07:30 UTC") << utc(2026, 7, 4, 7, 30) << QStringLiteral("2026-07-04");
    // Spring forward: 2026-03-08 02:00 PST -> 03:00 PDT (10:00 UTC).
    QTest::newRow("spring forward, just before") << utc(2026, 3, 8, 9, 59, 59, 999) << QStringLiteral("2026-03-08");
    QTest::newRow("spring forward, just after") << utc(2026, 3, 8, 10) << QStringLiteral("2026-03-08");
    QTest::newRow("spring forward day, last ms") << utc(2026, 3, 9, 6, 59, 59, 999) << QStringLiteral("2026-03-08");
    QTest::newRow("day after spring forward") << utc(2026, 3, 9, 7) << QStringLiteral("2026-03-09");
    // Fall back: 2026-11-01 02:00 PDT -> 01:00 PST (09:00 UTC); 01:00-02:00 happens twice.
    QTest::newRow("fall back, first 01:30") << utc(2026, 11, 1, 8, 30) << QStringLiteral("2026-11-01");
    QTest::newRow("fall back, second 01:30") << utc(2026, 11, 1, 9, 30) << QStringLiteral("2026-11-01");
    QTest::newRow("fall back day, last ms") << utc(2026, 11, 2, 7, 59, 59, 999) << QStringLiteral("2026-11-01");
    QTest::newRow("day after fall back") << utc(2026, 11, 2, 8) << QStringLiteral("2026-11-02");
    // Year boundary.
    QTest::newRow("new year's eve 23:59 PST") << utc(2027, 1, 1, 7, 59) << QStringLiteral("2026-12-31");
    QTest::newRow("new year 00:00 PST") << utc(2027, 1, 1, 8) << QStringLiteral("2027-01-01");
    QTest::newRow("UTC new year, Pacific old year") << utc(2026, 1, 1, 0) << QStringLiteral("2025-12-31");
}

void TestClock::pacificDay() {
    QFETCH(qint64, ms);
    QFETCH(QString, day);
    QCOMPARE(pacificDayKey(ms), day);
    QCOMPARE(pacificDate(ms), QDate::fromString(day, Qt::ISODate));
    QCOMPARE(detail::pacificDateFixedRule(ms), QDate::fromString(day, Qt::ISODate));
}

void TestClock::nextMidnight_data() {
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<qint64>("next");

    QTest::newRow("PST noon") << utc(2026, 1, 15, 20) << utc(2026, 1, 16, 8);
    QTest::newRow("PST, exactly midnight -> next day") << utc(2026, 1, 15, 8) << utc(2026, 1, 16, 8);
    QTest::newRow("PST, 1 ms before midnight") << utc(2026, 1, 15, 7, 59, 59, 999) << utc(2026, 1, 15, 8);
    QTest::newRow("PDT noon") << utc(2026, 7, 4, 19) << utc(2026, 7, 5, 7);
    QTest::newRow("PDT, exactly midnight -> next day") << utc(2026, 7, 4, 7) << utc(2026, 7, 5, 7);
    // The 23-hour day.
    QTest::newRow("spring forward, from its midnight") << utc(2026, 3, 8, 8) << utc(2026, 3, 9, 7);
    QTest::newRow("spring forward, 01:59 PST") << utc(2026, 3, 8, 9, 59) << utc(2026, 3, 9, 7);
    QTest::newRow("spring forward, 03:00 PDT") << utc(2026, 3, 8, 10) << utc(2026, 3, 9, 7);
    QTest::newRow("day before spring forward") << utc(2026, 3, 7, 20) << utc(2026, 3, 8, 8);
    // The 25-hour day.
    QTest::newRow("fall back, from its midnight") << utc(2026, 11, 1, 7) << utc(2026, 11, 2, 8);
    QTest::newRow("fall back, first 01:30 PDT") << utc(2026, 11, 1, 8, 30) << utc(2026, 11, 2, 8);
    QTest::newRow("fall back, second 01:30 PST") << utc(2026, 11, 1, 9, 30) << utc(2026, 11, 2, 8);
    QTest::newRow("day before fall back") << utc(2026, 10, 31, 20) << utc(2026, 11, 1, 7);
    // Year boundary.
    QTest::newRow("new year's eve") << utc(2027, 1, 1, 7, 30) << utc(2027, 1, 1, 8);
    QTest::newRow("new year, exactly midnight") << utc(2027, 1, 1, 8) << utc(2027, 1, 2, 8);
}

void TestClock::nextMidnight() {
    QFETCH(qint64, ms);
    QFETCH(qint64, next);
    QCOMPARE(nextPacificMidnightMs(ms), next);
    QCOMPARE(detail::nextPacificMidnightMsFixedRule(ms), next);
    QVERIFY(nextPacificMidnightMs(ms) > ms);
}

void TestClock::dayLengths() {
    auto lengthOf = [](qint64 midnight) { return nextPacificMidnightMs(midnight) - midnight; };
    QCOMPARE(lengthOf(utc(2026, 3, 8, 8)), 23 * kHour);
    QCOMPARE(lengthOf(utc(2026, 11, 1, 7)), 25 * kHour);
    QCOMPARE(lengthOf(utc(2026, 3, 7, 8)), 24 * kHour);
    QCOMPARE(lengthOf(utc(2026, 11, 2, 8)), 24 * kHour);
    // 2025 and 2027 change days: 03-09 / 11-02 and 03-14 / 11-07.
    QCOMPARE(lengthOf(utc(2025, 3, 9, 8)), 23 * kHour);
    QCOMPARE(lengthOf(utc(2025, 11, 2, 7)), 25 * kHour);
    QCOMPARE(lengthOf(utc(2027, 3, 14, 8)), 23 * kHour);
    QCOMPARE(lengthOf(utc(2027, 11, 7, 7)), 25 * kHour);
}

// The implementation caches the current day per thread: calls jumping back and forth must not see a stale day.
void TestClock::outOfOrderCalls() {
    const QTimeZone tz = losAngeles();
    if (!tz.isValid())
        QSKIP("no America/Los_Angeles zone data");
    QRandomGenerator rng(20261101);
    const qint64 from = utc(2025, 1, 1, 0);
    const qint64 to = utc(2028, 1, 1, 0);
    for (int i = 0; i < 20000; ++i) {
        const qint64 ms = from + qint64(rng.bounded(quint64(to - from)));
        const QDate expected = QDateTime::fromMSecsSinceEpoch(ms, tz).date();
        QCOMPARE(pacificDate(ms), expected);
        QCOMPARE(nextPacificMidnightMs(ms), QDateTime(expected.addDays(1), QTime(0, 0), tz).toMSecsSinceEpoch());
    }
}

void TestClock::manyThreads() {
    std::vector<std::thread> threads;
    std::vector<int> failures(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([t, &failures] {
            for (int i = 0; i < 5000; ++i) {
                // Each thread walks its own sequence of days, crossing both change days of 2026.
                const qint64 ms = utc(2026, 1, 1, 12) + qint64(i) * 5 * kHour + t * 977;
                const qint64 next = nextPacificMidnightMs(ms);
                if (!(next > ms && next - ms <= 25 * kHour && pacificDate(next) == pacificDate(ms).addDays(1)))
                    ++failures[std::size_t(t)];
            }
        });
    }
    for (std::thread& th : threads)
        th.join();
    for (int f : failures)
        QCOMPARE(f, 0);
}

void TestClock::manualClock() {
    ManualClock clock(1000);
    const Clock& base = clock;
    QCOMPARE(base.nowMs(), qint64(1000));
    clock.advanceMs(250);
    QCOMPARE(base.nowMs(), qint64(1250));
    clock.setMs(utc(2026, 11, 23, 12));
    QCOMPARE(pacificDayKey(base.nowMs()), QStringLiteral("2026-11-23"));
    clock.advanceMs(-50);
    QCOMPARE(base.nowMs(), utc(2026, 11, 23, 12) - 50);

    ManualClock shared(0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&shared] {
            for (int i = 0; i < 10000; ++i)
                shared.advanceMs(3);
        });
    for (std::thread& th : threads)
        th.join();
    QCOMPARE(shared.nowMs(), qint64(4 * 10000 * 3));

    QCOMPARE(ManualClock().nowMs(), qint64(0));
}

void TestClock::systemClock() {
    const SystemClock* clock = SystemClock::instance();
    QVERIFY(clock);
    QCOMPARE(SystemClock::instance(), clock);
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const qint64 now = clock->nowMs();
    const qint64 after = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(now >= before && now <= after);
}

void TestClock::fixedRuleMatchesQTimeZone() {
    const QTimeZone tz = losAngeles();
    if (!tz.isValid())
        QSKIP("no America/Los_Angeles zone data to compare with");
    int checked = 0;
    for (qint64 hour = utc(2025, 1, 1, 0); hour < utc(2028, 1, 1, 0); hour += kHour) {
        for (qint64 ms : {hour, hour + kHour / 2, hour + kHour - 1}) {
            const QDate date = QDateTime::fromMSecsSinceEpoch(ms, tz).date();
            const qint64 next = QDateTime(date.addDays(1), QTime(0, 0), tz).toMSecsSinceEpoch();
            if (detail::pacificDateFixedRule(ms) != date || detail::nextPacificMidnightMsFixedRule(ms) != next ||
                pacificDate(ms) != date || nextPacificMidnightMs(ms) != next) {
                QFAIL(qPrintable(QStringLiteral("mismatch at %1: zone says %2 / %3, fixed rule %4 / %5")
                                     .arg(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs),
                                          date.toString(Qt::ISODate), QString::number(next),
                                          detail::pacificDateFixedRule(ms).toString(Qt::ISODate),
                                          QString::number(detail::nextPacificMidnightMsFixedRule(ms)))));
            }
            ++checked;
        }
    }
    QCOMPARE(checked, 3 * 24 * (365 + 365 + 365)); // every hour of 2025-2027, three instants each
}

void TestClock::fixedRuleKnownAnswers() {
    // Independent of tzdata: the change instants of 2025-2027 in UTC.
    struct Change {
        qint64 at;
        bool toSummer;
    };
    const Change changes[] = {
        {utc(2025, 3, 9, 10), true},  {utc(2025, 11, 2, 9), false}, {utc(2026, 3, 8, 10), true},
        {utc(2026, 11, 1, 9), false}, {utc(2027, 3, 14, 10), true}, {utc(2027, 11, 7, 9), false},
    };
    for (const Change& c : changes) {
        // Local midnight of the change day: 00:00 local is 08:00 UTC before spring forward, 07:00 before fall back.
        const QDate day = QDateTime::fromMSecsSinceEpoch(c.at, Qt::UTC).date();
        const qint64 midnight = QDateTime(day, QTime(c.toSummer ? 8 : 7, 0), Qt::UTC).toMSecsSinceEpoch();
        QCOMPARE(detail::pacificDateFixedRule(midnight), day);
        QCOMPARE(detail::pacificDateFixedRule(midnight - 1), day.addDays(-1));
        QCOMPARE(detail::nextPacificMidnightMsFixedRule(midnight) - midnight, (c.toSummer ? 23 : 25) * kHour);
    }
}

QTEST_GUILESS_MAIN(TestClock)
#include "tst_clock.moc"
