#pragma once

// Response filter: header policy on the way in. An upstream answer keeps only the headers the policy relays
// (headers.strip_response and the fixed allow-list); a relayed 429 says when to come back (Retry-After) when the
// upstream's error said so in its body only. The request id and the security headers are added by the client sink,
// last, on every response.

#include "pipeline/responsefilter.h"

namespace gemgate {

class HeaderPolicy;

class HeaderFilter final : public ResponseFilter {
public:
    explicit HeaderFilter(const HeaderPolicy& policy)
        : m_policy(policy) {}
    const char* name() const override { return "headers"; }
    void onHead(ResponseHead& head) override;
    void onReply(ResponseHead& head, QByteArray& body, QByteArray& errorKind) override;

private:
    void filter(ResponseHead& head) const;
    const HeaderPolicy& m_policy;
};

} // namespace gemgate
