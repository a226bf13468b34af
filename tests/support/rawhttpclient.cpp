#include "rawhttpclient.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QSslSocket>
#include <QTcpSocket>

#include <llhttp.h>

namespace gemgate::test {

namespace {
RawHttpClient* self(llhttp_t* p) {
    return static_cast<RawHttpClient*>(p->data);
}

bool spinUntil(const std::function<bool()>& done, int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 20);
    }
    return true;
}
} // namespace

QByteArray RawResponse::header(const QByteArray& lowerName) const {
    for (const auto& h : headers) {
        if (h.first == lowerName)
            return h.second;
    }
    return {};
}

RawHttpClient::RawHttpClient(QObject* parent)
    : QObject(parent)
    , m_parser(std::make_unique<llhttp_t>())
    , m_settings(std::make_unique<llhttp_settings_t>()) {
    llhttp_settings_init(m_settings.get());
    m_settings->on_header_field = &RawHttpClient::cbField;
    m_settings->on_header_value = &RawHttpClient::cbValue;
    m_settings->on_headers_complete = &RawHttpClient::cbHeadersComplete;
    m_settings->on_body = &RawHttpClient::cbBody;
    m_settings->on_message_complete = &RawHttpClient::cbComplete;
    llhttp_init(m_parser.get(), HTTP_RESPONSE, m_settings.get());
    m_parser->data = this;
}

RawHttpClient::~RawHttpClient() = default;

bool RawHttpClient::connectTo(quint16 port, int timeoutMs) {
    m_socket = new QTcpSocket(this);
    connect(m_socket, &QTcpSocket::readyRead, this, &RawHttpClient::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &RawHttpClient::onClosed);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &RawHttpClient::onClosed);
    m_socket->connectToHost(QStringLiteral("127.0.0.1"), port);
    return spinUntil(
               [this] {
                   return m_socket->state() == QAbstractSocket::ConnectedState ||
                          m_socket->state() == QAbstractSocket::UnconnectedState;
               },
               timeoutMs) &&
           m_socket->state() == QAbstractSocket::ConnectedState;
}

bool RawHttpClient::connectTls(quint16 port, const QSslConfiguration& conf, const QString& peerName, int timeoutMs) {
    auto* s = new QSslSocket(this);
    m_socket = s;
    s->setSslConfiguration(conf);
    connect(s, &QSslSocket::readyRead, this, &RawHttpClient::onReadyRead);
    connect(s, &QSslSocket::disconnected, this, &RawHttpClient::onClosed);
    connect(s, &QSslSocket::errorOccurred, this, &RawHttpClient::onClosed);
    s->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port, peerName);
    return spinUntil([s] { return s->isEncrypted() || s->state() == QAbstractSocket::UnconnectedState; }, timeoutMs) &&
           s->isEncrypted();
}

void RawHttpClient::onClosed() {
    if (m_response.closed || m_socket->state() == QAbstractSocket::ConnectedState)
        return;
    onReadyRead();
    llhttp_finish(m_parser.get());
    m_response.closed = true;
    Q_EMIT responseDone();
}

bool RawHttpClient::isConnected() const {
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

void RawHttpClient::close() {
    if (m_socket)
        m_socket->abort();
}

void RawHttpClient::sendRaw(const QByteArray& bytes) {
    m_response = RawResponse();
    // A connection the server already closed stays closed: the next wait must not hang for it.
    m_response.closed = m_socket->state() == QAbstractSocket::UnconnectedState;
    m_sentAt.start();
    m_socket->write(bytes);
}

void RawHttpClient::send(const QByteArray& method, const QByteArray& target,
                         const QList<QPair<QByteArray, QByteArray>>& headers, const QByteArray& body) {
    QByteArray req =
        method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_socket->peerPort()) + "\r\n";
    bool hasLength = false;
    for (const auto& h : headers) {
        req += h.first + ": " + h.second + "\r\n";
        if (h.first.compare("content-length", Qt::CaseInsensitive) == 0 ||
            h.first.compare("transfer-encoding", Qt::CaseInsensitive) == 0)
            hasLength = true;
    }
    if (!hasLength && (!body.isEmpty() || method == "POST"))
        req += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    req += "\r\n";
    req += body;
    m_head = method == "HEAD";
    sendRaw(req);
}

bool RawHttpClient::waitForResponse(int timeoutMs) {
    return spinUntil([this] { return m_response.complete || m_response.closed || m_parseError; }, timeoutMs);
}

bool RawHttpClient::waitForBodyBytes(qint64 bytes, int timeoutMs) {
    return spinUntil([this, bytes] { return m_response.body.size() >= bytes || m_response.closed; }, timeoutMs) &&
           m_response.body.size() >= bytes;
}

void RawHttpClient::onReadyRead() {
    if (!m_socket || !m_socket->isOpen())
        return;
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty() || m_parseError)
        return;
    if (llhttp_get_errno(m_parser.get()) == HPE_PAUSED)
        llhttp_resume(m_parser.get());
    const llhttp_errno_t err = llhttp_execute(m_parser.get(), data.constData(), static_cast<size_t>(data.size()));
    if (err != HPE_OK && err != HPE_PAUSED)
        m_parseError = true;
}

int RawHttpClient::cbField(llhttp_t* p, const char* at, size_t len) {
    RawHttpClient* s = self(p);
    if (s->m_inValue) {
        s->m_response.headers.append({s->m_field.toLower(), s->m_value});
        s->m_field.clear();
        s->m_value.clear();
        s->m_inValue = false;
    }
    s->m_field.append(at, static_cast<qsizetype>(len));
    return 0;
}

int RawHttpClient::cbValue(llhttp_t* p, const char* at, size_t len) {
    RawHttpClient* s = self(p);
    s->m_value.append(at, static_cast<qsizetype>(len));
    s->m_inValue = true;
    return 0;
}

int RawHttpClient::cbHeadersComplete(llhttp_t* p) {
    RawHttpClient* s = self(p);
    if (s->m_inValue || !s->m_field.isEmpty())
        s->m_response.headers.append({s->m_field.toLower(), s->m_value});
    s->m_field.clear();
    s->m_value.clear();
    s->m_inValue = false;
    s->m_response.status = p->status_code;
    if (p->status_code == 100) {
        s->m_response.sawContinue = true;
        s->m_response.headers.clear();
        return 0;
    }
    return s->m_head ? 1 : 0;
}

int RawHttpClient::cbBody(llhttp_t* p, const char* at, size_t len) {
    RawHttpClient* s = self(p);
    const qint64 ms = s->m_sentAt.elapsed();
    if (s->m_response.firstByteMs < 0)
        s->m_response.firstByteMs = ms;
    s->m_response.body.append(at, static_cast<qsizetype>(len));
    s->m_response.pieces.append({ms, QByteArray(at, static_cast<qsizetype>(len))});
    return 0;
}

int RawHttpClient::cbComplete(llhttp_t* p) {
    RawHttpClient* s = self(p);
    if (s->m_response.status == 100) {
        s->m_response.status = 0;
        return 0;
    }
    s->m_response.complete = true;
    ++s->m_completed;
    Q_EMIT s->responseDone();
    return HPE_PAUSED;
}

} // namespace gemgate::test
