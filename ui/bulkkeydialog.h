#pragma once

// BulkKeyDialog: many upstream keys at once. Paste any text (a spreadsheet, a chat log, a .env file); the dialog
// finds every key in it (AIza… and AQ.…), drops repeats and the keys the pool already has, checks the rest against
// Gemini a few at a time and shows each result by cause (valid; invalid; suspended; rate-limited per minute or
// per day; network error). "Add selected" puts the chosen ones in the store picked (the keychain by default) under
// new ids, with one reload of the gateway. Keys are shown masked; the text field is wiped when the dialog closes.

#include "control/gatewaycontroller.h"

#include <QDialog>
#include <QPointer>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTimer;

namespace gemgate {

class BulkKeyDialog : public QDialog {
    Q_OBJECT
public:
    enum Column { KeyColumn, ResultColumn, DetailColumn, ColumnCount };

    BulkKeyDialog(GatewayController* controller, QWidget* parent = nullptr);
    ~BulkKeyDialog() override;

    QPlainTextEdit* textEdit() const { return m_text; }
    QTableWidget* table() const { return m_table; }
    QPushButton* checkButton() const { return m_check; }
    QPushButton* addButton() const { return m_add; }
    QString summaryText() const;
    // Finds the keys in the text now (typing does it after a short pause).
    void scan();
    // True while checks are running.
    bool isChecking() const { return m_pending > 0; }
    // The probe result of the row, Pending until checked.
    KeyProbeResult result(int row) const { return m_probes.value(row).result; }
    static QString resultText(KeyProbeResult result);

Q_SIGNALS:
    // Every check has answered.
    void checksFinished();
    // Keys were added (the dialog stays open to show what could not be).
    void keysAdded(const QStringList& ids, const QStringList& errors);

protected:
    void done(int result) override;

private:
    void checkAll();
    void addSelected();
    void setProbe(int row, const KeyProbe& probe);
    void updateButtons();
    void updateSummary();
    QStringList existingIds() const;

    QPointer<GatewayController> m_controller;
    QPlainTextEdit* m_text = nullptr;
    QTableWidget* m_table = nullptr;
    QLabel* m_summary = nullptr;
    QComboBox* m_store = nullptr;
    QLineEdit* m_prefix = nullptr;
    QPushButton* m_check = nullptr;
    QPushButton* m_add = nullptr;
    QTimer* m_scanTimer = nullptr;
    QList<KeyCandidate> m_keys; // the rows (new keys only)
    QList<KeyProbe> m_probes;   // per row
    int m_duplicates = 0;
    int m_inPool = 0;
    int m_pending = 0;
    QObject* m_checks = nullptr; // parent of the running checks: deleting it cancels them
};

} // namespace gemgate
