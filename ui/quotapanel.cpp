#include "quotapanel.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableWidget>
#include <QVBoxLayout>

namespace gemgate {

namespace {

QString usedOf(qint64 used, qint64 limit) {
    const QLocale locale;
    if (limit <= 0)
        return locale.toString(used);
    return QuotaPanel::tr("%1 / %2").arg(locale.toString(used), locale.toString(limit));
}

} // namespace

QuotaPanel::QuotaPanel(GatewayController* controller, QWidget* parent)
    : QGroupBox(tr("Quota left today"), parent)
    , m_controller(controller) {
    setObjectName(QStringLiteral("quotaPanel"));
    auto* layout = new QVBoxLayout(this);
    m_table = new QTableWidget(0, 7, this);
    m_table->setObjectName(QStringLiteral("quotaTable"));
    m_table->setAccessibleName(tr("Quota left today, per key and model"));
    m_table->setHorizontalHeaderLabels(
        {tr("Key"), tr("Model"), tr("RPD"), tr("RPM"), tr("TPM"), tr("Resets in"), tr("Runs out")});
    m_table->horizontalHeaderItem(TodayColumn)
        ->setToolTip(tr("Requests today (since midnight Pacific time) / the daily limit"));
    m_table->horizontalHeaderItem(MinuteColumn)->setToolTip(tr("Requests in the last minute / the per-minute limit"));
    m_table->horizontalHeaderItem(TokensColumn)
        ->setToolTip(tr("Input tokens in the last minute / the per-minute limit"));
    m_table->horizontalHeaderItem(ForecastColumn)
        ->setToolTip(tr("When the daily limit runs out at the rate of the last minute"));
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setMinimumHeight(200);
    layout->addWidget(m_table);
    m_empty = new QLabel(tr("No budgets yet: a key x model appears here once it has served a request or has a "
                            "limit in the config (gemini.api_keys[].limits, gemini.projects)."),
                         this);
    m_empty->setObjectName(QStringLiteral("quotaEmptyLabel"));
    m_empty->setWordWrap(true);
    layout->addWidget(m_empty);

    m_clients = new QTableWidget(0, 3, this);
    m_clients->setObjectName(QStringLiteral("clientQuotaTable"));
    m_clients->setAccessibleName(tr("Clients' use today against their daily quotas"));
    m_clients->setHorizontalHeaderLabels({tr("Client"), tr("Requests today"), tr("Tokens today")});
    m_clients->verticalHeader()->hide();
    m_clients->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_clients->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_clients->horizontalHeader()->setStretchLastSection(true);
    m_clients->setMaximumHeight(160);
    layout->addWidget(m_clients);
}

QString QuotaPanel::durationText(qint64 ms) {
    const qint64 minutes = ms / 60'000;
    if (minutes < 1)
        return tr("under a minute");
    if (minutes < 60)
        return tr("%n min", nullptr, int(minutes));
    return tr("%1 h %2 min").arg(minutes / 60).arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

QString QuotaPanel::forecastText(qint64 used, qint64 limit, qint64 perMinute, qint64 nowMs, qint64 resetAtMs) {
    if (limit <= 0)
        return tr("no daily limit");
    if (used >= limit)
        return tr("used up");
    if (perMinute <= 0)
        return tr("not at this rate");
    const qint64 at = nowMs + (limit - used) * 60'000 / perMinute;
    if (at >= resetAtMs)
        return tr("not before the reset");
    return tr("at %1 (in %2)")
        .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(at).time(), QLocale::ShortFormat),
             durationText(at - nowMs));
}

void QuotaPanel::refresh() {
    const QList<KeyStatus> keys = m_controller ? m_controller->keyStatuses() : QList<KeyStatus>();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 reset = GatewayController::quotaDayEndsMs(now);
    int row = 0;
    m_table->setUpdatesEnabled(false);
    for (const KeyStatus& k : keys) {
        for (const ModelBudget& b : k.budgets) {
            if (row >= m_table->rowCount())
                m_table->insertRow(row);
            const QString cells[] = {
                k.label.isEmpty() || k.label == k.id ? k.id : QStringLiteral("%1 (%2)").arg(k.id, k.label),
                b.model.isEmpty() ? tr("(no model)") : b.model,
                usedOf(b.rpdUsed, b.rpdLimit),
                usedOf(b.rpmUsed, b.rpmLimit),
                usedOf(b.tpmUsed, b.tpmLimit),
                durationText(reset - now),
                forecastText(b.rpdUsed, b.rpdLimit, b.rpmUsed, now, reset)};
            for (int c = 0; c < 7; ++c) {
                QTableWidgetItem* item = m_table->item(row, c);
                if (!item) {
                    item = new QTableWidgetItem;
                    m_table->setItem(row, c, item);
                }
                if (item->text() != cells[c])
                    item->setText(cells[c]);
            }
            ++row;
        }
    }
    m_table->setRowCount(row);
    m_table->setUpdatesEnabled(true);
    m_empty->setVisible(row == 0);

    if (m_refreshes++ % 10 != 0)
        return;
    int crow = 0;
    const QList<ClientUsage> clients = m_controller ? m_controller->clientUsage() : QList<ClientUsage>();
    for (const ClientUsage& u : clients) {
        if (u.effective.requestsPerDay <= 0 && u.effective.tokensPerDay <= 0)
            continue;
        if (crow >= m_clients->rowCount())
            m_clients->insertRow(crow);
        const QString cells[] = {u.client.name, usedOf(u.requestsToday, u.effective.requestsPerDay),
                                 usedOf(u.tokensToday, u.effective.tokensPerDay)};
        for (int c = 0; c < 3; ++c) {
            QTableWidgetItem* item = m_clients->item(crow, c);
            if (!item) {
                item = new QTableWidgetItem;
                m_clients->setItem(crow, c, item);
            }
            item->setText(cells[c]);
        }
        ++crow;
    }
    m_clients->setRowCount(crow);
    m_clients->setVisible(crow > 0);
}

} // namespace gemgate
