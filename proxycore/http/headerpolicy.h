#pragma once

// Header hygiene in both directions (config section `headers`): which request headers go upstream, which upstream
// response headers reach the client, and the security headers on every response GemGate sends. Built once per
// config load (held in the Runtime), consulted per header with a hash lookup.

#include "config/config.h"
#include "http/httpmessage.h"

#include <QSet>

namespace gemgate {

class HeaderPolicy {
public:
    HeaderPolicy(); // the defaults of HeadersConfig
    explicit HeaderPolicy(const HeadersConfig& config);

    // True when a request header (lower-cased name) must not be forwarded upstream: the client's credentials (the
    // upstream key replaces them), framing and encoding the gateway sets itself, hop-by-hop headers, and
    // headers.strip_upstream. Headers named in Connection and the sticky-session header are the caller's business.
    bool dropRequestHeader(const QByteArray& lower) const;

    // True when an upstream response header (lower-cased name) is relayed to the client: known content headers and
    // x-goog-* only (never Server, X-Powered-By, Set-Cookie, Alt-Svc, framing), minus headers.strip_response.
    bool keepResponseHeader(const QByteArray& lower) const;

    // Adds the security headers (headers.security_headers) to a response GemGate sends: X-Content-Type-Options,
    // Referrer-Policy and X-Frame-Options always; Strict-Transport-Security when the client connection is TLS;
    // Cache-Control: no-store on the gateway's own answers (`local`: errors, health) unless one is set already.
    // A header the response already carries is left as it is.
    void addSecurityHeaders(HttpHeaders* headers, bool tls, bool local) const;

    bool securityHeaders() const { return m_securityHeaders; }

    // Lower-cased names, for the Runtime's users and tests.
    static QSet<QByteArray> nameSet(const QStringList& names);

private:
    QSet<QByteArray> m_stripUpstream;
    QSet<QByteArray> m_stripResponse;
    bool m_securityHeaders = true;
};

} // namespace gemgate
