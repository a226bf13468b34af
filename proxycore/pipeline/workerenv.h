#pragma once

// What the request path gets from the worker it runs on (WorkerEnv) and from the client connection it answers
// (ClientResponder).

#include "http/httpmessage.h"
#include "runtime/runtime.h"

#include <QByteArray>

namespace gemgate {

class PipelineCache;
class UpstreamTransport;
struct WorkerCounters;
class WorkerMetrics;

// What a session needs from the client connection. Implemented by HttpConnection.
class ClientResponder {
public:
    virtual ~ClientResponder() = default;
    // A complete response with Content-Length.
    virtual void sendResponse(int status, const HttpHeaders& headers, const QByteArray& body) = 0;
    // Starts a response; contentLength < 0 => chunked.
    virtual void beginResponse(int status, const HttpHeaders& headers, qint64 contentLength) = 0;
    virtual void writeBody(const char* data, qsizetype len) = 0;
    virtual void endResponse() = 0;
    // Ends the response as an error after it has started: the connection is closed without a clean end.
    virtual void abortResponse() = 0;
    // True while the client has more unsent bytes queued than the high-water mark; the session then pauses the
    // upstream until onClientDrained().
    virtual bool congested() const = 0;
    virtual qint64 bytesSent() const = 0;
};

// Per-worker services a session uses.
struct WorkerEnv {
    SharedState* shared = nullptr;
    PipelineCache* pipelines = nullptr; // the request stages for a config snapshot
    UpstreamTransport* http1 = nullptr;
    UpstreamTransport* qnam = nullptr;
    WorkerCounters* counters = nullptr;
    WorkerMetrics* metrics = nullptr;
    int workerId = 0;
    quint64 nextSeq = 0;

    // "<worker>-<sequence>" in hex: unique within the process, cheap, and carries no secret.
    QByteArray nextRequestId() { return QByteArray::number(workerId, 16) + '-' + QByteArray::number(++nextSeq, 16); }
};

} // namespace gemgate
