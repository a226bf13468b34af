#pragma once

// DashboardPage: the window's first page. Tiles with the running totals, and live charts (Qt Charts) of the last
// 5, 15 or 60 minutes drawn from the controller's traffic history: requests per second by outcome, latency
// percentiles and time to first byte, tokens per minute, upstream requests per key (stacked), open connections and
// streams. The charts follow the once-a-second snapshot (metricsUpdated), never a signal per request, and are only
// redrawn while the page is visible.

#include "control/gatewaycontroller.h"

#include <QHash>
#include <QPointer>
#include <QStringList>
#include <QWidget>

class QButtonGroup;
class QChart;
class QChartView;
class QDateTimeAxis;
class QGridLayout;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace gemgate {

class QuotaPanel;

class DashboardPage : public QWidget {
    Q_OBJECT
public:
    enum class Chart { Requests, Latency, Tokens, Keys, Connections };
    static constexpr int kBuckets = 300; // points per line, whatever the window

    explicit DashboardPage(GatewayController* controller, QWidget* parent = nullptr);
    ~DashboardPage() override;

    // 300, 900 or 3600.
    int windowSeconds() const { return m_windowSeconds; }
    void setWindowSeconds(int seconds);
    QChart* chart(Chart which) const;
    // Redraws every chart from the controller's history now.
    void refresh();

protected:
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct ChartParts {
        QChart* chart = nullptr;
        QChartView* view = nullptr;
        QDateTimeAxis* x = nullptr;
        QValueAxis* y = nullptr;
        QList<QLineSeries*> lines;
    };
    QWidget* buildTiles();
    ChartParts makeChart(const QString& objectName, const QString& title, const QString& yTitle,
                         const QStringList& lineNames, const QList<QColor>& colors);
    void onMetrics(const MetricsSnapshot& snapshot);
    void updateTiles(const MetricsSnapshot& snapshot);
    void fillKeys(const QList<TrafficBucket>& buckets);
    void retranslate();
    void applyTheme();

    QPointer<GatewayController> m_controller;
    int m_windowSeconds = 300;
    QButtonGroup* m_windowButtons = nullptr;
    QHash<int, ChartParts> m_charts; // by Chart
    QStringList m_keyOrder;          // the keys the per-key chart shows now (the busiest; the rest in "other")
    QuotaPanel* m_quota = nullptr;

    QLabel* m_requestsValue = nullptr;
    QLabel* m_errorsValue = nullptr;
    QLabel* m_rateValue = nullptr;
    QLabel* m_connectionsValue = nullptr;
    QLabel* m_streamsValue = nullptr;
    QLabel* m_promptTokensValue = nullptr;
    QLabel* m_outputTokensValue = nullptr;
};

} // namespace gemgate
