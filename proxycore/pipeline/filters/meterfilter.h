#pragma once

// Response filter: usage metering. Reads the token usage out of the answer as it passes (gemini/usagescanner.h,
// nothing copied but the small usage objects) and, in the logging step, reports it (what the upstream said, and
// what is metered: an embedding call that reports nothing counts at its estimate) and settles the client policy's
// ticket with the actual total. The stream guard and the quota cut read the same scanner.

#include "gemini/usagescanner.h"
#include "pipeline/responsefilter.h"

namespace gemgate {

class PolicyEngine;
struct RequestContext;

// The tokens a reply has used so far: Gemini's total, or its parts when a snapshot has no total yet.
qint64 runningTotal(const TokenUsage& u);

class MeterFilter final : public ResponseFilter {
public:
    MeterFilter(RequestContext& ctx, PolicyEngine& policy)
        : m_ctx(ctx)
        , m_policy(policy) {}
    const char* name() const override { return "meter"; }
    void onAttempt() override;
    void onData(const char* data, qsizetype len) override;
    void onLog(RequestOutcome& outcome) override;

    const UsageScanner& scanner() const { return m_usage; }
    // True when a new usage snapshot ended inside exactly this chunk, as it came from upstream (a chunk held back
    // and passed on later together with others is not one).
    bool usageEndedIn(const char* data, qsizetype len) const {
        return data == m_lastData && len == m_lastLen && m_usage.updates() != m_updatesBefore &&
               m_usage.lastUsageEnd() >= 0;
    }

private:
    RequestContext& m_ctx;
    PolicyEngine& m_policy;
    UsageScanner m_usage;
    const char* m_lastData = nullptr;
    qsizetype m_lastLen = 0;
    int m_updatesBefore = 0;
};

} // namespace gemgate
