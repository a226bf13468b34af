#pragma once

// The request pipeline: small stages run in order before a request is forwarded (compare Envoy's decoder
// filters and Pingora's request phases). A stage either lets the request continue or answers it locally.
// Forwarding, relaying and logging are done by ProxySession after the stages (see proxysession.h).

#include "control/runtime.h"
#include "net/httpmessage.h"
#include "pipeline/gatewayerror.h"

#include <memory>
#include <optional>
#include <vector>

namespace gemgate {

enum class Route { None, Health, GeminiApi };

// Per-request state that stages read and fill in. Plain data; lives as long as the request.
struct RequestContext {
    HttpRequest request;
    RuntimePtr runtime;
    SharedState* shared = nullptr;
    QByteArray requestId;
    QByteArray peer; // client address, for logs
    bool clientTls = false;
    QString clientId; // set by authentication
    Route route = Route::None;
    QString model;       // "gemini-2.5-flash" when the path names one
    bool stream = false; // streamGenerateContent
    bool sse = false;    // ... with alt=sse
};

// A locally generated answer.
struct LocalReply {
    int status = 200;
    HttpHeaders headers;
    QByteArray body;
    QByteArray errorKind; // empty for success

    static LocalReply fromError(const GatewayError& e);
    static LocalReply json(int status, QByteArray body);
};

class Stage {
public:
    virtual ~Stage() = default;
    virtual const char* name() const = 0;
    // Runs once per request, in pipeline order. Returns nullopt to continue, or the reply that ends the request
    // (later stages and forwarding are skipped; the access log still records it).
    virtual std::optional<LocalReply> onRequest(RequestContext& ctx) = 0;
};

class Pipeline {
public:
    // The standard order: health, authentication (and IP rules), client rate limit, route.
    static Pipeline standard();
    void add(std::unique_ptr<Stage> s) { m_stages.push_back(std::move(s)); }
    std::optional<LocalReply> run(RequestContext& ctx) const;

private:
    std::vector<std::unique_ptr<Stage>> m_stages;
};

} // namespace gemgate
