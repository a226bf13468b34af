#pragma once

// Request stage: resource pinning, the request side (the response side is PinFilter). A stateful resource decides
// the key: an upload session, a file / cache / batch named in the path, or a file / cache the request body refers
// to. The first pinned one found is what the key pool must honour.

#include "pipeline/stage.h"

namespace gemgate {

class ResourcePins;

class PinStage final : public Stage {
public:
    explicit PinStage(const ResourcePins& pins)
        : m_pins(pins) {}
    const char* name() const override { return "pins"; }
    std::optional<LocalReply> onRequest(RequestContext& ctx) override;

private:
    const ResourcePins& m_pins;
};

} // namespace gemgate
