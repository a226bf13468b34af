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

OpenAiOp RouteStage::openAiOp(const HttpRequest& request) {
    const QByteArray& path = request.path;
    QByteArrayView rest;
    bool shared = false; // under /v1/: models only when the client authenticates the OpenAI way
    if (path.startsWith("/v1beta/openai/")) {
        rest = QByteArrayView(path).sliced(15);
    } else if (path.startsWith("/v1/")) {
        rest = QByteArrayView(path).sliced(4);
        shared = true;
    } else {
        return OpenAiOp::None;
    }
    if (rest == "chat/completions")
        return OpenAiOp::Chat;
    if (rest == "embeddings")
        return OpenAiOp::Embeddings;
    if (rest == "models" ||
        (rest.startsWith("models/") && rest.size() > 7 && !rest.contains(':') && rest.sliced(7).indexOf('/') < 0)) {
        if (shared) {
            const bool bearer = request.headers.value("authorization").trimmed().toLower().startsWith("bearer ");
            if (!bearer || request.headers.contains("x-goog-api-key") || !queryValue(request.query, "key").isEmpty())
                return OpenAiOp::None;
        }
        return rest == "models" ? OpenAiOp::Models : OpenAiOp::Model;
    }
    return OpenAiOp::None;
}

ApiFlavor RouteStage::apiFlavor(const HttpRequest& request, const Config& config, OpenAiOp* op) {
    OpenAiOp found = openAiOp(request);
    if (!config.openai.enabled && request.path.startsWith("/v1/models"))
        found = OpenAiOp::None;
    if (op)
        *op = found;
    return found != OpenAiOp::None || request.path.startsWith("/v1beta/openai/") ? ApiFlavor::OpenAi
                                                                                 : ApiFlavor::Gemini;
}

std::optional<LocalReply> RouteStage::onRequest(RequestContext& ctx) {
    const QByteArray& path = ctx.request.path;
    if (ctx.openAiOp != OpenAiOp::None) {
        ctx.route = Route::GeminiApi; // forwarded once OpenAiStage has translated it
        return std::nullopt;
    }
    if (path.startsWith("/v1beta/openai/")) {
        // Google's own OpenAI layer also has images, batches, ...: GemGate does not pass them through untranslated
        // (they would escape the client's policy and metering).
        return LocalReply::fromError(GatewayError::make(
            404,
            QStringLiteral("GemGate's OpenAI-compatible API serves chat/completions, embeddings and models; %1 %2 is "
                           "not supported.")
                .arg(QString::fromLatin1(ctx.request.method), QString::fromUtf8(path.left(200))),
            "unknown_url"));
    }
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
