#pragma once

// ClientsPage: the client keys GemGate issued (`gemgate clients`), each with its namespace, state, key prefix and
// its use today and this month against its quotas (the limits that apply: its own over limits.clients /
// limits.client_default). Buttons issue a key (shown once, with Copy), edit the namespace, limits and IP rules,
// turn a client off and on, rotate its key (the old one stops working at once) and remove it. Everything goes
// through GatewayController; results show in the status line under the table.

#include "control/gatewaycontroller.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableWidget;

namespace gemgate {

class ClientDialog;

class ClientsPage : public QWidget {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        NamespaceColumn,
        StateColumn,
        KeyColumn,
        RequestsTodayColumn,
        TokensTodayColumn,
        RequestsMonthColumn,
        TokensMonthColumn,
        ExpiresColumn,
        ColumnCount
    };
    static constexpr int ClientIdRole = Qt::UserRole;

    explicit ClientsPage(GatewayController* controller, QWidget* parent = nullptr);

    QTableWidget* table() const { return m_table; }
    void refresh();
    QString selectedClientId() const;
    void selectClient(const QString& id);
    QString statusText() const;
    // "12 / 100" (used / quota), "12" without a quota.
    static QString usedOf(qint64 used, qint64 quota);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void issue();
    void edit();
    void toggleEnabled();
    void rotate();
    void remove();
    void updateButtons();
    void showResult(bool ok, const QString& text);
    // Opens `question`; runs `action` when the user says yes.
    void confirm(const QString& objectName, const QString& title, const QString& question,
                 std::function<void()> action);

    QPointer<GatewayController> m_controller;
    QList<ClientUsage> m_rows;
    QTableWidget* m_table = nullptr;
    QPushButton* m_issueButton = nullptr;
    QPushButton* m_editButton = nullptr;
    QPushButton* m_toggleButton = nullptr;
    QPushButton* m_rotateButton = nullptr;
    QPushButton* m_removeButton = nullptr;
    QLabel* m_status = nullptr;
    int m_snapshots = 0;
};

} // namespace gemgate
