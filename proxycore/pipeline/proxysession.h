#pragma once

// One request from the end of parsing to the access-log line: runs the pipeline stages, picks an upstream key,
// forwards, retries on another key while nothing has reached the client, relays the response chunk by chunk
// with backpressure, meters usage and always writes the log record.

#include "gemini/errorclass.h"
#include "gemini/usagescanner.h"
#include "keys/keypool.h"
#include "pipeline/stage.h"
#include "pipeline/workerenv.h"
#include "upstream/transport.h"

#include <QElapsedTimer>
#include <QTimer>

#include <optional>

namespace gemgate {

namespace openai {
class ChatStreamTranslator;
}

class ProxySession final : public UpstreamHandler {
public:
    ProxySession(WorkerEnv& env, ClientResponder& client, HttpRequest request, QByteArray peer, bool clientTls);
    ~ProxySession() override;

    void start();
    void onClientDrained();
    // The client went away: cancel the upstream request at once and log 499.
    void onClientGone();
    bool isDone() const { return m_done; }
    // Sessions alive in this process: tests check that a stopped gateway leaves none behind.
    static int liveCount();

private:
    void respondLocal(const LocalReply& reply);
    // Works out what the key pool needs to know (model, quota relevance, token estimate, pinned resource).
    bool prepare();
    void attempt();
    // The pool had no key: answers 429/503 itself, or relays the last upstream error when every key was tried.
    void respondNoKey(const PickResult& result);
    UpstreamRequest buildUpstreamRequest(const KeyLease& key) const;
    HttpHeaders clientResponseHeaders(const HttpHeaders& upstream);
    void startResponse(const HttpHeaders& upstreamHeaders);
    void releaseGuard();
    // True when another attempt may start: nothing sent to the client, attempts and time budget left.
    bool canRetry() const;
    // Closes the current lease with a failure and tries again (after delayMs) on another key. False when no retry
    // is allowed; the lease is closed either way.
    bool failAndRetry(const ClassifiedError& error);
    void scheduleAttempt(qint64 delayMs);
    void sendBufferedError();
    // 502 (or 504 for a timeout) for an attempt that got no HTTP answer.
    void respondUpstreamFailure(UpstreamErrorKind kind, const QString& message);
    void closeLeaseSuccess();
    void releaseLease();
    void noteCreatedOrDeleted();
    // Counts and logs the request; called exactly once, before the last bytes go to the client (pendingBytes:
    // body bytes about to be sent) so that a client closing right after cannot make it log twice.
    void finish(int status, const QByteArray& errorKind, qint64 pendingBytes = 0);
    // Hands both bodies to the body log (only while log.bodies is on).
    void logBodies(int status);
    // Stream truncation (a token quota ran out mid-stream): relays up to the end of the current event, then ends
    // the stream cleanly with a final error event.
    void relayUntilCut(const char* data, qsizetype len);
    // Response body bytes toward the client: as they are, or through the OpenAI translation (a stream chunk by
    // chunk; a whole answer collected and translated at the end).
    void writeClient(const char* data, qsizetype len);
    // The upstream answer ended cleanly: logs it and ends the client's response (sending a translated answer).
    void completeResponse(const QByteArray& errorKind);
    // Response headers of a translated OpenAI answer.
    HttpHeaders openAiHeaders();
    void endTruncated();

    void onUpstreamHeaders(int status, const HttpHeaders& headers) override;
    void onUpstreamData(const char* data, qsizetype len) override;
    void onUpstreamComplete() override;
    void onUpstreamError(UpstreamErrorKind kind, const QString& message) override;

    WorkerEnv& m_env;
    ClientResponder& m_client;
    RequestContext m_ctx;
    QElapsedTimer m_timer;
    std::unique_ptr<UpstreamCall> m_call;
    std::unique_ptr<QTimer> m_retryTimer;
    PickRequest m_pick;
    std::optional<KeyLease> m_lease; // open until reported to the pool
    QString m_keyId;                 // the last key used (for the log)
    QString m_pinnedResource;
    qint64 m_arrivalMs = 0;
    int m_attempts = 0;
    int m_transientRetries = 0;
    int m_upstreamStatus = 0;
    HttpHeaders m_upstreamHeaders;
    bool m_buffering = false; // error response held back to scrub it or retry on another key
    QByteArray m_buffer;
    ClassifiedError m_lastError;
    bool m_lastWasTimeout = false;
    std::optional<UpstreamErrorKind> m_failureKind; // the last attempt failed without an HTTP answer
    bool m_guarding = false;                        // stream guard: 2xx held back until it carries an answer
    bool m_heldEmptyReply = false; // a complete reply without candidates, held while another key is tried
    QByteArray m_guardBuffer;
    bool m_captureCreated = false; // a creating call: keep the (small) reply to pin the resource it names
    QByteArray m_created;
    bool m_responseStarted = false;
    qint64 m_ttfbUs = -1;
    UsageScanner m_usage;
    BodyTee m_bodyTee; // the response body for log.bodies; off (limit < 0) unless it is on
    // Set when a quota ran out during the stream: finds where the current event / array element ends.
    std::optional<StreamEventEnd> m_cut;
    std::unique_ptr<openai::ChatStreamTranslator> m_oaiStream; // an OpenAI chat stream being translated
    bool m_oaiCollect = false; // an OpenAI answer collected whole (m_oaiBody) and translated at the end
    bool m_oaiTooLarge = false;
    QByteArray m_oaiBody;
    QString m_cutMessage;
    bool m_truncated = false;
    bool m_countedStream = false;
    bool m_done = false;
};

} // namespace gemgate
