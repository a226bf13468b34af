#pragma once

// Response filter: log.bodies. Keeps the response body as the client gets it (up to log.bodies' max_bytes) and,
// in the logging step, hands both bodies to the body log, which redacts and writes them on its own thread. Only in
// the chain while log.bodies is on.

#include "log/bodylog.h"
#include "pipeline/responsefilter.h"

namespace gemgate {

struct RequestContext;

class BodyTeeFilter final : public ResponseFilter {
public:
    BodyTeeFilter(const RequestContext& ctx, BodyLog& log)
        : m_ctx(ctx)
        , m_log(log) {
        m_tee.limit = log.maxBytes();
    }
    const char* name() const override { return "body_log"; }
    void onAttempt() override { m_tee.reset(); } // what an earlier attempt held back never reached the client
    void onData(const char* data, qsizetype len) override;
    void onReply(ResponseHead& head, QByteArray& body, QByteArray& errorKind) override;
    void onLog(RequestOutcome& outcome) override;

private:
    const RequestContext& m_ctx;
    BodyLog& m_log;
    BodyTee m_tee;
};

} // namespace gemgate
