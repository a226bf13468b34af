#include "logspage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace gemgate {

namespace {

QString ms(qint64 us) {
    return us < 0 ? LogsPage::tr("–") : QLocale().toString(double(us) / 1000, 'f', 1);
}

} // namespace

LogsPage::LogsPage(GatewayController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller) {
    setObjectName(QStringLiteral("logsPage"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* filters = new QGridLayout;
    const auto labelled = [this, filters](int row, int column, const QString& text, QWidget* field) {
        auto* label = new QLabel(text, this);
        label->setBuddy(field);
        field->setAccessibleName(QString(text).remove(QLatin1Char('&')).remove(QLatin1Char(':')));
        filters->addWidget(label, row, column * 2);
        filters->addWidget(field, row, column * 2 + 1);
    };
    m_range = new QComboBox(this);
    m_range->setObjectName(QStringLiteral("logsRangeCombo"));
    m_range->addItem(tr("Last 15 minutes"), 15 * 60);
    m_range->addItem(tr("Last hour"), 3600);
    m_range->addItem(tr("Last 24 hours"), 86'400);
    m_range->addItem(tr("Last 7 days"), 7 * 86'400);
    m_range->addItem(tr("Everything kept"), 0);
    m_range->setCurrentIndex(2);
    labelled(0, 0, tr("&Range:"), m_range);
    const auto edit = [this](const char* name, const QString& placeholder) {
        auto* e = new QLineEdit(this);
        e->setObjectName(QString::fromLatin1(name));
        e->setPlaceholderText(placeholder);
        e->setClearButtonEnabled(true);
        return e;
    };
    m_client = edit("logsClientEdit", tr("any"));
    labelled(0, 1, tr("&Client:"), m_client);
    m_key = edit("logsKeyEdit", tr("any"));
    labelled(0, 2, tr("&Key:"), m_key);
    m_model = edit("logsModelEdit", tr("any"));
    labelled(1, 0, tr("&Model:"), m_model);
    m_status = edit("logsStatusEdit", tr("any"));
    m_status->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[1-5][0-9]{0,2}")), this));
    labelled(1, 1, tr("&Status:"), m_status);
    m_errorKind = new QComboBox(this);
    m_errorKind->setObjectName(QStringLiteral("logsErrorKindCombo"));
    m_errorKind->addItem(tr("any"), QString());
    labelled(1, 2, tr("&Error:"), m_errorKind);
    m_errorsOnly = new QCheckBox(tr("Errors only"), this);
    m_errorsOnly->setObjectName(QStringLiteral("logsErrorsOnlyCheck"));
    filters->addWidget(m_errorsOnly, 0, 6);
    m_live = new QPushButton(tr("Live"), this);
    m_live->setObjectName(QStringLiteral("logsLiveButton"));
    m_live->setCheckable(true);
    m_live->setToolTip(tr("Show new requests as they finish"));
    filters->addWidget(m_live, 1, 6);
    filters->setColumnStretch(1, 1);
    filters->setColumnStretch(3, 1);
    filters->setColumnStretch(5, 1);
    layout->addLayout(filters);

    auto* split = new QSplitter(Qt::Vertical, this);
    m_table = new QTableWidget(0, ColumnCount, split);
    m_table->setObjectName(QStringLiteral("logsTable"));
    m_table->setAccessibleName(tr("Requests"));
    m_table->setHorizontalHeaderLabels({tr("Time"), tr("Status"), tr("Client"), tr("Model"), tr("Key"),
                                        tr("Latency ms"), tr("Tokens in / out"), tr("Error")});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    auto* lower = new QWidget(split);
    auto* lowerLayout = new QHBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    m_detail = new QPlainTextEdit(lower);
    m_detail->setObjectName(QStringLiteral("logsDetail"));
    m_detail->setReadOnly(true);
    m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_detail->setPlaceholderText(tr("Select a request to see its details."));
    m_detail->setAccessibleName(tr("Request details"));
    lowerLayout->addWidget(m_detail, 3);
    auto* groupsBox = new QGroupBox(tr("Errors in the range"), lower);
    auto* groupsLayout = new QVBoxLayout(groupsBox);
    m_groups = new QListWidget(groupsBox);
    m_groups->setObjectName(QStringLiteral("logsErrorGroups"));
    m_groups->setAccessibleName(tr("Errors in the range, by kind"));
    m_groups->setToolTip(tr("Click one to show only its requests"));
    groupsLayout->addWidget(m_groups);
    lowerLayout->addWidget(groupsBox, 2);
    split->addWidget(m_table);
    split->addWidget(lower);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    auto* paging = new QHBoxLayout;
    m_newest = new QPushButton(tr("Newest"), this);
    m_newest->setObjectName(QStringLiteral("logsNewestButton"));
    m_older = new QPushButton(tr("Older"), this);
    m_older->setObjectName(QStringLiteral("logsOlderButton"));
    m_pageLabel = new QLabel(this);
    m_pageLabel->setObjectName(QStringLiteral("logsPageLabel"));
    paging->addWidget(m_newest);
    paging->addWidget(m_older);
    paging->addWidget(m_pageLabel, 1);
    layout->addLayout(paging);

    for (QLineEdit* e : {m_client, m_key, m_model, m_status})
        connect(e, &QLineEdit::editingFinished, this, &LogsPage::reload);
    connect(m_range, &QComboBox::currentIndexChanged, this, &LogsPage::reload);
    connect(m_errorKind, &QComboBox::currentIndexChanged, this, &LogsPage::reload);
    connect(m_errorsOnly, &QCheckBox::toggled, this, &LogsPage::reload);
    connect(m_newest, &QPushButton::clicked, this, &LogsPage::reload);
    connect(m_older, &QPushButton::clicked, this, &LogsPage::olderPage);
    connect(m_live, &QPushButton::toggled, this, &LogsPage::setLiveTail);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &LogsPage::showDetail);
    connect(m_groups, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        const int i = m_errorKind->findData(item->data(Qt::UserRole).toString());
        if (i >= 0)
            m_errorKind->setCurrentIndex(i);
    });
    connect(controller, &GatewayController::metricsUpdated, this, [this] {
        // Live tail: the newest page again while it is the one shown.
        if (m_live->isChecked() && isVisible() && m_cursors.size() <= 1)
            reload();
    });
}

void LogsPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    reload();
}

qint64 LogsPage::rangeStartMs() const {
    const qint64 seconds = m_range->currentData().toLongLong();
    return seconds > 0 ? QDateTime::currentMSecsSinceEpoch() - seconds * 1000 : 0;
}

LogQuery LogsPage::query(qint64 beforeId) const {
    LogQuery q;
    q.client = m_client->text().trimmed();
    q.keyId = m_key->text().trimmed();
    q.model = m_model->text().trimmed();
    q.status = m_status->text().toInt();
    q.errorsOnly = m_errorsOnly->isChecked();
    q.errorKind = m_errorKind->currentData().toString();
    q.fromMs = rangeStartMs();
    q.limit = PageSize;
    q.beforeId = beforeId;
    return q;
}

void LogsPage::reload() {
    if (!m_controller)
        return;
    m_cursors = {0};
    display(m_controller->logs(query()));
    // The error groups of the range, most frequent first; the kinds also fill the filter.
    const QString kind = m_errorKind->currentData().toString();
    const QList<ErrorGroup> groups = m_controller->recentErrors(rangeStartMs());
    m_groups->clear();
    const QSignalBlocker block(m_errorKind);
    m_errorKind->clear();
    m_errorKind->addItem(tr("any"), QString());
    for (const ErrorGroup& g : groups) {
        auto* item = new QListWidgetItem(
            tr("%1 × %2, last %3")
                .arg(g.kind)
                .arg(g.count)
                .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(g.lastMs), QLocale::ShortFormat)),
            m_groups);
        item->setData(Qt::UserRole, g.kind);
        m_errorKind->addItem(g.kind, g.kind);
    }
    if (!kind.isEmpty() && m_errorKind->findData(kind) < 0)
        m_errorKind->addItem(kind, kind); // still filtered by it, even with none left in the range
    m_errorKind->setCurrentIndex(qMax(0, m_errorKind->findData(kind)));
}

void LogsPage::olderPage() {
    if (!m_controller || m_nextBeforeId <= 0)
        return;
    m_cursors.append(m_nextBeforeId);
    display(m_controller->logs(query(m_nextBeforeId)));
}

void LogsPage::setLiveTail(bool on) {
    if (m_live->isChecked() != on)
        m_live->setChecked(on);
    if (on)
        reload();
}

void LogsPage::display(const LogPage& page) {
    const qint64 selectedId = [this] {
        const int row = m_table->currentRow();
        return row >= 0 && row < m_records.size() ? m_records[row].id : qint64(0);
    }();
    m_records = page.records;
    m_nextBeforeId = page.nextBeforeId;
    const QLocale locale;
    m_table->setUpdatesEnabled(false);
    m_table->setRowCount(int(m_records.size()));
    int reselect = -1;
    for (int r = 0; r < m_records.size(); ++r) {
        const UsageRecord& u = m_records[r];
        if (u.id == selectedId)
            reselect = r;
        const QString cells[ColumnCount] = {
            locale.toString(QDateTime::fromMSecsSinceEpoch(u.timeMs), QStringLiteral("yyyy-MM-dd HH:mm:ss")),
            QString::number(u.status),
            u.client,
            u.model,
            u.keyId,
            ms(u.latencyUs),
            tr("%1 / %2").arg(locale.toString(u.promptTokens), locale.toString(u.candidatesTokens + u.thoughtsTokens)),
            u.errorKind};
        for (int c = 0; c < ColumnCount; ++c) {
            QTableWidgetItem* item = m_table->item(r, c);
            if (!item) {
                item = new QTableWidgetItem;
                m_table->setItem(r, c, item);
            }
            item->setText(cells[c]);
            item->setForeground(u.status >= 400 || !u.errorKind.isEmpty() ? QColor(0xb3, 0x26, 0x1e)
                                                                          : palette().color(QPalette::Text));
        }
    }
    m_table->setUpdatesEnabled(true);
    if (reselect >= 0)
        m_table->selectRow(reselect);
    else
        m_table->clearSelection();
    m_older->setEnabled(m_nextBeforeId > 0);
    m_newest->setEnabled(m_cursors.size() > 1);
    m_pageLabel->setText(m_records.isEmpty()
                             ? tr("No requests match.")
                             : tr("Page %1: %n request(s)", nullptr, int(m_records.size())).arg(m_cursors.size()));
    showDetail();
}

QString LogsPage::detailText(const UsageRecord& r) {
    const QLocale locale;
    QStringList lines;
    lines << tr("Request id:   %1").arg(QString::fromLatin1(r.requestId));
    lines << tr("Time:         %1")
                 .arg(locale.toString(QDateTime::fromMSecsSinceEpoch(r.timeMs),
                                      QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));
    lines << tr("Route:        %1").arg(r.route);
    lines << tr("Status:       %1%2").arg(r.status).arg(r.stream ? tr(" (stream)") : QString());
    lines << tr("Client:       %1 (namespace %2)").arg(r.client, r.nameSpace);
    lines << tr("Model:        %1").arg(r.model);
    lines << tr("Key:          %1 (attempts: %2)").arg(r.keyId).arg(r.attempts);
    lines << tr("Latency:      %1 ms, first byte after %2 ms").arg(ms(r.latencyUs), ms(r.ttfbUs));
    lines << tr("Tokens:       %1 in (%2 cached), %3 out, %4 thinking, %5 total")
                 .arg(locale.toString(r.promptTokens), locale.toString(r.cachedTokens),
                      locale.toString(r.candidatesTokens), locale.toString(r.thoughtsTokens),
                      locale.toString(r.totalTokens));
    lines << tr("Bytes:        %1 in, %2 out").arg(locale.toString(r.bytesIn), locale.toString(r.bytesOut));
    if (!r.errorKind.isEmpty())
        lines << tr("Error:        %1").arg(r.errorKind);
    if (r.truncated)
        lines << tr("Cut short:    a token quota ran out during the stream");
    if (!r.admitted)
        lines << tr("Admitted:     no (refused before the client's quotas counted it)");
    return lines.join(QLatin1Char('\n'));
}

void LogsPage::showDetail() {
    const int row = m_table->currentRow();
    const bool selected = !m_table->selectedItems().isEmpty() && row >= 0 && row < m_records.size();
    m_detail->setPlainText(selected ? detailText(m_records[row]) : QString());
}

} // namespace gemgate
