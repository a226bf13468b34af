#pragma once

// Response filter: the stream guard (gemini.key_pool.stream_guard). A generate call's answer is held back until it
// carries an answer (a content part, a finishReason or a blockReason) or 256 KiB arrived. An answer that ends
// without one is unusable although it was a 200: another key is tried, which is only possible while nothing has
// reached the client. When no other key can be tried, the held answer is still the best there is and goes out.

#include "pipeline/responsefilter.h"

namespace gemgate {

class MeterFilter;

class StreamGuardFilter final : public ResponseFilter {
public:
    explicit StreamGuardFilter(const MeterFilter& meter)
        : m_meter(meter) {}
    const char* name() const override { return "stream_guard"; }
    void onAttempt() override;
    void onHead(ResponseHead& head) override;
    void onData(const char* data, qsizetype len) override;
    void onEnd(StreamEnd& end) override;
    void onReply(ResponseHead& head, QByteArray& body, QByteArray& errorKind) override;
    bool flushHeld(const QByteArray& errorKind) override;

private:
    void release();

    const MeterFilter& m_meter;
    bool m_holding = false;
    bool m_emptyHeld = false; // an answer without candidates, held while another key is tried
    ResponseHead m_head;
    QByteArray m_buffer;
};

} // namespace gemgate
