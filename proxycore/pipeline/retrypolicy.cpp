#include "pipeline/retrypolicy.h"

#include "gemini/resources.h"
#include "pipeline/stage.h"

#include <QRandomGenerator>

namespace gemgate {

bool retryableOnAnotherKey(const ClassifiedError& error) {
    return error.cls == UpstreamErrorClass::KeyInvalid || error.cls == UpstreamErrorClass::RateLimited ||
           error.cls == UpstreamErrorClass::Transient;
}

qint64 transientBackoffMs(const KeyPoolConfig& kp, int retry) {
    const qint64 base = qMin<qint64>(kp.backoffMaxMs, qint64(kp.backoffBaseMs) << qMin(retry - 1, 20));
    return base / 2 + QRandomGenerator::global()->bounded(qMax<qint64>(1, base / 2 + 1));
}

bool unsafeToReplay(const RequestContext& ctx, bool requestSent) {
    return requestSent && (createsResource(ctx.request.method, ctx.request.path, ctx.action) ||
                           ctx.request.path.startsWith("/upload/"));
}

GatewayError noKeyError(const PickResult& result, const RequestContext& ctx) {
    GatewayError e;
    switch (result.cause) {
    case NoKeyCause::AllLimited:
    case NoKeyCause::BreakerOpen:
        e = GatewayError::make(429,
                               QStringLiteral("GemGate: %1. Retry after %2 s.")
                                   .arg(result.message)
                                   .arg((result.retryAfterMs + 999) / 1000),
                               result.cause == NoKeyCause::BreakerOpen ? "breaker_open" : "all_keys_rate_limited");
        e.retryAfterSeconds = int(qMax<qint64>(1, (result.retryAfterMs + 999) / 1000));
        break;
    case NoKeyCause::NoneConfigured:
        e = GatewayError::make(
            503,
            QStringLiteral("No upstream Gemini API key is configured. Add one under gemini.api_keys in %1 (or set "
                           "GEMINI_API_KEY for the default config) and reload, or add one in the GemGate window.")
                .arg(ctx.runtime->config->sourcePath.isEmpty() ? QStringLiteral("the config")
                                                               : ctx.runtime->config->sourcePath),
            "no_upstream_key");
        break;
    default:
        if (!ctx.pinnedResource.isEmpty()) {
            e = GatewayError::make(503,
                                   QStringLiteral("GemGate: %1 was created with upstream key '%2' (project %3), and "
                                                  "no key of that project can take the request: %4")
                                       .arg(ctx.pinnedResource, ctx.pin.keyId, ctx.pin.project, result.message),
                                   "pinned_key_unavailable");
        } else {
            e = GatewayError::make(503, QStringLiteral("GemGate: %1").arg(result.message), "no_usable_key");
        }
        if (result.retryAfterMs > 0)
            e.retryAfterSeconds = int((result.retryAfterMs + 999) / 1000);
        break;
    }
    return e;
}

} // namespace gemgate
