#pragma once

// AcmeManager: runs server.tls.acme for a running gateway, on the controller's thread. It keeps the http-01
// responder on http_port (which also redirects plain HTTP to HTTPS), decides when to order (no stored certificate
// for the names, or renewal due: renew_before_days before expiry, with up to a minute of jitter), runs the order
// in the background (the listener serves the self-signed certificate meanwhile), stores the result 0600 and asks
// for a reload, which swaps it in for new handshakes (connections in flight keep theirs). A failed order is
// retried with backoff (1 minute, doubling to an hour) and its error kept for status. Time comes from a Clock.

#include "config/config.h"

#include <QObject>
#include <QPointer>

#include <memory>

class QTimer;

namespace gemgate {

class AcmeClient;
class AcmeHttpResponder;
class Clock;

struct AcmeStatus {
    bool enabled = false;
    QStringList domains;
    qint64 notAfterMs = 0;    // the stored certificate's expiry; 0 when there is none
    qint64 nextAttemptMs = 0; // when the next order (or renewal) starts; 0 when none is planned
    bool ordering = false;    // an order is running now
    QString lastError;        // the last order's failure ("" after a success)
    qint64 renewals = 0;      // certificates obtained by this process
    qint64 failures = 0;      // orders that failed
};

class AcmeManager : public QObject {
    Q_OBJECT
public:
    explicit AcmeManager(QObject* parent = nullptr);
    ~AcmeManager() override;

    void setClock(std::shared_ptr<const Clock> clock);
    // Follows the config in force (start, reload): starts or moves the responder, plans the next order. httpsPort:
    // where redirects point.
    void apply(const ConfigPtr& config, quint16 httpsPort);
    void stop();
    AcmeStatus status() const;
    quint16 httpPort() const;

Q_SIGNALS:
    // A new certificate is stored: reload so that new handshakes get it.
    void certificateStored();
    void message(const QString& text);

private:
    void plan();
    void order();

    std::shared_ptr<const Clock> m_clock;
    ConfigPtr m_config;
    AcmeHttpResponder* m_http = nullptr;
    AcmeClient* m_client = nullptr;
    QTimer* m_timer = nullptr;
    QString m_httpBinding; // host:port the responder listens on
    AcmeStatus m_status;
    int m_backoffMs = 60'000;
    bool m_backingOff = false;
    qint64 m_earliestMs = 0; // no automatic order before this (set after a success; cleared by new settings) // the
                             // last order failed: the next waits for nextAttemptMs
};

} // namespace gemgate
