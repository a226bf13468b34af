// Native Gemini answers -> OpenAI shapes (docs/gemini-api.md 7.4): chat completions (whole and streamed), errors,
// embeddings and models; and the thought-signature cache that carries signatures across a tool-call round trip.
//
// Decisions:
// - finish_reason: any functionCall part in a choice -> "tool_calls" (the client must answer the calls whatever
//   else happened); MAX_TOKENS -> "length"; the filter reasons (SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT,
//   SPII, IMAGE_*) -> "content_filter"; everything else, including the function-call failures, -> "stop".
// - A blocked prompt (promptFeedback.blockReason, no candidates) is one choice with empty content and
//   "content_filter", never an empty success.
// - message.content is null only when the choice has tool calls and no text; otherwise a string (maybe empty).
// - Thought parts are dropped unless ChatContext::reasoningContent (then the non-standard reasoning_content).
// - A tool call's signature is the one on its own functionCall part, else one on an earlier part of the same
//   candidate (in a stream: of an earlier chunk) not yet given to a call. Only calls with a signature are cached.
// - usage: prompt = promptTokenCount + toolUsePromptTokenCount; completion = candidates + thoughts (thinking is
//   billed as output); total = totalTokenCount; cached and reasoning tokens in the *_details objects.
// - Models have "created": 0 (Gemini publishes no creation time) and "owned_by": "google".
// - A body that is not a JSON object, or that is a Gemini error envelope, comes back as an OpenAI error body
//   ({"error": ...}); the caller picks the HTTP status (fromGeminiError for the upstream's own errors).

#include "openai/openaitranslate.h"

#include "keys/redact.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QSet>
#include <QtEndian>

#include <bit>
#include <utility>

namespace gemgate::openai {

using namespace Qt::StringLiterals;

namespace {

QString randomId(const QString& prefix) {
    QString id = prefix;
    for (int i = 0; i < 3; ++i)
        id += QString::number(QRandomGenerator::global()->generate(), 16).rightJustified(8, u'0');
    return id;
}

QByteArray compact(const QJsonObject& o) {
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// proto3 JSON writes int64 as a string; counts may be either.
qint64 count(const QJsonObject& o, QLatin1StringView key) {
    const QJsonValue v = o.value(key);
    return v.isString() ? v.toString().toLongLong() : v.toInteger();
}

QJsonObject usageFrom(const QJsonObject& u) {
    const qint64 prompt = count(u, "promptTokenCount"_L1) + count(u, "toolUsePromptTokenCount"_L1);
    const qint64 thoughts = count(u, "thoughtsTokenCount"_L1);
    const qint64 completion = count(u, "candidatesTokenCount"_L1) + thoughts;
    const qint64 total = u.contains("totalTokenCount"_L1) ? count(u, "totalTokenCount"_L1) : prompt + completion;
    return QJsonObject{
        {"prompt_tokens"_L1, prompt},
        {"completion_tokens"_L1, completion},
        {"total_tokens"_L1, total},
        {"prompt_tokens_details"_L1, QJsonObject{{"cached_tokens"_L1, count(u, "cachedContentTokenCount"_L1)}}},
        {"completion_tokens_details"_L1, QJsonObject{{"reasoning_tokens"_L1, thoughts}}},
    };
}

QString finishReason(const QString& gemini, bool toolCalls) {
    static const QSet<QString> filtered = {u"SAFETY"_s,
                                           u"RECITATION"_s,
                                           u"BLOCKLIST"_s,
                                           u"PROHIBITED_CONTENT"_s,
                                           u"SPII"_s,
                                           u"IMAGE_SAFETY"_s,
                                           u"IMAGE_PROHIBITED_CONTENT"_s,
                                           u"IMAGE_RECITATION"_s};
    if (toolCalls)
        return u"tool_calls"_s;
    if (gemini == "MAX_TOKENS"_L1)
        return u"length"_s;
    if (filtered.contains(gemini))
        return u"content_filter"_s;
    return u"stop"_s;
}

QJsonArray tokenBytes(const QString& token) {
    QJsonArray bytes;
    for (const char c : token.toUtf8())
        bytes.append(int(static_cast<unsigned char>(c)));
    return bytes;
}

// logprobsResult {chosenCandidates[], topCandidates[{candidates[]}]} -> {"content": [{token, logprob, bytes,
// top_logprobs}]}.
QJsonValue logprobsFrom(const QJsonValue& v) {
    if (!v.isObject())
        return QJsonValue::Null;
    const QJsonArray chosen = v[u"chosenCandidates"_s].toArray();
    const QJsonArray top = v[u"topCandidates"_s].toArray();
    const auto entry = [](const QJsonObject& c) {
        const QString token = c.value("token"_L1).toString();
        return QJsonObject{{"token"_L1, token},
                           {"logprob"_L1, c.value("logProbability"_L1).toDouble()},
                           {"bytes"_L1, tokenBytes(token)}};
    };
    QJsonArray content;
    for (qsizetype i = 0; i < chosen.size(); ++i) {
        QJsonObject e = entry(chosen.at(i).toObject());
        QJsonArray alternatives;
        for (const QJsonValue& t : top.at(i)[u"candidates"_s].toArray())
            alternatives.append(entry(t.toObject()));
        e.insert("top_logprobs"_L1, alternatives);
        content.append(e);
    }
    return QJsonObject{{"content"_L1, content}};
}

struct Converted {
    QString text;
    QString reasoning;
    QJsonArray toolCalls; // [{id, type, function: {name, arguments}}]
};

// One candidate's parts. `pendingSignature` carries a signature seen on a part before its functionCall part.
Converted convertParts(const QJsonArray& parts, const ChatContext& ctx, QByteArray* pendingSignature) {
    Converted c;
    for (const QJsonValue& v : parts) {
        const QJsonObject p = v.toObject();
        const QByteArray own = p.value("thoughtSignature"_L1).toString().toLatin1();
        if (const QJsonValue fc = p.value("functionCall"_L1); fc.isObject()) {
            const QJsonObject call = fc.toObject();
            QString id = call.value("id"_L1).toString();
            if (id.isEmpty())
                id = randomId(u"call_"_s);
            const QString name = call.value("name"_L1).toString();
            const QJsonValue args = call.value("args"_L1);
            const QByteArray arguments = args.isObject() ? compact(args.toObject()) : QByteArrayLiteral("{}");
            const QByteArray signature = own.isEmpty() ? *pendingSignature : own;
            pendingSignature->clear();
            if (ctx.signatures && !signature.isEmpty())
                ctx.signatures->remember(id, name, signature);
            c.toolCalls.append(QJsonObject{
                {"id"_L1, id},
                {"type"_L1, u"function"_s},
                {"function"_L1, QJsonObject{{"name"_L1, name}, {"arguments"_L1, QString::fromUtf8(arguments)}}}});
            continue;
        }
        if (!own.isEmpty())
            *pendingSignature = own;
        // Other part kinds (inline data, code execution) only come from features this layer never requests.
        if (p.value("thought"_L1).toBool())
            c.reasoning += p.value("text"_L1).toString();
        else
            c.text += p.value("text"_L1).toString();
    }
    return c;
}

QJsonObject parseObject(const QByteArray& body, bool* ok) {
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    *ok = doc.isObject();
    return doc.object();
}

ApiError badUpstream(const QString& message) {
    ApiError e;
    e.status = 502;
    e.type = u"api_error"_s;
    e.message = message;
    e.code = u"bad_upstream_response"_s;
    return e;
}

} // namespace

// --- errors ---------------------------------------------------------------------------------------------------

QByteArray errorBody(const ApiError& e) {
    const auto orNull = [](const QString& s) { return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s); };
    return compact(QJsonObject{{"error"_L1, QJsonObject{{"message"_L1, e.message},
                                                        {"type"_L1, e.type},
                                                        {"param"_L1, orNull(e.param)},
                                                        {"code"_L1, orNull(e.code)}}}});
}

QString errorTypeFor(int httpStatus) {
    switch (httpStatus) {
    case 401:
        return u"authentication_error"_s;
    case 403:
        return u"permission_error"_s;
    case 404:
        return u"not_found_error"_s;
    case 429:
        return u"rate_limit_error"_s;
    default:
        return httpStatus >= 500 ? u"api_error"_s : u"invalid_request_error"_s;
    }
}

ApiError fromGeminiError(int httpStatus, const QByteArray& geminiBody) {
    const QJsonDocument doc = QJsonDocument::fromJson(geminiBody);
    // Non-SSE streams wrap the envelope in an array.
    const QJsonObject root = doc.isArray() ? doc.array().at(0).toObject() : doc.object();
    const QJsonObject err = root.value("error"_L1).toObject();
    const int code = err.value("code"_L1).toInt();
    const QString status = err.value("status"_L1).toString();

    ApiError e;
    e.status = httpStatus >= 400 ? httpStatus : (code >= 400 && code <= 599 ? code : 502);
    e.type = errorTypeFor(e.status);
    // The caller scrubs the configured keys; anything shaped like a Google API key goes here too.
    e.message = QString::fromUtf8(redactSecrets(err.value("message"_L1).toString().toUtf8(), {}));
    if (e.message.isEmpty())
        e.message = u"The upstream service answered with HTTP %1%2."_s.arg(e.status).arg(
            status.isEmpty() ? QString() : u" (" + status + u')');
    if (status == "RESOURCE_EXHAUSTED"_L1 && e.status == 402) {
        e.type = u"insufficient_quota"_s;
        e.code = u"insufficient_quota"_s;
    } else if (e.status == 429) {
        e.code = u"rate_limit_exceeded"_s;
    } else if (e.status == 404 && e.message.contains("models/"_L1)) {
        e.code = u"model_not_found"_s;
    } else if (e.status == 400 && e.message.contains("exceeds the maximum number of tokens"_L1)) {
        e.code = u"context_length_exceeded"_s;
    } else {
        e.code = status.toLower(); // "invalid_argument", "permission_denied", "unavailable", ...
    }
    return e;
}

// --- SignatureCache -------------------------------------------------------------------------------------------

SignatureCache::SignatureCache(int capacity, qint64 maxBytes)
    : m_capacity(qMax(1, capacity))
    , m_maxBytes(qMax<qint64>(1, maxBytes)) {}

void SignatureCache::remember(const QString& toolCallId, const QString& name, const QByteArray& signature) {
    if (toolCallId.isEmpty() || signature.isEmpty())
        return;
    QMutexLocker lock(&m_mutex);
    if (auto it = m_entries.find(toolCallId); it != m_entries.end()) {
        m_bytes -= it->signature.size();
        m_order.erase(it->order);
        m_entries.erase(it);
    }
    m_order.push_back(toolCallId);
    m_entries.insert(toolCallId, Entry{name, signature, std::prev(m_order.end())});
    m_bytes += signature.size();
    while (m_entries.size() > 1 && (m_entries.size() > m_capacity || m_bytes > m_maxBytes)) {
        const auto oldest = m_entries.constFind(m_order.front());
        m_bytes -= oldest->signature.size();
        m_entries.erase(oldest);
        m_order.pop_front();
    }
}

QByteArray SignatureCache::signature(const QString& toolCallId) const {
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(toolCallId);
    return it == m_entries.cend() ? QByteArray() : it->signature;
}

int SignatureCache::size() const {
    QMutexLocker lock(&m_mutex);
    return int(m_entries.size());
}

// --- chat completion ------------------------------------------------------------------------------------------

QByteArray translateChatResponse(const QByteArray& geminiBody, const ChatContext& context) {
    bool ok = false;
    const QJsonObject root = parseObject(geminiBody, &ok);
    if (!ok)
        return errorBody(badUpstream(u"The upstream response is not a JSON object."_s));
    if (root.contains("error"_L1))
        return errorBody(fromGeminiError(0, geminiBody));

    const QString responseId = root.value("responseId"_L1).toString();
    QMap<int, QJsonObject> choices;
    for (const QJsonValue& v : root.value("candidates"_L1).toArray()) {
        const QJsonObject cand = v.toObject();
        const int index = cand.value("index"_L1).toInt(0);
        QByteArray pending;
        const Converted c = convertParts(cand.value("content"_L1)[u"parts"_s].toArray(), context, &pending);
        const bool calls = !c.toolCalls.isEmpty();
        QJsonObject message{{"role"_L1, u"assistant"_s},
                            {"content"_L1, c.text.isEmpty() && calls ? QJsonValue(QJsonValue::Null) : c.text}};
        if (calls)
            message.insert("tool_calls"_L1, c.toolCalls);
        if (context.reasoningContent && !c.reasoning.isEmpty())
            message.insert("reasoning_content"_L1, c.reasoning);
        choices.insert(index, QJsonObject{
                                  {"index"_L1, index},
                                  {"message"_L1, message},
                                  {"logprobs"_L1, logprobsFrom(cand.value("logprobsResult"_L1))},
                                  {"finish_reason"_L1, finishReason(cand.value("finishReason"_L1).toString(), calls)},
                              });
    }
    if (choices.isEmpty()) {
        const bool blocked = !root.value("promptFeedback"_L1)[u"blockReason"_s].toString().isEmpty();
        choices.insert(0, QJsonObject{{"index"_L1, 0},
                                      {"message"_L1, QJsonObject{{"role"_L1, u"assistant"_s}, {"content"_L1, u""_s}}},
                                      {"logprobs"_L1, QJsonValue::Null},
                                      {"finish_reason"_L1, blocked ? u"content_filter"_s : u"stop"_s}});
    }
    QJsonArray list;
    for (const QJsonObject& c : std::as_const(choices))
        list.append(c);
    return compact(QJsonObject{
        {"id"_L1, responseId.isEmpty() ? randomId(u"chatcmpl-"_s) : u"chatcmpl-"_s + responseId},
        {"object"_L1, u"chat.completion"_s},
        {"created"_L1, context.created ? context.created : QDateTime::currentSecsSinceEpoch()},
        {"model"_L1, context.model.isEmpty() ? root.value("modelVersion"_L1).toString() : context.model},
        {"choices"_L1, list},
        {"usage"_L1, usageFrom(root.value("usageMetadata"_L1).toObject())},
    });
}

// --- streaming ------------------------------------------------------------------------------------------------

ChatStreamTranslator::ChatStreamTranslator(ChatContext context)
    : m_ctx(std::move(context)) {
    if (m_ctx.created == 0)
        m_ctx.created = QDateTime::currentSecsSinceEpoch();
}

QByteArray ChatStreamTranslator::feed(const char* data, qsizetype len) {
    QByteArray out;
    m_lines.feed(data, len, [&](const QByteArray& text, qsizetype, qsizetype) {
        line(text, &out);
        return true;
    });
    return out;
}

void ChatStreamTranslator::line(const QByteArray& text, QByteArray* out) {
    if (m_failed)
        return;
    if (text.isEmpty()) { // end of an event
        if (!m_data.isEmpty())
            *out += translateEvent(std::exchange(m_data, QByteArray()));
        return;
    }
    if (text.startsWith(':') || text.startsWith("event:") || text.startsWith("id:") || text.startsWith("retry:"))
        return;
    const bool framed = text.startsWith("data:");
    if (!m_data.isEmpty())
        m_data += '\n';
    m_data += framed ? text.mid(text.startsWith("data: ") ? 6 : 5) : text;
    // A line without a field name belongs to a JSON object written into the stream unframed (an error, as
    // python-genai also expects): hand it on as soon as it is complete, as a blank line may never follow.
    if (!framed && !QJsonDocument::fromJson(m_data).isNull())
        *out += translateEvent(std::exchange(m_data, QByteArray()));
}

QByteArray ChatStreamTranslator::chunk(const QJsonArray& choices) const {
    QJsonObject o{{"id"_L1, m_id},
                  {"object"_L1, u"chat.completion.chunk"_s},
                  {"created"_L1, m_ctx.created},
                  {"model"_L1, m_ctx.model},
                  {"choices"_L1, choices}};
    if (m_ctx.includeUsage)
        o.insert("usage"_L1, QJsonValue::Null);
    return "data: " + compact(o) + "\n\n";
}

QByteArray ChatStreamTranslator::translateEvent(const QByteArray& json) {
    const QByteArray trimmed = json.trimmed();
    if (trimmed.isEmpty() || trimmed == "[DONE]")
        return {};
    const QJsonDocument doc = QJsonDocument::fromJson(trimmed);
    if (doc.isNull()) {
        m_failed = true;
        return errorEvent(badUpstream(u"The upstream stream sent an event that is not JSON."_s));
    }
    const QJsonArray events = doc.isArray() ? doc.array() : QJsonArray{doc.object()};
    QByteArray out;
    for (const QJsonValue& ev : std::as_const(events)) {
        const QJsonObject o = ev.toObject();
        if (o.contains("error"_L1)) {
            m_failed = true;
            return out + errorEvent(fromGeminiError(0, compact(o)));
        }
        if (m_id.isEmpty()) {
            const QString rid = o.value("responseId"_L1).toString();
            m_id = rid.isEmpty() ? randomId(u"chatcmpl-"_s) : u"chatcmpl-"_s + rid;
        }
        if (m_ctx.model.isEmpty())
            m_ctx.model = o.value("modelVersion"_L1).toString();
        if (const QJsonValue u = o.value("usageMetadata"_L1); u.isObject())
            m_lastUsage = u.toObject();

        QJsonArray choices;
        const QJsonArray candidates = o.value("candidates"_L1).toArray();
        if (candidates.isEmpty() && !o.value("promptFeedback"_L1)[u"blockReason"_s].toString().isEmpty()) {
            Choice& st = m_choices[0];
            QJsonObject delta{{"content"_L1, u""_s}};
            if (!std::exchange(st.sentRole, true))
                delta.insert("role"_L1, u"assistant"_s);
            st.sentFinish = true;
            choices.append(
                QJsonObject{{"index"_L1, 0}, {"delta"_L1, delta}, {"finish_reason"_L1, u"content_filter"_s}});
        }
        for (const QJsonValue& v : candidates) {
            const QJsonObject cand = v.toObject();
            const int index = cand.value("index"_L1).toInt(0);
            Choice& st = m_choices[index];
            const Converted c =
                convertParts(cand.value("content"_L1)[u"parts"_s].toArray(), m_ctx, &st.pendingSignature);
            QJsonObject delta;
            if (!std::exchange(st.sentRole, true))
                delta.insert("role"_L1, u"assistant"_s);
            if (!c.text.isEmpty())
                delta.insert("content"_L1, c.text);
            if (m_ctx.reasoningContent && !c.reasoning.isEmpty())
                delta.insert("reasoning_content"_L1, c.reasoning);
            if (!c.toolCalls.isEmpty()) {
                QJsonArray calls;
                for (const QJsonValue& call : c.toolCalls) {
                    QJsonObject tc = call.toObject();
                    tc.insert("index"_L1, st.toolCalls++);
                    calls.append(tc);
                }
                delta.insert("tool_calls"_L1, calls);
            }
            QJsonValue finish = QJsonValue::Null;
            if (const QString reason = cand.value("finishReason"_L1).toString(); !reason.isEmpty() && !st.sentFinish) {
                finish = finishReason(reason, st.toolCalls > 0);
                st.sentFinish = true;
            }
            if (delta.isEmpty() && finish.isNull())
                continue; // e.g. a chunk of thoughts only
            QJsonObject choice{{"index"_L1, index}, {"delta"_L1, delta}, {"finish_reason"_L1, finish}};
            if (const QJsonValue lp = logprobsFrom(cand.value("logprobsResult"_L1)); !lp.isNull())
                choice.insert("logprobs"_L1, lp);
            choices.append(choice);
        }
        if (!choices.isEmpty())
            out += chunk(choices);
    }
    return out;
}

QByteArray ChatStreamTranslator::finish() {
    QByteArray out;
    if (const QByteArray last = m_lines.takePending(); !last.isEmpty())
        line(last, &out);
    line(QByteArray(), &out);
    if (m_failed)
        return out; // the error event ends the stream; no [DONE] after it
    if (m_id.isEmpty())
        m_id = randomId(u"chatcmpl-"_s);
    if (m_choices.isEmpty())
        m_choices[0];
    QJsonArray choices;
    for (auto it = m_choices.begin(); it != m_choices.end(); ++it) {
        if (std::exchange(it->sentFinish, true))
            continue;
        QJsonObject delta;
        if (!std::exchange(it->sentRole, true))
            delta.insert("role"_L1, u"assistant"_s);
        choices.append(QJsonObject{{"index"_L1, it.key()},
                                   {"delta"_L1, delta},
                                   {"finish_reason"_L1, it->toolCalls > 0 ? u"tool_calls"_s : u"stop"_s}});
    }
    if (!choices.isEmpty())
        out += chunk(choices);
    if (m_ctx.includeUsage) {
        const QJsonObject usage{{"id"_L1, m_id},
                                {"object"_L1, u"chat.completion.chunk"_s},
                                {"created"_L1, m_ctx.created},
                                {"model"_L1, m_ctx.model},
                                {"choices"_L1, QJsonArray()},
                                {"usage"_L1, usageFrom(m_lastUsage)}};
        out += "data: " + compact(usage) + "\n\n";
    }
    out += "data: [DONE]\n\n";
    return out;
}

QByteArray ChatStreamTranslator::errorEvent(const ApiError& error) {
    return "data: " + errorBody(error) + "\n\n";
}

// --- embeddings and models ------------------------------------------------------------------------------------

QByteArray translateEmbeddingsResponse(const QByteArray& geminiBody, const QString& requestedModel, qint64 promptTokens,
                                       bool base64) {
    bool ok = false;
    const QJsonObject root = parseObject(geminiBody, &ok);
    if (!ok)
        return errorBody(badUpstream(u"The upstream response is not a JSON object."_s));
    if (root.contains("error"_L1))
        return errorBody(fromGeminiError(0, geminiBody));
    // batchEmbedContents answers {"embeddings": [...]}, embedContent {"embedding": {...}}.
    QJsonArray embeddings = root.value("embeddings"_L1).toArray();
    if (root.value("embedding"_L1).isObject())
        embeddings.append(root.value("embedding"_L1));
    QJsonArray data;
    for (qsizetype i = 0; i < embeddings.size(); ++i) {
        const QJsonArray values = embeddings.at(i)[u"values"_s].toArray();
        QJsonValue vector = values;
        if (base64) {
            QByteArray raw;
            raw.reserve(values.size() * 4);
            for (const QJsonValue& v : values) {
                const quint32 bits = std::bit_cast<quint32>(float(v.toDouble()));
                const quint32 le = qToLittleEndian(bits);
                raw.append(reinterpret_cast<const char*>(&le), 4);
            }
            vector = QString::fromLatin1(raw.toBase64());
        }
        data.append(QJsonObject{{"object"_L1, u"embedding"_s}, {"index"_L1, i}, {"embedding"_L1, vector}});
    }
    return compact(QJsonObject{
        {"object"_L1, u"list"_s},
        {"data"_L1, data},
        {"model"_L1, requestedModel},
        {"usage"_L1, QJsonObject{{"prompt_tokens"_L1, promptTokens}, {"total_tokens"_L1, promptTokens}}},
    });
}

namespace {
QJsonObject modelObject(const QJsonObject& m) {
    QString id = m.value("name"_L1).toString();
    if (id.startsWith("models/"_L1))
        id = id.mid(7);
    return QJsonObject{{"id"_L1, id}, {"object"_L1, u"model"_s}, {"created"_L1, 0}, {"owned_by"_L1, u"google"_s}};
}
} // namespace

QByteArray translateModelList(const QByteArray& geminiBody) {
    bool ok = false;
    const QJsonObject root = parseObject(geminiBody, &ok);
    if (!ok)
        return errorBody(badUpstream(u"The upstream response is not a JSON object."_s));
    QJsonArray data;
    for (const QJsonValue& m : root.value("models"_L1).toArray())
        data.append(modelObject(m.toObject()));
    return compact(QJsonObject{{"object"_L1, u"list"_s}, {"data"_L1, data}});
}

QByteArray translateModel(const QByteArray& geminiBody) {
    bool ok = false;
    const QJsonObject root = parseObject(geminiBody, &ok);
    if (!ok)
        return errorBody(badUpstream(u"The upstream response is not a JSON object."_s));
    return compact(modelObject(root));
}

} // namespace gemgate::openai
