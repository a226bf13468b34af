#pragma once

// Response filter: resource pinning, the response side (the request side is PinStage). A stateful resource
// (file, cachedContent, batch, resumable upload session) lives in the project of the key that created it: a
// successful creating call pins the name its answer carries to that key, a DELETE unpins it, and a resumable
// upload's session URL (x-goog-upload-url) is pointed back at the gateway and pinned, so that every chunk goes
// out with the key that started it.

#include "keys/resourcepins.h"
#include "pipeline/responsefilter.h"

#include <QString>

#include <functional>
#include <optional>

namespace gemgate {

struct RequestContext;

class PinFilter final : public ResponseFilter {
public:
    // listenUrl: where the gateway listens now (for an upload URL when the request had no Host header).
    PinFilter(const RequestContext& ctx, ResourcePins& pins, std::function<QString()> listenUrl)
        : m_ctx(ctx)
        , m_pins(pins)
        , m_listenUrl(std::move(listenUrl)) {}
    const char* name() const override { return "pins"; }
    void onAttempt() override;
    void onHead(ResponseHead& head) override;
    void onData(const char* data, qsizetype len) override;
    void onEnd(StreamEnd& end) override;

private:
    QByteArray rewriteUploadUrl(const QByteArray& url);
    // A complete successful answer: pins what it created, unpins what a DELETE removed. Once.
    void settle();

    const RequestContext& m_ctx;
    ResourcePins& m_pins;
    std::function<QString()> m_listenUrl;
    int m_status = 0;
    std::optional<ResourcePin> m_answeredBy; // the key (and project) whose answer this is
    qint64 m_length = -1;                    // the answer's Content-Length (-1: chunked)
    qint64 m_received = 0;
    bool m_settled = false; // pinned / unpinned already
    bool m_capture = false; // a creating call: keep the (small) answer to pin the resource it names
    QByteArray m_created;
};

} // namespace gemgate
