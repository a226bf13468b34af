#pragma once

// How the dashboard and the traffic history split finished requests: answered, the client's own mistake, refused
// by GemGate's policy (authentication, IP rules, limits, quotas, no usable key), or failed upstream (a 5xx, a
// broken or timed-out upstream, a stream cut short).

#include <QByteArray>
#include <QString>

namespace gemgate {

enum class Outcome : quint8 { Ok, ClientError, Rejected, UpstreamError };
inline constexpr int kOutcomeCount = 4;

Outcome classifyOutcome(int status, const QByteArray& errorKind);
inline Outcome classifyOutcome(int status, const QString& errorKind) {
    return classifyOutcome(status, errorKind.toLatin1());
}

} // namespace gemgate
