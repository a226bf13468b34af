#include "pipeline/stages/openaistage.h"

#include "openai/openaitranslate.h"

#include <QDateTime>

namespace gemgate {

namespace {
LocalReply openAiError(const openai::ApiError& e, const QByteArray& kind) {
    LocalReply r = LocalReply::json(e.status, openai::errorBody(e));
    r.errorKind = kind;
    return r;
}

QString stripModelsPrefix(QString model) {
    return model.startsWith(QLatin1String("models/")) ? model.mid(7) : model;
}
} // namespace

std::optional<LocalReply> OpenAiStage::onRequest(RequestContext& ctx) {
    if (ctx.openAiOp == OpenAiOp::None)
        return std::nullopt;
    const OpenAiConfig& cfg = m_rt->config->openai;
    if (!cfg.enabled) {
        openai::ApiError e;
        e.status = 404;
        e.type = QStringLiteral("not_found_error");
        e.message = QStringLiteral("The OpenAI-compatible API is turned off on this gateway (openai.enabled: false); "
                                   "use the native Gemini API under /v1beta/.");
        return openAiError(e, "openai_disabled");
    }
    const QByteArray wantMethod =
        (ctx.openAiOp == OpenAiOp::Chat || ctx.openAiOp == OpenAiOp::Embeddings) ? "POST" : "GET";
    if (ctx.request.method != wantMethod) {
        openai::ApiError e;
        e.status = 405;
        e.message = QStringLiteral("%1 %2 is not supported; use %3.")
                        .arg(QString::fromLatin1(ctx.request.method), QString::fromUtf8(ctx.request.path),
                             QString::fromLatin1(wantMethod));
        return openAiError(e, "method_not_allowed");
    }

    auto ex = std::make_shared<OpenAiExchange>();
    ex->op = ctx.openAiOp;
    ex->created = QDateTime::currentSecsSinceEpoch();
    openai::TranslateOptions options;
    options.modelAliases = cfg.modelAliases;
    options.signatures = &m_signatures;
    options.includeThoughts = cfg.reasoningContent;
    openai::ApiError error;
    ctx.clientPath = ctx.request.path;
    HttpRequest& req = ctx.request;

    switch (ctx.openAiOp) {
    case OpenAiOp::Chat: {
        const std::optional<openai::ChatRequest> chat = openai::translateChatRequest(req.body, options, &error);
        if (!chat)
            return openAiError(error, "invalid_request");
        ex->requestedModel = chat->requested;
        ex->stream = chat->stream;
        ex->includeUsage = chat->includeUsage;
        ex->ignored = chat->ignored;
        ctx.model = chat->model;
        ctx.action = chat->stream ? QByteArrayLiteral("streamGenerateContent") : QByteArrayLiteral("generateContent");
        req.path = "/v1beta/models/" + chat->model.toUtf8() + ':' + ctx.action;
        req.query = chat->stream ? QByteArrayLiteral("alt=sse") : QByteArray();
        req.body = chat->nativeBody;
        ctx.stream = chat->stream;
        ctx.sse = chat->stream;
        break;
    }
    case OpenAiOp::Embeddings: {
        const std::optional<openai::EmbeddingsRequest> emb =
            openai::translateEmbeddingsRequest(req.body, options, &error);
        if (!emb)
            return openAiError(error, "invalid_request");
        ex->requestedModel = emb->requested;
        ex->base64 = emb->base64;
        ctx.model = emb->model;
        ctx.action = QByteArrayLiteral("batchEmbedContents");
        req.path = "/v1beta/models/" + emb->model.toUtf8() + ":batchEmbedContents";
        req.query.clear();
        req.body = emb->nativeBody;
        break;
    }
    case OpenAiOp::Models:
        req.path = QByteArrayLiteral("/v1beta/models");
        req.query = QByteArrayLiteral("pageSize=1000");
        break;
    case OpenAiOp::Model: {
        const QString asked =
            QString::fromUtf8(QByteArray::fromPercentEncoding(req.path.mid(req.path.lastIndexOf('/') + 1)));
        ex->requestedModel = asked;
        const QString model = stripModelsPrefix(cfg.modelAliases.value(asked, asked));
        ctx.model = model;
        req.path = "/v1beta/models/" + QUrl::toPercentEncoding(model);
        req.query.clear();
        break;
    }
    case OpenAiOp::None:
        break;
    }
    // The native call carries its own framing; the body may have changed size.
    req.headers.set("content-type", "application/json");
    ctx.openai = std::move(ex);
    return std::nullopt;
}

} // namespace gemgate
