#pragma once

// Upstream transport on QNetworkAccessManager: HTTP/2 to Google (many streams multiplexed on one connection),
// egress through an HTTP or SOCKS5 proxy, and control-plane calls. It costs more CPU per request than Http1Pool
// (see the benchmark), so it is chosen per upstream in the config (gemini.transport: http2, or any proxy).

#include "upstream/transport.h"

#include <QUrl>

class QNetworkAccessManager;

namespace gemgate {

class QnamTransport final : public UpstreamTransport {
public:
    QnamTransport();
    ~QnamTransport() override;

    std::unique_ptr<UpstreamCall> start(UpstreamRequest request, UpstreamHandler* handler) override;
    void sweep(qint64) override {}

    // Egress proxy: http://host:port or socks5://host:port; an empty URL means a direct connection.
    void setProxy(const QUrl& proxy);

private:
    friend class QnamCall;
    struct Manager {
        std::unique_ptr<QNetworkAccessManager> nam;
        int inFlight = 0;
    };
    Manager* managerFor(const UpstreamRequest& request);
    void applyProxy(QNetworkAccessManager* nam) const;

    // Qt 6.4 opens at most 6 HTTP/1.1 connections per host per manager and queues the rest, which would cap a
    // worker at 6 concurrent streams to a plain-HTTP/1.1 upstream. So requests to such upstreams are spread over
    // several managers, none with more than 6 in flight. HTTPS upstreams (Google) negotiate HTTP/2 and
    // multiplex every request over the first manager's one connection.
    std::vector<Manager> m_managers;
    QUrl m_proxy;
};

} // namespace gemgate
