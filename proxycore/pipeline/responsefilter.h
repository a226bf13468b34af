#pragma once

// The response side of the request path: an ordered chain of small filters between the upstream answer and the
// client (compare Envoy's encoder filters and Pingora's response phases). Each filter sees the response head, each
// body chunk and the end of the stream, may pass them on unchanged (no copy), change them, hold them back or end
// the stream early, and hands what it passes on to the next filter; the last one writes to the client. Whole
// replies (the gateway's own answers, relayed upstream errors, translated answers) take the same path in one
// piece. Every filter also takes part in the logging step, which runs exactly once per request.
//
// ProxySession owns the lifecycle (key, forwarding, retries, backpressure) and talks to the chain only through
// ResponseChain (responsechain.h); filters talk back to it through FilterHost.

#include "http/httpmessage.h"
#include "pipeline/gatewayerror.h"

#include <QByteArray>

#include <optional>

namespace gemgate {

struct ClassifiedError;
struct KeyLease;
struct RequestOutcome;

// Where a response head comes from: it decides which header rules apply.
enum class ReplyOrigin {
    Upstream,      // an upstream answer (its headers filtered by the header policy)
    UpstreamError, // an upstream error relayed after every retry (headers filtered; not a success)
    Local,         // the gateway's own answer (its headers as they are; Cache-Control: no-store)
};

struct ResponseHead {
    int status = 200;
    HttpHeaders headers;
    qint64 contentLength = -1; // -1: not known in advance (chunked); for whole replies, the body's size
    ReplyOrigin origin = ReplyOrigin::Upstream;
    qint64 retryAfterMs = 0; // a relayed 429: when the upstream said to come back (for a Retry-After header)
};

// How a relayed stream ends.
struct StreamEnd {
    QByteArray errorKind;              // "" for a clean end
    std::optional<GatewayError> error; // a stream ended by an error: told to the client as a last event
    bool clean = true;                 // false: the stream broke; the connection is closed without a clean end
    std::optional<QByteArray> tail;    // the last bytes, once a filter has put the error in its API's form
};

// What filters may ask of the session.
class FilterHost {
public:
    virtual ~FilterHost() = default;
    // The key of the attempt being relayed (null when none is open).
    virtual const KeyLease* currentLease() const = 0;
    // Stops the upstream call now (a quota ran out mid-stream): the key is charged for what it did.
    virtual void stopUpstream() = 0;
    // True while another attempt could still be made (nothing sent to the client, attempts and time left).
    virtual bool mayRetry() const = 0;
    // The answer is unusable although it was a success (the stream guard): try another key if one may still be
    // tried. True when a new attempt is under way (the filter drops what it holds).
    virtual bool retryAttempt(const ClassifiedError& error) = 0;
    // The first byte goes to the client: nothing can be retried from now on.
    virtual void clientStarted() = 0;
    // The request is about to send its last bytes (pendingBytes of them): count and log it now.
    virtual void clientFinishing(int status, const QByteArray& errorKind, qint64 pendingBytes) = 0;
};

class ResponseFilter {
public:
    virtual ~ResponseFilter() = default;
    virtual const char* name() const = 0;

    // A new upstream attempt starts (a retry on another key): drop what the previous one left behind.
    virtual void onAttempt() {}
    // A relayed answer: its head, body chunks in order, its end. The defaults pass everything on.
    virtual void onHead(ResponseHead& head) { m_next->onHead(head); }
    virtual void onData(const char* data, qsizetype len) { m_next->onData(data, len); }
    virtual void onEnd(StreamEnd& end) { m_next->onEnd(end); }
    // A whole reply in one piece; it replaces anything held back.
    virtual void onReply(ResponseHead& head, QByteArray& body, QByteArray& errorKind) {
        m_next->onReply(head, body, errorKind);
    }
    // A held-back answer is the best there is after all (no other key could be tried): send it, ending with
    // errorKind. False when this filter holds nothing.
    virtual bool flushHeld(const QByteArray& errorKind) {
        (void)errorKind;
        return false;
    }
    // The logging step: fill in what this filter knows. Runs once per request, whichever way it ended.
    virtual void onLog(RequestOutcome& outcome) { (void)outcome; }

    void link(ResponseFilter* next, FilterHost* host) {
        m_next = next;
        m_host = host;
    }

protected:
    ResponseFilter* m_next = nullptr;
    FilterHost* m_host = nullptr;
};

} // namespace gemgate
