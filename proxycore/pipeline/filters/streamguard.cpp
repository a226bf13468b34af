#include "pipeline/filters/streamguard.h"

#include "gemini/errorclass.h"
#include "pipeline/filters/meterfilter.h"

namespace gemgate {

namespace {
constexpr qsizetype kMaxGuardBytes = 256 * 1024; // the guard lets an answer through once this much has arrived
}

void StreamGuardFilter::onAttempt() {
    m_holding = false;
    m_emptyHeld = false;
    m_head = ResponseHead();
    m_buffer.clear();
}

void StreamGuardFilter::onHead(ResponseHead& head) {
    if (!m_host->mayRetry()) { // nothing to gain from holding it back
        m_next->onHead(head);
        return;
    }
    m_holding = true;
    m_head = head;
}

void StreamGuardFilter::onData(const char* data, qsizetype len) {
    if (!m_holding) {
        m_next->onData(data, len);
        return;
    }
    m_buffer.append(data, len);
    if (!m_meter.scanner().sawAnswer() && m_buffer.size() < kMaxGuardBytes)
        return;
    release();
}

void StreamGuardFilter::release() {
    m_holding = false;
    m_next->onHead(m_head);
    if (!m_buffer.isEmpty()) {
        const QByteArray held = std::move(m_buffer);
        m_buffer = QByteArray();
        m_next->onData(held.constData(), held.size());
    }
}

void StreamGuardFilter::onEnd(StreamEnd& end) {
    if (m_holding && end.clean && !end.error) {
        // The whole answer arrived without a single candidate part, finishReason or blockReason.
        m_emptyHeld = true;
        if (m_host->retryAttempt(
                transientError(QStringLiteral("EMPTY_REPLY"), QStringLiteral("Gemini answered without any candidate"))))
            return;
        m_emptyHeld = false;
    }
    if (m_holding)
        release();
    m_next->onEnd(end);
}

void StreamGuardFilter::onReply(ResponseHead& head, QByteArray& body, QByteArray& errorKind) {
    onAttempt(); // a whole reply replaces what is held
    m_next->onReply(head, body, errorKind);
}

bool StreamGuardFilter::flushHeld(const QByteArray& errorKind) {
    if (!m_emptyHeld || !m_holding)
        return false;
    m_emptyHeld = false;
    release();
    StreamEnd end;
    end.errorKind = errorKind;
    m_next->onEnd(end);
    return true;
}

} // namespace gemgate
