#pragma once

// Reading Gemini response bodies while they are relayed, whatever the framing (one JSON object, an SSE stream, or a
// streamed JSON array): UsageScanner finds the token usage and whether an answer came; StreamEventEnd finds where
// the current event (SSE) or array element ends, for cutting a stream cleanly.
//
// UsageScanner finds token usage in a response body while it is relayed, whatever the framing (one JSON object, an
// SSE stream, or a streamed JSON array). It looks for the key "usageMetadata" and captures the object that follows
// with a brace counter that respects strings. Gemini's usage values are running snapshots, so the last one
// seen wins. The scanner sits beside the relay: it copies nothing but the small usage objects.

#include "gemini/sselines.h"

#include <QByteArray>

namespace gemgate {

struct TokenUsage {
    qint64 prompt = 0;     // promptTokenCount (+ toolUsePromptTokenCount)
    qint64 cached = 0;     // cachedContentTokenCount
    qint64 candidates = 0; // candidatesTokenCount
    qint64 thoughts = 0;   // thoughtsTokenCount
    qint64 total = 0;      // totalTokenCount
    bool seen = false;
    qint64 output() const { return candidates + thoughts; }
};

class UsageScanner {
public:
    void feed(const char* data, qsizetype len);
    const TokenUsage& usage() const { return m_usage; }
    // Counts the usage objects read so far (changes when a new running total arrived).
    int updates() const { return m_updates; }
    // Where in the data of the last feed() call the last usage object ended (the index just past its closing
    // brace), -1 when none ended there.
    qsizetype lastUsageEnd() const { return m_lastUsageEnd; }
    // True once the key "candidates" / "finishReason" has been seen anywhere in the body (for spotting replies
    // that carry no answer at all).
    bool sawCandidates() const { return m_sawCandidates; }
    bool sawFinishReason() const { return m_sawFinish; }
    // True once the body carries an answer: content parts, a finishReason or a promptFeedback blockReason (a
    // blocked prompt is an answer too). The stream guard holds a reply back until this is true.
    bool sawAnswer() const { return m_sawParts || m_sawFinish || m_sawBlock; }

private:
    void parseCaptured();
    bool matchKey(char c, const QByteArray& key, int& matched);

    TokenUsage m_usage;
    int m_updates = 0;
    qsizetype m_lastUsageEnd = -1;
    int m_keyMatched = 0;
    int m_candMatched = 0;
    int m_finishMatched = 0;
    int m_partsMatched = 0;
    int m_blockMatched = 0;
    enum class State { Scan, AfterKey, Capture } m_state = State::Scan;
    QByteArray m_capture;
    int m_depth = 0;
    bool m_inString = false;
    bool m_escape = false;
    bool m_sawCandidates = false;
    bool m_sawFinish = false;
    bool m_sawParts = false;
    bool m_sawBlock = false;
};

// Where the event being relayed ends: an SSE event at its empty line (gemini/sselines.h), a JSON-array stream's
// element at the brace that closes it. Fed the bytes that follow the point where a stream is to be cut (for a JSON
// array: inside the element that carried the last usage, so depth starts at 1).
struct StreamEventEnd {
    bool sse = true;
    int depth = 1; // JSON array streams: inside the element object that carried the usage
    bool inString = false;
    bool escape = false;
    SseLineReader lines{false, true}; // SSE: fed from inside the event's data line
    // The index just past the event's end within data, or -1 when it does not end there (the state carries on).
    qsizetype find(const char* data, qsizetype len);
};

} // namespace gemgate
