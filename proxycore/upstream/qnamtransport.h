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
    int openConnections() const override { return m_inFlight; }

    // Egress proxy: http://host:port or socks5://host:port; an empty URL means a direct connection.
    void setProxy(const QUrl& proxy);
    QNetworkAccessManager* manager() const { return m_nam.get(); }

private:
    friend class QnamCall;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    QUrl m_proxy;
    int m_inFlight = 0;
};

} // namespace gemgate
