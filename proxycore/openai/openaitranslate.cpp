// OpenAI chat completions request -> native generateContent body (docs/gemini-api.md 7.2).
//
// clang-format off
// Every field is mapped, ignored for a reason that cannot make the answer silently wrong (and listed in
// ChatRequest::ignored), or rejected with a 400 naming the field. Unknown fields are rejected.
//
// | Field                                   | Decision       | Why
// |-----------------------------------------|----------------|-------------------------------------------------------
// | user, safety_identifier,                | ignored        | end-user ids for OpenAI's abuse tracking and a cache
// |   prompt_cache_key                      |                | routing hint: no effect on the answer
// | store, metadata                         | ignored        | retention in OpenAI's dashboard; the answer is the same
// | service_tier                            | ignored        | price / latency class only
// | prediction                              | ignored        | predicted outputs only speed generation up
// | parallel_tool_calls                     | ignored        | true is Gemini's behaviour. false cannot be enforced,
// |                                         |                | but each call Gemini makes is still a complete call the
// |                                         |                | client can answer, and agent frameworks send false by
// |                                         |                | default (a 400 would lock them out)
// | stream_options.include_obfuscation      | ignored        | padding against length side channels; nothing to pad
// | logit_bias                              | {} only        | token ids of OpenAI's tokenizer mean nothing to Gemini,
// |                                         |                | and dropping a non-empty map would let banned tokens
// |                                         |                | through: 400 (gemini-api.md says drop; we do not)
// | verbosity                               | "medium" only  | the default; other values change the answer: 400
// | modalities                              | ["text"] only  | audio output has another response shape: 400
// | audio, web_search_options               | 400            | output audio / built-in web search are not mapped
// | functions, function_call                | 400            | the deprecated API expects message.function_call back;
// |                                         |                | answering with tool_calls would be silently wrong
// | messages[].name                         | ignored        | Gemini has no participant names
// | messages[].reasoning_content            | ignored        | our own non-standard output echoed back; Gemini gets
// |                                         |                | its reasoning context from thought signatures instead
// | image_url.detail, file.filename         | ignored        | a resolution hint / a display name
// | tools[].function.strict,                | ignored        | Gemini follows parametersJsonSchema / enforces
// |   response_format.json_schema.strict    |                | responseJsonSchema by constrained decoding
// | response_format.json_schema.description | -> schema      | becomes the schema's own "description" when it has none
// | reasoning_effort "minimal"              | budget 512     | the smallest budget every Gemini 2.5 model accepts
// |                                         |                | (Flash-Lite's minimum); none 0, low 1024, medium 8192,
// |                                         |                | high 24576 as Google's own layer. Budgets rather than
// |                                         |                | Gemini 3 levels: model-agnostic, and Gemini 3 accepts
// |                                         |                | them; google.thinking_config.thinking_level for levels
// | google.thinking_config, .cached_content | mapped         | Google's own extension (extra_body {"google": {...}})
//
// Tool-call ids are not sent upstream: Gemini pairs function responses with calls by order and name, and the ids
// of calls the gateway named itself ("call_...") mean nothing to it.
// clang-format on

#include "openai/openaitranslate_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <cmath>
#include <limits>
#include <utility>
#include <vector>
namespace gemgate::openai {

using namespace Qt::StringLiterals;

namespace {

const QRegularExpression& functionNamePattern() {
    static const QRegularExpression re(u"^[A-Za-z0-9_-]{1,64}$"_s);
    return re;
}

} // namespace

namespace detail {

QString typeName(const QJsonValue& v) {
    switch (v.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        return u"a number"_s;
    case QJsonValue::String:
        return u"a string"_s;
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    default:
        return u"nothing"_s;
    }
}

bool RequestTranslator::fail(const QString& param, const QString& message, const QString& code) {
    error.status = 400;
    error.type = u"invalid_request_error"_s;
    error.param = param;
    error.message = message;
    error.code = code;
    return false;
}

bool RequestTranslator::typeError(const QString& param, const QString& expected, const QJsonValue& got) {
    return fail(param, u"Invalid type for '%1': expected %2, but got %3 instead."_s.arg(param, expected, typeName(got)),
                u"invalid_type"_s);
}

bool RequestTranslator::missing(const QString& param) {
    return fail(param, u"Missing required parameter: '%1'."_s.arg(param), u"missing_required_parameter"_s);
}

bool RequestTranslator::onlyKeys(const QJsonObject& o, const QString& path,
                                 std::initializer_list<QLatin1StringView> known) {
    for (auto it = o.begin(); it != o.end(); ++it) {
        bool ok = false;
        for (QLatin1StringView k : known)
            ok = ok || it.key() == k;
        if (!ok) {
            const QString p = path + u'.' + it.key();
            return fail(p, u"Unknown parameter: '%1'."_s.arg(p), u"unknown_parameter"_s);
        }
    }
    return true;
}

bool RequestTranslator::string(const QJsonValue& v, const QString& path, QString* out) {
    if (!v.isString())
        return typeError(path, u"a string"_s, v);
    *out = v.toString();
    return true;
}

bool RequestTranslator::boolean(const QJsonValue& v, const QString& path, bool* out) {
    if (!v.isBool())
        return typeError(path, u"a boolean"_s, v);
    *out = v.toBool();
    return true;
}

bool RequestTranslator::object(const QJsonValue& v, const QString& path, QJsonObject* out) {
    if (!v.isObject())
        return typeError(path, u"an object"_s, v);
    *out = v.toObject();
    return true;
}

bool RequestTranslator::array(const QJsonValue& v, const QString& path, QJsonArray* out) {
    if (!v.isArray())
        return typeError(path, u"an array"_s, v);
    *out = v.toArray();
    return true;
}

bool RequestTranslator::number(const QJsonValue& v, const QString& path, double lo, double hi, double* out) {
    if (!v.isDouble())
        return typeError(path, u"a number"_s, v);
    const double d = v.toDouble();
    if (!(d >= lo && d <= hi))
        return fail(
            path,
            u"Invalid value for '%1': expected a number from %2 to %3, got %4."_s.arg(path).arg(lo).arg(hi).arg(d));
    *out = d;
    return true;
}

bool RequestTranslator::integer(const QJsonValue& v, const QString& path, qint64 lo, qint64 hi, qint64* out) {
    const double d = v.toDouble();
    if (!v.isDouble() || d != std::trunc(d))
        return typeError(path, u"an integer"_s, v);
    if (!(d >= double(lo) && d <= double(hi)))
        return fail(
            path,
            u"Invalid value for '%1': expected an integer from %2 to %3, got %4."_s.arg(path).arg(lo).arg(hi).arg(d));
    *out = qint64(d);
    return true;
}

bool RequestTranslator::topLevelKeys(const QJsonObject& root) {
    static const QSet<QString> mapped = {u"model"_s,
                                         u"messages"_s,
                                         u"max_tokens"_s,
                                         u"max_completion_tokens"_s,
                                         u"temperature"_s,
                                         u"top_p"_s,
                                         u"stop"_s,
                                         u"n"_s,
                                         u"seed"_s,
                                         u"presence_penalty"_s,
                                         u"frequency_penalty"_s,
                                         u"logprobs"_s,
                                         u"top_logprobs"_s,
                                         u"response_format"_s,
                                         u"tools"_s,
                                         u"tool_choice"_s,
                                         u"reasoning_effort"_s,
                                         u"stream"_s,
                                         u"stream_options"_s,
                                         u"logit_bias"_s,
                                         u"modalities"_s,
                                         u"verbosity"_s,
                                         u"google"_s};
    // Ignored (see the table above), with the type the field must still have.
    static const QHash<QString, QJsonValue::Type> ignored = {{u"user"_s, QJsonValue::String},
                                                             {u"safety_identifier"_s, QJsonValue::String},
                                                             {u"prompt_cache_key"_s, QJsonValue::String},
                                                             {u"store"_s, QJsonValue::Bool},
                                                             {u"metadata"_s, QJsonValue::Object},
                                                             {u"service_tier"_s, QJsonValue::String},
                                                             {u"prediction"_s, QJsonValue::Object},
                                                             {u"parallel_tool_calls"_s, QJsonValue::Bool}};
    static const QHash<QString, QString> rejected = {
        {u"audio"_s, u"'audio': audio output is not supported by this gateway."_s},
        {u"web_search_options"_s, u"'web_search_options': web search is not supported on the OpenAI-compatible API."_s},
        {u"functions"_s, u"'functions' is deprecated and not supported: send 'tools' instead."_s},
        {u"function_call"_s, u"'function_call' is deprecated and not supported: send 'tool_choice' instead."_s}};

    for (auto it = root.begin(); it != root.end(); ++it) {
        const QString& key = it.key();
        if (mapped.contains(key))
            continue;
        if (const auto ig = ignored.constFind(key); ig != ignored.cend()) {
            if (it.value().isNull())
                continue;
            if (it.value().type() != *ig) {
                const QString expected = *ig == QJsonValue::String ? u"a string"_s
                                         : *ig == QJsonValue::Bool ? u"a boolean"_s
                                                                   : u"an object"_s;
                return typeError(key, expected, it.value());
            }
            ignore(key);
            continue;
        }
        if (const auto rj = rejected.constFind(key); rj != rejected.cend()) {
            if (it.value().isNull())
                continue;
            return fail(key, *rj, u"unsupported_parameter"_s);
        }
        return fail(key, u"Unknown parameter: '%1'."_s.arg(key), u"unknown_parameter"_s);
    }
    return true;
}

bool RequestTranslator::model(const QJsonObject& root, QString* requested, QString* model) {
    const QJsonValue v = field(root, "model"_L1);
    if (v.isUndefined())
        return missing(u"model"_s);
    if (!string(v, u"model"_s, requested))
        return false;
    const auto strip = [](const QString& m) { return m.startsWith("models/"_L1) ? m.mid(7) : m; };
    QString name = m_options.modelAliases.value(*requested);
    if (name.isEmpty())
        name = m_options.modelAliases.value(strip(*requested));
    if (name.isEmpty())
        name = *requested;
    *model = strip(name);
    // The name becomes a URL path segment: nothing that could leave it.
    static const QRegularExpression valid(u"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"_s);
    if (!valid.match(*model).hasMatch())
        return fail(u"model"_s, u"Invalid value for 'model': '%1' is not a model name."_s.arg(*requested),
                    u"model_not_found"_s);
    return true;
}

bool RequestTranslator::responseFormat(const QJsonValue& v, QJsonObject* gen) {
    QJsonObject rf;
    QString type;
    if (!object(v, u"response_format"_s, &rf))
        return false;
    if (field(rf, "type"_L1).isUndefined())
        return missing(u"response_format.type"_s);
    if (!string(rf.value("type"_L1), u"response_format.type"_s, &type))
        return false;
    if (type == "text"_L1)
        return onlyKeys(rf, u"response_format"_s, {"type"_L1});
    if (type == "json_object"_L1) {
        if (!onlyKeys(rf, u"response_format"_s, {"type"_L1}))
            return false;
        gen->insert("responseMimeType"_L1, u"application/json"_s);
        return true;
    }
    if (type != "json_schema"_L1)
        return fail(u"response_format.type"_s, u"Invalid value for 'response_format.type': '%1'; expected 'text', "
                                               "'json_object' or 'json_schema'."_s.arg(type));
    const QString jp = u"response_format.json_schema"_s;
    QJsonObject js;
    if (!onlyKeys(rf, u"response_format"_s, {"type"_L1, "json_schema"_L1}))
        return false;
    if (field(rf, "json_schema"_L1).isUndefined())
        return missing(jp);
    if (!object(rf.value("json_schema"_L1), jp, &js) ||
        !onlyKeys(js, jp, {"name"_L1, "description"_L1, "schema"_L1, "strict"_L1}))
        return false;
    QString s;
    bool b = false;
    if (!field(js, "name"_L1).isUndefined() && !string(js.value("name"_L1), jp + u".name"_s, &s))
        return false;
    if (!field(js, "strict"_L1).isUndefined()) {
        if (!boolean(js.value("strict"_L1), jp + u".strict"_s, &b))
            return false;
        ignore(u"response_format.json_schema.strict"_s);
    }
    QString description;
    if (!field(js, "description"_L1).isUndefined() &&
        !string(js.value("description"_L1), jp + u".description"_s, &description))
        return false;
    gen->insert("responseMimeType"_L1, u"application/json"_s);
    if (const QJsonValue sv = field(js, "schema"_L1); !sv.isUndefined()) {
        QJsonObject schema;
        if (!object(sv, jp + u".schema"_s, &schema))
            return false;
        if (!description.isEmpty() && !schema.contains("description"_L1))
            schema.insert("description"_L1, description);
        gen->insert("responseJsonSchema"_L1, schema);
    }
    return true;
}

bool RequestTranslator::generation(const QJsonObject& root, QJsonObject* gen, ChatRequest* req) {
    constexpr qint64 int32Max = std::numeric_limits<qint32>::max();
    constexpr qint64 int32Min = std::numeric_limits<qint32>::min();
    qint64 i = 0;
    double d = 0;
    bool b = false;
    QString s;

    std::optional<qint64> maxTokens;
    for (QLatin1StringView key : {"max_completion_tokens"_L1, "max_tokens"_L1}) {
        const QJsonValue v = field(root, key);
        if (v.isUndefined())
            continue;
        if (!integer(v, key, 1, int32Max, &i))
            return false;
        if (maxTokens && *maxTokens != i)
            return fail(QString(key), u"Invalid value for '%1': it differs from 'max_completion_tokens'; send one "
                                      "of them."_s.arg(key));
        maxTokens = i;
    }
    if (maxTokens)
        gen->insert("maxOutputTokens"_L1, *maxTokens);

    struct Num {
        QLatin1StringView key;
        QLatin1StringView gemini;
        double lo;
        double hi;
    };
    for (const Num& n : {Num{"temperature"_L1, "temperature"_L1, 0, 2}, Num{"top_p"_L1, "topP"_L1, 0, 1},
                         Num{"presence_penalty"_L1, "presencePenalty"_L1, -2, 2},
                         Num{"frequency_penalty"_L1, "frequencyPenalty"_L1, -2, 2}}) {
        const QJsonValue v = field(root, n.key);
        if (v.isUndefined())
            continue;
        if (!number(v, n.key, n.lo, n.hi, &d))
            return false;
        gen->insert(n.gemini, d);
    }
    if (const QJsonValue v = field(root, "seed"_L1); !v.isUndefined()) {
        if (!integer(v, u"seed"_s, int32Min, int32Max, &i))
            return false;
        gen->insert("seed"_L1, i);
    }
    if (const QJsonValue v = field(root, "n"_L1); !v.isUndefined()) {
        if (!integer(v, u"n"_s, 1, 128, &i))
            return false;
        req->n = int(i);
        if (i > 1)
            gen->insert("candidateCount"_L1, i);
    }

    if (const QJsonValue v = field(root, "stop"_L1); !v.isUndefined()) {
        QJsonArray stops;
        if (v.isString()) {
            stops.append(v);
        } else if (v.isArray()) {
            stops = v.toArray();
        } else {
            return typeError(u"stop"_s, u"a string or an array of strings"_s, v);
        }
        if (stops.size() > 5)
            return fail(u"stop"_s, u"Invalid value for 'stop': at most 5 stop sequences are supported, got %1."_s.arg(
                                       stops.size()));
        for (qsizetype k = 0; k < stops.size(); ++k) {
            const QString p = v.isArray() ? at(u"stop"_s, k) : u"stop"_s;
            if (!string(stops.at(k), p, &s))
                return false;
            if (s.isEmpty())
                return fail(p, u"Invalid value for '%1': a stop sequence must not be empty."_s.arg(p));
        }
        if (!stops.isEmpty())
            gen->insert("stopSequences"_L1, stops);
    }

    bool logprobs = false;
    if (const QJsonValue v = field(root, "logprobs"_L1); !v.isUndefined()) {
        if (!boolean(v, u"logprobs"_s, &logprobs))
            return false;
        if (logprobs)
            gen->insert("responseLogprobs"_L1, true);
    }
    if (const QJsonValue v = field(root, "top_logprobs"_L1); !v.isUndefined()) {
        if (!integer(v, u"top_logprobs"_s, 0, 20, &i))
            return false;
        if (!logprobs)
            return fail(u"top_logprobs"_s, u"Invalid value for 'top_logprobs': it requires 'logprobs': true."_s);
        gen->insert("logprobs"_L1, i);
    }

    if (const QJsonValue v = field(root, "response_format"_L1); !v.isUndefined() && !responseFormat(v, gen))
        return false;

    if (const QJsonValue v = field(root, "reasoning_effort"_L1); !v.isUndefined()) {
        static const QHash<QString, int> budgets = {
            {u"none"_s, 0}, {u"minimal"_s, 512}, {u"low"_s, 1024}, {u"medium"_s, 8192}, {u"high"_s, 24576}};
        if (!string(v, u"reasoning_effort"_s, &s))
            return false;
        if (!budgets.contains(s))
            return fail(u"reasoning_effort"_s, u"Invalid value for 'reasoning_effort': '%1'; expected 'none', "
                                               "'minimal', 'low', 'medium' or 'high'."_s.arg(s));
        gen->insert("thinkingConfig"_L1, QJsonObject{{"thinkingBudget"_L1, budgets.value(s)}});
    }

    if (const QJsonValue v = field(root, "stream"_L1); !v.isUndefined() && !boolean(v, u"stream"_s, &req->stream))
        return false;
    if (const QJsonValue v = field(root, "stream_options"_L1); !v.isUndefined()) {
        QJsonObject so;
        if (!object(v, u"stream_options"_s, &so) ||
            !onlyKeys(so, u"stream_options"_s, {"include_usage"_L1, "include_obfuscation"_L1}))
            return false;
        if (const QJsonValue iu = field(so, "include_usage"_L1);
            !iu.isUndefined() && !boolean(iu, u"stream_options.include_usage"_s, &req->includeUsage))
            return false;
        if (const QJsonValue io = field(so, "include_obfuscation"_L1); !io.isUndefined()) {
            if (!boolean(io, u"stream_options.include_obfuscation"_s, &b))
                return false;
            ignore(u"stream_options.include_obfuscation"_s);
        }
    }

    if (const QJsonValue v = field(root, "logit_bias"_L1); !v.isUndefined()) {
        QJsonObject bias;
        if (!object(v, u"logit_bias"_s, &bias))
            return false;
        if (!bias.isEmpty())
            return fail(u"logit_bias"_s,
                        u"Invalid value for 'logit_bias': token biases are not supported (OpenAI "
                        "token ids mean nothing to Gemini)."_s,
                        u"unsupported_parameter"_s);
        ignore(u"logit_bias"_s);
    }
    if (const QJsonValue v = field(root, "modalities"_L1); !v.isUndefined()) {
        if (v != QJsonValue(QJsonArray{u"text"_s}))
            return fail(u"modalities"_s, u"Invalid value for 'modalities': only [\"text\"] is supported."_s,
                        u"unsupported_value"_s);
    }
    if (const QJsonValue v = field(root, "verbosity"_L1); !v.isUndefined()) {
        if (!string(v, u"verbosity"_s, &s))
            return false;
        if (s != "medium"_L1)
            return fail(u"verbosity"_s, u"Invalid value for 'verbosity': only 'medium' is supported."_s,
                        u"unsupported_value"_s);
        ignore(u"verbosity"_s);
    }
    return true;
}

bool RequestTranslator::tools(const QJsonObject& root, QJsonObject* native) {
    QJsonArray declarations;
    QStringList names;
    if (const QJsonValue v = field(root, "tools"_L1); !v.isUndefined()) {
        QJsonArray list;
        if (!array(v, u"tools"_s, &list))
            return false;
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString tp = at(u"tools"_s, i);
            const QString fp = sub(tp, "function"_L1);
            QJsonObject tool;
            QJsonObject function;
            QString type;
            QString name;
            if (!object(list.at(i), tp, &tool))
                return false;
            if (field(tool, "type"_L1).isUndefined())
                return missing(sub(tp, "type"_L1));
            if (!string(tool.value("type"_L1), sub(tp, "type"_L1), &type))
                return false;
            if (type != "function"_L1)
                return fail(sub(tp, "type"_L1),
                            u"Invalid value for '%1': only tools of type 'function' are supported, "
                            "got '%2'."_s.arg(sub(tp, "type"_L1), type),
                            u"unsupported_value"_s);
            if (!onlyKeys(tool, tp, {"type"_L1, "function"_L1}) || !object(tool.value("function"_L1), fp, &function) ||
                !onlyKeys(function, fp, {"name"_L1, "description"_L1, "parameters"_L1, "strict"_L1}) ||
                !string(function.value("name"_L1), sub(fp, "name"_L1), &name))
                return false;
            if (!functionNamePattern().match(name).hasMatch())
                return fail(sub(fp, "name"_L1), u"Invalid value for '%1': a function name is 1 to 64 characters "
                                                "of a-z, A-Z, 0-9, '_' and '-'."_s.arg(sub(fp, "name"_L1)));
            if (names.contains(name))
                return fail(sub(fp, "name"_L1),
                            u"Invalid value for '%1': '%2' is declared twice."_s.arg(sub(fp, "name"_L1), name));
            names.append(name);
            QJsonObject decl{{"name"_L1, name}};
            QString description;
            QJsonObject parameters;
            bool strict = false;
            if (const QJsonValue d = field(function, "description"_L1); !d.isUndefined()) {
                if (!string(d, sub(fp, "description"_L1), &description))
                    return false;
                decl.insert("description"_L1, description);
            }
            if (const QJsonValue p = field(function, "parameters"_L1); !p.isUndefined()) {
                if (!object(p, sub(fp, "parameters"_L1), &parameters))
                    return false;
                decl.insert("parametersJsonSchema"_L1, parameters);
            }
            if (const QJsonValue st = field(function, "strict"_L1); !st.isUndefined()) {
                if (!boolean(st, sub(fp, "strict"_L1), &strict))
                    return false;
                ignore(u"tools[].function.strict"_s);
            }
            declarations.append(decl);
        }
    }

    QString mode;
    QStringList allowed;
    const QJsonValue choice = field(root, "tool_choice"_L1);
    if (choice.isString()) {
        static const QHash<QString, QString> modes = {
            {u"none"_s, u"NONE"_s}, {u"auto"_s, u"AUTO"_s}, {u"required"_s, u"ANY"_s}};
        mode = modes.value(choice.toString());
        if (mode.isEmpty())
            return fail(u"tool_choice"_s, u"Invalid value for 'tool_choice': '%1'; expected 'none', 'auto', "
                                          "'required' or an object."_s.arg(choice.toString()));
    } else if (choice.isObject()) {
        const QJsonObject c = choice.toObject();
        QString type;
        if (field(c, "type"_L1).isUndefined())
            return missing(u"tool_choice.type"_s);
        if (!string(c.value("type"_L1), u"tool_choice.type"_s, &type))
            return false;
        if (type == "function"_L1) {
            QJsonObject f;
            QString name;
            if (!onlyKeys(c, u"tool_choice"_s, {"type"_L1, "function"_L1}) ||
                !object(c.value("function"_L1), u"tool_choice.function"_s, &f) ||
                !onlyKeys(f, u"tool_choice.function"_s, {"name"_L1}) ||
                !string(f.value("name"_L1), u"tool_choice.function.name"_s, &name))
                return false;
            if (!names.contains(name))
                return fail(u"tool_choice.function.name"_s, u"Invalid value for 'tool_choice.function.name': '%1' "
                                                            "is not one of the declared tools."_s.arg(name));
            mode = u"ANY"_s;
            allowed.append(name);
        } else if (type == "allowed_tools"_L1) {
            const QString ap = u"tool_choice.allowed_tools"_s;
            QJsonObject a;
            QJsonArray list;
            QString m;
            if (!onlyKeys(c, u"tool_choice"_s, {"type"_L1, "allowed_tools"_L1}) ||
                !object(c.value("allowed_tools"_L1), ap, &a) || !onlyKeys(a, ap, {"mode"_L1, "tools"_L1}) ||
                !string(a.value("mode"_L1), ap + u".mode"_s, &m) ||
                !array(a.value("tools"_L1), ap + u".tools"_s, &list))
                return false;
            if (m != "auto"_L1 && m != "required"_L1)
                return fail(ap + u".mode"_s, u"Invalid value for '%1.mode': expected 'auto' or 'required'."_s.arg(ap));
            for (qsizetype k = 0; k < list.size(); ++k) {
                const QString tp = at(ap + u".tools"_s, k);
                QJsonObject t;
                QJsonObject f;
                QString name;
                if (!object(list.at(k), tp, &t) || !onlyKeys(t, tp, {"type"_L1, "function"_L1}) ||
                    !object(t.value("function"_L1), sub(tp, "function"_L1), &f) ||
                    !string(f.value("name"_L1), sub(tp, "function.name"_L1), &name))
                    return false;
                if (t.value("type"_L1) != QJsonValue(u"function"_s))
                    return fail(sub(tp, "type"_L1),
                                u"Invalid value for '%1': expected 'function'."_s.arg(sub(tp, "type"_L1)));
                if (!names.contains(name))
                    return fail(sub(tp, "function.name"_L1),
                                u"Invalid value for '%1': '%2' is not one of the "
                                "declared tools."_s.arg(sub(tp, "function.name"_L1), name));
                allowed.append(name);
            }
            if (m == "required"_L1) {
                mode = u"ANY"_s;
            } else {
                // "auto" among a subset: declare only that subset (allowedFunctionNames needs mode ANY).
                QJsonArray subset;
                for (const QJsonValue& d : std::as_const(declarations))
                    if (allowed.contains(d.toObject().value("name"_L1).toString()))
                        subset.append(d);
                declarations = subset;
                allowed.clear();
                mode = u"AUTO"_s;
            }
        } else {
            return fail(u"tool_choice.type"_s, u"Invalid value for 'tool_choice.type': '%1'; expected 'function' or "
                                               "'allowed_tools'."_s.arg(type));
        }
    } else if (!choice.isUndefined()) {
        return typeError(u"tool_choice"_s, u"a string or an object"_s, choice);
    }

    if (declarations.isEmpty()) {
        if (mode == "ANY"_L1)
            return fail(u"tool_choice"_s, u"Invalid value for 'tool_choice': it requires 'tools'."_s);
        return true; // none / auto without tools: nothing to say
    }
    native->insert("tools"_L1, QJsonArray{QJsonObject{{"functionDeclarations"_L1, declarations}}});
    if (!mode.isEmpty()) {
        QJsonObject fcc{{"mode"_L1, mode}};
        if (!allowed.isEmpty())
            fcc.insert("allowedFunctionNames"_L1, QJsonArray::fromStringList(allowed));
        native->insert("toolConfig"_L1, QJsonObject{{"functionCallingConfig"_L1, fcc}});
    }
    return true;
}

// Google's own extension to its OpenAI layer: {"google": {"thinking_config": {...}, "cached_content": "..."}}.
bool RequestTranslator::google(const QJsonObject& root, bool haveEffort, QJsonObject* gen, QJsonObject* native) {
    const QJsonValue v = field(root, "google"_L1);
    if (v.isUndefined())
        return true;
    QJsonObject g;
    if (!object(v, u"google"_s, &g) || !onlyKeys(g, u"google"_s, {"thinking_config"_L1, "cached_content"_L1}))
        return false;
    if (const QJsonValue tc = field(g, "thinking_config"_L1); !tc.isUndefined()) {
        const QString tp = u"google.thinking_config"_s;
        QJsonObject t;
        QJsonObject thinking;
        if (!object(tc, tp, &t) || !onlyKeys(t, tp, {"thinking_budget"_L1, "thinking_level"_L1}))
            return false;
        if (haveEffort)
            return fail(tp, u"Invalid value for '%1': send either it or 'reasoning_effort'."_s.arg(tp));
        if (const QJsonValue b = field(t, "thinking_budget"_L1); !b.isUndefined()) {
            qint64 budget = 0;
            if (!integer(b, tp + u".thinking_budget"_s, -1, std::numeric_limits<qint32>::max(), &budget))
                return false;
            thinking.insert("thinkingBudget"_L1, budget);
        }
        if (const QJsonValue l = field(t, "thinking_level"_L1); !l.isUndefined()) {
            QString level;
            if (!string(l, tp + u".thinking_level"_s, &level))
                return false;
            level = level.toUpper();
            if (!QStringList{u"MINIMAL"_s, u"LOW"_s, u"MEDIUM"_s, u"HIGH"_s}.contains(level))
                return fail(tp + u".thinking_level"_s, u"Invalid value for '%1.thinking_level': expected 'minimal', "
                                                       "'low', 'medium' or 'high'."_s.arg(tp));
            if (thinking.contains("thinkingBudget"_L1))
                return fail(tp, u"Invalid value for '%1': send thinking_budget or thinking_level, not both."_s.arg(tp));
            thinking.insert("thinkingLevel"_L1, level);
        }
        if (!thinking.isEmpty())
            gen->insert("thinkingConfig"_L1, thinking);
    }
    if (const QJsonValue cc = field(g, "cached_content"_L1); !cc.isUndefined()) {
        QString name;
        if (!string(cc, u"google.cached_content"_s, &name))
            return false;
        if (!name.startsWith("cachedContents/"_L1))
            return fail(u"google.cached_content"_s,
                        u"Invalid value for 'google.cached_content': expected 'cachedContents/<id>'."_s);
        native->insert("cachedContent"_L1, name);
    }
    return true;
}

bool RequestTranslator::parse(const QByteArray& body, QJsonObject* root) {
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError)
        return fail({}, u"The request body is not valid JSON: %1 at offset %2."_s.arg(pe.errorString()).arg(pe.offset),
                    u"invalid_json"_s);
    if (!doc.isObject())
        return fail({}, u"The request body must be a JSON object."_s, u"invalid_json"_s);
    *root = doc.object();
    return true;
}

std::optional<ChatRequest> RequestTranslator::chat(const QByteArray& body) {
    QJsonObject root;
    ChatRequest req;
    QJsonObject native;
    QJsonObject gen;
    if (!parse(body, &root) || !topLevelKeys(root) || !model(root, &req.requested, &req.model) ||
        !messages(root, &native) || !generation(root, &gen, &req) || !tools(root, &native) ||
        !google(root, !field(root, "reasoning_effort"_L1).isUndefined(), &gen, &native))
        return std::nullopt;
    if (!gen.isEmpty())
        native.insert("generationConfig"_L1, gen);
    req.nativeBody = QJsonDocument(native).toJson(QJsonDocument::Compact);
    req.ignored = m_ignored;
    return req;
}

// POST /v1/embeddings -> batchEmbedContents: one request per input, in order.
std::optional<EmbeddingsRequest> RequestTranslator::embeddings(const QByteArray& body) {
    QJsonObject root;
    EmbeddingsRequest req;
    if (!parse(body, &root))
        return std::nullopt;
    for (auto it = root.begin(); it != root.end(); ++it) {
        const QString& key = it.key();
        if (key == "user"_L1) {
            QString user;
            if (!it.value().isNull() && !string(it.value(), key, &user))
                return std::nullopt;
        } else if (key != "model"_L1 && key != "input"_L1 && key != "dimensions"_L1 && key != "encoding_format"_L1) {
            fail(key, u"Unknown parameter: '%1'."_s.arg(key), u"unknown_parameter"_s);
            return std::nullopt;
        }
    }
    if (!model(root, &req.requested, &req.model))
        return std::nullopt;

    QStringList texts;
    const QJsonValue input = field(root, "input"_L1);
    const QString tokensMessage = u"Invalid value for '%1': token arrays are not supported (Gemini has its own "
                                  "tokenizer); send the text as a string or an array of strings."_s;
    if (input.isUndefined()) {
        missing(u"input"_s);
        return std::nullopt;
    }
    if (input.isString()) {
        texts.append(input.toString());
    } else if (input.isArray()) {
        const QJsonArray list = input.toArray();
        if (list.isEmpty()) {
            fail(u"input"_s, u"Invalid value for 'input': the array is empty."_s);
            return std::nullopt;
        }
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QJsonValue v = list.at(i);
            if (v.isDouble() || v.isArray()) {
                fail(u"input"_s, tokensMessage.arg(u"input"_s), u"unsupported_value"_s);
                return std::nullopt;
            }
            QString text;
            if (!string(v, at(u"input"_s, i), &text))
                return std::nullopt;
            texts.append(text);
        }
    } else {
        typeError(u"input"_s, u"a string or an array of strings"_s, input);
        return std::nullopt;
    }
    for (qsizetype i = 0; i < texts.size(); ++i) {
        if (texts.at(i).isEmpty()) {
            const QString p = input.isArray() ? at(u"input"_s, i) : u"input"_s;
            fail(p, u"Invalid value for '%1': the text is empty."_s.arg(p));
            return std::nullopt;
        }
    }

    qint64 dimensions = 0;
    if (const QJsonValue v = field(root, "dimensions"_L1);
        !v.isUndefined() && !integer(v, u"dimensions"_s, 1, 65536, &dimensions))
        return std::nullopt;
    if (const QJsonValue v = field(root, "encoding_format"_L1); !v.isUndefined()) {
        QString format;
        if (!string(v, u"encoding_format"_s, &format))
            return std::nullopt;
        if (format == "base64"_L1) {
            // What the OpenAI Node.js SDK asks for unless told otherwise: the float32 values, little-endian, in
            // base64.
            req.base64 = true;
        } else if (format != "float"_L1) {
            fail(
                u"encoding_format"_s,
                u"Invalid value for 'encoding_format': '%1'; expected 'float' (the default) or 'base64'."_s.arg(format),
                u"unsupported_value"_s);
            return std::nullopt;
        }
    }

    QJsonArray requests;
    const QString modelName = u"models/"_s + req.model;
    for (const QString& text : std::as_const(texts)) {
        QJsonObject r{{"model"_L1, modelName},
                      {"content"_L1, QJsonObject{{"parts"_L1, QJsonArray{QJsonObject{{"text"_L1, text}}}}}}};
        if (dimensions > 0)
            r.insert("outputDimensionality"_L1, dimensions);
        requests.append(r);
    }
    req.nativeBody = QJsonDocument(QJsonObject{{"requests"_L1, requests}}).toJson(QJsonDocument::Compact);
    req.inputs = int(texts.size());
    return req;
}

} // namespace detail

std::optional<ChatRequest> translateChatRequest(const QByteArray& body, const TranslateOptions& options,
                                                ApiError* error) {
    detail::RequestTranslator t(options);
    std::optional<ChatRequest> req = t.chat(body);
    if (!req && error)
        *error = t.error;
    if (req && options.includeThoughts) {
        QJsonObject native = QJsonDocument::fromJson(req->nativeBody).object();
        QJsonObject gen = native.value("generationConfig"_L1).toObject();
        QJsonObject thinking = gen.value("thinkingConfig"_L1).toObject();
        if (thinking.value("thinkingBudget"_L1).toInt(-1) != 0) { // thinking turned off: nothing to include
            thinking.insert("includeThoughts"_L1, true);
            gen.insert("thinkingConfig"_L1, thinking);
            native.insert("generationConfig"_L1, gen);
            req->nativeBody = QJsonDocument(native).toJson(QJsonDocument::Compact);
        }
    }
    return req;
}

std::optional<EmbeddingsRequest> translateEmbeddingsRequest(const QByteArray& body, const TranslateOptions& options,
                                                            ApiError* error) {
    detail::RequestTranslator t(options);
    std::optional<EmbeddingsRequest> req = t.embeddings(body);
    if (!req && error)
        *error = t.error;
    return req;
}

} // namespace gemgate::openai
