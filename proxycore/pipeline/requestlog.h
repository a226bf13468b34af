#pragma once

// The logging step: what every finished request leaves behind, whichever way it ended (a relayed answer, a local
// reply, a client that went away, a request that failed at parsing): the worker's counters and metrics series,
// one usage record and one access-log line. One implementation, so that the paths cannot drift apart. Runs on the
// worker's thread; hands the usage record and the log line to their writers' batches (no wake-up of their threads).

#include "gemini/usagescanner.h"
#include "pipeline/workerenv.h"

#include <QByteArray>
#include <QString>

namespace gemgate {

struct RequestOutcome {
    const Runtime* runtime = nullptr; // the snapshot the request ran under; null: no usage record
    QByteArray requestId;
    QByteArray method;
    QByteArray path; // what the client asked for, without the query string
    QByteArray peer;
    QString clientId; // "" when the client was not authenticated
    QString nameSpace;
    QString keyId; // the upstream key of the last attempt ("" when none was used)
    QString model;
    QString metricsRoute = QStringLiteral("none"); // the bounded route label (gemini/routelabels.h)
    int status = 0;
    QByteArray errorKind; // "" on success
    qint64 arrivalMs = 0; // when the request arrived (ms since the epoch)
    qint64 latencyUs = 0;
    qint64 ttfbUs = -1;  // -1: no byte reached the client
    TokenUsage reported; // the usage the upstream reported (the access log's figures)
    TokenUsage metered;  // what counts against quotas and in usage records (embeddings at their estimate)
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
    int attempts = 0;
    bool stream = false;
    bool truncated = false; // a stream ended by GemGate because a quota ran out
    bool admitted = false;  // passed the client policy
};

void logRequest(WorkerEnv& env, const RequestOutcome& outcome);

} // namespace gemgate
