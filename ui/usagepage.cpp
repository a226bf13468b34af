#include "usagepage.h"

#include <QComboBox>
#include <QDate>
#include <QDateTime>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QStackedBarSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>

namespace gemgate {

namespace {

const QList<QColor>& barColors() {
    static const QList<QColor> c{QColor(0x1a, 0x73, 0xe8), QColor(0x1e, 0x8e, 0x3e), QColor(0xf9, 0xab, 0x00),
                                 QColor(0xa1, 0x42, 0xf4), QColor(0x12, 0xb5, 0xcb), QColor(0xe5, 0x25, 0x92),
                                 QColor(0x7c, 0xb3, 0x42), QColor(0xe3, 0x74, 0x00), QColor(0x9a, 0xa0, 0xa6)};
    return c;
}

} // namespace

UsagePage::UsagePage(GatewayController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller) {
    setObjectName(QStringLiteral("usagePage"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* controls = new QHBoxLayout;
    const auto combo = [this, controls](const QString& label, const char* name) {
        auto* l = new QLabel(label, this);
        auto* c = new QComboBox(this);
        c->setObjectName(QString::fromLatin1(name));
        c->setAccessibleName(QString(label).remove(QLatin1Char('&')).remove(QLatin1Char(':')));
        l->setBuddy(c);
        controls->addWidget(l);
        controls->addWidget(c);
        return c;
    };
    m_group = combo(tr("&Group by:"), "usageGroupCombo");
    m_group->addItem(tr("Client"), QStringLiteral("client"));
    m_group->addItem(tr("Namespace"), QStringLiteral("namespace"));
    m_group->addItem(tr("Key"), QStringLiteral("key"));
    m_group->addItem(tr("Model"), QStringLiteral("model"));
    m_period = combo(tr("&Per:"), "usagePeriodCombo");
    m_period->addItem(tr("Day"), false);
    m_period->addItem(tr("Hour"), true);
    m_range = combo(tr("&Range:"), "usageRangeCombo");
    m_metric = combo(tr("&Chart:"), "usageMetricCombo");
    m_metric->addItem(tr("Requests"), QStringLiteral("requests"));
    m_metric->addItem(tr("Tokens"), QStringLiteral("tokens"));
    controls->addStretch(1);
    auto* exportButton = new QPushButton(tr("Export CSV…"), this);
    exportButton->setObjectName(QStringLiteral("usageExportButton"));
    controls->addWidget(exportButton);
    layout->addLayout(controls);

    auto* split = new QSplitter(Qt::Vertical, this);
    m_chart = new QChart;
    m_chart->setObjectName(QStringLiteral("usageChart"));
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chartView = new QChartView(m_chart, split);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(240);
    m_chartView->setAccessibleName(tr("Usage chart"));
    m_table = new QTableWidget(0, ColumnCount, split);
    m_table->setObjectName(QStringLiteral("usageTable"));
    m_table->setAccessibleName(tr("Usage table"));
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSortingEnabled(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    split->addWidget(m_chartView);
    split->addWidget(m_table);
    layout->addWidget(split, 1);

    const auto fillRanges = [this] {
        const QSignalBlocker block(m_range);
        m_range->clear();
        if (m_period->currentData().toBool()) {
            m_range->addItem(tr("Last 24 hours"), 24);
            m_range->addItem(tr("Last 48 hours"), 48);
            m_range->addItem(tr("Last 7 days"), 7 * 24);
        } else {
            m_range->addItem(tr("Last 7 days"), 7);
            m_range->addItem(tr("Last 30 days"), 30);
            m_range->addItem(tr("Last 90 days"), 90);
        }
    };
    fillRanges();
    connect(m_period, &QComboBox::currentIndexChanged, this, [this, fillRanges] {
        fillRanges();
        reload();
    });
    for (QComboBox* c : {m_group, m_range, m_metric})
        connect(c, &QComboBox::currentIndexChanged, this, &UsagePage::reload);
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export usage"), QStringLiteral("gemgate-usage.csv"),
                                                          tr("CSV files (*.csv)"));
        QString error;
        if (!path.isEmpty() && !exportCsv(path, &error))
            QMessageBox::warning(this, tr("Export usage"), error);
    });
}

void UsagePage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    reload();
}

void UsagePage::setGroupBy(const QString& group) {
    m_group->setCurrentIndex(qMax(0, m_group->findData(group)));
}

void UsagePage::setByHour(bool byHour) {
    m_period->setCurrentIndex(byHour ? 1 : 0);
}

QString UsagePage::groupOf(const UsageSummaryRow& r) const {
    const QString g = m_group->currentData().toString();
    const QString v = g == QLatin1String("client")      ? r.client
                      : g == QLatin1String("namespace") ? r.nameSpace
                      : g == QLatin1String("key")       ? r.keyId
                                                        : r.model;
    return v.isEmpty() ? tr("(none)") : v;
}

QString UsagePage::periodOf(const UsageSummaryRow& r) const {
    if (!r.hour.isEmpty()) {
        // The UTC hour's start, shown in local time.
        const QDateTime t = QDateTime::fromString(r.hour, Qt::ISODate);
        return t.isValid() ? QLocale().toString(t.toLocalTime(), QStringLiteral("MM-dd HH:00")) : r.hour;
    }
    return r.day;
}

void UsagePage::reload() {
    if (!m_controller)
        return;
    UsageQuery q;
    q.groupBy = {m_group->currentData().toString()};
    const int span = m_range->currentData().toInt();
    if (m_period->currentData().toBool()) {
        q.byHour = true;
        q.fromMs = QDateTime::currentMSecsSinceEpoch() - qint64(span) * 3'600'000;
    } else {
        q.byDay = true;
        q.fromDay = QDate::currentDate().addDays(1 - span).toString(Qt::ISODate);
    }
    const QList<UsageSummaryRow> rows = m_controller->usage(q);
    const QLocale locale;
    m_table->setHorizontalHeaderLabels({m_period->currentData().toBool() ? tr("Hour") : tr("Day"),
                                        m_group->currentText(), tr("Requests"), tr("Errors"), tr("Input tokens"),
                                        tr("Output tokens"), tr("Thinking tokens"), tr("Total tokens")});
    m_table->setRowCount(int(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
        const UsageSummaryRow& u = rows[r];
        const QString cells[ColumnCount] = {periodOf(u),
                                            groupOf(u),
                                            locale.toString(u.requests),
                                            locale.toString(u.errors),
                                            locale.toString(u.promptTokens),
                                            locale.toString(u.candidatesTokens),
                                            locale.toString(u.thoughtsTokens),
                                            locale.toString(u.totalTokens)};
        const qint64 raw[ColumnCount] = {
            0, 0, u.requests, u.errors, u.promptTokens, u.candidatesTokens, u.thoughtsTokens, u.totalTokens};
        for (int c = 0; c < ColumnCount; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (c >= RequestsColumn) {
                item->setData(Qt::UserRole, raw[c]); // the CSV takes the plain number
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            }
            m_table->setItem(r, c, item);
        }
    }
    fillChart(rows);
}

void UsagePage::fillChart(const QList<UsageSummaryRow>& rows) {
    m_chart->removeAllSeries();
    for (QAbstractAxis* a : m_chart->axes()) {
        m_chart->removeAxis(a);
        delete a;
    }
    const bool tokens = m_metric->currentData().toString() == QLatin1String("tokens");
    QStringList periods;
    QHash<QString, qint64> totals;
    for (const UsageSummaryRow& r : rows) {
        if (!periods.contains(periodOf(r)))
            periods.append(periodOf(r));
        totals[groupOf(r)] += tokens ? r.totalTokens : r.requests;
    }
    QStringList groups = totals.keys();
    std::sort(groups.begin(), groups.end(), [&](const QString& a, const QString& b) {
        return totals[a] != totals[b] ? totals[a] > totals[b] : a < b;
    });
    const bool other = groups.size() > kMaxBarSets;
    groups = groups.mid(0, kMaxBarSets);
    QHash<QString, QList<qreal>> values;
    for (const QString& g : groups)
        values[g] = QList<qreal>(periods.size(), 0);
    QList<qreal> rest(periods.size(), 0);
    for (const UsageSummaryRow& r : rows) {
        const qsizetype p = periods.indexOf(periodOf(r));
        const qreal v = qreal(tokens ? r.totalTokens : r.requests);
        auto it = values.find(groupOf(r));
        if (it != values.end())
            (*it)[p] += v;
        else
            rest[p] += v;
    }
    // Large numbers in thousands or millions, so the axis reads "45M" rather than "4.5e+07".
    qreal top = 0;
    for (qsizetype p = 0; p < periods.size(); ++p) {
        qreal stack = rest[p];
        for (const QString& g : std::as_const(groups))
            stack += values[g][p];
        top = std::max(top, stack);
    }
    const qreal unit = top >= 2e6 ? 1e6 : top >= 2e4 ? 1e3 : 1;
    if (unit > 1) {
        for (QList<qreal>& v : values)
            for (qreal& x : v)
                x /= unit;
        for (qreal& x : rest)
            x /= unit;
    }
    auto* series = new QStackedBarSeries(m_chart);
    int colour = 0;
    const auto addSet = [&](const QString& name, const QList<qreal>& v) {
        auto* set = new QBarSet(name, series);
        set->append(v);
        set->setColor(barColors().value(colour++ % int(barColors().size())));
        set->setBorderColor(set->color());
        series->append(set);
    };
    for (const QString& g : std::as_const(groups))
        addSet(g, values[g]);
    if (other)
        addSet(tr("other"), rest);
    series->setBarWidth(0.8);
    m_chart->addSeries(series);
    auto* x = new QBarCategoryAxis(m_chart);
    x->append(periods);
    x->setLabelsAngle(periods.size() > 12 ? -60 : 0);
    auto* y = new QValueAxis(m_chart);
    y->setLabelFormat(unit == 1e6   ? QStringLiteral("%.4gM")
                      : unit == 1e3 ? QStringLiteral("%.4gk")
                                    : QStringLiteral("%.4g"));
    y->setTitleText(tokens ? tr("tokens") : tr("requests"));
    y->setRange(0, std::max<qreal>(1, top / unit));
    y->applyNiceNumbers();
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    y->setMin(0);
    m_chart->setTitle(rows.isEmpty() ? tr("No usage in this range") : QString());
}

QString UsagePage::csvField(const QString& value) {
    if (!value.contains(QLatin1Char(',')) && !value.contains(QLatin1Char('"')) && !value.contains(QLatin1Char('\n')) &&
        !value.contains(QLatin1Char('\r')))
        return value;
    return QLatin1Char('"') + QString(value).replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
}

bool UsagePage::exportCsv(const QString& path, QString* error) const {
    // Machine-readable: the columns' stable English names and plain numbers, whatever the window's language.
    const QString group = m_group->currentData().toString();
    QStringList lines{(m_period->currentData().toBool() ? QStringLiteral("hour") : QStringLiteral("day")) +
                      QLatin1Char(',') + group +
                      QStringLiteral(",requests,errors,input_tokens,output_tokens,thinking_tokens,total_tokens")};
    for (int r = 0; r < m_table->rowCount(); ++r) {
        QStringList fields;
        for (int c = 0; c < ColumnCount; ++c) {
            const QTableWidgetItem* item = m_table->item(r, c);
            fields.append(c >= RequestsColumn ? QString::number(item->data(Qt::UserRole).toLongLong())
                                              : csvField(item->text()));
        }
        lines.append(fields.join(QLatin1Char(',')));
    }
    QSaveFile f(path);
    const QByteArray bytes = (lines.join(QStringLiteral("\r\n")) + QStringLiteral("\r\n")).toUtf8();
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        *error = tr("Could not write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

} // namespace gemgate
