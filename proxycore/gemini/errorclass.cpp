#include "gemini/errorclass.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QRegularExpression>
#include <QStringList>

#include <algorithm>

namespace gemgate {

namespace {

// What the classifier needs from a google.rpc.Status envelope, whether it came from a JSON parser or, for a body
// that is not valid JSON (truncated), from a lenient text scan.
struct Envelope {
    bool found = false; // an error envelope (or at least some of its fields) was recognised
    QString message;
    QString status;      // "INVALID_ARGUMENT", "PERMISSION_DENIED", ...
    QStringList reasons; // ErrorInfo.reason values, then legacy errors[].reason values
    struct Violation {
        QString quotaId;
        QString quotaMetric;
        QString model;
    };
    QList<Violation> violations;
    bool hasRetryInfo = false;
    qint64 retryDelayMs = -1;
};

// "41", "41.2", "0.250" in units of unitMs milliseconds -> ms, rounded up (never retry early), without floating point
// so that "41.2s" is exactly 41200. -1 when not a number.
qint64 decimalToMs(QStringView number, qint64 unitMs) {
    const qsizetype dot = number.indexOf(u'.');
    const QStringView intPart = dot < 0 ? number : number.left(dot);
    QStringView fracPart = dot < 0 ? QStringView() : number.mid(dot + 1);
    if (intPart.isEmpty() && fracPart.isEmpty())
        return -1;
    bool ok = true;
    const qint64 whole = intPart.isEmpty() ? 0 : intPart.toLongLong(&ok);
    if (!ok || whole < 0 || whole > (qint64(1) << 40) / unitMs)
        return -1;
    qint64 ms = whole * unitMs;
    if (fracPart.size() > 9)
        fracPart = fracPart.left(9);
    if (!fracPart.isEmpty()) {
        const qint64 frac = fracPart.toLongLong(&ok);
        if (!ok || frac < 0)
            return -1;
        qint64 scale = 1;
        for (qsizetype i = 0; i < fracPart.size(); ++i)
            scale *= 10;
        ms += (frac * unitMs + scale - 1) / scale;
    }
    return ms;
}

qint64 unitToMs(QStringView unit) {
    if (unit.isEmpty() || unit.startsWith(u's', Qt::CaseInsensitive))
        return 1000;
    if (unit.compare(u"ms", Qt::CaseInsensitive) == 0 || unit.startsWith(u"milli", Qt::CaseInsensitive))
        return 1;
    if (unit.startsWith(u'm', Qt::CaseInsensitive))
        return 60 * 1000;
    if (unit.startsWith(u'h', Qt::CaseInsensitive))
        return 3600 * 1000;
    return 1000;
}

// google.protobuf.Duration in JSON: "41s", "1.5s", "0.250s"; some encoders write {"seconds": "41", "nanos": 0}.
qint64 parseDuration(const QJsonValue& v) {
    if (v.isString()) {
        QString s = v.toString().trimmed();
        if (s.endsWith(u's'))
            s.chop(1);
        return decimalToMs(s, 1000);
    }
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        const QJsonValue sec = o.value(QLatin1String("seconds"));
        bool ok = true;
        const qint64 seconds = sec.isString() ? sec.toString().toLongLong(&ok) : qint64(sec.toDouble(0));
        const qint64 nanos = qint64(o.value(QLatin1String("nanos")).toDouble(0));
        if (!ok || seconds < 0 || nanos < 0)
            return -1;
        return seconds * 1000 + (nanos + 999999) / 1000000;
    }
    if (v.isDouble() && v.toDouble() >= 0)
        return qint64(v.toDouble() * 1000.0);
    return -1;
}

// "Please retry in 41.2s.", "retry in 250ms", "Retry in 2 minutes".
qint64 retryDelayFromMessage(const QString& message) {
    static const QRegularExpression re(
        QStringLiteral(R"(retry\s+(?:in|after)\s+([0-9]+(?:\.[0-9]+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|)"
                       R"(minutes?|h|hours?)?\b)"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = re.match(message);
    if (!m.hasMatch())
        return -1;
    return decimalToMs(m.capturedView(1), unitToMs(m.capturedView(2)));
}

void readDetail(const QJsonObject& detail, Envelope& env) {
    const QString type = detail.value(QLatin1String("@type")).toString();
    if (type.endsWith(QLatin1String("google.rpc.ErrorInfo"))) {
        const QString reason = detail.value(QLatin1String("reason")).toString();
        if (!reason.isEmpty())
            env.reasons.append(reason);
    } else if (type.endsWith(QLatin1String("google.rpc.QuotaFailure"))) {
        const QJsonArray violations = detail.value(QLatin1String("violations")).toArray();
        for (const QJsonValue& vv : violations) {
            const QJsonObject v = vv.toObject();
            Envelope::Violation out;
            out.quotaId = v.value(QLatin1String("quotaId")).toString();
            out.quotaMetric = v.value(QLatin1String("quotaMetric")).toString();
            out.model = v.value(QLatin1String("quotaDimensions")).toObject().value(QLatin1String("model")).toString();
            env.violations.append(out);
        }
    } else if (type.endsWith(QLatin1String("google.rpc.RetryInfo"))) {
        env.hasRetryInfo = true;
        const qint64 delay = parseDuration(detail.value(QLatin1String("retryDelay")));
        if (delay >= 0)
            env.retryDelayMs = delay;
    }
}

bool readEnvelopeObject(const QJsonObject& root, Envelope& env) {
    const QJsonValue errorValue = root.value(QLatin1String("error"));
    if (errorValue.isString()) { // {"error": "text"}: not Google's shape, but seen from proxies
        env.found = true;
        env.message = errorValue.toString();
        return true;
    }
    if (!errorValue.isObject())
        return false;
    const QJsonObject error = errorValue.toObject();
    env.found = true;
    env.message = error.value(QLatin1String("message")).toString();
    env.status = error.value(QLatin1String("status")).toString();
    const QJsonArray details = error.value(QLatin1String("details")).toArray();
    for (const QJsonValue& d : details)
        readDetail(d.toObject(), env);
    const QJsonArray legacy = error.value(QLatin1String("errors")).toArray();
    for (const QJsonValue& e : legacy) {
        const QString reason = e.toObject().value(QLatin1String("reason")).toString();
        if (reason == QLatin1String("keyInvalid"))
            env.reasons.append(QStringLiteral("API_KEY_INVALID"));
    }
    return true;
}

// JSON string contents -> text (the common escapes; \uXXXX without surrogate handling is enough for matching).
QString unescapeJsonString(QStringView s) {
    QString out;
    out.reserve(s.size());
    for (qsizetype i = 0; i < s.size(); ++i) {
        const QChar c = s[i];
        if (c != u'\\' || i + 1 >= s.size()) {
            out.append(c);
            continue;
        }
        const QChar e = s[++i];
        switch (e.unicode()) {
        case 'n':
            out.append(u'\n');
            break;
        case 't':
            out.append(u'\t');
            break;
        case 'r':
            out.append(u'\r');
            break;
        case 'b':
        case 'f':
            break;
        case 'u':
            if (i + 4 < s.size()) {
                bool ok = false;
                const ushort code = s.mid(i + 1, 4).toUShort(&ok, 16);
                if (ok) {
                    out.append(QChar(code));
                    i += 4;
                }
            }
            break;
        default:
            out.append(e);
        }
    }
    return out;
}

// For a body that is not valid JSON, most often because it was cut: pick out the fields by pattern. Fields cut in
// the middle are simply not found.
void scanTruncated(const QString& text, Envelope& env) {
    auto stringField = [&text](const char* name) -> QStringList {
        const QRegularExpression re(QLatin1String("\"") + QLatin1String(name) +
                                    QLatin1String(R"re("\s*:\s*"((?:[^"\\]|\\.)*)")re"));
        QStringList values;
        QRegularExpressionMatchIterator it = re.globalMatch(text);
        while (it.hasNext())
            values.append(unescapeJsonString(it.next().capturedView(1)));
        return values;
    };
    const QStringList messages = stringField("message");
    const QStringList statuses = stringField("status");
    const QStringList reasons = stringField("reason");
    const QStringList quotaIds = stringField("quotaId");
    const QStringList metrics = stringField("quotaMetric");
    const QStringList models = stringField("model");
    const QStringList delays = stringField("retryDelay");
    if (!messages.isEmpty())
        env.message = messages.first();
    if (!statuses.isEmpty())
        env.status = statuses.first();
    for (const QString& r : reasons) {
        if (r == QLatin1String("keyInvalid"))
            env.reasons.append(QStringLiteral("API_KEY_INVALID"));
        else if (!r.isEmpty() && r.front().isUpper())
            env.reasons.append(r);
    }
    const qsizetype nViolations = std::max({quotaIds.size(), metrics.size(), models.size()});
    for (qsizetype i = 0; i < nViolations; ++i)
        env.violations.append({quotaIds.value(i), metrics.value(i), models.value(i)});
    if (!delays.isEmpty()) {
        env.hasRetryInfo = true;
        env.retryDelayMs = parseDuration(QJsonValue(delays.first()));
    }
    env.found =
        !messages.isEmpty() || !statuses.isEmpty() || !reasons.isEmpty() || nViolations > 0 || !delays.isEmpty();
}

Envelope parseEnvelope(const QByteArray& body) {
    Envelope env;
    QByteArray json = body.trimmed();
    if (json.startsWith("data:")) // one SSE event
        json = json.mid(5).trimmed();
    if (json.isEmpty())
        return env;
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error == QJsonParseError::NoError) {
        if (doc.isObject()) {
            readEnvelopeObject(doc.object(), env);
        } else if (doc.isArray()) { // non-SSE streaming: the envelope is one element of "[ ... ]", usually the last
            const QJsonArray items = doc.array();
            for (const QJsonValue& item : items) {
                if (item.isObject() && readEnvelopeObject(item.toObject(), env))
                    break;
            }
        }
        return env;
    }
    const char first = json.front();
    if (first == '{' || first == '[')
        scanTruncated(QString::fromUtf8(json), env);
    if (!env.found) { // HTML or plain text: keep a short excerpt as the message
        QString text = QString::fromUtf8(json.left(512)).simplified();
        if (text.size() > 200)
            text = text.left(200) + QStringLiteral("...");
        env.message = text;
    }
    return env;
}

bool containsAny(const QString& haystack, std::initializer_list<const char*> needles) {
    for (const char* n : needles) {
        if (haystack.contains(QLatin1String(n), Qt::CaseInsensitive))
            return true;
    }
    return false;
}

// ErrorInfo reasons that say the key (or its project) cannot be used, whatever the request.
bool isKeyReason(const QString& reason) {
    static const char* const kReasons[] = {
        "API_KEY_INVALID",
        "API_KEY_EXPIRED",
        "CONSUMER_SUSPENDED",
        "API_KEY_SERVICE_BLOCKED",
        "SERVICE_DISABLED",
        "API_KEY_HTTP_REFERRER_BLOCKED",
        "API_KEY_IP_ADDRESS_BLOCKED",
        "API_KEY_ANDROID_APP_BLOCKED",
        "API_KEY_IOS_APP_BLOCKED",
        "BILLING_DISABLED",
        "PROJECT_DENIED",
    };
    for (const char* r : kReasons) {
        if (reason == QLatin1String(r))
            return true;
    }
    return false;
}

QString firstKeyReason(const Envelope& env) {
    for (const QString& r : env.reasons) {
        if (isKeyReason(r))
            return r;
    }
    return {};
}

// The message is about a stateful resource (a file, a cache, a tuned model) rather than about the key.
bool aboutResource(const Envelope& env) {
    if (containsAny(env.message, {"permission to access the File", "cachedContent", "cached content", "tunedModel",
                                  "tuned model", "files/", "corpora/", "batches/"}))
        return true;
    static const QRegularExpression fileWord(QStringLiteral(R"(\bfiles?\b)"),
                                             QRegularExpression::CaseInsensitiveOption);
    return fileWord.match(env.message).hasMatch();
}

bool isPerDay(const Envelope::Violation& v) {
    return v.quotaId.contains(QLatin1String("PerDay"), Qt::CaseInsensitive) ||
           containsAny(v.quotaMetric, {"per_day", "requests_per_day", "PerDay"});
}

bool isPerMinute(const Envelope::Violation& v) {
    return v.quotaId.contains(QLatin1String("PerMinute"), Qt::CaseInsensitive) ||
           containsAny(v.quotaMetric, {"per_minute", "PerMinute"});
}

QString httpReason(int status) {
    return QStringLiteral("HTTP_") + QString::number(status);
}

void classifyRateLimit(const Envelope& env, ClassifiedError& out) {
    out.cls = UpstreamErrorClass::RateLimited;
    bool perDay = false;
    bool perMinute = false;
    for (const Envelope::Violation& v : env.violations) {
        perDay = perDay || isPerDay(v);
        perMinute = perMinute || isPerMinute(v);
    }
    if (perDay)
        out.quota = QuotaScope::PerDay; // the longer wait wins when both are exceeded
    else if (perMinute || env.hasRetryInfo)
        out.quota = QuotaScope::PerMinute;
    if (!env.violations.isEmpty()) {
        out.quotaId = env.violations.first().quotaId;
        out.model = env.violations.first().model;
        for (qsizetype i = 1; out.model.isEmpty() && i < env.violations.size(); ++i)
            out.model = env.violations.at(i).model;
    }
    out.retryDelayMs = env.retryDelayMs >= 0 ? env.retryDelayMs : retryDelayFromMessage(env.message);
    out.reason = !env.reasons.isEmpty()  ? env.reasons.first()
                 : !env.status.isEmpty() ? env.status
                                         : QStringLiteral("RESOURCE_EXHAUSTED");
}

} // namespace

ClassifiedError classifyUpstreamError(int status, const QByteArray& body) {
    ClassifiedError out;
    out.httpStatus = status;
    if (status < 400)
        return out;

    const Envelope env = parseEnvelope(body);
    out.message = env.message;
    const QString keyReason = firstKeyReason(env);

    auto keyInvalid = [&out](const QString& reason) {
        out.cls = UpstreamErrorClass::KeyInvalid;
        out.reason = reason;
    };
    auto badRequest = [&out, &env, status] {
        out.cls = UpstreamErrorClass::BadRequest;
        out.reason = !env.reasons.isEmpty()  ? env.reasons.first()
                     : !env.status.isEmpty() ? env.status
                                             : httpReason(status);
    };

    switch (status) {
    case 400:
        if (!keyReason.isEmpty())
            keyInvalid(keyReason);
        else if (containsAny(env.message, {"API key not valid", "API key not found", "API key expired"}) ||
                 (env.message.contains(QLatin1String("API key"), Qt::CaseInsensitive) &&
                  env.message.contains(QLatin1String("expired"), Qt::CaseInsensitive)))
            keyInvalid(QStringLiteral("API_KEY_INVALID"));
        else if (env.status == QLatin1String("FAILED_PRECONDITION"))
            keyInvalid(QStringLiteral("FAILED_PRECONDITION")); // region without free tier, project without billing
        else
            badRequest();
        break;
    case 401:
        keyInvalid(!keyReason.isEmpty() ? keyReason : QStringLiteral("UNAUTHENTICATED"));
        break;
    case 402:
        keyInvalid(QStringLiteral("PREPAID_CREDIT_EXHAUSTED"));
        out.billingWide = true;
        break;
    case 403:
        if (!keyReason.isEmpty())
            keyInvalid(keyReason);
        else if (env.message.contains(QLatin1String("leaked"), Qt::CaseInsensitive))
            keyInvalid(QStringLiteral("LEAKED"));
        else if (aboutResource(env))
            badRequest(); // a file, cache or tuned model of another project: the request is wrong, not the key
        else if (env.status.isEmpty() && env.reasons.isEmpty()) {
            // Not Google's envelope (e.g. an HTML page from a proxy on the way): nothing says the key is bad, and
            // disabling keys on it would take down the whole pool one key at a time. Retry elsewhere instead.
            out.cls = UpstreamErrorClass::Transient;
            out.reason = QStringLiteral("HTTP_403");
        } else
            keyInvalid(!env.reasons.isEmpty() ? env.reasons.first() : QStringLiteral("PERMISSION_DENIED"));
        break;
    case 429:
        classifyRateLimit(env, out);
        break;
    case 499:
        out.cls = UpstreamErrorClass::Cancelled;
        out.reason = QStringLiteral("CANCELLED");
        break;
    case 500:
    case 502:
    case 503:
    case 504:
        out.cls = UpstreamErrorClass::Transient;
        out.reason = httpReason(status);
        break;
    default: // 404 (unknown model, file or cache), 413, ...
        badRequest();
        break;
    }
    return out;
}

ClassifiedError transientError(const QString& reason, const QString& message) {
    ClassifiedError out;
    out.cls = UpstreamErrorClass::Transient;
    out.reason = reason;
    out.message = message;
    return out;
}

const char* errorClassName(UpstreamErrorClass cls) {
    switch (cls) {
    case UpstreamErrorClass::None:
        return "none";
    case UpstreamErrorClass::KeyInvalid:
        return "key_invalid";
    case UpstreamErrorClass::RateLimited:
        return "rate_limited";
    case UpstreamErrorClass::Transient:
        return "transient";
    case UpstreamErrorClass::BadRequest:
        return "bad_request";
    case UpstreamErrorClass::Cancelled:
        return "cancelled";
    }
    return "none";
}

} // namespace gemgate
