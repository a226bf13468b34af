#pragma once

#include "pipeline/stage.h"

namespace gemgate {

// Authenticates the gateway's own clients. The credential may come the three ways the official SDKs send a
// Gemini key (x-goog-api-key, Authorization: Bearer, ?key=), so that a client only changes its base URL.
// Keys are compared by SHA-256 digest lookup, never by a timing-dependent string compare.
class AuthStage final : public Stage {
public:
    // clients: the keys GemGate issued (beside auth.client_keys and JWTs, which the config snapshot holds).
    explicit AuthStage(const ClientDirectory& clients)
        : m_clients(clients) {}
    const char* name() const override { return "auth"; }
    std::optional<LocalReply> onRequest(RequestContext& ctx) override;

    // The presented credential, or empty. Exposed for tests.
    static QByteArray presentedCredential(const HttpRequest& req);

private:
    const ClientDirectory& m_clients;
};

} // namespace gemgate
