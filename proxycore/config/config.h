#pragma once

// The typed configuration snapshot. A Config is immutable once loaded: the controller publishes it as a
// std::shared_ptr<const Config> and swaps the pointer atomically on reload, so a request sees one consistent
// snapshot from start to end.

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <utility>

namespace gemgate {

struct TlsConfig {
    bool enabled = false;
    QString certPath;      // PEM certificate (chain); empty with enabled => self-signed, generated on first start
    QString keyPath;       // PEM private key
    QString selfSignedDir; // where the generated certificate lives; empty => <data dir>/tls
    // server.tls.acme: certificates from an RFC 8555 CA (tls/acmeclient.h).
    bool acmeEnabled = false;
    QStringList acmeDomains;
    QString acmeEmail;
    QString acmeDirectoryUrl = QStringLiteral("https://acme-v02.api.letsencrypt.org/directory");
    QString acmeCaFile;                                // extra CA for talking to the ACME server
    QString acmeChallenge = QStringLiteral("http-01"); // http-01 | tls-alpn-01 | dns-01
    int acmeHttpPort = 80;                             // the http-01 responder and redirect; 0 = off
    int acmeRenewBeforeDays = 30;
    QString acmeStorageDir; // empty => <data dir>/gemgate/acme
    QString acmeDnsHook;
    QString acmeEabKid;
    QString acmeEabHmacKey; // base64url, as CAs hand it out; never logged
};

struct ServerConfig {
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 8080;
    int workers = 0;                          // 0 => one per core
    int maxConnections = 10000;               // accepted connections at once; above this new ones are closed
    qint64 maxBodyBytes = 32LL * 1024 * 1024; // 413 above this
    int maxHeaderBytes = 64 * 1024;           // request line + headers; 431 above this
    int maxHeaderCount = 100;                 // 431 above this
    int headerTimeoutMs = 10'000;             // from first byte of a request to the end of its headers -> 408
    int bodyTimeoutMs = 60'000;               // between body bytes -> 408
    int idleTimeoutMs = 75'000;               // keep-alive idle connection -> closed silently
    int drainTimeoutMs = 30'000;              // on SIGTERM: how long in-flight requests may take to finish
    TlsConfig tls;
};

// Limits of one model (or model family) in one scope; 0 means unlimited. RPM and RPD count requests, TPM counts
// input tokens (estimated before the call, corrected from usageMetadata after it).
struct ModelLimits {
    qint64 rpm = 0;
    qint64 tpm = 0;
    qint64 rpd = 0;
    bool any() const { return rpm > 0 || tpm > 0 || rpd > 0; }
};

// model: an exact model name ("gemini-2.5-flash"), a prefix ending in '*' ("gemini-2.5-pro*"), or "*" for every
// model. The most specific rule that matches wins (exact, then the longest prefix, then "*").
struct ModelLimitRule {
    QString model;
    ModelLimits limits;
};

struct UpstreamKey {
    QString id;
    QString label;     // shown in the window; default: the id
    QString secret;    // a literal key (or ${VAR} already substituted); never logged
    QString secretRef; // "keychain:<name>", "env:<VAR>" or "file:<path>" when the secret lives in a store
    int weight = 1;
    bool enabled = true;
    QString project; // Google Cloud project; keys of one project share its quotas. Default: the key's own id
    QStringList tags;
    QStringList models;           // allowed models (exact or prefix*); empty => every model
    QUrl proxy;                   // egress proxy for this key only (forces the http2 transport for its requests)
    QList<ModelLimitRule> limits; // this key's own limits (key x model), on top of its project's
    bool managed = false;         // added from the window / admin API (stored in the state database)

    // A key given by value (tests, embedding).
    static UpstreamKey literal(QString id, QString secret, int weight = 1) {
        UpstreamKey k;
        k.id = std::move(id);
        k.secret = std::move(secret);
        k.weight = weight;
        return k;
    }
};

// A Google Cloud project's limits, overriding gemini.limits for the keys that name it.
struct ProjectConfig {
    QString id;
    QList<ModelLimitRule> limits;
};

enum class KeyStrategy { RoundRobin, LeastInFlight, MostHeadroom, WeightedRandom, Sticky };

struct BreakerConfig {
    bool enabled = true;
    int windowSeconds = 10; // 429s counted over this window
    double ratio = 0.75;    // trip when this share of the usable keys answered 429 within the window
    int minKeys = 2;        // ... and at least this many distinct keys did
    int openSeconds = 15;   // first open period; doubles on each failed probe, up to 5 minutes
};

struct KeyPoolConfig {
    KeyStrategy strategy = KeyStrategy::RoundRobin;
    QString stickyHeader = QStringLiteral("x-gemgate-session"); // sticky: this header, else the client id
    int retryBudgetMs = 30'000; // no new attempt starts after this long since the request arrived
    int backoffBaseMs = 250;    // transient failures: wait base * 2^(n-1) with jitter before attempt n+1
    int backoffMaxMs = 4'000;
    int cooldownBaseSeconds = 15; // per-minute 429 without RetryInfo: base * 2^(n-1) with jitter
    int cooldownMaxSeconds = 300;
    int blameAfterFailures = 3; // transient failures in a row (while other keys succeed) before a key rests
    int transientCooldownSeconds = 30;
    bool streamGuard = true;      // retry replies without candidates before the first byte reaches the client
    int healthCheckSeconds = 300; // re-validate disabled / resting keys this often (0 = never)
    BreakerConfig breaker;
};

enum class UpstreamTransportKind { Http1, Http2 };

struct GeminiConfig {
    QList<UpstreamKey> apiKeys;
    QUrl baseUrl = QUrl(QStringLiteral("https://generativelanguage.googleapis.com"));
    int timeoutSeconds = 300;       // upstream read timeout: longest silence allowed between response bytes
    int connectTimeoutSeconds = 10; // TCP + TLS connect
    UpstreamTransportKind transport = UpstreamTransportKind::Http1;
    QUrl proxy;                    // optional egress proxy: http://host:port or socks5://host:port (forces http2/QNAM)
    QString caFile;                // optional extra CA bundle (PEM) to trust for the upstream, e.g. a corporate CA
    int maxRetries = 2;            // retries on another key before the first byte reached the client
    QList<ModelLimitRule> limits;  // default limits per model family, applied per project x model
    QList<ProjectConfig> projects; // per-project overrides
    KeyPoolConfig keyPool;
};

// Client policy limits (issue 4). In every field -1 means "not set here" (the next level decides) and 0 means
// unlimited. YAML names: requests_per_minute, concurrent_requests, tokens_per_minute, tokens_per_day,
// tokens_per_month, requests_per_day, requests_per_month, max_input_tokens, max_output_tokens.
struct LimitSet {
    qint64 requestsPerMinute = -1;
    qint64 concurrentRequests = -1;
    qint64 tokensPerMinute = -1;
    qint64 tokensPerDay = -1;     // quota: total tokens per day (limits.time_zone's days)
    qint64 tokensPerMonth = -1;   // quota: total tokens per calendar month
    qint64 requestsPerDay = -1;   // quota: admitted requests per day
    qint64 requestsPerMonth = -1; // quota: admitted requests per month
    qint64 maxInputTokens = -1;   // per request, estimated from the body before forwarding
    qint64 maxOutputTokens = -1;  // per request: generationConfig.maxOutputTokens is clamped to this

    // Every field not set here taken from `fallback`.
    LimitSet over(const LimitSet& fallback) const {
        LimitSet r = *this;
        auto pick = [](qint64& mine, qint64 theirs) {
            if (mine < 0)
                mine = theirs;
        };
        pick(r.requestsPerMinute, fallback.requestsPerMinute);
        pick(r.concurrentRequests, fallback.concurrentRequests);
        pick(r.tokensPerMinute, fallback.tokensPerMinute);
        pick(r.tokensPerDay, fallback.tokensPerDay);
        pick(r.tokensPerMonth, fallback.tokensPerMonth);
        pick(r.requestsPerDay, fallback.requestsPerDay);
        pick(r.requestsPerMonth, fallback.requestsPerMonth);
        pick(r.maxInputTokens, fallback.maxInputTokens);
        pick(r.maxOutputTokens, fallback.maxOutputTokens);
        return r;
    }
    // True when no field limits anything (all unset or 0).
    bool unlimited() const {
        return requestsPerMinute <= 0 && concurrentRequests <= 0 && tokensPerMinute <= 0 && tokensPerDay <= 0 &&
               tokensPerMonth <= 0 && requestsPerDay <= 0 && requestsPerMonth <= 0 && maxInputTokens <= 0 &&
               maxOutputTokens <= 0;
    }
    bool operator==(const LimitSet&) const = default;
};

// The fields of a LimitSet by their YAML names (also the keys of a JWT's limits claim and of issued clients'
// stored limits).
inline constexpr std::pair<const char*, qint64 LimitSet::*> kLimitSetFields[] = {
    {"requests_per_minute", &LimitSet::requestsPerMinute}, {"concurrent_requests", &LimitSet::concurrentRequests},
    {"tokens_per_minute", &LimitSet::tokensPerMinute},     {"tokens_per_day", &LimitSet::tokensPerDay},
    {"tokens_per_month", &LimitSet::tokensPerMonth},       {"requests_per_day", &LimitSet::requestsPerDay},
    {"requests_per_month", &LimitSet::requestsPerMonth},   {"max_input_tokens", &LimitSet::maxInputTokens},
    {"max_output_tokens", &LimitSet::maxOutputTokens},
};

// The `limits` section: who gets which limits. A client's own limits (its auth.client_keys entry, its issued
// record, its JWT claims, or limits.clients.<name>) win field by field over limits.client_default, whose
// requests_per_minute defaults to auth.rate_limit_per_minute. Namespaces, source IPs and the whole gateway have
// their own buckets on top.
struct LimitsConfig {
    LimitSet clientDefault;              // limits.client_default
    QHash<QString, LimitSet> clients;    // limits.clients.<client name>
    LimitSet namespaceDefault;           // limits.namespace_default: each namespace gets its own buckets of these
    QHash<QString, LimitSet> namespaces; // limits.namespaces.<name>, over namespace_default
    LimitSet perIp;                      // limits.per_ip: requests_per_minute, concurrent_requests, tokens_per_minute
    LimitSet global;                     // limits.global: the whole gateway
    QString timeZone = QStringLiteral("UTC"); // limits.time_zone: day and month boundaries (IANA name or "local")
};

// Usage records (one per request) in the state database.
struct UsageConfig {
    bool enabled = true;              // usage.enabled
    int retentionDays = 30;           // usage.retention_days: per-request rows are deleted after this
    int aggregateRetentionDays = 400; // usage.aggregate_retention_days: daily roll-ups are kept this long
};

// Header hygiene (seed 001): what never goes to Google, what never comes back, and what GemGate adds.
struct HeadersConfig {
    // headers.strip_upstream: request headers never forwarded (case-insensitive), besides credentials and
    // hop-by-hop headers, which are always dropped.
    QStringList stripUpstream = {QStringLiteral("x-forwarded-for"),   QStringLiteral("x-forwarded-host"),
                                 QStringLiteral("x-forwarded-proto"), QStringLiteral("x-real-ip"),
                                 QStringLiteral("forwarded"),         QStringLiteral("via"),
                                 QStringLiteral("cf-connecting-ip"),  QStringLiteral("true-client-ip"),
                                 QStringLiteral("x-client-ip"),       QStringLiteral("cookie")};
    // headers.strip_response: upstream response headers dropped besides those GemGate never relays (Server,
    // X-Powered-By, Set-Cookie, Alt-Svc, ...: only known content headers and x-goog-* are relayed at all).
    QStringList stripResponse;
    bool securityHeaders = true; // headers.security_headers: nosniff, no-referrer, frame DENY, HSTS on HTTPS
};

// Request/response body logging for debugging (log.bodies): off by default, capped, secrets redacted.
struct BodyLogConfig {
    bool enabled = false;
    QString path;                // empty => <data dir>/gemgate/bodies.log
    qint64 maxBytes = 16 * 1024; // per body; the rest is cut with a note
};

// The OpenAI-compatible API (/v1/chat/completions, /v1/embeddings, /v1/models, also under /v1beta/openai/).
struct OpenAiConfig {
    bool enabled = true;                  // openai.enabled
    QHash<QString, QString> modelAliases; // openai.model_aliases: "gpt-4o" -> "gemini-2.5-flash"
    bool reasoningContent = false;        // openai.reasoning_content: thought parts as delta.reasoning_content
};

struct ClientKey {
    QString id;
    QString key; // never logged
    QString nameSpace = QStringLiteral("default");
    LimitSet limits; // its own limits (its rate_limit_per_minute is limits.requestsPerMinute)
    QStringList ipAllow;
    QStringList ipDeny;
    QStringList models; // allowed models (exact or prefix*); empty = all

    static ClientKey make(QString id, QString key, int requestsPerMinute = -1) {
        ClientKey k;
        k.id = std::move(id);
        k.key = std::move(key);
        k.limits.requestsPerMinute = requestsPerMinute;
        return k;
    }
};

// Client JWTs (besides client keys): verified with auth.jwt_secret (HS256) and/or public keys (RS256, ES256).
struct JwtSettings {
    QStringList publicKeys; // PEM text or PEM file paths
    QString jwksFile;       // a JSON Web Key Set file, re-read on reload
    QString issuer;         // required "iss" when set
    QStringList audiences;  // "aud" must contain one of these when set
    int leewaySeconds = 60;
    QString identityClaim = QStringLiteral("sub");
    QString namespaceClaim = QStringLiteral("namespace");   // the client's namespace, when the token has it
    QString limitsClaim = QStringLiteral("gemgate_limits"); // an object of limit fields (YAML names), optional
    bool configured(const QString& secret) const {
        return !secret.isEmpty() || !publicKeys.isEmpty() || !jwksFile.isEmpty();
    }
};

struct AuthConfig {
    bool enabled = true;
    JwtSettings jwt;
    QStringList ipAllow;                              // CIDR; empty = every address not denied
    QStringList ipDeny;                               // CIDR; wins over ipAllow
    QStringList trustedProxies;                       // CIDR of reverse proxies whose forwarding headers are believed
    QString forwardedHeader = QStringLiteral("auto"); // auto | x-forwarded-for | forwarded
    QString jwtSecret;                                // HS256 secret for client JWTs (>= 32 bytes)
    int rateLimitPerMinute = 0; // the default requests per minute of every client (under limits.client_default)
    QList<ClientKey> clientKeys;
};

struct MetricsConfig {
    bool enabled = true;           // GET /metrics on the admin listener
    quint16 prometheusPort = 9090; // the admin listener's port (0: any free port, for tests)
};

// The admin listener (metrics.prometheus_port): /metrics, /health, /ready and the token-protected admin API.
struct AdminConfig {
    bool enabled = true;
    QString host = QStringLiteral("127.0.0.1"); // loopback unless an operator opens it up on purpose
    QString token;     // the admin API's bearer token (e.g. ${GEMGATE_ADMIN_TOKEN}); never logged
    QString tokenFile; // where a generated token is kept (0600); empty => <state database dir>/admin-token
};

enum class LogTarget { Stdout, File, Off };

struct LogConfig {
    LogTarget accessLog = LogTarget::Stdout;
    QString accessLogPath;                  // when accessLog == File
    QString level = QStringLiteral("info"); // debug | info | warning | error
    BodyLogConfig bodies;
};

struct StorageConfig {
    QString database; // SQLite file for key state, pins and usage; empty => <data dir>/gemgate/gemgate.db
};

struct Config {
    QString sourcePath; // the file this was loaded from (empty for built-in defaults)
    ServerConfig server;
    GeminiConfig gemini;
    AuthConfig auth;
    MetricsConfig metrics;
    AdminConfig admin;
    LogConfig log;
    StorageConfig storage;
    LimitsConfig limits;
    UsageConfig usage;
    HeadersConfig headers;
    OpenAiConfig openai;
};

using ConfigPtr = std::shared_ptr<const Config>;

} // namespace gemgate
