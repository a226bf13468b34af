#pragma once

#include "pipeline/stage.h"

namespace gemgate {

// Authenticates the gateway's own clients. The credential may come the three ways the official SDKs send a
// Gemini key (x-goog-api-key, Authorization: Bearer, ?key=), so that a client only changes its base URL.
// Keys are compared by SHA-256 digest lookup, never by a timing-dependent string compare.
class AuthStage final : public Stage {
public:
    // runtime: the config snapshot this stage is built for (auth settings, client key digests, JWT keys, IP rules);
    // clients: the keys GemGate issued (the state database's, beside auth.client_keys and JWTs).
    AuthStage(RuntimePtr runtime, const ClientDirectory& clients)
        : m_rt(std::move(runtime))
        , m_clients(clients) {}
    const char* name() const override { return "auth"; }
    std::optional<LocalReply> onRequest(RequestContext& ctx) override;

    // The presented credential, or empty. Exposed for tests.
    static QByteArray presentedCredential(const HttpRequest& req);

private:
    RuntimePtr m_rt;
    const ClientDirectory& m_clients;
};

} // namespace gemgate
