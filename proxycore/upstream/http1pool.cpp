#include "upstream/http1pool.h"

#include "http/httpparser.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QSslSocket>

Q_LOGGING_CATEGORY(lcHttp1, "gemgate.upstream.http1")

namespace gemgate {

const char* upstreamErrorName(UpstreamErrorKind kind) {
    switch (kind) {
    case UpstreamErrorKind::Connect:
        return "upstream_connect";
    case UpstreamErrorKind::Timeout:
        return "upstream_timeout";
    case UpstreamErrorKind::Protocol:
        return "upstream_protocol";
    case UpstreamErrorKind::Closed:
        return "upstream_closed";
    }
    return "upstream_error";
}

namespace {
QString originKey(const QUrl& origin) {
    return origin.scheme() + QLatin1String("://") + origin.host() + QLatin1Char(':') +
           QString::number(origin.port(origin.scheme() == QLatin1String("https") ? 443 : 80));
}
} // namespace

class Http1Call;

// One upstream socket. Carries at most one request at a time (no pipelining upstream).
class Http1Connection final : public QObject, private HttpParser::Sink {
public:
    Http1Connection(Http1Pool* pool, const UpstreamRequest& req)
        : m_pool(pool)
        , m_origin(originKey(req.origin))
        , m_parser(HttpParser::Kind::Response, this, HttpParser::Limits{256 * 1024, 256, -1}) {
        m_tls = req.origin.scheme() == QLatin1String("https");
        m_host = req.origin.host();
        m_port = static_cast<quint16>(req.origin.port(m_tls ? 443 : 80));
        if (m_tls) {
            auto* s = new QSslSocket(this);
            if (req.tls)
                s->setSslConfiguration(*req.tls);
            s->setPeerVerifyMode(QSslSocket::VerifyPeer);
            m_socket = s;
            connect(s, &QSslSocket::encrypted, this, &Http1Connection::onConnected);
        } else {
            m_socket = new QTcpSocket(this);
            connect(m_socket, &QTcpSocket::connected, this, &Http1Connection::onConnected);
        }
        // A bounded read buffer is what makes pauseReading() real backpressure: once it is full Qt stops
        // reading the socket, the kernel buffers fill and TCP slows the sender.
        m_socket->setReadBufferSize(256 * 1024);
        connect(m_socket, &QTcpSocket::readyRead, this, &Http1Connection::onReadyRead);
        connect(m_socket, &QTcpSocket::disconnected, this, &Http1Connection::onDisconnected);
        connect(m_socket, &QTcpSocket::errorOccurred, this, &Http1Connection::onSocketError);
        // Connect from the event loop: a connect to an IP literal can fail synchronously, and its error must
        // reach a handler that is already attached, never the caller of start() from inside start().
        QMetaObject::invokeMethod(this, &Http1Connection::startConnect, Qt::QueuedConnection);
        m_deadlineMs = m_pool->nowMs() + req.connectTimeoutMs;
    }

    const QString& origin() const { return m_origin; }
    bool isConnected() const { return m_connected && m_socket->state() == QAbstractSocket::ConnectedState; }
    bool wasReused() const { return m_requestsServed > 0; }
    void markIdle(qint64 nowMs) { m_idleSinceMs = nowMs; }

    void send(Http1Call* call, const UpstreamRequest& req);
    void detach(); // the call is gone: close, no reuse
    void setPaused(bool paused);
    void sweep(qint64 nowMs);
    void closeNow() {
        m_closed = true;
        m_socket->abort();
    }

private:
    void startConnect() {
        if (m_closed)
            return;
        if (m_tls)
            static_cast<QSslSocket*>(m_socket)->connectToHostEncrypted(m_host, m_port);
        else
            m_socket->connectToHost(m_host, m_port);
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    }
    void onConnected();
    void onReadyRead();
    void onDisconnected();
    void onSocketError(QAbstractSocket::SocketError);
    void writeRequest();
    void fail(UpstreamErrorKind kind, const QString& message);
    void finishMessage();

    bool onHeadersComplete() override;
    void onBody(const char* data, qsizetype len) override;
    void onMessageComplete() override { m_messageDone = true; }

    Http1Pool* m_pool;
    QString m_origin;
    QString m_host;
    quint16 m_port = 0;
    bool m_tls = false;
    QTcpSocket* m_socket = nullptr;
    HttpParser m_parser;
    Http1Call* m_call = nullptr;
    QByteArray m_pendingRequest;
    qint64 m_deadlineMs = 0;
    qint64 m_idleSinceMs = 0;
    int m_readTimeoutMs = 300'000;
    int m_requestsServed = 0;
    bool m_connected = false;
    bool m_closed = false;
    bool m_paused = false;
    bool m_gotBytes = false;
    bool m_messageDone = false;
};

class Http1Call final : public UpstreamCall {
public:
    Http1Call(Http1Pool* pool, UpstreamRequest request, UpstreamHandler* handler)
        : m_pool(pool)
        , m_request(std::move(request))
        , m_handler(handler) {}
    ~Http1Call() override {
        if (m_conn)
            m_conn->detach();
    }
    void pauseReading() override {
        m_paused = true;
        if (m_conn)
            m_conn->setPaused(true);
    }
    void resumeReading() override {
        m_paused = false;
        if (m_conn)
            m_conn->setPaused(false);
    }
    void dispatch() {
        m_conn = m_pool->acquire(m_request);
        m_conn->send(this, m_request);
        if (m_paused)
            m_conn->setPaused(true);
    }
    // A reused keep-alive connection can be closed by the upstream just as we send on it. Nothing came back,
    // so the request cannot have been processed: send it once more on a fresh connection.
    bool retryOnFresh(Http1Connection* failed) {
        if (m_retriedStale || !failed->wasReused())
            return false;
        m_retriedStale = true;
        m_conn = nullptr;
        m_pool->discard(failed);
        m_conn = new Http1Connection(m_pool, m_request);
        m_pool->m_all.append(m_conn);
        m_conn->send(this, m_request);
        return true;
    }

    Http1Pool* m_pool;
    UpstreamRequest m_request;
    UpstreamHandler* m_handler;
    Http1Connection* m_conn = nullptr;
    bool m_paused = false;
    bool m_retriedStale = false;
};

void Http1Connection::send(Http1Call* call, const UpstreamRequest& req) {
    m_call = call;
    m_paused = false; // a previous response may have ended while its client had us paused
    m_gotBytes = false;
    m_messageDone = false;
    m_readTimeoutMs = req.readTimeoutMs;
    m_parser.reset();
    m_parser.setExpectNoBody(req.method == "HEAD");

    QByteArray head;
    head.reserve(256 + req.target.size());
    head += req.method;
    head += ' ';
    head += req.target.isEmpty() ? QByteArrayLiteral("/") : req.target;
    head += " HTTP/1.1\r\nHost: ";
    head += req.origin.host().toUtf8();
    const bool tls = req.origin.scheme() == QLatin1String("https");
    if (req.origin.port() > 0 && req.origin.port() != (tls ? 443 : 80)) {
        head += ':';
        head += QByteArray::number(req.origin.port());
    }
    head += "\r\n";
    for (const auto& h : req.headers.entries()) {
        head += h.first;
        head += ": ";
        head += h.second;
        head += "\r\n";
    }
    if (!req.body.isEmpty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
        head += "Content-Length: ";
        head += QByteArray::number(req.body.size());
        head += "\r\n";
    }
    head += "\r\n";
    m_pendingRequest = std::move(head);
    m_pendingRequest += req.body;
    if (m_connected)
        writeRequest();
}

void Http1Connection::writeRequest() {
    m_socket->write(m_pendingRequest);
    m_socket->flush(); // send now, not on the next poll for writability
    m_pendingRequest.clear();
    m_deadlineMs = m_pool->nowMs() + m_readTimeoutMs;
}

void Http1Connection::onConnected() {
    m_connected = true;
    if (m_call && !m_pendingRequest.isEmpty())
        writeRequest();
}

void Http1Connection::detach() {
    m_call = nullptr;
    m_pool->discard(this);
}

void Http1Connection::setPaused(bool paused) {
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!paused && m_socket->bytesAvailable() > 0) {
        // Resume from the event loop, not from inside the caller's stack (the caller is usually writing to the
        // client when it resumes us).
        QMetaObject::invokeMethod(this, &Http1Connection::onReadyRead, Qt::QueuedConnection);
    }
}

void Http1Connection::onReadyRead() {
    char buf[32 * 1024];
    while (m_call && !m_paused && !m_closed) {
        const qint64 n = m_socket->read(buf, sizeof buf);
        if (n <= 0)
            break;
        m_gotBytes = true;
        m_deadlineMs = m_pool->nowMs() + m_readTimeoutMs;
        qsizetype offset = 0;
        while (offset < n) {
            qsizetype consumed = 0;
            const auto result = m_parser.feed(buf + offset, n - offset, &consumed);
            if (!m_call)
                return; // the handler cancelled the call from a callback; we are detached (and discarded)
            if (result == HttpParser::Result::Error) {
                fail(UpstreamErrorKind::Protocol, m_parser.errorMessage());
                return;
            }
            if (result == HttpParser::Result::NeedMore)
                break;
            offset += consumed;
            const int status = m_parser.status();
            if (status >= 100 && status < 200 && status != 101) {
                // Interim response (100 Continue): the real one follows, possibly in this same read.
                m_parser.reset();
                continue;
            }
            if (offset < n || m_socket->bytesAvailable() > 0) {
                // Bytes after a complete response on a connection we did not ask anything else of: the
                // connection is out of sync, so it must not be reused.
                m_closed = true;
            }
            finishMessage();
            return;
        }
    }
    if (!m_call && !m_closed && m_socket->bytesAvailable() > 0) {
        // An idle connection received data it was never asked for.
        closeNow();
        m_pool->discard(this);
    }
}

void Http1Connection::finishMessage() {
    const int status = m_parser.status();
    if (status >= 100 && status < 200 && status != 101) {
        // Interim response (100 Continue): the real one follows on the same connection.
        m_parser.reset();
        return;
    }
    Http1Call* call = m_call;
    m_call = nullptr;
    call->m_conn = nullptr;
    ++m_requestsServed;
    if (!m_closed && m_parser.keepAlive())
        m_pool->release(this);
    else
        m_pool->discard(this);
    call->m_handler->onUpstreamComplete();
}

bool Http1Connection::onHeadersComplete() {
    // Headers arrive only once per message; interim 1xx responses are not passed on.
    const int status = m_parser.status();
    if (status >= 100 && status < 200)
        return true;
    m_call->m_handler->onUpstreamHeaders(status, m_parser.headers());
    return m_call != nullptr;
}

void Http1Connection::onBody(const char* data, qsizetype len) {
    if (m_call)
        m_call->m_handler->onUpstreamData(data, len);
}

void Http1Connection::fail(UpstreamErrorKind kind, const QString& message) {
    Http1Call* call = m_call;
    m_call = nullptr;
    closeNow();
    if (!call) {
        m_pool->discard(this);
        return;
    }
    if (!m_gotBytes && kind != UpstreamErrorKind::Timeout && call->retryOnFresh(this))
        return;
    call->m_conn = nullptr;
    m_pool->discard(this);
    call->m_handler->onUpstreamError(kind, message);
}

void Http1Connection::onDisconnected() {
    if (m_closed && !m_call) {
        m_pool->discard(this);
        return;
    }
    if (m_call) {
        // Drain whatever is still buffered, then let the parser decide whether EOF ended the message cleanly.
        const bool wasPaused = m_paused;
        m_paused = false;
        onReadyRead();
        m_paused = wasPaused;
        if (!m_call)
            return;
        if (m_parser.finish() == HttpParser::Result::Complete || m_messageDone) {
            m_closed = true;
            finishMessage();
            return;
        }
        fail(m_gotBytes ? UpstreamErrorKind::Closed : UpstreamErrorKind::Connect,
             m_gotBytes ? QStringLiteral("upstream closed the connection in the middle of the response")
                        : QStringLiteral("upstream closed the connection without answering"));
        return;
    }
    m_closed = true;
    m_pool->discard(this);
}

void Http1Connection::onSocketError(QAbstractSocket::SocketError err) {
    if (err == QAbstractSocket::RemoteHostClosedError)
        return; // handled by onDisconnected, which also drains the remaining bytes
    if (!m_call) {
        m_closed = true;
        m_pool->discard(this);
        return;
    }
    const auto kind = (!m_connected || err == QAbstractSocket::SslHandshakeFailedError) ? UpstreamErrorKind::Connect
                      : m_gotBytes                                                      ? UpstreamErrorKind::Closed
                                                                                        : UpstreamErrorKind::Connect;
    fail(kind, QStringLiteral("upstream connection error: %1").arg(m_socket->errorString()));
}

void Http1Connection::sweep(qint64 nowMs) {
    if (m_call) {
        if (nowMs > m_deadlineMs) {
            fail(m_connected ? UpstreamErrorKind::Timeout : UpstreamErrorKind::Connect,
                 m_connected ? QStringLiteral("upstream sent nothing for %1 s").arg(m_readTimeoutMs / 1000)
                             : QStringLiteral("connecting to the upstream timed out"));
        }
    } else if (!m_closed && nowMs - m_idleSinceMs > m_pool->m_idleTimeoutMs) {
        closeNow();
        m_pool->discard(this);
    }
}

Http1Pool::Http1Pool() {
    m_clock.start();
}

Http1Pool::~Http1Pool() {
    const auto all = m_all;
    for (Http1Connection* c : all) {
        c->closeNow();
        delete c;
    }
}

std::unique_ptr<UpstreamCall> Http1Pool::start(UpstreamRequest request, UpstreamHandler* handler) {
    auto call = std::make_unique<Http1Call>(this, std::move(request), handler);
    call->dispatch();
    return call;
}

Http1Connection* Http1Pool::acquire(const UpstreamRequest& request) {
    auto it = m_idle.find(originKey(request.origin));
    if (it != m_idle.end()) {
        while (!it->isEmpty()) {
            Http1Connection* c = it->takeLast();
            if (c->isConnected())
                return c;
            c->closeNow();
            discard(c);
        }
    }
    auto* c = new Http1Connection(this, request);
    m_all.append(c);
    return c;
}

void Http1Pool::release(Http1Connection* c) {
    c->markIdle(nowMs());
    m_idle[c->origin()].append(c);
}

void Http1Pool::discard(Http1Connection* c) {
    if (!m_all.removeOne(c))
        return; // already discarded
    auto it = m_idle.find(c->origin());
    if (it != m_idle.end())
        it->removeOne(c);
    c->closeNow();
    c->deleteLater();
}

void Http1Pool::sweep(qint64) {
    // The connections measure time on the pool's own monotonic clock.
    const qint64 now = nowMs();
    const auto all = m_all;
    for (Http1Connection* c : all) {
        if (m_all.contains(c))
            c->sweep(now);
    }
}

} // namespace gemgate
