#pragma once

// UsagePage: usage by day (the daily roll-ups, kept for usage.aggregate_retention_days) or by hour (the records,
// kept for usage.retention_days), grouped by client, namespace, key or model: a stacked bar chart of requests or
// tokens per period (the busiest groups each a colour, the rest as "other"), a table of every period x group with
// requests, errors and tokens, and Export CSV of the table.

#include "control/gatewaycontroller.h"

#include <QPointer>
#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QTableWidget;

namespace gemgate {

class UsagePage : public QWidget {
    Q_OBJECT
public:
    enum Column {
        PeriodColumn,
        GroupColumn,
        RequestsColumn,
        ErrorsColumn,
        InputColumn,
        OutputColumn,
        ThinkingColumn,
        TotalColumn,
        ColumnCount
    };
    static constexpr int kMaxBarSets = 8;

    explicit UsagePage(GatewayController* controller, QWidget* parent = nullptr);

    QTableWidget* table() const { return m_table; }
    QChart* chart() const { return m_chart; }
    // "client", "namespace", "key" or "model".
    void setGroupBy(const QString& group);
    void setByHour(bool byHour);
    void reload();
    // Writes the table as CSV (RFC 4180: a header row, fields quoted when needed); false with *error on failure.
    bool exportCsv(const QString& path, QString* error) const;
    static QString csvField(const QString& value);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void fillChart(const QList<UsageSummaryRow>& rows);
    QString groupOf(const UsageSummaryRow& r) const;
    QString periodOf(const UsageSummaryRow& r) const;

    QPointer<GatewayController> m_controller;
    QComboBox* m_group = nullptr;
    QComboBox* m_period = nullptr;
    QComboBox* m_range = nullptr;
    QComboBox* m_metric = nullptr;
    QChart* m_chart = nullptr;
    QChartView* m_chartView = nullptr;
    QTableWidget* m_table = nullptr;
};

} // namespace gemgate
