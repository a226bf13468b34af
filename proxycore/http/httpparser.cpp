#include "http/httpparser.h"

#include <llhttp.h>

namespace gemgate {

namespace {
HttpParser* self(llhttp_t* p) {
    return static_cast<HttpParser*>(p->data);
}
} // namespace

HttpParser::HttpParser(Kind kind, Sink* sink, const Limits& limits)
    : m_kind(kind)
    , m_sink(sink)
    , m_limits(limits)
    , m_parser(std::make_unique<llhttp_t>())
    , m_settings(std::make_unique<llhttp_settings_t>()) {
    llhttp_settings_init(m_settings.get());
    m_settings->on_message_begin = &HttpParser::cbMessageBegin;
    m_settings->on_url = &HttpParser::cbUrl;
    m_settings->on_header_field = &HttpParser::cbHeaderField;
    m_settings->on_header_value = &HttpParser::cbHeaderValue;
    m_settings->on_headers_complete = &HttpParser::cbHeadersComplete;
    m_settings->on_body = &HttpParser::cbBody;
    m_settings->on_message_complete = &HttpParser::cbMessageComplete;
    llhttp_init(m_parser.get(), kind == Kind::Request ? HTTP_REQUEST : HTTP_RESPONSE, m_settings.get());
    m_parser->data = this;
}

HttpParser::~HttpParser() = default;

void HttpParser::reset() {
    llhttp_reset(m_parser.get());
    m_parser->data = this;
    m_inMessage = false;
    m_headersDone = false;
    m_noBody = false;
}

void HttpParser::setError(int status, QString message) {
    if (m_errorStatus == 0 && m_errorMessage.isEmpty()) {
        m_errorStatus = status;
        m_errorMessage = std::move(message);
    }
}

HttpParser::Result HttpParser::feed(const char* data, qsizetype len, qsizetype* consumed) {
    if (m_parser->error == HPE_PAUSED)
        llhttp_resume(m_parser.get());
    const llhttp_errno_t err = llhttp_execute(m_parser.get(), data, static_cast<size_t>(len));
    if (err == HPE_OK) {
        *consumed = len;
        return Result::NeedMore;
    }
    if (err == HPE_PAUSED) {
        const char* pos = llhttp_get_error_pos(m_parser.get());
        *consumed = pos ? pos - data : len;
        return Result::Complete;
    }
    *consumed = len;
    if (m_sinkRejected)
        return Result::Error;
    if (m_errorMessage.isEmpty()) {
        // llhttp's reasons are short English phrases ("Invalid header value char", "Content-Length can't be
        // present with Transfer-Encoding"); they are safe to show: they never contain input bytes.
        const int status = m_kind == Kind::Request ? 400 : 0;
        setError(status, QStringLiteral("malformed HTTP message: %1")
                             .arg(QString::fromUtf8(llhttp_get_error_reason(m_parser.get()))));
    }
    return Result::Error;
}

HttpParser::Result HttpParser::finish() {
    if (!m_inMessage)
        return Result::NeedMore;
    const llhttp_errno_t err = llhttp_finish(m_parser.get());
    if (err == HPE_OK || err == HPE_PAUSED)
        return m_inMessage ? Result::Error : Result::Complete;
    setError(m_kind == Kind::Request ? 400 : 0, QStringLiteral("connection closed in the middle of a message"));
    return Result::Error;
}

bool HttpParser::keepAlive() const {
    return llhttp_should_keep_alive(m_parser.get()) != 0;
}

bool HttpParser::isChunked() const {
    return (m_parser->flags & F_CHUNKED) != 0;
}

bool HttpParser::hasContentLength() const {
    return (m_parser->flags & F_CONTENT_LENGTH) != 0;
}

quint64 HttpParser::contentLength() const {
    return m_parser->content_length;
}

int HttpParser::status() const {
    return m_parser->status_code;
}

int HttpParser::versionMinor() const {
    return m_parser->http_minor;
}

bool HttpParser::addHeaderBytes(size_t len) {
    m_headerBytes += static_cast<qint64>(len);
    if (m_headerBytes > m_limits.maxHeaderBytes) {
        setError(m_kind == Kind::Request ? 431 : 0,
                 QStringLiteral("request headers exceed %1 bytes").arg(m_limits.maxHeaderBytes));
        return false;
    }
    return true;
}

int HttpParser::cbMessageBegin(llhttp_t* p) {
    HttpParser* s = self(p);
    s->m_method.clear();
    s->m_url.clear();
    s->m_field.clear();
    s->m_value.clear();
    s->m_lastWasValue = false;
    s->m_headers.clear();
    s->m_headerBytes = 0;
    s->m_bodyBytes = 0;
    s->m_inMessage = true;
    s->m_headersDone = false;
    s->m_sinkRejected = false;
    s->m_errorStatus = 0;
    s->m_errorMessage.clear();
    return 0;
}

int HttpParser::cbUrl(llhttp_t* p, const char* at, size_t len) {
    HttpParser* s = self(p);
    if (!s->addHeaderBytes(len))
        return -1;
    s->m_url.append(at, static_cast<qsizetype>(len));
    // Known from the request line on: a request that fails before its headers are complete is still logged with it.
    if (s->m_kind == Kind::Request && s->m_method.isEmpty())
        s->m_method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
    return 0;
}

int HttpParser::cbHeaderField(llhttp_t* p, const char* at, size_t len) {
    HttpParser* s = self(p);
    if (!s->addHeaderBytes(len + 4))
        return -1;
    if (s->m_lastWasValue) {
        s->m_headers.add(std::move(s->m_field), std::move(s->m_value));
        s->m_field.clear();
        s->m_value.clear();
        s->m_lastWasValue = false;
        if (s->m_headers.size() >= s->m_limits.maxHeaderCount) {
            s->setError(s->m_kind == Kind::Request ? 431 : 0,
                        QStringLiteral("more than %1 request headers").arg(s->m_limits.maxHeaderCount));
            return -1;
        }
    }
    s->m_field.append(at, static_cast<qsizetype>(len));
    return 0;
}

int HttpParser::cbHeaderValue(llhttp_t* p, const char* at, size_t len) {
    HttpParser* s = self(p);
    if (!s->addHeaderBytes(len))
        return -1;
    s->m_value.append(at, static_cast<qsizetype>(len));
    s->m_lastWasValue = true;
    return 0;
}

int HttpParser::cbHeadersComplete(llhttp_t* p) {
    HttpParser* s = self(p);
    if (s->m_lastWasValue || !s->m_field.isEmpty()) {
        s->m_headers.add(std::move(s->m_field), std::move(s->m_value));
        s->m_field.clear();
        s->m_value.clear();
        s->m_lastWasValue = false;
    }
    if (s->m_kind == Kind::Request) {
        s->m_method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
        if (s->m_limits.maxBodyBytes >= 0 && (p->flags & F_CONTENT_LENGTH) &&
            p->content_length > static_cast<quint64>(s->m_limits.maxBodyBytes)) {
            s->setError(413, QStringLiteral("request body of %1 bytes exceeds the limit of %2 bytes")
                                 .arg(p->content_length)
                                 .arg(s->m_limits.maxBodyBytes));
            return -1;
        }
    }
    s->m_headersDone = true;
    if (!s->m_sink->onHeadersComplete()) {
        s->m_sinkRejected = true;
        return -1;
    }
    return s->m_noBody ? 1 : 0;
}

int HttpParser::cbBody(llhttp_t* p, const char* at, size_t len) {
    HttpParser* s = self(p);
    s->m_bodyBytes += static_cast<qint64>(len);
    if (s->m_kind == Kind::Request && s->m_limits.maxBodyBytes >= 0 && s->m_bodyBytes > s->m_limits.maxBodyBytes) {
        s->setError(413, QStringLiteral("request body exceeds the limit of %1 bytes").arg(s->m_limits.maxBodyBytes));
        return -1;
    }
    s->m_sink->onBody(at, static_cast<qsizetype>(len));
    return 0;
}

int HttpParser::cbMessageComplete(llhttp_t* p) {
    HttpParser* s = self(p);
    s->m_inMessage = false;
    s->m_sink->onMessageComplete();
    // Stop here: the owner handles one message at a time and resumes for the next (pipelining).
    return HPE_PAUSED;
}

} // namespace gemgate
