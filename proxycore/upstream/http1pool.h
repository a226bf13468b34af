#pragma once

// Pooled HTTP/1.1 client on QTcpSocket/QSslSocket, one per worker thread: keep-alive reuse, no per-host cap,
// TLS with SNI and the system CA store, connect and read timeouts, responses parsed incrementally so that a
// stream is relayed as it arrives.

#include "upstream/transport.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>

namespace gemgate {

class Http1Connection;

class Http1Pool final : public UpstreamTransport {
public:
    Http1Pool();
    ~Http1Pool() override;

    std::unique_ptr<UpstreamCall> start(UpstreamRequest request, UpstreamHandler* handler) override;
    void sweep(qint64 nowMs) override;

    // How long an idle upstream connection is kept for reuse.
    void setIdleTimeoutMs(int ms) { m_idleTimeoutMs = ms; }

private:
    friend class Http1Connection;
    friend class Http1Call;
    qint64 nowMs() const { return m_clock.elapsed(); }
    Http1Connection* acquire(const UpstreamRequest& request);
    void release(Http1Connection* c); // response done, connection reusable
    void discard(Http1Connection* c); // closed or broken: forget it and delete it later

    QElapsedTimer m_clock;
    QHash<QString, QList<Http1Connection*>> m_idle; // origin -> idle connections, most recent last
    QList<Http1Connection*> m_all;
    int m_idleTimeoutMs = 30'000;
};

} // namespace gemgate
