#include "pipeline/responsechain.h"

#include "gemini/actions.h"
#include "pipeline/filters/bodyteefilter.h"
#include "pipeline/filters/openaifilter.h"
#include "pipeline/filters/quotacut.h"
#include "pipeline/filters/streamguard.h"
#include "pipeline/stage.h"
#include "pipeline/workerenv.h"

namespace gemgate {

ResponseChain::ResponseChain() = default;
ResponseChain::~ResponseChain() = default;

void ResponseChain::build(RequestContext& ctx, WorkerEnv& env, ClientResponder& client, FilterHost& host) {
    SharedState& shared = *env.shared;
    const Runtime& rt = *ctx.runtime;
    const Config& config = *rt.config;
    m_order.reserve(9);

    add(&m_headers.emplace(rt.headerPolicy));
    add(&m_meter.emplace(ctx, shared.policy));
    if (gemini::isGenerate(ctx.action) && config.gemini.keyPool.streamGuard)
        add(m_optional.emplace_back(std::make_unique<StreamGuardFilter>(*m_meter)).get());
    if (ctx.stream && ctx.ticket.watchesTokens())
        add(m_optional.emplace_back(std::make_unique<QuotaCutFilter>(ctx, shared.policy, *m_meter)).get());
    add(&m_pins.emplace(ctx, shared.pins, [&shared] { return shared.listenUrl(); }));
    if (ctx.api == ApiFlavor::OpenAi)
        add(m_optional.emplace_back(std::make_unique<OpenAiFilter>(ctx, config.openai, shared.signatures, *m_meter))
                .get());
    if (shared.bodyLog.enabled())
        add(m_optional.emplace_back(std::make_unique<BodyTeeFilter>(ctx, shared.bodyLog)).get());
    add(&m_routeLabel.emplace(ctx));
    add(&m_sink.emplace(ctx, client, rt.headerPolicy));

    for (size_t i = 0; i < m_order.size(); ++i)
        m_order[i]->link(i + 1 < m_order.size() ? m_order[i + 1] : nullptr, &host);
}

void ResponseChain::attempt() {
    for (ResponseFilter* f : m_order)
        f->onAttempt();
}

void ResponseChain::reply(ResponseHead& head, QByteArray body, QByteArray errorKind) {
    if (head.contentLength < 0)
        head.contentLength = body.size();
    m_order.front()->onReply(head, body, errorKind);
}

bool ResponseChain::flushHeld(const QByteArray& errorKind) {
    for (ResponseFilter* f : m_order) {
        if (f->flushHeld(errorKind))
            return true;
    }
    return false;
}

void ResponseChain::log(RequestOutcome& outcome) {
    for (ResponseFilter* f : m_order)
        f->onLog(outcome);
}

} // namespace gemgate
