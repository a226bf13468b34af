#include "clock/clock.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QTimeZone>

namespace gemgate {

namespace {
Q_LOGGING_CATEGORY(lcClock, "gemgate.clock")

constexpr qint64 kHourMs = 3600 * 1000;
constexpr qint64 kDayMs = 24 * kHourMs;
constexpr qint64 kPstOffsetMs = -8 * kHourMs; // UTC-8
constexpr qint64 kPdtOffsetMs = -7 * kHourMs; // UTC-7

const QDate kEpochDate(1970, 1, 1);

qint64 floorDiv(qint64 a, qint64 b) {
    qint64 q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}

// The UTC calendar date of an instant, without QDateTime.
QDate utcDate(qint64 ms) {
    return kEpochDate.addDays(floorDiv(ms, kDayMs));
}

// ms since the epoch of 00:00 UTC on the given date.
qint64 utcMidnightMs(QDate date) {
    return kEpochDate.daysTo(date) * kDayMs;
}

// The n-th (1-based) Sunday of a month.
QDate nthSunday(int year, int month, int n) {
    const QDate first(year, month, 1);
    const int toSunday = (7 - first.dayOfWeek()) % 7; // dayOfWeek: Monday = 1 ... Sunday = 7
    return first.addDays(toSunday + 7 * (n - 1));
}

// The US rule in force since 2007: daylight time from the second Sunday of March, 02:00 PST (10:00 UTC), to the
// first Sunday of November, 02:00 PDT (09:00 UTC).
qint64 fixedRuleOffsetMs(qint64 ms) {
    // Which year's rule applies: the year of the local standard-time date (the changes are far from New Year).
    const int year = utcDate(ms + kPstOffsetMs).year();
    const qint64 dstStart = utcMidnightMs(nthSunday(year, 3, 2)) + 10 * kHourMs;
    const qint64 dstEnd = utcMidnightMs(nthSunday(year, 11, 1)) + 9 * kHourMs;
    return (ms >= dstStart && ms < dstEnd) ? kPdtOffsetMs : kPstOffsetMs;
}

const char kZoneId[] = "America/Los_Angeles";

bool zoneAvailable() {
    static const bool available = [] {
        const QTimeZone tz(QByteArray::fromRawData(kZoneId, sizeof(kZoneId) - 1));
        if (!tz.isValid()) {
            qCWarning(lcClock,
                      "time zone %s not found (is tzdata installed?); using the built-in US Pacific daylight-saving "
                      "rule for the daily quota reset",
                      kZoneId);
        }
        return tz.isValid();
    }();
    return available;
}

// One Pacific day, [startMs, endMs), computed once per thread and day: the common case (many calls within the same
// day) costs two comparisons. A QTimeZone per thread, so that no time-zone backend state is ever shared.
struct PacificDay {
    qint64 startMs = 0;
    qint64 endMs = 0; // exclusive: the next midnight
    QDate date;
};

PacificDay computeDay(qint64 ms);

const PacificDay& dayOf(qint64 ms) {
    thread_local PacificDay cached;
    if (!cached.date.isValid() || ms < cached.startMs || ms >= cached.endMs)
        cached = computeDay(ms);
    return cached;
}

} // namespace

namespace detail {

// The fixed-rule implementation, used when the system has no zone data; also exercised directly by the tests.
QDate pacificDateFixedRule(qint64 msSinceEpoch) {
    return utcDate(msSinceEpoch + fixedRuleOffsetMs(msSinceEpoch));
}

qint64 nextPacificMidnightMsFixedRule(qint64 msSinceEpoch) {
    const QDate next = pacificDateFixedRule(msSinceEpoch).addDays(1);
    const qint64 localMidnight = utcMidnightMs(next); // "local wall time as if it were UTC"
    // Midnight is never in a gap or an overlap (the changes happen at 02:00), so exactly one offset fits.
    const qint64 asStandard = localMidnight - kPstOffsetMs;
    if (fixedRuleOffsetMs(asStandard) == kPstOffsetMs)
        return asStandard;
    return localMidnight - kPdtOffsetMs;
}

} // namespace detail

namespace {

PacificDay computeDay(qint64 ms) {
    PacificDay day;
    if (!zoneAvailable()) {
        day.date = detail::pacificDateFixedRule(ms);
        day.endMs = detail::nextPacificMidnightMsFixedRule(ms);
        day.startMs = detail::nextPacificMidnightMsFixedRule(day.endMs - 26 * kHourMs);
        if (day.startMs > ms) // cannot happen (days are at most 25 h), but never cache a range that misses ms
            day.startMs = ms;
        return day;
    }
    thread_local const QTimeZone tz(QByteArray::fromRawData(kZoneId, sizeof(kZoneId) - 1));
    day.date = QDateTime::fromMSecsSinceEpoch(ms, tz).date();
    day.startMs = QDateTime(day.date, QTime(0, 0), tz).toMSecsSinceEpoch();
    day.endMs = QDateTime(day.date.addDays(1), QTime(0, 0), tz).toMSecsSinceEpoch();
    if (day.startMs > ms || day.endMs <= ms) { // defensive: never return a midnight that is not after ms
        day.startMs = ms;
        if (day.endMs <= ms)
            day.endMs = ms + kDayMs;
    }
    return day;
}

} // namespace

qint64 SystemClock::nowMs() const {
    return QDateTime::currentMSecsSinceEpoch();
}

const SystemClock* SystemClock::instance() {
    static const SystemClock clock;
    return &clock;
}

QDate pacificDate(qint64 msSinceEpoch) {
    return dayOf(msSinceEpoch).date;
}

qint64 nextPacificMidnightMs(qint64 msSinceEpoch) {
    return dayOf(msSinceEpoch).endMs;
}

QString pacificDayKey(qint64 msSinceEpoch) {
    return dayOf(msSinceEpoch).date.toString(Qt::ISODate);
}

} // namespace gemgate
