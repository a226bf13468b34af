#include "pipeline/responsechain.h"

#include "gemini/actions.h"
#include "pipeline/stage.h"
#include "pipeline/workerenv.h"

namespace gemgate {

ResponseChain::ResponseChain() = default;
ResponseChain::~ResponseChain() = default;

void ResponseChain::build(RequestContext& ctx, WorkerEnv& env, ClientResponder& client, FilterHost& host) {
    SharedState& shared = *env.shared;
    const Runtime& rt = *ctx.runtime;
    const Config& config = *rt.config;

    add(&m_headers.emplace(rt.headerPolicy));
    add(&m_meter.emplace(ctx, shared.policy));
    if (gemini::isGenerate(ctx.action) && config.gemini.keyPool.streamGuard)
        add(&m_guard.emplace(*m_meter));
    if (ctx.stream && ctx.ticket.watchesTokens())
        add(&m_cut.emplace(ctx, shared.policy, *m_meter));
    add(&m_pins.emplace(ctx, shared.pins, [&shared] { return shared.listenUrl(); }));
    if (ctx.api == ApiFlavor::OpenAi)
        add(&m_openai.emplace(ctx, config.openai, shared.signatures, *m_meter));
    if (shared.bodyLog.enabled())
        add(&m_bodies.emplace(ctx, shared.bodyLog));
    add(&m_routeLabel.emplace(ctx));
    add(&m_sink.emplace(ctx, client, rt.headerPolicy));

    for (int i = 0; i < m_count; ++i)
        m_order[i]->link(i + 1 < m_count ? m_order[i + 1] : nullptr, &host);
}

void ResponseChain::attempt() {
    for (int i = 0; i < m_count; ++i)
        m_order[i]->onAttempt();
}

void ResponseChain::reply(ResponseHead& head, QByteArray body, QByteArray errorKind) {
    if (head.contentLength < 0)
        head.contentLength = body.size();
    m_order[0]->onReply(head, body, errorKind);
}

bool ResponseChain::flushHeld(const QByteArray& errorKind) {
    for (int i = 0; i < m_count; ++i) {
        if (m_order[i]->flushHeld(errorKind))
            return true;
    }
    return false;
}

void ResponseChain::log(RequestOutcome& outcome) {
    for (int i = 0; i < m_count; ++i)
        m_order[i]->onLog(outcome);
}

} // namespace gemgate
