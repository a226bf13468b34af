#pragma once

// A fake Gemini REST upstream for tests and benchmarks. It is the independent reference the gateway is tested
// against, so it shares no code with the gateway: it speaks HTTP/1.1 itself (llhttp) and builds the Gemini JSON
// shapes of docs/gemini-api.md sections 1-5 by hand.
//
// It serves from its own thread(s), so a test may block its own thread (QTRY_*, QEventLoop, waitFor*) and still
// get answers. All public member functions are thread-safe.
//
// Per-request knobs, read from request headers (the gateway forwards unknown end-to-end headers):
//   x-fake-chunks: N        number of stream events (default 3)
//   x-fake-interval-ms: N   spacing between stream events (default 0)
//   x-fake-delay-ms: N      delay before the response headers (any route, errors too)
//   x-fake-abort-after: N   streams: close the connection after N events, without the terminating chunk
//   x-fake-status: N        answer with HTTP status N (>= 400) and a matching Gemini error envelope
//   x-fake-response-header: Name: value   add this header line to the response (repeatable; any route)
//   x-fake-function-call: NAME[:{"json":"args"}]   generate routes: answer with a function call, like Gemini 3
//                           with tools. Repeatable: one functionCall part per header line, in order (parallel
//                           calls). Each part is {"functionCall":{"name":NAME,"args":{...}},"thoughtSignature":S}
//                           with S = base64("sig-" + NAME + "-" + n), n counting every signature this fake issued
//                           (real Gemini signs only the first of parallel calls; the fake signs each one). Args
//                           default to {}; a malformed value is answered with 400. The candidate has no text part
//                           and finishReason STOP. A stream sends at most 2 events: when x-fake-chunks > 1, event 0
//                           is the usual echo text, and the last event carries all the calls complete with STOP.
//   x-fake-require-signatures: 1   generate routes: be as strict as Gemini 3 (gemini-api.md 7.3). 400
//                           INVALID_ARGUMENT when a functionCall part of a "model" turn has no thoughtSignature
//                           ("Function call is missing a thought_signature in functionCall parts. ..."), or one
//                           the fake did not issue for a call of that name (the placeholder
//                           "skip_thought_signature_validator" is accepted), or when a turn with functionResponse
//                           parts does not directly follow a model turn with exactly as many functionCall parts.
//
// Reply text: generateContent answers "echo: <first text part of the last content>" (or a fixed sentence when the
// request has no text, e.g. after function responses). A stream sends that same text as event 0 and " +<i>" as
// event i, so the concatenated stream text is predictable ("echo: hi +1 +2" for 3 events). Token counts are
// ceil(utf8 bytes / 4) per text part (functionCall / functionResponse parts: of their JSON; other parts: 258).
//
// Embeddings: deterministic vectors (equal texts, equal vectors) of outputDimensionality values (default 768,
// clamped to 1..3072), {"embedding":{"values":[...]}} or, batched, {"embeddings":[{"values":[...]},...]} in request
// order; a batch request naming another model than the URL is a 400. models list / get answer Model objects
// (gemini-2.5-flash, gemini-2.5-pro, gemini-embedding-001), paged with pageSize / pageToken.

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QUrl>

#include <memory>

namespace gemgate::test {

// One request as it arrived on the wire, i.e. after the gateway rewrote it.
struct RecordedRequest {
    QByteArray method;
    QByteArray target;                            // path + query, exactly as sent
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased, arrival order
    QByteArray apiKey;                            // x-goog-api-key; empty when absent
    qint64 bodySize = 0;
    QByteArray bodySha256Hex;
    QByteArray body;        // the full body when bodySize <= kMaxRecordedBody, else empty
    QDateTime receivedAt;   // UTC, when the whole request had arrived
    quint64 connectionId{}; // equal ids mean the requests shared one (keep-alive) TCP connection

    QByteArray header(QByteArrayView lowerCaseName) const; // first value, or empty
    QByteArray path() const;                               // target without the query

    static constexpr qint64 kMaxRecordedBody = 64 * 1024;
};

class FakeUpstream {
public:
    // How the fake answers requests made with one API key. Errors use the exact envelopes of gemini-api.md §5.
    enum Behavior {
        Ok,
        RateLimitMinute, // 429 RESOURCE_EXHAUSTED, QuotaFailure ...PerMinute..., RetryInfo retryDelay "41s"
        RateLimitDay,    // 429 RESOURCE_EXHAUSTED, QuotaFailure ...PerDay..., no RetryInfo
        Forbidden,       // 403 PERMISSION_DENIED, CONSUMER_SUSPENDED; the message contains the key itself
        InvalidKey,      // 400 INVALID_ARGUMENT, ErrorInfo API_KEY_INVALID
        Internal,        // 500 INTERNAL
        Unavailable,     // 503 UNAVAILABLE
        EmptyReply,      // generate routes only: 200 with promptFeedback and usage but no candidates
    };

    FakeUpstream();
    ~FakeUpstream(); // stops cleanly
    FakeUpstream(const FakeUpstream&) = delete;
    FakeUpstream& operator=(const FakeUpstream&) = delete;

    // Listens on 127.0.0.1 (port 0 picks a free one). threads == 1 serves on the listener thread; threads > 1 hands
    // accepted connections round-robin to that many worker threads. Returns false when listening failed or when
    // already running. Key behaviours, resources and recordings survive stop()/start().
    bool start(int threads = 1, quint16 port = 0);
    void stop(); // closes every connection (open streams are not counted as client aborts) and joins the threads
    bool isRunning() const;
    quint16 port() const;
    QUrl baseUrl() const; // "http://127.0.0.1:<port>"

    // Every route checks the key's behaviour (EmptyReply only affects generate routes). Ok removes the rule.
    void setKeyBehavior(const QString& key, Behavior behavior);
    // Behave as `behavior` for the next n requests made with the key (that the behaviour applies to), then Ok.
    // n < 0 means for ever (as setKeyBehavior); n == 0 clears the rule.
    void setKeyBehaviorCount(const QString& key, Behavior behavior, int n);
    void clearKeyBehaviors();

    // Recording keeps every request in memory; the benchmark server turns it off (counts are still kept).
    void setRecordingEnabled(bool enabled);
    QList<RecordedRequest> requests() const;
    void clearRequests(); // also resets requestCount() and requestsPerKey()
    int requestCount() const;
    QMap<QByteArray, int> requestsPerKey() const; // requests without a key are counted under an empty key

    // Stream accounting. A stream counts as active from the moment its request is routed (including the
    // x-fake-delay-ms wait) until its last event was written or its connection closed.
    int activeStreams() const;
    int maxConcurrentStreams() const; // peak since the last resetCounters()
    int abortedByClient() const;      // streams whose client closed the connection before the last event
    int abortedUnaryByClient() const; // unary requests whose client left during the x-fake-delay-ms wait
    void resetCounters();             // peak := current, aborted counts := 0

private:
    struct Private;
    std::unique_ptr<Private> d;
};

using Behavior = FakeUpstream::Behavior;

} // namespace gemgate::test
