#pragma once

// The state shared by every worker: an immutable Runtime snapshot (the config plus what is derived from it once
// per load: TLS contexts, client key digests), swapped atomically on reload, and a few thread-safe services.
// It sits below the data path (net/, pipeline/, upstream/ include it; it includes none of them, nor control/).

#include "auth/iprules.h"
#include "auth/jwtverifier.h"
#include "clients/clientstore.h"
#include "config/config.h"
#include "http/headerpolicy.h"
#include "keys/keypool.h"
#include "keys/resourcepins.h"
#include "log/accesslog.h"
#include "log/bodylog.h"
#include "openai/openaitranslate.h"
#include "policy/policyengine.h"
#include "storage/usagestore.h"

#include <QDateTime>
#include <QHash>
#include <QMutex>
#include <QSslConfiguration>

#include <atomic>
#include <memory>

namespace gemgate {

// A client from auth.client_keys, by the SHA-256 of its key.
struct ConfigClient {
    QString id;
    QString nameSpace;
    LimitSet limits; // its own (unset fields: limits.clients / limits.client_default)
    IpRules ipRules; // its own allow / deny lists (the global ones apply too)
    QStringList models;
};

struct Runtime {
    ConfigPtr config;
    std::shared_ptr<const QSslConfiguration> serverTls;   // null => plain HTTP listener
    std::shared_ptr<const QSslConfiguration> upstreamTls; // trust settings for https upstreams
    QHash<QByteArray, ConfigClient> clientKeys;           // SHA-256 of a client key -> the client
    LimitSet clientDefault; // limits.client_default; requests per minute defaulting to auth.rate_limit_per_minute
    std::shared_ptr<const JwtVerifier> jwt; // null when no JWT key is configured
    IpRules ipRules;                        // auth.ip_allow / ip_deny
    CidrSet trustedProxies;
    ForwardedHeader forwardedHeader = ForwardedHeader::Auto;
    QUrl upstreamOrigin;           // scheme://host:port of gemini.base_url
    QByteArray upstreamPathPrefix; // base_url's path without trailing '/'
    HeaderPolicy headerPolicy;     // headers.*: request/response header hygiene, security headers
};
using RuntimePtr = std::shared_ptr<const Runtime>;

// Builds a Runtime from a validated Config (loads or generates the TLS certificate). Returns null with *error.
// *notes receives informational lines (e.g. "generated a self-signed certificate in ...").
RuntimePtr buildRuntime(ConfigPtr config, QString* error, QStringList* notes = nullptr);

struct SharedState {
    std::atomic<RuntimePtr> runtime;
    KeyPool keys;
    ResourcePins pins;
    ClientDirectory clients;           // client keys issued by GemGate (state database), beside auth.client_keys
    PolicyEngine policy;               // client, namespace, source-IP and global limits and quotas
    openai::SignatureCache signatures; // thought signatures of tool calls sent to OpenAI clients
    // Where usage records go (the state database's usage tables); null while no database is attached.
    std::atomic<UsageStore*> usage{nullptr};
    AccessLog accessLog;
    BodyLog bodyLog; // log.bodies: off unless configured; after keys (its writer reads their secrets)
    std::atomic<bool> draining{false};
    std::atomic<int> connections{0};
    QDateTime startedAt = QDateTime::currentDateTimeUtc();
    // Where the gateway listens ("http://127.0.0.1:8080"); changes when a reload moves the listener.
    QString listenUrl() const {
        QMutexLocker lock(&m_listenUrlMutex);
        return m_listenUrl;
    }
    void setListenUrl(const QString& url) {
        QMutexLocker lock(&m_listenUrlMutex);
        m_listenUrl = url;
    }

    RuntimePtr snapshot() const { return runtime.load(std::memory_order_acquire); }

private:
    mutable QMutex m_listenUrlMutex;
    QString m_listenUrl;
};

} // namespace gemgate
