#include "pipeline/filters/routelabelfilter.h"

#include "gemini/routelabels.h"
#include "pipeline/requestlog.h"
#include "pipeline/stage.h"

namespace gemgate {

QString RouteLabelFilter::label(const RequestContext& ctx) {
    if (ctx.route == Route::Health)
        return QStringLiteral("GET /health");
    if (ctx.route != Route::GeminiApi)
        return QStringLiteral("none");
    if (ctx.openAiOp != OpenAiOp::None) // a fixed path, the model id replaced
        return gemini::usageRouteLabel(ctx.request.method, ctx.pathAsSent(),
                                       ctx.openAiOp == OpenAiOp::Model ? QStringLiteral("m") : QString());
    return gemini::restRouteLabel(ctx.request.method, ctx.request.path);
}

void RouteLabelFilter::onLog(RequestOutcome& o) {
    o.metricsRoute = label(m_ctx);
}

} // namespace gemgate
