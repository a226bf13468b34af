#pragma once

// AddKeyDialog: asks for a new upstream key (id, label, the API key itself, where to store it, weight, project)
// and hands it back as a NewKey. The API key is typed into a password field and never shown; the dialog clears
// that field whenever it closes (accepted or not), after its accepted() / finished() signals were delivered, so
// read newKey() from a slot connected to accepted().

#include "control/keymanager.h"

#include <QDialog>
#include <QStringList>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace gemgate {

class AddKeyDialog : public QDialog {
    Q_OBJECT
public:
    explicit AddKeyDialog(QWidget* parent = nullptr);
    ~AddKeyDialog() override;

    // Ids already in use: OK stays disabled while the id field holds one of them. The first free "keyN" becomes
    // the suggested id when the id field is still empty.
    void setExistingIds(const QStringList& ids);
    // What the user entered (id, label and project trimmed; the secret as UTF-8, trimmed).
    NewKey newKey() const;
    // Empties the API key field, including its undo history.
    void clearSecret();

    void done(int result) override;

private:
    void updateOkButton();
    void updateStoreHint();

    QStringList m_existingIds;
    QLineEdit* m_idEdit = nullptr;
    QLineEdit* m_labelEdit = nullptr;
    QLineEdit* m_secretEdit = nullptr;
    QComboBox* m_storeCombo = nullptr;
    QLabel* m_storeHint = nullptr;
    QSpinBox* m_weightSpin = nullptr;
    QLineEdit* m_projectEdit = nullptr;
    QLabel* m_problemLabel = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
};

} // namespace gemgate
