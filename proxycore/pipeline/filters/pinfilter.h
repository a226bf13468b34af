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
    // A request that ended as a success pins what it created and unpins what a DELETE removed. The logging step
    // runs before the client has the answer's last byte, so the pin is there when it uses the resource at once.
    void onLog(RequestOutcome& outcome) override;

private:
    QByteArray rewriteUploadUrl(const QByteArray& url);

    const RequestContext& m_ctx;
    ResourcePins& m_pins;
    std::function<QString()> m_listenUrl;
    int m_status = 0;
    std::optional<ResourcePin> m_answeredBy; // the key (and project) whose answer this is (its lease may be closed)
    bool m_capture = false;                  // a creating call: keep the (small) answer to pin the resource it names
    QByteArray m_created;
};

} // namespace gemgate
