#include "pipeline/requestlog.h"

#include "gemini/routelabels.h"
#include "metrics/counters.h"
#include "metrics/outcome.h"
#include "metrics/workermetrics.h"

#include <QDateTime>

namespace gemgate {

void logRequest(WorkerEnv& env, const RequestOutcome& o) {
    WorkerCounters& c = *env.counters;
    WorkerCounters::add(c.requests, 1);
    if (o.status >= 400 || !o.errorKind.isEmpty())
        WorkerCounters::add(c.errors, 1);
    WorkerCounters::add(c.promptTokens, o.reported.prompt);
    WorkerCounters::add(c.outputTokens, o.reported.output());
    WorkerCounters::add(c.thoughtsTokens, o.reported.thoughts);
    switch (classifyOutcome(o.status, o.errorKind)) {
    case Outcome::Ok:
        break;
    case Outcome::ClientError:
        WorkerCounters::add(c.clientErrors, 1);
        break;
    case Outcome::Rejected:
        WorkerCounters::add(c.rejected, 1);
        break;
    case Outcome::UpstreamError:
        WorkerCounters::add(c.upstreamErrors, 1);
        break;
    }

    RequestSample sample;
    sample.route = o.metricsRoute;
    sample.model = o.model;
    sample.client = o.clientId;
    sample.status = o.status;
    sample.latencyUs = o.latencyUs;
    sample.ttfbUs = o.ttfbUs;
    sample.promptTokens = o.metered.prompt;
    sample.candidatesTokens = o.metered.candidates;
    sample.thoughtsTokens = o.metered.thoughts;
    sample.cachedTokens = o.metered.cached;
    sample.errorKind = o.errorKind;
    env.metrics->requestDone(sample);

    UsageStore* store = env.shared->usage.load(std::memory_order_acquire);
    if (store && o.runtime && o.runtime->config->usage.enabled) {
        UsageRecord rec;
        rec.timeMs = o.arrivalMs;
        rec.day = env.shared->policy.today();
        rec.requestId = o.requestId;
        rec.client = o.clientId;
        rec.nameSpace = o.nameSpace;
        rec.keyId = o.keyId;
        rec.model = o.model;
        rec.route = gemini::usageRouteLabel(o.method, o.path, o.model);
        rec.status = o.status;
        rec.latencyUs = o.latencyUs;
        rec.ttfbUs = o.ttfbUs;
        rec.promptTokens = o.metered.prompt;
        rec.candidatesTokens = o.metered.candidates;
        rec.thoughtsTokens = o.metered.thoughts;
        rec.cachedTokens = o.metered.cached;
        rec.totalTokens = o.metered.total;
        rec.bytesIn = o.bytesIn;
        rec.bytesOut = o.bytesOut;
        rec.errorKind = QString::fromLatin1(o.errorKind);
        rec.truncated = o.truncated;
        rec.stream = o.stream;
        rec.admitted = o.admitted;
        rec.attempts = o.attempts;
        store->record(std::move(rec));
    }

    AccessRecord r;
    r.timeMs = QDateTime::currentMSecsSinceEpoch();
    r.requestId = o.requestId;
    r.clientId = o.clientId;
    r.method = o.method;
    r.path = o.path.left(512);
    r.model = o.model;
    r.keyId = o.keyId;
    r.status = o.status;
    r.latencyUs = o.latencyUs;
    r.ttfbUs = o.ttfbUs;
    r.bytesIn = o.bytesIn;
    r.bytesOut = o.bytesOut;
    r.promptTokens = o.reported.prompt;
    r.cachedTokens = o.reported.cached;
    r.outputTokens = o.reported.output();
    r.totalTokens = o.reported.total;
    r.attempts = o.attempts;
    r.stream = o.stream;
    r.errorKind = o.errorKind;
    r.peer = o.peer;
    env.shared->accessLog.append(r);
}

} // namespace gemgate
