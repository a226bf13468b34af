#include "pipeline/filters/quotacut.h"

#include "pipeline/filters/meterfilter.h"
#include "pipeline/requestlog.h"
#include "pipeline/stage.h"

namespace gemgate {

void QuotaCutFilter::onData(const char* data, qsizetype len) {
    if (m_truncated)
        return;
    if (m_cut) {
        relayUntilCut(data, len);
        return;
    }
    if (m_meter.usageEndedIn(data, len) &&
        !m_policy.progress(m_ctx.ticket, runningTotal(m_meter.scanner().usage()), &m_message)) {
        // A token quota ran out: this event is the last one the client gets.
        m_cut.emplace();
        m_cut->sse = m_ctx.sse;
        const qsizetype from = m_meter.scanner().lastUsageEnd();
        m_next->onData(data, from);
        relayUntilCut(data + from, len - from);
        return;
    }
    m_next->onData(data, len);
}

void QuotaCutFilter::relayUntilCut(const char* data, qsizetype len) {
    const qsizetype end = m_cut->find(data, len);
    if (end < 0) {
        m_next->onData(data, len);
        return;
    }
    m_next->onData(data, end);
    if (m_cut->sse && end > 0 && data[end - 1] == '\r') // the event ended on a CR that an LF may have followed:
        m_next->onData("\n", 1);                        // end it as CRLF (for a CR-only stream, one empty line more)
    endTruncated();
}

void QuotaCutFilter::endTruncated() {
    m_truncated = true;
    m_host->stopUpstream(); // stop generating: Google sees the cancellation at once
    StreamEnd end;
    end.errorKind = "quota_truncated";
    end.error = GatewayError::make(429, m_message, "quota_exhausted");
    end.clean = true;
    m_next->onEnd(end);
}

void QuotaCutFilter::onLog(RequestOutcome& o) {
    o.truncated = m_truncated;
}

} // namespace gemgate
