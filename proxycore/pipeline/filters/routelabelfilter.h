#pragma once

// Response filter: route labelling. In the logging step, names the request's route for the metrics with a bounded
// label (gemini/routelabels.h): "POST /v1beta/models/{model}:generateContent", never a raw path.

#include "pipeline/responsefilter.h"

namespace gemgate {

struct RequestContext;

class RouteLabelFilter final : public ResponseFilter {
public:
    explicit RouteLabelFilter(const RequestContext& ctx)
        : m_ctx(ctx) {}
    const char* name() const override { return "route_label"; }
    void onLog(RequestOutcome& outcome) override;

    static QString label(const RequestContext& ctx);

private:
    const RequestContext& m_ctx;
};

} // namespace gemgate
