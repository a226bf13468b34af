#include "pipeline/filters/meterfilter.h"

#include "gemini/actions.h"
#include "pipeline/requestlog.h"
#include "pipeline/stage.h"

namespace gemgate {

qint64 runningTotal(const TokenUsage& u) {
    return qMax(u.total, u.prompt + u.candidates + u.thoughts);
}

void MeterFilter::onAttempt() {
    m_usage = UsageScanner();
    m_lastData = nullptr;
    m_lastLen = 0;
    m_updatesBefore = 0;
}

void MeterFilter::onData(const char* data, qsizetype len) {
    m_updatesBefore = m_usage.updates();
    m_usage.feed(data, len);
    m_lastData = data;
    m_lastLen = len;
    m_next->onData(data, len);
}

void MeterFilter::onLog(RequestOutcome& o) {
    o.reported = m_usage.usage();
    // Embedding calls report no usageMetadata: a successful one is counted at its estimate (what the OpenAI
    // answer reports too), so that embeddings use up token quotas like everything else.
    o.metered = o.reported;
    if (!o.metered.seen && gemini::isEmbed(m_ctx.action) && o.status >= 200 && o.status < 300) {
        o.metered.prompt = o.metered.total = m_ctx.estimatedTokens;
        o.metered.seen = true;
    }
    if (m_ctx.ticket.valid())
        m_policy.settle(m_ctx.ticket, o.metered.seen ? runningTotal(o.metered) : 0);
}

} // namespace gemgate
