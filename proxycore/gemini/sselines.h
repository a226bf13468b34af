#pragma once

// Server-sent events as Gemini streams them (alt=sse), split into lines as the bytes arrive: a line ends at CRLF,
// LF or CR, and a CR that ends one chunk may be the first half of a CRLF whose LF starts the next. An event ends
// at an empty line. The one SSE framing reader of the gateway: the OpenAI stream translation reads the lines, the
// quota cut (StreamEventEnd) only where the event ends.

#include <QByteArray>

namespace gemgate {

class SseLineReader {
public:
    // keepText: hand each line's text on (false: only say where lines end, copying nothing). midLine: the reader is
    // fed from some point inside a line, so the first line end it sees closes a line that is not empty.
    explicit SseLineReader(bool keepText = true, bool midLine = false)
        : m_pendingLen(midLine ? 1 : 0)
        , m_keepText(keepText) {}

    // Calls onLine(const QByteArray& text, qsizetype lineLength, qsizetype end) for every line that completes in
    // data: its text (empty unless keepText), its length and the index in data just past its line end. onLine
    // returns false to stop reading (the rest of data is not looked at).
    template <typename OnLine> void feed(const char* data, qsizetype len, OnLine&& onLine) {
        qsizetype i = 0;
        if (m_skipLf && len > 0) {
            m_skipLf = false;
            if (data[0] == '\n')
                i = 1;
        }
        while (i < len) {
            qsizetype j = i;
            while (j < len && data[j] != '\n' && data[j] != '\r')
                ++j;
            m_pendingLen += j - i;
            if (m_keepText)
                m_pending.append(data + i, j - i);
            if (j == len)
                return;
            if (data[j] == '\r') {
                if (j + 1 == len)
                    m_skipLf = true;
                else if (data[j + 1] == '\n')
                    ++j;
            }
            const qsizetype lineLength = m_pendingLen;
            m_pendingLen = 0;
            const QByteArray text = m_keepText ? std::exchange(m_pending, QByteArray()) : QByteArray();
            if (!onLine(text, lineLength, j + 1))
                return;
            i = j + 1;
        }
    }

    // The text of a line not yet ended (the stream ended without a last line end); clears it.
    QByteArray takePending() {
        m_pendingLen = 0;
        m_skipLf = false;
        return std::exchange(m_pending, QByteArray());
    }

private:
    QByteArray m_pending; // the start of a line not yet ended (keepText only)
    qsizetype m_pendingLen = 0;
    bool m_skipLf = false; // the last byte fed was a CR: an LF right after it ends the same line
    bool m_keepText = true;
};

} // namespace gemgate
