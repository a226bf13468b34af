#include "tls/acmehttp.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace gemgate {

namespace {
constexpr qsizetype kMaxHead = 8 * 1024;
const QByteArray kPrefix = "/.well-known/acme-challenge/";
} // namespace

AcmeHttpResponder::AcmeHttpResponder(QObject* parent)
    : QObject(parent)
    , m_server(new QTcpServer(this)) {
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket* s = m_server->nextPendingConnection())
            serve(s);
    });
}

AcmeHttpResponder::~AcmeHttpResponder() = default;

bool AcmeHttpResponder::listen(const QHostAddress& address, quint16 port, QString* error) {
    if (m_server->listen(address, port))
        return true;
    *error = QStringLiteral("cannot listen on %1:%2 for ACME http-01: %3")
                 .arg(address.toString())
                 .arg(port)
                 .arg(m_server->errorString());
    return false;
}

quint16 AcmeHttpResponder::port() const {
    return m_server->serverPort();
}

void AcmeHttpResponder::deploy(const QString& type, const QString&, const QByteArray& token,
                               const QByteArray& keyAuthorization, std::function<void(const QString&)> ready) {
    if (type != QLatin1String("http-01")) {
        ready(QStringLiteral("the HTTP responder answers http-01 only"));
        return;
    }
    if (!m_server->isListening()) {
        ready(QStringLiteral("the http-01 responder is not listening (server.tls.acme.http_port)"));
        return;
    }
    m_tokens.insert(token, keyAuthorization);
    ready(QString());
}

void AcmeHttpResponder::cleanup(const QString&, const QString&, const QByteArray& token) {
    m_tokens.remove(token);
}

void AcmeHttpResponder::serve(QTcpSocket* socket) {
    socket->setParent(this);
    auto* timer = new QTimer(socket);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, socket, &QTcpSocket::abort);
    timer->start(10'000);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
        QByteArray head = socket->property("head").toByteArray() + socket->readAll();
        if (head.size() > kMaxHead) {
            socket->write(
                "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
            socket->disconnectFromHost();
            return;
        }
        const qsizetype end = head.indexOf("\r\n\r\n");
        if (end < 0) {
            socket->setProperty("head", head);
            return;
        }
        const QList<QByteArray> requestLine = head.left(head.indexOf("\r\n")).split(' ');
        const QByteArray method = requestLine.value(0);
        const QByteArray target = requestLine.value(1);
        QByteArray host;
        for (const QByteArray& line : head.left(end).split('\n')) {
            if (line.toLower().startsWith("host:"))
                host = line.mid(5).trimmed();
        }
        QByteArray response;
        if (target.startsWith(kPrefix) && (method == "GET" || method == "HEAD")) {
            const QByteArray token = target.mid(kPrefix.size());
            const auto it = m_tokens.constFind(token);
            if (it != m_tokens.constEnd()) {
                response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: " +
                           QByteArray::number(it->size()) + "\r\n\r\n" + (method == "GET" ? *it : QByteArray());
            } else {
                response = "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
            }
        } else {
            // Everything else: the same place on HTTPS. The host's own port is replaced by the HTTPS one.
            QByteArray name = host;
            if (!name.startsWith('[') && name.count(':') == 1)
                name = name.left(name.indexOf(':'));
            else if (name.startsWith('[') && name.contains("]:"))
                name = name.left(name.indexOf("]:") + 1);
            const bool valid = !name.isEmpty() && !name.contains(' ') && target.startsWith('/');
            if (!valid) {
                response = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
            } else {
                const QByteArray port = m_httpsPort == 443 ? QByteArray() : ':' + QByteArray::number(m_httpsPort);
                response = "HTTP/1.1 308 Permanent Redirect\r\nLocation: https://" + name + port + target +
                           "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
            }
        }
        socket->write(response);
        socket->disconnectFromHost();
    });
}

} // namespace gemgate
