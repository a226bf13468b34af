#include "pipeline/stages/routestage.h"

namespace gemgate {

QString RouteStage::modelFromPath(const QByteArray& path) {
    for (const char* marker : {"/models/", "/tunedModels/"}) {
        const qsizetype at = path.indexOf(marker);
        if (at < 0)
            continue;
        const qsizetype start = at + qstrlen(marker);
        qsizetype end = start;
        while (end < path.size() && path[end] != ':' && path[end] != '/')
            ++end;
        return QString::fromUtf8(QByteArray::fromPercentEncoding(path.mid(start, end - start)));
    }
    return {};
}

std::optional<LocalReply> RouteStage::onRequest(RequestContext& ctx) {
    const QByteArray& path = ctx.request.path;
    static const QByteArray prefixes[] = {QByteArrayLiteral("/v1/"), QByteArrayLiteral("/v1beta/"),
                                          QByteArrayLiteral("/v1alpha/"), QByteArrayLiteral("/upload/")};
    for (const QByteArray& p : prefixes) {
        if (path.startsWith(p)) {
            ctx.route = Route::GeminiApi;
            ctx.model = modelFromPath(path);
            const qsizetype colon = path.lastIndexOf(':');
            if (colon > path.lastIndexOf('/'))
                ctx.action = path.mid(colon + 1);
            ctx.stream = path.contains(":streamGenerateContent");
            ctx.sse = ctx.stream && queryValue(ctx.request.query, "alt") == "sse";
            return std::nullopt;
        }
    }
    return LocalReply::fromError(GatewayError::make(
        404,
        QStringLiteral("No route for %1 %2. GemGate serves the Gemini API under /v1beta/ and /v1/ (and /health).")
            .arg(QString::fromLatin1(ctx.request.method), QString::fromUtf8(path.left(200))),
        "no_route"));
}

} // namespace gemgate
