#include "pipeline/proxysession.h"

#include "gemini/routelabels.h"
#include "keys/redact.h"
#include "metrics/counters.h"
#include "metrics/workermetrics.h"
#include "openai/openaitranslate.h"
#include "pipeline/requestlog.h"
#include "pipeline/stages/routestage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>

#include <atomic>

namespace gemgate {

namespace {
constexpr qsizetype kMaxErrorBody = 1024 * 1024;
constexpr qsizetype kMaxGuardBytes = 256 * 1024; // the guard lets a reply through once this much has arrived
constexpr qsizetype kMaxCreatedBody = 1024 * 1024;
constexpr qsizetype kMaxTranslatedBody = 64 * 1024 * 1024; // a whole answer translated for an OpenAI client

// True when a body is a Gemini error envelope ({"error":{"code":...) rather than OpenAI's.
bool isGeminiError(const QByteArray& body) {
    return body.contains("\"status\"") || !body.contains("\"type\"");
}

// The route label of the metrics (see gemini/routelabels.h).
QString metricsRoute(const RequestContext& ctx) {
    if (ctx.route == Route::Health)
        return QStringLiteral("GET /health");
    if (ctx.route != Route::GeminiApi)
        return QStringLiteral("none");
    if (ctx.openAiOp != OpenAiOp::None) // a fixed path, the model id replaced
        return gemini::usageRouteLabel(ctx.request.method, ctx.pathAsSent(),
                                       ctx.openAiOp == OpenAiOp::Model ? QStringLiteral("m") : QString());
    return gemini::restRouteLabel(ctx.request.method, ctx.request.path);
}

// An OpenAI model list with the configured aliases added (each one whose Gemini model is in the list).
QByteArray withAliases(const QByteArray& list, const QHash<QString, QString>& aliases) {
    QJsonObject o = QJsonDocument::fromJson(list).object();
    QJsonArray data = o.value(QLatin1String("data")).toArray();
    QSet<QString> ids;
    for (const QJsonValue& m : std::as_const(data))
        ids.insert(m[QLatin1String("id")].toString());
    for (auto it = aliases.cbegin(); it != aliases.cend(); ++it) {
        if (ids.contains(it.value()) && !ids.contains(it.key())) {
            data.append(QJsonObject{{QStringLiteral("id"), it.key()},
                                    {QStringLiteral("object"), QStringLiteral("model")},
                                    {QStringLiteral("created"), 0},
                                    {QStringLiteral("owned_by"), QStringLiteral("google")}});
        }
    }
    o.insert(QLatin1String("data"), data);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// The tokens a reply has used so far: Gemini's total, or its parts when a snapshot has no total yet.
qint64 runningTotal(const TokenUsage& u) {
    return qMax(u.total, u.prompt + u.candidates + u.thoughts);
}

// Calls that create a stateful resource whose name the reply carries.
bool createsResource(const QByteArray& method, const QByteArray& path, const QByteArray& action) {
    if (method != "POST")
        return false;
    if (action == "batchGenerateContent" || action == "asyncBatchEmbedContent")
        return true;
    // POST /v1beta/files (metadata-only create), /v1beta/cachedContents, and upload finalization.
    return path.endsWith("/files") || path.endsWith("/cachedContents") || path.startsWith("/upload/");
}

std::atomic<int> g_live{0};

} // namespace

ProxySession::ProxySession(WorkerEnv& env, ClientResponder& client, HttpRequest request, QByteArray peer,
                           bool clientTls)
    : m_env(env)
    , m_client(client) {
    g_live.fetch_add(1, std::memory_order_relaxed);
    m_timer.start();
    m_ctx.request = std::move(request);
    m_ctx.shared = env.shared;
    m_ctx.peer = std::move(peer);
    m_ctx.clientTls = clientTls;
    m_ctx.requestId = env.nextRequestId();
    m_arrivalMs = QDateTime::currentMSecsSinceEpoch();
    WorkerCounters::add(env.counters->activeRequests, 1);
    if (env.shared->bodyLog.enabled())
        m_bodyTee.limit = env.shared->bodyLog.maxBytes();
}

ProxySession::~ProxySession() {
    m_retryTimer.reset();
    m_call.reset();
    if (!m_done)
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
    if (auto reply = m_env.pipeline->run(m_ctx)) {
        respondLocal(*reply);
        return;
    }
    if (m_ctx.stream) {
        m_countedStream = true;
        WorkerCounters::add(m_env.counters->activeStreams, 1);
    }
    if (prepare())
        attempt();
}

void ProxySession::respondLocal(const LocalReply& given) {
    std::optional<LocalReply> converted;
    if (m_ctx.api == ApiFlavor::OpenAi && given.status >= 400 && isGeminiError(given.body)) {
        // An error from a stage that answers in Gemini's envelope: OpenAI clients get OpenAI's.
        converted = given;
        converted->body = openai::errorBody(openai::fromGeminiError(given.status, given.body));
    }
    const LocalReply& reply = converted ? *converted : given;
    HttpHeaders headers = reply.headers;
    headers.add("x-gemgate-request-id", m_ctx.requestId);
    if (m_ctx.runtime) // null only if the session never started
        m_ctx.runtime->headerPolicy.addSecurityHeaders(&headers, m_ctx.clientTls, true);
    if (m_bodyTee.on())
        m_bodyTee.set(reply.body);
    finish(reply.status, reply.errorKind, reply.body.size());
    m_client.sendResponse(reply.status, headers, m_ctx.request.method == "HEAD" ? QByteArray() : reply.body);
}

bool ProxySession::prepare() {
    const HttpRequest& in = m_ctx.request;
    const KeyPoolConfig& kp = m_ctx.runtime->config->gemini.keyPool;
    m_pick.model = m_ctx.model;
    m_pick.countsAgainstQuota = m_ctx.countsTokens;
    m_pick.estimatedTokens = m_ctx.estimatedTokens;
    if (kp.strategy == KeyStrategy::Sticky) {
        const QByteArray session = in.headers.value(kp.stickyHeader.toLatin1());
        m_pick.stickyKey = session.isEmpty() ? m_ctx.clientId : QString::fromUtf8(session);
    }

    // A stateful resource decides the key: an upload session, a file / cache / batch named in the path, or a
    // file / cache the request body refers to.
    QStringList names;
    if (in.path.startsWith("/upload/")) {
        const QByteArray uploadId = queryValue(in.query, "upload_id");
        if (!uploadId.isEmpty())
            names.append(QStringLiteral("upload/") + QString::fromUtf8(uploadId));
    }
    names += referencedResources(in.path, in.method == "POST" ? in.body : QByteArray());
    for (const QString& name : std::as_const(names)) {
        const std::optional<ResourcePin> pin = m_env.shared->pins.lookup(name);
        if (!pin)
            continue;
        m_pinnedResource = name;
        m_pick.pinnedKey = pin->keyId;
        m_pick.pinnedProject = pin->project;
        break;
    }
    return true;
}

void ProxySession::attempt() {
    if (m_retryTimer) // it may be this timer's signal that called us: stop it, never delete it here
        m_retryTimer->stop();
    const GeminiConfig& gemini = m_ctx.runtime->config->gemini;
    PickResult picked = m_env.shared->keys.pick(m_pick);
    if (!picked.lease && picked.cause == NoKeyCause::Exhausted && m_lastError.cls == UpstreamErrorClass::Transient &&
        !m_lastWasTimeout) {
        // Every usable key failed transiently once: a transient failure does not rule a key out, so the next
        // attempt may use any of them again (after the backoff that already ran).
        m_pick.exclude.clear();
        picked = m_env.shared->keys.pick(m_pick);
    }
    if (!picked.lease) {
        respondNoKey(picked);
        return;
    }
    m_lease = std::move(picked.lease);
    m_keyId = m_lease->id;
    ++m_attempts;
    m_upstreamStatus = 0;
    m_buffering = false;
    m_buffer.clear();
    m_guarding = false;
    m_heldEmptyReply = false;
    m_guardBuffer.clear();
    m_captureCreated = false;
    m_created.clear();
    m_usage = UsageScanner();
    m_oaiCollect = false;
    m_oaiTooLarge = false;
    m_oaiBody.clear();
    m_bodyTee.reset(); // what an earlier attempt held back never reached the client
    const bool useQnam =
        gemini.transport == UpstreamTransportKind::Http2 || !gemini.proxy.isEmpty() || !m_lease->proxy.isEmpty();
    UpstreamTransport* transport = useQnam ? m_env.qnam : m_env.http1;
    m_call = transport->start(buildUpstreamRequest(*m_lease), this);
}

void ProxySession::respondNoKey(const PickResult& result) {
    if (m_heldEmptyReply && m_guarding) {
        // The reply without candidates is still the best answer there is.
        m_heldEmptyReply = false;
        releaseGuard();
        completeResponse("empty_reply");
        return;
    }
    if (result.cause == NoKeyCause::Exhausted && m_buffering && m_lastError.cls == UpstreamErrorClass::RateLimited) {
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
    if (result.cause == NoKeyCause::Exhausted && m_buffering) {
        sendBufferedError(); // every key was tried: the client gets the last upstream answer
        return;
    }
    if (result.cause == NoKeyCause::Exhausted && m_failureKind) {
        respondUpstreamFailure(*m_failureKind, m_lastError.message);
        return;
    }
    GatewayError e;
    switch (result.cause) {
    case NoKeyCause::AllLimited:
    case NoKeyCause::BreakerOpen:
        e = GatewayError::make(429,
                               QStringLiteral("GemGate: %1. Retry after %2 s.")
                                   .arg(result.message)
                                   .arg((result.retryAfterMs + 999) / 1000),
                               result.cause == NoKeyCause::BreakerOpen ? "breaker_open" : "all_keys_rate_limited");
        e.retryAfterSeconds = int(qMax<qint64>(1, (result.retryAfterMs + 999) / 1000));
        break;
    case NoKeyCause::NoneConfigured:
        e = GatewayError::make(
            503,
            QStringLiteral("No upstream Gemini API key is configured. Add one under gemini.api_keys in %1 (or set "
                           "GEMINI_API_KEY for the default config) and reload, or add one in the GemGate window.")
                .arg(m_ctx.runtime->config->sourcePath.isEmpty() ? QStringLiteral("the config")
                                                                 : m_ctx.runtime->config->sourcePath),
            "no_upstream_key");
        break;
    default:
        if (!m_pinnedResource.isEmpty()) {
            e = GatewayError::make(503,
                                   QStringLiteral("GemGate: %1 was created with upstream key '%2' (project %3), and "
                                                  "no key of that project can take the request: %4")
                                       .arg(m_pinnedResource, m_pick.pinnedKey, m_pick.pinnedProject, result.message),
                                   "pinned_key_unavailable");
        } else {
            e = GatewayError::make(503, QStringLiteral("GemGate: %1").arg(result.message), "no_usable_key");
        }
        if (result.retryAfterMs > 0)
            e.retryAfterSeconds = int((result.retryAfterMs + 999) / 1000);
        break;
    }
    respondLocal(LocalReply::fromError(e));
}

UpstreamRequest ProxySession::buildUpstreamRequest(const KeyLease& key) const {
    const Runtime& rt = *m_ctx.runtime;
    const HttpRequest& in = m_ctx.request;
    UpstreamRequest out;
    out.method = in.method;
    out.origin = rt.upstreamOrigin;
    out.target = rt.upstreamPathPrefix + in.path;
    const QByteArray query = removeQueryItem(in.query, "key");
    if (!query.isEmpty())
        out.target += '?' + query;
    // Headers named in Connection are hop-by-hop too (RFC 9110 7.6.1).
    QList<QByteArray> connectionNamed;
    for (const QByteArray& n : in.headers.value("connection").split(','))
        connectionNamed.append(n.trimmed().toLower());
    const QByteArray sticky = rt.config->gemini.keyPool.stickyHeader.toLatin1();
    for (const auto& h : in.headers.entries()) {
        const QByteArray lower = h.first.toLower();
        if (rt.headerPolicy.dropRequestHeader(lower) || connectionNamed.contains(lower) || lower == sticky)
            continue;
        out.headers.add(h.first, h.second);
    }
    // Ask for identity: usage is read from the body as it streams, and SSE must never sit in a compressor.
    out.headers.add("Accept-Encoding", "identity");
    out.headers.add("x-goog-api-key", key.secret);
    out.body = in.body; // implicitly shared, not copied: kept for a replay on another key
    out.connectTimeoutMs = rt.config->gemini.connectTimeoutSeconds * 1000;
    out.readTimeoutMs = rt.config->gemini.timeoutSeconds * 1000;
    out.tls = rt.upstreamTls;
    out.proxy = key.proxy.isEmpty() ? rt.config->gemini.proxy : key.proxy;
    return out;
}

HttpHeaders ProxySession::clientResponseHeaders(const HttpHeaders& upstream) {
    HttpHeaders out;
    for (const auto& h : upstream.entries()) {
        const QByteArray lower = h.first.toLower();
        if (!m_ctx.runtime->headerPolicy.keepResponseHeader(lower))
            continue;
        if (lower == "x-goog-upload-url") {
            // Point the resumable-upload session back at the gateway, and pin it to the key that started it so
            // every chunk goes out with that key.
            const QUrl up = QUrl::fromEncoded(h.second);
            const QByteArray query = up.query(QUrl::FullyEncoded).toUtf8();
            const QByteArray uploadId = queryValue(query, "upload_id");
            if (!uploadId.isEmpty() && !m_keyId.isEmpty()) {
                m_env.shared->pins.remember(QStringLiteral("upload/") + QString::fromUtf8(uploadId), m_keyId,
                                            m_lease ? m_lease->project : m_env.shared->keys.projectOf(m_keyId));
            }
            QByteArray path = up.path(QUrl::FullyEncoded).toUtf8();
            const QByteArray& prefix = m_ctx.runtime->upstreamPathPrefix;
            if (!prefix.isEmpty() && path.startsWith(prefix))
                path = path.mid(prefix.size());
            QByteArray host = m_ctx.request.headers.value("host");
            if (host.isEmpty())
                host = QUrl(m_env.shared->listenUrl()).authority().toUtf8();
            QByteArray rewritten = (m_ctx.clientTls ? "https://" : "http://") + host + path;
            if (!query.isEmpty())
                rewritten += '?' + query;
            out.add(h.first, rewritten);
            continue;
        }
        out.add(h.first, h.second);
    }
    out.add("x-gemgate-request-id", m_ctx.requestId);
    m_ctx.runtime->headerPolicy.addSecurityHeaders(&out, m_ctx.clientTls, false);
    return out;
}

bool ProxySession::canRetry() const {
    const GeminiConfig& g = m_ctx.runtime->config->gemini;
    return !m_responseStarted && m_attempts <= g.maxRetries && m_timer.elapsed() < qint64(g.keyPool.retryBudgetMs);
}

void ProxySession::onUpstreamHeaders(int status, const HttpHeaders& headers) {
    m_upstreamStatus = status;
    m_env.metrics->upstreamAttempt(m_keyId, QString::number(status));
    m_upstreamHeaders = headers;
    if (m_lease && m_lease->probe && status != 429)
        m_env.shared->keys.probeAnswered(&*m_lease); // Gemini answered: the breaker closes now, not after a stream
    if (status >= 400) {
        // Held back: it may be retried on another key, and error bodies can quote the key, so they are scrubbed.
        m_buffering = true;
        return;
    }
    m_captureCreated = status < 300 && createsResource(m_ctx.request.method, m_ctx.request.path, m_ctx.action);
    const bool generate = m_ctx.action == "generateContent" || m_ctx.action == "streamGenerateContent";
    if (generate && m_ctx.runtime->config->gemini.keyPool.streamGuard && canRetry()) {
        // Stream guard: a reply without candidates (or a stream that ends before any text) is retried on another
        // key, which is only possible while nothing has reached the client.
        m_guarding = true;
        return;
    }
    startResponse(headers);
}

void ProxySession::startResponse(const HttpHeaders& upstreamHeaders) {
    if (m_ctx.openai) {
        if (!m_ctx.openai->stream) {
            // A whole JSON answer: translated once it is complete (nothing has reached the client yet).
            m_oaiCollect = true;
            return;
        }
        openai::ChatContext c;
        c.model = m_ctx.openai->requestedModel;
        c.created = m_ctx.openai->created;
        c.includeUsage = m_ctx.openai->includeUsage;
        c.reasoningContent = m_ctx.runtime->config->openai.reasoningContent;
        c.signatures = &m_env.shared->signatures;
        m_oaiStream = std::make_unique<openai::ChatStreamTranslator>(c);
        HttpHeaders h = openAiHeaders();
        h.add("Content-Type", "text/event-stream");
        h.add("Cache-Control", "no-cache");
        m_responseStarted = true;
        m_ttfbUs = m_timer.nsecsElapsed() / 1000;
        m_client.beginResponse(m_upstreamStatus, h, -1);
        return;
    }
    qint64 length = -1;
    if (upstreamHeaders.contains("content-length") && !upstreamHeaders.hasToken("transfer-encoding", "chunked"))
        length = upstreamHeaders.value("content-length").toLongLong();
    if (m_upstreamStatus == 204 || m_upstreamStatus == 304 || m_ctx.request.method == "HEAD")
        length = 0;
    m_responseStarted = true;
    m_ttfbUs = m_timer.nsecsElapsed() / 1000;
    m_client.beginResponse(m_upstreamStatus, clientResponseHeaders(upstreamHeaders), length);
}

void ProxySession::releaseGuard() {
    m_guarding = false;
    startResponse(m_upstreamHeaders);
    if (!m_guardBuffer.isEmpty()) {
        writeClient(m_guardBuffer.constData(), m_guardBuffer.size());
        m_guardBuffer.clear();
    }
}

void ProxySession::onUpstreamData(const char* data, qsizetype len) {
    if (m_buffering) {
        if (m_buffer.size() < kMaxErrorBody)
            m_buffer.append(data, qMin(len, kMaxErrorBody - m_buffer.size()));
        return;
    }
    if (m_bodyTee.on())
        m_bodyTee.feed(data, len);
    if (m_cut) {
        relayUntilCut(data, len);
        return;
    }
    const int usageBefore = m_usage.updates();
    m_usage.feed(data, len);
    if (m_captureCreated && m_created.size() < kMaxCreatedBody)
        m_created.append(data, qMin(len, kMaxCreatedBody - m_created.size()));
    if (m_guarding) {
        m_guardBuffer.append(data, len);
        if (!m_usage.sawAnswer() && m_guardBuffer.size() < kMaxGuardBytes)
            return;
        releaseGuard();
    } else if (m_ctx.stream && m_ctx.ticket.watchesTokens() && m_usage.updates() != usageBefore &&
               m_usage.lastUsageEnd() >= 0 &&
               !m_env.shared->policy.progress(m_ctx.ticket, runningTotal(m_usage.usage()), &m_cutMessage)) {
        // A token quota ran out: this event is the last one the client gets.
        m_cut.emplace();
        m_cut->sse = m_ctx.sse;
        const qsizetype from = m_usage.lastUsageEnd();
        writeClient(data, from);
        relayUntilCut(data + from, len - from);
        return;
    } else {
        writeClient(data, len);
    }
    if (m_call && m_client.congested())
        m_call->pauseReading();
}

void ProxySession::relayUntilCut(const char* data, qsizetype len) {
    const qsizetype end = m_cut->find(data, len);
    if (end < 0) {
        writeClient(data, len);
        if (m_call && m_client.congested())
            m_call->pauseReading();
        return;
    }
    writeClient(data, end);
    endTruncated();
}

void ProxySession::endTruncated() {
    m_call.reset(); // stop generating: Google sees the cancellation at once
    m_truncated = true;
    closeLeaseSuccess();
    GatewayError e = GatewayError::make(429, m_cutMessage, "quota_exhausted");
    const QByteArray error = geminiErrorBody(e);
    // The stream ends as a well-formed one: one more SSE event, or one more element and the array's end.
    QByteArray tail = m_cut->sse ? QByteArray("data: " + error + "\r\n\r\n") : QByteArray(",\r\n" + error + "\r\n]");
    if (m_oaiStream)
        tail = openai::ChatStreamTranslator::errorEvent(openai::fromGeminiError(429, error));
    finish(m_upstreamStatus, "quota_truncated", tail.size());
    m_client.writeBody(tail.constData(), tail.size());
    m_client.endResponse();
}

HttpHeaders ProxySession::openAiHeaders() {
    HttpHeaders h = clientResponseHeaders({});
    // Fields the client sent that have no Gemini equivalent and were left out (see the README's table).
    if (!m_ctx.openai->ignored.isEmpty())
        h.add("x-gemgate-ignored-fields", m_ctx.openai->ignored.join(QLatin1Char(',')).toLatin1());
    return h;
}

void ProxySession::writeClient(const char* data, qsizetype len) {
    if (m_oaiCollect) {
        if (m_oaiBody.size() + len <= kMaxTranslatedBody)
            m_oaiBody.append(data, len);
        else
            m_oaiTooLarge = true;
        return;
    }
    if (m_oaiStream) {
        const QByteArray out = m_oaiStream->feed(data, len);
        if (!out.isEmpty())
            m_client.writeBody(out.constData(), out.size());
        return;
    }
    m_client.writeBody(data, len);
}

void ProxySession::completeResponse(const QByteArray& errorKind) {
    if (m_oaiCollect) {
        m_oaiCollect = false;
        if (m_oaiTooLarge) {
            respondLocal(LocalReply::fromError(
                GatewayError::make(502, QStringLiteral("The Gemini answer is larger than GemGate translates (64 MiB)."),
                                   "translation_too_large")));
            return;
        }
        QByteArray body;
        switch (m_ctx.openai->op) {
        case OpenAiOp::Chat: {
            openai::ChatContext c;
            c.model = m_ctx.openai->requestedModel;
            c.created = m_ctx.openai->created;
            c.reasoningContent = m_ctx.runtime->config->openai.reasoningContent;
            c.signatures = &m_env.shared->signatures;
            body = openai::translateChatResponse(m_oaiBody, c);
            break;
        }
        case OpenAiOp::Embeddings:
            // batchEmbedContents reports no usage: the estimate stands in.
            body = openai::translateEmbeddingsResponse(
                m_oaiBody, m_ctx.openai->requestedModel,
                m_usage.usage().seen ? m_usage.usage().prompt : m_ctx.estimatedTokens, m_ctx.openai->base64);
            break;
        case OpenAiOp::Models:
            body = openai::translateModelList(m_oaiBody);
            if (!m_ctx.runtime->config->openai.modelAliases.isEmpty())
                body = withAliases(body, m_ctx.runtime->config->openai.modelAliases);
            break;
        case OpenAiOp::Model:
            body = openai::translateModel(m_oaiBody);
            if (body.startsWith("{\"id\"") || body.contains("\"object\":\"model\"")) {
                // An alias is answered under the name the client asked for.
                QJsonObject o = QJsonDocument::fromJson(body).object();
                if (!o.isEmpty() && !m_ctx.openai->requestedModel.isEmpty()) {
                    o.insert(QLatin1String("id"), m_ctx.openai->requestedModel);
                    body = QJsonDocument(o).toJson(QJsonDocument::Compact);
                }
            }
            break;
        case OpenAiOp::None:
            body = m_oaiBody;
            break;
        }
        m_oaiBody.clear();
        // An answer that could not be translated (not JSON, or an error inside a 2xx) is not a success.
        const int status = body.startsWith("{\"error\":") ? 502 : m_upstreamStatus;
        HttpHeaders h = openAiHeaders();
        h.add("Content-Type", "application/json");
        m_responseStarted = true;
        m_ttfbUs = m_timer.nsecsElapsed() / 1000;
        if (m_bodyTee.on())
            m_bodyTee.set(body);
        finish(status, status == 502 ? QByteArray("untranslatable_reply") : errorKind, body.size());
        m_client.sendResponse(status, h, body);
        return;
    }
    if (m_oaiStream) {
        const QByteArray tail = m_oaiStream->finish();
        finish(m_upstreamStatus, errorKind, tail.size());
        m_client.writeBody(tail.constData(), tail.size());
        m_client.endResponse();
        return;
    }
    finish(m_upstreamStatus, errorKind);
    m_client.endResponse();
}

void ProxySession::onUpstreamComplete() {
    if (m_guarding) {
        // The whole reply arrived without a single candidate part, finishReason or blockReason. If no other
        // attempt can be made, the held-back reply still goes to the client (here or in respondNoKey()).
        m_lastError =
            transientError(QStringLiteral("EMPTY_REPLY"), QStringLiteral("Gemini answered without any candidate"));
        m_lastWasTimeout = false;
        m_failureKind.reset();
        m_heldEmptyReply = true;
        if (failAndRetry(m_lastError))
            return;
        m_heldEmptyReply = false;
        releaseGuard();
    }
    if (!m_buffering) {
        noteCreatedOrDeleted();
        closeLeaseSuccess();
        completeResponse(QByteArray());
        return;
    }
    m_lastError = classifyUpstreamError(m_upstreamStatus, m_buffer);
    m_lastWasTimeout = false;
    m_failureKind.reset();
    if (failAndRetry(m_lastError))
        return;
    sendBufferedError();
}

void ProxySession::noteCreatedOrDeleted() {
    if (!m_lease || m_upstreamStatus >= 300)
        return;
    if (m_captureCreated) {
        const QString name = createdResourceName(m_created);
        if (!name.isEmpty())
            m_env.shared->pins.remember(name, m_lease->id, m_lease->project);
    }
    if (m_ctx.request.method == "DELETE") {
        for (const QString& name : referencedResources(m_ctx.request.path, {}))
            m_env.shared->pins.forget(name);
    }
}

bool ProxySession::failAndRetry(const ClassifiedError& error) {
    if (m_lease) {
        m_env.shared->keys.reportFailure(*m_lease, error);
        m_lease.reset();
    }
    const bool retryable = error.cls == UpstreamErrorClass::KeyInvalid ||
                           error.cls == UpstreamErrorClass::RateLimited || error.cls == UpstreamErrorClass::Transient;
    if (!retryable || !canRetry())
        return false;
    m_pick.exclude.append(m_keyId);
    qint64 delay = 0;
    if (error.cls == UpstreamErrorClass::Transient) {
        // Exponential backoff with jitter; a different key is fine.
        const KeyPoolConfig& kp = m_ctx.runtime->config->gemini.keyPool;
        ++m_transientRetries;
        const qint64 base = qMin<qint64>(kp.backoffMaxMs, qint64(kp.backoffBaseMs) << qMin(m_transientRetries - 1, 20));
        delay = base / 2 + QRandomGenerator::global()->bounded(qMax<qint64>(1, base / 2 + 1));
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
    // One timer for the session's life, made on its first backoff: it is stopped and started again, and deleted
    // only with the session, never from inside its own timeout signal.
    if (!m_retryTimer) {
        m_retryTimer = std::make_unique<QTimer>();
        m_retryTimer->setSingleShot(true);
        QObject::connect(m_retryTimer.get(), &QTimer::timeout, m_retryTimer.get(), [this] { attempt(); });
    }
    m_retryTimer->start(int(delayMs));
}

void ProxySession::sendBufferedError() {
    QByteArray body = m_env.shared->keys.redact(m_buffer);
    HttpHeaders headers = clientResponseHeaders(m_upstreamHeaders);
    if (m_ctx.api == ApiFlavor::OpenAi) {
        body = openai::errorBody(openai::fromGeminiError(m_upstreamStatus, body));
        headers.set("content-type", "application/json");
    }
    const int status = m_upstreamStatus;
    if (status == 429 && !headers.contains("retry-after") && m_lastError.retryDelayMs > 0)
        headers.add("Retry-After", QByteArray::number((m_lastError.retryDelayMs + 999) / 1000));
    m_buffer.clear();
    releaseLease();
    if (m_bodyTee.on())
        m_bodyTee.set(body);
    finish(status, "upstream_" + QByteArray::number(status), body.size());
    m_client.sendResponse(status, headers, body);
}

void ProxySession::closeLeaseSuccess() {
    if (!m_lease)
        return;
    const TokenUsage& u = m_usage.usage();
    m_env.shared->keys.reportSuccess(*m_lease, u.seen ? u.prompt : -1);
    m_lease.reset();
}

void ProxySession::releaseLease() {
    if (!m_lease)
        return;
    m_env.shared->keys.release(*m_lease);
    m_lease.reset();
}

void ProxySession::onUpstreamError(UpstreamErrorKind kind, const QString& message) {
    if (m_buffering && !m_responseStarted) {
        // An error status arrived and then the connection broke inside its body: classify what came (the classifier
        // copes with a cut body) rather than calling it a connection failure, so a 400 is still never retried.
        m_lastError = classifyUpstreamError(m_upstreamStatus, m_buffer);
        m_lastWasTimeout = false;
        m_failureKind.reset();
        if (failAndRetry(m_lastError))
            return;
        sendBufferedError();
        return;
    }
    if (m_upstreamStatus == 0) // no answer at all (an answer was counted with its status when it came)
        m_env.metrics->upstreamAttempt(m_keyId, kind == UpstreamErrorKind::Connect   ? QStringLiteral("connect_error")
                                                : kind == UpstreamErrorKind::Timeout ? QStringLiteral("timeout")
                                                                                     : QStringLiteral("broken"));
    m_lastError = transientError(QString::fromLatin1(upstreamErrorName(kind)).toUpper(), message);
    // A read timeout already waited the full timeout: another key may be tried, the same one is not again.
    m_lastWasTimeout = kind == UpstreamErrorKind::Timeout;
    if (m_responseStarted) {
        // Too late to retry or to change the status: end the stream as an error, never as a clean end.
        if (m_lease) {
            m_env.shared->keys.reportFailure(*m_lease, m_lastError);
            m_lease.reset();
        }
        if (m_oaiStream) {
            openai::ApiError oe;
            oe.status = 502;
            oe.type = QStringLiteral("api_error");
            oe.message = QStringLiteral("The upstream stream broke: %1").arg(message);
            const QByteArray event = openai::ChatStreamTranslator::errorEvent(oe);
            m_client.writeBody(event.constData(), event.size());
        } else if (m_ctx.sse) {
            GatewayError e = GatewayError::make(502, QStringLiteral("The upstream stream broke: %1").arg(message),
                                                upstreamErrorName(kind));
            const QByteArray event = "data: " + geminiErrorBody(e) + "\r\n\r\n";
            m_client.writeBody(event.constData(), event.size());
        }
        finish(m_upstreamStatus, QByteArray(upstreamErrorName(kind)));
        m_client.abortResponse();
        return;
    }
    m_failureKind = kind;
    // A call that creates something (a batch, a cache, an upload chunk) may have been carried out even though the
    // answer was lost: replaying it could create a duplicate. Only a failure to connect (nothing sent) is safe.
    const bool sent = kind != UpstreamErrorKind::Connect;
    const bool unsafeToReplay = sent && (createsResource(m_ctx.request.method, m_ctx.request.path, m_ctx.action) ||
                                         m_ctx.request.path.startsWith("/upload/"));
    if (unsafeToReplay) {
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
    if (!m_done)
        finish(499, "client_closed");
}

void ProxySession::finish(int status, const QByteArray& errorKind, qint64 pendingBytes) {
    if (m_done)
        return;
    m_done = true;
    WorkerCounters& c = *m_env.counters;
    WorkerCounters::add(c.activeRequests, -1);
    if (m_countedStream)
        WorkerCounters::add(c.activeStreams, -1);
    RequestOutcome o;
    o.reported = m_usage.usage();
    // Embedding calls report no usageMetadata: a successful one is counted at its estimate (what the OpenAI
    // answer reports too), so that embeddings use up token quotas like everything else.
    o.metered = o.reported;
    if (!o.metered.seen && (m_ctx.action == "batchEmbedContents" || m_ctx.action == "embedContent") && status >= 200 &&
        status < 300) {
        o.metered.prompt = o.metered.total = m_ctx.estimatedTokens;
        o.metered.seen = true;
    }
    if (m_ctx.ticket.valid())
        m_env.shared->policy.settle(m_ctx.ticket, o.metered.seen ? runningTotal(o.metered) : 0);
    o.runtime = m_ctx.runtime.get();
    o.requestId = m_ctx.requestId;
    o.method = m_ctx.request.method;
    o.path = m_ctx.pathAsSent();
    o.peer = m_ctx.peer;
    o.clientId = m_ctx.clientId;
    o.nameSpace = m_ctx.nameSpace;
    o.keyId = m_keyId;
    o.model = m_ctx.model;
    o.metricsRoute = metricsRoute(m_ctx);
    o.status = status;
    o.errorKind = errorKind;
    o.arrivalMs = m_arrivalMs;
    o.latencyUs = m_timer.nsecsElapsed() / 1000;
    o.ttfbUs = m_ttfbUs;
    o.bytesIn = m_ctx.request.body.size();
    o.bytesOut = m_client.bytesSent() + pendingBytes;
    o.attempts = m_attempts;
    o.stream = m_ctx.stream;
    o.truncated = m_truncated;
    o.admitted = m_ctx.admitted;
    logRequest(m_env, o);
    if (m_bodyTee.on())
        logBodies(status);
    m_ctx.request.body = QByteArray(); // free a large upload chunk now, not when the connection moves on
}

void ProxySession::logBodies(int status) {
    BodyRecord b;
    b.time = QDateTime::currentDateTimeUtc();
    b.requestId = m_ctx.requestId;
    b.method = m_ctx.request.method;
    b.path = m_ctx.request.path.left(512);
    b.status = status;
    b.requestBody = m_ctx.request.body; // shared, not copied; redacted and cut on the log's thread
    b.requestBytes = m_ctx.request.body.size();
    b.responseBody = std::move(m_bodyTee.data);
    b.responseBytes = m_bodyTee.total;
    m_bodyTee.reset();
    m_env.shared->bodyLog.append(std::move(b));
}

} // namespace gemgate
