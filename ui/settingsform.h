#pragma once

// SettingsForm: the common settings as form fields (listener, TLS, authentication, key scheduling, limits, the
// OpenAI aliases, logging), filled from the config in force. It changes nothing by itself: edits() turns the fields
// the user changed into in-place edits of the config text (GatewayController::editConfigText), which the Settings
// page validates and applies like a hand edit, so comments and every other line of the file stay as written.

#include "control/gatewaycontroller.h"

#include <QWidget>

#include <functional>

class QLabel;
class QLineEdit;
class QTableWidget;

namespace gemgate {

class SettingsForm : public QWidget {
    Q_OBJECT
public:
    explicit SettingsForm(QWidget* parent = nullptr);

    // Fills every field from the config and remembers the values (what edits() compares with).
    void load(const Config& config);
    // One edit per field whose value differs from the loaded one, in the form's order.
    QList<YamlEdit> edits() const;
    bool hasChanges() const { return !edits().isEmpty(); }
    QTableWidget* aliasTable() const { return m_aliases; }
    // The HTTPS group's line about the certificate served now and ACME.
    void setTlsStatus(const QString& text);
    QString tlsStatus() const;

Q_SIGNALS:
    // A field was changed by the user (or by load()).
    void changed();

private:
    struct Field {
        QStringList path;
        std::function<QString()> value;                   // the field's value in a comparable form
        std::function<YamlEdit(const QStringList&)> edit; // the edit that writes the field
        QString loaded;
    };
    QWidget* buildListenerGroup();
    QWidget* buildTlsGroup();
    QWidget* buildAuthGroup();
    QWidget* buildKeysGroup();
    QWidget* buildLimitsGroup();
    QWidget* buildOpenAiGroup();
    QWidget* buildLogGroup();
    void addField(const char* path, std::function<QString()> value, std::function<YamlEdit(const QStringList&)> edit);
    QWidget* browseRow(QLineEdit* edit, bool directoryOk);

    QList<Field> m_fields;
    QList<std::function<void(const Config&)>> m_loaders;
    QTableWidget* m_aliases = nullptr;
    QLabel* m_tlsStatus = nullptr;
};

} // namespace gemgate
