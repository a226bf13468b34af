#include "bulkkeydialog.h"

#include "control/keymanager.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace gemgate {

namespace {
QColor resultColor(KeyProbeResult r) {
    switch (r) {
    case KeyProbeResult::Valid:
        return QColor(0x1e, 0x7b, 0x34);
    case KeyProbeResult::RateLimitedMinute:
    case KeyProbeResult::RateLimitedDay:
        return QColor(0x9a, 0x67, 0x00);
    case KeyProbeResult::Pending:
        return QColor();
    default:
        return QColor(0xb3, 0x26, 0x1e);
    }
}
} // namespace

BulkKeyDialog::BulkKeyDialog(GatewayController* controller, QWidget* parent)
    : QDialog(parent)
    , m_controller(controller) {
    setObjectName(QStringLiteral("bulkKeyDialog"));
    setWindowTitle(tr("Add many keys"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Paste any text that contains Gemini API keys (AIza… or AQ.…): a list, a .env file, "
                                "a spreadsheet column. Each key is found once; keys already in the pool are left "
                                "out. Check them against Gemini, then add the ones you pick."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("bulkKeyText"));
    m_text->setAccessibleName(tr("Text with keys"));
    m_text->setPlaceholderText(tr("Paste here"));
    m_text->setTabChangesFocus(true);
    m_text->setMaximumHeight(120);
    layout->addWidget(m_text);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("bulkKeyTable"));
    m_table->setAccessibleName(tr("Keys found"));
    m_table->setHorizontalHeaderLabels({tr("Key"), tr("Result"), tr("Details")});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setTabKeyNavigation(false);
    m_table->horizontalHeader()->setSectionResizeMode(KeyColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ResultColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("bulkKeySummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    auto* form = new QFormLayout;
    m_store = new QComboBox(this);
    m_store->setObjectName(QStringLiteral("bulkKeyStore"));
    m_store->addItem(tr("OS keychain"), int(SecretBackend::Keychain));
    m_store->addItem(tr("File (owner-only)"), int(SecretBackend::File));
    form->addRow(tr("&Store in:"), m_store);
    m_prefix = new QLineEdit(QStringLiteral("key"), this);
    m_prefix->setObjectName(QStringLiteral("bulkKeyPrefix"));
    m_prefix->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[\\p{L}\\p{N}._-]{1,40}")), m_prefix));
    m_prefix->setToolTip(tr("New keys get the ids <prefix>-1, <prefix>-2, … (the first free numbers)."));
    form->addRow(tr("&Ids start with:"), m_prefix);
    layout->addLayout(form);

    auto* buttons = new QDialogButtonBox(this);
    m_check = buttons->addButton(tr("&Check keys"), QDialogButtonBox::ActionRole);
    m_check->setObjectName(QStringLiteral("bulkKeyCheck"));
    m_add = buttons->addButton(tr("&Add selected"), QDialogButtonBox::AcceptRole);
    m_add->setObjectName(QStringLiteral("bulkKeyAdd"));
    buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    connect(m_check, &QPushButton::clicked, this, &BulkKeyDialog::checkAll);
    connect(m_add, &QPushButton::clicked, this, &BulkKeyDialog::addSelected);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    m_scanTimer = new QTimer(this);
    m_scanTimer->setSingleShot(true);
    m_scanTimer->setInterval(300);
    connect(m_scanTimer, &QTimer::timeout, this, &BulkKeyDialog::scan);
    connect(m_text, &QPlainTextEdit::textChanged, m_scanTimer, qOverload<>(&QTimer::start));
    connect(m_table, &QTableWidget::itemChanged, this, &BulkKeyDialog::updateButtons);
    resize(720, 520);
    scan();
}

BulkKeyDialog::~BulkKeyDialog() = default;

void BulkKeyDialog::done(int result) {
    delete m_checks; // cancels what still runs
    m_checks = nullptr;
    m_pending = 0;
    for (KeyCandidate& k : m_keys)
        k.secret.fill('\0');
    m_keys.clear();
    m_text->setPlainText(QString()); // setPlainText also drops the undo history that would keep the keys
    QDialog::done(result);
}

QString BulkKeyDialog::resultText(KeyProbeResult result) {
    switch (result) {
    case KeyProbeResult::Pending:
        return tr("Not checked");
    case KeyProbeResult::Valid:
        return tr("Valid");
    case KeyProbeResult::Invalid:
        return tr("Invalid");
    case KeyProbeResult::Suspended:
        return tr("Suspended or blocked (403)");
    case KeyProbeResult::RateLimitedMinute:
        return tr("Rate-limited this minute");
    case KeyProbeResult::RateLimitedDay:
        return tr("Out of today's quota");
    case KeyProbeResult::NetworkError:
        return tr("Network error");
    case KeyProbeResult::OtherError:
        return tr("Other error");
    }
    return {};
}

QString BulkKeyDialog::summaryText() const {
    return m_summary->text();
}

void BulkKeyDialog::scan() {
    m_scanTimer->stop();
    delete m_checks;
    m_checks = nullptr;
    m_pending = 0;
    const KeyScan found = m_controller ? m_controller->scanForKeys(m_text->toPlainText()) : KeyScan{};
    for (KeyCandidate& k : m_keys)
        k.secret.fill('\0');
    m_keys.clear();
    m_inPool = 0;
    m_duplicates = found.duplicates;
    for (const KeyCandidate& k : found.keys) {
        if (k.inPool)
            ++m_inPool;
        else
            m_keys.append(k);
    }
    m_probes = QList<KeyProbe>(m_keys.size());
    const QSignalBlocker block(m_table);
    m_table->setRowCount(int(m_keys.size()));
    for (int r = 0; r < m_keys.size(); ++r) {
        auto* key = new QTableWidgetItem(m_keys[r].masked);
        key->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        m_table->setItem(r, KeyColumn, key);
        m_table->setItem(r, ResultColumn, new QTableWidgetItem(resultText(KeyProbeResult::Pending)));
        m_table->setItem(r, DetailColumn, new QTableWidgetItem);
    }
    updateSummary();
    updateButtons();
}

void BulkKeyDialog::checkAll() {
    if (!m_controller || m_keys.isEmpty())
        return;
    delete m_checks;
    m_checks = new QObject(this);
    QList<QByteArray> secrets;
    for (int r = 0; r < m_keys.size(); ++r) {
        secrets.append(m_keys[r].secret);
        setProbe(r, KeyProbe{});
        m_table->item(r, ResultColumn)->setText(tr("Checking…"));
    }
    m_pending = int(secrets.size());
    QString error;
    QPointer<BulkKeyDialog> self(this);
    const bool started = m_controller->probeKeys(
        secrets, m_checks,
        [self](int index, const KeyProbe& probe) {
            if (!self)
                return;
            --self->m_pending;
            self->setProbe(index, probe);
            self->updateSummary();
            self->updateButtons();
        },
        [self] {
            if (self) {
                self->m_pending = 0;
                self->updateButtons();
                Q_EMIT self->checksFinished();
            }
        },
        &error);
    if (!started) {
        m_pending = 0;
        for (int r = 0; r < m_keys.size(); ++r)
            m_table->item(r, ResultColumn)->setText(resultText(KeyProbeResult::Pending));
        m_summary->setText(tr("Cannot check: %1").arg(error));
    }
    updateButtons();
}

void BulkKeyDialog::setProbe(int row, const KeyProbe& probe) {
    if (row < 0 || row >= m_probes.size())
        return;
    m_probes[row] = probe;
    const QSignalBlocker block(m_table);
    QTableWidgetItem* key = m_table->item(row, KeyColumn);
    QTableWidgetItem* result = m_table->item(row, ResultColumn);
    result->setText(resultText(probe.result));
    result->setForeground(resultColor(probe.result));
    // The upstream's own words for errors (Google writes them in English); ours for a key that works.
    QString detail =
        probe.result == KeyProbeResult::Valid ? tr("Gemini accepted the key (models list call)") : probe.detail;
    if (probe.httpStatus >= 400)
        detail = QStringLiteral("HTTP %1%2: %3")
                     .arg(probe.httpStatus)
                     .arg(probe.reason.isEmpty() ? QString() : QStringLiteral(" ") + probe.reason, probe.detail);
    m_table->item(row, DetailColumn)->setText(detail);
    m_table->item(row, DetailColumn)->setToolTip(detail);
    // Keys that exist can be added: valid ones and busy ones are ticked, a key out of today's quota is offered.
    if (probe.usable()) {
        key->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        key->setCheckState(probe.result == KeyProbeResult::RateLimitedDay ? Qt::Unchecked : Qt::Checked);
    } else {
        key->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        key->setData(Qt::CheckStateRole, QVariant());
    }
}

void BulkKeyDialog::updateSummary() {
    int counts[int(KeyProbeResult::OtherError) + 1] = {};
    for (const KeyProbe& p : std::as_const(m_probes))
        ++counts[int(p.result)];
    QString text = tr("Found %n new key(s)", nullptr, int(m_keys.size()));
    QStringList dropped;
    if (m_duplicates > 0)
        dropped.append(tr("%n repeated", nullptr, m_duplicates));
    if (m_inPool > 0)
        dropped.append(tr("%n already in the pool", nullptr, m_inPool));
    if (!dropped.isEmpty())
        text = tr("%1 (left out: %2)").arg(text, dropped.join(tr(", ")));
    QStringList results;
    for (KeyProbeResult r :
         {KeyProbeResult::Valid, KeyProbeResult::Invalid, KeyProbeResult::Suspended, KeyProbeResult::RateLimitedMinute,
          KeyProbeResult::RateLimitedDay, KeyProbeResult::NetworkError, KeyProbeResult::OtherError}) {
        if (counts[int(r)] > 0)
            results.append(tr("%1: %2").arg(resultText(r)).arg(counts[int(r)]));
    }
    m_summary->setText(results.isEmpty() ? tr("%1.").arg(text) : tr("%1. %2.").arg(text, results.join(tr(", "))));
}

void BulkKeyDialog::updateButtons() {
    int ticked = 0;
    for (int r = 0; r < m_table->rowCount(); ++r) {
        if (m_table->item(r, KeyColumn)->checkState() == Qt::Checked && m_probes.value(r).usable())
            ++ticked;
    }
    m_check->setEnabled(!m_keys.isEmpty() && m_pending == 0);
    m_add->setEnabled(ticked > 0 && m_pending == 0);
    m_add->setText(ticked > 0 ? tr("&Add %n selected", nullptr, ticked) : tr("&Add selected"));
}

QStringList BulkKeyDialog::existingIds() const {
    QStringList ids;
    if (m_controller) {
        for (const KeyStatus& s : m_controller->keyStatuses())
            ids.append(s.id);
    }
    return ids;
}

void BulkKeyDialog::addSelected() {
    if (!m_controller)
        return;
    QStringList taken = existingIds();
    const QString prefix = m_prefix->text().trimmed().isEmpty() ? QStringLiteral("key") : m_prefix->text().trimmed();
    QList<NewKey> keys;
    QList<int> rows;
    int n = 1;
    for (int r = 0; r < m_table->rowCount(); ++r) {
        if (m_table->item(r, KeyColumn)->checkState() != Qt::Checked || !m_probes.value(r).usable())
            continue;
        while (taken.contains(QStringLiteral("%1-%2").arg(prefix).arg(n)))
            ++n;
        NewKey key;
        key.id = QStringLiteral("%1-%2").arg(prefix).arg(n);
        taken.append(key.id);
        key.secret = m_keys[r].secret;
        key.backend = SecretBackend(m_store->currentData().toInt());
        keys.append(key);
        rows.append(r);
    }
    if (keys.isEmpty())
        return;
    m_add->setEnabled(false);
    m_summary->setText(tr("Adding %n key(s)…", nullptr, int(keys.size())));
    QPointer<BulkKeyDialog> self(this);
    m_controller->addKeys(keys, [self, rows, keys](const QStringList& added, const QStringList& errors) {
        if (!self)
            return;
        const QSignalBlocker block(self->m_table);
        for (int i = 0; i < keys.size(); ++i) {
            if (!added.contains(keys[i].id))
                continue;
            QTableWidgetItem* key = self->m_table->item(rows[i], KeyColumn);
            key->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
            key->setData(Qt::CheckStateRole, QVariant());
            self->m_table->item(rows[i], ResultColumn)->setText(tr("Added as %1").arg(keys[i].id));
            self->m_probes[rows[i]].result = KeyProbeResult::Pending; // not offered again
        }
        self->m_summary->setText(errors.isEmpty() ? tr("Added %n key(s).", nullptr, int(added.size()))
                                                  : tr("Added %n key(s); not added: %1", nullptr, int(added.size()))
                                                        .arg(errors.join(QStringLiteral("; "))));
        self->updateButtons();
        Q_EMIT self->keysAdded(added, errors);
    });
}

} // namespace gemgate
