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

    // request.proxy is the egress proxy: http://host:port or socks5://host:port; empty means a direct connection.
    std::unique_ptr<UpstreamCall> start(UpstreamRequest request, UpstreamHandler* handler) override;
    void sweep(qint64) override {}

private:
    friend class QnamCall;
    struct Manager {
        std::unique_ptr<QNetworkAccessManager> nam;
        int inFlight = 0;
    };
    // The managers of one egress proxy (or of direct connections). A proxy is a setting of the whole manager, read
    // when a request actually starts (for one with a body, in a later event-loop pass), so keys with different
    // proxies never share a manager: two requests started in one pass would both leave through the last one set.
    struct Route {
        QUrl proxy;
        std::vector<std::unique_ptr<Manager>> managers; // calls keep pointers to them: never moved
    };
    Manager* managerFor(const UpstreamRequest& request);
    Route& routeFor(const QUrl& proxy);

    // Qt 6.4 opens at most 6 HTTP/1.1 connections per host per manager and queues the rest, which would cap a
    // worker at 6 concurrent streams to a plain-HTTP/1.1 upstream. So requests to such upstreams are spread over
    // several managers, none with more than 6 in flight. HTTPS upstreams (Google) negotiate HTTP/2 and
    // multiplex every request over the first manager's one connection.
    std::vector<Route> m_routes;
};

} // namespace gemgate
