#pragma once

// Token buckets per client (issue 4's limits, first part: requests per minute). A bucket holds up to `perMinute`
// tokens and refills continuously at perMinute / 60 per second, so a client may burst its whole minute and then
// continues at the steady rate. Exact under concurrency: one mutex guards every bucket (a lookup and a few
// arithmetic operations per request), so no token is spent twice across worker threads. Time comes from an
// injectable Clock.

#include "keys/clock.h"

#include <QHash>
#include <QMutex>
#include <QString>

namespace gemgate {

class RateLimiter {
public:
    explicit RateLimiter(const Clock* clock = nullptr);

    // Takes one token from `key`'s bucket of `perMinute` requests per minute. perMinute <= 0 means unlimited.
    // On refusal returns false with *retryAfterMs = when the next token will be there.
    bool tryAcquire(const QString& key, qint64 perMinute, qint64* retryAfterMs);
    // Tokens left in the bucket now (for the window and tests); perMinute when the bucket is untouched.
    double available(const QString& key, qint64 perMinute);
    void setClock(const Clock* clock);
    // Forgets buckets that have been full for a while (called now and then; keeps memory bounded).
    void prune();

private:
    // In integer units of 1/60000 token: a bucket refills perMinute units per millisecond and a request costs
    // 60000, so the arithmetic is exact.
    static constexpr qint64 kUnit = 60'000;
    struct Bucket {
        qint64 units = 0;
        qint64 updatedMs = 0;
        qint64 perMinute = 0;
    };
    void refill(Bucket& b, qint64 perMinute, qint64 now) const;

    QMutex m_mutex;
    const Clock* m_clock;
    QHash<QString, Bucket> m_buckets;
};

} // namespace gemgate
