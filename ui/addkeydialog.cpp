#include "addkeydialog.h"

#include "control/keymanager.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPalette>
#include <QPushButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>

namespace gemgate {

namespace {
// What the key manager accepts as an id: 1-64 letters, digits, '-', '_' or '.'.
const QRegularExpression& keyIdPattern() {
    static const QRegularExpression re(QStringLiteral("[\\p{L}\\p{N}._-]{0,64}"));
    return re;
}
} // namespace

AddKeyDialog::AddKeyDialog(QWidget* parent)
    : QDialog(parent) {
    setObjectName(QStringLiteral("addKeyDialog"));
    setWindowTitle(tr("Add upstream key"));

    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Add a Gemini API key. The key is kept in the store you choose, never in the config "
                                "file or GemGate's database."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* form = new QFormLayout;
    m_idEdit = new QLineEdit(this);
    m_idEdit->setObjectName(QStringLiteral("keyIdEdit"));
    m_idEdit->setValidator(new QRegularExpressionValidator(keyIdPattern(), m_idEdit));
    m_idEdit->setPlaceholderText(tr("letters, digits, '-', '_' or '.'"));
    form->addRow(tr("&Id:"), m_idEdit);

    m_labelEdit = new QLineEdit(this);
    m_labelEdit->setObjectName(QStringLiteral("keyLabelEdit"));
    m_labelEdit->setPlaceholderText(tr("optional: a name to recognise the key by"));
    form->addRow(tr("&Label:"), m_labelEdit);

    m_secretEdit = new QLineEdit(this);
    m_secretEdit->setObjectName(QStringLiteral("keySecretEdit"));
    m_secretEdit->setEchoMode(QLineEdit::Password);
    m_secretEdit->setPlaceholderText(tr("the key from Google AI Studio"));
    form->addRow(tr("API &key:"), m_secretEdit);

    m_storeCombo = new QComboBox(this);
    m_storeCombo->setObjectName(QStringLiteral("keyStoreCombo"));
    m_storeCombo->addItem(tr("OS keychain"), QVariant::fromValue(int(SecretBackend::Keychain)));
    m_storeCombo->addItem(tr("File (owner-only)"), QVariant::fromValue(int(SecretBackend::File)));
    form->addRow(tr("&Store in:"), m_storeCombo);
    m_storeHint = new QLabel(this);
    m_storeHint->setObjectName(QStringLiteral("keyStoreHint"));
    m_storeHint->setWordWrap(true);
    m_storeHint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(QString(), m_storeHint);

    m_weightSpin = new QSpinBox(this);
    m_weightSpin->setObjectName(QStringLiteral("keyWeightSpin"));
    m_weightSpin->setRange(1, 1000);
    m_weightSpin->setValue(1);
    m_weightSpin->setToolTip(tr("The share of requests this key gets under the weighted strategy."));
    form->addRow(tr("&Weight:"), m_weightSpin);

    m_projectEdit = new QLineEdit(this);
    m_projectEdit->setObjectName(QStringLiteral("keyProjectEdit"));
    m_projectEdit->setPlaceholderText(tr("optional: the Google Cloud project (default: the id)"));
    m_projectEdit->setToolTip(tr("Keys of one Google Cloud project share its quota; name the project so that GemGate "
                                 "counts their requests together."));
    form->addRow(tr("&Project:"), m_projectEdit);
    layout->addLayout(form);

    m_problemLabel = new QLabel(this);
    m_problemLabel->setObjectName(QStringLiteral("keyProblemLabel"));
    m_problemLabel->setWordWrap(true);
    QPalette palette = m_problemLabel->palette();
    palette.setColor(QPalette::WindowText, QColor(0xb3, 0x26, 0x1e));
    m_problemLabel->setPalette(palette);
    m_problemLabel->hide();
    layout->addWidget(m_problemLabel);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Add"));
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_idEdit, &QLineEdit::textChanged, this, [this] {
        updateOkButton();
        updateStoreHint();
    });
    connect(m_secretEdit, &QLineEdit::textChanged, this, &AddKeyDialog::updateOkButton);
    connect(m_storeCombo, &QComboBox::currentIndexChanged, this, &AddKeyDialog::updateStoreHint);

    updateOkButton();
    updateStoreHint();
    setMinimumWidth(460);
}

AddKeyDialog::~AddKeyDialog() {
    clearSecret();
}

void AddKeyDialog::setExistingIds(const QStringList& ids) {
    m_existingIds = ids;
    if (m_idEdit->text().isEmpty()) {
        int n = 1;
        while (ids.contains(QStringLiteral("key%1").arg(n)))
            ++n;
        m_idEdit->setText(QStringLiteral("key%1").arg(n));
    }
    updateOkButton();
}

NewKey AddKeyDialog::newKey() const {
    NewKey key;
    key.id = m_idEdit->text().trimmed();
    key.label = m_labelEdit->text().trimmed();
    key.secret = m_secretEdit->text().trimmed().toUtf8();
    key.backend = SecretBackend(m_storeCombo->currentData().toInt());
    key.weight = m_weightSpin->value();
    key.project = m_projectEdit->text().trimmed();
    return key;
}

void AddKeyDialog::clearSecret() {
    // setText (unlike clear()) also drops the undo history, which would otherwise keep the typed key.
    m_secretEdit->setText(QString());
}

void AddKeyDialog::done(int result) {
    // accepted() / rejected() / finished() are delivered inside QDialog::done(); whoever wanted the key has it now.
    QDialog::done(result);
    clearSecret();
}

void AddKeyDialog::updateOkButton() {
    const QString id = m_idEdit->text().trimmed();
    QString problem;
    if (!id.isEmpty() && m_existingIds.contains(id))
        problem = tr("A key with the id \"%1\" already exists.").arg(id);
    m_problemLabel->setText(problem);
    m_problemLabel->setVisible(!problem.isEmpty());
    const bool ok = !id.isEmpty() && problem.isEmpty() && !m_secretEdit->text().trimmed().isEmpty();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
}

void AddKeyDialog::updateStoreHint() {
    const QString id = m_idEdit->text().trimmed().isEmpty() ? QStringLiteral("<id>") : m_idEdit->text().trimmed();
    const SecretBackend backend = SecretBackend(m_storeCombo->currentData().toInt());
    const QString location = KeyManager::secretLocation(id, backend);
    if (backend == SecretBackend::File) {
        m_storeHint->setText(tr("Saved in %1, readable by you only (mode 0600). Use this where no keychain runs.")
                                 .arg(QDir::toNativeSeparators(location)));
    } else {
        m_storeHint->setText(tr("Saved in the desktop keychain (Secret Service: GNOME Keyring or KWallet), "
                                "entry \"%1\".")
                                 .arg(location));
    }
}

} // namespace gemgate
