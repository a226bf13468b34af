#pragma once

// TrafficHistory: what the dashboard draws. One point per second while the gateway runs, kept for an hour, plus
// points read back from the usage records for the time before this start (so the charts do not begin empty after
// a restart). The controller appends a point with every once-a-second snapshot; nothing here runs per request.
// Not thread-safe: the controller's thread only.

#include "metrics/outcome.h"

#include <QList>
#include <QPair>
#include <QString>

#include <array>
#include <deque>

namespace gemgate {

class UsageStore;

struct TrafficPoint {
    qint64 atMs = 0;                              // the end of the interval the point covers (ms since the epoch)
    int spanSeconds = 1;                          // its length: 1 for live points, the read-back bucket for older ones
    std::array<qint64, kOutcomeCount> outcomes{}; // requests finished in the interval, by Outcome
    qint64 promptTokens = 0;
    qint64 outputTokens = 0;   // candidates (the answer), thinking apart
    qint64 thinkingTokens = 0; // thoughts
    // Milliseconds; 0 when no request finished in the interval. Read-back points take them from a sample of
    // the records.
    double latencyP50 = 0, latencyP95 = 0, latencyP99 = 0;
    double ttfbP50 = 0;
    qint64 latencySamples = 0; // how many requests the percentiles are of
    // Upstream attempts per key (live); requests by the key that answered them (read back).
    QList<QPair<QString, qint64>> perKey;
    int connections = -1; // open client connections at the end; -1 when not known (read back)
    int streams = -1;     // streaming answers in flight at the end; -1 when not known

    qint64 requests() const;
    qint64 outcome(Outcome o) const { return outcomes[size_t(o)]; }
};

// One interval of a chart: what the points in it add up to (fractions where a point straddles two intervals).
struct TrafficBucket {
    qint64 endMs = 0;
    double seconds = 0; // the interval's length
    std::array<double, kOutcomeCount> outcomes{};
    double promptTokens = 0, outputTokens = 0, thinkingTokens = 0;
    double latencySamples = 0; // 0: no percentiles in this interval
    double latencyP50 = 0, latencyP95 = 0, latencyP99 = 0, ttfbP50 = 0;
    QList<QPair<QString, double>> perKey; // sorted by key
    int connections = -1, streams = -1;
};

class TrafficHistory {
public:
    static constexpr int kKeepSeconds = 3600;
    static constexpr int kReadBackBucketSeconds = 10;

    // Adds a live point (its atMs after the last one's); drops what is older than an hour.
    void append(TrafficPoint point);
    // The points that end within the windowSeconds before nowMs, oldest first.
    QList<TrafficPoint> window(qint64 nowMs, int windowSeconds) const;
    bool isEmpty() const { return m_points.empty(); }
    const TrafficPoint* latest() const { return m_points.empty() ? nullptr : &m_points.back(); }
    void clear() { m_points.clear(); }

    // Reads the part of the hour before nowMs that the live points do not cover (up to the first one's start)
    // back from the usage records, in kReadBackBucketSeconds buckets, and puts it before them. Returns how many
    // points it added. Meant to run once a process.
    int readBack(UsageStore& store, qint64 nowMs);

    // Spreads points over `buckets` equal intervals ending at endMs (for a chart of windowSeconds). A point covers
    // [atMs - spanSeconds, atMs]; each bucket it overlaps gets the overlapping share of its counts and tokens, so
    // sums are kept and a rate is value / bucket length, smooth whatever the points' spacing (10-second read-back
    // points in 12-second buckets, live points a little more or less than a second apart). A bucket's p50s are the
    // request-weighted mean of its points' p50, its p95 / p99 the largest of theirs (a spike stays visible at every
    // zoom); connections and streams the largest.
    static QList<TrafficBucket> rebucket(const QList<TrafficPoint>& points, qint64 endMs, int windowSeconds,
                                         int buckets);

private:
    std::deque<TrafficPoint> m_points;
};

} // namespace gemgate
