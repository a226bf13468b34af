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

std::optional<LocalReply> AuthStage::onRequest(RequestContext& ctx) {
    const AuthConfig& auth = ctx.runtime->config->auth;
    const Runtime& rt = *ctx.runtime;
    if (!rt.ipRules.allow.isEmpty() || !rt.ipRules.deny.isEmpty()) {
        // Where the request comes from (behind trusted proxies, the address they forwarded), and whether it may.
        const QHostAddress client =
            clientAddress(QHostAddress(QString::fromLatin1(ctx.peer)), ctx.request.headers.value("x-forwarded-for"),
                          ctx.request.headers.value("forwarded"), rt.trustedProxies, rt.forwardedHeader);
        QString why;
        if (!rt.ipRules.decide(client, &why)) {
            return LocalReply::fromError(GatewayError::make(
                403,
                QStringLiteral("Requests from %1 are not allowed by this gateway (%2).").arg(client.toString(), why),
                "ip_denied"));
        }
    }
    if (!auth.enabled) {
        ctx.clientId = QStringLiteral("anonymous");
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
        return std::nullopt;
    }
    const QByteArray digest = QCryptographicHash::hash(cred, QCryptographicHash::Sha256);
    const auto it = ctx.runtime->clientKeys.constFind(digest);
    if (it != ctx.runtime->clientKeys.cend()) {
        ctx.clientId = *it;
        return std::nullopt;
    }
    // Keys issued by GemGate (`gemgate clients add`), by hash.
    const std::shared_ptr<const ClientMap> issued = ctx.shared->clients.snapshot();
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
    return std::nullopt;
}

} // namespace gemgate
