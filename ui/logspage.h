#pragma once

// LogsPage: the request log from the state database (one usage record per request). Filters: time range, client,
// key, model, status, error kind, errors only; pages of 100, newest first, with Older / Newest; a detail pane for
// the selected request (route, timings, tokens, attempts, bytes, error); the errors of the range grouped by kind
// (a click filters by it); and a live-tail toggle that re-reads the newest page with each snapshot while visible.

#include "control/gatewaycontroller.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace gemgate {

class LogsPage : public QWidget {
    Q_OBJECT
public:
    enum Column {
        TimeColumn,
        StatusColumn,
        ClientColumn,
        ModelColumn,
        KeyColumn,
        LatencyColumn,
        TokensColumn,
        ErrorColumn,
        ColumnCount
    };
    static constexpr int PageSize = 100;

    explicit LogsPage(GatewayController* controller, QWidget* parent = nullptr);

    QTableWidget* table() const { return m_table; }
    QPlainTextEdit* detail() const { return m_detail; }
    QListWidget* errorGroups() const { return m_groups; }
    // The query the filters make (beforeId: the page cursor).
    LogQuery query(qint64 beforeId = 0) const;
    // Reads the newest page (and the error groups) with the current filters.
    void reload();
    void olderPage();
    void setLiveTail(bool on);
    // The detail text of one record.
    static QString detailText(const UsageRecord& r);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void display(const LogPage& page);
    void showDetail();
    qint64 rangeStartMs() const;

    QPointer<GatewayController> m_controller;
    QComboBox* m_range = nullptr;
    QLineEdit* m_client = nullptr;
    QLineEdit* m_key = nullptr;
    QLineEdit* m_model = nullptr;
    QLineEdit* m_status = nullptr;
    QComboBox* m_errorKind = nullptr;
    QCheckBox* m_errorsOnly = nullptr;
    QPushButton* m_live = nullptr;
    QPushButton* m_newest = nullptr;
    QPushButton* m_older = nullptr;
    QLabel* m_pageLabel = nullptr;
    QTableWidget* m_table = nullptr;
    QPlainTextEdit* m_detail = nullptr;
    QListWidget* m_groups = nullptr;
    QList<UsageRecord> m_records;
    QList<qint64> m_cursors; // beforeId of each page shown so far (0: the newest)
    qint64 m_nextBeforeId = 0;
};

} // namespace gemgate
