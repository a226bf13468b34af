#pragma once

// GemGate's /metrics: everything the controller gathers for one scrape, rendered in the Prometheus text format
// (0.0.4) by prometheus-cpp's TextSerializer. Metric names and labels are listed in the README ("Metrics") and
// resources/monitoring/metric-names.txt.

#include "keys/keypool.h"
#include "policy/policyengine.h"

#include <QByteArray>

#include <vector>

namespace gemgate {

class WorkerMetrics;

struct ScrapeInput {
    std::vector<const WorkerMetrics*> workers;
    qint64 upstreamRetries = 0;
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
    int activeConnections = 0;
    int activeRequests = 0;
    int activeStreams = 0;
    QList<KeyStatus> keys;
    qint64 reloadsOk = 0;
    qint64 reloadsFailed = 0;
    QList<PolicyEngine::QuotaUse> quotas;
    // The served certificate's names and notAfter (seconds since the epoch); empty without a TLS listener.
    QStringList certificateNames;
    qint64 certificateNotAfter = 0;
    bool acme = false;       // server.tls.acme is on: the order counters are reported
    qint64 acmeOrdersOk = 0; // certificates obtained by this process
    qint64 acmeOrdersFailed = 0;
};

// "text/plain; version=0.0.4; charset=utf-8"
extern const char* const kPrometheusContentType;

QByteArray renderPrometheus(const ScrapeInput& in);

// The key states the metrics report: "available", "cooling" or "disabled".
const char* keyStateName(KeyHealth h);

} // namespace gemgate
