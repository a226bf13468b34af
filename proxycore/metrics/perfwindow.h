#pragma once

// The sliding windows behind GET /performance: requests per second and latency / time-to-first-byte percentiles
// over the last minute, five minutes and hour.
//
// The controller feeds it once a second with the workers' cumulative totals; it keeps the per-second differences
// for five minutes and per-minute sums for an hour (about 400 KB), so nothing on the request path changes. Time is
// whatever the caller passes (tests drive it by hand). Not thread-safe: the controller's thread only.

#include "metrics/workermetrics.h"

#include <array>
#include <vector>

namespace gemgate {

class PerfWindow {
public:
    struct Totals {
        quint64 requests = 0;
        quint64 errors = 0; // status >= 500
        std::array<quint64, LatencyScale::kSlots> latency{};
        std::array<quint64, LatencyScale::kSlots> ttfb{};
    };
    struct Percentiles {
        double p50 = 0, p95 = 0, p99 = 0; // milliseconds; 0 without samples
        quint64 samples = 0;
    };
    struct Stats {
        int windowSeconds = 0;
        int coveredSeconds = 0; // less than the window while GemGate has run for less
        quint64 requests = 0;
        quint64 errors = 0;
        double requestsPerSecond = 0;
        Percentiles latency;
        Percentiles ttfb;
    };

    PerfWindow();
    // cumulative: the totals since start (a smaller value than last time, e.g. after a restart, starts over).
    // Returns what this sample added: the difference to the last one.
    Totals sample(qint64 nowMs, const Totals& cumulative);
    // windowSeconds: 60, 300 or 3600 (anything up to 300 is exact to the second, longer to the minute).
    Stats stats(int windowSeconds) const;
    void reset();

    // The q-quantile (0..1) of a bucketed distribution, interpolated inside its bucket, in milliseconds.
    static double quantileMs(const std::array<quint64, LatencyScale::kSlots>& slots, quint64 count, double q);

private:
    struct Slot {
        qint64 stamp = -1; // the second (or minute) it holds
        Totals t;
    };
    static void add(Totals& into, const Totals& d);

    std::vector<Slot> m_seconds; // 300
    std::vector<Slot> m_minutes; // 60
    Totals m_last;
    bool m_haveLast = false;
    qint64 m_nowSec = 0;
    qint64 m_firstSec = -1;
};

} // namespace gemgate
