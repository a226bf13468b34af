#pragma once

// TrayIcon: GemGate's notification-area icon and its menu (Start/Stop gateway, Show window, Copy base URL, Copy
// client key, Notifications, Start at login, Quit).
//
// It talks to the engine only through GatewayController. The icon shows the gateway's health (grey stopped, green
// running, amber degraded: some keys cooling down, at a limit or disabled; red down: no key can take a request),
// the tooltip says why; both follow stateChanged and the once-a-second snapshot. It shows what its Notifier
// announces (keys disabled, every key cooling down, client quotas, an unexpected stop, an expiring certificate);
// each kind can be muted from the Notifications submenu. The icon is painted at runtime (gemIcon), so the shell
// needs no image asset; the main window uses the same icon.

#include "control/gatewaycontroller.h"

#include <QIcon>
#include <QObject>
#include <QPointer>
#include <QSystemTrayIcon>

#include <memory>

class QAction;
class QMenu;
class QWidget;

namespace gemgate {

class Notifier;

class TrayIcon : public QObject {
    Q_OBJECT
public:
    // window: shown by "Show window" and toggled by a click on the icon; may be null.
    TrayIcon(GatewayController* controller, QWidget* window, QObject* parent = nullptr);
    ~TrayIcon() override;

    // Shows the icon if the desktop has a notification area. Returns whether it is now visible.
    bool showIfAvailable();
    bool isVisible() const;
    // Shows a balloon message when the icon is visible; does nothing otherwise.
    void notify(const QString& title, const QString& text,
                QSystemTrayIcon::MessageIcon icon = QSystemTrayIcon::Information);

    QMenu* menu() const { return m_menu.get(); }
    QAction* startStopAction() const { return m_startStopAction; }
    QAction* showAction() const { return m_showAction; }
    QAction* quitAction() const { return m_quitAction; }
    QAction* copyUrlAction() const { return m_copyUrlAction; }
    QAction* copyKeyAction() const { return m_copyKeyAction; }
    QMenu* notificationsMenu() const { return m_notificationsMenu; }
    QAction* autostartAction() const { return m_autostartAction; }
    QSystemTrayIcon* systemTrayIcon() const { return m_tray; }
    Notifier* notifier() const { return m_notifier; }
    GatewayHealth health() const { return m_report.health; }
    // The last health read (at the last state change or snapshot).
    const HealthReport& healthReport() const { return m_report; }

    // A gem drawn with QPainter at the usual icon sizes: green while running, amber while draining, grey when
    // stopped.
    static QIcon gemIcon(GatewayState state);
    // The same by health: green running, amber degraded, red down, grey stopped.
    static QIcon gemIcon(GatewayHealth health);
    // One line on the keys' health: "2 keys cooling down, 1 disabled by Gemini" ("" when all are fine).
    static QString healthText(const HealthReport& report);

    // What the Start/Stop controls do, shared by the tray action and the window's button: stop when running,
    // start from the controller's config file when stopped, nothing while draining (the drain ends by itself within
    // server.drain_timeout_ms). Returns false and sets *error when starting failed. A stop is not announced as
    // unexpected.
    bool toggleGateway(QString* error);

Q_SIGNALS:
    // The Start action failed; the window shows the text (a modal dialog would block the tray and tests).
    void startFailed(const QString& error);

private:
    void onStateChanged(GatewayState state);
    void onMetrics(const MetricsSnapshot& snapshot);
    void onActivated(QSystemTrayIcon::ActivationReason reason);
    void toggle();
    void showWindow();
    void updateToolTip();
    void updateHealth(const QList<KeyStatus>& statuses);

    QPointer<GatewayController> m_controller;
    QPointer<QWidget> m_window;
    QSystemTrayIcon* m_tray = nullptr;
    // A QMenu needs a QWidget parent or none; the tray icon does not take ownership of its context menu.
    std::unique_ptr<QMenu> m_menu;
    QAction* m_startStopAction = nullptr;
    QAction* m_showAction = nullptr;
    QAction* m_quitAction = nullptr;
    QAction* m_copyUrlAction = nullptr;
    QAction* m_copyKeyAction = nullptr;
    QMenu* m_notificationsMenu = nullptr;
    QAction* m_autostartAction = nullptr;
    Notifier* m_notifier = nullptr;
    HealthReport m_report;
    bool m_iconSet = false;
    qint64 m_requests = 0;
};

} // namespace gemgate
