#pragma once

// A test HTTP/1.1 client on one raw socket (plain or TLS). Unlike QNetworkAccessManager it has no connection
// cap, sends exactly the bytes a test gives it (malformed requests included), and records when each piece of
// the response body arrived, so tests can prove that a stream is relayed incrementally.

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSslConfiguration>

#include <memory>

class QTcpSocket;
struct llhttp__internal_s;
struct llhttp_settings_s;

namespace gemgate::test {

struct RawResponse {
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;                              // de-chunked
    QList<QPair<qint64, QByteArray>> pieces;      // (ms since the request was sent, body bytes) as they arrived
    qint64 firstByteMs = -1;
    bool complete = false;    // the message ended cleanly (terminating chunk / full Content-Length)
    bool closed = false;      // the server closed the connection
    bool sawContinue = false; // an interim "100 Continue" arrived first
    QByteArray header(const QByteArray& lowerName) const;
};

class RawHttpClient : public QObject {
    Q_OBJECT
public:
    explicit RawHttpClient(QObject* parent = nullptr);
    ~RawHttpClient() override;

    // Connects (and for TLS completes the handshake) within timeoutMs.
    bool connectTo(quint16 port, int timeoutMs = 5000);
    bool connectTls(quint16 port, const QSslConfiguration& conf, const QString& peerName, int timeoutMs = 5000);

    // Sends raw bytes and starts expecting a response.
    void sendRaw(const QByteArray& bytes);
    // Builds a request: method, target, headers (name: value lines), body; adds Host and Content-Length.
    void send(const QByteArray& method, const QByteArray& target,
              const QList<QPair<QByteArray, QByteArray>>& headers = {}, const QByteArray& body = {});
    // Spins the event loop until the current response is complete or the connection closed or timeoutMs passed.
    bool waitForResponse(int timeoutMs = 10'000);
    // Spins until at least `bytes` body bytes arrived.
    bool waitForBodyBytes(qint64 bytes, int timeoutMs = 10'000);

    const RawResponse& response() const { return m_response; }
    // Responses completed on this connection so far (keep-alive).
    int completedResponses() const { return m_completed; }
    bool isConnected() const;
    void close(); // closes the socket at once (client abort)
    void setHeadRequest(bool head) { m_head = head; }
    QTcpSocket* socket() const { return m_socket; }

Q_SIGNALS:
    void responseDone();

private:
    void onReadyRead();
    void onClosed();
    static int cbStatus(llhttp__internal_s*, const char*, size_t);
    static int cbField(llhttp__internal_s*, const char*, size_t);
    static int cbValue(llhttp__internal_s*, const char*, size_t);
    static int cbHeadersComplete(llhttp__internal_s*);
    static int cbBody(llhttp__internal_s*, const char*, size_t);
    static int cbComplete(llhttp__internal_s*);

    QTcpSocket* m_socket = nullptr;
    std::unique_ptr<llhttp__internal_s> m_parser;
    std::unique_ptr<llhttp_settings_s> m_settings;
    RawResponse m_response;
    QElapsedTimer m_sentAt;
    QByteArray m_field;
    QByteArray m_value;
    bool m_inValue = false;
    bool m_head = false;
    bool m_parseError = false;
    int m_completed = 0;
};

} // namespace gemgate::test
