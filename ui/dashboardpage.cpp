#include "dashboardpage.h"

#include "quotapanel.h"

#include <QButtonGroup>
#include <QDateTime>
#include <QEvent>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QDateTimeAxis>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>

namespace gemgate {

namespace {

constexpr int kMaxKeyAreas = 6; // the busiest keys get an area each; the rest share "other"

QLabel* makeValueLabel(const QString& objectName, QWidget* parent) {
    auto* label = new QLabel(QStringLiteral("0"), parent);
    label->setObjectName(objectName);
    QFont font = label->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.25);
    label->setFont(font);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

// Outcome colours, the same on every chart: answered green, the client's mistake amber, GemGate's refusal
// purple, upstream failure red.
const QList<QColor>& outcomeColors() {
    static const QList<QColor> c{QColor(0x1e, 0x8e, 0x3e), QColor(0xe3, 0x74, 0x00), QColor(0x8e, 0x44, 0xad),
                                 QColor(0xd9, 0x30, 0x25)};
    return c;
}

const QList<QColor>& keyColors() {
    static const QList<QColor> c{QColor(0x1a, 0x73, 0xe8), QColor(0x12, 0xb5, 0xcb), QColor(0xf9, 0xab, 0x00),
                                 QColor(0xe5, 0x25, 0x92), QColor(0x7c, 0xb3, 0x42), QColor(0xa1, 0x42, 0xf4),
                                 QColor(0x9a, 0xa0, 0xa6)};
    return c;
}

// The top of a y axis: a round number a little above the largest value (at least `floor`).
double niceTop(double max, double floor) {
    max = std::max(max, floor);
    const double magnitude = std::pow(10.0, std::floor(std::log10(max)));
    for (double step : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (step * magnitude >= max * 1.05)
            return step * magnitude;
    return 10 * magnitude;
}

bool isDark(const QPalette& palette) {
    return palette.color(QPalette::Window).lightness() < 128;
}

} // namespace

DashboardPage::DashboardPage(GatewayController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller) {
    setObjectName(QStringLiteral("dashboardPage"));
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);

    auto* scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("dashboardScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* content = new QWidget(scroll);
    auto* layout = new QVBoxLayout(content);
    layout->addWidget(buildTiles());

    auto* windowRow = new QHBoxLayout;
    auto* windowLabel = new QLabel(tr("Show the last:"), content);
    windowRow->addWidget(windowLabel);
    m_windowButtons = new QButtonGroup(this);
    m_windowButtons->setExclusive(true);
    const struct {
        int seconds;
        QString text;
        const char* name;
    } windows[] = {{300, tr("5 minutes"), "window5Button"},
                   {900, tr("15 minutes"), "window15Button"},
                   {3600, tr("60 minutes"), "window60Button"}};
    for (const auto& w : windows) {
        auto* b = new QPushButton(w.text, content);
        b->setObjectName(QString::fromLatin1(w.name));
        b->setCheckable(true);
        b->setChecked(w.seconds == m_windowSeconds);
        b->setAccessibleName(tr("Charts show the last %1").arg(w.text));
        m_windowButtons->addButton(b, w.seconds);
        windowRow->addWidget(b);
    }
    windowLabel->setBuddy(m_windowButtons->button(300));
    windowRow->addStretch(1);
    layout->addLayout(windowRow);
    connect(m_windowButtons, &QButtonGroup::idClicked, this, &DashboardPage::setWindowSeconds);

    auto* grid = new QGridLayout;
    grid->setSpacing(8);
    m_charts[int(Chart::Requests)] = makeChart(
        QStringLiteral("requestsChart"), tr("Requests per second"), tr("req/s"),
        {tr("Answered"), tr("Client errors"), tr("Refused by policy"), tr("Upstream errors")}, outcomeColors());
    m_charts[int(Chart::Latency)] = makeChart(
        QStringLiteral("latencyChart"), tr("Latency"), tr("ms"),
        {tr("p50"), tr("p95"), tr("p99"), tr("First byte p50")},
        {QColor(0x1a, 0x73, 0xe8), QColor(0xf9, 0xab, 0x00), QColor(0xd9, 0x30, 0x25), QColor(0x12, 0xb5, 0xcb)});
    m_charts[int(Chart::Tokens)] =
        makeChart(QStringLiteral("tokensChart"), tr("Tokens per minute"), tr("tokens/min"),
                  {tr("Input"), tr("Output"), tr("Thinking")},
                  {QColor(0x1a, 0x73, 0xe8), QColor(0x1e, 0x8e, 0x3e), QColor(0xa1, 0x42, 0xf4)});
    m_charts[int(Chart::Keys)] =
        makeChart(QStringLiteral("keysChart"), tr("Upstream requests per key"), tr("req/s"), {}, {});
    m_charts[int(Chart::Connections)] =
        makeChart(QStringLiteral("connectionsChart"), tr("Connections and streams"), tr("open"),
                  {tr("Client connections"), tr("Streams")}, {QColor(0x1a, 0x73, 0xe8), QColor(0xe3, 0x74, 0x00)});
    grid->addWidget(m_charts[int(Chart::Requests)].view, 0, 0);
    grid->addWidget(m_charts[int(Chart::Latency)].view, 0, 1);
    grid->addWidget(m_charts[int(Chart::Tokens)].view, 1, 0);
    grid->addWidget(m_charts[int(Chart::Keys)].view, 1, 1);
    grid->addWidget(m_charts[int(Chart::Connections)].view, 2, 0);
    m_quota = new QuotaPanel(controller, content);
    grid->addWidget(m_quota, 2, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    layout->addLayout(grid, 1);

    scroll->setWidget(content);
    outer->addWidget(scroll);
    applyTheme();
    updateTiles(controller->metrics());

    connect(controller, &GatewayController::metricsUpdated, this, &DashboardPage::onMetrics);
    connect(controller, &GatewayController::stateChanged, this, [this] { updateTiles(m_controller->metrics()); });
}

DashboardPage::~DashboardPage() = default;

QWidget* DashboardPage::buildTiles() {
    auto* box = new QGroupBox(tr("Since start"), this);
    box->setObjectName(QStringLiteral("tilesBox"));
    auto* grid = new QGridLayout(box);
    grid->setHorizontalSpacing(18);
    m_requestsValue = makeValueLabel(QStringLiteral("requestsValue"), box);
    m_errorsValue = makeValueLabel(QStringLiteral("errorsValue"), box);
    m_rateValue = makeValueLabel(QStringLiteral("requestsPerSecondValue"), box);
    m_connectionsValue = makeValueLabel(QStringLiteral("connectionsValue"), box);
    m_streamsValue = makeValueLabel(QStringLiteral("streamsValue"), box);
    m_promptTokensValue = makeValueLabel(QStringLiteral("promptTokensValue"), box);
    m_outputTokensValue = makeValueLabel(QStringLiteral("outputTokensValue"), box);
    // Caption above value, one column per tile.
    const struct {
        QString caption;
        QLabel* value;
    } tiles[] = {{tr("Requests"), m_requestsValue},         {tr("Errors"), m_errorsValue},
                 {tr("Requests/s"), m_rateValue},           {tr("Active connections"), m_connectionsValue},
                 {tr("Active streams"), m_streamsValue},    {tr("Prompt tokens"), m_promptTokensValue},
                 {tr("Output tokens"), m_outputTokensValue}};
    int column = 0;
    for (const auto& t : tiles) {
        auto* caption = new QLabel(t.caption, box);
        caption->setBuddy(t.value);
        t.value->setAccessibleName(t.caption);
        grid->addWidget(caption, 0, column);
        grid->addWidget(t.value, 1, column);
        grid->setColumnStretch(column, 1);
        ++column;
    }
    return box;
}

DashboardPage::ChartParts DashboardPage::makeChart(const QString& objectName, const QString& title,
                                                   const QString& yTitle, const QStringList& lineNames,
                                                   const QList<QColor>& colors) {
    ChartParts p;
    p.chart = new QChart;
    p.chart->setObjectName(objectName);
    p.chart->setTitle(title);
    p.chart->setMargins(QMargins(4, 4, 4, 4));
    p.chart->setBackgroundRoundness(0);
    p.chart->legend()->setAlignment(Qt::AlignBottom);
    p.chart->setAnimationOptions(QChart::NoAnimation);
    p.x = new QDateTimeAxis(p.chart);
    p.x->setTickCount(6);
    p.y = new QValueAxis(p.chart);
    p.y->setTitleText(yTitle);
    p.y->setLabelFormat(QStringLiteral("%.4g"));
    p.y->setRange(0, 1);
    p.chart->addAxis(p.x, Qt::AlignBottom);
    p.chart->addAxis(p.y, Qt::AlignLeft);
    for (int i = 0; i < lineNames.size(); ++i) {
        auto* line = new QLineSeries(p.chart);
        line->setName(lineNames[i]);
        QPen pen(colors.value(i, Qt::gray));
        pen.setWidthF(1.6);
        line->setPen(pen);
        p.chart->addSeries(line);
        line->attachAxis(p.x);
        line->attachAxis(p.y);
        p.lines.append(line);
    }
    p.view = new QChartView(p.chart, this);
    p.view->setObjectName(objectName + QStringLiteral("View"));
    p.view->setRenderHint(QPainter::Antialiasing);
    p.view->setMinimumHeight(220);
    p.view->setAccessibleName(title);
    return p;
}

void DashboardPage::applyTheme() {
    const bool dark = isDark(palette());
    for (const ChartParts& p : std::as_const(m_charts)) {
        // Keep the series' own colours: set the background and text only, not a whole theme.
        p.chart->setBackgroundBrush(palette().color(QPalette::Base));
        p.chart->setTitleBrush(palette().color(QPalette::WindowText));
        p.chart->legend()->setLabelColor(palette().color(QPalette::WindowText));
        const QColor grid = dark ? QColor(0x44, 0x47, 0x4a) : QColor(0xe0, 0xe0, 0xe0);
        for (QAbstractAxis* axis : {static_cast<QAbstractAxis*>(p.x), static_cast<QAbstractAxis*>(p.y)}) {
            axis->setLabelsColor(palette().color(QPalette::WindowText));
            axis->setTitleBrush(palette().color(QPalette::WindowText));
            axis->setGridLineColor(grid);
        }
    }
}

void DashboardPage::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
}

void DashboardPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    refresh();
}

QChart* DashboardPage::chart(Chart which) const {
    return m_charts.value(int(which)).chart;
}

void DashboardPage::setWindowSeconds(int seconds) {
    if (seconds != 300 && seconds != 900 && seconds != 3600)
        return;
    m_windowSeconds = seconds;
    if (QAbstractButton* b = m_windowButtons->button(seconds))
        b->setChecked(true);
    refresh();
}

void DashboardPage::onMetrics(const MetricsSnapshot& snapshot) {
    updateTiles(snapshot);
    if (isVisible())
        refresh();
}

void DashboardPage::updateTiles(const MetricsSnapshot& snapshot) {
    const QLocale locale;
    m_requestsValue->setText(locale.toString(snapshot.requestsTotal));
    m_errorsValue->setText(locale.toString(snapshot.errorsTotal));
    m_rateValue->setText(locale.toString(snapshot.requestsPerSecond, 'f', 1));
    m_connectionsValue->setText(locale.toString(snapshot.activeConnections));
    m_streamsValue->setText(locale.toString(snapshot.activeStreams));
    m_promptTokensValue->setText(locale.toString(snapshot.promptTokens));
    m_outputTokensValue->setText(locale.toString(snapshot.outputTokens));
}

void DashboardPage::refresh() {
    if (!m_controller)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // The right edge is the last whole second, so a point does not slide between buckets from one redraw to the
    // next.
    const qint64 end = now / 1000 * 1000;
    const QList<TrafficBucket> buckets =
        TrafficHistory::rebucket(m_controller->trafficHistory(m_windowSeconds), end, m_windowSeconds, kBuckets);
    const QString timeFormat = m_windowSeconds <= 300 ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");

    QList<QList<QPointF>> requests(kOutcomeCount), latency(4), tokens(3), connections(2);
    double maxRequests = 0, maxLatency = 0, maxTokens = 0, maxConnections = 0;
    for (const TrafficBucket& b : buckets) {
        const double x = double(b.endMs);
        for (int o = 0; o < kOutcomeCount; ++o) {
            const double rate = b.outcomes[size_t(o)] / b.seconds;
            requests[o].append({x, rate});
            maxRequests = std::max(maxRequests, rate);
        }
        if (b.latencySamples > 0) {
            const double values[] = {b.latencyP50, b.latencyP95, b.latencyP99, b.ttfbP50};
            for (int i = 0; i < 4; ++i) {
                latency[i].append({x, values[i]});
                maxLatency = std::max(maxLatency, values[i]);
            }
        }
        const double perMinute = 60.0 / b.seconds;
        const double t[] = {b.promptTokens * perMinute, b.outputTokens * perMinute, b.thinkingTokens * perMinute};
        for (int i = 0; i < 3; ++i) {
            tokens[i].append({x, t[i]});
            maxTokens = std::max(maxTokens, t[i]);
        }
        if (b.connections >= 0) {
            connections[0].append({x, double(b.connections)});
            connections[1].append({x, double(std::max(0, b.streams))});
            maxConnections = std::max(maxConnections, double(b.connections));
        }
    }
    const auto fill = [&](Chart which, QList<QList<QPointF>> lines, double max, double floor) {
        ChartParts& p = m_charts[int(which)];
        // Large values in thousands or millions, so the axis reads "1.5M" rather than "1.5e+06".
        const double unit = max >= 2e6 ? 1e6 : max >= 2e4 ? 1e3 : 1;
        if (unit > 1) {
            for (QList<QPointF>& l : lines)
                for (QPointF& pt : l)
                    pt.setY(pt.y() / unit);
            max /= unit;
            floor = 1;
        }
        p.y->setLabelFormat(unit == 1e6   ? QStringLiteral("%.4gM")
                            : unit == 1e3 ? QStringLiteral("%.4gk")
                                          : QStringLiteral("%.4g"));
        for (int i = 0; i < p.lines.size() && i < lines.size(); ++i)
            p.lines[i]->replace(lines[i]);
        p.x->setRange(QDateTime::fromMSecsSinceEpoch(end - qint64(m_windowSeconds) * 1000),
                      QDateTime::fromMSecsSinceEpoch(end));
        p.x->setFormat(timeFormat);
        p.y->setRange(0, niceTop(max, floor));
    };
    fill(Chart::Requests, requests, maxRequests, 1);
    fill(Chart::Latency, latency, maxLatency, 10);
    fill(Chart::Tokens, tokens, maxTokens, 100);
    fill(Chart::Connections, connections, maxConnections, 5);
    fillKeys(buckets);
    m_quota->refresh();
}

void DashboardPage::fillKeys(const QList<TrafficBucket>& buckets) {
    ChartParts& p = m_charts[int(Chart::Keys)];
    // The busiest keys of the window, each an area stacked on the one before; the rest as "other".
    QHash<QString, double> totals;
    for (const TrafficBucket& b : buckets)
        for (const auto& [key, n] : b.perKey)
            totals[key] += n;
    QStringList order = totals.keys();
    std::sort(order.begin(), order.end(), [&](const QString& a, const QString& b) {
        return totals[a] != totals[b] ? totals[a] > totals[b] : a < b;
    });
    const bool hasOther = order.size() > kMaxKeyAreas;
    if (hasOther)
        order = order.mid(0, kMaxKeyAreas);
    std::sort(order.begin(), order.end()); // stable colours and stacking while the busiest set stays the same
    QStringList names = order;
    if (hasOther)
        names.append(tr("other keys"));

    if (names != m_keyOrder) {
        // The set of keys changed: new areas (a redraw of the same set only replaces the points).
        const QList<QAbstractSeries*> old = p.chart->series();
        for (QAbstractSeries* s : old) {
            p.chart->removeSeries(s);
            delete s;
        }
        p.lines.clear();
        for (int i = 0; i < names.size(); ++i) {
            auto* upper = new QLineSeries(p.chart);
            auto* lower = i == 0 ? nullptr : p.lines.value(i - 1);
            auto* area = new QAreaSeries(upper, lower);
            area->setName(names[i]);
            const QColor c = hasOther && i == names.size() - 1 ? keyColors().last() : keyColors().value(i % 6);
            QColor fill = c;
            fill.setAlpha(170);
            area->setBrush(fill);
            area->setPen(QPen(c, 1));
            p.chart->addSeries(area);
            area->attachAxis(p.x);
            area->attachAxis(p.y);
            p.lines.append(upper);
        }
        m_keyOrder = names;
    }
    QList<QList<QPointF>> stacked(names.size());
    double max = 0;
    for (const TrafficBucket& b : buckets) {
        double cumulative = 0;
        QHash<QString, double> here;
        double other = 0;
        for (const auto& [key, n] : b.perKey) {
            if (order.contains(key))
                here[key] += n;
            else
                other += n;
        }
        for (int i = 0; i < names.size(); ++i) {
            const double n = i < order.size() ? here.value(order[i]) : other;
            cumulative += n / b.seconds;
            stacked[i].append({double(b.endMs), cumulative});
        }
        max = std::max(max, cumulative);
    }
    for (int i = 0; i < p.lines.size(); ++i)
        p.lines[i]->replace(stacked[i]);
    const qint64 end = buckets.isEmpty() ? 0 : buckets.last().endMs;
    p.x->setRange(QDateTime::fromMSecsSinceEpoch(end - qint64(m_windowSeconds) * 1000),
                  QDateTime::fromMSecsSinceEpoch(end));
    p.x->setFormat(m_windowSeconds <= 300 ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm"));
    p.y->setRange(0, niceTop(max, 1));
}

} // namespace gemgate
