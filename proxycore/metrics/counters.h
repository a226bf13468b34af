#pragma once

// Per-worker counters. Each worker is the only writer of its own block (relaxed atomics, no lock, no shared
// cache line between workers); the controller reads and sums all blocks once a second.

#include <QtGlobal>

#include <atomic>

namespace gemgate {

struct alignas(64) WorkerCounters {
    std::atomic<qint64> requests{0};
    std::atomic<qint64> errors{0};
    std::atomic<qint64> retries{0};
    std::atomic<qint64> bytesIn{0};
    std::atomic<qint64> bytesOut{0};
    std::atomic<qint64> promptTokens{0};
    std::atomic<qint64> outputTokens{0};
    std::atomic<qint64> thoughtsTokens{0}; // part of outputTokens
    // The errors split by outcome (metrics/outcome.h): requests - the three = the answered ones.
    std::atomic<qint64> clientErrors{0};
    std::atomic<qint64> rejected{0};
    std::atomic<qint64> upstreamErrors{0};
    std::atomic<int> connections{0};
    std::atomic<int> activeRequests{0};
    std::atomic<int> activeStreams{0};

    static void add(std::atomic<qint64>& c, qint64 v) { c.fetch_add(v, std::memory_order_relaxed); }
    static void add(std::atomic<int>& c, int v) { c.fetch_add(v, std::memory_order_relaxed); }
};

} // namespace gemgate
