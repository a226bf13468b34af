#pragma once

// Labelled per-worker metrics for /metrics and /performance.
//
// Each worker owns one WorkerMetrics and is its only writer: a request adds to its own series with relaxed
// load+store (no lock, no read-modify-write, no cache line shared with another worker). A series is created the
// first time its label set is seen; only that creation takes the table's mutex, which readers (the scrape, the
// controller's once-a-second sample) also take to walk the series. Label sets are bounded per table: past
// kMaxSeries, new label sets fold into one series whose labels are all "other", so a client inventing model names
// or paths cannot grow memory without bound.

#include <QByteArray>
#include <QHashFunctions>
#include <QMutex>
#include <QString>

#include <array>
#include <atomic>
#include <memory>
#include <unordered_map>
#include <vector>

namespace gemgate {

// A counter with a single writer: relaxed load + store instead of an atomic add (no locked instruction); readers on
// other threads see a recent value.
struct SoloCounter {
    std::atomic<quint64> v{0};
    void add(quint64 n) { v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
    quint64 get() const { return v.load(std::memory_order_relaxed); }
};

// Log-linear latency scale shared by the Prometheus histograms and the /performance percentiles: ten bounds per
// decade (mantissas 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8) from 100 µs to 1000 s, so a percentile read from it is
// within 25% of the truth, and the Prometheus buckets (0.001, 0.0025, 0.005, ... 500 s) are a subset of it.
struct LatencyScale {
    static constexpr int kBounds = 71;         // upper bounds, 100 µs .. 1000 s
    static constexpr int kSlots = kBounds + 1; // the last slot holds what is above 1000 s
    static qint64 upperUs(int i);              // i < kBounds
    static int slot(qint64 us);
};

struct LatencyHistogram {
    std::array<SoloCounter, LatencyScale::kSlots> slots;
    SoloCounter sumUs;
    SoloCounter count;
    void observe(qint64 us) {
        slots[size_t(LatencyScale::slot(us))].add(1);
        sumUs.add(quint64(qMax<qint64>(0, us)));
        count.add(1);
    }
};

template <size_t N, typename Values> class SeriesTable {
public:
    using Labels = std::array<QString, N>;
    static constexpr size_t kMaxSeries = 2000;

    // Worker thread only.
    Values& at(const Labels& labels) {
        auto it = m_index.find(labels);
        if (it != m_index.end())
            return it->second->values;
        Labels key = labels;
        if (m_index.size() >= kMaxSeries)
            key.fill(QStringLiteral("other"));
        auto found = m_index.find(key);
        if (found != m_index.end())
            return found->second->values;
        auto series = std::make_unique<Series>();
        series->labels = key;
        Series* raw = series.get();
        {
            QMutexLocker lock(&m_mutex);
            m_series.push_back(std::move(series));
        }
        m_index.emplace(key, raw);
        return raw->values;
    }

    // Any thread: f(labels, values) for every series.
    template <typename F> void forEach(F&& f) const {
        QMutexLocker lock(&m_mutex);
        for (const auto& s : m_series)
            f(s->labels, s->values);
    }

private:
    struct Series {
        Labels labels;
        Values values;
    };
    struct Hash {
        size_t operator()(const Labels& l) const {
            size_t h = 0;
            for (const QString& s : l)
                h = h * 1000003u ^ qHash(s);
            return h;
        }
    };
    std::unordered_map<Labels, Series*, Hash> m_index; // the worker's own lookup
    mutable QMutex m_mutex;                            // guards m_series against a reader while a series is added
    std::vector<std::unique_ptr<Series>> m_series;
};

// One finished client request, as the metrics see it.
struct RequestSample {
    QString route; // "POST /v1beta/models/{model}:generateContent", "GET /health" or "none"
    QString model;
    QString client;
    int status = 0;
    qint64 latencyUs = 0;
    qint64 ttfbUs = -1; // -1: no byte reached the client
    qint64 promptTokens = 0;
    qint64 candidatesTokens = 0;
    qint64 thoughtsTokens = 0;
    qint64 cachedTokens = 0;
    QByteArray errorKind; // "" on success
};

struct TokenValues {
    SoloCounter prompt, candidates, thoughts, cached;
};
struct RouteValues {
    LatencyHistogram duration;
    LatencyHistogram ttfb;
};

class WorkerMetrics {
public:
    // ---- the worker thread ----
    void requestDone(const RequestSample& s);
    // One attempt sent to Google: status is the HTTP code, or "connect_error" / "timeout" / "broken".
    void upstreamAttempt(const QString& keyId, const QString& status);

    // ---- any thread ----
    SeriesTable<4, SoloCounter> requests;   // route, model, status, client
    SeriesTable<1, RouteValues> latency;    // route
    SeriesTable<2, TokenValues> tokens;     // model, client
    SeriesTable<2, SoloCounter> upstream;   // key, status
    SeriesTable<1, SoloCounter> rejections; // kind

    // Whether an error kind is GemGate's own refusal (counted in gemgate_rejections_total).
    static bool isRejection(const QByteArray& kind);
};

} // namespace gemgate
