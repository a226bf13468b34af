// The HTTP/1.1 side of FakeUpstream: one Connection (a QTcpSocket) per accepted socket, parsed with llhttp,
// keep-alive and pipelining, unary replies in one write, streams as one chunk per event on a timer.

#include "fakeupstream_p.h"

#include <QTcpSocket>
#include <QTimerEvent>

#include <deque>
#include <llhttp.h>
#include <unistd.h>

namespace gemgate::test::detail {
namespace {

// Bodies beyond this are refused with 413; uploads come in chunks far below it.
constexpr qint64 kMaxBody = 512LL * 1024 * 1024;
constexpr qint64 kMaxHeaderBytes = 256 * 1024;

QByteArray reasonPhrase(int status) {
    switch (status) {
    case 200:
        return QByteArrayLiteral("OK");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 401:
        return QByteArrayLiteral("Unauthorized");
    case 402:
        return QByteArrayLiteral("Payment Required");
    case 403:
        return QByteArrayLiteral("Forbidden");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 408:
        return QByteArrayLiteral("Request Timeout");
    case 409:
        return QByteArrayLiteral("Conflict");
    case 413:
        return QByteArrayLiteral("Payload Too Large");
    case 429:
        return QByteArrayLiteral("Too Many Requests");
    case 499:
        return QByteArrayLiteral("Client Closed Request");
    case 500:
        return QByteArrayLiteral("Internal Server Error");
    case 501:
        return QByteArrayLiteral("Not Implemented");
    case 502:
        return QByteArrayLiteral("Bad Gateway");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    case 504:
        return QByteArrayLiteral("Gateway Timeout");
    default:
        return status < 400 ? QByteArrayLiteral("OK") : QByteArrayLiteral("Error");
    }
}

void appendChunk(QByteArray& out, QByteArrayView data) {
    out.append(QByteArray::number(data.size(), 16));
    out.append("\r\n", 2);
    out.append(data);
    out.append("\r\n", 2);
}

class Connection final : public QTcpSocket {
public:
    Connection(Shared& shared, QObject* owner);
    ~Connection() override;

protected:
    void timerEvent(QTimerEvent* event) override;

private:
    enum class Wait { None, Delay, Interval, Drain };
    // Unspaced streams write no further while this much is queued (like a real server, whose sends block), so a
    // slow reader on the other side holds the stream back instead of filling memory.
    static constexpr qint64 kMaxQueued = 256 * 1024;

    static const llhttp_settings_t* settings();
    static Connection* self(llhttp_t* p) { return static_cast<Connection*>(p->data); }
    static int onMessageBegin(llhttp_t* p);
    static int onUrl(llhttp_t* p, const char* at, size_t n);
    static int onHeaderField(llhttp_t* p, const char* at, size_t n);
    static int onHeaderFieldComplete(llhttp_t* p);
    static int onHeaderValue(llhttp_t* p, const char* at, size_t n);
    static int onHeadersComplete(llhttp_t* p);
    static int onBody(llhttp_t* p, const char* at, size_t n);
    static int onMessageComplete(llhttp_t* p);

    void onReadyRead();
    void onDisconnected();
    void pushHeader();
    void pump();
    void begin(Request&& request);
    void respond();
    bool emitEvent(QByteArray out);
    void pumpUnspaced();
    void onBytesWritten();
    void endResponse();
    void closeAbruptly();
    void send(const QByteArray& data);
    void startWait(Wait wait, int ms);
    void stopWait();
    QByteArray head(bool chunked, qint64 contentLength) const;

    Shared& m_shared;
    llhttp_t m_parser;
    Request m_current;
    QByteArray m_field;
    QByteArray m_value;
    bool m_inValue = false;
    qint64 m_headerBytes = 0;
    bool m_parseFailed = false; // stop reading; close once the queue is answered
    bool m_tooLarge = false;
    std::deque<Request> m_queue;
    bool m_inPump = false;

    // The response in progress (HTTP/1.1 answers in order, so there is at most one).
    Reply m_reply;
    bool m_busy = false;
    bool m_keepAlive = true;
    int m_httpMinor = 1;
    int m_eventsSent = 0;
    bool m_streamOpen = false;
    bool m_unaryWaiting = false;
    bool m_serverClosing = false; // we closed: a following disconnect is not the client's doing
    Wait m_wait = Wait::None;
    int m_timerId = 0;
    quint64 m_id;
};

Connection::Connection(Shared& shared, QObject* owner)
    : QTcpSocket(owner)
    , m_shared(shared)
    , m_id(shared.nextConnectionId.fetch_add(1)) {
    llhttp_init(&m_parser, HTTP_REQUEST, settings());
    m_parser.data = this;
    connect(this, &QTcpSocket::readyRead, this, &Connection::onReadyRead);
    connect(this, &QTcpSocket::disconnected, this, &Connection::onDisconnected);
    connect(this, &QTcpSocket::bytesWritten, this, &Connection::onBytesWritten);
}

Connection::~Connection() {
    // The base destructor aborts the socket and would signal into this half-destroyed object.
    disconnect(this, nullptr, this, nullptr);
    if (m_streamOpen)
        m_shared.streamClosed(false);
}

const llhttp_settings_t* Connection::settings() {
    static const llhttp_settings_t s = [] {
        llhttp_settings_t v;
        llhttp_settings_init(&v);
        v.on_message_begin = &Connection::onMessageBegin;
        v.on_url = &Connection::onUrl;
        v.on_header_field = &Connection::onHeaderField;
        v.on_header_field_complete = &Connection::onHeaderFieldComplete;
        v.on_header_value = &Connection::onHeaderValue;
        v.on_headers_complete = &Connection::onHeadersComplete;
        v.on_body = &Connection::onBody;
        v.on_message_complete = &Connection::onMessageComplete;
        return v;
    }();
    return &s;
}

int Connection::onMessageBegin(llhttp_t* p) {
    Connection* c = self(p);
    c->m_current = Request{};
    c->m_current.connectionId = c->m_id;
    c->m_field.clear();
    c->m_value.clear();
    c->m_inValue = false;
    c->m_headerBytes = 0;
    return HPE_OK;
}

int Connection::onUrl(llhttp_t* p, const char* at, size_t n) {
    Connection* c = self(p);
    c->m_current.target.append(at, qsizetype(n));
    c->m_headerBytes += qint64(n);
    return c->m_headerBytes > kMaxHeaderBytes ? HPE_USER : HPE_OK;
}

// Header callbacks may arrive in pieces across reads, and an empty value may produce no value callback at all, so
// a pair is committed when the next name starts or when the header block ends.
int Connection::onHeaderField(llhttp_t* p, const char* at, size_t n) {
    Connection* c = self(p);
    if (c->m_inValue)
        c->pushHeader();
    c->m_field.append(at, qsizetype(n));
    c->m_headerBytes += qint64(n);
    return c->m_headerBytes > kMaxHeaderBytes ? HPE_USER : HPE_OK;
}

int Connection::onHeaderFieldComplete(llhttp_t* p) {
    self(p)->m_inValue = true;
    return HPE_OK;
}

int Connection::onHeaderValue(llhttp_t* p, const char* at, size_t n) {
    Connection* c = self(p);
    c->m_value.append(at, qsizetype(n));
    c->m_headerBytes += qint64(n);
    return c->m_headerBytes > kMaxHeaderBytes ? HPE_USER : HPE_OK;
}

void Connection::pushHeader() {
    m_current.headers.append({m_field.toLower(), m_value.trimmed()});
    m_field.clear();
    m_value.clear();
    m_inValue = false;
}

int Connection::onHeadersComplete(llhttp_t* p) {
    Connection* c = self(p);
    if (c->m_inValue || !c->m_field.isEmpty())
        c->pushHeader();
    c->m_current.method = llhttp_method_name(llhttp_method_t(llhttp_get_method(p)));
    c->m_current.httpMinor = llhttp_get_http_minor(p);
    if (p->flags & F_CONTENT_LENGTH) {
        if (qint64(p->content_length) > kMaxBody) {
            c->m_tooLarge = true;
            return HPE_USER;
        }
        c->m_current.body.reserve(qsizetype(qMin<quint64>(p->content_length, 64ULL * 1024 * 1024)));
    }
    // curl waits a second for this before sending bodies over 1 MiB.
    if (c->m_current.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0)
        c->send(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
    return HPE_OK;
}

int Connection::onBody(llhttp_t* p, const char* at, size_t n) {
    Connection* c = self(p);
    if (c->m_current.body.size() + qint64(n) > kMaxBody) {
        c->m_tooLarge = true;
        return HPE_USER;
    }
    c->m_current.body.append(at, qsizetype(n));
    return HPE_OK;
}

int Connection::onMessageComplete(llhttp_t* p) {
    Connection* c = self(p);
    c->m_current.keepAlive = llhttp_should_keep_alive(p) != 0;
    c->m_current.receivedAt = QDateTime::currentDateTimeUtc();
    c->m_queue.push_back(std::move(c->m_current));
    c->m_current = Request{};
    return HPE_OK;
}

void Connection::onReadyRead() {
    // One buffer per thread: hundreds of idle connections should not each hold 64 KiB.
    thread_local char buffer[64 * 1024];
    while (bytesAvailable() > 0) {
        const qint64 n = read(buffer, sizeof buffer);
        if (n <= 0)
            break;
        if (m_parseFailed)
            continue; // discard: the connection closes once the queued answers are out
        const llhttp_errno_t err = llhttp_execute(&m_parser, buffer, size_t(n));
        if (err == HPE_OK)
            continue;
        m_parseFailed = true;
        if (err != HPE_PAUSED_UPGRADE) {
            // Answered in order after whatever was parsed before the bad bytes.
            Request bad;
            bad.malformed = true;
            bad.method = m_tooLarge ? QByteArrayLiteral("413") : QByteArrayLiteral("400");
            bad.keepAlive = false;
            m_queue.push_back(std::move(bad));
        }
    }
    pump();
}

void Connection::onDisconnected() {
    stopWait();
    if (m_streamOpen) {
        m_streamOpen = false;
        m_shared.streamClosed(!m_serverClosing);
    }
    if (m_unaryWaiting && !m_serverClosing)
        m_shared.abortedUnary.fetch_add(1);
    m_unaryWaiting = false;
    m_busy = true; // nothing more to answer
    deleteLater();
}

void Connection::pump() {
    if (m_inPump)
        return; // a response finished inside begin(); the loop below picks up the next request
    m_inPump = true;
    while (!m_busy && !m_queue.empty() && state() == ConnectedState) {
        Request r = std::move(m_queue.front());
        m_queue.pop_front();
        begin(std::move(r));
    }
    m_inPump = false;
    if (!m_busy && m_queue.empty() && m_parseFailed && state() == ConnectedState) {
        m_serverClosing = true;
        disconnectFromHost();
    }
}

void Connection::begin(Request&& request) {
    m_busy = true;
    m_keepAlive = request.keepAlive;
    m_httpMinor = request.httpMinor;
    m_eventsSent = 0;
    if (request.malformed) {
        m_reply = request.method == "413"
                      ? errorReply(413, "INVALID_ARGUMENT", "Request payload size exceeds the limit.")
                      : malformedRequestReply();
    } else {
        // Recorded before the answer is written, so a test that has its response also finds the request.
        m_shared.record(request, request.header("x-goog-api-key"));
        m_reply = route(m_shared, request);
    }
    if (m_reply.isStream) {
        m_streamOpen = true;
        m_shared.streamOpened();
    }
    if (m_reply.delayMs > 0) {
        m_unaryWaiting = !m_reply.isStream;
        startWait(Wait::Delay, m_reply.delayMs);
        return;
    }
    respond();
}

QByteArray Connection::head(bool chunked, qint64 contentLength) const {
    QByteArray h;
    h.reserve(256 + m_reply.extraHeaders.size());
    h.append("HTTP/1.1 ");
    h.append(QByteArray::number(m_reply.status));
    h.append(' ');
    h.append(reasonPhrase(m_reply.status));
    h.append("\r\nContent-Type: ");
    h.append(m_reply.contentType);
    if (chunked) {
        h.append("\r\nTransfer-Encoding: chunked");
    } else {
        h.append("\r\nContent-Length: ");
        h.append(QByteArray::number(contentLength));
    }
    h.append("\r\nServer: fake-gemini\r\n");
    if (!m_keepAlive)
        h.append("Connection: close\r\n");
    else if (m_httpMinor == 0)
        h.append("Connection: keep-alive\r\n");
    h.append(m_reply.extraHeaders);
    h.append("\r\n");
    return h;
}

void Connection::respond() {
    if (!m_reply.isStream) {
        QByteArray out = head(false, m_reply.body.size());
        out.append(m_reply.body);
        send(out);
        endResponse();
        return;
    }
    QByteArray out = head(true, 0);
    if (m_reply.stream.abortAfter == 0) {
        m_streamOpen = false;
        m_shared.streamClosed(false);
        send(out);
        closeAbruptly();
        return;
    }
    bool more = emitEvent(std::move(out));
    if (more && m_reply.stream.intervalMs <= 0)
        pumpUnspaced();
    else if (more)
        startWait(Wait::Interval, m_reply.stream.intervalMs);
}

void Connection::pumpUnspaced() {
    bool more = true;
    while (more && bytesToWrite() < kMaxQueued)
        more = emitEvent({});
    if (more) {
        stopWait();
        m_wait = Wait::Drain; // resumed by onBytesWritten()
    }
}

void Connection::onBytesWritten() {
    if (m_wait == Wait::Drain && bytesToWrite() < kMaxQueued / 2) {
        m_wait = Wait::None;
        pumpUnspaced();
    }
}

// Writes the next event (after `out`, which may hold the response head) as one chunk, with one write. Returns
// whether more events are to come.
bool Connection::emitEvent(QByteArray out) {
    StreamPlan& plan = m_reply.stream;
    const int index = m_eventsSent;
    const bool last = index + 1 >= plan.chunks;
    QByteArray event;
    if (plan.sse) {
        event = QByteArrayLiteral("data: ") + streamEvent(plan, index) + QByteArrayLiteral("\r\n\r\n");
    } else {
        event = (index == 0 ? QByteArrayLiteral("[") : QByteArrayLiteral(",\r\n")) + streamEvent(plan, index);
        if (last)
            event.append("\r\n]");
    }
    appendChunk(out, event);
    const bool aborting = !last && index + 1 == plan.abortAfter;
    if (last)
        out.append("0\r\n\r\n");
    ++m_eventsSent;
    if (last || aborting) {
        // Before the write: a client that has the whole stream must find it closed in the counters.
        m_streamOpen = false;
        m_shared.streamClosed(false);
    }
    send(out);
    if (state() != ConnectedState) {
        stopWait(); // the client left; onDisconnected() counts the abort
        return false;
    }
    if (last) {
        stopWait();
        endResponse();
        return false;
    }
    if (aborting) {
        closeAbruptly();
        return false;
    }
    return true;
}

void Connection::endResponse() {
    m_busy = false;
    m_unaryWaiting = false;
    m_reply = Reply{};
    if (!m_keepAlive) {
        m_busy = true;
        m_serverClosing = true;
        disconnectFromHost(); // after the pending bytes are written
        return;
    }
    pump();
}

// x-fake-abort-after: the stream ends without its terminating chunk, like an upstream that died mid-answer.
void Connection::closeAbruptly() {
    stopWait();
    if (m_streamOpen) {
        m_streamOpen = false;
        m_shared.streamClosed(false);
    }
    m_serverClosing = true;
    disconnectFromHost();
}

void Connection::send(const QByteArray& data) {
    write(data);
    flush(); // now, not on the next event loop pass: streams must leave when they are due
}

void Connection::startWait(Wait wait, int ms) {
    stopWait();
    m_wait = wait;
    m_timerId = startTimer(ms, Qt::PreciseTimer);
}

void Connection::stopWait() {
    if (m_timerId != 0)
        killTimer(m_timerId);
    m_timerId = 0;
    m_wait = Wait::None;
}

void Connection::timerEvent(QTimerEvent* event) {
    if (event->timerId() != m_timerId) {
        QTcpSocket::timerEvent(event);
        return;
    }
    if (m_wait == Wait::Delay) {
        stopWait();
        m_unaryWaiting = false;
        respond();
        return;
    }
    // Every path that ends the stream stops the timer itself (and may already have started the next response's).
    emitEvent({});
}

} // namespace

void adoptConnection(Shared& shared, QObject* owner, qintptr descriptor) {
    auto* c = new Connection(shared, owner);
    if (!c->setSocketDescriptor(descriptor)) {
        ::close(int(descriptor));
        delete c;
        return;
    }
    // Without it small replies on a kept-alive connection can wait for the client's delayed ACK (~40 ms).
    c->setSocketOption(QAbstractSocket::LowDelayOption, 1);
}

} // namespace gemgate::test::detail
