// Routing and the stateless Gemini routes of FakeUpstream: models, generateContent, streamGenerateContent,
// countTokens, embeddings, and the error envelopes of gemini-api.md §5. JSON is written by hand so that field
// order and spelling match the reference shapes exactly and the hot path stays cheap.

#include "fakeupstream_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

#include <cstring>

namespace gemgate::test::detail {

namespace {

struct ModelInfo {
    const char* id;
    const char* json;
};

// Realistic Model objects (gemini-api.md §2.1); defaults are left out as the real API does.
const ModelInfo kModels[] = {
    {"gemini-2.5-flash",
     R"({"name":"models/gemini-2.5-flash","baseModelId":"gemini-2.5-flash","version":"001",)"
     R"("displayName":"Gemini 2.5 Flash","description":"Stable version of Gemini 2.5 Flash, our mid-size multimodal )"
     R"(model that supports up to 1 million tokens.","inputTokenLimit":1048576,"outputTokenLimit":65536,)"
     R"("supportedGenerationMethods":["generateContent","countTokens","createCachedContent","batchGenerateContent"],)"
     R"("temperature":1,"topP":0.95,"topK":64,"maxTemperature":2,"thinking":true})"},
    {"gemini-2.5-pro",
     R"({"name":"models/gemini-2.5-pro","baseModelId":"gemini-2.5-pro","version":"2.5",)"
     R"("displayName":"Gemini 2.5 Pro","description":"Stable release of Gemini 2.5 Pro.",)"
     R"("inputTokenLimit":1048576,"outputTokenLimit":65536,)"
     R"("supportedGenerationMethods":["generateContent","countTokens","createCachedContent","batchGenerateContent"],)"
     R"("temperature":1,"topP":0.95,"topK":64,"maxTemperature":2,"thinking":true})"},
    {"gemini-embedding-001",
     R"({"name":"models/gemini-embedding-001","baseModelId":"gemini-embedding-001","version":"001",)"
     R"("displayName":"Gemini Embedding 001","description":"Obtain a distributed representation of a text.",)"
     R"("inputTokenLimit":2048,"outputTokenLimit":1,)"
     R"("supportedGenerationMethods":["embedContent","countTextTokens","countTokens","asyncBatchEmbedContent"]})"},
};

const char kDefaultText[] = "Hello from the fake Gemini upstream.";

int headerInt(const Request& request, QByteArrayView name, int fallback, int low, int high) {
    bool ok = false;
    const int v = request.header(name).toInt(&ok);
    return ok ? qBound(low, v, high) : fallback;
}

Reply unregistered() {
    return errorReply(403, "PERMISSION_DENIED",
                      "Method doesn't allow unregistered callers (callers without established identity). Please use "
                      "API Key or other form of API consumer identity to call this API.");
}

Reply quotaError(bool perDay, QByteArrayView model) {
    QByteArray details;
    details.append(R"([{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":)"
                   R"("generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":")");
    details.append(perDay ? "GenerateRequestsPerDayPerProjectPerModel-FreeTier"
                          : "GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
    details.append(R"(","quotaDimensions":{"location":"global","model":)");
    appendJsonString(details, model);
    details.append(R"(},"quotaValue":")");
    details.append(perDay ? "250" : "10");
    details.append(
        R"("}]},{"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":)"
        R"("Learn more about Gemini API quotas","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]})");
    if (!perDay)
        details.append(R"(,{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"41s"})");
    details.append(']');
    QByteArray message = QByteArrayLiteral(
        "You exceeded your current quota, please check your plan and billing details. For more information on this "
        "error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: "
        "generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: ");
    message.append(perDay ? "250" : "10");
    message.append(", model: ");
    message.append(model);
    if (!perDay)
        message.append("\nPlease retry in 41.234567s.");
    return errorReply(429, "RESOURCE_EXHAUSTED", message, details);
}

Reply behaviorError(FakeUpstream::Behavior behavior, const QByteArray& key, QByteArrayView model) {
    switch (behavior) {
    case FakeUpstream::RateLimitMinute:
        return quotaError(false, model);
    case FakeUpstream::RateLimitDay:
        return quotaError(true, model);
    case FakeUpstream::Forbidden: {
        // The key appears in the message and in the metadata, as real upstream errors do, so that the gateway's
        // scrubbing can be tested.
        const QByteArray project = QByteArray::number(100000000000ULL + qHash(key) % 900000000000ULL);
        QByteArray details(R"([{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"CONSUMER_SUSPENDED",)"
                           R"("domain":"googleapis.com","metadata":{"consumer":"projects/)");
        details.append(project);
        details.append(R"(","containerInfo":)");
        appendJsonString(details, QByteArray(QByteArrayLiteral("api_key:") + key));
        details.append(R"(,"service":"generativelanguage.googleapis.com"}}])");
        const QByteArray message =
            QByteArrayLiteral("Consumer 'api_key:") + key + QByteArrayLiteral("' has been suspended.");
        return errorReply(403, "PERMISSION_DENIED", message, details);
    }
    case FakeUpstream::InvalidKey:
        return errorReply(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                          R"([{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID",)"
                          R"("domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}])");
    case FakeUpstream::Internal:
        return errorReply(500, "INTERNAL",
                          "An internal error has occurred. Please retry or report in "
                          "https://developers.generativeai.google/guide/troubleshooting");
    case FakeUpstream::Unavailable:
        return errorReply(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
    case FakeUpstream::Ok:
    case FakeUpstream::EmptyReply:
        break;
    }
    return errorReply(500, "INTERNAL", "Unhandled fake behaviour.");
}

// x-fake-status: the canonical google.rpc code for an HTTP status, with a typical message.
Reply forcedError(int status, QByteArrayView model) {
    switch (status) {
    case 400:
        return errorReply(400, "INVALID_ARGUMENT", "Request contains an invalid argument.");
    case 401:
        return errorReply(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
    case 402:
        return errorReply(402, "RESOURCE_EXHAUSTED", "Your prepaid credits are depleted.");
    case 403:
        return errorReply(403, "PERMISSION_DENIED", "The caller does not have permission");
    case 404:
        return notFound();
    case 409:
        return errorReply(409, "ABORTED", "The operation was aborted.");
    case 429:
        return quotaError(false, model);
    case 499:
        return errorReply(499, "CANCELLED", "The operation was cancelled.");
    case 500:
        return behaviorError(FakeUpstream::Internal, {}, model);
    case 501:
        return errorReply(501, "UNIMPLEMENTED", "Operation is not implemented, or supported, or enabled.");
    case 503:
        return behaviorError(FakeUpstream::Unavailable, {}, model);
    case 504:
        return errorReply(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.");
    default:
        return status >= 500 ? errorReply(status, "UNKNOWN", "An unknown error occurred.")
                             : errorReply(status, "FAILED_PRECONDITION", "Precondition check failed.");
    }
}

bool parseObject(const QByteArray& body, QJsonObject& out, Reply& error) {
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        error =
            errorReply(400, "INVALID_ARGUMENT",
                       QByteArray(QByteArrayLiteral("Invalid JSON payload received. ") + err.errorString().toUtf8()));
        return false;
    }
    out = doc.object();
    return true;
}

int contentTokens(const QJsonObject& content) {
    int tokens = 0;
    const QJsonArray parts = content.value(QLatin1String("parts")).toArray();
    for (const QJsonValue& p : parts) {
        const QJsonObject part = p.toObject();
        const QJsonValue call = jsonField(part, QLatin1String("functionCall"), QLatin1String("function_call"));
        const QJsonValue response =
            jsonField(part, QLatin1String("functionResponse"), QLatin1String("function_response"));
        if (part.contains(QLatin1String("text")))
            tokens += tokensFor(part.value(QLatin1String("text")).toString().toUtf8());
        else if (call.isObject() || response.isObject())
            tokens += tokensFor(
                QJsonDocument(call.isObject() ? call.toObject() : response.toObject()).toJson(QJsonDocument::Compact));
        else
            tokens += 258; // what an image costs; close enough for any other media part
    }
    return tokens;
}

int promptTokens(const QJsonObject& request) {
    int tokens = 0;
    const QJsonArray contents = request.value(QLatin1String("contents")).toArray();
    for (const QJsonValue& c : contents)
        tokens += contentTokens(c.toObject());
    const QJsonValue system =
        jsonField(request, QLatin1String("systemInstruction"), QLatin1String("system_instruction"));
    if (system.isObject())
        tokens += contentTokens(system.toObject());
    return qMax(1, tokens);
}

QByteArray replyText(const QJsonObject& request) {
    const QJsonArray contents = request.value(QLatin1String("contents")).toArray();
    if (!contents.isEmpty()) {
        const QJsonArray parts = contents.last().toObject().value(QLatin1String("parts")).toArray();
        for (const QJsonValue& p : parts) {
            const QJsonValue text = p.toObject().value(QLatin1String("text"));
            if (text.isString())
                return QByteArrayLiteral("echo: ") + text.toString().toUtf8();
        }
    }
    return QByteArray(kDefaultText);
}

int callTokens(const QList<FunctionCall>& calls) {
    int tokens = 0;
    for (const FunctionCall& call : calls)
        tokens += tokensFor(call.name) + tokensFor(call.argsJson);
    return tokens;
}

// A candidate with one text part, or (when calls is not empty) with one functionCall part per call.
QByteArray responseJson(QByteArrayView text, const QList<FunctionCall>& calls, bool finished, int prompt,
                        int candidates, QByteArrayView model, QByteArrayView responseId) {
    QByteArray out;
    out.reserve(300 + text.size());
    out.append(R"({"candidates":[{"content":{"parts":[)");
    if (calls.isEmpty()) {
        out.append(R"({"text":)");
        appendJsonString(out, text);
        out.append('}');
    }
    for (qsizetype i = 0; i < calls.size(); ++i) {
        if (i > 0)
            out.append(',');
        out.append(R"({"functionCall":{"name":)");
        appendJsonString(out, calls[i].name);
        out.append(R"(,"args":)");
        out.append(calls[i].argsJson);
        out.append(R"(},"thoughtSignature":)");
        appendJsonString(out, calls[i].signature);
        out.append('}');
    }
    out.append(R"(],"role":"model"})");
    if (finished)
        out.append(R"(,"finishReason":"STOP")");
    out.append(R"(}],"usageMetadata":{"promptTokenCount":)");
    out.append(QByteArray::number(prompt));
    out.append(R"(,"candidatesTokenCount":)");
    out.append(QByteArray::number(candidates));
    out.append(R"(,"totalTokenCount":)");
    out.append(QByteArray::number(prompt + candidates));
    out.append(R"(,"promptTokensDetails":[{"modality":"TEXT","tokenCount":)");
    out.append(QByteArray::number(prompt));
    out.append(R"(}]},"modelVersion":)");
    appendJsonString(out, model);
    out.append(R"(,"responseId":)");
    appendJsonString(out, responseId);
    out.append('}');
    return out;
}

QByteArray emptyResponseJson(int prompt, QByteArrayView model, QByteArrayView responseId) {
    QByteArray out(R"({"promptFeedback":{},"usageMetadata":{"promptTokenCount":)");
    out.append(QByteArray::number(prompt));
    out.append(R"(,"totalTokenCount":)");
    out.append(QByteArray::number(prompt));
    out.append(R"(},"modelVersion":)");
    appendJsonString(out, model);
    out.append(R"(,"responseId":)");
    appendJsonString(out, responseId);
    out.append('}');
    return out;
}

QByteArray newResponseId() {
    return randomId(22);
}

// x-fake-function-call (repeatable): "NAME" or "NAME:{json args}", one functionCall part each. Each call gets the
// thought signature base64("sig-" + NAME + "-" + n), n counting the signatures this fake has issued.
bool functionCallsFor(Shared& shared, const Request& request, QList<FunctionCall>& calls, Reply& error) {
    for (const auto& [header, value] : request.headers) {
        if (header != "x-fake-function-call")
            continue;
        QByteArray name = value.trimmed();
        QByteArray args = QByteArrayLiteral("{}");
        const qsizetype brace = name.indexOf('{');
        bool ok = true;
        if (brace >= 0) {
            args = name.mid(brace);
            name = name.left(brace).trimmed();
            ok = name.endsWith(':');
            name.chop(1);
            name = name.trimmed();
        }
        QJsonParseError err{};
        const QJsonDocument doc = QJsonDocument::fromJson(args, &err);
        if (!ok || name.isEmpty() || err.error != QJsonParseError::NoError || !doc.isObject()) {
            error = errorReply(400, "INVALID_ARGUMENT",
                               QByteArray(QByteArrayLiteral("Bad x-fake-function-call header (want NAME or "
                                                            "NAME:{json object}): ") +
                                          value));
            return false;
        }
        const QByteArray plain =
            QByteArrayLiteral("sig-") + name + '-' + QByteArray::number(shared.nextSignature.fetch_add(1));
        const QByteArray signature = plain.toBase64();
        calls.append({name, doc.toJson(QJsonDocument::Compact), signature});
    }
    return true;
}

// A signature this fake issued for a call of that function (or the placeholder some gateways send, which
// Gemini is reported to accept, gemini-api.md 7.3).
bool validSignature(const QByteArray& signature, const QByteArray& name) {
    if (signature == "skip_thought_signature_validator")
        return true;
    const auto decoded = QByteArray::fromBase64Encoding(signature, QByteArray::AbortOnBase64DecodingErrors);
    const QByteArray prefix = QByteArrayLiteral("sig-") + name + '-';
    if (!decoded || !decoded.decoded.startsWith(prefix))
        return false;
    bool numeric = false;
    decoded.decoded.mid(prefix.size()).toULongLong(&numeric);
    return numeric;
}

// x-fake-require-signatures: 1 makes the fake as strict as Gemini 3 with tools (gemini-api.md 7.3): every
// functionCall part of a model turn must carry a thoughtSignature this fake issued for that function, and a turn
// with functionResponse parts must come right after a model turn and answer exactly as many calls as it made.
bool invalidFunctionTurns(const QJsonObject& request, Reply& error) {
    const QJsonArray contents = request.value(QLatin1String("contents")).toArray();
    int previousCalls = 0;
    for (qsizetype i = 0; i < contents.size(); ++i) {
        const QJsonObject content = contents.at(i).toObject();
        const bool model = content.value(QLatin1String("role")).toString() == QLatin1String("model");
        int calls = 0;
        int responses = 0;
        const QJsonArray parts = content.value(QLatin1String("parts")).toArray();
        for (const QJsonValue& p : parts) {
            const QJsonObject part = p.toObject();
            if (jsonField(part, QLatin1String("functionResponse"), QLatin1String("function_response")).isObject())
                ++responses;
            const QJsonValue call = jsonField(part, QLatin1String("functionCall"), QLatin1String("function_call"));
            if (!call.isObject())
                continue;
            ++calls;
            if (!model)
                continue;
            const QByteArray name = call.toObject().value(QLatin1String("name")).toString().toUtf8();
            const QByteArray signature =
                jsonField(part, QLatin1String("thoughtSignature"), QLatin1String("thought_signature"))
                    .toString()
                    .toLatin1();
            if (signature.isEmpty()) {
                error = errorReply(
                    400, "INVALID_ARGUMENT",
                    QByteArray(QByteArrayLiteral("Function call is missing a thought_signature in functionCall "
                                                 "parts. This is required for tools to work correctly, and missing "
                                                 "thought_signature may lead to degraded model performance. "
                                                 "Additional data, function call `default_api:") +
                               name + QByteArrayLiteral("` , position ") + QByteArray::number(i + 1) +
                               QByteArrayLiteral(". Please refer to https://ai.google.dev/gemini-api/docs/"
                                                 "thought-signatures for more details.")));
                return true;
            }
            if (!validSignature(signature, name)) {
                error =
                    errorReply(400, "INVALID_ARGUMENT",
                               QByteArray(QByteArrayLiteral("Corrupted thought signature for function call "
                                                            "`default_api:") +
                                          name + QByteArrayLiteral("` , position ") + QByteArray::number(i + 1) + '.'));
                return true;
            }
        }
        if (responses > 0 && previousCalls == 0) {
            error = errorReply(400, "INVALID_ARGUMENT",
                               "Please ensure that function response turn comes immediately after a function call "
                               "turn.");
            return true;
        }
        if (previousCalls > 0 && responses != previousCalls) {
            error = errorReply(400, "INVALID_ARGUMENT",
                               "Please ensure that the number of function response parts is equal to the number of "
                               "function call parts of the function call turn.");
            return true;
        }
        previousCalls = model ? calls : 0;
    }
    return false;
}

// Resource names a request refers to must belong to the calling key's project (gemini-api.md §8.7). Only names
// this fake knows are checked, so tests may still use made-up file URIs.
bool foreignReference(Shared& shared, const QJsonObject& request, const QByteArray& key, Reply& error) {
    const QByteArray cached =
        jsonField(request, QLatin1String("cachedContent"), QLatin1String("cached_content")).toString().toUtf8();
    QList<QByteArray> fileIds;
    const QJsonArray contents = request.value(QLatin1String("contents")).toArray();
    for (const QJsonValue& c : contents) {
        const QJsonArray parts = c.toObject().value(QLatin1String("parts")).toArray();
        for (const QJsonValue& p : parts) {
            const QJsonObject data =
                jsonField(p.toObject(), QLatin1String("fileData"), QLatin1String("file_data")).toObject();
            const QByteArray uri =
                jsonField(data, QLatin1String("fileUri"), QLatin1String("file_uri")).toString().toUtf8();
            const qsizetype at = uri.lastIndexOf("files/");
            if (at >= 0)
                fileIds.append(uri.mid(at + 6));
        }
    }
    QMutexLocker lock(&shared.mutex);
    if (cached.startsWith("cachedContents/")) {
        const auto it = shared.caches.constFind(cached.mid(15));
        if (it != shared.caches.constEnd() && it->key != key) {
            error = errorReply(403, "PERMISSION_DENIED", "CachedContent not found (or permission denied)");
            return true;
        }
    }
    for (const QByteArray& id : std::as_const(fileIds)) {
        const auto it = shared.files.constFind(id);
        if (it != shared.files.constEnd() && it->key != key) {
            error = errorReply(403, "PERMISSION_DENIED",
                               QByteArray(QByteArrayLiteral("You do not have permission to access the File ") + id +
                                          QByteArrayLiteral(" or it may not exist.")));
            return true;
        }
    }
    return false;
}

Reply generate(Shared& shared, const RouteInput& in, const QByteArray& model, bool stream) {
    Reply reply;
    QJsonObject body;
    if (!parseObject(in.request.body, body, reply))
        return reply;
    if (body.value(QLatin1String("contents")).toArray().isEmpty())
        return errorReply(400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified\n");
    if (foreignReference(shared, body, in.key, reply))
        return reply;
    if (in.request.header("x-fake-require-signatures") == "1" && invalidFunctionTurns(body, reply))
        return reply;
    QList<FunctionCall> calls;
    if (!functionCallsFor(shared, in.request, calls, reply))
        return reply;
    bool empty = false;
    if (shared.behaviorFor(in.key, false) == FakeUpstream::EmptyReply)
        empty = shared.behaviorFor(in.key, true) == FakeUpstream::EmptyReply;
    if (!stream) {
        if (empty)
            return jsonReply(emptyResponseJson(promptTokens(body), model, newResponseId()));
        if (!calls.isEmpty())
            return jsonReply(
                responseJson({}, calls, true, promptTokens(body), callTokens(calls), model, newResponseId()));
        return jsonReply(generateResponseFor(body, model));
    }
    reply.isStream = true;
    StreamPlan& plan = reply.stream;
    plan.sse = queryValue(in.query, "alt") == "sse";
    plan.empty = empty;
    plan.chunks = empty ? 1 : headerInt(in.request, "x-fake-chunks", 3, 1, 1000000);
    plan.intervalMs = headerInt(in.request, "x-fake-interval-ms", 0, 0, 3600000);
    plan.abortAfter = headerInt(in.request, "x-fake-abort-after", -1, 0, 1000000);
    plan.model = model;
    plan.responseId = newResponseId();
    plan.firstText = replyText(body);
    plan.promptTokens = promptTokens(body);
    if (!empty && !calls.isEmpty()) {
        plan.chunks = qMin(plan.chunks, 2); // [a text event,] then all calls in one event
        plan.calls = std::move(calls);
    }
    if (plan.sse)
        reply.contentType = QByteArrayLiteral("text/event-stream");
    return reply;
}

Reply countTokens(const RouteInput& in) {
    Reply reply;
    QJsonObject body;
    if (!parseObject(in.request.body, body, reply))
        return reply;
    const QJsonValue wrapped =
        jsonField(body, QLatin1String("generateContentRequest"), QLatin1String("generate_content_request"));
    const bool hasContents = body.contains(QLatin1String("contents"));
    if (hasContents == wrapped.isObject())
        return errorReply(400, "INVALID_ARGUMENT",
                          "Exactly one of contents or generateContentRequest must be set in CountTokensRequest.");
    const int tokens = promptTokens(hasContents ? body : wrapped.toObject());
    const QByteArray n = QByteArray::number(tokens);
    return jsonReply(QByteArrayLiteral("{\"totalTokens\":") + n +
                     QByteArrayLiteral(",\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":") + n +
                     QByteArrayLiteral("}]}"));
}

// A deterministic embedding: equal texts give equal vectors, so tests can compare them.
void appendEmbedding(QByteArray& out, const QJsonObject& request) {
    QByteArray text;
    const QJsonArray parts = request.value(QLatin1String("content")).toObject().value(QLatin1String("parts")).toArray();
    for (const QJsonValue& p : parts)
        text.append(p.toObject().value(QLatin1String("text")).toString().toUtf8());
    // proto3 JSON may send an int32 as a string.
    const QJsonValue wanted =
        jsonField(request, QLatin1String("outputDimensionality"), QLatin1String("output_dimensionality"));
    int dims = wanted.isString() ? wanted.toString().toInt() : wanted.toInt(768);
    dims = qBound(1, dims, 3072);
    const QByteArray digest = QCryptographicHash::hash(text, QCryptographicHash::Sha256);
    quint32 seed[4];
    std::memcpy(seed, digest.constData(), sizeof seed);
    QRandomGenerator rng(seed, seed + 4);
    out.append("{\"values\":[");
    for (int i = 0; i < dims; ++i) {
        if (i > 0)
            out.append(',');
        out.append(QByteArray::number(rng.generateDouble() * 2.0 - 1.0, 'f', 6));
    }
    out.append("]}");
}

Reply embed(const RouteInput& in, const QByteArray& model, bool batch) {
    Reply reply;
    QJsonObject body;
    if (!parseObject(in.request.body, body, reply))
        return reply;
    QByteArray out;
    if (!batch) {
        out.append("{\"embedding\":");
        appendEmbedding(out, body);
        out.append('}');
        return jsonReply(std::move(out));
    }
    const QJsonArray requests = body.value(QLatin1String("requests")).toArray();
    out.append("{\"embeddings\":[");
    for (qsizetype i = 0; i < requests.size(); ++i) {
        const QJsonObject r = requests.at(i).toObject();
        const QByteArray inner = r.value(QLatin1String("model")).toString().toUtf8();
        if (!inner.isEmpty() && inner != QByteArrayLiteral("models/") + model)
            return errorReply(400, "INVALID_ARGUMENT",
                              QByteArray(QByteArrayLiteral("Model in request ") + QByteArray::number(i) +
                                         QByteArrayLiteral(" (") + inner +
                                         QByteArrayLiteral(") does not match the model in the URL: models/") + model));
        if (i > 0)
            out.append(',');
        appendEmbedding(out, r);
    }
    out.append("]}");
    return jsonReply(std::move(out));
}

Reply models(const RouteInput& in, const QByteArray& id) {
    if (id.isEmpty()) {
        QList<QByteArray> items;
        for (const ModelInfo& m : kModels)
            items.append(QByteArray(m.json));
        Reply out;
        jsonPage(in, "models", items, 50, 1000, out);
        return out;
    }
    for (const ModelInfo& m : kModels) {
        if (id == m.id)
            return jsonReply(QByteArray(m.json));
    }
    return notFound(QByteArray(QByteArrayLiteral("models/") + id +
                               QByteArrayLiteral(" is not found for API version v1beta, or is not supported for "
                                                 "generateContent. Call ListModels to see the list of available models "
                                                 "and their supported methods.")));
}

Reply dispatch(Shared& shared, const Request& request, const QByteArray& key, const QByteArray& path,
               const QByteArray& query) {
    const bool upload = path.startsWith("/upload/");
    const QByteArray rest = path.mid(upload ? 8 : 1);
    const qsizetype slash = rest.indexOf('/');
    const QByteArray version = slash < 0 ? rest : rest.left(slash);
    const RouteInput in{request, key, slash < 0 ? QByteArray() : rest.mid(slash + 1), query};
    const bool isPost = request.method == "POST";
    const bool isGet = request.method == "GET";

    // models/{m}[:method]
    QByteArray model;
    QByteArray method;
    if (!upload && in.resource.startsWith("models/")) {
        model = in.resource.mid(7);
        const qsizetype colon = model.indexOf(':');
        if (colon >= 0) {
            method = model.mid(colon + 1);
            model.truncate(colon);
        }
    }
    const QByteArray quotaModel = model.isEmpty() ? QByteArrayLiteral("gemini-2.5-flash") : model;
    // Without alt=sse even errors of a stream come wrapped in the JSON array (gemini-api.md §5).
    const bool jsonArrayStream = method == "streamGenerateContent" && queryValue(query, "alt") != "sse";
    auto finish = [jsonArrayStream](Reply r) {
        if (jsonArrayStream && r.status >= 400) {
            r.body.prepend('[');
            r.body.append(']');
        }
        return r;
    };

    if (key.isEmpty())
        return finish(unregistered());
    const int forced = headerInt(request, "x-fake-status", 0, 0, 999);
    if (forced >= 400)
        return finish(forcedError(forced, quotaModel));
    const FakeUpstream::Behavior behavior = shared.behaviorFor(key, false);
    if (behavior != FakeUpstream::Ok && behavior != FakeUpstream::EmptyReply) {
        shared.behaviorFor(key, true);
        return finish(behaviorError(behavior, key, quotaModel));
    }
    if (version != "v1" && version != "v1beta" && version != "v1alpha")
        return notFound();
    if (upload)
        return in.resource == "files" && isPost ? routeUpload(shared, in) : notFound();

    if (in.resource == "models" && isGet)
        return models(in, {});
    if (!model.isEmpty() && method.isEmpty() && isGet)
        return models(in, model);
    if (!model.isEmpty() && isPost) {
        if (method == "generateContent")
            return generate(shared, in, model, false);
        if (method == "streamGenerateContent")
            return finish(generate(shared, in, model, true));
        if (method == "countTokens")
            return countTokens(in);
        if (method == "embedContent")
            return embed(in, model, false);
        if (method == "batchEmbedContents")
            return embed(in, model, true);
        if (method == "batchGenerateContent")
            return batchGenerateContent(shared, in, model);
    }
    Reply reply;
    if (routeCachedContents(shared, in, reply) || routeFiles(shared, in, reply) || routeBatches(shared, in, reply))
        return reply;
    return notFound(QByteArrayLiteral("Method not found."));
}

} // namespace

QByteArray generateResponseFor(const QJsonObject& body, QByteArrayView model) {
    const QByteArray text = replyText(body);
    return responseJson(text, {}, true, promptTokens(body), tokensFor(text), model, newResponseId());
}

QByteArray streamEvent(StreamPlan& plan, int index) {
    if (plan.empty)
        return emptyResponseJson(plan.promptTokens, plan.model, plan.responseId);
    if (!plan.calls.isEmpty() && index + 1 >= plan.chunks) {
        plan.candidateTokens += callTokens(plan.calls);
        return responseJson({}, plan.calls, true, plan.promptTokens, plan.candidateTokens, plan.model, plan.responseId);
    }
    const QByteArray text = index == 0 ? plan.firstText : QByteArrayLiteral(" +") + QByteArray::number(index);
    plan.candidateTokens += tokensFor(text);
    return responseJson(text, {}, index + 1 >= plan.chunks, plan.promptTokens, plan.candidateTokens, plan.model,
                        plan.responseId);
}

Reply route(Shared& shared, const Request& request) {
    const QByteArray key = request.header("x-goog-api-key");
    QByteArray path = request.target;
    if (path.startsWith("http://") || path.startsWith("https://")) {
        // absolute-form target, as sent to a forward proxy
        const qsizetype slash = path.indexOf('/', path.indexOf("//") + 2);
        path = slash < 0 ? QByteArrayLiteral("/") : path.mid(slash);
    }
    QByteArray query;
    const qsizetype q = path.indexOf('?');
    if (q >= 0) {
        query = path.mid(q + 1);
        path.truncate(q);
    }
    Reply reply = dispatch(shared, request, key, path, query);
    reply.delayMs = headerInt(request, "x-fake-delay-ms", 0, 0, 3600000);
    for (const auto& [name, value] : request.headers) {
        if (name == "x-fake-response-header" && value.contains(':'))
            reply.extraHeaders += value + "\r\n";
    }
    return reply;
}

} // namespace gemgate::test::detail
