#include "metrics/workermetrics.h"

#include <algorithm>

namespace gemgate {

namespace {
constexpr std::array<qint64, LatencyScale::kBounds> makeBounds() {
    constexpr qint64 mantissa[] = {100, 125, 150, 200, 250, 300, 400, 500, 600, 800}; // x 0.01
    std::array<qint64, LatencyScale::kBounds> b{};
    qint64 decade = 100; // µs
    int i = 0;
    for (int d = 0; d < 7; ++d, decade *= 10)
        for (qint64 m : mantissa)
            b[size_t(i++)] = decade * m / 100;
    b[size_t(i)] = decade; // 1000 s
    return b;
}
constexpr std::array<qint64, LatencyScale::kBounds> kBoundsUs = makeBounds();
static_assert(kBoundsUs[0] == 100 && kBoundsUs[10] == 1000 && kBoundsUs[70] == 1000000000);
} // namespace

qint64 LatencyScale::upperUs(int i) {
    return kBoundsUs[size_t(i)];
}

int LatencyScale::slot(qint64 us) {
    return int(std::lower_bound(kBoundsUs.begin(), kBoundsUs.end(), us) - kBoundsUs.begin());
}

bool WorkerMetrics::isRejection(const QByteArray& kind) {
    static const char* const kinds[] = {
        "auth_missing",        "auth_invalid",      "auth_jwt_invalid",      "client_disabled", "client_expired",
        "ip_denied",           "model_not_allowed", "input_too_large",       "rate_limited",    "token_rate_limited",
        "concurrency_limited", "quota_exhausted",   "quota_truncated",       "no_usable_key",   "all_keys_rate_limited",
        "breaker_open",        "no_upstream_key",   "pinned_key_unavailable"};
    if (kind.isEmpty())
        return false;
    for (const char* k : kinds)
        if (kind == k)
            return true;
    return false;
}

void WorkerMetrics::requestDone(const RequestSample& s) {
    requests.at({s.route, s.model, QString::number(s.status), s.client}).add(1);
    RouteValues& r = latency.at({s.route});
    r.duration.observe(s.latencyUs);
    if (s.ttfbUs >= 0)
        r.ttfb.observe(s.ttfbUs);
    if (s.promptTokens || s.candidatesTokens || s.thoughtsTokens || s.cachedTokens) {
        TokenValues& t = tokens.at({s.model, s.client});
        t.prompt.add(quint64(s.promptTokens));
        t.candidates.add(quint64(s.candidatesTokens));
        t.thoughts.add(quint64(s.thoughtsTokens));
        t.cached.add(quint64(s.cachedTokens));
    }
    if (isRejection(s.errorKind))
        rejections.at({QString::fromLatin1(s.errorKind)}).add(1);
}

void WorkerMetrics::upstreamAttempt(const QString& keyId, const QString& status) {
    upstream.at({keyId, status}).add(1);
}

} // namespace gemgate
