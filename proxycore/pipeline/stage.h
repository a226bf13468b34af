#pragma once

// The request pipeline: small stages run in order before a request is forwarded (compare Envoy's decoder
// filters and Pingora's request phases). A stage either lets the request continue or answers it locally.
// Forwarding, relaying and logging are done by ProxySession after the stages (see proxysession.h).

#include "http/httpmessage.h"
#include "pipeline/gatewayerror.h"
#include "runtime/runtime.h"

#include <QHostAddress>

#include <memory>
#include <optional>
#include <vector>

namespace gemgate {

enum class Route { None, Health, GeminiApi };

// Which API the client speaks: errors are answered in its envelope.
enum class ApiFlavor { Gemini, OpenAi };
enum class OpenAiOp { None, Chat, Embeddings, Models, Model };

// An OpenAI-compatible request translated to a native call: what the response translation needs.
struct OpenAiExchange {
    OpenAiOp op = OpenAiOp::None;
    QString requestedModel; // the name the client sent, echoed back
    bool stream = false;
    bool includeUsage = false;
    bool base64 = false; // embeddings as base64 float32
    QStringList ignored; // request fields accepted without a Gemini equivalent (x-gemgate-ignored-fields)
    qint64 created = 0;  // unix seconds, the "created" of every chunk
};

// Per-request state that stages read and fill in. Plain data; lives as long as the request.
struct RequestContext {
    HttpRequest request;
    RuntimePtr runtime;
    QByteArray requestId;
    QByteArray peer; // client address, for logs
    bool clientTls = false;
    QString clientId;          // set by authentication
    QString nameSpace;         // the client's namespace (set by authentication)
    LimitSet ownLimits;        // the limits the client's credential carries (its entry, issued record or JWT claims)
    QStringList allowedModels; // from the credential; empty = every model
    // The caller (behind trusted proxies, the address they forwarded): use callerAddress(), which works it out on
    // first use (parsing addresses costs time on every request that needs none).
    std::optional<QHostAddress> clientAddress;
    Route route = Route::None;
    QString model;              // "gemini-2.5-flash" when the path names one
    QByteArray action;          // "generateContent", "streamGenerateContent", ... (after the ':'), empty for none
    bool stream = false;        // streamGenerateContent
    bool sse = false;           // ... with alt=sse
    bool countsTokens = false;  // a generate / embed call: counts against model quotas and token limits
    qint64 estimatedTokens = 0; // input tokens estimated from the body (countsTokens only)
    bool admitted = false;      // passed the client policy
    PolicyTicket ticket;        // what the policy took; settled when the request ends
    ApiFlavor api = ApiFlavor::Gemini;
    OpenAiOp openAiOp = OpenAiOp::None;     // set with api == OpenAi (from the path, before authentication)
    std::shared_ptr<OpenAiExchange> openai; // set once the OpenAI request was translated
    QByteArray clientPath;                  // the path the client asked for, when a translation rewrote request.path
    QString pinnedResource;                 // a pinned resource the request names (PinStage); empty for none
    ResourcePin pin;                        // ... and the key / project it is pinned to
    // The path as the client sent it (what logs and usage records name).
    const QByteArray& pathAsSent() const { return clientPath.isEmpty() ? request.path : clientPath; }
};

const QHostAddress& callerAddress(RequestContext& ctx);

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
    // The standard order: health, authentication (and IP rules), route, OpenAI translation, client policy (limits
    // and quotas), resource pins, each stage built with its settings from one config snapshot and the services it
    // uses. Runs only requests of that snapshot (PipelineCache).
    static Pipeline standard(SharedState& shared, const RuntimePtr& runtime);
    void add(std::unique_ptr<Stage> s) { m_stages.push_back(std::move(s)); }
    std::optional<LocalReply> run(RequestContext& ctx) const;
    const Runtime* runtime() const { return m_runtime.get(); }

private:
    std::vector<std::unique_ptr<Stage>> m_stages;
    RuntimePtr m_runtime; // held: a new snapshot never takes the address of the one this was built for
};

// A worker's pipeline, built again when a request comes under a new config snapshot (after a reload). One per
// worker thread; not thread-safe.
class PipelineCache {
public:
    explicit PipelineCache(SharedState& shared)
        : m_shared(shared) {}
    const Pipeline& forRuntime(const RuntimePtr& runtime);

private:
    SharedState& m_shared;
    std::unique_ptr<Pipeline> m_pipeline; // its stages hold the snapshot they were built for
};

} // namespace gemgate
