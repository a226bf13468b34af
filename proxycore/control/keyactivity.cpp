#include "control/keyactivity.h"

#include "storage/usagestore.h"

namespace gemgate {

namespace {
constexpr qint64 kHourMs = 3600'000;
constexpr qint64 kCurrentHourTtlMs = 60'000;

void add(QHash<QString, KeyActivity>* out, const QList<TimelineRow>& rows, qint64 firstHourMs) {
    for (const TimelineRow& r : rows) {
        if (r.keyId.isEmpty())
            continue; // refused before any key was chosen
        const qint64 slot = (r.bucketMs - firstHourMs) / kHourMs;
        if (slot < 0 || slot >= KeyActivity::kHours)
            continue;
        KeyActivity& a = (*out)[r.keyId];
        a.requests[size_t(slot)] += r.requests;
        if (r.status >= 400 || !r.errorKind.isEmpty())
            a.errors[size_t(slot)] += r.requests;
    }
}
} // namespace

QHash<QString, KeyActivity> KeyActivityCache::read(UsageStore& store, qint64 nowMs) {
    const qint64 hourStart = nowMs - nowMs % kHourMs;
    const qint64 firstHour = hourStart - (KeyActivity::kHours - 1) * kHourMs;
    if (hourStart != m_hourStartMs) {
        store.flush();
        m_finished.clear();
        add(&m_finished, store.timeline(firstHour, hourStart, kHourMs), firstHour);
        m_hourStartMs = hourStart;
        m_currentReadMs = -1;
    }
    if (m_currentReadMs < 0 || nowMs - m_currentReadMs >= kCurrentHourTtlMs) {
        store.flush();
        m_merged = m_finished;
        add(&m_merged, store.timeline(hourStart, hourStart + kHourMs, kHourMs), firstHour);
        m_currentReadMs = nowMs;
    }
    return m_merged;
}

} // namespace gemgate
