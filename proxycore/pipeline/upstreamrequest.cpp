#include "pipeline/upstreamrequest.h"

#include "pipeline/stage.h"

namespace gemgate {

UpstreamRequest buildUpstreamRequest(const RequestContext& ctx, const KeyLease& key) {
    const Runtime& rt = *ctx.runtime;
    const HttpRequest& in = ctx.request;
    UpstreamRequest out;
    out.method = in.method;
    out.origin = rt.upstreamOrigin;
    out.target = rt.upstreamPathPrefix + in.path;
    const QByteArray query = removeQueryItem(in.query, "key");
    if (!query.isEmpty())
        out.target += '?' + query;
    // Headers named in Connection are hop-by-hop too (RFC 9110 7.6.1).
    QList<QByteArray> connectionNamed;
    for (const QByteArray& n : in.headers.value("connection").split(','))
        connectionNamed.append(n.trimmed().toLower());
    const QByteArray sticky = rt.config->gemini.keyPool.stickyHeader.toLatin1();
    for (const auto& h : in.headers.entries()) {
        const QByteArray lower = h.first.toLower();
        if (rt.headerPolicy.dropRequestHeader(lower) || connectionNamed.contains(lower) || lower == sticky)
            continue;
        out.headers.add(h.first, h.second);
    }
    out.headers.add("Accept-Encoding", "identity");
    out.headers.add("x-goog-api-key", key.secret);
    out.body = in.body; // implicitly shared, not copied: kept for a replay on another key
    out.connectTimeoutMs = rt.config->gemini.connectTimeoutSeconds * 1000;
    out.readTimeoutMs = rt.config->gemini.timeoutSeconds * 1000;
    out.tls = rt.upstreamTls;
    out.proxy = key.proxy.isEmpty() ? rt.config->gemini.proxy : key.proxy;
    return out;
}

} // namespace gemgate
