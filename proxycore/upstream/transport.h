#pragma once

// The upstream transport seam. Two implementations: Http1Pool (pooled HTTP/1.1 on QTcpSocket/QSslSocket, the
// data path) and QnamTransport (QNetworkAccessManager: HTTP/2 to Google, egress proxies, control-plane calls).
// Both live in one worker thread and are used only from it.

#include "http/httpmessage.h"

#include <QSslConfiguration>
#include <QString>
#include <QUrl>

#include <memory>

namespace gemgate {

struct UpstreamRequest {
    QByteArray method;
    QUrl origin;         // scheme://host:port of the upstream; selects the pooled connection
    QByteArray target;   // raw request-target sent as is: "/v1beta/models/x:generateContent?alt=sse"
    HttpHeaders headers; // already filtered: no hop-by-hop, Host and Content-Length are set by the transport
    QByteArray body;
    int connectTimeoutMs = 10'000;
    int readTimeoutMs = 300'000;                  // longest silence allowed while waiting for or reading the response
    std::shared_ptr<const QSslConfiguration> tls; // for https origins; null => system defaults
    QUrl proxy;                                   // egress proxy (QNAM transport only); empty => direct
};

enum class UpstreamErrorKind {
    Connect,  // DNS, refused, TLS handshake failure, connect timeout: nothing was sent
    Timeout,  // read timeout after the request was sent
    Protocol, // malformed response
    Closed,   // connection closed before the response was complete
};

const char* upstreamErrorName(UpstreamErrorKind kind);

// Receives one response. Contract: callbacks arrive in order headers -> data* -> complete, or error at any
// point (then nothing more). After cancel() nothing arrives. A handler may cancel or destroy the call from
// inside any callback.
class UpstreamHandler {
public:
    virtual ~UpstreamHandler() = default;
    virtual void onUpstreamHeaders(int status, const HttpHeaders& headers) = 0;
    virtual void onUpstreamData(const char* data, qsizetype len) = 0;
    virtual void onUpstreamComplete() = 0;
    virtual void onUpstreamError(UpstreamErrorKind kind, const QString& message) = 0;
};

// One request in flight. Destroying it cancels the request (the connection is closed, not reused).
class UpstreamCall {
public:
    virtual ~UpstreamCall() = default;
    // Backpressure: stop reading the response (the socket's kernel buffers fill up and TCP flow control slows
    // the upstream) until resumeReading().
    virtual void pauseReading() = 0;
    virtual void resumeReading() = 0;
};

class UpstreamTransport {
public:
    virtual ~UpstreamTransport() = default;
    virtual std::unique_ptr<UpstreamCall> start(UpstreamRequest request, UpstreamHandler* handler) = 0;
    // Periodic housekeeping from the worker's sweep timer: timeouts, idle connection expiry.
    virtual void sweep(qint64 nowMs) = 0;
};

} // namespace gemgate
