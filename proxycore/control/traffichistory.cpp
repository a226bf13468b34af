#include "control/traffichistory.h"

#include "storage/usagestore.h"

#include <QHash>

#include <algorithm>
#include <map>

namespace gemgate {

qint64 TrafficPoint::requests() const {
    qint64 n = 0;
    for (qint64 v : outcomes)
        n += v;
    return n;
}

void TrafficHistory::append(TrafficPoint point) {
    if (!m_points.empty() && point.atMs <= m_points.back().atMs)
        return; // a clock step back: keep the order the windows rely on
    m_points.push_back(std::move(point));
    const qint64 oldest = m_points.back().atMs - qint64(kKeepSeconds) * 1000;
    while (!m_points.empty() && m_points.front().atMs <= oldest)
        m_points.pop_front();
}

QList<TrafficPoint> TrafficHistory::window(qint64 nowMs, int windowSeconds) const {
    const qint64 from = nowMs - qint64(windowSeconds) * 1000;
    auto first = std::upper_bound(m_points.begin(), m_points.end(), from,
                                  [](qint64 t, const TrafficPoint& p) { return t < p.atMs; });
    QList<TrafficPoint> out;
    for (auto it = first; it != m_points.end() && it->atMs <= nowMs; ++it)
        out.append(*it);
    return out;
}

namespace {

// The q-quantile of raw values (ms), by rank.
double quantile(std::vector<double>& v, double q) {
    if (v.empty())
        return 0;
    const size_t k = std::min(v.size() - 1, size_t(q * double(v.size())));
    std::nth_element(v.begin(), v.begin() + qsizetype(k), v.end());
    return v[k];
}

} // namespace

int TrafficHistory::readBack(UsageStore& store, qint64 nowMs) {
    const qint64 bucketMs = qint64(kReadBackBucketSeconds) * 1000;
    const qint64 from = (nowMs - qint64(kKeepSeconds) * 1000) / bucketMs * bucketMs;
    // Up to where the live points begin; the last bucket may be partial: its point ends there.
    const qint64 until =
        m_points.empty() ? nowMs : m_points.front().atMs - qint64(qMax(1, m_points.front().spanSeconds)) * 1000;
    if (until <= from)
        return 0;

    std::map<qint64, TrafficPoint> byBucket;
    QHash<qint64, QHash<QString, qint64>> keys;
    for (const TimelineRow& r : store.timeline(from, until, bucketMs)) {
        TrafficPoint& p = byBucket[r.bucketMs];
        p.atMs = qMin(r.bucketMs + bucketMs, until);
        p.spanSeconds = qMax(1, int((p.atMs - r.bucketMs + 999) / 1000));
        p.outcomes[size_t(classifyOutcome(r.status, r.errorKind))] += r.requests;
        p.promptTokens += r.promptTokens;
        p.outputTokens += r.candidatesTokens;
        p.thinkingTokens += r.thoughtsTokens;
        if (!r.keyId.isEmpty())
            keys[r.bucketMs][r.keyId] += r.requests;
    }
    if (byBucket.empty())
        return 0;
    // Percentiles per bucket from (a sample of) the records' timings: 200,000 timings at most, a few MB for a
    // moment, whatever the hour's traffic was.
    QHash<qint64, std::vector<double>> lat, ttfb;
    for (const LatencySample& s : store.latencySamples(from, until, 200'000)) {
        const qint64 b = s.timeMs / bucketMs * bucketMs;
        lat[b].push_back(double(s.latencyUs) / 1000);
        if (s.ttfbUs >= 0)
            ttfb[b].push_back(double(s.ttfbUs) / 1000);
    }
    std::deque<TrafficPoint> older;
    for (auto& [bucket, p] : byBucket) {
        std::vector<double>& l = lat[bucket];
        p.latencySamples = qint64(l.size());
        p.latencyP50 = quantile(l, 0.5);
        p.latencyP95 = quantile(l, 0.95);
        p.latencyP99 = quantile(l, 0.99);
        p.ttfbP50 = quantile(ttfb[bucket], 0.5);
        const QHash<QString, qint64>& k = keys.value(bucket);
        for (auto it = k.begin(); it != k.end(); ++it)
            p.perKey.append({it.key(), it.value()});
        std::sort(p.perKey.begin(), p.perKey.end());
        older.push_back(std::move(p));
    }
    const int added = int(older.size());
    m_points.insert(m_points.begin(), std::make_move_iterator(older.begin()), std::make_move_iterator(older.end()));
    return added;
}

QList<TrafficBucket> TrafficHistory::rebucket(const QList<TrafficPoint>& points, qint64 endMs, int windowSeconds,
                                              int buckets) {
    buckets = qMax(1, buckets);
    const double spanMs = double(windowSeconds) * 1000 / buckets;
    const double startMs = double(endMs) - double(windowSeconds) * 1000;
    QList<TrafficBucket> out(buckets);
    std::vector<double> weightedP50(size_t(buckets), 0), weightedTtfb(size_t(buckets), 0);
    std::vector<QHash<QString, double>> keys(static_cast<size_t>(buckets));
    for (int i = 0; i < buckets; ++i) {
        out[i].endMs = qint64(startMs + spanMs * (i + 1));
        out[i].seconds = spanMs / 1000;
    }
    for (const TrafficPoint& p : points) {
        const double to = double(p.atMs);
        const double from = to - double(qMax(1, p.spanSeconds)) * 1000;
        const int first = qMax(0, int((from - startMs) / spanMs));
        const int last = qMin(buckets - 1, int((to - startMs) / spanMs));
        for (int i = first; i <= last; ++i) {
            const double bFrom = startMs + spanMs * i, bTo = bFrom + spanMs;
            const double share = (std::min(to, bTo) - std::max(from, bFrom)) / (to - from);
            if (share <= 0)
                continue;
            TrafficBucket& b = out[i];
            for (size_t o = 0; o < b.outcomes.size(); ++o)
                b.outcomes[o] += double(p.outcomes[o]) * share;
            b.promptTokens += double(p.promptTokens) * share;
            b.outputTokens += double(p.outputTokens) * share;
            b.thinkingTokens += double(p.thinkingTokens) * share;
            if (p.latencySamples > 0) {
                const double n = double(p.latencySamples) * share;
                weightedP50[size_t(i)] += p.latencyP50 * n;
                weightedTtfb[size_t(i)] += p.ttfbP50 * n;
                b.latencySamples += n;
                b.latencyP95 = qMax(b.latencyP95, p.latencyP95);
                b.latencyP99 = qMax(b.latencyP99, p.latencyP99);
            }
            for (const auto& [key, n] : p.perKey)
                keys[size_t(i)][key] += double(n) * share;
            b.connections = qMax(b.connections, p.connections);
            b.streams = qMax(b.streams, p.streams);
        }
    }
    for (int i = 0; i < buckets; ++i) {
        TrafficBucket& b = out[i];
        if (b.latencySamples > 0) {
            b.latencyP50 = weightedP50[size_t(i)] / b.latencySamples;
            b.ttfbP50 = weightedTtfb[size_t(i)] / b.latencySamples;
        }
        for (auto it = keys[size_t(i)].cbegin(); it != keys[size_t(i)].cend(); ++it)
            b.perKey.append({it.key(), it.value()});
        std::sort(b.perKey.begin(), b.perKey.end());
    }
    return out;
}

} // namespace gemgate
