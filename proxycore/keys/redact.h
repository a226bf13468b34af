#pragma once

// The one place that removes key material from text leaving the process (error bodies relayed to clients,
// log lines). Upstream error bodies can quote the key itself ("Consumer 'api_key:AIza…' has been suspended").

#include <QByteArray>
#include <QList>

namespace gemgate {

// Replaces every occurrence of each secret, and anything shaped like a Google API key (AIza + 35 chars), with
// "[REDACTED]".
QByteArray redactSecrets(QByteArray text, const QList<QByteArray>& secrets);

} // namespace gemgate
