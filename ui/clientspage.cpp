#include "clientspage.h"

#include "clientdialog.h"
#include "statusline.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace gemgate {

ClientsPage::ClientsPage(GatewayController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller) {
    setObjectName(QStringLiteral("clientsPage"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("clientsTable"));
    m_table->setAccessibleName(tr("Issued client keys"));
    m_table->setHorizontalHeaderLabels({tr("Client"), tr("Namespace"), tr("State"), tr("Key"), tr("Requests today"),
                                        tr("Tokens today"), tr("Requests this month"), tr("Tokens this month"),
                                        tr("Expires")});
    m_table->horizontalHeaderItem(RequestsTodayColumn)
        ->setToolTip(tr("Admitted requests today / the daily quota (limits.time_zone's day)"));
    m_table->horizontalHeaderItem(TokensMonthColumn)->setToolTip(tr("Tokens this calendar month / the monthly quota"));
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);

    auto* buttons = new QHBoxLayout;
    const auto button = [this, buttons](const QString& text, const char* name, const QString& tip) {
        auto* b = new QPushButton(text, this);
        b->setObjectName(QString::fromLatin1(name));
        b->setToolTip(tip);
        buttons->addWidget(b);
        return b;
    };
    m_issueButton =
        button(tr("Issue key…"), "issueClientButton", tr("A new client key for a person or an app; it is shown once"));
    m_editButton = button(tr("Edit…"), "editClientButton", tr("Namespace, limits and IP rules of the client"));
    m_toggleButton = button(tr("Turn off"), "toggleClientButton", tr("A client turned off gets 403"));
    m_rotateButton = button(tr("Rotate key…"), "rotateClientButton",
                            tr("A new key for the client; the old one stops working at once"));
    m_removeButton = button(tr("Remove…"), "removeClientButton", tr("The client's key stops working for good"));
    buttons->addStretch(1);
    layout->addLayout(buttons);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("clientsStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    connect(m_issueButton, &QPushButton::clicked, this, &ClientsPage::issue);
    connect(m_editButton, &QPushButton::clicked, this, &ClientsPage::edit);
    connect(m_toggleButton, &QPushButton::clicked, this, &ClientsPage::toggleEnabled);
    connect(m_rotateButton, &QPushButton::clicked, this, &ClientsPage::rotate);
    connect(m_removeButton, &QPushButton::clicked, this, &ClientsPage::remove);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &ClientsPage::updateButtons);
    connect(controller, &GatewayController::clientsChanged, this, &ClientsPage::refresh);
    connect(controller, &GatewayController::stateChanged, this, &ClientsPage::refresh);
    // Use grows with traffic: every fifth snapshot while the page is in front.
    connect(controller, &GatewayController::metricsUpdated, this, [this] {
        if (isVisible() && ++m_snapshots % 5 == 0)
            refresh();
    });
    refresh();
}

void ClientsPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    refresh();
}

QString ClientsPage::usedOf(qint64 used, qint64 quota) {
    const QLocale locale;
    return quota > 0 ? tr("%1 / %2").arg(locale.toString(used), locale.toString(quota)) : locale.toString(used);
}

void ClientsPage::refresh() {
    const QString selected = selectedClientId();
    m_rows = m_controller ? m_controller->clientUsage() : QList<ClientUsage>();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_table->setRowCount(int(m_rows.size()));
    for (int r = 0; r < m_rows.size(); ++r) {
        const ClientUsage& u = m_rows[r];
        const ClientRecord& c = u.client;
        const QString state = !c.enabled ? tr("Off") : c.expired(now) ? tr("Expired") : tr("On");
        const QString expires = c.expiresAtMs <= 0 ? tr("never")
                                                   : QLocale().toString(QDateTime::fromMSecsSinceEpoch(c.expiresAtMs),
                                                                        QLocale::ShortFormat);
        const QString cells[ColumnCount] = {c.owner.isEmpty() ? c.name : tr("%1 (%2)").arg(c.name, c.owner),
                                            c.nameSpace,
                                            state,
                                            c.keyPrefix + QStringLiteral("…"),
                                            usedOf(u.requestsToday, u.effective.requestsPerDay),
                                            usedOf(u.tokensToday, u.effective.tokensPerDay),
                                            usedOf(u.requestsMonth, u.effective.requestsPerMonth),
                                            usedOf(u.tokensMonth, u.effective.tokensPerMonth),
                                            expires};
        for (int col = 0; col < ColumnCount; ++col) {
            QTableWidgetItem* item = m_table->item(r, col);
            if (!item) {
                item = new QTableWidgetItem;
                m_table->setItem(r, col, item);
            }
            item->setText(cells[col]);
            item->setData(ClientIdRole, c.id);
        }
    }
    if (m_rows.isEmpty() && m_controller && m_controller->isRunning() && m_status->text().isEmpty())
        m_status->setText(tr("No client keys issued yet. Issue one for each person or app that uses the gateway."));
    selectClient(selected);
    updateButtons();
}

QString ClientsPage::selectedClientId() const {
    const QList<QTableWidgetItem*> items = m_table->selectedItems();
    return items.isEmpty() ? QString() : items.first()->data(ClientIdRole).toString();
}

void ClientsPage::selectClient(const QString& id) {
    for (int r = 0; r < m_table->rowCount(); ++r) {
        if (m_table->item(r, 0)->data(ClientIdRole).toString() == id) {
            m_table->selectRow(r);
            return;
        }
    }
    m_table->clearSelection();
}

QString ClientsPage::statusText() const {
    return m_status->text();
}

void ClientsPage::updateButtons() {
    const bool running = m_controller && m_controller->isRunning();
    const QString id = selectedClientId();
    const ClientUsage* row = nullptr;
    for (const ClientUsage& u : m_rows)
        if (u.client.id == id)
            row = &u;
    m_issueButton->setEnabled(running);
    for (QPushButton* b : {m_editButton, m_toggleButton, m_rotateButton, m_removeButton})
        b->setEnabled(running && row);
    m_toggleButton->setText(row && !row->client.enabled ? tr("Turn on") : tr("Turn off"));
}

void ClientsPage::showResult(bool ok, const QString& text) {
    showStatus(m_status, ok, text);
}

void ClientsPage::issue() {
    auto* dialog = new ClientDialog(nullptr, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        NewClient c;
        QString error;
        std::optional<IssuedClient> issued;
        if (dialog->newClient(&c, &error) && m_controller)
            issued = m_controller->addClient(c, &error);
        if (!issued) {
            showResult(false, tr("Could not issue a key: %1").arg(error));
            return;
        }
        showResult(true, tr("Issued a key for %1.").arg(issued->record.name));
        refresh();
        selectClient(issued->record.id);
        auto* shown = new IssuedKeyDialog(issued->record.name, issued->key, this);
        shown->open();
    });
    dialog->open();
}

void ClientsPage::edit() {
    const QString id = selectedClientId();
    const ClientUsage* row = nullptr;
    for (const ClientUsage& u : m_rows)
        if (u.client.id == id)
            row = &u;
    if (!row)
        return;
    auto* dialog = new ClientDialog(&row->client, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString name = row->client.name;
    const QString oldNamespace = row->client.nameSpace;
    connect(dialog, &QDialog::accepted, this, [this, dialog, id, name, oldNamespace] {
        LimitSet limits;
        QString error;
        bool ok = dialog->limits(&limits, &error) && m_controller &&
                  m_controller->setClientPolicy(id, limits, dialog->ipAllow(), dialog->ipDeny(), &error);
        const QString ns = dialog->nameSpace().isEmpty() ? QStringLiteral("default") : dialog->nameSpace();
        if (ok && ns != oldNamespace)
            ok = m_controller->setClientNamespace(id, ns, &error);
        if (ok)
            showResult(true, tr("Saved %1.").arg(name));
        else
            showResult(false, tr("Could not save %1: %2").arg(name, error));
        refresh();
    });
    dialog->open();
}

void ClientsPage::toggleEnabled() {
    const QString id = selectedClientId();
    for (const ClientUsage& u : std::as_const(m_rows)) {
        if (u.client.id != id)
            continue;
        const bool enable = !u.client.enabled;
        QString error;
        if (m_controller && m_controller->setClientEnabled(id, enable, &error))
            showResult(true, enable ? tr("Turned %1 on.").arg(u.client.name) : tr("Turned %1 off.").arg(u.client.name));
        else
            showResult(false, tr("Could not change %1: %2").arg(u.client.name, error));
        refresh();
        return;
    }
}

void ClientsPage::confirm(const QString& objectName, const QString& title, const QString& question,
                          std::function<void()> action) {
    auto* box = new QMessageBox(QMessageBox::Question, title, question, QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(objectName);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [box, action = std::move(action)](QAbstractButton* b) {
        if (box->standardButton(b) == QMessageBox::Yes)
            action();
    });
    box->open();
}

void ClientsPage::rotate() {
    const QString id = selectedClientId();
    if (id.isEmpty())
        return;
    confirm(QStringLiteral("rotateClientConfirm"), tr("Rotate key"),
            tr("Give the client a new key? Its current key stops working at once."), [this, id] {
                QString error;
                const std::optional<IssuedClient> issued =
                    m_controller ? m_controller->rotateClient(id, &error) : std::nullopt;
                if (!issued) {
                    showResult(false, tr("Could not rotate the key: %1").arg(error));
                    return;
                }
                showResult(true, tr("New key for %1.").arg(issued->record.name));
                refresh();
                (new IssuedKeyDialog(issued->record.name, issued->key, this))->open();
            });
}

void ClientsPage::remove() {
    const QString id = selectedClientId();
    if (id.isEmpty())
        return;
    confirm(QStringLiteral("removeClientConfirm"), tr("Remove client"),
            tr("Remove the client? Its key stops working for good; its usage records stay."), [this, id] {
                QString error;
                if (m_controller && m_controller->removeClient(id, &error))
                    showResult(true, tr("Removed the client."));
                else
                    showResult(false, tr("Could not remove the client: %1").arg(error));
                refresh();
            });
}

} // namespace gemgate
