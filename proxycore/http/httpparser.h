#pragma once

// Incremental HTTP/1.1 message parser on llhttp, shared by the server side (requests from clients) and the
// upstream client (responses from Gemini). It never buffers a body: body bytes go to the Sink as they are
// parsed, so a streamed response is relayed piece by piece.

#include "http/httpmessage.h"

#include <memory>

struct llhttp__internal_s;
struct llhttp_settings_s;

namespace gemgate {

class HttpParser {
public:
    enum class Kind { Request, Response };

    struct Limits {
        int maxHeaderBytes = 64 * 1024; // request/status line + all header lines
        int maxHeaderCount = 100;
        qint64 maxBodyBytes = -1; // -1 => unlimited
    };

    // Receives the parts of each message. Contract: called synchronously from feed(); a Sink may not delete
    // the parser from inside a callback.
    class Sink {
    public:
        virtual ~Sink() = default;
        // Headers are complete (see method()/target()/status()/headers()). Return false to stop with an error
        // already decided by the sink (feed() then returns Error with errorStatus() 0).
        virtual bool onHeadersComplete() = 0;
        virtual void onBody(const char* data, qsizetype len) = 0;
        virtual void onMessageComplete() = 0;
    };

    enum class Result {
        NeedMore, // all input consumed, message not complete yet
        Complete, // one message complete; parsing paused; *consumed tells how much input was used
        Error,    // see errorStatus() / errorMessage()
    };

    HttpParser(Kind kind, Sink* sink, const Limits& limits);
    ~HttpParser();
    HttpParser(const HttpParser&) = delete;
    HttpParser& operator=(const HttpParser&) = delete;

    Result feed(const char* data, qsizetype len, qsizetype* consumed);
    // End of input (peer closed). Completes a response that is delimited by EOF; Error if a message was cut.
    Result finish();
    // Prepares for the next message on the same connection (after Complete).
    void reset();
    // For responses to HEAD (no body even with a Content-Length).
    void setExpectNoBody(bool v) { m_noBody = v; }

    bool inMessage() const { return m_inMessage; }
    bool headersDone() const { return m_headersDone; }
    bool keepAlive() const;
    bool isChunked() const;
    bool hasContentLength() const;
    quint64 contentLength() const;

    const QByteArray& method() const { return m_method; }
    const QByteArray& target() const { return m_url; }
    int status() const;
    int versionMinor() const;
    HttpHeaders& headers() { return m_headers; }

    // HTTP status the server should answer with for a request parse error (400, 413, 431); 0 for responses.
    int errorStatus() const { return m_errorStatus; }
    const QString& errorMessage() const { return m_errorMessage; }

private:
    static int cbMessageBegin(llhttp__internal_s* p);
    static int cbUrl(llhttp__internal_s* p, const char* at, size_t len);
    static int cbHeaderField(llhttp__internal_s* p, const char* at, size_t len);
    static int cbHeaderValue(llhttp__internal_s* p, const char* at, size_t len);
    static int cbHeadersComplete(llhttp__internal_s* p);
    static int cbBody(llhttp__internal_s* p, const char* at, size_t len);
    static int cbMessageComplete(llhttp__internal_s* p);
    bool addHeaderBytes(size_t len);
    void setError(int status, QString message);

    Kind m_kind;
    Sink* m_sink;
    Limits m_limits;
    std::unique_ptr<llhttp__internal_s> m_parser;
    std::unique_ptr<llhttp_settings_s> m_settings;
    QByteArray m_method;
    QByteArray m_url;
    QByteArray m_field;
    QByteArray m_value;
    bool m_lastWasValue = false;
    HttpHeaders m_headers;
    qint64 m_headerBytes = 0;
    qint64 m_bodyBytes = 0;
    bool m_inMessage = false;
    bool m_headersDone = false;
    bool m_noBody = false;
    bool m_sinkRejected = false;
    int m_errorStatus = 0;
    QString m_errorMessage;
};

} // namespace gemgate
