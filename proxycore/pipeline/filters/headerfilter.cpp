#include "pipeline/filters/headerfilter.h"

#include "http/headerpolicy.h"

namespace gemgate {

void HeaderFilter::filter(ResponseHead& head) const {
    if (head.origin == ReplyOrigin::Local)
        return;
    HttpHeaders kept;
    for (const auto& h : head.headers.entries()) {
        if (m_policy.keepResponseHeader(h.first.toLower()))
            kept.add(h.first, h.second);
    }
    if (head.status == 429 && head.retryAfterMs > 0 && !kept.contains("retry-after"))
        kept.add("Retry-After", QByteArray::number((head.retryAfterMs + 999) / 1000));
    head.headers = std::move(kept);
}

void HeaderFilter::onHead(ResponseHead& head) {
    filter(head);
    m_next->onHead(head);
}

void HeaderFilter::onReply(ResponseHead& head, QByteArray& body, QByteArray& errorKind) {
    filter(head);
    m_next->onReply(head, body, errorKind);
}

} // namespace gemgate
