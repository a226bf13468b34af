#include "pipeline/stages/ratelimitstage.h"

namespace gemgate {

std::optional<LocalReply> RateLimitStage::onRequest(RequestContext& ctx) {
    const Runtime& rt = *ctx.runtime;
    const auto own = rt.clientRateLimits.constFind(ctx.clientId);
    const bool hasOwn = own != rt.clientRateLimits.cend();
    const qint64 perMinute = hasOwn ? *own : rt.config->auth.rateLimitPerMinute;
    if (perMinute <= 0)
        return std::nullopt;
    qint64 retryMs = 0;
    if (ctx.shared->clientLimiter.tryAcquire(ctx.clientId, perMinute, &retryMs))
        return std::nullopt;
    GatewayError e = GatewayError::make(
        429,
        QStringLiteral("GemGate client \"%1\" is over its limit of %2 requests per minute (%3); retry in %4 s.")
            .arg(ctx.clientId)
            .arg(perMinute)
            .arg(hasOwn ? QStringLiteral("auth.client_keys[].rate_limit_per_minute")
                        : QStringLiteral("auth.rate_limit_per_minute"))
            .arg((retryMs + 999) / 1000),
        "client_rate_limited");
    e.retryAfterSeconds = int(qMax<qint64>(1, (retryMs + 999) / 1000));
    return LocalReply::fromError(e);
}

} // namespace gemgate
