#include "pipeline/proxysession.h"

#include "metrics/counters.h"
#include "metrics/workermetrics.h"
#include "pipeline/requestlog.h"
#include "pipeline/retrypolicy.h"
#include "pipeline/stages/routestage.h"
#include "pipeline/upstreamrequest.h"

#include <atomic>

namespace gemgate {

namespace {
constexpr qsizetype kMaxErrorBody = 1024 * 1024;

std::atomic<int> g_live{0};
} // namespace

ProxySession::ProxySession(WorkerEnv& env, ClientResponder& client, HttpRequest request, QByteArray peer,
                           bool clientTls)
    : m_env(env)
    , m_client(client) {
    g_live.fetch_add(1, std::memory_order_relaxed);
    m_timer.start();
    m_ctx.request = std::move(request);
    m_ctx.peer = std::move(peer);
    m_ctx.clientTls = clientTls;
    m_ctx.requestId = env.nextRequestId();
    m_arrivalMs = QDateTime::currentMSecsSinceEpoch();
    WorkerCounters::add(env.counters->activeRequests, 1);
}

ProxySession::~ProxySession() {
    m_retryTimer.reset();
    m_call.reset();
    if (!m_logged)
        finish(499, "client_closed");
    releaseLease();
    g_live.fetch_sub(1, std::memory_order_relaxed);
}

int ProxySession::liveCount() {
    return g_live.load(std::memory_order_relaxed);
}

void ProxySession::start() {
    m_ctx.runtime = m_env.shared->snapshot();
    // Known before authentication, so that every error an OpenAI client gets is in OpenAI's envelope.
    m_ctx.api = RouteStage::apiFlavor(m_ctx.request, *m_ctx.runtime->config, &m_ctx.openAiOp);
    std::optional<LocalReply> reply = m_env.pipelines->forRuntime(m_ctx.runtime).run(m_ctx);
    m_chain.build(m_ctx, m_env, m_client, *this);
    if (reply) {
        respondLocal(*reply);
        return;
    }
    if (m_ctx.stream) {
        m_countedStream = true;
        WorkerCounters::add(m_env.counters->activeStreams, 1);
    }
    const KeyPoolConfig& kp = m_ctx.runtime->config->gemini.keyPool;
    m_pick.model = m_ctx.model;
    m_pick.countsAgainstQuota = m_ctx.countsTokens;
    m_pick.estimatedTokens = m_ctx.estimatedTokens;
    if (kp.strategy == KeyStrategy::Sticky) {
        const QByteArray session = m_ctx.request.headers.value(kp.stickyHeader.toLatin1());
        m_pick.stickyKey = session.isEmpty() ? m_ctx.clientId : QString::fromUtf8(session);
    }
    if (!m_ctx.pinnedResource.isEmpty()) {
        m_pick.pinnedKey = m_ctx.pin.keyId;
        m_pick.pinnedProject = m_ctx.pin.project;
    }
    attempt();
}

void ProxySession::respondLocal(const LocalReply& reply) {
    ResponseHead head;
    head.status = reply.status;
    head.headers = reply.headers;
    head.origin = ReplyOrigin::Local;
    m_chain.reply(head, reply.body, reply.errorKind);
}

void ProxySession::attempt() {
    if (m_retryTimer) // it may be this timer's signal that called us: stop it, never delete it here
        m_retryTimer->stop();
    KeyPool& keys = m_env.shared->keys;
    PickResult picked = keys.pick(m_pick);
    if (!picked.lease && picked.cause == NoKeyCause::Exhausted && m_lastError.cls == UpstreamErrorClass::Transient &&
        !m_lastWasTimeout) {
        // Every usable key failed transiently once: a transient failure does not rule a key out, so the next
        // attempt may use any of them again (after the backoff that already ran).
        m_pick.exclude.clear();
        picked = keys.pick(m_pick);
    }
    if (!picked.lease) {
        respondNoKey(picked);
        return;
    }
    m_lease = std::move(picked.lease);
    m_keyId = m_lease->id;
    ++m_attempts;
    m_upstreamStatus = 0;
    m_errorHeaders.clear();
    m_errorBody.clear();
    m_phase = Phase::Forwarding;
    m_chain.attempt();
    const GeminiConfig& gemini = m_ctx.runtime->config->gemini;
    const bool useQnam =
        gemini.transport == UpstreamTransportKind::Http2 || !gemini.proxy.isEmpty() || !m_lease->proxy.isEmpty();
    UpstreamTransport* transport = useQnam ? m_env.qnam : m_env.http1;
    m_call = transport->start(buildUpstreamRequest(m_ctx, *m_lease), this);
}

void ProxySession::respondNoKey(const PickResult& result) {
    if (m_chain.flushHeld("empty_reply")) // an answer without candidates is still the best there is
        return;
    const bool heldError = m_upstreamStatus >= 400;
    if (result.cause == NoKeyCause::Exhausted && heldError && m_lastError.cls == UpstreamErrorClass::RateLimited) {
        // Every key was tried and answered 429: say when the soonest of them is back (the keys tried are only
        // excluded from this request, their cooldowns are what counts).
        PickRequest again = m_pick;
        again.exclude.clear();
        again.dryRun = true;
        const PickResult limited = m_env.shared->keys.pick(again);
        if (limited.cause == NoKeyCause::AllLimited || limited.cause == NoKeyCause::BreakerOpen) {
            respondNoKey(limited);
            return;
        }
    }
    if (result.cause == NoKeyCause::Exhausted && heldError) {
        relayHeldError(); // every key was tried: the client gets the last upstream answer
        return;
    }
    if (result.cause == NoKeyCause::Exhausted && m_failureKind) {
        respondUpstreamFailure(*m_failureKind, m_lastError.message);
        return;
    }
    respondLocal(LocalReply::fromError(noKeyError(result, m_ctx)));
}

bool ProxySession::mayRetry() const {
    const GeminiConfig& g = m_ctx.runtime->config->gemini;
    return !m_clientStarted && m_attempts <= g.maxRetries && m_timer.elapsed() < qint64(g.keyPool.retryBudgetMs);
}

void ProxySession::onUpstreamHeaders(int status, const HttpHeaders& headers) {
    m_upstreamStatus = status;
    m_env.metrics->upstreamAttempt(m_keyId, QString::number(status));
    if (m_lease && m_lease->probe && status != 429)
        m_env.shared->keys.probeAnswered(&*m_lease); // Gemini answered: the breaker closes now, not after a stream
    if (status >= 400) {
        // Held back: it may be retried on another key, and error bodies can quote the key, so they are scrubbed.
        m_phase = Phase::HoldingError;
        m_errorHeaders = headers;
        return;
    }
    m_phase = Phase::Relaying;
    ResponseHead head;
    head.status = status;
    head.headers = headers;
    if (headers.contains("content-length") && !headers.hasToken("transfer-encoding", "chunked"))
        head.contentLength = headers.value("content-length").toLongLong();
    if (status == 204 || status == 304 || m_ctx.request.method == "HEAD")
        head.contentLength = 0;
    m_chain.head(head);
}

void ProxySession::onUpstreamData(const char* data, qsizetype len) {
    if (m_phase == Phase::HoldingError) {
        if (m_errorBody.size() < kMaxErrorBody)
            m_errorBody.append(data, qMin(len, kMaxErrorBody - m_errorBody.size()));
        return;
    }
    if (m_phase != Phase::Relaying)
        return;
    m_chain.data(data, len);
    if (m_call && m_client.congested())
        m_call->pauseReading();
}

void ProxySession::onUpstreamComplete() {
    if (m_phase == Phase::HoldingError) {
        m_lastError = classifyUpstreamError(m_upstreamStatus, m_errorBody);
        m_lastWasTimeout = false;
        m_failureKind.reset();
        if (!failAndRetry(m_lastError))
            relayHeldError();
        return;
    }
    if (m_phase != Phase::Relaying)
        return;
    StreamEnd end;
    m_chain.end(end); // a filter may still hold it back and try another key (retryAttempt)
}

bool ProxySession::retryAttempt(const ClassifiedError& error) {
    m_lastError = error;
    m_lastWasTimeout = false;
    m_failureKind.reset();
    return failAndRetry(error);
}

bool ProxySession::failAndRetry(const ClassifiedError& error) {
    if (m_lease) {
        m_env.shared->keys.reportFailure(*m_lease, error);
        m_lease.reset();
    }
    if (!retryableOnAnotherKey(error) || !mayRetry())
        return false;
    m_pick.exclude.append(m_keyId);
    qint64 delay = 0;
    if (error.cls == UpstreamErrorClass::Transient) {
        const KeyPoolConfig& kp = m_ctx.runtime->config->gemini.keyPool;
        delay = transientBackoffMs(kp, ++m_transientRetries);
        if (m_timer.elapsed() + delay >= qint64(kp.retryBudgetMs))
            return false;
    }
    m_call.reset();
    WorkerCounters::add(m_env.counters->retries, 1);
    scheduleAttempt(delay);
    return true;
}

void ProxySession::scheduleAttempt(qint64 delayMs) {
    if (delayMs <= 0) {
        attempt();
        return;
    }
    m_phase = Phase::BackingOff;
    // One timer for the session's life, made on its first backoff: it is stopped and started again, and deleted
    // only with the session, never from inside its own timeout signal.
    if (!m_retryTimer) {
        m_retryTimer = std::make_unique<QTimer>();
        m_retryTimer->setSingleShot(true);
        QObject::connect(m_retryTimer.get(), &QTimer::timeout, m_retryTimer.get(), [this] { attempt(); });
    }
    m_retryTimer->start(int(delayMs));
}

void ProxySession::relayHeldError() {
    ResponseHead head;
    head.status = m_upstreamStatus;
    head.headers = std::move(m_errorHeaders);
    head.origin = ReplyOrigin::UpstreamError;
    if (m_upstreamStatus == 429)
        head.retryAfterMs = m_lastError.retryDelayMs;
    QByteArray body = m_env.shared->keys.redact(m_errorBody);
    m_errorBody.clear();
    releaseLease();
    m_chain.reply(head, std::move(body), "upstream_" + QByteArray::number(head.status));
}

void ProxySession::closeLeaseSuccess() {
    if (!m_lease)
        return;
    const MeterFilter* meter = m_chain.meter();
    const TokenUsage usage = meter ? meter->scanner().usage() : TokenUsage();
    m_env.shared->keys.reportSuccess(*m_lease, usage.seen ? usage.prompt : -1);
    m_lease.reset();
}

void ProxySession::releaseLease() {
    if (!m_lease)
        return;
    m_env.shared->keys.release(*m_lease);
    m_lease.reset();
}

void ProxySession::stopUpstream() {
    m_call.reset();
    closeLeaseSuccess();
}

void ProxySession::onUpstreamError(UpstreamErrorKind kind, const QString& message) {
    if (m_phase == Phase::HoldingError) {
        // An error status arrived and then the connection broke inside its body: classify what came (the classifier
        // copes with a cut body) rather than calling it a connection failure, so a 400 is still never retried.
        m_lastError = classifyUpstreamError(m_upstreamStatus, m_errorBody);
        m_lastWasTimeout = false;
        m_failureKind.reset();
        if (!failAndRetry(m_lastError))
            relayHeldError();
        return;
    }
    if (m_upstreamStatus == 0) // no answer at all (an answer was counted with its status when it came)
        m_env.metrics->upstreamAttempt(m_keyId, kind == UpstreamErrorKind::Connect   ? QStringLiteral("connect_error")
                                                : kind == UpstreamErrorKind::Timeout ? QStringLiteral("timeout")
                                                                                     : QStringLiteral("broken"));
    m_lastError = transientError(QString::fromLatin1(upstreamErrorName(kind)).toUpper(), message);
    // A read timeout already waited the full timeout: another key may be tried, the same one is not again.
    m_lastWasTimeout = kind == UpstreamErrorKind::Timeout;
    if (m_clientStarted) {
        // Too late to retry or to change the status: end the stream as an error, never as a clean end.
        if (m_lease) {
            m_env.shared->keys.reportFailure(*m_lease, m_lastError);
            m_lease.reset();
        }
        StreamEnd end;
        end.errorKind = upstreamErrorName(kind);
        end.error = GatewayError::make(502, QStringLiteral("The upstream stream broke: %1").arg(message),
                                       upstreamErrorName(kind));
        end.clean = false;
        m_chain.end(end);
        return;
    }
    m_failureKind = kind;
    if (unsafeToReplay(m_ctx, kind != UpstreamErrorKind::Connect)) {
        if (m_lease) {
            m_env.shared->keys.reportFailure(*m_lease, m_lastError);
            m_lease.reset();
        }
    } else if (failAndRetry(m_lastError)) {
        return;
    }
    respondUpstreamFailure(kind, message);
}

void ProxySession::respondUpstreamFailure(UpstreamErrorKind kind, const QString& message) {
    const bool timeout = kind == UpstreamErrorKind::Timeout;
    respondLocal(LocalReply::fromError(
        GatewayError::make(timeout ? 504 : 502,
                           timeout ? QStringLiteral("The Gemini upstream did not answer in time: %1").arg(message)
                                   : QStringLiteral("The Gemini upstream could not be reached: %1").arg(message),
                           upstreamErrorName(kind))));
}

void ProxySession::onClientDrained() {
    if (m_call)
        m_call->resumeReading();
}

void ProxySession::onClientGone() {
    if (m_retryTimer)
        m_retryTimer->stop();
    m_call.reset(); // closes the upstream connection: Google sees the cancellation at once
    releaseLease();
    if (!m_logged)
        finish(499, "client_closed");
}

void ProxySession::clientStarted() {
    m_clientStarted = true;
    m_ttfbUs = m_timer.nsecsElapsed() / 1000;
}

void ProxySession::clientFinishing(int status, const QByteArray& errorKind, qint64 pendingBytes) {
    if (m_phase == Phase::Relaying)
        closeLeaseSuccess(); // the answer ends as one (a held error or a failure closed the lease already)
    finish(status, errorKind, pendingBytes);
}

void ProxySession::finish(int status, const QByteArray& errorKind, qint64 pendingBytes) {
    if (m_logged)
        return;
    m_logged = true;
    WorkerCounters& c = *m_env.counters;
    WorkerCounters::add(c.activeRequests, -1);
    if (m_countedStream)
        WorkerCounters::add(c.activeStreams, -1);
    RequestOutcome o;
    o.runtime = m_ctx.runtime.get();
    o.requestId = m_ctx.requestId;
    o.method = m_ctx.request.method;
    o.path = m_ctx.pathAsSent();
    o.peer = m_ctx.peer;
    o.clientId = m_ctx.clientId;
    o.nameSpace = m_ctx.nameSpace;
    o.keyId = m_keyId;
    o.model = m_ctx.model;
    o.status = status;
    o.errorKind = errorKind;
    o.arrivalMs = m_arrivalMs;
    o.latencyUs = m_timer.nsecsElapsed() / 1000;
    o.ttfbUs = m_ttfbUs;
    o.bytesIn = m_ctx.request.body.size();
    o.bytesOut = m_client.bytesSent() + pendingBytes;
    o.attempts = m_attempts;
    o.stream = m_ctx.stream;
    o.admitted = m_ctx.admitted;
    if (m_chain.built())
        m_chain.log(o); // the filters' part: usage and the policy's settlement, truncation, route, bodies
    logRequest(m_env, o);
    m_ctx.request.body = QByteArray(); // free a large upload chunk now, not when the connection moves on
}

} // namespace gemgate
