#include "gemini/usagescanner.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstring>

namespace gemgate {

namespace {
const QByteArray kUsageKey = QByteArrayLiteral("\"usageMetadata\"");
const QByteArray kCandidatesKey = QByteArrayLiteral("\"candidates\"");
const QByteArray kFinishKey = QByteArrayLiteral("\"finishReason\"");
const QByteArray kPartsKey = QByteArrayLiteral("\"parts\"");
const QByteArray kBlockKey = QByteArrayLiteral("\"blockReason\"");
constexpr qsizetype kMaxCapture = 64 * 1024; // a usage object is a few hundred bytes

qint64 count(const QJsonObject& o, const char* name) {
    const QJsonValue v = o.value(QLatin1String(name));
    // proto3 JSON may encode int64 as a string.
    return v.isString() ? v.toString().toLongLong() : static_cast<qint64>(v.toDouble());
}
} // namespace

bool UsageScanner::matchKey(char c, const QByteArray& key, int& matched) {
    if (c == key[matched]) {
        if (++matched == key.size()) {
            matched = 0;
            return true;
        }
    } else {
        matched = (c == key[0]) ? 1 : 0;
    }
    return false;
}

void UsageScanner::feed(const char* data, qsizetype len) {
    m_lastUsageEnd = -1;
    for (qsizetype i = 0; i < len; ++i) {
        if (m_state == State::Scan && m_keyMatched == 0 && m_candMatched == 0 && m_finishMatched == 0 &&
            m_partsMatched == 0 && m_blockMatched == 0) {
            // Every key starts with '"': with no key partly matched, jump to the next quote (memchr is far cheaper
            // than five comparisons per byte; this runs over every response byte the gateway relays).
            const void* quote = std::memchr(data + i, '"', size_t(len - i));
            if (!quote)
                break;
            i = static_cast<const char*>(quote) - data;
        }
        const char c = data[i];
        switch (m_state) {
        case State::Scan:
            if (matchKey(c, kUsageKey, m_keyMatched))
                m_state = State::AfterKey;
            if (!m_sawCandidates && matchKey(c, kCandidatesKey, m_candMatched))
                m_sawCandidates = true;
            if (!m_sawFinish && matchKey(c, kFinishKey, m_finishMatched))
                m_sawFinish = true;
            if (!m_sawParts && matchKey(c, kPartsKey, m_partsMatched))
                m_sawParts = true;
            if (!m_sawBlock && matchKey(c, kBlockKey, m_blockMatched))
                m_sawBlock = true;
            break;
        case State::AfterKey:
            if (c == '{') {
                m_state = State::Capture;
                m_capture.clear();
                m_capture += c;
                m_depth = 1;
                m_inString = false;
                m_escape = false;
            } else if (c != ':' && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                m_state = State::Scan; // not an object after all
            }
            break;
        case State::Capture:
            m_capture += c;
            if (m_inString) {
                if (m_escape)
                    m_escape = false;
                else if (c == '\\')
                    m_escape = true;
                else if (c == '"')
                    m_inString = false;
            } else if (c == '"') {
                m_inString = true;
            } else if (c == '{') {
                ++m_depth;
            } else if (c == '}' && --m_depth == 0) {
                parseCaptured();
                m_lastUsageEnd = i + 1;
                m_state = State::Scan;
            }
            if (m_state == State::Capture && m_capture.size() > kMaxCapture)
                m_state = State::Scan;
            break;
        }
    }
}

void UsageScanner::parseCaptured() {
    const QJsonObject o = QJsonDocument::fromJson(m_capture).object();
    m_capture.clear();
    if (o.isEmpty())
        return;
    m_usage.prompt = count(o, "promptTokenCount") + count(o, "toolUsePromptTokenCount");
    m_usage.cached = count(o, "cachedContentTokenCount");
    m_usage.candidates = count(o, "candidatesTokenCount");
    m_usage.thoughts = count(o, "thoughtsTokenCount");
    m_usage.total = count(o, "totalTokenCount");
    m_usage.seen = true;
    ++m_updates;
}

qsizetype StreamEventEnd::find(const char* data, qsizetype len) {
    if (sse) { // an SSE event ends at an empty line
        qsizetype end = -1;
        lines.feed(data, len, [&end](const QByteArray&, qsizetype lineLength, qsizetype at) {
            if (lineLength > 0)
                return true;
            end = at;
            return false;
        });
        return end;
    }
    for (qsizetype i = 0; i < len; ++i) {
        const char c = data[i];
        if (inString) {
            if (escape)
                escape = false;
            else if (c == '\\')
                escape = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return i + 1;
        }
    }
    return -1;
}

} // namespace gemgate
