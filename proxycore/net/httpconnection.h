#pragma once

// One client connection on a worker thread: parses requests with llhttp (keep-alive, pipelining one request at a
// time, chunked and Content-Length bodies, Expect: 100-continue), enforces the limits (431, 413, 408), hands each
// complete request to a ProxySession and writes its response (Content-Length or chunked) with backpressure.
// A plain object, not a QObject: its socket is the Qt context of every connection it makes.

#include "http/httpparser.h"
#include "pipeline/proxysession.h"

class QTcpSocket;

namespace gemgate {

class Worker;

class HttpConnection final : public ClientResponder, private HttpParser::Sink {
public:
    HttpConnection(Worker& worker, QTcpSocket* socket, bool tls);
    ~HttpConnection() override;
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    // Timeouts, called by the worker's sweep timer.
    void sweep(qint64 nowMs);
    // Drain: close now if no request is in progress; otherwise close after the current response.
    void drain();
    // Shutdown: close at once.
    void abort();
    // Connections alive in this process: tests check that a stopped gateway leaves none behind.
    static int liveCount();

    // ClientResponder
    void sendResponse(int status, const HttpHeaders& headers, const QByteArray& body) override;
    void beginResponse(int status, const HttpHeaders& headers, qint64 contentLength) override;
    void writeBody(const char* data, qsizetype len) override;
    void endResponse() override;
    void abortResponse() override;
    bool congested() const override;
    qint64 bytesSent() const override { return m_bytesOut; }

private:
    enum class State { Idle, Reading, Processing, Closing };

    void onReadyRead();
    void processInput();
    void onBytesWritten();
    void onDisconnected();
    void dispatch();
    void failRequest(int status, const QString& message, const QByteArray& kind);
    void writeHead(int status, const HttpHeaders& headers, qint64 contentLength);
    void write(const QByteArray& data);
    void flushNow();
    void responseDone();
    void closeAfterWrite();

    // HttpParser::Sink
    bool onHeadersComplete() override;
    void onBody(const char* data, qsizetype len) override;
    void onMessageComplete() override;

    Worker& m_worker;
    QTcpSocket* m_socket;
    bool m_tls;
    QByteArray m_peer;
    HttpParser m_parser;
    QByteArray m_in;       // received, not yet parsed (pipelined requests wait here)
    HttpRequest m_request; // being parsed
    bool m_requestComplete = false;
    std::unique_ptr<ProxySession> m_session;
    std::unique_ptr<ProxySession> m_finishedSession; // destroyed when the next request starts
    State m_state = State::Idle;
    qint64 m_messageStartMs = 0;
    qint64 m_lastActivityMs = 0;
    qint64 m_bytesOut = 0;
    bool m_keepAlive = true;
    bool m_http10 = false;
    bool m_chunked = false;
    bool m_closeDelimited = false;
    bool m_gone = false;
};

} // namespace gemgate
