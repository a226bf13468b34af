#pragma once

// AcmeHttpResponder: GemGate's plain-HTTP port for ACME (server.tls.acme.http_port). It answers the CA's http-01
// checks (GET /.well-known/acme-challenge/<token> -> the key authorization) and sends everything else to HTTPS
// with a 308 (same host and path, the HTTPS listener's port). Small and separate from the gateway's listeners: it
// serves no API, reads at most one request head per connection and closes.

#include "tls/acmeclient.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>

class QTcpServer;
class QTcpSocket;

namespace gemgate {

class AcmeHttpResponder : public QObject, public AcmeChallengeSolver {
    Q_OBJECT
public:
    explicit AcmeHttpResponder(QObject* parent = nullptr);
    ~AcmeHttpResponder() override;

    // Listens on address:port (port 0: any free port, for tests). *error when it cannot.
    bool listen(const QHostAddress& address, quint16 port, QString* error);
    quint16 port() const;
    // The HTTPS port redirects point at (443 is left out of the URL).
    void setHttpsPort(quint16 port) { m_httpsPort = port; }

    void deploy(const QString& type, const QString& domain, const QByteArray& token, const QByteArray& keyAuthorization,
                std::function<void(const QString& error)> ready) override;
    void cleanup(const QString& type, const QString& domain, const QByteArray& token) override;

private:
    void serve(QTcpSocket* socket);

    QTcpServer* m_server = nullptr;
    QHash<QByteArray, QByteArray> m_tokens; // token -> key authorization
    quint16 m_httpsPort = 443;
};

} // namespace gemgate
