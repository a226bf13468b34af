#pragma once

// The OpenAI-compatible API (issue 5), translated to native Gemini calls by GemGate itself, so that key scheduling,
// quotas and metering work the same for both APIs (docs/gemini-api.md section 7). Pure functions and one streaming
// translator: no I/O, no threads, no global state (the thought-signature cache is passed in).
//
//   POST /v1/chat/completions   -> POST /v1beta/models/{model}:generateContent
//                                  (stream: :streamGenerateContent?alt=sse)
//   POST /v1/embeddings         -> POST /v1beta/models/{model}:batchEmbedContents
//   GET  /v1/models[/{id}]      -> GET  /v1beta/models[/{id}]
// (also under /v1beta/openai/, Google's own OpenAI-compatible base)

#include "gemini/sselines.h"

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <list>
#include <optional>

namespace gemgate::openai {

// An error in OpenAI's envelope: {"error":{"message","type","param","code"}} with its HTTP status.
struct ApiError {
    int status = 400;
    QString message;
    QString type = QStringLiteral("invalid_request_error"); // invalid_request_error, authentication_error,
                                                            // permission_error, rate_limit_error, api_error, ...
    QString param;                                          // the offending field ("messages[2].content"), or empty
    QString code;                                           // e.g. "model_not_found", "rate_limit_exceeded", or empty
};
QByteArray errorBody(const ApiError& e);
// A Gemini error envelope ({"error":{"code","message","status",...}}) with its HTTP status, as OpenAI's.
ApiError fromGeminiError(int httpStatus, const QByteArray& geminiBody);
// The OpenAI error type and code for a GemGate error kind / HTTP status (429 -> rate_limit_error, 401 ->
// authentication_error, 403 -> permission_error, 404 -> not_found_error, 5xx -> api_error, else
// invalid_request_error).
QString errorTypeFor(int httpStatus);

// tool-call id -> the Gemini thoughtSignature and function name of that call. Gemini 3 rejects a conversation
// whose function calls lost their signatures, and OpenAI clients drop unknown fields, so the gateway keeps them
// (docs/gemini-api.md 7.3). Bounded (oldest entries dropped first); thread-safe.
class SignatureCache {
public:
    // At most `capacity` entries and `maxBytes` of signatures (Gemini 3's can be several KB each).
    explicit SignatureCache(int capacity = 100'000, qint64 maxBytes = 64 * 1024 * 1024);
    void remember(const QString& toolCallId, const QString& name, const QByteArray& signature);
    // The signature for a tool-call id, or empty.
    QByteArray signature(const QString& toolCallId) const;
    int size() const;

private:
    struct Entry {
        QString name;
        QByteArray signature;
        std::list<QString>::iterator order;
    };
    mutable QMutex m_mutex;
    int m_capacity;
    qint64 m_maxBytes;
    qint64 m_bytes = 0;
    QHash<QString, Entry> m_entries;
    std::list<QString> m_order; // oldest first
};

// A chat completions request translated to a native call.
struct ChatRequest {
    QString model;         // the Gemini model after aliasing and without "models/" ("gemini-2.5-flash")
    QString requested;     // the model name the client sent (echoed back in responses)
    QByteArray nativeBody; // the generateContent request body (compact JSON)
    bool stream = false;
    bool includeUsage = false; // stream_options.include_usage
    int n = 1;                 // candidateCount
    QStringList ignored;       // fields accepted but without a Gemini equivalent (documented; e.g. "user")
};

struct TranslateOptions {
    QHash<QString, QString> modelAliases; // "gpt-4o" -> "gemini-2.5-flash" (config openai.model_aliases)
    SignatureCache* signatures = nullptr; // restores thoughtSignature on assistant tool calls; may be null
    // openai.reasoning_content: ask Gemini for thought summaries (thinkingConfig.includeThoughts), which the
    // response translation then sends as reasoning_content. Gemini returns no thought parts without it.
    bool includeThoughts = false;
};

// Validates and translates an OpenAI chat completions request body. Every field is either mapped, ignored for a
// documented reason (listed in ChatRequest::ignored), or rejected with an ApiError naming the field.
std::optional<ChatRequest> translateChatRequest(const QByteArray& body, const TranslateOptions& options,
                                                ApiError* error);

// What the response translators need to know about the request.
struct ChatContext {
    QString model;      // echoed as "model" (the name the client asked for)
    qint64 created = 0; // unix seconds
    bool includeUsage = false;
    bool reasoningContent = false;        // send thought parts as the non-standard delta.reasoning_content
    SignatureCache* signatures = nullptr; // remembers the signatures of tool calls sent to the client
};

// A whole generateContent response -> a chat.completion object.
QByteArray translateChatResponse(const QByteArray& geminiBody, const ChatContext& context);

// A streamGenerateContent?alt=sse response -> OpenAI chat.completion.chunk events, chunk by chunk: each complete
// Gemini SSE event becomes one OpenAI event as soon as it is complete (nothing is held back longer than it takes
// for the event's bytes to arrive).
class ChatStreamTranslator {
public:
    explicit ChatStreamTranslator(ChatContext context);
    // Upstream SSE bytes in; OpenAI SSE bytes out (possibly empty while an event is incomplete).
    QByteArray feed(const char* data, qsizetype len);
    // The upstream stream ended cleanly: the final chunk with finish_reason when not yet sent, the usage chunk
    // (include_usage) and "data: [DONE]".
    QByteArray finish();
    // An error after the stream started: one `data: {"error":{...}}` event (then the caller closes).
    static QByteArray errorEvent(const ApiError& error);

private:
    struct Choice {
        bool sentRole = false;
        bool sentFinish = false;
        int toolCalls = 0;           // the running tool-call index of this choice
        QByteArray pendingSignature; // a signature on an earlier part, for a later functionCall part without one
    };
    void line(const QByteArray& line, QByteArray* out);
    QByteArray translateEvent(const QByteArray& json);
    QByteArray chunk(const QJsonArray& choices) const;
    ChatContext m_ctx;
    SseLineReader m_lines; // the upstream stream's lines
    QByteArray m_data;     // the data lines of the event being read
    QString m_id;
    QMap<int, Choice> m_choices; // by candidate index
    QJsonObject m_lastUsage;
    bool m_failed = false; // an error event was sent: nothing follows it
};

// POST /v1/embeddings: input (a string, a list of strings; token arrays are rejected), model, dimensions
// (-> outputDimensionality), encoding_format ("float" or "base64").
struct EmbeddingsRequest {
    QString model;
    QString requested;
    QByteArray nativeBody; // batchEmbedContents body
    int inputs = 0;
    bool base64 = false; // encoding_format "base64": each vector as little-endian float32, base64-encoded
};
std::optional<EmbeddingsRequest> translateEmbeddingsRequest(const QByteArray& body, const TranslateOptions& options,
                                                            ApiError* error);
QByteArray translateEmbeddingsResponse(const QByteArray& geminiBody, const QString& requestedModel, qint64 promptTokens,
                                       bool base64 = false);

// GET /v1beta/models (list) / models/{id} -> OpenAI's {"object":"list","data":[{"id","object":"model","created",
// "owned_by"}]} / a single model object. Model ids lose their "models/" prefix.
QByteArray translateModelList(const QByteArray& geminiBody);
QByteArray translateModel(const QByteArray& geminiBody);

} // namespace gemgate::openai
