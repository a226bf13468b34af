#pragma once

// The last filter of every chain: writes to the client connection. Adds the request id and the security headers
// (header policy) to every response, ends a stream that ends with an error with a last well-formed event in
// Gemini's form (an SSE event, or one more element and the end of a JSON array) unless a filter before it put the
// error in another API's form, and tells the session just before the last bytes go out, so that the request is
// logged (and its policy slot freed) exactly once, before the client can see the answer complete: for an answer
// with a Content-Length that is the chunk that completes it, not the upstream's end that may come after.

#include "pipeline/responsefilter.h"

namespace gemgate {

class ClientResponder;
class HeaderPolicy;
struct RequestContext;

class ClientSink final : public ResponseFilter {
public:
    ClientSink(const RequestContext& ctx, ClientResponder& client, const HeaderPolicy& policy)
        : m_ctx(ctx)
        , m_client(client)
        , m_policy(policy) {}
    const char* name() const override { return "client"; }
    void onHead(ResponseHead& head) override;
    void onData(const char* data, qsizetype len) override;
    void onEnd(StreamEnd& end) override;
    void onReply(ResponseHead& head, QByteArray& body, QByteArray& errorKind) override;

private:
    void decorate(ResponseHead& head) const;

    const RequestContext& m_ctx;
    ClientResponder& m_client;
    const HeaderPolicy& m_policy;
    int m_status = 0;
    qint64 m_length = -1; // the answer's Content-Length (-1: chunked)
    qint64 m_written = 0;
    bool m_finished = false; // the session was told (clientFinishing)
};

} // namespace gemgate
