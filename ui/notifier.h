#pragma once

// Notifier: decides what the desktop is told about, from the controller's once-a-second snapshot and its state
// changes: a key disabled by Gemini, every key cooling down, a client at 80% and at 100% of a quota, the gateway
// stopping without being asked to, a certificate about to expire. Events of one kind that come within a short
// gathering time become one notification ("3 keys disabled: ..."), and the same subject (a key, a client's quota, a
// certificate) is not announced again within a quiet period, so a storm does not flood the desktop. Each kind can
// be muted (QSettings "notifications/<kind>"). The tray icon shows what this emits.

#include "control/gatewaycontroller.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>

#include <functional>

class QTimer;

namespace gemgate {

class Notifier : public QObject {
    Q_OBJECT
public:
    enum class Kind { KeyDisabled, AllKeysCooling, ClientQuota, GatewayStopped, CertificateExpiring };
    static constexpr int kKindCount = 5;
    static constexpr qint64 kQuietMs = 10 * 60'000;           // the same subject again, not before this
    static constexpr qint64 kCertificateQuietMs = 86'400'000; // a certificate's warning: once a day
    static constexpr qint64 kCertificateWarnMs = 14LL * 86'400'000;

    explicit Notifier(GatewayController* controller, QObject* parent = nullptr);
    ~Notifier() override;

    // Mutes or unmutes a kind (kept in the settings).
    static bool isEnabled(Kind kind);
    static void setEnabled(Kind kind, bool enabled);
    static QString settingsKey(Kind kind);
    // What the tray menu calls the kind.
    static QString kindTitle(Kind kind);

    // Tells that the user asked the gateway to stop: the stop that follows is not announced.
    void noteUserStop();
    // Tests: the clock (ms since the epoch) and the gathering time (0: at the next turn of the event loop).
    void setClock(std::function<qint64()> now) { m_now = std::move(now); }
    void setGatherMs(int ms);
    // Looks at the keys, quotas and certificates now; the tray does it with each snapshot, with the key statuses it
    // has just read.
    void check();
    void check(const QList<KeyStatus>& statuses);

Q_SIGNALS:
    void notify(gemgate::Notifier::Kind kind, const QString& title, const QString& text);

private:
    void onStateChanged(GatewayState state);
    // Queues one line about `subject` for a notification of `kind`, unless the subject was announced within
    // `quietMs` or the kind is muted.
    void raise(Kind kind, const QString& subject, const QString& line, qint64 quietMs = kQuietMs);
    void flush(Kind kind);

    QPointer<GatewayController> m_controller;
    std::function<qint64()> m_now;
    int m_gatherMs = 5000;
    qint64 m_userStopAtMs = 0;
    qint64 m_certificatesCheckedMs = 0;
    qint64 m_acmeFailuresSeen = 0;
    QString m_lastMessage; // the controller's last message, told with an unexpected stop
    GatewayState m_state = GatewayState::Stopped;
    QHash<QString, qint64> m_announced; // kind/subject -> when
    QStringList m_pending[kKindCount];
    QTimer* m_timers[kKindCount] = {};
    QSet<QString> m_disabledKeys;
    bool m_allCooling = false;
    QHash<QString, int> m_quotaLevel; // scope/limit -> 0, 80 or 100
};

} // namespace gemgate

Q_DECLARE_METATYPE(gemgate::Notifier::Kind)
