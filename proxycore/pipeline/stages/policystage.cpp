#include "pipeline/stages/policystage.h"

#include "gemini/actions.h"
#include "gemini/tokenestimate.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace gemgate {

bool PolicyStage::countsTokens(const QByteArray& action) {
    return gemini::countsTokens(action);
}

QByteArray PolicyStage::clampOutputTokens(const QByteArray& body, qint64 cap) {
    QJsonParseError err{};
    QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return body;
    QJsonObject root = doc.object();
    QJsonObject gen = root.value(QLatin1String("generationConfig")).toObject();
    const QJsonValue current = gen.value(QLatin1String("maxOutputTokens"));
    const qint64 asked = current.isString() ? current.toString().toLongLong() : qint64(current.toDouble(-1));
    if (asked > 0 && asked <= cap)
        return body;
    gen.insert(QLatin1String("maxOutputTokens"), double(cap));
    root.insert(QLatin1String("generationConfig"), gen);
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

std::optional<LocalReply> PolicyStage::onRequest(RequestContext& ctx) {
    const Config& cfg = *m_rt->config;
    if (!ctx.model.isEmpty() && !modelAllowed(ctx.allowedModels, ctx.model)) {
        return LocalReply::fromError(
            GatewayError::make(403,
                               QStringLiteral("GemGate client \"%1\" may not use model %2 (allowed: %3).")
                                   .arg(ctx.clientId, ctx.model, ctx.allowedModels.join(QLatin1String(", "))),
                               "model_not_allowed"));
    }
    ctx.countsTokens = countsTokens(ctx.action);
    if (ctx.countsTokens)
        ctx.estimatedTokens = estimateInputTokens(ctx.request.body);

    const LimitsConfig& limits = cfg.limits;
    PolicySubject subject;
    subject.client = ctx.clientId;
    subject.clientLimits = ctx.ownLimits.over(limits.clients.value(ctx.clientId)).over(m_rt->clientDefault);
    subject.nameSpace = ctx.nameSpace;
    subject.namespaceLimits = limits.namespaces.value(ctx.nameSpace).over(limits.namespaceDefault);
    if (!limits.perIp.unlimited()) {
        subject.ip = callerAddress(ctx).toString();
        subject.ipLimits = limits.perIp;
    }
    subject.globalLimits = limits.global;
    if (auto rejected = m_policy.admit(subject, ctx.estimatedTokens, ctx.countsTokens, &ctx.ticket)) {
        GatewayError e = GatewayError::make(rejected->status, rejected->message, rejected->errorKind);
        if (rejected->status == 429)
            e.retryAfterSeconds = int(qMax<qint64>(1, (rejected->retryAfterMs + 999) / 1000));
        return LocalReply::fromError(e);
    }
    ctx.admitted = true;

    // The output cap: the tightest of the client's, its namespace's and the gateway's.
    qint64 cap = 0;
    for (const LimitSet* l :
         {&subject.clientLimits, &subject.namespaceLimits, &subject.ipLimits, &subject.globalLimits}) {
        if (l->maxOutputTokens > 0 && (cap == 0 || l->maxOutputTokens < cap))
            cap = l->maxOutputTokens;
    }
    if (cap > 0 && gemini::isGenerate(ctx.action) && ctx.request.method == "POST")
        ctx.request.body = clampOutputTokens(ctx.request.body, cap);
    return std::nullopt;
}

} // namespace gemgate
