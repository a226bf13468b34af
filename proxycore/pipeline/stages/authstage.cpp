#include "pipeline/stages/authstage.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QHostAddress>
#include <QTimeZone>

namespace gemgate {

QByteArray AuthStage::presentedCredential(const HttpRequest& req) {
    QByteArray v = req.headers.value("x-goog-api-key").trimmed();
    if (!v.isEmpty())
        return v;
    v = req.headers.value("authorization").trimmed();
    if (v.size() > 7 && v.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        return v.mid(7).trimmed();
    return queryValue(req.query, "key");
}

namespace {
std::optional<LocalReply> ipDenied(const QHostAddress& client, const QString& why) {
    return LocalReply::fromError(GatewayError::make(
        403, QStringLiteral("Requests from %1 are not allowed by this gateway (%2).").arg(client.toString(), why),
        "ip_denied"));
}

// A client's own allow / deny lists (on top of the global ones).
std::optional<LocalReply> checkClientIp(RequestContext& ctx, const IpRules& rules) {
    if (rules.allow.isEmpty() && rules.deny.isEmpty())
        return std::nullopt;
    QString why;
    if (rules.decide(callerAddress(ctx), &why))
        return std::nullopt;
    return ipDenied(callerAddress(ctx), QStringLiteral("client \"%1\": %2").arg(ctx.clientId, why));
}

// Limits carried by a JWT claim: an object of limit fields by their YAML names. Unknown keys are ignored.
LimitSet limitsFromClaim(const QVariant& claim) {
    LimitSet out;
    const QVariantMap m = claim.toMap();
    for (const auto& [name, member] : kLimitSetFields) {
        bool ok = false;
        const qint64 v = m.value(QLatin1String(name)).toLongLong(&ok);
        if (ok && v >= 0)
            out.*member = v;
    }
    return out;
}
} // namespace

std::optional<LocalReply> AuthStage::onRequest(RequestContext& ctx) {
    const AuthConfig& auth = m_rt->config->auth;
    const Runtime& rt = *m_rt;
    if (!rt.ipRules.allow.isEmpty() || !rt.ipRules.deny.isEmpty()) {
        QString why;
        if (!rt.ipRules.decide(callerAddress(ctx), &why))
            return ipDenied(callerAddress(ctx), why);
    }
    if (!auth.enabled) {
        ctx.clientId = QStringLiteral("anonymous");
        ctx.nameSpace = QStringLiteral("default");
        return std::nullopt;
    }
    const QByteArray cred = presentedCredential(ctx.request);
    if (cred.isEmpty()) {
        return LocalReply::fromError(
            GatewayError::make(401,
                               QStringLiteral("Missing GemGate client key. Send it as the 'x-goog-api-key' header, as "
                                              "'Authorization: Bearer <key>', or as the 'key' query parameter."),
                               "auth_missing"));
    }
    // A JWT (three base64url parts, a JSON header): verified when JWT keys are configured.
    if (rt.jwt && cred.startsWith("eyJ") && cred.count('.') == 2) {
        QString why;
        const std::optional<JwtIdentity> id = rt.jwt->verify(cred, QDateTime::currentMSecsSinceEpoch(), &why);
        if (!id) {
            return LocalReply::fromError(GatewayError::make(
                401, QStringLiteral("Invalid GemGate client token: %1.").arg(why), "auth_jwt_invalid"));
        }
        ctx.clientId = QStringLiteral("jwt:") + id->subject;
        const QString ns = id->claims.value(auth.jwt.namespaceClaim).toString().trimmed();
        ctx.nameSpace = ns.isEmpty() ? QStringLiteral("default") : ns;
        if (!auth.jwt.limitsClaim.isEmpty())
            ctx.ownLimits = limitsFromClaim(id->claims.value(auth.jwt.limitsClaim));
        return std::nullopt;
    }
    const QByteArray digest = QCryptographicHash::hash(cred, QCryptographicHash::Sha256);
    const auto it = rt.clientKeys.constFind(digest);
    if (it != rt.clientKeys.cend()) {
        ctx.clientId = it->id;
        ctx.nameSpace = it->nameSpace;
        ctx.ownLimits = it->limits;
        ctx.allowedModels = it->models;
        return checkClientIp(ctx, it->ipRules);
    }
    // Keys issued by GemGate (`gemgate clients add`), by hash.
    const std::shared_ptr<const ClientMap> issued = m_clients.snapshot();
    const auto found = issued->constFind(digest);
    if (found == issued->cend()) {
        return LocalReply::fromError(GatewayError::make(
            401,
            QStringLiteral("Invalid GemGate client key. Use a key from auth.client_keys in the gateway's config or "
                           "one issued with `gemgate clients add`."),
            "auth_invalid"));
    }
    if (!found->enabled) {
        return LocalReply::fromError(GatewayError::make(
            403,
            QStringLiteral("GemGate client \"%1\" is disabled; ask the gateway's operator to enable it.")
                .arg(found->name),
            "client_disabled"));
    }
    if (found->expired(QDateTime::currentMSecsSinceEpoch())) {
        return LocalReply::fromError(GatewayError::make(
            401,
            QStringLiteral("GemGate client key of \"%1\" expired on %2; ask for a new one (gemgate clients rotate).")
                .arg(found->name,
                     QDateTime::fromMSecsSinceEpoch(found->expiresAtMs, QTimeZone::utc()).toString(Qt::ISODate)),
            "client_expired"));
    }
    ctx.clientId = found->name;
    ctx.nameSpace = found->nameSpace;
    ctx.ownLimits = found->limits;
    ctx.allowedModels = found->models;
    return checkClientIp(ctx, found->ipRules);
}

} // namespace gemgate
