#pragma once

// MainWindow: GemGate's window. A header with the gateway's state and a Start/Stop button, a list of pages on the
// left and the page itself:
// - Dashboard (DashboardPage): running totals, live charts of the last 5 / 15 / 60 minutes and the quota left today;
// - Keys (KeysPanel): per-key state, budget and last error, add / remove / turn on / off / test;
// - Clients (ClientsPage): issued client keys with their use against their quotas; issue, edit, turn off / on,
//   rotate, remove;
// - Usage (UsagePage): usage per day or hour by client, namespace, key or model, as a chart and a table; CSV;
// - Logs (LogsPage): the request log with filters, paging, details, error groups and a live tail;
// - Settings (SettingsPage): the config as YAML validated as you type, Apply (hot reload), history with diff and
//   rollback, the window's language, notifications and start at login;
// - Connect: the listening URL, the local client key that goes with it into an SDK (masked until Show; Copy puts it
//   on the clipboard) or a plain note that authentication is off, the admin listener's URL and token, the config
//   file and the keys' summary;
// - Messages: the controller's messages.
// It owns the tray icon; closing the window hides it to the tray when the desktop has one, otherwise it quits the
// application.
//
// Everything goes through GatewayController: the window never reaches into the engine.

#include "control/gatewaycontroller.h"

#include <QMainWindow>
#include <QPointer>

class QCloseEvent;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;

namespace gemgate {

class DashboardPage;
class KeysPanel;
class TrayIcon;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // The log pane keeps this many lines; older ones scroll away.
    static constexpr int MaxLogLines = 1000;

    // The pages, in the order of the list on the left.
    enum class Page { Dashboard, Keys, Clients, Usage, Logs, Settings, Connect, Messages };

    explicit MainWindow(GatewayController* controller, QWidget* parent = nullptr);
    ~MainWindow() override;

    TrayIcon* trayIcon() const { return m_tray; }
    KeysPanel* keysPanel() const { return m_keysPanel; }
    DashboardPage* dashboard() const { return m_dashboard; }
    QWidget* page(Page page) const;
    Page currentPage() const;
    void showPage(Page page);
    // Shows, un-minimizes and raises the window (a second launch of GemGate asks for this).
    void bringToFront();

    // Shows a start failure (or any problem the user must fix) in the window itself, above the counters, and in the
    // log. An empty text hides it.
    void showError(const QString& text);
    // Appends one time-stamped line (or block of lines) to the log pane.
    void appendLog(const QString& text);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    QWidget* buildHeader();
    QWidget* buildConnectPage();
    void addPage(Page page, QWidget* widget, const QString& title, const QString& toolTip);
    void toggleGateway();
    void onStateChanged(GatewayState state);
    void onMetrics(const MetricsSnapshot& snapshot);
    void refreshDetails();
    void refreshKeys();
    // The gem and the line beside the state: amber with keys cooling down or disabled, red when none can serve.
    void refreshHealth();
    // The local client key row: masked key and its buttons, or a plain note when there is no key to present.
    void refreshClientKey();
    // The admin API row: the admin listener's URL ("Off" when it is not listening) and its token, masked until Show.
    void refreshAdmin();

    QPointer<GatewayController> m_controller;
    TrayIcon* m_tray = nullptr;
    bool m_toldAboutTray = false;

    QLabel* m_stateIcon = nullptr;
    QLabel* m_stateLabel = nullptr;
    QLabel* m_healthLabel = nullptr;
    GatewayHealth m_shownHealth = GatewayHealth::Stopped;
    QPushButton* m_startStopButton = nullptr;
    QLabel* m_listenUrlLabel = nullptr;
    QPushButton* m_copyUrlButton = nullptr;
    QLabel* m_clientKeyLabel = nullptr;
    QPushButton* m_showKeyButton = nullptr;
    QPushButton* m_copyKeyButton = nullptr;
    QLabel* m_adminUrlLabel = nullptr;
    QLabel* m_adminTokenLabel = nullptr;
    QPushButton* m_showAdminTokenButton = nullptr;
    QPushButton* m_copyAdminTokenButton = nullptr;
    QLabel* m_configPathLabel = nullptr;
    QLabel* m_keysLabel = nullptr;
    QLabel* m_errorLabel = nullptr;
    QListWidget* m_pageList = nullptr;
    QStackedWidget* m_pages = nullptr;
    DashboardPage* m_dashboard = nullptr;
    KeysPanel* m_keysPanel = nullptr;
    QPlainTextEdit* m_logView = nullptr;
};

} // namespace gemgate
