#include "net/httpconnection.h"

#include "net/worker.h"
#include "openai/openaitranslate.h"
#include "pipeline/requestlog.h"
#include "pipeline/stages/routestage.h"

#include <QSslSocket>
#include <QTcpSocket>

#include <atomic>

namespace gemgate {

namespace {
constexpr qint64 kHighWater = 512 * 1024; // pause the upstream above this many unsent bytes
constexpr qint64 kLowWater = 128 * 1024;  // resume it below this

std::atomic<int> g_live{0}; // one increment per connection, not per request

HttpParser::Limits limitsFrom(const ServerConfig& s) {
    return HttpParser::Limits{s.maxHeaderBytes, s.maxHeaderCount, s.maxBodyBytes};
}
} // namespace

HttpConnection::HttpConnection(Worker& worker, QTcpSocket* socket, bool tls)
    : m_worker(worker)
    , m_socket(socket)
    , m_tls(tls)
    , m_peer(socket->peerAddress().toString().toLatin1())
    , m_parser(HttpParser::Kind::Request, this, limitsFrom(worker.shared()->snapshot()->config->server)) {
    g_live.fetch_add(1, std::memory_order_relaxed);
    m_lastActivityMs = m_messageStartMs = worker.nowMs();
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    QObject::connect(m_socket, &QTcpSocket::readyRead, m_socket, [this] { onReadyRead(); });
    QObject::connect(m_socket, &QTcpSocket::bytesWritten, m_socket, [this] { onBytesWritten(); });
    QObject::connect(m_socket, &QTcpSocket::disconnected, m_socket, [this] { onDisconnected(); });
    QObject::connect(m_socket, &QTcpSocket::errorOccurred, m_socket, [this](QAbstractSocket::SocketError e) {
        if (e != QAbstractSocket::RemoteHostClosedError)
            m_socket->abort();
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            onDisconnected();
    });
}

HttpConnection::~HttpConnection() {
    m_session.reset();
    m_finishedSession.reset();
    m_socket->disconnect();
    m_socket->abort();
    delete m_socket;
    g_live.fetch_sub(1, std::memory_order_relaxed);
}

int HttpConnection::liveCount() {
    return g_live.load(std::memory_order_relaxed);
}

void HttpConnection::onReadyRead() {
    if (m_gone || m_state == State::Closing)
        return;
    m_lastActivityMs = m_worker.nowMs();
    if (m_state == State::Processing) {
        // A pipelining client is sending ahead; that is allowed, but not without bound.
        const RuntimePtr rt = m_worker.shared()->snapshot(); // held: a reload may drop the last other reference
        const ServerConfig& s = rt->config->server;
        if (m_socket->bytesAvailable() + m_in.size() > s.maxBodyBytes + s.maxHeaderBytes)
            m_socket->abort();
        return;
    }
    m_in += m_socket->readAll();
    processInput();
}

void HttpConnection::processInput() {
    while (!m_in.isEmpty() && (m_state == State::Idle || m_state == State::Reading)) {
        qsizetype consumed = 0;
        const auto result = m_parser.feed(m_in.constData(), m_in.size(), &consumed);
        if (result == HttpParser::Result::Error) {
            m_in.clear();
            if (m_state == State::Closing)
                return; // a callback already answered (e.g. 417)
            const int status = m_parser.errorStatus() ? m_parser.errorStatus() : 400;
            const QByteArray kind = status == 431   ? "headers_too_large"
                                    : status == 413 ? "body_too_large"
                                                    : "bad_request";
            failRequest(status, m_parser.errorMessage(), kind);
            return;
        }
        m_in.remove(0, consumed);
        if (m_state == State::Idle && m_parser.inMessage()) {
            m_state = State::Reading;
            m_messageStartMs = m_worker.nowMs();
        }
        if (result == HttpParser::Result::Complete) {
            dispatch();
            return;
        }
        if (result == HttpParser::Result::NeedMore)
            break;
    }
}

bool HttpConnection::onHeadersComplete() {
    if (m_state == State::Idle) {
        m_state = State::Reading;
        m_messageStartMs = m_worker.nowMs();
    }
    m_request = HttpRequest();
    m_request.method = m_parser.method();
    m_request.target = m_parser.target();
    const qsizetype q = m_request.target.indexOf('?');
    m_request.path = q < 0 ? m_request.target : m_request.target.left(q);
    m_request.query = q < 0 ? QByteArray() : m_request.target.mid(q + 1);
    const qsizetype hash = m_request.query.indexOf('#');
    if (hash >= 0)
        m_request.query.truncate(hash);
    m_request.versionMinor = m_parser.versionMinor();
    m_request.headers = std::move(m_parser.headers());
    if (m_parser.hasContentLength())
        m_request.body.reserve(static_cast<qsizetype>(m_parser.contentLength()));
    const QByteArray expect = m_request.headers.value("expect");
    if (!expect.isEmpty()) {
        if (expect.compare("100-continue", Qt::CaseInsensitive) != 0) {
            failRequest(417, QStringLiteral("unsupported Expect header; only 100-continue is understood"),
                        "bad_expect");
            return false;
        }
        if (m_request.versionMinor >= 1) {
            write(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
            flushNow();
        }
    }
    return true;
}

void HttpConnection::onBody(const char* data, qsizetype len) {
    m_request.body.append(data, len);
}

void HttpConnection::onMessageComplete() {
    m_request.keepAlive = m_parser.keepAlive();
}

void HttpConnection::dispatch() {
    m_state = State::Processing;
    m_keepAlive = m_request.keepAlive;
    m_http10 = m_request.versionMinor == 0;
    m_bytesOut = 0;
    m_chunked = false;
    m_closeDelimited = false;
    m_finishedSession.reset();
    WorkerCounters::add(m_worker.counters().bytesIn, m_request.body.size());
    m_session = std::make_unique<ProxySession>(m_worker.env(), *this, std::move(m_request), m_peer, m_tls);
    m_request = HttpRequest();
    m_session->start();
}

void HttpConnection::failRequest(int status, const QString& message, const QByteArray& kind) {
    // Parse-level failures never reach a session, but they are requests too: they are counted and logged, and leave
    // a usage record (no client: it was never authenticated).
    const QByteArray target = m_parser.target();
    const QByteArray path = target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?')).left(512);
    const RuntimePtr rt = m_worker.shared()->snapshot();
    RequestOutcome o;
    o.runtime = rt.get();
    o.requestId = m_worker.env().nextRequestId();
    o.method = m_parser.method();
    o.path = path;
    o.peer = m_peer;
    o.status = status;
    o.errorKind = kind;
    o.arrivalMs = QDateTime::currentMSecsSinceEpoch();
    logRequest(m_worker.env(), o);

    // In the envelope of the API the client speaks, decided as a session decides it from what is known so far: the
    // target, and the headers once they are complete.
    HttpRequest seen;
    seen.path = path;
    seen.query = target.indexOf('?') < 0 ? QByteArray() : target.mid(target.indexOf('?') + 1);
    seen.headers = m_parser.headersDone() ? m_request.headers : m_parser.headers();
    const bool openAi = RouteStage::apiFlavor(seen, *rt->config) == ApiFlavor::OpenAi;
    const GatewayError error = GatewayError::make(status, message, kind);
    const QByteArray body =
        openAi ? openai::errorBody(openai::fromGeminiError(status, geminiErrorBody(error))) : geminiErrorBody(error);
    HttpHeaders h;
    h.add("Content-Type", "application/json; charset=UTF-8");
    rt->headerPolicy.addSecurityHeaders(&h, m_tls, true);
    m_keepAlive = false;
    m_state = State::Processing;
    writeHead(status, h, body.size());
    write(body);
    closeAfterWrite();
}

void HttpConnection::writeHead(int status, const HttpHeaders& headers, qint64 contentLength) {
    if (m_worker.shared()->draining.load(std::memory_order_relaxed))
        m_keepAlive = false;
    QByteArray head;
    head.reserve(256);
    head += "HTTP/1.1 ";
    head += QByteArray::number(status);
    head += ' ';
    head += reasonPhrase(status);
    head += "\r\n";
    for (const auto& h : headers.entries()) {
        head += h.first;
        head += ": ";
        head += h.second;
        head += "\r\n";
    }
    if (contentLength >= 0) {
        head += "Content-Length: ";
        head += QByteArray::number(contentLength);
        head += "\r\n";
    } else if (m_http10) {
        // HTTP/1.0 has no chunked encoding: the end of the connection ends the body.
        m_closeDelimited = true;
    } else {
        m_chunked = true;
        head += "Transfer-Encoding: chunked\r\n";
    }
    if (m_closeDelimited)
        m_keepAlive = false;
    head += m_keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    write(head);
}

void HttpConnection::write(const QByteArray& data) {
    if (m_gone)
        return;
    m_socket->write(data);
    m_bytesOut += data.size();
    WorkerCounters::add(m_worker.counters().bytesOut, data.size());
}

void HttpConnection::flushNow() {
    // Write now rather than when the event loop next polls for writability: one fewer wake-up per chunk, and
    // the chunk leaves at once. Whatever the kernel does not take stays queued and goes out as usual.
    if (!m_gone)
        m_socket->flush();
}

void HttpConnection::sendResponse(int status, const HttpHeaders& headers, const QByteArray& body) {
    writeHead(status, headers, body.size());
    if (!body.isEmpty())
        write(body);
    flushNow();
    responseDone();
}

void HttpConnection::beginResponse(int status, const HttpHeaders& headers, qint64 contentLength) {
    writeHead(status, headers, contentLength);
}

void HttpConnection::writeBody(const char* data, qsizetype len) {
    if (len <= 0 || m_gone)
        return;
    if (m_chunked) {
        QByteArray chunk;
        chunk.reserve(len + 16);
        chunk += QByteArray::number(len, 16);
        chunk += "\r\n";
        chunk.append(data, len);
        chunk += "\r\n";
        write(chunk);
    } else {
        write(QByteArray(data, len));
    }
    flushNow();
}

void HttpConnection::endResponse() {
    if (m_chunked)
        write(QByteArrayLiteral("0\r\n\r\n"));
    flushNow();
    responseDone();
}

void HttpConnection::abortResponse() {
    // Closing without the terminating chunk is how HTTP/1.1 tells the client the body is incomplete.
    m_finishedSession = std::move(m_session);
    m_keepAlive = false;
    closeAfterWrite();
}

bool HttpConnection::congested() const {
    return m_socket->bytesToWrite() > kHighWater;
}

void HttpConnection::onBytesWritten() {
    m_lastActivityMs = m_worker.nowMs();
    if (m_session && m_socket->bytesToWrite() < kLowWater)
        m_session->onClientDrained();
}

void HttpConnection::responseDone() {
    m_finishedSession = std::move(m_session);
    if (!m_keepAlive || m_closeDelimited) {
        closeAfterWrite();
        return;
    }
    m_state = State::Idle;
    m_lastActivityMs = m_worker.nowMs();
    if (!m_in.isEmpty() || m_socket->bytesAvailable() > 0) {
        // Never start the next pipelined request from inside the previous one's call stack.
        QMetaObject::invokeMethod(
            m_socket,
            [this] {
                if (m_state == State::Idle) {
                    m_in += m_socket->readAll();
                    processInput();
                }
            },
            Qt::QueuedConnection);
    }
}

void HttpConnection::closeAfterWrite() {
    m_state = State::Closing;
    if (!m_gone)
        m_socket->disconnectFromHost(); // sends what is queued, then closes
}

void HttpConnection::onDisconnected() {
    if (m_gone)
        return;
    m_gone = true;
    m_state = State::Closing;
    if (m_session)
        m_session->onClientGone();
    m_worker.connectionClosed(this);
}

void HttpConnection::drain() {
    if (m_state == State::Idle)
        closeAfterWrite();
    else
        m_keepAlive = false;
}

void HttpConnection::abort() {
    if (m_session)
        m_session->onClientGone();
    m_socket->abort();
}

void HttpConnection::sweep(qint64 nowMs) {
    const RuntimePtr rt = m_worker.shared()->snapshot(); // held: a reload may drop the last other reference
    const ServerConfig& s = rt->config->server;
    switch (m_state) {
    case State::Idle: {
        const bool handshaking = m_tls && !static_cast<QSslSocket*>(m_socket)->isEncrypted();
        if (handshaking && nowMs - m_messageStartMs > s.headerTimeoutMs)
            m_socket->abort();
        else if (nowMs - m_lastActivityMs > s.idleTimeoutMs)
            closeAfterWrite();
        break;
    }
    case State::Reading:
        if (!m_parser.headersDone() && nowMs - m_messageStartMs > s.headerTimeoutMs)
            failRequest(408, QStringLiteral("request headers not received within %1 ms").arg(s.headerTimeoutMs),
                        "header_timeout");
        else if (m_parser.headersDone() && nowMs - m_lastActivityMs > s.bodyTimeoutMs)
            failRequest(408, QStringLiteral("request body stalled for more than %1 ms").arg(s.bodyTimeoutMs),
                        "body_timeout");
        break;
    case State::Processing:
    case State::Closing:
        // A client that stops reading must not hold its connection (and the response queued for it) forever:
        // with bytes waiting and no progress for the idle timeout, drop it. A request that is merely waiting
        // for a slow upstream has nothing queued and is left alone.
        if ((m_socket->bytesToWrite() > 0 || m_state == State::Closing) && nowMs - m_lastActivityMs > s.idleTimeoutMs)
            m_socket->abort();
        break;
    }
}

} // namespace gemgate
