#include "clientdialog.h"

#include "clipboard.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>

namespace gemgate {

namespace {

QString limitLabel(const QString& yamlName) {
    if (yamlName == QLatin1String("requests_per_minute"))
        return ClientDialog::tr("Requests per minute:");
    if (yamlName == QLatin1String("concurrent_requests"))
        return ClientDialog::tr("Concurrent requests:");
    if (yamlName == QLatin1String("tokens_per_minute"))
        return ClientDialog::tr("Tokens per minute:");
    if (yamlName == QLatin1String("tokens_per_day"))
        return ClientDialog::tr("Tokens per day:");
    if (yamlName == QLatin1String("tokens_per_month"))
        return ClientDialog::tr("Tokens per month:");
    if (yamlName == QLatin1String("requests_per_day"))
        return ClientDialog::tr("Requests per day:");
    if (yamlName == QLatin1String("requests_per_month"))
        return ClientDialog::tr("Requests per month:");
    if (yamlName == QLatin1String("max_input_tokens"))
        return ClientDialog::tr("Input tokens per request:");
    if (yamlName == QLatin1String("max_output_tokens"))
        return ClientDialog::tr("Output tokens per request:");
    return yamlName;
}

} // namespace

QStringList ClientDialog::splitList(const QString& text) {
    QStringList out;
    for (const QString& part : text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts))
        out.append(part.trimmed());
    return out;
}

ClientDialog::ClientDialog(const ClientRecord* editing, QWidget* parent)
    : QDialog(parent) {
    setObjectName(editing ? QStringLiteral("editClientDialog") : QStringLiteral("issueClientDialog"));
    setWindowTitle(editing ? tr("Edit client %1").arg(editing->name) : tr("Issue a client key"));
    auto* layout = new QVBoxLayout(this);

    auto* who = new QFormLayout;
    if (!editing) {
        m_name = new QLineEdit(this);
        m_name->setObjectName(QStringLiteral("clientNameEdit"));
        m_name->setPlaceholderText(tr("a person or an app, e.g. alice or ci-bot"));
        who->addRow(tr("&Name:"), m_name);
        m_owner = new QLineEdit(this);
        m_owner->setObjectName(QStringLiteral("clientOwnerEdit"));
        m_owner->setPlaceholderText(tr("optional"));
        who->addRow(tr("&Owner:"), m_owner);
    }
    m_namespace = new QLineEdit(editing ? editing->nameSpace : QString(), this);
    m_namespace->setObjectName(QStringLiteral("clientNamespaceEdit"));
    m_namespace->setPlaceholderText(QStringLiteral("default"));
    m_namespace->setToolTip(tr("A team or app whose clients share the namespace's limits and usage."));
    who->addRow(tr("Name&space:"), m_namespace);
    if (!editing) {
        m_expiresDays = new QSpinBox(this);
        m_expiresDays->setObjectName(QStringLiteral("clientExpiresSpin"));
        m_expiresDays->setRange(0, 36500);
        m_expiresDays->setSpecialValueText(tr("never"));
        m_expiresDays->setSuffix(tr(" days"));
        who->addRow(tr("&Expires in:"), m_expiresDays);
        m_models = new QLineEdit(this);
        m_models->setObjectName(QStringLiteral("clientModelsEdit"));
        m_models->setPlaceholderText(tr("all models; or e.g. gemini-2.5-*, gemini-2.5-flash"));
        who->addRow(tr("&Models:"), m_models);
    }
    layout->addLayout(who);

    auto* limitsBox = new QGroupBox(tr("Limits (empty: the config's limits.clients / limits.client_default)"), this);
    auto* grid = new QGridLayout(limitsBox);
    auto* digits = new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{0,15}")), this);
    int i = 0;
    for (const auto& [name, member] : kLimitSetFields) {
        const QString yaml = QString::fromLatin1(name);
        auto* edit = new QLineEdit(this);
        edit->setObjectName(QStringLiteral("limit_") + yaml);
        edit->setValidator(digits);
        edit->setAccessibleName(limitLabel(yaml));
        if (editing && editing->limits.*member >= 0)
            edit->setText(QString::number(editing->limits.*member));
        auto* label = new QLabel(limitLabel(yaml), limitsBox);
        label->setBuddy(edit);
        grid->addWidget(label, i / 2, (i % 2) * 2);
        grid->addWidget(edit, i / 2, (i % 2) * 2 + 1);
        m_limits.insert(yaml, edit);
        ++i;
    }
    layout->addWidget(limitsBox);

    auto* ipForm = new QFormLayout;
    m_ipAllow = new QLineEdit(editing ? editing->ipAllow.join(QStringLiteral(", ")) : QString(), this);
    m_ipAllow->setObjectName(QStringLiteral("clientIpAllowEdit"));
    m_ipAllow->setPlaceholderText(tr("any address; or e.g. 10.0.0.0/8, 192.168.1.20"));
    ipForm->addRow(tr("&Allow from:"), m_ipAllow);
    m_ipDeny = new QLineEdit(editing ? editing->ipDeny.join(QStringLiteral(", ")) : QString(), this);
    m_ipDeny->setObjectName(QStringLiteral("clientIpDenyEdit"));
    ipForm->addRow(tr("&Deny from:"), m_ipDeny);
    layout->addLayout(ipForm);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("clientDialogError"));
    m_error->setWordWrap(true);
    QPalette red = m_error->palette();
    red.setColor(QPalette::WindowText, QColor(0xb3, 0x26, 0x1e));
    m_error->setPalette(red);
    m_error->hide();
    layout->addWidget(m_error);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(editing ? tr("Save") : tr("Issue key"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    if (m_name) {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
        connect(m_name, &QLineEdit::textChanged, this, [buttons](const QString& t) {
            buttons->button(QDialogButtonBox::Ok)->setEnabled(!t.trimmed().isEmpty());
        });
    }
    layout->addWidget(buttons);
}

bool ClientDialog::limits(LimitSet* out, QString* error) const {
    LimitSet l;
    for (const auto& [name, member] : kLimitSetFields) {
        const QString text = m_limits.value(QString::fromLatin1(name))->text().trimmed();
        if (text.isEmpty())
            continue;
        bool ok = false;
        const qint64 v = text.toLongLong(&ok);
        if (!ok || v < 0) {
            *error = tr("%1 expects a whole number, got “%2”").arg(limitLabel(QString::fromLatin1(name)), text);
            return false;
        }
        l.*member = v;
    }
    *out = l;
    return true;
}

bool ClientDialog::newClient(NewClient* out, QString* error) const {
    NewClient c;
    c.name = m_name ? m_name->text().trimmed() : QString();
    c.owner = m_owner ? m_owner->text().trimmed() : QString();
    c.nameSpace = nameSpace();
    if (m_expiresDays && m_expiresDays->value() > 0)
        c.expiresAtMs = QDateTime::currentMSecsSinceEpoch() + qint64(m_expiresDays->value()) * 86'400'000;
    c.models = m_models ? splitList(m_models->text()) : QStringList();
    c.ipAllow = ipAllow();
    c.ipDeny = ipDeny();
    if (!limits(&c.limits, error))
        return false;
    *out = c;
    return true;
}

QString ClientDialog::nameSpace() const {
    return m_namespace->text().trimmed();
}

QStringList ClientDialog::ipAllow() const {
    return splitList(m_ipAllow->text());
}

QStringList ClientDialog::ipDeny() const {
    return splitList(m_ipDeny->text());
}

void ClientDialog::showError(const QString& text) {
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

IssuedKeyDialog::IssuedKeyDialog(const QString& clientName, const QByteArray& key, QWidget* parent)
    : QDialog(parent) {
    setObjectName(QStringLiteral("issuedKeyDialog"));
    setWindowTitle(tr("Client key for %1").arg(clientName));
    setAttribute(Qt::WA_DeleteOnClose);
    auto* layout = new QVBoxLayout(this);
    auto* note = new QLabel(tr("This is the only time the key is shown: GemGate keeps only its hash. Give it to "
                               "%1 now; programs send it as their Gemini API key (x-goog-api-key).")
                                .arg(clientName),
                            this);
    note->setWordWrap(true);
    layout->addWidget(note);
    auto* row = new QHBoxLayout;
    auto* keyEdit = new QLineEdit(QString::fromLatin1(key), this);
    keyEdit->setObjectName(QStringLiteral("issuedKeyEdit"));
    keyEdit->setReadOnly(true);
    keyEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    keyEdit->setMinimumWidth(keyEdit->fontMetrics().horizontalAdvance(keyEdit->text()) + 24);
    keyEdit->setAccessibleName(tr("The new client key"));
    row->addWidget(keyEdit, 1);
    auto* copy = new QPushButton(tr("Copy"), this);
    copy->setObjectName(QStringLiteral("copyIssuedKeyButton"));
    connect(copy, &QPushButton::clicked, this, [copy, keyEdit] { Clipboard::copy(keyEdit->text(), true, copy); });
    row->addWidget(copy);
    layout->addLayout(row);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

} // namespace gemgate
