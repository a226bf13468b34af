#include "metrics/outcome.h"

#include "metrics/workermetrics.h"

namespace gemgate {

Outcome classifyOutcome(int status, const QByteArray& errorKind) {
    if (WorkerMetrics::isRejection(errorKind))
        return Outcome::Rejected;
    if (status >= 500 || errorKind.startsWith("upstream_") || errorKind == "stream_guard" || errorKind == "broken" ||
        errorKind == "timeout")
        return Outcome::UpstreamError;
    if (status >= 400 || !errorKind.isEmpty())
        return Outcome::ClientError; // also a client that went away (client_closed) or sent a malformed request
    return Outcome::Ok;
}

} // namespace gemgate
