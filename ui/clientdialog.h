#pragma once

// ClientDialog: issue a client key, or edit an issued client's namespace, limits and IP rules (the fields of
// `gemgate clients add` / `gemgate clients set`). Empty limit fields are not set on the client (limits.clients /
// limits.client_default decide them). IssuedKeyDialog: the new key, shown this once, with Copy.

#include "control/gatewaycontroller.h"

#include <QDialog>
#include <QHash>

class QLabel;
class QLineEdit;
class QSpinBox;

namespace gemgate {

class ClientDialog : public QDialog {
    Q_OBJECT
public:
    // Issue a new client (editing = null) or edit `editing`.
    explicit ClientDialog(const ClientRecord* editing, QWidget* parent = nullptr);

    // What the form says; false with *error naming the field when a value is not a number.
    bool newClient(NewClient* out, QString* error) const;
    bool limits(LimitSet* out, QString* error) const;
    QString nameSpace() const;
    QStringList ipAllow() const;
    QStringList ipDeny() const;
    // Shows a problem under the form (the dialog stays open).
    void showError(const QString& text);

    static QStringList splitList(const QString& text);

private:
    QLineEdit* m_name = nullptr;
    QLineEdit* m_owner = nullptr;
    QLineEdit* m_namespace = nullptr;
    QSpinBox* m_expiresDays = nullptr;
    QLineEdit* m_models = nullptr;
    QLineEdit* m_ipAllow = nullptr;
    QLineEdit* m_ipDeny = nullptr;
    QHash<QString, QLineEdit*> m_limits; // by YAML name
    QLabel* m_error = nullptr;
};

class IssuedKeyDialog : public QDialog {
    Q_OBJECT
public:
    IssuedKeyDialog(const QString& clientName, const QByteArray& key, QWidget* parent = nullptr);
};

} // namespace gemgate
