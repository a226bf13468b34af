#pragma once

// KeyNoteDialog: the operator's note and tags for one upstream key ("billing on", "team-b"), kept in GemGate's
// state database, shown on the Keys page.

#include <QDialog>

class QLineEdit;

namespace gemgate {

class KeyNoteDialog : public QDialog {
    Q_OBJECT
public:
    KeyNoteDialog(const QString& keyId, const QString& note, const QStringList& tags, QWidget* parent = nullptr);
    QString note() const;
    QStringList tags() const; // split at commas, trimmed, empty ones dropped

private:
    QLineEdit* m_note = nullptr;
    QLineEdit* m_tags = nullptr;
};

} // namespace gemgate
