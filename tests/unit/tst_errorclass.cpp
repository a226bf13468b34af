// classifyUpstreamError: every row of gemini-api.md section 5's classification table with bodies shaped like
// Google's, 429 quota scopes and retry delays, and bodies that are not one clean JSON object (wrapped in [ ],
// truncated, HTML, binary), which must never crash and fall back to the HTTP status.

#include "gemini/errorclass.h"

#include <QRandomGenerator>
#include <QTest>

using namespace gemgate;

Q_DECLARE_METATYPE(gemgate::UpstreamErrorClass)
Q_DECLARE_METATYPE(gemgate::QuotaScope)

// Declared before the helpers: moc 6.4 loses track of the file after some of the raw string literals below.
class TestErrorClass : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void classify_data();
    void classify();
    void messageAndQuotaId();
    void transient();
    void names();
    void everyPrefixIsSafe_data();
    void everyPrefixIsSafe();
    void randomBytesAreSafe();
};

namespace {

QByteArray errorInfo(const char* reason) {
    return QByteArray(R"({"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":")") + reason +
           R"(","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com",)"
           R"("consumer":"projects/123456789012"}})";
}

QByteArray envelope(int code, const char* status, const QByteArray& message, const QByteArray& details = {}) {
    QByteArray body = R"({"error":{"code":)" + QByteArray::number(code) + R"(,"message":")" + message +
                      R"(","status":")" + status + '"';
    if (!details.isEmpty())
        body += R"(,"details":[)" + details + ']';
    return body + "}}";
}

QByteArray quotaFailure(const char* quotaId, const char* metric, const char* model, const char* value = "10") {
    QByteArray v = R"({"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{)";
    if (metric)
        v += R"("quotaMetric":")" + QByteArray(metric) + R"(",)";
    if (quotaId)
        v += R"("quotaId":")" + QByteArray(quotaId) + R"(",)";
    if (model)
        v += R"("quotaDimensions":{"location":"global","model":")" + QByteArray(model) + R"("},)";
    return v + R"("quotaValue":")" + value + R"("}]})";
}

const QByteArray kHelp = R"({"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more about )"
                         R"(Gemini API quotas","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]})";

QByteArray retryInfo(const char* delay) {
    return R"({"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":")" + QByteArray(delay) + R"("})";
}

const QByteArray kQuotaMessage =
    "You exceeded your current quota, please check your plan and billing details. For more "
    "information on this error, head to: https://ai.google.dev/gemini-api/docs/"
    "rate-limits.\\n* Quota exceeded for metric: generativelanguage.googleapis.com/"
    "generate_content_free_tier_requests, limit: 10, model: gemini-2.5-flash\\n"
    "Please retry in 41.2s.";

// The example of gemini-api.md section 5.
const QByteArray kPerMinute429 =
    envelope(429, "RESOURCE_EXHAUSTED", kQuotaMessage,
             quotaFailure("GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                          "generativelanguage.googleapis.com/generate_content_free_tier_requests", "gemini-2.5-flash") +
                 ',' + kHelp + ',' + retryInfo("41s"));

const QByteArray kBadKey400 =
    R"({"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",)"
    R"("details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":)"
    R"("googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}})";

const QByteArray kOverloaded503 = envelope(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");

const QByteArray kHtml502 = "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 502 (Server "
                            "Error)!!1</title>\n  <p><b>502.</b> <ins>That's an error.</ins>\n  <p>The server "
                            "encountered a temporary error and could not complete your request.<p>Please try again "
                            "in 30 seconds.  <ins>That's all we know.</ins>\n</html>\n";

} // namespace

void TestErrorClass::classify_data() {
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<UpstreamErrorClass>("cls");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QuotaScope>("quota");
    QTest::addColumn<qint64>("retryDelayMs");
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("billingWide");

    using C = UpstreamErrorClass;
    using Q = QuotaScope;
    const QuotaScope U = QuotaScope::Unknown;
    auto row = [](const char* name, int status, const QByteArray& body, C cls, const char* reason, Q quota = Q::Unknown,
                  qint64 delay = -1, const char* model = "", bool billingWide = false) {
        QTest::newRow(name) << status << body << cls << QString::fromLatin1(reason) << quota << delay
                            << QString::fromLatin1(model) << billingWide;
    };

    // ---- not an error ----
    row("200", 200, R"({"candidates":[]})", C::None, "");
    row("304", 304, {}, C::None, "");

    // ---- key is bad ----
    row("400 API_KEY_INVALID", 400, kBadKey400, C::KeyInvalid, "API_KEY_INVALID");
    row("400 API Key not found, no details", 400,
        envelope(400, "INVALID_ARGUMENT", "API Key not found. Please pass a valid API key."), C::KeyInvalid,
        "API_KEY_INVALID");
    row("400 expired key", 400,
        envelope(400, "INVALID_ARGUMENT", "API key expired. Please renew the API key.",
                 errorInfo("API_KEY_INVALID") +
                     R"(,{"@type":"type.googleapis.com/google.rpc.LocalizedMessage","locale":"en-US",)"
                     R"("message":"API key expired. Please renew the API key."})"),
        C::KeyInvalid, "API_KEY_INVALID");
    row("400 expired key, message only", 400,
        envelope(400, "INVALID_ARGUMENT", "API key expired. Please renew the API key."), C::KeyInvalid,
        "API_KEY_INVALID");
    row("400 legacy errors[] keyInvalid", 400,
        R"({"error":{"code":400,"message":"Bad Request","errors":[{"message":"Bad Request","domain":"global",)"
        R"("reason":"keyInvalid"}],"status":"INVALID_ARGUMENT"}})",
        C::KeyInvalid, "API_KEY_INVALID");
    row("400 FAILED_PRECONDITION (region)", 400,
        envelope(400, "FAILED_PRECONDITION", "User location is not supported for the API use."), C::KeyInvalid,
        "FAILED_PRECONDITION");
    row("400 FAILED_PRECONDITION (billing)", 400,
        envelope(400, "FAILED_PRECONDITION",
                 "Gemini API free tier is not available in your country. Please enable billing on your project in "
                 "Google AI Studio."),
        C::KeyInvalid, "FAILED_PRECONDITION");
    row("401 UNAUTHENTICATED", 401,
        envelope(401, "UNAUTHENTICATED",
                 "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                 "other valid authentication credential.",
                 errorInfo("ACCESS_TOKEN_TYPE_UNSUPPORTED")),
        C::KeyInvalid, "UNAUTHENTICATED");
    row("402 prepaid credit exhausted", 402,
        envelope(402, "RESOURCE_EXHAUSTED",
                 "Your prepaid credits are exhausted. Add credits to your billing account to continue."),
        C::KeyInvalid, "PREPAID_CREDIT_EXHAUSTED", U, -1, "", true);
    row("402 without a body", 402, {}, C::KeyInvalid, "PREPAID_CREDIT_EXHAUSTED", U, -1, "", true);
    row("403 CONSUMER_SUSPENDED", 403,
        envelope(403, "PERMISSION_DENIED", "Permission denied: Consumer 'api_key:AIzaSyXXXX' has been suspended.",
                 errorInfo("CONSUMER_SUSPENDED")),
        C::KeyInvalid, "CONSUMER_SUSPENDED");
    row("403 SERVICE_DISABLED", 403,
        envelope(403, "PERMISSION_DENIED",
                 "Generative Language API has not been used in project 123456789012 before or it is disabled. "
                 "Enable it by visiting https://console.developers.google.com/apis/api/"
                 "generativelanguage.googleapis.com/overview?project=123456789012 then retry. If you enabled this "
                 "API recently, wait a few minutes for the action to propagate to our systems and retry.",
                 errorInfo("SERVICE_DISABLED") +
                     R"(,{"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Google )"
                     R"(developers console API activation","url":"https://console.developers.google.com/apis/)"
                     R"(api/generativelanguage.googleapis.com/overview?project=123456789012"}]})"),
        C::KeyInvalid, "SERVICE_DISABLED");
    row("403 API_KEY_SERVICE_BLOCKED", 403,
        envelope(403, "PERMISSION_DENIED",
                 "Requests to this API generativelanguage.googleapis.com method "
                 "google.ai.generativelanguage.v1beta.GenerativeService.GenerateContent are blocked.",
                 errorInfo("API_KEY_SERVICE_BLOCKED")),
        C::KeyInvalid, "API_KEY_SERVICE_BLOCKED");
    row("403 API_KEY_HTTP_REFERRER_BLOCKED", 403,
        envelope(403, "PERMISSION_DENIED", "Requests from referer <empty> are blocked.",
                 errorInfo("API_KEY_HTTP_REFERRER_BLOCKED")),
        C::KeyInvalid, "API_KEY_HTTP_REFERRER_BLOCKED");
    row("403 API_KEY_IP_ADDRESS_BLOCKED", 403,
        envelope(403, "PERMISSION_DENIED", "The provided API key has an IP address restriction.",
                 errorInfo("API_KEY_IP_ADDRESS_BLOCKED")),
        C::KeyInvalid, "API_KEY_IP_ADDRESS_BLOCKED");
    row("403 API_KEY_ANDROID_APP_BLOCKED", 403,
        envelope(403, "PERMISSION_DENIED", "Requests from this Android client application <empty> are blocked.",
                 errorInfo("API_KEY_ANDROID_APP_BLOCKED")),
        C::KeyInvalid, "API_KEY_ANDROID_APP_BLOCKED");
    row("403 API_KEY_IOS_APP_BLOCKED", 403,
        envelope(403, "PERMISSION_DENIED", "Requests from this iOS client application <empty> are blocked.",
                 errorInfo("API_KEY_IOS_APP_BLOCKED")),
        C::KeyInvalid, "API_KEY_IOS_APP_BLOCKED");
    row("403 leaked key", 403,
        envelope(403, "PERMISSION_DENIED", "Your API key was reported as leaked. Please use another API key."),
        C::KeyInvalid, "LEAKED");
    row("403 plain PERMISSION_DENIED", 403, envelope(403, "PERMISSION_DENIED", "The caller does not have permission"),
        C::KeyInvalid, "PERMISSION_DENIED");
    // Not Google's envelope: a proxy's page says nothing about the key, so it is retried, not disabled.
    row("403 HTML, status only", 403, "<html><body><h1>403 Forbidden</h1></body></html>", C::Transient, "HTTP_403");

    // ---- request is bad ----
    row("400 INVALID_ARGUMENT (function parts)", 400,
        envelope(400, "INVALID_ARGUMENT",
                 "Please ensure that the number of function response parts is equal to the number of function call "
                 "parts of the function call turn."),
        C::BadRequest, "INVALID_ARGUMENT");
    row("400 unknown field, legacy errors[]", 400,
        R"({"error":{"code":400,"message":"Invalid JSON payload received. Unknown name \"foo\": Cannot find )"
        R"(field.","errors":[{"message":"Invalid JSON payload received.","domain":"global","reason":"badRequest"}],)"
        R"("status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest",)"
        R"("fieldViolations":[{"description":"Invalid JSON payload received. Unknown name \"foo\"."}]}]}})",
        C::BadRequest, "INVALID_ARGUMENT");
    row("403 file of another project", 403,
        envelope(403, "PERMISSION_DENIED",
                 "You do not have permission to access the File abc123xyz or it may not exist."),
        C::BadRequest, "PERMISSION_DENIED");
    row("403 tuned model", 403,
        envelope(403, "PERMISSION_DENIED",
                 "Permission denied on resource tunedModels/my-model-4711 (or it may not exist)."),
        C::BadRequest, "PERMISSION_DENIED");
    row("403 cached content", 403,
        envelope(403, "PERMISSION_DENIED",
                 "Permission denied on resource cachedContents/9k2jd8 (or it may not exist)."),
        C::BadRequest, "PERMISSION_DENIED");
    row("404 model", 404,
        envelope(404, "NOT_FOUND",
                 "models/gemini-9.9-ultra is not found for API version v1beta, or is not supported for "
                 "generateContent. Call ListModels to see the list of available models and their supported "
                 "methods."),
        C::BadRequest, "NOT_FOUND");
    row("404 file", 404,
        envelope(404, "NOT_FOUND", "File abc123xyz does not exist or you do not have permission to access it."),
        C::BadRequest, "NOT_FOUND");
    row("404 HTML", 404, "<html><title>Error 404 (Not Found)!!1</title></html>", C::BadRequest, "HTTP_404");
    row("413 empty", 413, {}, C::BadRequest, "HTTP_413");
    row("501 is not retried", 501, {}, C::BadRequest, "HTTP_501");

    // ---- rate limited ----
    row("429 per minute, RetryInfo (section 5 example)", 429, kPerMinute429, C::RateLimited, "RESOURCE_EXHAUSTED",
        Q::PerMinute, 41000, "gemini-2.5-flash");
    row("429 per minute, no RetryInfo, no delay", 429,
        envelope(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).",
                 quotaFailure("GenerateContentInputTokensPerModelPerMinute-FreeTier",
                              "generativelanguage.googleapis.com/generate_content_free_tier_input_token_count",
                              "gemini-2.5-pro", "250000")),
        C::RateLimited, "RESOURCE_EXHAUSTED", Q::PerMinute, -1, "gemini-2.5-pro");
    row("429 per minute by metric only", 429,
        envelope(429, "RESOURCE_EXHAUSTED", "Quota exceeded.",
                 quotaFailure(nullptr, "generativelanguage.googleapis.com/generate_requests_per_model_per_minute",
                              "gemini-2.0-flash")),
        C::RateLimited, "RESOURCE_EXHAUSTED", Q::PerMinute, -1, "gemini-2.0-flash");
    row("429 delay only in the message", 429,
        envelope(429, "RESOURCE_EXHAUSTED", kQuotaMessage,
                 quotaFailure("GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                              "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                              "gemini-2.5-flash")),
        C::RateLimited, "RESOURCE_EXHAUSTED", Q::PerMinute, 41200, "gemini-2.5-flash");
    row("429 delay in ms in the message", 429,
        envelope(429, "RESOURCE_EXHAUSTED", "Too many requests, retry in 250ms",
                 quotaFailure("GenerateRequestsPerMinutePerProjectPerModel", nullptr, "gemini-2.5-flash-lite")),
        C::RateLimited, "RESOURCE_EXHAUSTED", Q::PerMinute, 250, "gemini-2.5-flash-lite");
    row("429 fractional 1.5s", 429,
        envelope(429, "RESOURCE_EXHAUSTED", kQuotaMessage,
                 quotaFailure("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", nullptr, "gemini-2.5-flash") +
                     ',' + retryInfo("1.5s")),
        C::RateLimited, "RESOURCE_EXHAUSTED", Q::PerMinute, 1500, "gemini-2.5-flash");
    row("429 fractional 0.250s", 429,
        envelope(429, "RESOURCE_EXHAUSTED", "Quota exceeded.",
                 quotaFailure("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", nullptr, "gemini-2.5-flash") +
                     ',' + retryInfo("0.250s")),
        C::RateLimited, "RESOURCE_EXHAUSTED", Q::PerMinute, 250, "gemini-2.5-flash");
    row("429 nanosecond delay rounds up", 429,
        envelope(429, "RESOURCE_EXHAUSTED", "Quota exceeded.", retryInfo("2.000000001s")), C::RateLimited,
        "RESOURCE_EXHAUSTED", Q::PerMinute, 2001);
    row("429 RetryInfo without QuotaFailure", 429,
        envelope(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", retryInfo("7s")),
        C::RateLimited, "RESOURCE_EXHAUSTED", Q::PerMinute, 7000);
    row("429 per day", 429,
        envelope(429, "RESOURCE_EXHAUSTED",
                 "You exceeded your current quota, please check your plan and billing details.\\n* Quota exceeded "
                 "for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 250, "
                 "model: gemini-2.5-flash\\nPlease retry in 14h22m3.5s.",
                 quotaFailure("GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                              "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                              "gemini-2.5-flash", "250") +
                     ',' + kHelp + ',' + retryInfo("51723s")),
        C::RateLimited, "RESOURCE_EXHAUSTED", Q::PerDay, 51723000, "gemini-2.5-flash");
    row("429 per day by metric", 429,
        envelope(429, "RESOURCE_EXHAUSTED", "Quota exceeded.",
                 quotaFailure(nullptr, "generativelanguage.googleapis.com/generate_requests_per_model_per_day",
                              "gemini-2.5-pro")),
        C::RateLimited, "RESOURCE_EXHAUSTED", Q::PerDay, -1, "gemini-2.5-pro");
    row("429 per minute and per day: per day wins", 429,
        envelope(429, "RESOURCE_EXHAUSTED", kQuotaMessage,
                 R"({"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[)"
                 R"({"quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier","quotaDimensions":)"
                 R"({"location":"global","model":"gemini-2.5-flash"},"quotaValue":"10"},)"
                 R"({"quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier","quotaDimensions":)"
                 R"({"location":"global","model":"gemini-2.5-flash"},"quotaValue":"250"}]},)" +
                     retryInfo("41s")),
        C::RateLimited, "RESOURCE_EXHAUSTED", Q::PerDay, 41000, "gemini-2.5-flash");
    row("429 no details", 429, envelope(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
        C::RateLimited, "RESOURCE_EXHAUSTED", U, -1);
    row("429 ErrorInfo reason", 429,
        envelope(429, "RESOURCE_EXHAUSTED",
                 "Quota exceeded for quota metric 'Generate Content API requests per minute'",
                 errorInfo("RATE_LIMIT_EXCEEDED") + ',' +
                     quotaFailure("GenerateContentRequestsPerMinutePerProjectPerRegion",
                                  "generativelanguage.googleapis.com/generate_content_requests", nullptr)),
        C::RateLimited, "RATE_LIMIT_EXCEEDED", Q::PerMinute, -1);
    row("429 array-wrapped", 429, "[" + kPerMinute429 + "]", C::RateLimited, "RESOURCE_EXHAUSTED", Q::PerMinute, 41000,
        "gemini-2.5-flash");
    row("429 truncated after the quota", 429, kPerMinute429.left(kPerMinute429.indexOf("\"quotaValue\"")),
        C::RateLimited, "RESOURCE_EXHAUSTED", Q::PerMinute, 41200, "gemini-2.5-flash");
    row("429 truncated in the message", 429, kPerMinute429.left(60), C::RateLimited, "RESOURCE_EXHAUSTED", U, -1);
    row("429 HTML", 429, "<html><head><title>429 Too Many Requests</title></head></html>", C::RateLimited,
        "RESOURCE_EXHAUSTED", U, -1);

    // ---- transient / cancelled ----
    row("500 INTERNAL", 500,
        envelope(500, "INTERNAL",
                 "An internal error has occurred. Please retry or report in "
                 "https://developers.generativeai.google/guide/troubleshooting"),
        C::Transient, "HTTP_500");
    row("502 HTML", 502, kHtml502, C::Transient, "HTTP_502");
    row("503 UNAVAILABLE", 503, kOverloaded503, C::Transient, "HTTP_503");
    row("503 empty", 503, {}, C::Transient, "HTTP_503");
    row("504 DEADLINE_EXCEEDED", 504,
        envelope(504, "DEADLINE_EXCEEDED",
                 "Deadline expired before operation could "
                 "complete."),
        C::Transient, "HTTP_504");
    row("503 at the end of a non-SSE stream", 503,
        R"([{"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"}}]},)" + kOverloaded503 + "]",
        C::Transient, "HTTP_503");
    row("499 CANCELLED", 499, envelope(499, "CANCELLED", "The operation was cancelled."), C::Cancelled, "CANCELLED");

    // ---- other shapes ----
    row("400 array-wrapped bad key", 400, "[" + kBadKey400 + "]", C::KeyInvalid, "API_KEY_INVALID");
    row("400 array-wrapped with whitespace", 400, "[\r\n  " + kBadKey400 + "\r\n]\r\n", C::KeyInvalid,
        "API_KEY_INVALID");
    row("400 SSE event", 400, "data: " + kBadKey400 + "\r\n\r\n", C::KeyInvalid, "API_KEY_INVALID");
    row("400 truncated bad key", 400, kBadKey400.left(kBadKey400.indexOf("\"domain\"")), C::KeyInvalid,
        "API_KEY_INVALID");
    row("400 truncated in the message", 400, kBadKey400.left(40), C::BadRequest, "HTTP_400");
    row("400 {\"error\": string}", 400, R"({"error":"bad request"})", C::BadRequest, "HTTP_400");
    row("400 JSON but no envelope", 400, R"({"foo":[1,2,3]})", C::BadRequest, "HTTP_400");
    row("400 empty array", 400, "[]", C::BadRequest, "HTTP_400");
    row("400 JSON null", 400, "null", C::BadRequest, "HTTP_400");
}

void TestErrorClass::classify() {
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(UpstreamErrorClass, cls);
    QFETCH(QString, reason);
    QFETCH(QuotaScope, quota);
    QFETCH(qint64, retryDelayMs);
    QFETCH(QString, model);
    QFETCH(bool, billingWide);

    const ClassifiedError e = classifyUpstreamError(status, body);
    QCOMPARE(errorClassName(e.cls), errorClassName(cls));
    QCOMPARE(e.httpStatus, status);
    QCOMPARE(e.reason, reason);
    QCOMPARE(int(e.quota), int(quota));
    QCOMPARE(e.retryDelayMs, retryDelayMs);
    QCOMPARE(e.model, model);
    QCOMPARE(e.billingWide, billingWide);
}

void TestErrorClass::messageAndQuotaId() {
    ClassifiedError e = classifyUpstreamError(400, kBadKey400);
    QCOMPARE(e.message, QStringLiteral("API key not valid. Please pass a valid API key."));
    QVERIFY(e.quotaId.isEmpty());

    e = classifyUpstreamError(429, kPerMinute429);
    QCOMPARE(e.quotaId, QStringLiteral("GenerateRequestsPerMinutePerProjectPerModel-FreeTier"));
    QVERIFY(e.message.startsWith(QStringLiteral("You exceeded your current quota")));
    QVERIFY(e.message.contains(QLatin1Char('\n'))); // JSON escapes decoded
    QVERIFY(e.message.endsWith(QStringLiteral("Please retry in 41.2s.")));

    // The same fields from a truncated copy (text scan instead of the JSON parser).
    e = classifyUpstreamError(429, kPerMinute429.left(kPerMinute429.size() - 30));
    QCOMPARE(e.quotaId, QStringLiteral("GenerateRequestsPerMinutePerProjectPerModel-FreeTier"));
    QVERIFY(e.message.endsWith(QStringLiteral("Please retry in 41.2s.")));

    // HTML: a short excerpt stands in for the message.
    e = classifyUpstreamError(502, kHtml502);
    QVERIFY(!e.message.isEmpty());
    QVERIFY(e.message.size() <= 203);
    QVERIFY(e.message.startsWith(QStringLiteral("<!DOCTYPE html>")));

    e = classifyUpstreamError(200, kBadKey400);
    QCOMPARE(e.cls, UpstreamErrorClass::None);
    QCOMPARE(e.httpStatus, 200);
}

void TestErrorClass::transient() {
    const ClassifiedError e = transientError(QStringLiteral("CONNECTION_RESET"), QStringLiteral("peer reset"));
    QCOMPARE(e.cls, UpstreamErrorClass::Transient);
    QCOMPARE(e.reason, QStringLiteral("CONNECTION_RESET"));
    QCOMPARE(e.message, QStringLiteral("peer reset"));
    QCOMPARE(e.httpStatus, 0);
    QCOMPARE(e.retryDelayMs, qint64(-1));
    QCOMPARE(e.quota, QuotaScope::Unknown);
    QVERIFY(!e.billingWide);
}

void TestErrorClass::names() {
    QCOMPARE(errorClassName(UpstreamErrorClass::None), "none");
    QCOMPARE(errorClassName(UpstreamErrorClass::KeyInvalid), "key_invalid");
    QCOMPARE(errorClassName(UpstreamErrorClass::RateLimited), "rate_limited");
    QCOMPARE(errorClassName(UpstreamErrorClass::Transient), "transient");
    QCOMPARE(errorClassName(UpstreamErrorClass::BadRequest), "bad_request");
    QCOMPARE(errorClassName(UpstreamErrorClass::Cancelled), "cancelled");
}

// Cut anywhere, the body still classifies, into the class its status allows.
void TestErrorClass::everyPrefixIsSafe_data() {
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("allowed");
    QTest::newRow("429") << 429 << QByteArray("[" + kPerMinute429 + "]") << QStringList{QStringLiteral("rate_limited")};
    QTest::newRow("503") << 503 << kOverloaded503 << QStringList{QStringLiteral("transient")};
    QTest::newRow("400 bad key") << 400 << kBadKey400
                                 << QStringList{QStringLiteral("key_invalid"), QStringLiteral("bad_request")};
    QTest::newRow("403 file") << 403
                              << envelope(403, "PERMISSION_DENIED",
                                          "You do not have permission to access the File abc or it may not exist.")
                              // A prefix too short to show Google's envelope is retried (transient).
                              << QStringList{QStringLiteral("key_invalid"), QStringLiteral("bad_request"),
                                             QStringLiteral("transient")};
}

void TestErrorClass::everyPrefixIsSafe() {
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QStringList, allowed);
    for (qsizetype n = 0; n <= body.size(); ++n) {
        const ClassifiedError e = classifyUpstreamError(status, body.left(n));
        QVERIFY2(allowed.contains(QString::fromLatin1(errorClassName(e.cls))), qPrintable(QString::number(n)));
        QVERIFY(e.retryDelayMs >= -1);
    }
}

void TestErrorClass::randomBytesAreSafe() {
    QRandomGenerator rng(499);
    const QByteArray seeds[] = {kPerMinute429, kBadKey400, kOverloaded503, kHtml502};
    for (int i = 0; i < 3000; ++i) {
        QByteArray body = seeds[i % 4];
        const int flips = 1 + int(rng.bounded(8));
        for (int f = 0; f < flips; ++f)
            body[qsizetype(rng.bounded(quint32(body.size())))] = char(rng.bounded(256));
        const int status = (i % 2) ? 429 : 400 + int(rng.bounded(200));
        const ClassifiedError e = classifyUpstreamError(status, body);
        QVERIFY(e.cls != UpstreamErrorClass::None);
        if (status == 429)
            QCOMPARE(e.cls, UpstreamErrorClass::RateLimited);
    }
    // Pure noise and odd sizes.
    for (int i = 0; i < 500; ++i) {
        QByteArray noise(qsizetype(rng.bounded(4096)), Qt::Uninitialized);
        for (char& c : noise)
            c = char(rng.bounded(256));
        QCOMPARE(classifyUpstreamError(503, noise).cls, UpstreamErrorClass::Transient);
        QCOMPARE(classifyUpstreamError(404, noise).cls, UpstreamErrorClass::BadRequest);
    }
}

QTEST_GUILESS_MAIN(TestErrorClass)
#include "tst_errorclass.moc"
