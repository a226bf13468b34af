#include "pipeline/filters/pinfilter.h"

#include "gemini/resources.h"
#include "keys/keypool.h"
#include "keys/resourcepins.h"
#include "pipeline/stage.h"

#include <QUrl>

namespace gemgate {

namespace {
constexpr qsizetype kMaxCreatedBody = 1024 * 1024;
}

void PinFilter::onAttempt() {
    m_status = 0;
    m_capture = false;
    m_created.clear();
}

void PinFilter::onHead(ResponseHead& head) {
    m_status = head.status;
    m_capture = head.status < 300 && createsResource(m_ctx.request.method, m_ctx.request.path, m_ctx.action);
    const QByteArray uploadUrl = head.headers.value("x-goog-upload-url");
    if (!uploadUrl.isEmpty())
        head.headers.replaceValue("x-goog-upload-url", rewriteUploadUrl(uploadUrl));
    m_next->onHead(head);
}

QByteArray PinFilter::rewriteUploadUrl(const QByteArray& url) {
    const QUrl up = QUrl::fromEncoded(url);
    const QByteArray query = up.query(QUrl::FullyEncoded).toUtf8();
    const QByteArray uploadId = queryValue(query, "upload_id");
    const KeyLease* lease = m_host->currentLease();
    if (!uploadId.isEmpty() && lease)
        m_pins.remember(QStringLiteral("upload/") + QString::fromUtf8(uploadId), lease->id, lease->project);
    QByteArray path = up.path(QUrl::FullyEncoded).toUtf8();
    const QByteArray& prefix = m_ctx.runtime->upstreamPathPrefix;
    if (!prefix.isEmpty() && path.startsWith(prefix))
        path = path.mid(prefix.size());
    QByteArray host = m_ctx.request.headers.value("host");
    if (host.isEmpty())
        host = QUrl(m_listenUrl()).authority().toUtf8();
    QByteArray rewritten = (m_ctx.clientTls ? "https://" : "http://") + host + path;
    if (!query.isEmpty())
        rewritten += '?' + query;
    return rewritten;
}

void PinFilter::onData(const char* data, qsizetype len) {
    if (m_capture && m_created.size() < kMaxCreatedBody)
        m_created.append(data, qMin(len, kMaxCreatedBody - m_created.size()));
    m_next->onData(data, len);
}

void PinFilter::onEnd(StreamEnd& end) {
    const KeyLease* lease = m_host->currentLease();
    if (lease && end.errorKind.isEmpty() && !end.error && m_status < 300) {
        if (m_capture) {
            const QString name = createdResourceName(m_created);
            if (!name.isEmpty())
                m_pins.remember(name, lease->id, lease->project);
        }
        if (m_ctx.request.method == "DELETE") {
            for (const QString& name : referencedResources(m_ctx.request.path, {}))
                m_pins.forget(name);
        }
    }
    m_next->onEnd(end);
}

} // namespace gemgate
