#pragma once

// One request from the end of parsing to the logging step, as a lifecycle: run the request stages, pick an upstream
// key, forward, retry on another key (with backoff) while nothing has reached the client, and relay the answer
// chunk by chunk with backpressure through the response filters (responsechain.h), which do everything else:
// headers, metering and the quota cut, the stream guard, pinning, translation, the body log and the record.

#include "gemini/errorclass.h"
#include "keys/keypool.h"
#include "pipeline/responsechain.h"
#include "pipeline/stage.h"
#include "pipeline/workerenv.h"
#include "upstream/transport.h"

#include <QElapsedTimer>
#include <QTimer>

#include <optional>

namespace gemgate {

class ProxySession final : public UpstreamHandler, private FilterHost {
public:
    ProxySession(WorkerEnv& env, ClientResponder& client, HttpRequest request, QByteArray peer, bool clientTls);
    ~ProxySession() override;

    void start();
    void onClientDrained();
    // The client went away: cancel the upstream request at once and log 499.
    void onClientGone();
    bool isDone() const { return m_logged; }
    // Sessions alive in this process: tests check that a stopped gateway leaves none behind.
    static int liveCount();

private:
    enum class Phase {
        Admitting,    // the request stages run
        Forwarding,   // an attempt is out, no response head yet
        HoldingError, // an error status came: its body is held to classify it, then retried or relayed
        Relaying,     // a success answer flows through the response filters (one may still hold it back)
        BackingOff,   // waiting before the next attempt
    };

    void respondLocal(const LocalReply& reply);
    void attempt();
    // The pool had no key: answers 429/503 itself, or relays the last upstream answer when every key was tried.
    void respondNoKey(const PickResult& result);
    // Closes the current lease with a failure and tries again (after a backoff) on another key. False when no
    // retry is allowed; the lease is closed either way.
    bool failAndRetry(const ClassifiedError& error);
    void scheduleAttempt(qint64 delayMs);
    // The held upstream error, relayed as the answer (every key was tried, or it is not one another key can fix).
    void relayHeldError();
    // 502 (or 504 for a timeout) for an attempt that got no HTTP answer.
    void respondUpstreamFailure(UpstreamErrorKind kind, const QString& message);
    void closeLeaseSuccess();
    void releaseLease();
    // Counts and logs the request; runs exactly once, before the last bytes go to the client (pendingBytes: body
    // bytes about to be sent) so that a client closing right after cannot make it log twice.
    void finish(int status, const QByteArray& errorKind, qint64 pendingBytes = 0);

    // UpstreamHandler
    void onUpstreamHeaders(int status, const HttpHeaders& headers) override;
    void onUpstreamData(const char* data, qsizetype len) override;
    void onUpstreamComplete() override;
    void onUpstreamError(UpstreamErrorKind kind, const QString& message) override;

    // FilterHost
    const KeyLease* currentLease() const override { return m_lease ? &*m_lease : nullptr; }
    void stopUpstream() override;
    bool mayRetry() const override;
    bool retryAttempt(const ClassifiedError& error) override;
    void clientStarted() override;
    void clientFinishing(int status, const QByteArray& errorKind, qint64 pendingBytes) override;

    WorkerEnv& m_env;
    ClientResponder& m_client;
    RequestContext m_ctx;
    ResponseChain m_chain;
    Phase m_phase = Phase::Admitting;
    QElapsedTimer m_timer;
    qint64 m_arrivalMs = 0;
    std::unique_ptr<UpstreamCall> m_call;
    std::unique_ptr<QTimer> m_retryTimer;
    PickRequest m_pick;
    std::optional<KeyLease> m_lease; // open until reported to the pool
    QString m_keyId;                 // the last key used (for the log)
    int m_attempts = 0;
    int m_transientRetries = 0;
    int m_upstreamStatus = 0;
    HttpHeaders m_errorHeaders; // HoldingError: the error's headers and (up to 1 MiB of) its body
    QByteArray m_errorBody;
    ClassifiedError m_lastError;
    bool m_lastWasTimeout = false;
    std::optional<UpstreamErrorKind> m_failureKind; // the last attempt failed without an HTTP answer
    bool m_clientStarted = false;                   // a byte went to the client: no retry from now on
    bool m_countedStream = false;
    bool m_logged = false; // counted and logged (once; an answer with a Content-Length before its upstream end)
    qint64 m_ttfbUs = -1;
};

} // namespace gemgate
