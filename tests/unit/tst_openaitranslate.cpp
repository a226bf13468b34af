// The OpenAI <-> Gemini translation layer against hand-written golden files (tests/unit/golden/openai/, written from
// docs/gemini-api.md sections 3-5 and 7, not dumped from the implementation):
//   request_NAME.openai.json  -> request_NAME.gemini.json    (+ request_NAME.meta.json: options, expected fields)
//   response_NAME.gemini.json -> response_NAME.openai.json   (+ meta: context, signatures remembered)
//   stream_NAME.gemini.sse    -> stream_NAME.openai.sse      (+ meta), also split at every byte and re-framed
//   embed_request_*, embed_response_*, models_*
// JSON is compared parsed. A golden string "<gen:PREFIX>" stands for a generated id: PREFIX and random hex.
// "arguments" strings are compared as the JSON they hold. Rejections are tables of bodies and field paths.

#include "openai/openaitranslate.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>
#include <QtEndian>

using namespace gemgate::openai;

class TestOpenAiTranslate : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void chatRequest_data();
    void chatRequest();
    void reasoningEffort_data();
    void reasoningEffort();
    void rejections_data();
    void rejections();
    void chatResponse_data();
    void chatResponse();
    void chatStream_data();
    void chatStream();
    void streamSplitAnywhere_data();
    void streamSplitAnywhere();
    void streamEventLeavesAtOnce();
    void streamEndsWithoutBlankLine();
    void embeddingsRequest_data();
    void embeddingsRequest();
    void embeddingsRejections_data();
    void embeddingsRejections();
    void embeddingsResponse_data();
    void embeddingsResponse();
    void embeddingsBase64();
    void includeThoughts();
    void signatureCacheBounds();
    void models_data();
    void models();
    void geminiErrors_data();
    void geminiErrors();
    void errorBodyShape();
    void signatureCache();
};

namespace {

constexpr qint64 kCreated = 1767225600;

QString golden(const QString& name) {
    return QStringLiteral(GEMGATE_OPENAI_GOLDEN) + QLatin1Char('/') + name;
}

QByteArray readGolden(const QString& name) {
    QFile f(golden(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing golden file %s", qPrintable(name));
    return f.readAll();
}

QJsonValue parse(const QByteArray& bytes) {
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &pe);
    if (pe.error != QJsonParseError::NoError)
        qFatal("bad JSON (%s): %s", qPrintable(pe.errorString()), bytes.constData());
    return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
}

QJsonObject meta(const QString& base) {
    const QString name = base + QStringLiteral(".meta.json");
    return QFile::exists(golden(name)) ? parse(readGolden(name)).toObject() : QJsonObject();
}

// The case names for files PREFIX*SUFFIX, without SUFFIX.
QStringList cases(const QString& prefix, const QString& suffix) {
    QStringList names;
    const QStringList files = QDir(golden(QString())).entryList({prefix + QLatin1Char('*') + suffix}, QDir::Files);
    for (const QString& f : files)
        names.append(f.chopped(suffix.size()));
    return names;
}

bool matches(const QJsonValue& expected, const QJsonValue& actual, const QString& path, QString* why) {
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{8,}$"));
    const QString s = expected.toString();
    if (expected.isString() && s.startsWith(QLatin1String("<gen:")) && s.endsWith(QLatin1Char('>'))) {
        const QString prefix = s.mid(5, s.size() - 6);
        const QString a = actual.toString();
        if (actual.isString() && a.startsWith(prefix) && hex.match(a.mid(prefix.size())).hasMatch())
            return true;
        *why = path + QStringLiteral(": expected a generated id ") + s + QStringLiteral(", got ") +
               QString::fromUtf8(QJsonDocument(QJsonArray{actual}).toJson(QJsonDocument::Compact));
        return false;
    }
    if (expected.isObject() && actual.isObject()) {
        const QJsonObject e = expected.toObject();
        const QJsonObject a = actual.toObject();
        if (e.keys() != a.keys()) {
            *why =
                path + QStringLiteral(": keys ") + e.keys().join(u',') + QStringLiteral(" vs ") + a.keys().join(u',');
            return false;
        }
        for (auto it = e.begin(); it != e.end(); ++it) {
            QJsonValue ev = it.value();
            QJsonValue av = a.value(it.key());
            if (it.key() == QLatin1String("arguments") && ev.isString() && av.isString()) {
                ev = parse(ev.toString().toUtf8());
                av = parse(av.toString().toUtf8());
            }
            if (!matches(ev, av, path + QLatin1Char('.') + it.key(), why))
                return false;
        }
        return true;
    }
    if (expected.isArray() && actual.isArray()) {
        const QJsonArray e = expected.toArray();
        const QJsonArray a = actual.toArray();
        if (e.size() != a.size()) {
            *why = path + QStringLiteral(": %1 elements vs %2").arg(e.size()).arg(a.size());
            return false;
        }
        for (qsizetype i = 0; i < e.size(); ++i)
            if (!matches(e.at(i), a.at(i), path + QStringLiteral("[%1]").arg(i), why))
                return false;
        return true;
    }
    if (expected != actual) {
        *why = path + QStringLiteral(": expected ") +
               QString::fromUtf8(QJsonDocument(QJsonArray{expected}).toJson(QJsonDocument::Compact)) +
               QStringLiteral(", got ") +
               QString::fromUtf8(QJsonDocument(QJsonArray{actual}).toJson(QJsonDocument::Compact));
        return false;
    }
    return true;
}

#define COMPARE_JSON(expected, actual)                                                                                 \
    do {                                                                                                               \
        QString why_;                                                                                                  \
        QVERIFY2(matches(expected, actual, QStringLiteral("$"), &why_), qPrintable(why_));                             \
    } while (false)

TranslateOptions optionsFrom(const QJsonObject& m, SignatureCache* cache) {
    TranslateOptions options;
    const QJsonObject o = m.value(QLatin1String("options")).toObject();
    const QJsonObject aliases = o.value(QLatin1String("aliases")).toObject();
    for (auto it = aliases.begin(); it != aliases.end(); ++it)
        options.modelAliases.insert(it.key(), it.value().toString());
    const QJsonObject sigs = o.value(QLatin1String("signatures")).toObject();
    for (auto it = sigs.begin(); it != sigs.end(); ++it)
        cache->remember(it.key(), QStringLiteral("f"), it.value().toString().toLatin1());
    options.signatures = cache;
    return options;
}

ChatContext contextFrom(const QJsonObject& m, SignatureCache* cache) {
    const QJsonObject c = m.value(QLatin1String("context")).toObject();
    ChatContext ctx;
    ctx.model = c.value(QLatin1String("model")).toString(QStringLiteral("gemini-2.5-flash"));
    ctx.created = kCreated;
    ctx.includeUsage = c.value(QLatin1String("includeUsage")).toBool();
    ctx.reasoningContent = c.value(QLatin1String("reasoningContent")).toBool();
    ctx.signatures = cache;
    return ctx;
}

// Every tool-call id in a chat.completion or in a list of chunks, in order.
QStringList toolCallIds(const QJsonValue& v) {
    QStringList ids;
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        if (o.contains(QLatin1String("tool_calls")))
            for (const QJsonValue& c : o.value(QLatin1String("tool_calls")).toArray())
                ids.append(c[QLatin1String("id")].toString());
        for (auto it = o.begin(); it != o.end(); ++it)
            if (it.key() != QLatin1String("tool_calls"))
                ids += toolCallIds(it.value());
    } else if (v.isArray()) {
        for (const QJsonValue& e : v.toArray())
            ids += toolCallIds(e);
    }
    return ids;
}

void checkRemembered(const QJsonObject& m, const QJsonValue& output, const SignatureCache& cache) {
    const QJsonArray remembered = m.value(QLatin1String("remembered")).toArray();
    const QStringList ids = toolCallIds(output);
    if (remembered.isEmpty())
        return;
    QCOMPARE(ids.size(), remembered.size());
    for (qsizetype i = 0; i < ids.size(); ++i)
        QCOMPARE(cache.signature(ids.at(i)), remembered.at(i).toString().toLatin1());
}

// An OpenAI SSE body as a list of events: the parsed JSON of each data line, or the string "[DONE]".
QJsonArray sseEvents(const QByteArray& body, QString* why) {
    QJsonArray events;
    const QList<QByteArray> blocks = body.split('\n');
    // Framing: every event is "data: X\n\n".
    qsizetype i = 0;
    while (i < blocks.size()) {
        if (blocks.at(i).isEmpty() && i == blocks.size() - 1)
            break;
        if (!blocks.at(i).startsWith("data: ") || i + 1 >= blocks.size() || !blocks.at(i + 1).isEmpty()) {
            *why = QStringLiteral("bad framing at line %1: ").arg(i) + QString::fromUtf8(blocks.at(i));
            return {};
        }
        const QByteArray data = blocks.at(i).mid(6);
        events.append(data == "[DONE]" ? QJsonValue(QStringLiteral("[DONE]")) : parse(data));
        i += 2;
    }
    return events;
}

QByteArray normalizeIds(QByteArray out) {
    static const QRegularExpression gen(QStringLiteral("(call_|chatcmpl-)[0-9a-f]{24}"));
    return QString::fromUtf8(out).replace(gen, QStringLiteral("\\1X")).toUtf8();
}

QByteArray runStream(const QByteArray& input, const ChatContext& ctx, const QList<qsizetype>& cuts) {
    ChatStreamTranslator t(ctx);
    QByteArray out;
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        out += t.feed(input.constData() + from, cut - from);
        from = cut;
    }
    out += t.feed(input.constData() + from, input.size() - from);
    return out + t.finish();
}

QByteArray reframed(QByteArray sse, const QByteArray& eol) {
    return sse.replace("\n", eol);
}

} // namespace

// --- requests -------------------------------------------------------------------------------------------------

void TestOpenAiTranslate::chatRequest_data() {
    QTest::addColumn<QString>("base");
    for (const QString& c : cases(QStringLiteral("request_"), QStringLiteral(".openai.json")))
        QTest::newRow(qPrintable(c)) << c;
}

void TestOpenAiTranslate::chatRequest() {
    QFETCH(QString, base);
    const QJsonObject m = meta(base);
    SignatureCache cache;
    ApiError error;
    const auto req =
        translateChatRequest(readGolden(base + QStringLiteral(".openai.json")), optionsFrom(m, &cache), &error);
    QVERIFY2(req, qPrintable(error.param + QStringLiteral(": ") + error.message));
    COMPARE_JSON(parse(readGolden(base + QStringLiteral(".gemini.json"))), parse(req->nativeBody));

    const QJsonObject expect = m.value(QLatin1String("expect")).toObject();
    if (expect.contains(QLatin1String("model")))
        QCOMPARE(req->model, expect.value(QLatin1String("model")).toString());
    if (expect.contains(QLatin1String("requested")))
        QCOMPARE(req->requested, expect.value(QLatin1String("requested")).toString());
    QCOMPARE(req->stream, expect.value(QLatin1String("stream")).toBool());
    QCOMPARE(req->includeUsage, expect.value(QLatin1String("includeUsage")).toBool());
    QCOMPARE(req->n, expect.value(QLatin1String("n")).toInt(1));
    QStringList ignored;
    for (const QJsonValue& v : expect.value(QLatin1String("ignored")).toArray())
        ignored.append(v.toString());
    QStringList actualIgnored = req->ignored;
    ignored.sort();
    actualIgnored.sort();
    QCOMPARE(actualIgnored, ignored);
}

void TestOpenAiTranslate::reasoningEffort_data() {
    QTest::addColumn<QString>("effort");
    QTest::addColumn<int>("budget");
    QTest::newRow("none") << QStringLiteral("none") << 0;
    QTest::newRow("minimal") << QStringLiteral("minimal") << 512;
    QTest::newRow("low") << QStringLiteral("low") << 1024;
    QTest::newRow("medium") << QStringLiteral("medium") << 8192;
    QTest::newRow("high") << QStringLiteral("high") << 24576;
}

void TestOpenAiTranslate::reasoningEffort() {
    QFETCH(QString, effort);
    QFETCH(int, budget);
    const QByteArray body = R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"x"}],)"
                            R"("reasoning_effort":")" +
                            effort.toUtf8() + "\"}";
    ApiError error;
    const auto req = translateChatRequest(body, {}, &error);
    QVERIFY2(req, qPrintable(error.message));
    const QJsonObject gen = parse(req->nativeBody)[QLatin1String("generationConfig")].toObject();
    QCOMPARE(gen, QJsonObject(
                      {{QStringLiteral("thinkingConfig"), QJsonObject({{QStringLiteral("thinkingBudget"), budget}})}}));
}

void TestOpenAiTranslate::rejections_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("param");
    QTest::addColumn<QString>("says"); // a piece of the message

    const QByteArray user = R"("messages":[{"role":"user","content":"hi"}])";
    const auto with = [&](const char* fields) -> QByteArray {
        return "{\"model\":\"gemini-2.5-flash\"," + user + "," + fields + "}";
    };
    const QByteArray call = R"({"role":"assistant","tool_calls":[{"id":"c1","type":"function",)"
                            R"("function":{"name":"f","arguments":"{\"a\":1"}}]})";

    QTest::newRow("not json") << QByteArray("{\"model\":") << QString() << QStringLiteral("not valid JSON");
    QTest::newRow("not an object") << QByteArray("[1]") << QString() << QStringLiteral("JSON object");
    QTest::newRow("unknown field") << with(R"("frobnicate":1)") << QStringLiteral("frobnicate")
                                   << QStringLiteral("Unknown parameter");
    QTest::newRow("missing model") << QByteArray("{" + user + "}") << QStringLiteral("model")
                                   << QStringLiteral("Missing required parameter");
    QTest::newRow("model not a string") << QByteArray("{\"model\":4," + user + "}") << QStringLiteral("model")
                                        << QStringLiteral("expected a string, but got a number");
    QTest::newRow("model path escape") << QByteArray("{\"model\":\"../files/x\"," + user + "}")
                                       << QStringLiteral("model") << QStringLiteral("not a model name");
    QTest::newRow("missing messages") << QByteArray(R"({"model":"m"})") << QStringLiteral("messages")
                                      << QStringLiteral("Missing required parameter");
    QTest::newRow("empty messages") << QByteArray(R"({"model":"m","messages":[]})") << QStringLiteral("messages")
                                    << QStringLiteral("at least one message");
    QTest::newRow("messages not an array") << QByteArray(R"({"model":"m","messages":{}})") << QStringLiteral("messages")
                                           << QStringLiteral("expected an array");
    QTest::newRow("only a system message")
        << QByteArray(R"({"model":"m","messages":[{"role":"system","content":"s"}]})") << QStringLiteral("messages")
        << QStringLiteral("user or assistant");
    QTest::newRow("bad role") << QByteArray(R"({"model":"m","messages":[{"role":"robot","content":"x"}]})")
                              << QStringLiteral("messages[0].role") << QStringLiteral("'robot'");
    QTest::newRow("content a number") << QByteArray(R"({"model":"m","messages":[{"role":"user","content":5}]})")
                                      << QStringLiteral("messages[0].content")
                                      << QStringLiteral("expected a string or an array of content parts");
    QTest::newRow("empty user content") << QByteArray(R"({"model":"m","messages":[{"role":"user","content":""}]})")
                                        << QStringLiteral("messages[0].content") << QStringLiteral("empty");
    QTest::newRow("unknown message field")
        << QByteArray(R"({"model":"m","messages":[{"role":"user","content":"x","colour":"red"}]})")
        << QStringLiteral("messages[0].colour") << QStringLiteral("Unknown parameter");
    QTest::newRow("unknown part type")
        << QByteArray(R"({"model":"m","messages":[{"role":"user","content":[{"type":"video","video":{}}]}]})")
        << QStringLiteral("messages[0].content[0].type") << QStringLiteral("'video'");
    QTest::newRow("http image url")
        << QByteArray(R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"what?"},)"
                      R"({"type":"image_url","image_url":{"url":"https://example.org/fox.png"}}]}]})")
        << QStringLiteral("messages[0].content[1].image_url.url") << QStringLiteral("data URL");
    QTest::newRow("data url not base64") << QByteArray(
                                                R"({"model":"m","messages":[{"role":"user","content":[)"
                                                R"({"type":"image_url","image_url":{"url":"data:image/png,abc"}}]}]})")
                                         << QStringLiteral("messages[0].content[0].image_url.url")
                                         << QStringLiteral("base64 data URL");
    QTest::newRow("audio format") << QByteArray(
                                         R"({"model":"m","messages":[{"role":"user","content":[)"
                                         R"({"type":"input_audio","input_audio":{"data":"AAAA","format":"flac"}}]}]})")
                                  << QStringLiteral("messages[0].content[0].input_audio.format")
                                  << QStringLiteral("'wav' or 'mp3'");
    QTest::newRow("file id")
        << QByteArray(
               R"({"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"f1"}}]}]})")
        << QStringLiteral("messages[0].content[0].file.file_id") << QStringLiteral("file_data");
    QTest::newRow("bad arguments json") << QByteArray(R"({"model":"m","messages":[{"role":"user","content":"x"},)" +
                                                      call + "]}")
                                        << QStringLiteral("messages[1].tool_calls[0].function.arguments")
                                        << QStringLiteral("JSON object");
    QTest::newRow("arguments not an object")
        << QByteArray(R"({"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[)"
                      R"({"id":"c1","type":"function","function":{"name":"f","arguments":"[1]"}}]}]})")
        << QStringLiteral("messages[1].tool_calls[0].function.arguments") << QStringLiteral("JSON object");
    QTest::newRow("tool result for an unknown call")
        << QByteArray(R"({"model":"m","messages":[{"role":"user","content":"x"},)"
                      R"({"role":"tool","tool_call_id":"nope","content":"1"}]})")
        << QStringLiteral("messages[1].tool_call_id") << QStringLiteral("'nope'");
    QTest::newRow("deprecated function role")
        << QByteArray(R"({"model":"m","messages":[{"role":"function","name":"f","content":"1"}]})")
        << QStringLiteral("messages[0].role") << QStringLiteral("deprecated");
    QTest::newRow("temperature a string") << with(R"("temperature":"hot")") << QStringLiteral("temperature")
                                          << QStringLiteral("expected a number, but got a string");
    QTest::newRow("temperature out of range")
        << with(R"("temperature":3)") << QStringLiteral("temperature") << QStringLiteral("from 0 to 2");
    QTest::newRow("max_tokens fractional")
        << with(R"("max_tokens":1.5)") << QStringLiteral("max_tokens") << QStringLiteral("expected an integer");
    QTest::newRow("n zero") << with(R"("n":0)") << QStringLiteral("n") << QStringLiteral("from 1");
    QTest::newRow("stream a string") << with(R"("stream":"yes")") << QStringLiteral("stream")
                                     << QStringLiteral("expected a boolean");
    QTest::newRow("stream_options unknown") << with(R"("stream_options":{"include_usage":true,"x":1})")
                                            << QStringLiteral("stream_options.x") << QStringLiteral("Unknown");
    QTest::newRow("too many stops") << with(R"("stop":["a","b","c","d","e","f"])") << QStringLiteral("stop")
                                    << QStringLiteral("at most 5");
    QTest::newRow("stop element a number")
        << with(R"("stop":["a",3])") << QStringLiteral("stop[1]") << QStringLiteral("expected a string");
    QTest::newRow("logit_bias") << with(R"("logit_bias":{"50256":-100})") << QStringLiteral("logit_bias")
                                << QStringLiteral("not supported");
    QTest::newRow("top_logprobs without logprobs")
        << with(R"("top_logprobs":2)") << QStringLiteral("top_logprobs") << QStringLiteral("'logprobs': true");
    QTest::newRow("response_format type") << with(R"("response_format":{"type":"yaml"})")
                                          << QStringLiteral("response_format.type") << QStringLiteral("'yaml'");
    QTest::newRow("json_schema not an object")
        << with(R"("response_format":{"type":"json_schema","json_schema":{"name":"x","schema":"{}"}})")
        << QStringLiteral("response_format.json_schema.schema") << QStringLiteral("expected an object");
    QTest::newRow("non-function tool") << with(R"("tools":[{"type":"web_search"}])") << QStringLiteral("tools[0].type")
                                       << QStringLiteral("only tools of type 'function'");
    QTest::newRow("tool name") << with(R"("tools":[{"type":"function","function":{"name":"a b"}}])")
                               << QStringLiteral("tools[0].function.name") << QStringLiteral("1 to 64");
    QTest::newRow("tool_choice unknown function")
        << with(R"("tools":[{"type":"function","function":{"name":"f"}}],)"
                R"("tool_choice":{"type":"function","function":{"name":"g"}})")
        << QStringLiteral("tool_choice.function.name") << QStringLiteral("'g'");
    QTest::newRow("tool_choice required without tools")
        << with(R"("tool_choice":"required")") << QStringLiteral("tool_choice") << QStringLiteral("requires");
    QTest::newRow("tool_choice bad string")
        << with(R"("tool_choice":"sometimes")") << QStringLiteral("tool_choice") << QStringLiteral("'sometimes'");
    QTest::newRow("reasoning_effort") << with(R"("reasoning_effort":"extreme")") << QStringLiteral("reasoning_effort")
                                      << QStringLiteral("'extreme'");
    QTest::newRow("functions") << with(R"("functions":[{"name":"f"}])") << QStringLiteral("functions")
                               << QStringLiteral("send 'tools'");
    QTest::newRow("audio output") << with(R"("audio":{"voice":"alloy","format":"wav"})") << QStringLiteral("audio")
                                  << QStringLiteral("not supported");
    QTest::newRow("modalities audio") << with(R"("modalities":["text","audio"])") << QStringLiteral("modalities")
                                      << QStringLiteral("[\"text\"]");
    QTest::newRow("ignored field with a wrong type")
        << with(R"("user":5)") << QStringLiteral("user") << QStringLiteral("expected a string");
    QTest::newRow("google unknown") << with(R"("google":{"safety_settings":[]})")
                                    << QStringLiteral("google.safety_settings") << QStringLiteral("Unknown");
}

void TestOpenAiTranslate::rejections() {
    QFETCH(QByteArray, body);
    QFETCH(QString, param);
    QFETCH(QString, says);
    ApiError error;
    QVERIFY(!translateChatRequest(body, {}, &error));
    QCOMPARE(error.status, 400);
    QCOMPARE(error.type, QStringLiteral("invalid_request_error"));
    QCOMPARE(error.param, param);
    QVERIFY2(error.message.contains(says), qPrintable(error.message));
    if (!param.isEmpty())
        QVERIFY2(error.message.contains(QLatin1Char('\'') + param + QLatin1Char('\'')), qPrintable(error.message));
    const QJsonObject e = parse(errorBody(error))[QLatin1String("error")].toObject();
    QCOMPARE(e.value(QLatin1String("param")), param.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(param));
}

// --- responses ------------------------------------------------------------------------------------------------

void TestOpenAiTranslate::chatResponse_data() {
    QTest::addColumn<QString>("base");
    for (const QString& c : cases(QStringLiteral("response_"), QStringLiteral(".gemini.json")))
        QTest::newRow(qPrintable(c)) << c;
}

void TestOpenAiTranslate::chatResponse() {
    QFETCH(QString, base);
    const QJsonObject m = meta(base);
    SignatureCache cache;
    const QByteArray out =
        translateChatResponse(readGolden(base + QStringLiteral(".gemini.json")), contextFrom(m, &cache));
    const QJsonValue actual = parse(out);
    COMPARE_JSON(parse(readGolden(base + QStringLiteral(".openai.json"))), actual);
    checkRemembered(m, actual, cache);
}

void TestOpenAiTranslate::chatStream_data() {
    QTest::addColumn<QString>("base");
    for (const QString& c : cases(QStringLiteral("stream_"), QStringLiteral(".gemini.sse")))
        QTest::newRow(qPrintable(c)) << c;
}

void TestOpenAiTranslate::chatStream() {
    QFETCH(QString, base);
    const QJsonObject m = meta(base);
    SignatureCache cache;
    const QByteArray out = runStream(readGolden(base + QStringLiteral(".gemini.sse")), contextFrom(m, &cache), {});
    QString why;
    const QJsonArray expected = sseEvents(readGolden(base + QStringLiteral(".openai.sse")), &why);
    QVERIFY2(why.isEmpty(), qPrintable(why));
    const QJsonArray actual = sseEvents(out, &why);
    QVERIFY2(why.isEmpty(), qPrintable(why + QStringLiteral("\n") + QString::fromUtf8(out)));
    COMPARE_JSON(expected, actual);
    checkRemembered(m, actual, cache);
}

void TestOpenAiTranslate::streamSplitAnywhere_data() {
    QTest::addColumn<QString>("base");
    QTest::addColumn<QByteArray>("eol");
    for (const QString& c : cases(QStringLiteral("stream_"), QStringLiteral(".gemini.sse"))) {
        QTest::newRow(qPrintable(c + QStringLiteral(" LF"))) << c << QByteArray("\n");
        QTest::newRow(qPrintable(c + QStringLiteral(" CRLF"))) << c << QByteArray("\r\n");
        QTest::newRow(qPrintable(c + QStringLiteral(" CR"))) << c << QByteArray("\r");
    }
}

// Whatever the framing (LF, CRLF, CR) and wherever the upstream bytes are cut, the output is the same as for the
// whole LF body in one piece.
void TestOpenAiTranslate::streamSplitAnywhere() {
    QFETCH(QString, base);
    QFETCH(QByteArray, eol);
    const QJsonObject m = meta(base);
    SignatureCache cache;
    const ChatContext ctx = contextFrom(m, &cache);
    const QByteArray lf = readGolden(base + QStringLiteral(".gemini.sse"));
    const QByteArray input = reframed(lf, eol);
    const QByteArray whole = normalizeIds(runStream(lf, ctx, {}));
    for (qsizetype k = 0; k <= input.size(); ++k)
        QCOMPARE(normalizeIds(runStream(input, ctx, {k})), whole);
    QList<qsizetype> everyByte;
    for (qsizetype k = 1; k < input.size(); ++k)
        everyByte.append(k);
    QCOMPARE(normalizeIds(runStream(input, ctx, everyByte)), whole);
}

// Each Gemini event becomes its chunk as soon as its last byte arrives, not later.
void TestOpenAiTranslate::streamEventLeavesAtOnce() {
    SignatureCache cache;
    ChatContext ctx = contextFrom(QJsonObject(), &cache);
    ctx.includeUsage = true;
    const QByteArray input = readGolden(QStringLiteral("stream_text_usage.gemini.sse"));
    QString why;
    const QJsonArray expected = sseEvents(readGolden(QStringLiteral("stream_text_usage.openai.sse")), &why);
    for (const QByteArray& eol : {QByteArray("\n"), QByteArray("\r\n")}) {
        const QByteArray framed = reframed(input, eol);
        // Everything but the line ending of the blank line after the first event: nothing yet.
        const qsizetype blank = framed.indexOf(QByteArray(eol + eol)) + eol.size();
        ChatStreamTranslator t(ctx);
        QVERIFY(t.feed(framed.constData(), blank).isEmpty());
        const QByteArray first = t.feed(framed.constData() + blank, eol.size());
        COMPARE_JSON(QJsonArray{expected.at(0)}, sseEvents(first, &why));
    }
}

// The last event without its blank line (the upstream closed right after the JSON) still counts.
void TestOpenAiTranslate::streamEndsWithoutBlankLine() {
    SignatureCache cache;
    const ChatContext ctx = contextFrom(QJsonObject(), &cache);
    QByteArray input = readGolden(QStringLiteral("stream_n2.gemini.sse"));
    const QByteArray whole = runStream(input, ctx, {});
    input.chop(2);
    QCOMPARE(runStream(input, ctx, {}), whole);
}

// --- embeddings and models ------------------------------------------------------------------------------------

void TestOpenAiTranslate::embeddingsRequest_data() {
    QTest::addColumn<QString>("base");
    for (const QString& c : cases(QStringLiteral("embed_request_"), QStringLiteral(".openai.json")))
        QTest::newRow(qPrintable(c)) << c;
}

void TestOpenAiTranslate::embeddingsRequest() {
    QFETCH(QString, base);
    const QJsonObject m = meta(base);
    SignatureCache cache;
    ApiError error;
    const auto req =
        translateEmbeddingsRequest(readGolden(base + QStringLiteral(".openai.json")), optionsFrom(m, &cache), &error);
    QVERIFY2(req, qPrintable(error.message));
    COMPARE_JSON(parse(readGolden(base + QStringLiteral(".gemini.json"))), parse(req->nativeBody));
    const QJsonObject expect = m.value(QLatin1String("expect")).toObject();
    QCOMPARE(req->model, expect.value(QLatin1String("model")).toString());
    QCOMPARE(req->requested, expect.value(QLatin1String("requested")).toString());
    QCOMPARE(req->inputs, expect.value(QLatin1String("inputs")).toInt());
}

void TestOpenAiTranslate::embeddingsRejections_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("param");
    QTest::addColumn<QString>("says");
    QTest::newRow("unknown encoding") << QByteArray(R"({"model":"m","input":"x","encoding_format":"int8"})")
                                      << QStringLiteral("encoding_format") << QStringLiteral("'base64'");
    QTest::newRow("token ids") << QByteArray(R"({"model":"m","input":[101,2054,102]})") << QStringLiteral("input")
                               << QStringLiteral("token arrays are not supported");
    QTest::newRow("token arrays") << QByteArray(R"({"model":"m","input":[[101,2054],[7]]})") << QStringLiteral("input")
                                  << QStringLiteral("token arrays are not supported");
    QTest::newRow("missing input") << QByteArray(R"({"model":"m"})") << QStringLiteral("input")
                                   << QStringLiteral("Missing required parameter");
    QTest::newRow("empty list") << QByteArray(R"({"model":"m","input":[]})") << QStringLiteral("input")
                                << QStringLiteral("empty");
    QTest::newRow("empty string") << QByteArray(R"({"model":"m","input":["a",""]})") << QStringLiteral("input[1]")
                                  << QStringLiteral("empty");
    QTest::newRow("input an object") << QByteArray(R"({"model":"m","input":{}})") << QStringLiteral("input")
                                     << QStringLiteral("expected a string or an array of strings");
    QTest::newRow("dimensions") << QByteArray(R"({"model":"m","input":"x","dimensions":-1})")
                                << QStringLiteral("dimensions") << QStringLiteral("from 1");
    QTest::newRow("unknown field") << QByteArray(R"({"model":"m","input":"x","task":"q"})") << QStringLiteral("task")
                                   << QStringLiteral("Unknown parameter");
    QTest::newRow("missing model") << QByteArray(R"({"input":"x"})") << QStringLiteral("model")
                                   << QStringLiteral("Missing required parameter");
}

void TestOpenAiTranslate::embeddingsRejections() {
    QFETCH(QByteArray, body);
    QFETCH(QString, param);
    QFETCH(QString, says);
    ApiError error;
    QVERIFY(!translateEmbeddingsRequest(body, {}, &error));
    QCOMPARE(error.status, 400);
    QCOMPARE(error.param, param);
    QVERIFY2(error.message.contains(says), qPrintable(error.message));
    QVERIFY2(error.message.contains(QLatin1Char('\'') + param + QLatin1Char('\'')), qPrintable(error.message));
}

void TestOpenAiTranslate::embeddingsResponse_data() {
    QTest::addColumn<QString>("base");
    for (const QString& c : cases(QStringLiteral("embed_response_"), QStringLiteral(".gemini.json")))
        QTest::newRow(qPrintable(c)) << c;
}

void TestOpenAiTranslate::embeddingsResponse() {
    QFETCH(QString, base);
    const QJsonObject m = meta(base);
    const QByteArray out = translateEmbeddingsResponse(readGolden(base + QStringLiteral(".gemini.json")),
                                                       m.value(QLatin1String("model")).toString(),
                                                       m.value(QLatin1String("promptTokens")).toInteger());
    COMPARE_JSON(parse(readGolden(base + QStringLiteral(".openai.json"))), parse(out));
}

void TestOpenAiTranslate::models_data() {
    QTest::addColumn<QString>("base");
    QTest::addColumn<bool>("list");
    QTest::newRow("list") << QStringLiteral("models_list") << true;
    QTest::newRow("single") << QStringLiteral("models_single") << false;
}

void TestOpenAiTranslate::models() {
    QFETCH(QString, base);
    QFETCH(bool, list);
    const QByteArray in = readGolden(base + QStringLiteral(".gemini.json"));
    COMPARE_JSON(parse(readGolden(base + QStringLiteral(".openai.json"))),
                 parse(list ? translateModelList(in) : translateModel(in)));
}

// --- errors ---------------------------------------------------------------------------------------------------

void TestOpenAiTranslate::geminiErrors_data() {
    QTest::addColumn<int>("http");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");

    QTest::newRow("429 quota") << 429
                               << QByteArray(R"({"error":{"code":429,"message":"You exceeded your current quota.",)"
                                             R"("status":"RESOURCE_EXHAUSTED","details":[{"@type":)"
                                             R"("type.googleapis.com/google.rpc.RetryInfo","retryDelay":"41s"}]}})")
                               << 429 << QStringLiteral("rate_limit_error") << QStringLiteral("rate_limit_exceeded")
                               << QStringLiteral("You exceeded your current quota.");
    QTest::newRow("400 invalid") << 400
                                 << QByteArray(R"({"error":{"code":400,"message":"Invalid JSON payload received.",)"
                                               R"("status":"INVALID_ARGUMENT"}})")
                                 << 400 << QStringLiteral("invalid_request_error") << QStringLiteral("invalid_argument")
                                 << QStringLiteral("Invalid JSON payload received.");
    QTest::newRow("400 context length")
        << 400
        << QByteArray(
               R"({"error":{"code":400,"message":"The input token count (2000000) exceeds the maximum number of )"
               R"(tokens allowed (1048576).","status":"INVALID_ARGUMENT"}})")
        << 400 << QStringLiteral("invalid_request_error") << QStringLiteral("context_length_exceeded")
        << QStringLiteral("The input token count (2000000) exceeds the maximum number of tokens allowed (1048576).");
    QTest::newRow("403 leaked key, scrubbed")
        << 403
        << QByteArray(R"({"error":{"code":403,"message":"Consumer 'api_key:AIzaSyA1234567890abcdefghijklmnopqrstuv' )"
                      R"(has been suspended.","status":"PERMISSION_DENIED"}})")
        << 403 << QStringLiteral("permission_error") << QStringLiteral("permission_denied")
        << QStringLiteral("Consumer 'api_key:[REDACTED]' has been suspended.");
    QTest::newRow("404 model") << 404
                               << QByteArray(R"({"error":{"code":404,"message":"models/gemini-9 is not found for API )"
                                             R"(version v1beta.","status":"NOT_FOUND"}})")
                               << 404 << QStringLiteral("not_found_error") << QStringLiteral("model_not_found")
                               << QStringLiteral("models/gemini-9 is not found for API version v1beta.");
    QTest::newRow("402 prepaid") << 402
                                 << QByteArray(R"({"error":{"code":402,"message":"Prepaid credit exhausted.",)"
                                               R"("status":"RESOURCE_EXHAUSTED"}})")
                                 << 402 << QStringLiteral("insufficient_quota") << QStringLiteral("insufficient_quota")
                                 << QStringLiteral("Prepaid credit exhausted.");
    QTest::newRow("503 in a stream (status from the body)")
        << 0 << QByteArray(R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})")
        << 503 << QStringLiteral("api_error") << QStringLiteral("unavailable")
        << QStringLiteral("The model is overloaded.");
    QTest::newRow("array-wrapped 500")
        << 500 << QByteArray(R"([{"error":{"code":500,"message":"Internal error.","status":"INTERNAL"}}])") << 500
        << QStringLiteral("api_error") << QStringLiteral("internal") << QStringLiteral("Internal error.");
    QTest::newRow("not json") << 502 << QByteArray("<html>Bad Gateway</html>") << 502 << QStringLiteral("api_error")
                              << QString() << QStringLiteral("The upstream service answered with HTTP 502.");
    QTest::newRow("401") << 401
                         << QByteArray(
                                R"({"error":{"code":401,"message":"Unauthenticated.","status":"UNAUTHENTICATED"}})")
                         << 401 << QStringLiteral("authentication_error") << QStringLiteral("unauthenticated")
                         << QStringLiteral("Unauthenticated.");
}

void TestOpenAiTranslate::geminiErrors() {
    QFETCH(int, http);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, type);
    QFETCH(QString, code);
    QFETCH(QString, message);
    const ApiError e = fromGeminiError(http, body);
    QCOMPARE(e.status, status);
    QCOMPARE(e.type, type);
    QCOMPARE(e.code, code);
    QCOMPARE(e.message, message);
    QVERIFY(e.param.isEmpty());
}

void TestOpenAiTranslate::errorBodyShape() {
    const QByteArray withoutParam = R"({"error":{"message":"Bad \"thing\".","type":"invalid_request_error",)"
                                    R"("param":null,"code":null}})";
    const QByteArray withParam = R"({"error":{"message":"Bad \"thing\".","type":"invalid_request_error",)"
                                 R"("param":"messages[0]","code":"invalid_value"}})";
    const QByteArray compactStart = R"({"error":{")";
    ApiError e;
    e.message = QStringLiteral("Bad \"thing\".");
    COMPARE_JSON(parse(withoutParam), parse(errorBody(e)));
    QVERIFY(errorBody(e).startsWith(compactStart));
    e.param = QStringLiteral("messages[0]");
    e.code = QStringLiteral("invalid_value");
    COMPARE_JSON(parse(withParam), parse(errorBody(e)));
    QCOMPARE(ChatStreamTranslator::errorEvent(e), "data: " + errorBody(e) + "\n\n");
    QCOMPARE(errorTypeFor(429), QStringLiteral("rate_limit_error"));
    QCOMPARE(errorTypeFor(401), QStringLiteral("authentication_error"));
    QCOMPARE(errorTypeFor(403), QStringLiteral("permission_error"));
    QCOMPARE(errorTypeFor(404), QStringLiteral("not_found_error"));
    QCOMPARE(errorTypeFor(503), QStringLiteral("api_error"));
    QCOMPARE(errorTypeFor(422), QStringLiteral("invalid_request_error"));
}

void TestOpenAiTranslate::signatureCache() {
    SignatureCache cache(2);
    cache.remember(QStringLiteral("a"), QStringLiteral("f"), "sa");
    cache.remember(QStringLiteral("b"), QStringLiteral("f"), "sb");
    cache.remember(QStringLiteral("a"), QStringLiteral("f"), "sa2");        // refreshed: now the newest
    cache.remember(QStringLiteral("c"), QStringLiteral("f"), "sc");         // evicts b, the oldest
    cache.remember(QStringLiteral("d"), QStringLiteral("f"), QByteArray()); // nothing to keep
    QCOMPARE(cache.size(), 2);
    QCOMPARE(cache.signature(QStringLiteral("a")), QByteArray("sa2"));
    QCOMPARE(cache.signature(QStringLiteral("b")), QByteArray());
    QCOMPARE(cache.signature(QStringLiteral("c")), QByteArray("sc"));
    QCOMPARE(cache.signature(QStringLiteral("d")), QByteArray());
}

// encoding_format "base64" (the OpenAI Node.js SDK's default): little-endian float32 values, base64-encoded.
void TestOpenAiTranslate::embeddingsBase64() {
    ApiError error;
    const auto req = translateEmbeddingsRequest(R"({"model":"m","input":"x","encoding_format":"base64"})", {}, &error);
    QVERIFY(req);
    QVERIFY(req->base64);
    const QByteArray out =
        translateEmbeddingsResponse(R"({"embeddings":[{"values":[1.0,-2.5,0.25]}]})", QStringLiteral("m"), 3, true);
    const QString b64 =
        QJsonDocument::fromJson(out).object()[QLatin1String("data")][0][QLatin1String("embedding")].toString();
    const QByteArray raw = QByteArray::fromBase64(b64.toLatin1());
    QCOMPARE(raw.size(), 12);
    const float expected[] = {1.0f, -2.5f, 0.25f};
    for (int i = 0; i < 3; ++i)
        QCOMPARE(qFromLittleEndian<float>(raw.constData() + 4 * i), expected[i]);
}

// openai.reasoning_content asks Gemini for thought summaries (it sends none without includeThoughts).
void TestOpenAiTranslate::includeThoughts() {
    TranslateOptions options;
    options.includeThoughts = true;
    ApiError error;
    auto req = translateChatRequest(
        R"({"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"low"})", options, &error);
    QVERIFY(req);
    QJsonObject thinking = QJsonDocument::fromJson(req->nativeBody)
                               .object()[QLatin1String("generationConfig")][QLatin1String("thinkingConfig")]
                               .toObject();
    QCOMPARE(thinking[QLatin1String("thinkingBudget")].toInt(), 1024);
    QCOMPARE(thinking[QLatin1String("includeThoughts")].toBool(), true);
    // Thinking turned off: nothing to include.
    req = translateChatRequest(R"({"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"none"})",
                               options, &error);
    QVERIFY(req);
    QVERIFY(!req->nativeBody.contains("includeThoughts"));
    options.includeThoughts = false;
    req = translateChatRequest(R"({"model":"m","messages":[{"role":"user","content":"x"}]})", options, &error);
    QVERIFY(!req->nativeBody.contains("includeThoughts"));
}

void TestOpenAiTranslate::signatureCacheBounds() {
    SignatureCache byCount(3);
    for (int i = 0; i < 5; ++i)
        byCount.remember(QStringLiteral("call_%1").arg(i), QStringLiteral("f"),
                         QByteArray("sig") + QByteArray::number(i));
    QCOMPARE(byCount.size(), 3);
    QVERIFY(byCount.signature(QStringLiteral("call_1")).isEmpty()); // the oldest went first
    QCOMPARE(byCount.signature(QStringLiteral("call_4")), QByteArray("sig4"));
    SignatureCache byBytes(1000, 10 * 1024);
    for (int i = 0; i < 10; ++i)
        byBytes.remember(QStringLiteral("call_%1").arg(i), QStringLiteral("f"), QByteArray(4096, 'a' + char(i)));
    QCOMPARE(byBytes.size(), 2); // 2 x 4 KiB fit in 10 KiB
    QCOMPARE(byBytes.signature(QStringLiteral("call_9")), QByteArray(4096, 'j'));
}

QTEST_GUILESS_MAIN(TestOpenAiTranslate)
#include "tst_openaitranslate.moc"
