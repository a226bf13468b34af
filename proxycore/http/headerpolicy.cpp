#include "http/headerpolicy.h"

namespace gemgate {

namespace {

// Never forwarded, whatever headers.strip_upstream says: credentials, and what the gateway decides itself.
bool alwaysDroppedRequestHeader(const QByteArray& lower) {
    static const QByteArray names[] = {
        QByteArrayLiteral("host"),          QByteArrayLiteral("content-length"),  QByteArrayLiteral("x-goog-api-key"),
        QByteArrayLiteral("authorization"), QByteArrayLiteral("accept-encoding"), QByteArrayLiteral("expect"),
    };
    for (const QByteArray& n : names) {
        if (lower == n)
            return true;
    }
    return isHopByHopHeader(lower);
}

bool relayableResponseHeader(const QByteArray& lower) {
    static const QByteArray names[] = {
        QByteArrayLiteral("content-type"),
        QByteArrayLiteral("content-encoding"),
        QByteArrayLiteral("content-language"),
        QByteArrayLiteral("content-disposition"),
        QByteArrayLiteral("cache-control"),
        QByteArrayLiteral("expires"),
        QByteArrayLiteral("etag"),
        QByteArrayLiteral("last-modified"),
        QByteArrayLiteral("retry-after"),
        QByteArrayLiteral("vary"),
    };
    for (const QByteArray& n : names) {
        if (lower == n)
            return true;
    }
    return lower.startsWith("x-goog-");
}

void addIfAbsent(HttpHeaders* headers, const QByteArray& name, const QByteArray& value) {
    if (!headers->contains(name))
        headers->add(name, value);
}

} // namespace

HeaderPolicy::HeaderPolicy()
    : HeaderPolicy(HeadersConfig()) {}

HeaderPolicy::HeaderPolicy(const HeadersConfig& config)
    : m_stripUpstream(nameSet(config.stripUpstream))
    , m_stripResponse(nameSet(config.stripResponse))
    , m_securityHeaders(config.securityHeaders) {}

QSet<QByteArray> HeaderPolicy::nameSet(const QStringList& names) {
    QSet<QByteArray> set;
    set.reserve(names.size());
    for (const QString& n : names)
        set.insert(n.trimmed().toLower().toLatin1());
    return set;
}

bool HeaderPolicy::dropRequestHeader(const QByteArray& lower) const {
    return alwaysDroppedRequestHeader(lower) || m_stripUpstream.contains(lower);
}

bool HeaderPolicy::keepResponseHeader(const QByteArray& lower) const {
    return relayableResponseHeader(lower) && !m_stripResponse.contains(lower);
}

void HeaderPolicy::addSecurityHeaders(HttpHeaders* headers, bool tls, bool local) const {
    if (!m_securityHeaders)
        return;
    addIfAbsent(headers, QByteArrayLiteral("X-Content-Type-Options"), QByteArrayLiteral("nosniff"));
    addIfAbsent(headers, QByteArrayLiteral("Referrer-Policy"), QByteArrayLiteral("no-referrer"));
    addIfAbsent(headers, QByteArrayLiteral("X-Frame-Options"), QByteArrayLiteral("DENY"));
    if (local)
        addIfAbsent(headers, QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
    if (tls)
        addIfAbsent(headers, QByteArrayLiteral("Strict-Transport-Security"), QByteArrayLiteral("max-age=31536000"));
}

} // namespace gemgate
