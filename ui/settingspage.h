#pragma once

// SettingsPage: the common settings as a form (SettingsForm; its Apply edits the file's text in place), the
// config in force as YAML (secrets shown as placeholders that Apply puts back), validated as you
// type with the same validator and messages as `gemgate --check-config`; Apply swaps it in through the controller
// (hot reload: the file is written atomically, a new listen address moves the listener) and records a version;
// the History tab lists the versions with a diff against the text in force and rolls back to one. The Window tab
// holds the window's own preferences: language, notifications, start at login.

#include "control/gatewaycontroller.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableWidget;
class QTimer;

namespace gemgate {

class SettingsForm;

class SettingsPage : public QWidget {
    Q_OBJECT
public:
    explicit SettingsPage(GatewayController* controller, QWidget* parent = nullptr);

    QPlainTextEdit* editor() const { return m_editor; }
    QListWidget* problems() const { return m_problems; }
    QPushButton* applyButton() const { return m_apply; }
    QTableWidget* history() const { return m_history; }
    QPlainTextEdit* diff() const { return m_diff; }
    QString statusText() const;
    // Loads the text in force into the editor (discarding edits) and the history.
    void reload();
    // Validates the editor's text now (typing does it after a short pause).
    void validate();
    // Applies the editor's text; false when it was refused (the reasons show under the editor).
    bool apply();
    // Writes the form's changed fields into the config text in place and applies it as apply() does; false when
    // nothing changed or it was refused (the reasons show in the status line and on the Config file tab).
    bool applyForm();
    SettingsForm* form() const { return m_form; }
    // Rolls back to the history's selected version (without asking; the button asks first).
    bool rollbackToSelected();

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* buildFormTab();
    QWidget* buildEditorTab();
    QWidget* buildHistoryTab();
    QWidget* buildWindowTab();
    void showResult(bool ok, const QString& text);
    void showDiff();
    void updateApply();
    void updateTlsStatus();

    QPointer<GatewayController> m_controller;
    QTabWidget* m_tabs = nullptr;
    SettingsForm* m_form = nullptr;
    QPushButton* m_formApply = nullptr;
    QPushButton* m_formRevert = nullptr;
    QPlainTextEdit* m_editor = nullptr;
    QListWidget* m_problems = nullptr;
    QPushButton* m_apply = nullptr;
    QPushButton* m_revert = nullptr;
    QLabel* m_status = nullptr;
    QTimer* m_validateTimer = nullptr;
    QTableWidget* m_history = nullptr;
    QPlainTextEdit* m_diff = nullptr;
    QPushButton* m_rollback = nullptr;
    QComboBox* m_language = nullptr;
    QByteArray m_loaded; // the text in force as loaded (redacted)
    int m_version = 0;
    bool m_valid = true;
};

} // namespace gemgate
