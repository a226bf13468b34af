#pragma once

// MainWindow: GemGate's small status window. It shows what the gateway is doing (state, listening URL, config
// file, upstream keys, traffic counters from the once-a-second metrics snapshot), the local client key that goes
// with the URL into an SDK (masked until Show; Copy puts it on the clipboard) or a plain note that authentication
// is off, the admin listener's URL and the admin API token (masked until Show; Copy) or "Off", a Start/Stop button,
// and two tabs: the upstream keys (KeysPanel: per-key state, budget and last error, add / remove / turn on / off /
// test) and a log of the controller's messages. It owns the tray icon; closing the window hides it to the tray when
// the desktop has one, otherwise it quits the application.
//
// Everything goes through GatewayController: the window never reaches into the engine.

#include "control/gatewaycontroller.h"

#include <QMainWindow>
#include <QPointer>

class QCloseEvent;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;

namespace gemgate {

class KeysPanel;
class TrayIcon;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // The log pane keeps this many lines; older ones scroll away.
    static constexpr int MaxLogLines = 1000;

    explicit MainWindow(GatewayController* controller, QWidget* parent = nullptr);
    ~MainWindow() override;

    TrayIcon* trayIcon() const { return m_tray; }
    KeysPanel* keysPanel() const { return m_keysPanel; }

    // Shows a start failure (or any problem the user must fix) in the window itself, above the counters, and in the
    // log. An empty text hides it.
    void showError(const QString& text);
    // Appends one time-stamped line (or block of lines) to the log pane.
    void appendLog(const QString& text);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    QWidget* buildStatusPanel();
    QWidget* buildCountersPanel();
    void toggleGateway();
    void onStateChanged(GatewayState state);
    void onMetrics(const MetricsSnapshot& snapshot);
    void refreshDetails();
    void refreshKeys();
    // The local client key row: masked key and its buttons, or a plain note when there is no key to present.
    void refreshClientKey();
    // The admin API row: the admin listener's URL ("Off" when it is not listening) and its token, masked until Show.
    void refreshAdmin();
    void copyToClipboard(const QString& text, bool secret, QPushButton* button);

    QPointer<GatewayController> m_controller;
    TrayIcon* m_tray = nullptr;
    bool m_toldAboutTray = false;

    QLabel* m_stateIcon = nullptr;
    QLabel* m_stateLabel = nullptr;
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
    QLabel* m_requestsValue = nullptr;
    QLabel* m_errorsValue = nullptr;
    QLabel* m_rateValue = nullptr;
    QLabel* m_connectionsValue = nullptr;
    QLabel* m_streamsValue = nullptr;
    QLabel* m_promptTokensValue = nullptr;
    QLabel* m_outputTokensValue = nullptr;
    QTabWidget* m_tabs = nullptr;
    KeysPanel* m_keysPanel = nullptr;
    QPlainTextEdit* m_logView = nullptr;
};

} // namespace gemgate
