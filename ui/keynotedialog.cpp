#include "keynotedialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace gemgate {

KeyNoteDialog::KeyNoteDialog(const QString& keyId, const QString& note, const QStringList& tags, QWidget* parent)
    : QDialog(parent) {
    setObjectName(QStringLiteral("keyNoteDialog"));
    setWindowTitle(tr("Note for key %1").arg(keyId));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    m_note = new QLineEdit(note, this);
    m_note->setObjectName(QStringLiteral("keyNoteEdit"));
    m_note->setMaxLength(500);
    m_note->setPlaceholderText(tr("e.g. billing on, from Alice's project"));
    form->addRow(tr("&Note:"), m_note);
    m_tags = new QLineEdit(tags.join(QStringLiteral(", ")), this);
    m_tags->setObjectName(QStringLiteral("keyTagsEdit"));
    m_tags->setPlaceholderText(tr("comma-separated, e.g. paid, team-b"));
    form->addRow(tr("&Tags:"), m_tags);
    layout->addLayout(form);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(420);
}

QString KeyNoteDialog::note() const {
    return m_note->text().trimmed();
}

QStringList KeyNoteDialog::tags() const {
    QStringList out;
    for (const QString& part : m_tags->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString t = part.trimmed();
        if (!t.isEmpty() && !out.contains(t))
            out.append(t);
    }
    return out;
}

} // namespace gemgate
