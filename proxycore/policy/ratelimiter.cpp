#include "policy/ratelimiter.h"

namespace gemgate {

RateLimiter::RateLimiter(const Clock* clock)
    : m_clock(clock ? clock : SystemClock::instance()) {}

void RateLimiter::setClock(const Clock* clock) {
    QMutexLocker lock(&m_mutex);
    m_clock = clock ? clock : SystemClock::instance();
}

void RateLimiter::refill(Bucket& b, qint64 perMinute, qint64 now) const {
    const qint64 capacity = perMinute * kUnit;
    if (b.perMinute != perMinute) {
        // A changed limit (reload): keep what was used, within the new capacity.
        const qint64 used = qMax<qint64>(0, b.perMinute * kUnit - b.units);
        b.units = qMax<qint64>(0, capacity - used);
        b.perMinute = perMinute;
    }
    if (now > b.updatedMs) {
        b.units = qMin(capacity, b.units + (now - b.updatedMs) * perMinute);
        b.updatedMs = now;
    }
}

bool RateLimiter::tryAcquire(const QString& key, qint64 perMinute, qint64* retryAfterMs) {
    if (perMinute <= 0)
        return true;
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    auto it = m_buckets.find(key);
    if (it == m_buckets.end())
        it = m_buckets.insert(key, Bucket{perMinute * kUnit, now, perMinute});
    refill(*it, perMinute, now);
    if (it->units >= kUnit) {
        it->units -= kUnit;
        return true;
    }
    if (retryAfterMs)
        *retryAfterMs = (kUnit - it->units + perMinute - 1) / perMinute;
    return false;
}

double RateLimiter::available(const QString& key, qint64 perMinute) {
    QMutexLocker lock(&m_mutex);
    auto it = m_buckets.find(key);
    if (it == m_buckets.end())
        return double(perMinute);
    refill(*it, perMinute, m_clock->nowMs());
    return double(it->units) / double(kUnit);
}

void RateLimiter::prune() {
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        // Full again (a minute without requests refills any bucket): dropping it changes nothing.
        if (now - it->updatedMs >= 60'000)
            it = m_buckets.erase(it);
        else
            ++it;
    }
}

} // namespace gemgate
