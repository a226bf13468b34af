#include "pipeline/filters/clientsink.h"

#include "http/headerpolicy.h"
#include "pipeline/stage.h"
#include "pipeline/workerenv.h"

namespace gemgate {

void ClientSink::decorate(ResponseHead& head) const {
    head.headers.add("x-gemgate-request-id", m_ctx.requestId);
    m_policy.addSecurityHeaders(&head.headers, m_ctx.clientTls, head.origin == ReplyOrigin::Local);
}

void ClientSink::onHead(ResponseHead& head) {
    decorate(head);
    m_status = head.status;
    m_length = head.contentLength;
    m_written = 0;
    m_finished = false;
    m_host->clientStarted();
    m_client.beginResponse(head.status, head.headers, head.contentLength);
}

void ClientSink::onData(const char* data, qsizetype len) {
    if (len <= 0)
        return;
    m_written += len;
    if (m_length >= 0 && m_written >= m_length && !m_finished) {
        // This chunk completes the answer for the client: it may send its next request the moment it has it.
        m_finished = true;
        m_host->clientFinishing(m_status, QByteArray(), len);
    }
    m_client.writeBody(data, len);
}

void ClientSink::onEnd(StreamEnd& end) {
    if (!end.tail && end.error) {
        // The stream ends as a well-formed one: one more SSE event, or (cut cleanly) one more element of the JSON
        // array and the array's end. A broken JSON answer gets nothing: the connection closes without a clean end.
        const QByteArray error = geminiErrorBody(*end.error);
        if (m_ctx.sse)
            end.tail = "data: " + error + "\r\n\r\n";
        else if (end.clean)
            end.tail = ",\r\n" + error + "\r\n]";
    }
    const QByteArray tail = end.tail.value_or(QByteArray());
    if (!m_finished) {
        m_finished = true;
        m_host->clientFinishing(m_status, end.errorKind, tail.size());
    }
    if (!tail.isEmpty())
        m_client.writeBody(tail.constData(), tail.size());
    if (end.clean)
        m_client.endResponse();
    else
        m_client.abortResponse();
}

void ClientSink::onReply(ResponseHead& head, QByteArray& body, QByteArray& errorKind) {
    decorate(head);
    m_status = head.status;
    if (head.origin == ReplyOrigin::Upstream) // a translated answer: its first byte goes out now
        m_host->clientStarted();
    m_host->clientFinishing(head.status, errorKind, body.size());
    if (head.origin == ReplyOrigin::Local && m_ctx.request.method == "HEAD")
        body = QByteArray();
    m_client.sendResponse(head.status, head.headers, body);
}

} // namespace gemgate
