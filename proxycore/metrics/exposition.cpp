#include "metrics/exposition.h"

#include "metrics/processstats.h"
#include "metrics/workermetrics.h"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <sstream>

namespace gemgate {

const char* const kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

namespace {
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

std::string str(const QString& s) {
    return s.toStdString();
}

using LabelValues = std::vector<std::string>;

MetricFamily family(const char* name, const char* help, MetricType type) {
    MetricFamily f;
    f.name = name;
    f.help = help;
    f.type = type;
    return f;
}

ClientMetric metric(const std::vector<const char*>& names, const LabelValues& values) {
    ClientMetric m;
    for (size_t i = 0; i < names.size(); ++i)
        m.label.push_back({names[i], values[i]});
    return m;
}

void addGauge(std::vector<MetricFamily>& out, const char* name, const char* help, double value) {
    MetricFamily f = family(name, help, MetricType::Gauge);
    ClientMetric m;
    m.gauge.value = value;
    f.metric.push_back(std::move(m));
    out.push_back(std::move(f));
}

void addCounter(std::vector<MetricFamily>& out, const char* name, const char* help, double value) {
    MetricFamily f = family(name, help, MetricType::Counter);
    ClientMetric m;
    m.counter.value = value;
    f.metric.push_back(std::move(m));
    out.push_back(std::move(f));
}

// Sums of one histogram across workers, on the coarse Prometheus buckets.
struct HistogramSum {
    std::array<quint64, LatencyScale::kSlots> slots{};
    quint64 sumUs = 0;
    quint64 count = 0;
    void add(const LatencyHistogram& h) {
        for (size_t i = 0; i < slots.size(); ++i)
            slots[i] += h.slots[i].get();
        sumUs += h.sumUs.get();
        count += h.count.get();
    }
    ClientMetric::Histogram toPrometheus() const {
        static const qint64 kLe[] = {1'000,      2'500,      5'000,      10'000,      25'000,      50'000,
                                     100'000,    250'000,    500'000,    1'000'000,   2'500'000,   5'000'000,
                                     10'000'000, 25'000'000, 50'000'000, 100'000'000, 250'000'000, 500'000'000};
        ClientMetric::Histogram h;
        h.sample_count = count;
        h.sample_sum = double(sumUs) / 1e6;
        quint64 cumulative = 0;
        int slot = 0;
        for (qint64 le : kLe) {
            while (slot < LatencyScale::kBounds && LatencyScale::upperUs(slot) <= le)
                cumulative += slots[size_t(slot++)];
            h.bucket.push_back({cumulative, double(le) / 1e6});
        }
        // The slots and the count are read one by one while a worker may be adding: +Inf never below a finite bucket.
        for (; slot < LatencyScale::kSlots; ++slot)
            cumulative += slots[size_t(slot)];
        h.sample_count = qMax(count, cumulative);
        h.bucket.push_back({h.sample_count, std::numeric_limits<double>::infinity()});
        return h;
    }
};
} // namespace

const char* keyStateName(KeyHealth h) {
    switch (h) {
    case KeyHealth::Ready:
        return "available";
    case KeyHealth::CoolingDown:
    case KeyHealth::Limited:
        return "cooling";
    default:
        return "disabled";
    }
}

QByteArray renderPrometheus(const ScrapeInput& in) {
    std::vector<MetricFamily> out;
    {
        MetricFamily f = family("gemgate_build_info", "GemGate's version (always 1).", MetricType::Gauge);
        ClientMetric m = metric({"version"}, {GEMGATE_VERSION});
        m.gauge.value = 1;
        f.metric.push_back(std::move(m));
        out.push_back(std::move(f));
    }

    // Per-worker series, summed by label set.
    std::map<LabelValues, quint64> requests, upstream, rejections;
    std::map<LabelValues, std::array<quint64, 4>> tokens;
    std::map<std::string, std::pair<HistogramSum, HistogramSum>> latency;
    for (const WorkerMetrics* w : in.workers) {
        w->requests.forEach([&](const auto& l, const SoloCounter& v) {
            requests[{str(l[0]), str(l[1]), str(l[2]), str(l[3])}] += v.get();
        });
        w->upstream.forEach([&](const auto& l, const SoloCounter& v) { upstream[{str(l[0]), str(l[1])}] += v.get(); });
        w->rejections.forEach([&](const auto& l, const SoloCounter& v) { rejections[{str(l[0])}] += v.get(); });
        w->tokens.forEach([&](const auto& l, const TokenValues& v) {
            auto& t = tokens[{str(l[0]), str(l[1])}];
            t[0] += v.prompt.get();
            t[1] += v.candidates.get();
            t[2] += v.thoughts.get();
            t[3] += v.cached.get();
        });
        w->latency.forEach([&](const auto& l, const RouteValues& v) {
            auto& h = latency[str(l[0])];
            h.first.add(v.duration);
            h.second.add(v.ttfb);
        });
    }

    auto counterFamily = [&](const char* name, const char* help, const std::vector<const char*>& labels,
                             const std::map<LabelValues, quint64>& values) {
        MetricFamily f = family(name, help, MetricType::Counter);
        for (const auto& [l, v] : values) {
            ClientMetric m = metric(labels, l);
            m.counter.value = double(v);
            f.metric.push_back(std::move(m));
        }
        out.push_back(std::move(f));
    };
    counterFamily("gemgate_requests_total",
                  "Client requests completed, by route (method and path, model as {model}), model, HTTP status and "
                  "client.",
                  {"route", "model", "status", "client"}, requests);
    {
        MetricFamily d = family("gemgate_request_duration_seconds",
                                "Time from a request's arrival to its last response byte.", MetricType::Histogram);
        MetricFamily t = family("gemgate_time_to_first_byte_seconds",
                                "Time from a request's arrival to its first response byte.", MetricType::Histogram);
        for (const auto& [route, h] : latency) {
            ClientMetric md = metric({"route"}, {route});
            md.histogram = h.first.toPrometheus();
            d.metric.push_back(std::move(md));
            if (h.second.count) {
                ClientMetric mt = metric({"route"}, {route});
                mt.histogram = h.second.toPrometheus();
                t.metric.push_back(std::move(mt));
            }
        }
        out.push_back(std::move(d));
        out.push_back(std::move(t));
    }
    counterFamily("gemgate_upstream_requests_total",
                  "Attempts sent to Google, by pool key id and HTTP status (or connect_error, timeout, broken).",
                  {"key", "status"}, upstream);
    addCounter(out, "gemgate_upstream_retries_total", "Attempts sent again on another key.",
               double(in.upstreamRetries));
    {
        int counts[3] = {0, 0, 0};
        MetricFamily ks = family("gemgate_key_state", "1 for each pool key's current state.", MetricType::Gauge);
        for (const KeyStatus& k : in.keys) {
            const std::string state = keyStateName(k.health);
            counts[state == "available" ? 0 : state == "cooling" ? 1 : 2]++;
            for (const char* s : {"available", "cooling", "disabled"}) {
                ClientMetric m = metric({"key", "state"}, {str(k.id), s});
                m.gauge.value = state == s ? 1 : 0;
                ks.metric.push_back(std::move(m));
            }
        }
        MetricFamily kc = family("gemgate_keys", "Pool keys in each state.", MetricType::Gauge);
        const char* names[3] = {"available", "cooling", "disabled"};
        for (int i = 0; i < 3; ++i) {
            ClientMetric m = metric({"state"}, {names[i]});
            m.gauge.value = counts[i];
            kc.metric.push_back(std::move(m));
        }
        out.push_back(std::move(kc));
        out.push_back(std::move(ks));
    }
    {
        MetricFamily f = family("gemgate_tokens_total",
                                "Tokens from usageMetadata, by direction (prompt, candidates, thoughts, cached), model "
                                "and client.",
                                MetricType::Counter);
        const char* directions[4] = {"prompt", "candidates", "thoughts", "cached"};
        for (const auto& [l, v] : tokens)
            for (int i = 0; i < 4; ++i) {
                ClientMetric m = metric({"direction", "model", "client"}, {directions[i], l[0], l[1]});
                m.counter.value = double(v[size_t(i)]);
                f.metric.push_back(std::move(m));
            }
        out.push_back(std::move(f));
    }
    addCounter(out, "gemgate_bytes_received_total", "Request body bytes read from clients.", double(in.bytesIn));
    addCounter(out, "gemgate_bytes_sent_total", "Response bytes written to clients.", double(in.bytesOut));
    addGauge(out, "gemgate_active_connections", "Client connections open now.", in.activeConnections);
    addGauge(out, "gemgate_active_requests", "Client requests in flight now.", in.activeRequests);
    addGauge(out, "gemgate_active_streams", "Streaming responses in flight now.", in.activeStreams);
    counterFamily("gemgate_rejections_total",
                  "Requests GemGate refused itself (authentication, IP rules, limits, quotas, no usable key), by "
                  "error kind.",
                  {"kind"}, rejections);
    {
        MetricFamily f =
            family("gemgate_config_reloads_total",
                   "Config reloads (file change, SIGHUP, admin API, rollback) by result.", MetricType::Counter);
        for (const auto& [result, n] : {std::pair{"ok", in.reloadsOk}, std::pair{"failed", in.reloadsFailed}}) {
            ClientMetric m = metric({"result"}, {result});
            m.counter.value = double(n);
            f.metric.push_back(std::move(m));
        }
        out.push_back(std::move(f));
    }
    {
        MetricFamily f =
            family("gemgate_quota_used_ratio",
                   "Share of a day/month quota used in the current period, by scope and limit.", MetricType::Gauge);
        for (const PolicyEngine::QuotaUse& q : in.quotas) {
            ClientMetric m = metric({"scope", "limit"}, {str(q.scope), q.limit});
            m.gauge.value = double(q.used) / double(q.max);
            f.metric.push_back(std::move(m));
        }
        out.push_back(std::move(f));
    }
    if (in.certificateNotAfter > 0) {
        MetricFamily f = family("gemgate_tls_certificate_expiry_seconds",
                                "When the served certificate for a name expires (notAfter, seconds since the epoch).",
                                MetricType::Gauge);
        for (const QString& name : in.certificateNames) {
            ClientMetric m = metric({"domain"}, {name.toStdString()});
            m.gauge.value = double(in.certificateNotAfter);
            f.metric.push_back(std::move(m));
        }
        out.push_back(std::move(f));
    }
    if (in.acme) {
        MetricFamily f =
            family("gemgate_acme_orders_total", "ACME certificate orders (first certificates and renewals) by result.",
                   MetricType::Counter);
        for (const auto& [result, value] :
             {std::pair{"success", in.acmeOrdersOk}, std::pair{"failure", in.acmeOrdersFailed}}) {
            ClientMetric m = metric({"result"}, {result});
            m.counter.value = double(value);
            f.metric.push_back(std::move(m));
        }
        out.push_back(std::move(f));
    }

    const ProcessStats p = ProcessStats::read();
    if (p.cpuSeconds >= 0)
        addCounter(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", p.cpuSeconds);
    if (p.residentBytes >= 0)
        addGauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.", double(p.residentBytes));
    if (p.virtualBytes >= 0)
        addGauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", double(p.virtualBytes));
    if (p.openFds >= 0)
        addGauge(out, "process_open_fds", "Number of open file descriptors.", double(p.openFds));
    if (p.maxFds >= 0)
        addGauge(out, "process_max_fds", "Maximum number of open file descriptors.", double(p.maxFds));
    if (p.startTimeSeconds >= 0)
        addGauge(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                 p.startTimeSeconds);

    std::ostringstream os;
    prometheus::TextSerializer().Serialize(os, out);
    const std::string s = os.str();
    return QByteArray(s.data(), qsizetype(s.size()));
}

} // namespace gemgate
