#pragma once

// KeyActivity: each upstream key's last 24 hours, an hour per point (requests and errors), for the Keys page's
// sparklines. A request counts to the key of its last attempt (the usage record's key): a failover's failed
// attempts on other keys show in those keys' state and last error, not here. Read from the usage records: the finished
// hours once per hour (they do not change), the current hour at most once a minute, so a page that refreshes every
// second costs the database next to nothing. Not thread-safe: the controller's thread only.

#include <QHash>
#include <QString>

#include <array>

namespace gemgate {

class UsageStore;

struct KeyActivity {
    static constexpr int kHours = 24;
    std::array<qint64, kHours> requests{}; // oldest first; the last is the hour now running
    std::array<qint64, kHours> errors{};   // of those, answered with an error (status >= 400 or a broken stream)
};

class KeyActivityCache {
public:
    // The 24 hours ending with the one that holds nowMs, by key id (keys without a record in them are absent).
    QHash<QString, KeyActivity> read(UsageStore& store, qint64 nowMs);

private:
    qint64 m_hourStartMs = -1; // the current hour when the finished ones were read
    qint64 m_currentReadMs = -1;
    QHash<QString, KeyActivity> m_finished; // the 23 finished hours (the last slot empty)
    QHash<QString, KeyActivity> m_merged;
};

} // namespace gemgate
