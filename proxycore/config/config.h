#pragma once

// The typed configuration snapshot. A Config is immutable once loaded: the controller publishes it as a
// std::shared_ptr<const Config> and swaps the pointer atomically on reload, so a request sees one consistent
// snapshot from start to end.

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace gemgate {

struct TlsConfig {
    bool enabled = false;
    QString certPath;      // PEM certificate (chain); empty with enabled => self-signed, generated on first start
    QString keyPath;       // PEM private key
    QString selfSignedDir; // where the generated certificate lives; empty => <data dir>/tls
    // ACME (seed 000's server.tls.acme) is parsed and kept so a later issue can act on it.
    bool acmeEnabled = false;
    QStringList acmeDomains;
    QString acmeEmail;
    QString acmeDirectoryUrl;
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

struct UpstreamKey {
    QString id;
    QString secret; // the upstream Gemini API key; never logged
    int weight = 1;
    int maxRequestsPerMinute = 0; // 0 => unlimited (kept for the key-pool issue)
};

enum class UpstreamTransportKind { Http1, Http2 };

struct GeminiConfig {
    QList<UpstreamKey> apiKeys;
    QUrl baseUrl = QUrl(QStringLiteral("https://generativelanguage.googleapis.com"));
    int timeoutSeconds = 300;       // upstream read timeout: longest silence allowed between response bytes
    int connectTimeoutSeconds = 10; // TCP + TLS connect
    UpstreamTransportKind transport = UpstreamTransportKind::Http1;
    QUrl proxy;         // optional egress proxy: http://host:port or socks5://host:port (forces http2/QNAM)
    QString caFile;     // optional extra CA bundle (PEM) to trust for the upstream, e.g. a corporate CA
    int maxRetries = 1; // retries on another key before the first byte reached the client
};

struct ClientKey {
    QString id;
    QString key; // never logged
};

struct AuthConfig {
    bool enabled = true;
    QString jwtSecret;          // kept for the JWT issue
    int rateLimitPerMinute = 0; // kept for the client-policy issue
    QList<ClientKey> clientKeys;
};

struct MetricsConfig {
    bool enabled = true;
    quint16 prometheusPort = 9090;
};

enum class LogTarget { Stdout, File, Off };

struct LogConfig {
    LogTarget accessLog = LogTarget::Stdout;
    QString accessLogPath;                  // when accessLog == File
    QString level = QStringLiteral("info"); // debug | info | warning | error
};

struct Config {
    QString sourcePath; // the file this was loaded from (empty for built-in defaults)
    ServerConfig server;
    GeminiConfig gemini;
    AuthConfig auth;
    MetricsConfig metrics;
    LogConfig log;
};

using ConfigPtr = std::shared_ptr<const Config>;

} // namespace gemgate
