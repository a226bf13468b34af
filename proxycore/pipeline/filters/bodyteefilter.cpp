#include "pipeline/filters/bodyteefilter.h"

#include "pipeline/requestlog.h"
#include "pipeline/stage.h"

namespace gemgate {

void BodyTeeFilter::onData(const char* data, qsizetype len) {
    m_tee.feed(data, len);
    m_next->onData(data, len);
}

void BodyTeeFilter::onReply(ResponseHead& head, QByteArray& body, QByteArray& errorKind) {
    m_tee.set(body);
    m_next->onReply(head, body, errorKind);
}

void BodyTeeFilter::onLog(RequestOutcome& o) {
    BodyRecord b;
    b.time = QDateTime::currentDateTimeUtc();
    b.requestId = m_ctx.requestId;
    b.method = m_ctx.request.method;
    b.path = m_ctx.request.path.left(512);
    b.status = o.status;
    b.requestBody = m_ctx.request.body; // shared, not copied; redacted and cut on the log's thread
    b.requestBytes = m_ctx.request.body.size();
    b.responseBody = std::move(m_tee.data);
    b.responseBytes = m_tee.total;
    m_tee.reset();
    m_log.append(std::move(b));
}

} // namespace gemgate
