#include "pipeline/filters/pinfilter.h"

#include "gemini/resources.h"
#include "keys/keypool.h"
#include "keys/resourcepins.h"
#include "pipeline/requestlog.h"
#include "pipeline/stage.h"

#include <QUrl>

namespace gemgate {

namespace {
constexpr qsizetype kMaxCreatedBody = 1024 * 1024;
}

void PinFilter::onAttempt() {
    m_status = 0;
    m_answeredBy.reset();
    m_capture = false;
    m_created.clear();
}

void PinFilter::onHead(ResponseHead& head) {
    m_status = head.status;
    if (const KeyLease* lease = m_host->currentLease())
        m_answeredBy = ResourcePin{lease->id, lease->project};
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
    if (!uploadId.isEmpty() && m_answeredBy)
        m_pins.remember(QStringLiteral("upload/") + QString::fromUtf8(uploadId), m_answeredBy->keyId,
                        m_answeredBy->project);
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

void PinFilter::onLog(RequestOutcome& o) {
    if (!m_answeredBy || m_status >= 300 || o.status >= 300 || !o.errorKind.isEmpty())
        return;
    if (m_capture) {
        const QString name = createdResourceName(m_created);
        if (!name.isEmpty())
            m_pins.remember(name, m_answeredBy->keyId, m_answeredBy->project);
    }
    if (m_ctx.request.method == "DELETE") {
        for (const QString& name : referencedResources(m_ctx.request.path, {}))
            m_pins.forget(name);
    }
}

} // namespace gemgate
