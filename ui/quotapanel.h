#pragma once

// QuotaPanel: the dashboard's "what is left today" table. One row per upstream key x model with a budget: requests
// today against the daily limit (RPD), requests and input tokens in the last minute against RPM / TPM, the time to
// the daily reset (midnight Pacific time, when Gemini's daily quotas start again) and a forecast of when the daily
// limit runs out at the current per-minute rate. Below it, the issued clients that have a daily quota: today's
// requests and tokens against it (re-read every tenth refresh: they come from the usage roll-ups).

#include "control/gatewaycontroller.h"

#include <QGroupBox>
#include <QPointer>

class QLabel;
class QTableWidget;

namespace gemgate {

class QuotaPanel : public QGroupBox {
    Q_OBJECT
public:
    enum Column { KeyColumn, ModelColumn, TodayColumn, MinuteColumn, TokensColumn, ResetColumn, ForecastColumn };

    explicit QuotaPanel(GatewayController* controller, QWidget* parent = nullptr);
    QTableWidget* table() const { return m_table; }
    QTableWidget* clientsTable() const { return m_clients; }
    // Re-reads the keys' budgets (the dashboard calls it once a second while visible).
    void refresh();
    // "2 h 05 min", "41 min", "under a minute".
    static QString durationText(qint64 ms);
    // When the daily limit runs out at perMinute requests a minute, or "" when it does not before the reset.
    static QString forecastText(qint64 used, qint64 limit, qint64 perMinute, qint64 nowMs, qint64 resetAtMs);

private:
    QPointer<GatewayController> m_controller;
    QTableWidget* m_table = nullptr;
    QLabel* m_empty = nullptr;
    QTableWidget* m_clients = nullptr;
    int m_refreshes = 0;
};

} // namespace gemgate
