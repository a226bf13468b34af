#include "log/bodylog.h"

#include "keys/redact.h"
#include "log/logfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QStringDecoder>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <pthread.h>
#include <unistd.h>
#include <utility>

namespace gemgate {

namespace {

// Records waiting for the writer may pin this much body data; beyond it records are dropped (and counted) rather
// than letting a slow disk grow the process without bound.
constexpr qint64 kMaxQueuedBytes = 256LL * 1024 * 1024;
constexpr qsizetype kMaxInlineChars = 256; // longer base64 "data" values are replaced by their size
constexpr qsizetype kMinClientKeyChars = 16;

const QByteArray kMask = QByteArrayLiteral("[REDACTED]");

bool isTokenChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool isBase64Char(char c) {
    return isTokenChar(c) || c == '+' || c == '/' || c == '=';
}

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// JSON fields whose string value is a credential.
bool isSecretField(QByteArrayView name) {
    static const char* const names[] = {"key",           "apikey",         "api_key",
                                        "authorization", "x-goog-api-key", "access_token",
                                        "refresh_token", "client_secret",  "password"};
    for (const char* n : names) {
        if (name.compare(QByteArrayView(n), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// JSON fields that carry inline binary data as base64 (Gemini's inlineData.data, Imagen's bytesBase64Encoded).
bool isInlineDataField(QByteArrayView name) {
    return name == "data" || name == "bytesBase64Encoded";
}

// The end of the JSON string whose opening quote is at `open`: the index of the closing quote, or size() when the
// string runs to the end of the text (a cut body).
qsizetype stringEnd(const QByteArray& text, qsizetype open) {
    qsizetype i = open + 1;
    while (i < text.size()) {
        if (text[i] == '\\')
            i += 2;
        else if (text[i] == '"')
            return i;
        else
            ++i;
    }
    return text.size();
}

// Replaces the values of credential fields and long inline base64 data. Works on any text: JSON, SSE events,
// JSON arrays, a body cut in the middle of a string.
QByteArray redactJsonFields(const QByteArray& text) {
    QByteArray out;
    qsizetype copied = 0;
    qsizetype i = 0;
    while ((i = text.indexOf('"', i)) >= 0) {
        const qsizetype keyEnd = stringEnd(text, i);
        if (keyEnd >= text.size())
            break;
        const QByteArrayView name(text.constData() + i + 1, keyEnd - i - 1);
        qsizetype j = keyEnd + 1;
        while (j < text.size() && isSpace(text[j]))
            ++j;
        if (j >= text.size() || text[j] != ':') {
            i = keyEnd + 1; // a value, not a field name
            continue;
        }
        ++j;
        while (j < text.size() && isSpace(text[j]))
            ++j;
        if (j >= text.size() || text[j] != '"') {
            i = j;
            continue;
        }
        const qsizetype valueEnd = stringEnd(text, j);
        const qsizetype valueStart = j + 1;
        const qsizetype valueLen = valueEnd - valueStart;
        QByteArray replacement;
        bool replace = false;
        if (isSecretField(name)) {
            replacement = kMask;
            replace = valueLen > 0;
        } else if (isInlineDataField(name) && valueLen > kMaxInlineChars) {
            const char* v = text.constData() + valueStart;
            replace = std::all_of(v, v + valueLen, isBase64Char);
            replacement = '<' + QByteArray::number(valueLen) + " bytes of base64>";
        }
        if (replace) {
            out.append(text.constData() + copied, valueStart - copied);
            out.append(replacement);
            copied = valueEnd;
        }
        i = valueEnd + 1;
    }
    if (copied == 0)
        return text;
    out.append(text.constData() + copied, text.size() - copied);
    return out;
}

// "gg_" + base64url (GemGate's issued client keys), at a token boundary.
QByteArray redactClientKeys(QByteArray text) {
    qsizetype from = 0;
    while ((from = text.indexOf("gg_", from)) >= 0) {
        if (from > 0 && isTokenChar(text[from - 1])) {
            from += 3;
            continue;
        }
        qsizetype end = from + 3;
        while (end < text.size() && isTokenChar(text[end]))
            ++end;
        if (end - from - 3 >= kMinClientKeyChars) {
            text.replace(from, end - from, kMask);
            from += kMask.size();
        } else {
            from = end;
        }
    }
    return text;
}

// A JWS in compact form: "eyJ" (base64url of '{"') header . payload . signature (the last may be empty: alg none).
QByteArray redactJwts(QByteArray text) {
    qsizetype from = 0;
    while ((from = text.indexOf("eyJ", from)) >= 0) {
        qsizetype end = from;
        int dots = 0;
        qsizetype segment = 0;
        bool ok = true;
        while (end < text.size()) {
            const char c = text[end];
            if (isTokenChar(c)) {
                ++segment;
            } else if (c == '.' && dots < 2) {
                ok = ok && segment > 0;
                ++dots;
                segment = 0;
            } else {
                break;
            }
            ++end;
        }
        if (ok && dots == 2) {
            text.replace(from, end - from, kMask);
            from += kMask.size();
        } else {
            from += 3;
        }
    }
    return text;
}

// A body cut before it was redacted may end inside a secret that no pattern recognises any more (half a key):
// the last token at the cut goes.
void dropPartialToken(QByteArray* text) {
    qsizetype end = text->size();
    while (end > 0 && (isBase64Char(text->at(end - 1)) || text->at(end - 1) == '.'))
        --end;
    text->truncate(end);
}

// A capture cut at a byte count may end inside a UTF-8 sequence: that sequence goes.
void dropIncompleteUtf8(QByteArray* text) {
    qsizetype i = text->size();
    int continuation = 0;
    while (i > 0 && continuation < 3 && (uchar(text->at(i - 1)) & 0xC0) == 0x80) {
        --i;
        ++continuation;
    }
    if (i == 0)
        return;
    const uchar lead = uchar(text->at(i - 1));
    const int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (length > 1 && continuation + 1 < length)
        text->truncate(i - 1);
}

// Cuts at most maxBytes without splitting a UTF-8 sequence.
void cutUtf8(QByteArray* text, qint64 maxBytes) {
    if (text->size() <= maxBytes)
        return;
    qsizetype end = qsizetype(maxBytes);
    while (end > 0 && (uchar(text->at(end)) & 0xC0) == 0x80)
        --end;
    text->truncate(end);
}

QJsonObject bodyObject(const QByteArray& captured, qint64 fullSize, const QList<QByteArray>& secrets, qint64 maxBytes) {
    QByteArray body = captured;
    bool truncated = body.size() < fullSize;
    if (truncated) {
        dropIncompleteUtf8(&body);
        body = BodyLog::redact(body, secrets);
        dropPartialToken(&body);
    } else {
        body = BodyLog::redact(body, secrets);
    }
    if (body.size() > maxBytes) {
        cutUtf8(&body, maxBytes);
        truncated = true;
    }
    QJsonObject o;
    o.insert(QLatin1String("bytes"), fullSize);
    o.insert(QLatin1String("truncated"), truncated);
    QStringDecoder decode(QStringDecoder::Utf8, QStringConverter::Flag::Stateless);
    const QString text = decode(body);
    if (decode.hasError())
        o.insert(QLatin1String("body"), QStringLiteral("<%1 bytes of binary data>").arg(fullSize));
    else
        o.insert(QLatin1String("body"), text);
    return o;
}

} // namespace

BodyLog::BodyLog() = default;

BodyLog::~BodyLog() {
    {
        QMutexLocker lock(&m_mutex);
        m_stop = true;
        m_wake.wakeAll();
    }
    if (m_thread.joinable())
        m_thread.join();
    if (m_fd >= 0)
        ::close(m_fd);
    for (int fd : std::as_const(m_retired))
        ::close(fd);
}

QString BodyLog::defaultPath() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QLatin1String("/gemgate/bodies.log");
}

bool BodyLog::configure(const BodyLogConfig& config, SecretSource secrets, QString* error) {
    int fd = -1;
    bool ok = true;
    if (config.enabled) {
        const QString path = config.path.isEmpty() ? defaultPath() : config.path;
        QDir().mkpath(QFileInfo(path).absolutePath());
        QString why;
        fd = openLogForAppend(path, &why);
        if (fd < 0) {
            ok = false;
            if (error)
                *error = QStringLiteral("log.bodies: cannot open %1: %2; body logging is off").arg(path, why);
        }
    }
    flush();
    QMutexLocker lock(&m_mutex);
    // The writer thread may still hold the old descriptor for a moment: it closes retired ones after its batch.
    if (m_fd >= 0)
        m_retired.append(m_fd);
    m_fd = fd;
    m_secrets = std::move(secrets);
    m_maxBytes.store(config.maxBytes, std::memory_order_relaxed);
    if (fd >= 0 && !m_thread.joinable())
        m_thread = std::thread([this] {
            pthread_setname_np(pthread_self(), "gemgate-bodylog");
            run();
        });
    m_enabled.store(fd >= 0, std::memory_order_relaxed);
    return ok;
}

void BodyLog::append(BodyRecord record) {
    QMutexLocker lock(&m_mutex);
    if (m_fd < 0)
        return;
    const qint64 size = record.requestBody.size() + record.responseBody.size();
    if (m_queuedBytes + size > kMaxQueuedBytes) {
        ++m_dropped;
        return;
    }
    m_queuedBytes += size;
    m_queue.append(std::move(record));
    ++m_appended;
    if (m_queue.size() == 1)
        m_wake.wakeOne();
}

void BodyLog::flush() {
    QMutexLocker lock(&m_mutex);
    const qint64 target = m_appended;
    m_wake.wakeOne();
    while (m_written < target && !m_stop)
        m_flushed.wait(&m_mutex, 100);
}

QByteArray BodyLog::redact(QByteArray body, const QList<QByteArray>& secrets) {
    body = redactJsonFields(body);
    body = redactSecrets(std::move(body), secrets); // known secrets and AIza... keys
    body = redactClientKeys(std::move(body));
    return redactJwts(std::move(body));
}

QByteArray BodyLog::format(const BodyRecord& r, const QList<QByteArray>& secrets, qint64 maxBytes) {
    QJsonObject o;
    o.insert(QLatin1String("time"), r.time.toString(Qt::ISODateWithMs));
    o.insert(QLatin1String("request_id"), QString::fromLatin1(r.requestId));
    o.insert(QLatin1String("method"), QString::fromLatin1(r.method));
    o.insert(QLatin1String("path"), QString::fromUtf8(r.path));
    o.insert(QLatin1String("status"), r.status);
    o.insert(QLatin1String("request"), bodyObject(r.requestBody, r.requestBytes, secrets, maxBytes));
    o.insert(QLatin1String("response"), bodyObject(r.responseBody, r.responseBytes, secrets, maxBytes));
    QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact);
    line += '\n';
    return line;
}

void BodyLog::run() {
    QList<BodyRecord> batch;
    QMutexLocker lock(&m_mutex);
    for (;;) {
        while (m_queue.isEmpty() && !m_stop)
            m_wake.wait(&m_mutex);
        if (m_queue.isEmpty() && m_stop)
            break;
        batch.swap(m_queue);
        m_queuedBytes = 0;
        const qint64 dropped = std::exchange(m_dropped, 0);
        const int fd = m_fd;
        const SecretSource source = m_secrets;
        const qint64 maxBytes = m_maxBytes.load(std::memory_order_relaxed);
        lock.unlock();
        const QList<QByteArray> secrets = source ? source() : QList<QByteArray>();
        QByteArray out;
        if (dropped > 0) {
            out += QJsonDocument(
                       QJsonObject{{QLatin1String("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                                   {QLatin1String("dropped"), dropped}})
                       .toJson(QJsonDocument::Compact);
            out += '\n';
        }
        for (const BodyRecord& r : std::as_const(batch))
            out += format(r, secrets, maxBytes);
        const qint64 n = batch.size();
        batch.clear(); // releases the bodies before the write
        writeFully(fd, out);
        lock.relock();
        for (int retired : std::as_const(m_retired))
            ::close(retired);
        m_retired.clear();
        m_written += n;
        m_flushed.wakeAll();
    }
}

} // namespace gemgate
