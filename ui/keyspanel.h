#pragma once

// KeysPanel: the upstream keys as the running gateway sees them (GatewayController::keyStatuses()): state, the
// tightest remaining budget, today's use, requests in flight and the last error, one row per key. Buttons add a
// key (AddKeyDialog; the secret goes to the chosen store), remove one added here, turn keys off and on, and test a
// key against Gemini. Results and errors of these actions show in the status line under the table.
//
// The table refreshes on keysChanged / stateChanged and with the once-a-second metrics (only while the panel is
// visible); rows are updated in place and the selection follows the key id. No secret is ever shown.

#include "control/gatewaycontroller.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableWidget;

namespace gemgate {

struct NewKey;

class KeysPanel : public QWidget {
    Q_OBJECT
public:
    enum Column {
        KeyColumn,
        ProjectColumn,
        StateColumn,
        BudgetColumn,
        TodayColumn,
        ActivityColumn, // requests and errors per hour, last 24 h (a sparkline)
        InFlightColumn,
        NoteColumn, // the window's note and tags
        LastErrorColumn,
        ColumnCount
    };
    // Item data: the key id on every cell, keyHealthLabel() on the State cell.
    static constexpr int KeyIdRole = Qt::UserRole;
    static constexpr int HealthNameRole = Qt::UserRole + 1;

    explicit KeysPanel(GatewayController* controller, QWidget* parent = nullptr);
    ~KeysPanel() override;

    // Re-reads the key statuses and updates the table and the buttons.
    void refresh();
    // The selected row's key id, or empty.
    QString selectedKeyId() const;
    // Selects the row of `id` (clears the selection when there is none).
    void selectKey(const QString& id);
    // Adds a key as the Add dialog does; the outcome shows in the status line.
    void addKey(const NewKey& key);
    QString statusText() const;

    // Readable texts for the table (exposed for tests).
    static QString healthText(KeyHealth health);
    // "gemini-2.5-flash: 7/10 rpm, 120/250 rpd" for the budget with the least headroom, "unlimited" when no model
    // has a limit; nowMs decides whether a model cooldown is still running.
    static QString budgetText(const KeyStatus& status, qint64 nowMs, bool limitsConfigured);

Q_SIGNALS:
    // An action finished (add, remove, enable, disable, test); message is what the status line shows.
    void actionFinished(bool ok, const QString& message);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void onMetrics();
    void onSelectionChanged();
    void updateButtons();
    void openAddDialog();
    void removeSelected();
    void setSelectedEnabled(bool enabled);
    void testSelected();
    void editNoteOfSelected();
    void showResult(bool ok, const QString& message);
    void showProgress(const QString& message);
    void fillRow(int row, const KeyStatus& status, qint64 nowMs, bool limitsConfigured);
    const KeyStatus* selectedStatus() const;

    QPointer<GatewayController> m_controller;
    QList<KeyStatus> m_statuses; // what the table shows, in row order
    QTableWidget* m_table = nullptr;
    QPushButton* m_addButton = nullptr;
    QPushButton* m_bulkButton = nullptr;
    QPushButton* m_noteButton = nullptr;
    QHash<QString, KeyActivity> m_activity; // refreshed with the table (the controller caches the reads)
    QPushButton* m_removeButton = nullptr;
    QPushButton* m_enableButton = nullptr;
    QPushButton* m_disableButton = nullptr;
    QPushButton* m_testButton = nullptr;
    QLabel* m_statusLabel = nullptr;
    QStringList m_busy; // ids with an add / remove / test under way
    bool m_refreshing = false;
};

} // namespace gemgate
