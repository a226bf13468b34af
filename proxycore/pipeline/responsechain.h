#pragma once

// The response filters of one request, in order, built once its request stages have run (from the config snapshot
// it runs under, with the services each filter uses):
//
//   headers -> meter -> [stream guard] -> [quota cut] -> pins -> [openai] -> [body log] -> route label -> client
//
// (bracketed ones only where they apply: a generate call with the guard on, a stream under a token quota, an
// OpenAI client, log.bodies on). A new client surface adds its filter here; the session is not touched.

#include "pipeline/filters/bodyteefilter.h"
#include "pipeline/filters/clientsink.h"
#include "pipeline/filters/headerfilter.h"
#include "pipeline/filters/meterfilter.h"
#include "pipeline/filters/openaifilter.h"
#include "pipeline/filters/pinfilter.h"
#include "pipeline/filters/quotacut.h"
#include "pipeline/filters/routelabelfilter.h"
#include "pipeline/filters/streamguard.h"
#include "pipeline/responsefilter.h"

#include <array>
#include <optional>

namespace gemgate {

class ClientResponder;
struct RequestContext;
struct WorkerEnv;

class ResponseChain {
public:
    ResponseChain();
    ~ResponseChain();
    ResponseChain(const ResponseChain&) = delete;
    ResponseChain& operator=(const ResponseChain&) = delete;

    void build(RequestContext& ctx, WorkerEnv& env, ClientResponder& client, FilterHost& host);
    bool built() const { return m_count > 0; }

    // Entry points (see ResponseFilter): each runs the first filter, which hands on to the next.
    void attempt();
    void head(ResponseHead& head) { m_order[0]->onHead(head); }
    void data(const char* data, qsizetype len) { m_order[0]->onData(data, len); }
    void end(StreamEnd& end) { m_order[0]->onEnd(end); }
    void reply(ResponseHead& head, QByteArray body, QByteArray errorKind);
    bool flushHeld(const QByteArray& errorKind);
    void log(RequestOutcome& outcome);

    const MeterFilter* meter() const { return m_meter ? &*m_meter : nullptr; }

private:
    void add(ResponseFilter* f) { m_order[m_count++] = f; }

    // Every filter in place, made only where it applies: building a chain allocates nothing.
    std::optional<HeaderFilter> m_headers;
    std::optional<MeterFilter> m_meter;
    std::optional<StreamGuardFilter> m_guard;
    std::optional<QuotaCutFilter> m_cut;
    std::optional<PinFilter> m_pins;
    std::optional<OpenAiFilter> m_openai;
    std::optional<BodyTeeFilter> m_bodies;
    std::optional<RouteLabelFilter> m_routeLabel;
    std::optional<ClientSink> m_sink;
    std::array<ResponseFilter*, 9> m_order{};
    int m_count = 0;
};

} // namespace gemgate
