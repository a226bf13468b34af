#include "pipeline/stage.h"

#include "pipeline/stages/authstage.h"
#include "pipeline/stages/healthstage.h"
#include "pipeline/stages/openaistage.h"
#include "pipeline/stages/pinstage.h"
#include "pipeline/stages/policystage.h"
#include "pipeline/stages/routestage.h"

namespace gemgate {

const QHostAddress& callerAddress(RequestContext& ctx) {
    if (!ctx.clientAddress) {
        const Runtime& rt = *ctx.runtime;
        const QHostAddress peer(QString::fromLatin1(ctx.peer));
        ctx.clientAddress =
            rt.trustedProxies.isEmpty()
                ? normalizedAddress(peer)
                : clientAddress(peer, ctx.request.headers.value("x-forwarded-for"),
                                ctx.request.headers.value("forwarded"), rt.trustedProxies, rt.forwardedHeader);
    }
    return *ctx.clientAddress;
}

LocalReply LocalReply::fromError(const GatewayError& e) {
    LocalReply r = json(e.status, geminiErrorBody(e));
    r.errorKind = e.kind;
    if (e.retryAfterSeconds >= 0)
        r.headers.add("Retry-After", QByteArray::number(e.retryAfterSeconds));
    return r;
}

LocalReply LocalReply::json(int status, QByteArray body) {
    LocalReply r;
    r.status = status;
    r.headers.add("Content-Type", "application/json; charset=UTF-8");
    r.body = std::move(body);
    return r;
}

Pipeline Pipeline::standard(SharedState& shared, const RuntimePtr& runtime) {
    Pipeline p;
    p.m_runtime = runtime;
    p.add(std::make_unique<HealthStage>(shared.keys, shared.draining, shared.startedAt));
    p.add(std::make_unique<AuthStage>(runtime, shared.clients));
    p.add(std::make_unique<RouteStage>());
    p.add(std::make_unique<OpenAiStage>(runtime, shared.signatures));
    p.add(std::make_unique<PolicyStage>(runtime, shared.policy));
    p.add(std::make_unique<PinStage>(shared.pins));
    return p;
}

const Pipeline& PipelineCache::forRuntime(const RuntimePtr& runtime) {
    if (!m_pipeline || m_pipeline->runtime() != runtime.get())
        m_pipeline = std::make_unique<Pipeline>(Pipeline::standard(m_shared, runtime));
    return *m_pipeline;
}

std::optional<LocalReply> Pipeline::run(RequestContext& ctx) const {
    for (const auto& s : m_stages) {
        if (auto reply = s->onRequest(ctx))
            return reply;
    }
    return std::nullopt;
}

} // namespace gemgate
