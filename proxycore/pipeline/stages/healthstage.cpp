#include "pipeline/stages/healthstage.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace gemgate {

std::optional<LocalReply> HealthStage::onRequest(RequestContext& ctx) {
    if (ctx.request.path != "/health" && ctx.request.path != "/healthz")
        return std::nullopt;
    ctx.route = Route::Health;
    if (ctx.request.method != "GET" && ctx.request.method != "HEAD") {
        auto r = LocalReply::fromError(GatewayError::make(405, QStringLiteral("/health only answers GET"), "method"));
        r.headers.add("Allow", "GET, HEAD");
        return r;
    }
    const KeyPoolSummary keys = m_keys.summary();
    QJsonObject k;
    k.insert(QLatin1String("total"), keys.total);
    k.insert(QLatin1String("available"), keys.available);
    k.insert(QLatin1String("cooling_down"), keys.coolingDown);
    k.insert(QLatin1String("disabled"), keys.disabled);
    QJsonObject o;
    o.insert(QLatin1String("status"), QLatin1String("up"));
    o.insert(QLatin1String("version"), QLatin1String(GEMGATE_VERSION));
    o.insert(QLatin1String("draining"), m_draining.load(std::memory_order_relaxed));
    o.insert(QLatin1String("uptime_seconds"), m_startedAt.secsTo(QDateTime::currentDateTimeUtc()));
    o.insert(QLatin1String("keys"), k);
    return LocalReply::json(200, QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace gemgate
