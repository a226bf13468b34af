#pragma once

// The admin listener's HTTP transport (metrics.prometheus_port, loopback by default): a small QTcpServer living in
// the controller's thread, because everything it serves is the controller's (config, keys, clients, metrics) and
// none of it is on the data path. It parses with the gateway's own HttpParser (llhttp), answers each request through
// a handler that may reply later (a key test waits for Google), and keeps connections alive like any HTTP/1.1
// server. Routing and the admin token are the handler's business (AdminApi).

#include "http/httpmessage.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

class QTcpServer;

namespace gemgate {

struct AdminReply {
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    HttpHeaders headers; // extra headers (WWW-Authenticate, Allow, Retry-After, ...)

    static AdminReply json(int status, QByteArray body);
    // {"error":{"code":N,"message":"...","status":"..."}} with the status names of Google's APIs.
    static AdminReply error(int status, const QString& message);
};

struct AdminRequest {
    HttpRequest http;
    QString peer; // "127.0.0.1"
};

// respond may be called once, at once or later, from the controller's thread; it does nothing once the client has
// gone.
using AdminResponder = std::function<void(AdminReply)>;
using AdminHandler = std::function<void(const AdminRequest&, AdminResponder respond)>;
// Asked when a request's headers are in, before its body is read: a reply here is sent at once and the connection
// closes (a request without the admin token never gets its body read).
using AdminGate = std::function<std::optional<AdminReply>(const QByteArray& path, const HttpHeaders& headers)>;

class AdminServer final : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxConnections = 64;

    AdminServer(AdminHandler handler, AdminGate gate, QObject* parent = nullptr);
    ~AdminServer() override;

    // host: an IP address or "localhost". On failure the previous socket (if any) keeps listening and *error says
    // why. On success a previous socket is closed only after the new one listens.
    bool listen(const QString& host, quint16 port, QString* error);
    void close();
    bool isListening() const;
    quint16 port() const;
    QString host() const { return m_host; }

private:
    void accept();

    AdminHandler m_handler;
    AdminGate m_gate;
    std::unique_ptr<QTcpServer> m_server;
    QString m_host;
};

} // namespace gemgate
