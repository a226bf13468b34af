#pragma once

// Response filter: answers for OpenAI clients. A chat stream is translated event by event as it arrives; a whole
// answer (chat completion, embeddings, model list, model) is collected and translated once complete (nothing has
// reached the client yet, so a broken answer can still be retried); every error, the gateway's own or a relayed
// upstream one, is put in OpenAI's envelope, and a stream that ends with an error gets OpenAI's error event.

#include "pipeline/responsefilter.h"

#include <memory>

namespace gemgate {

class MeterFilter;
struct OpenAiConfig;
struct RequestContext;

namespace openai {
class ChatStreamTranslator;
class SignatureCache;
} // namespace openai

class OpenAiFilter final : public ResponseFilter {
public:
    OpenAiFilter(const RequestContext& ctx, const OpenAiConfig& config, openai::SignatureCache& signatures,
                 const MeterFilter& meter);
    ~OpenAiFilter() override;
    const char* name() const override { return "openai"; }
    void onAttempt() override;
    void onHead(ResponseHead& head) override;
    void onData(const char* data, qsizetype len) override;
    void onEnd(StreamEnd& end) override;
    void onReply(ResponseHead& head, QByteArray& body, QByteArray& errorKind) override;

private:
    // The translated whole answer, or an {"error":...} body when it could not be translated.
    QByteArray translateWhole();
    HttpHeaders headers() const;

    const RequestContext& m_ctx;
    const OpenAiConfig& m_config;
    openai::SignatureCache& m_signatures;
    const MeterFilter& m_meter;
    std::unique_ptr<openai::ChatStreamTranslator> m_stream; // a chat stream being translated
    bool m_collect = false; // a whole answer collected (m_body) and translated at the end
    bool m_tooLarge = false;
    int m_status = 0;
    QByteArray m_body;
};

} // namespace gemgate
