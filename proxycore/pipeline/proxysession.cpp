#include "pipeline/proxysession.h"

#include "keys/redact.h"
#include "metrics/counters.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace gemgate {

namespace {
constexpr qsizetype kMaxErrorBody = 1024 * 1024;

// Request headers never forwarded upstream besides the hop-by-hop set: the client's own credentials (the
// upstream key replaces them), framing we recompute, and anything that would reveal the client to Google.
bool dropRequestHeader(const QByteArray& lower) {
    static const QByteArray names[] = {
        QByteArrayLiteral("host"),
        QByteArrayLiteral("content-length"),
        QByteArrayLiteral("x-goog-api-key"),
        QByteArrayLiteral("authorization"),
        QByteArrayLiteral("accept-encoding"),
        QByteArrayLiteral("expect"),
        QByteArrayLiteral("forwarded"),
        QByteArrayLiteral("x-forwarded-for"),
        QByteArrayLiteral("x-forwarded-host"),
        QByteArrayLiteral("x-forwarded-proto"),
        QByteArrayLiteral("x-real-ip"),
        QByteArrayLiteral("cookie"),
    };
    for (const QByteArray& n : names) {
        if (lower == n)
            return true;
    }
    return isHopByHopHeader(lower);
}

// Response headers passed back to the client. Everything else (Server, Alt-Svc, Set-Cookie, framing) is
// dropped: the gateway does not echo upstream headers it does not understand.
bool keepResponseHeader(const QByteArray& lower) {
    static const QByteArray names[] = {
        QByteArrayLiteral("content-type"),
        QByteArrayLiteral("content-encoding"),
        QByteArrayLiteral("content-language"),
        QByteArrayLiteral("content-disposition"),
        QByteArrayLiteral("cache-control"),
        QByteArrayLiteral("expires"),
        QByteArrayLiteral("etag"),
        QByteArrayLiteral("last-modified"),
        QByteArrayLiteral("retry-after"),
        QByteArrayLiteral("vary"),
    };
    for (const QByteArray& n : names) {
        if (lower == n)
            return true;
    }
    return lower.startsWith("x-goog-");
}
} // namespace

ProxySession::ProxySession(WorkerEnv& env, ClientResponder& client, HttpRequest request, QByteArray peer,
                           bool clientTls)
    : m_env(env)
    , m_client(client) {
    m_timer.start();
    m_ctx.request = std::move(request);
    m_ctx.shared = env.shared;
    m_ctx.peer = std::move(peer);
    m_ctx.clientTls = clientTls;
    m_ctx.requestId = env.nextRequestId();
    WorkerCounters::add(env.counters->activeRequests, 1);
}

ProxySession::~ProxySession() {
    m_call.reset();
    if (!m_done)
        finish(499, "client_closed");
}

void ProxySession::start() {
    m_ctx.runtime = m_env.shared->snapshot();
    if (auto reply = m_env.pipeline->run(m_ctx)) {
        respondLocal(*reply);
        return;
    }
    if (m_ctx.stream) {
        m_countedStream = true;
        WorkerCounters::add(m_env.counters->activeStreams, 1);
    }
    attempt();
}

void ProxySession::respondLocal(const LocalReply& reply) {
    HttpHeaders headers = reply.headers;
    headers.add("x-gemgate-request-id", m_ctx.requestId);
    finish(reply.status, reply.errorKind, reply.body.size());
    m_client.sendResponse(reply.status, headers, m_ctx.request.method == "HEAD" ? QByteArray() : reply.body);
}

void ProxySession::attempt() {
    const GeminiConfig& gemini = m_ctx.runtime->config->gemini;
    m_key.reset();
    if (m_ctx.request.path.startsWith("/upload/")) {
        const QByteArray uploadId = queryValue(m_ctx.request.query, "upload_id");
        if (!uploadId.isEmpty()) {
            const QString keyId = m_env.shared->uploads.keyFor(uploadId);
            if (!keyId.isEmpty()) {
                m_pinned = true;
                m_key = m_env.shared->keys.byId(keyId);
                if (!m_key) {
                    respondLocal(LocalReply::fromError(GatewayError::make(
                        503,
                        QStringLiteral("The upstream key '%1' that started this upload session is no longer "
                                       "configured; start the upload again.")
                            .arg(keyId),
                        "upload_key_gone")));
                    return;
                }
            }
        }
    }
    if (!m_key)
        m_key = m_env.shared->keys.pick(m_triedKeys);
    if (!m_key) {
        respondLocal(LocalReply::fromError(GatewayError::make(
            503,
            QStringLiteral("No upstream Gemini API key is configured. Add one under gemini.api_keys in %1 (or set "
                           "GEMINI_API_KEY for the default config) and reload.")
                .arg(m_ctx.runtime->config->sourcePath.isEmpty() ? QStringLiteral("the config")
                                                                 : m_ctx.runtime->config->sourcePath),
            "no_upstream_key")));
        return;
    }
    ++m_attempts;
    m_upstreamStatus = 0;
    m_buffering = false;
    m_buffer.clear();
    m_usage = UsageScanner();
    const bool useQnam = gemini.transport == UpstreamTransportKind::Http2 || !gemini.proxy.isEmpty();
    UpstreamTransport* transport = useQnam ? m_env.qnam : m_env.http1;
    m_call = transport->start(buildUpstreamRequest(*m_key), this);
}

UpstreamRequest ProxySession::buildUpstreamRequest(const PickedKey& key) const {
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
    for (const auto& h : in.headers.entries()) {
        const QByteArray lower = h.first.toLower();
        if (dropRequestHeader(lower) || connectionNamed.contains(lower))
            continue;
        out.headers.add(h.first, h.second);
    }
    // Ask for identity: usage is read from the body as it streams, and SSE must never sit in a compressor.
    out.headers.add("Accept-Encoding", "identity");
    out.headers.add("x-goog-api-key", key.secret);
    out.body = in.body; // implicitly shared, not copied
    out.connectTimeoutMs = rt.config->gemini.connectTimeoutSeconds * 1000;
    out.readTimeoutMs = rt.config->gemini.timeoutSeconds * 1000;
    out.tls = rt.upstreamTls;
    out.proxy = rt.config->gemini.proxy;
    return out;
}

HttpHeaders ProxySession::clientResponseHeaders(const HttpHeaders& upstream) {
    HttpHeaders out;
    for (const auto& h : upstream.entries()) {
        const QByteArray lower = h.first.toLower();
        if (!keepResponseHeader(lower))
            continue;
        if (lower == "x-goog-upload-url") {
            // Point the resumable-upload session back at the gateway, and remember which key owns it so every
            // chunk goes out with that key.
            const QUrl up = QUrl::fromEncoded(h.second);
            const QByteArray query = up.query(QUrl::FullyEncoded).toUtf8();
            const QByteArray uploadId = queryValue(query, "upload_id");
            if (!uploadId.isEmpty() && m_key)
                m_env.shared->uploads.remember(uploadId, m_key->id);
            QByteArray path = up.path(QUrl::FullyEncoded).toUtf8();
            const QByteArray& prefix = m_ctx.runtime->upstreamPathPrefix;
            if (!prefix.isEmpty() && path.startsWith(prefix))
                path = path.mid(prefix.size());
            QByteArray host = m_ctx.request.headers.value("host");
            if (host.isEmpty())
                host = QUrl(m_env.shared->listenUrl).authority().toUtf8();
            QByteArray rewritten = (m_ctx.clientTls ? "https://" : "http://") + host + path;
            if (!query.isEmpty())
                rewritten += '?' + query;
            out.add(h.first, rewritten);
            continue;
        }
        out.add(h.first, h.second);
    }
    out.add("x-gemgate-request-id", m_ctx.requestId);
    return out;
}

bool ProxySession::shouldRetry(int status, const QByteArray& body) const {
    if (m_pinned || m_attempts > m_ctx.runtime->config->gemini.maxRetries)
        return false;
    switch (status) {
    case 401:
    case 403:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
        return true;
    case 400:
        // A bad key is not the client's fault; any other 400 is, and is never retried.
        return body.contains("API_KEY_INVALID") || body.contains("API key not valid");
    default:
        return false;
    }
}

void ProxySession::onUpstreamHeaders(int status, const HttpHeaders& headers) {
    m_upstreamStatus = status;
    if (status >= 400) {
        // Held back: it may be retried on another key, and error bodies can quote the key, so they are scrubbed.
        m_buffering = true;
        m_upstreamHeaders = headers;
        return;
    }
    m_env.shared->keys.reportSuccess(m_key->id);
    qint64 length = -1;
    if (headers.contains("content-length") && !headers.hasToken("transfer-encoding", "chunked"))
        length = headers.value("content-length").toLongLong();
    if (status == 204 || status == 304 || m_ctx.request.method == "HEAD")
        length = 0;
    m_responseStarted = true;
    m_ttfbUs = m_timer.nsecsElapsed() / 1000;
    m_client.beginResponse(status, clientResponseHeaders(headers), length);
}

void ProxySession::onUpstreamData(const char* data, qsizetype len) {
    if (m_buffering) {
        if (m_buffer.size() < kMaxErrorBody)
            m_buffer.append(data, qMin(len, kMaxErrorBody - m_buffer.size()));
        return;
    }
    m_usage.feed(data, len);
    m_client.writeBody(data, len);
    if (m_call && m_client.congested())
        m_call->pauseReading();
}

void ProxySession::onUpstreamComplete() {
    if (!m_buffering) {
        finish(m_upstreamStatus, QByteArray());
        m_client.endResponse();
        return;
    }
    if (shouldRetry(m_upstreamStatus, m_buffer)) {
        m_env.shared->keys.reportFailure(m_key->id, m_upstreamStatus);
        if (retryOnAnotherKey())
            return;
    } else if (m_upstreamStatus != 404 && m_upstreamStatus != 400) {
        m_env.shared->keys.reportFailure(m_key->id, m_upstreamStatus);
    }
    sendBufferedError();
}

bool ProxySession::retryOnAnotherKey() {
    QStringList tried = m_triedKeys;
    tried.append(m_key->id);
    if (!m_env.shared->keys.pick(tried).has_value())
        return false;
    // pick() advanced the rotation and attempt() picks again from there, which is fine: retries are rare and any
    // other key will do.
    m_triedKeys = tried;
    WorkerCounters::add(m_env.counters->retries, 1);
    attempt();
    return true;
}

void ProxySession::sendBufferedError() {
    const QByteArray body = redactSecrets(m_buffer, m_env.shared->keys.secrets());
    HttpHeaders headers = clientResponseHeaders(m_upstreamHeaders);
    const int status = m_upstreamStatus;
    m_buffer.clear();
    finish(status, "upstream_" + QByteArray::number(status), body.size());
    m_client.sendResponse(status, headers, body);
}

void ProxySession::onUpstreamError(UpstreamErrorKind kind, const QString& message) {
    if (m_responseStarted) {
        // Too late to retry or to change the status: end the stream as an error, never as a clean end.
        if (m_ctx.sse) {
            GatewayError e = GatewayError::make(502, QStringLiteral("The upstream stream broke: %1").arg(message),
                                                upstreamErrorName(kind));
            const QByteArray event = "data: " + geminiErrorBody(e) + "\r\n\r\n";
            m_client.writeBody(event.constData(), event.size());
        }
        finish(m_upstreamStatus, QByteArray(upstreamErrorName(kind)));
        m_client.abortResponse();
        return;
    }
    if (!m_pinned && m_attempts <= m_ctx.runtime->config->gemini.maxRetries && retryOnAnotherKey())
        return;
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
    m_call.reset(); // closes the upstream connection: Google sees the cancellation at once
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
    WorkerCounters::add(c.requests, 1);
    if (status >= 400 || !errorKind.isEmpty())
        WorkerCounters::add(c.errors, 1);
    const TokenUsage& u = m_usage.usage();
    WorkerCounters::add(c.promptTokens, u.prompt);
    WorkerCounters::add(c.outputTokens, u.output());

    AccessRecord r;
    r.time = QDateTime::currentDateTimeUtc();
    r.requestId = m_ctx.requestId;
    r.clientId = m_ctx.clientId;
    r.method = m_ctx.request.method;
    r.path = m_ctx.request.path.left(512);
    r.model = m_ctx.model;
    r.keyId = m_key ? m_key->id : QString();
    r.status = status;
    r.latencyUs = m_timer.nsecsElapsed() / 1000;
    r.ttfbUs = m_ttfbUs;
    r.bytesIn = m_ctx.request.body.size();
    r.bytesOut = m_client.bytesSent() + pendingBytes;
    r.promptTokens = u.prompt;
    r.cachedTokens = u.cached;
    r.outputTokens = u.output();
    r.totalTokens = u.total;
    r.attempts = m_attempts;
    r.stream = m_ctx.stream;
    r.errorKind = QString::fromLatin1(errorKind);
    r.peer = m_ctx.peer;
    m_env.shared->accessLog.append(std::move(r));
    m_ctx.request.body = QByteArray(); // free a large upload chunk now, not when the connection moves on
}

} // namespace gemgate
