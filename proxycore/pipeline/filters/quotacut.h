#pragma once

// Response filter: the quota cut. While a stream runs under a token quota, each new usage snapshot is reported to
// the client policy; once the quota is used up, the client gets the rest of the current event (SSE) or array
// element and then a well-formed end with a 429 error, and the upstream call is stopped at once.

#include "gemini/usagescanner.h"
#include "pipeline/responsefilter.h"

#include <QString>

namespace gemgate {

class MeterFilter;
class PolicyEngine;
struct RequestContext;

class QuotaCutFilter final : public ResponseFilter {
public:
    QuotaCutFilter(RequestContext& ctx, PolicyEngine& policy, const MeterFilter& meter)
        : m_ctx(ctx)
        , m_policy(policy)
        , m_meter(meter) {}
    const char* name() const override { return "quota_cut"; }
    void onData(const char* data, qsizetype len) override;
    void onLog(RequestOutcome& outcome) override;

private:
    // Relays up to the end of the current event, then ends the stream.
    void relayUntilCut(const char* data, qsizetype len);
    void endTruncated();

    RequestContext& m_ctx;
    PolicyEngine& m_policy;
    const MeterFilter& m_meter;
    std::optional<StreamEventEnd> m_cut; // set once the quota ran out
    QString m_message;
    bool m_truncated = false;
};

} // namespace gemgate
