#pragma once

// One request from the end of parsing to the access-log line: runs the pipeline stages, picks an upstream key,
// forwards, retries on another key while nothing has reached the client, relays the response chunk by chunk
// with backpressure, meters usage and always writes the log record.

#include "keys/keypool.h"
#include "pipeline/stage.h"
#include "pipeline/usagescanner.h"
#include "upstream/transport.h"

#include <QElapsedTimer>

namespace gemgate {

struct WorkerCounters;

// What a session needs from the client connection. Implemented by HttpConnection.
class ClientResponder {
public:
    virtual ~ClientResponder() = default;
    // A complete response with Content-Length.
    virtual void sendResponse(int status, const HttpHeaders& headers, const QByteArray& body) = 0;
    // Starts a response; contentLength < 0 => chunked.
    virtual void beginResponse(int status, const HttpHeaders& headers, qint64 contentLength) = 0;
    virtual void writeBody(const char* data, qsizetype len) = 0;
    virtual void endResponse() = 0;
    // Ends the response as an error after it has started: the connection is closed without a clean end.
    virtual void abortResponse() = 0;
    // True while the client has more unsent bytes queued than the high-water mark; the session then pauses the
    // upstream until onClientDrained().
    virtual bool congested() const = 0;
    virtual qint64 bytesSent() const = 0;
};

// Per-worker services a session uses.
struct WorkerEnv {
    SharedState* shared = nullptr;
    const Pipeline* pipeline = nullptr;
    UpstreamTransport* http1 = nullptr;
    UpstreamTransport* qnam = nullptr;
    WorkerCounters* counters = nullptr;
    int workerId = 0;
    quint64 nextSeq = 0;

    // "<worker>-<sequence>" in hex: unique within the process, cheap, and carries no secret.
    QByteArray nextRequestId() { return QByteArray::number(workerId, 16) + '-' + QByteArray::number(++nextSeq, 16); }
};

class ProxySession final : public UpstreamHandler {
public:
    ProxySession(WorkerEnv& env, ClientResponder& client, HttpRequest request, QByteArray peer, bool clientTls);
    ~ProxySession() override;

    void start();
    void onClientDrained();
    // The client went away: cancel the upstream request at once and log 499.
    void onClientGone();
    bool isDone() const { return m_done; }

private:
    void respondLocal(const LocalReply& reply);
    void attempt();
    UpstreamRequest buildUpstreamRequest(const PickedKey& key) const;
    HttpHeaders clientResponseHeaders(const HttpHeaders& upstream);
    bool shouldRetry(int status, const QByteArray& body) const;
    // Sends the request again with a key not tried yet; false when no such key is left.
    bool retryOnAnotherKey();
    void sendBufferedError();
    // Counts and logs the request; called exactly once, before the last bytes go to the client (pendingBytes:
    // body bytes about to be sent) so that a client closing right after cannot make it log twice.
    void finish(int status, const QByteArray& errorKind, qint64 pendingBytes = 0);

    void onUpstreamHeaders(int status, const HttpHeaders& headers) override;
    void onUpstreamData(const char* data, qsizetype len) override;
    void onUpstreamComplete() override;
    void onUpstreamError(UpstreamErrorKind kind, const QString& message) override;

    WorkerEnv& m_env;
    ClientResponder& m_client;
    RequestContext m_ctx;
    QElapsedTimer m_timer;
    std::unique_ptr<UpstreamCall> m_call;
    std::optional<PickedKey> m_key;
    QStringList m_triedKeys;
    bool m_pinned = false; // the key is fixed by an upload session: no retry elsewhere
    int m_attempts = 0;
    int m_upstreamStatus = 0;
    HttpHeaders m_upstreamHeaders;
    bool m_buffering = false; // error response held back to scrub it or retry on another key
    QByteArray m_buffer;
    bool m_responseStarted = false;
    qint64 m_ttfbUs = -1;
    UsageScanner m_usage;
    bool m_countedStream = false;
    bool m_done = false;
};

} // namespace gemgate
