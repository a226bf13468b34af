#pragma once

// Time for the key scheduler, injectable so that tests can move it by hand (cooldowns, sliding windows, the
// Pacific-midnight reset of daily quotas). Milliseconds since the Unix epoch, UTC.

#include <QDate>
#include <QString>
#include <QtGlobal>

#include <atomic>

namespace gemgate {

class Clock {
public:
    virtual ~Clock() = default;
    virtual qint64 nowMs() const = 0;
};

// The wall clock (QDateTime::currentMSecsSinceEpoch()).
class SystemClock final : public Clock {
public:
    qint64 nowMs() const override;
    static const SystemClock* instance();
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
public:
    explicit ManualClock(qint64 startMs = 0)
        : m_now(startMs) {}
    qint64 nowMs() const override { return m_now.load(std::memory_order_relaxed); }
    void setMs(qint64 ms) { m_now.store(ms, std::memory_order_relaxed); }
    void advanceMs(qint64 ms) { m_now.fetch_add(ms, std::memory_order_relaxed); }

private:
    std::atomic<qint64> m_now;
};

// Gemini's daily quotas (RPD) reset at midnight in America/Los_Angeles, whatever the local zone; these follow
// the zone's DST rules (the day is 23 or 25 hours long on the change days).
// The calendar date in Los Angeles at the instant msSinceEpoch.
QDate pacificDate(qint64 msSinceEpoch);
// The first Los Angeles midnight strictly after msSinceEpoch, as ms since the epoch.
qint64 nextPacificMidnightMs(qint64 msSinceEpoch);
// "2026-11-23": the day key used for daily counters.
QString pacificDayKey(qint64 msSinceEpoch);

} // namespace gemgate
