#include "admin/adminserver.h"

#include "http/httpparser.h"
#include "pipeline/gatewayerror.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace gemgate {

namespace {
constexpr qint64 kMaxBody = 8 * 1024 * 1024; // a config, a key, a client: far below this
constexpr int kIdleMs = 60'000;
constexpr qint64 kMaxQueued = kMaxBody + 64 * 1024; // pipelined bytes waiting while a request is being answered

// One client connection: parse a request, hand it to the handler, write the reply, then the next request.
class AdminConnection final : public QObject, public HttpParser::Sink {
public:
    AdminConnection(QTcpSocket* socket, const AdminHandler& handler, const AdminGate& gate)
        : m_socket(socket)
        , m_handler(handler)
        , m_gate(gate)
        , m_parser(HttpParser::Kind::Request, this, limits()) {
        m_socket->setParent(this);
        m_idle.setSingleShot(true);
        m_idle.setInterval(kIdleMs);
        connect(&m_idle, &QTimer::timeout, this, [this] { m_socket->abort(); });
        connect(m_socket, &QTcpSocket::readyRead, this, &AdminConnection::read);
        connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
        m_idle.start();
    }

    ~AdminConnection() override {
        // Going with its server (the listener turned off from inside a request): what was answered still leaves.
        if (m_socket->state() == QAbstractSocket::ConnectedState && m_socket->bytesToWrite() > 0)
            m_socket->flush();
    }

    bool onHeadersComplete() override {
        if (m_gate) {
            const QByteArray& target = m_parser.target();
            const qsizetype q = target.indexOf('?');
            if (std::optional<AdminReply> refused = m_gate(q < 0 ? target : target.left(q), m_parser.headers())) {
                m_keepAlive = false;
                m_head = m_parser.method() == "HEAD";
                write(*refused); // and close: the body, if any, is never read
                return false;
            }
        }
        // curl sends Expect: 100-continue before a large PUT; answer it rather than make it wait a second.
        if (m_parser.headers().hasToken("expect", "100-continue") && m_parser.versionMinor() >= 1)
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        return true;
    }
    void onBody(const char* data, qsizetype len) override { m_request.http.body.append(data, len); }
    void onMessageComplete() override {} // feed() reports Complete

private:
    static HttpParser::Limits limits() {
        HttpParser::Limits l;
        l.maxBodyBytes = kMaxBody;
        return l;
    }

    void read() {
        m_in += m_socket->readAll();
        if (m_in.size() > kMaxQueued) { // a client pipelining without reading the answers
            m_socket->abort();
            return;
        }
        process();
    }

    void process() {
        while (!m_busy && !m_closing && !m_in.isEmpty()) {
            qsizetype used = 0;
            const HttpParser::Result r = m_parser.feed(m_in.constData(), m_in.size(), &used);
            m_in.remove(0, used);
            if (r == HttpParser::Result::Error) {
                if (m_closing)
                    return; // answered from onHeadersComplete
                m_head = false;
                const int status = m_parser.errorStatus() ? m_parser.errorStatus() : 400;
                m_keepAlive = false;
                write(AdminReply::error(status, m_parser.errorMessage()));
                return;
            }
            if (r == HttpParser::Result::NeedMore)
                return;
            dispatch();
        }
    }

    void dispatch() {
        HttpRequest& h = m_request.http;
        h.method = m_parser.method();
        h.target = m_parser.target();
        const qsizetype q = h.target.indexOf('?');
        h.path = q < 0 ? h.target : h.target.left(q);
        h.query = q < 0 ? QByteArray() : h.target.mid(q + 1);
        h.headers = m_parser.headers();
        h.versionMinor = m_parser.versionMinor();
        m_keepAlive = m_parser.keepAlive();
        m_head = h.method == "HEAD";
        m_request.peer = m_socket->peerAddress().toString();
        m_busy = true;
        m_idle.stop();
        QPointer<AdminConnection> self(this);
        const AdminRequest request = std::move(m_request);
        m_request = AdminRequest();
        m_handler(request, [self](AdminReply reply) {
            if (self)
                self->write(reply);
        });
    }

    void write(const AdminReply& reply) {
        QByteArray out = "HTTP/1.1 " + QByteArray::number(reply.status) + ' ' + reasonPhrase(reply.status) + "\r\n";
        out += "Content-Type: " + reply.contentType + "\r\n";
        out += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
        out += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
        for (const HttpHeaders::Entry& e : reply.headers.entries())
            out += e.first + ": " + e.second + "\r\n";
        if (!m_keepAlive)
            out += "Connection: close\r\n";
        out += "\r\n";
        if (!m_head)
            out += reply.body;
        m_socket->write(out);
        m_busy = false;
        if (!m_keepAlive) {
            m_closing = true; // nothing after a Connection: close request is answered
            m_socket->disconnectFromHost();
            return;
        }
        m_parser.reset();
        m_idle.start();
        if (!m_in.isEmpty())
            QTimer::singleShot(0, this, [this] { process(); });
    }

    QTcpSocket* m_socket;
    const AdminHandler& m_handler;
    const AdminGate& m_gate;
    HttpParser m_parser;
    AdminRequest m_request;
    QByteArray m_in;
    QTimer m_idle;
    bool m_busy = false;
    bool m_keepAlive = true;
    bool m_head = false;
    bool m_closing = false;
};
} // namespace

AdminReply AdminReply::json(int status, QByteArray body) {
    AdminReply r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

AdminReply AdminReply::error(int status, const QString& message) {
    QJsonObject e{{QStringLiteral("code"), status},
                  {QStringLiteral("message"), message},
                  {QStringLiteral("status"), QString::fromLatin1(grpcStatusFor(status))}};
    return json(status, QJsonDocument(QJsonObject{{QStringLiteral("error"), e}}).toJson(QJsonDocument::Compact));
}

AdminServer::AdminServer(AdminHandler handler, AdminGate gate, QObject* parent)
    : QObject(parent)
    , m_handler(std::move(handler))
    , m_gate(std::move(gate)) {}

AdminServer::~AdminServer() = default;

bool AdminServer::listen(const QString& host, quint16 port, QString* error) {
    const QHostAddress addr =
        host == QLatin1String("localhost") ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(host);
    if (addr.isNull()) {
        *error = QStringLiteral("admin.host: \"%1\" is not an IP address").arg(host);
        return false;
    }
    auto server = std::make_unique<QTcpServer>();
    if (!server->listen(addr, port)) {
        *error = QStringLiteral("the admin listener cannot listen on %1:%2: %3 (set metrics.prometheus_port to a free "
                                "port, or admin.enabled: false)")
                     .arg(host)
                     .arg(port)
                     .arg(server->errorString());
        return false;
    }
    connect(server.get(), &QTcpServer::newConnection, this, &AdminServer::accept);
    m_server = std::move(server); // the old socket (if any) closes here, after the new one listens
    m_host = host;
    return true;
}

void AdminServer::close() {
    m_server.reset();
}

bool AdminServer::isListening() const {
    return m_server && m_server->isListening();
}

quint16 AdminServer::port() const {
    return m_server ? m_server->serverPort() : 0;
}

void AdminServer::accept() {
    while (QTcpSocket* s = m_server->nextPendingConnection()) {
        if (children().size() >= kMaxConnections) { // its children are its connections
            s->abort();                             // an operator's tools need a few; this many is a flood
            s->deleteLater();
            continue;
        }
        s->setParent(nullptr);
        auto* c = new AdminConnection(s, m_handler, m_gate); // deletes itself when the client disconnects
        c->setParent(this);                                  // ... or goes with the server
    }
}

} // namespace gemgate
