#pragma once

// Classifies an upstream Gemini error (gemini-api.md section 5) into what the key pool should do about it:
// disable the key, cool it (or its project) down, retry elsewhere, or hand the error to the client unchanged.
// Works on the raw body, which may be one JSON object, or one wrapped in "[ ... ]" (non-SSE streaming), or not
// JSON at all (a proxy's HTML page).

#include <QByteArray>
#include <QString>

namespace gemgate {

enum class UpstreamErrorClass {
    None,        // not an error (status < 400)
    KeyInvalid,  // the key cannot be used: disable it, retry the request with another key
    RateLimited, // 429: cool the key's project down for the model, retry with a key of another project
    Transient,   // 500/502/503/504, connection errors, empty replies: retry with backoff, any key
    BadRequest,  // the client's fault (400, 404 on a model, 413, ...): never retried, never blamed on the key
    Cancelled,   // 499: came from our side; not retried
};

enum class QuotaScope { Unknown, PerMinute, PerDay };

struct ClassifiedError {
    UpstreamErrorClass cls = UpstreamErrorClass::None;
    int httpStatus = 0;
    QuotaScope quota = QuotaScope::Unknown; // RateLimited only
    qint64 retryDelayMs = -1;               // RetryInfo.retryDelay ("41s", "0.5s"), else "retry in 41.2s" in the
                                            // message; -1 when neither is present
    QString reason;  // short machine-readable cause: ErrorInfo.reason (API_KEY_INVALID, CONSUMER_SUSPENDED, ...),
                     // "LEAKED", "PREPAID_CREDIT_EXHAUSTED", "FAILED_PRECONDITION", "HTTP_503", ...
    QString quotaId; // QuotaFailure.violations[0].quotaId when present
    QString model;   // QuotaFailure.violations[0].quotaDimensions.model when present
    QString message; // error.message (NOT scrubbed: the caller redacts before showing it anywhere)
    bool billingWide = false; // 402: the billing account is out of credit, every key on it is affected
};

// status: the upstream HTTP status; body: the (possibly truncated) error body.
ClassifiedError classifyUpstreamError(int status, const QByteArray& body);

// For failures without an HTTP answer (connection refused/reset, timeouts, a stream cut before the first byte):
// always Transient, with reason e.g. "CONNECTION_RESET".
ClassifiedError transientError(const QString& reason, const QString& message);

const char* errorClassName(UpstreamErrorClass cls);

} // namespace gemgate
