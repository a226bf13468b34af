#include "pipeline/filters/openaifilter.h"

#include "openai/openaitranslate.h"
#include "pipeline/filters/meterfilter.h"
#include "pipeline/stage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace gemgate {

namespace {
constexpr qsizetype kMaxTranslatedBody = 64 * 1024 * 1024; // a whole answer translated for an OpenAI client

// True when a body is a Gemini error envelope ({"error":{"code":...) rather than OpenAI's.
bool isGeminiError(const QByteArray& body) {
    return body.contains("\"status\"") || !body.contains("\"type\"");
}

// An OpenAI model list with the configured aliases added (each one whose Gemini model is in the list).
QByteArray withAliases(const QByteArray& list, const QHash<QString, QString>& aliases) {
    QJsonObject o = QJsonDocument::fromJson(list).object();
    QJsonArray data = o.value(QLatin1String("data")).toArray();
    QSet<QString> ids;
    for (const QJsonValue& m : std::as_const(data))
        ids.insert(m[QLatin1String("id")].toString());
    for (auto it = aliases.cbegin(); it != aliases.cend(); ++it) {
        if (ids.contains(it.value()) && !ids.contains(it.key())) {
            data.append(QJsonObject{{QStringLiteral("id"), it.key()},
                                    {QStringLiteral("object"), QStringLiteral("model")},
                                    {QStringLiteral("created"), 0},
                                    {QStringLiteral("owned_by"), QStringLiteral("google")}});
        }
    }
    o.insert(QLatin1String("data"), data);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

OpenAiFilter::OpenAiFilter(const RequestContext& ctx, const OpenAiConfig& config, openai::SignatureCache& signatures,
                           const MeterFilter& meter)
    : m_ctx(ctx)
    , m_config(config)
    , m_signatures(signatures)
    , m_meter(meter) {}

OpenAiFilter::~OpenAiFilter() = default;

void OpenAiFilter::onAttempt() {
    m_stream.reset();
    m_collect = false;
    m_tooLarge = false;
    m_status = 0;
    m_body.clear();
}

HttpHeaders OpenAiFilter::headers() const {
    HttpHeaders h;
    // Fields the client sent that have no Gemini equivalent and were left out (see the README's table).
    if (!m_ctx.openai->ignored.isEmpty())
        h.add("x-gemgate-ignored-fields", m_ctx.openai->ignored.join(QLatin1Char(',')).toLatin1());
    return h;
}

void OpenAiFilter::onHead(ResponseHead& head) {
    if (!m_ctx.openai) { // not a translated call (nothing to translate)
        m_next->onHead(head);
        return;
    }
    m_status = head.status;
    if (!m_ctx.openai->stream) {
        // A whole JSON answer: translated once it is complete (nothing has reached the client yet).
        m_collect = true;
        return;
    }
    openai::ChatContext c;
    c.model = m_ctx.openai->requestedModel;
    c.created = m_ctx.openai->created;
    c.includeUsage = m_ctx.openai->includeUsage;
    c.reasoningContent = m_config.reasoningContent;
    c.signatures = &m_signatures;
    m_stream = std::make_unique<openai::ChatStreamTranslator>(c);
    ResponseHead h;
    h.status = head.status;
    h.headers = headers();
    h.headers.add("Content-Type", "text/event-stream");
    h.headers.add("Cache-Control", "no-cache");
    m_next->onHead(h);
}

void OpenAiFilter::onData(const char* data, qsizetype len) {
    if (m_collect) {
        if (m_body.size() + len <= kMaxTranslatedBody)
            m_body.append(data, len);
        else
            m_tooLarge = true;
        return;
    }
    if (!m_stream) {
        m_next->onData(data, len);
        return;
    }
    const QByteArray out = m_stream->feed(data, len);
    if (!out.isEmpty())
        m_next->onData(out.constData(), out.size());
}

void OpenAiFilter::onEnd(StreamEnd& end) {
    if (m_collect) {
        m_collect = false;
        if (m_tooLarge) {
            const GatewayError e =
                GatewayError::make(502, QStringLiteral("The Gemini answer is larger than GemGate translates (64 MiB)."),
                                   "translation_too_large");
            ResponseHead h;
            h.status = e.status;
            h.origin = ReplyOrigin::Local;
            h.headers.add("Content-Type", "application/json; charset=UTF-8");
            QByteArray body = openai::errorBody(openai::fromGeminiError(e.status, geminiErrorBody(e)));
            QByteArray kind = e.kind;
            m_next->onReply(h, body, kind);
            return;
        }
        QByteArray body = translateWhole();
        // An answer that could not be translated (not JSON, or an error inside a 2xx) is not a success.
        const bool failed = body.startsWith("{\"error\":");
        ResponseHead h;
        h.status = failed ? 502 : m_status;
        h.headers = headers();
        h.headers.add("Content-Type", "application/json");
        h.contentLength = body.size();
        QByteArray kind = failed ? QByteArray("untranslatable_reply") : end.errorKind;
        m_next->onReply(h, body, kind);
        return;
    }
    if (m_stream) {
        if (end.error && !end.tail) {
            if (end.clean) { // the quota cut: Gemini's 429, as OpenAI's
                end.tail = openai::ChatStreamTranslator::errorEvent(
                    openai::fromGeminiError(end.error->status, geminiErrorBody(*end.error)));
            } else {
                openai::ApiError oe;
                oe.status = end.error->status;
                oe.type = QStringLiteral("api_error");
                oe.message = end.error->message;
                end.tail = openai::ChatStreamTranslator::errorEvent(oe);
            }
        } else if (!end.error) {
            end.tail = m_stream->finish();
        }
    }
    m_next->onEnd(end);
}

QByteArray OpenAiFilter::translateWhole() {
    QByteArray body;
    switch (m_ctx.openai->op) {
    case OpenAiOp::Chat: {
        openai::ChatContext c;
        c.model = m_ctx.openai->requestedModel;
        c.created = m_ctx.openai->created;
        c.reasoningContent = m_config.reasoningContent;
        c.signatures = &m_signatures;
        body = openai::translateChatResponse(m_body, c);
        break;
    }
    case OpenAiOp::Embeddings: {
        // batchEmbedContents reports no usage: the estimate stands in.
        const TokenUsage& u = m_meter.scanner().usage();
        body = openai::translateEmbeddingsResponse(m_body, m_ctx.openai->requestedModel,
                                                   u.seen ? u.prompt : m_ctx.estimatedTokens, m_ctx.openai->base64);
        break;
    }
    case OpenAiOp::Models:
        body = openai::translateModelList(m_body);
        if (!m_config.modelAliases.isEmpty())
            body = withAliases(body, m_config.modelAliases);
        break;
    case OpenAiOp::Model:
        body = openai::translateModel(m_body);
        if (body.startsWith("{\"id\"") || body.contains("\"object\":\"model\"")) {
            // An alias is answered under the name the client asked for.
            QJsonObject o = QJsonDocument::fromJson(body).object();
            if (!o.isEmpty() && !m_ctx.openai->requestedModel.isEmpty()) {
                o.insert(QLatin1String("id"), m_ctx.openai->requestedModel);
                body = QJsonDocument(o).toJson(QJsonDocument::Compact);
            }
        }
        break;
    case OpenAiOp::None:
        body = m_body;
        break;
    }
    m_body.clear();
    return body;
}

void OpenAiFilter::onReply(ResponseHead& head, QByteArray& body, QByteArray& errorKind) {
    onAttempt(); // a whole reply replaces anything collected
    if (m_ctx.api == ApiFlavor::OpenAi && head.status >= 400) {
        if (head.origin == ReplyOrigin::UpstreamError) {
            body = openai::errorBody(openai::fromGeminiError(head.status, body));
            head.headers.set("content-type", "application/json");
        } else if (isGeminiError(body)) {
            // An error the gateway answers in Gemini's envelope: OpenAI clients get OpenAI's.
            body = openai::errorBody(openai::fromGeminiError(head.status, body));
        }
    }
    m_next->onReply(head, body, errorKind);
}

} // namespace gemgate
