#include "keyspanel.h"

#include "addkeydialog.h"
#include "bulkkeydialog.h"
#include "control/keymanager.h"
#include "keynotedialog.h"
#include "sparkline.h"
#include "statusline.h"

#include <QAbstractButton>
#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPalette>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace gemgate {

namespace {

constexpr int kMaxCellText = 300;

// Belt and braces: the engine redacts secrets from what it reports, but whatever looks like a Google API key is
// masked here too before it reaches a cell or a tooltip.
QString scrub(QString text) {
    static const QRegularExpression googleKey(QStringLiteral("AIza[0-9A-Za-z_\\-]{8,}"));
    text.replace(googleKey, QStringLiteral("AI…(redacted)"));
    return text;
}

// Upstream error text can look like HTML; tooltips then render it as rich text. Escaped and wrapped, it shows as
// typed and long lines wrap.
QString toolTipText(const QString& plain) {
    if (plain.isEmpty())
        return QString();
    QString html = plain.toHtmlEscaped();
    html.replace(QLatin1Char('\n'), QStringLiteral("<br>"));
    return QStringLiteral("<p style='white-space:pre-wrap'>") + html + QStringLiteral("</p>");
}

QString firstLine(const QString& text) {
    QString line = text.section(QLatin1Char('\n'), 0, 0).simplified();
    if (line.size() > kMaxCellText)
        line = line.left(kMaxCellText) + QStringLiteral("…");
    return line;
}

// "back in 41 s", "back in 12 min", "back at 09:00" (or a date and time when it is not today).
QString backText(qint64 atMs, qint64 nowMs) {
    const qint64 secs = (atMs - nowMs + 999) / 1000;
    if (atMs <= 0 || secs <= 0)
        return QString();
    if (secs < 120)
        return KeysPanel::tr("back in %1 s").arg(secs);
    if (secs < 3600)
        return KeysPanel::tr("back in %1 min").arg((secs + 59) / 60);
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(atMs);
    const QLocale locale;
    if (at.date() == QDate::currentDate())
        return KeysPanel::tr("back at %1").arg(locale.toString(at.time(), QLocale::ShortFormat));
    return KeysPanel::tr("back at %1").arg(locale.toString(at, QLocale::ShortFormat));
}

QString secretSourceText(const QString& source) {
    if (source == QLatin1String("config"))
        return KeysPanel::tr("written in the config file");
    if (source.startsWith(QLatin1String("keychain:")))
        return KeysPanel::tr("OS keychain (%1)").arg(source.mid(9));
    if (source.startsWith(QLatin1String("file:")))
        return KeysPanel::tr("file %1").arg(source.mid(5));
    if (source.startsWith(QLatin1String("env:")))
        return KeysPanel::tr("environment variable %1").arg(source.mid(4));
    return source;
}

QColor healthColor(KeyHealth health) {
    switch (health) {
    case KeyHealth::Ready:
        return QColor(0x1e, 0x7e, 0x3a);
    case KeyHealth::CoolingDown:
    case KeyHealth::Limited:
        return QColor(0xa8, 0x6a, 0x00);
    case KeyHealth::Disabled:
    case KeyHealth::NoSecret:
        return QColor(0xb3, 0x26, 0x1e);
    case KeyHealth::UserDisabled:
        break;
    }
    return QColor(0x5f, 0x63, 0x68);
}

bool hasLimit(const ModelBudget& b) {
    return b.rpmLimit > 0 || b.tpmLimit > 0 || b.rpdLimit > 0;
}

double headroomOf(const ModelBudget& b) {
    const auto share = [](qint64 used, qint64 limit) {
        return limit > 0 ? qBound(0.0, 1.0 - double(used) / double(limit), 1.0) : 1.0;
    };
    return std::min({share(b.rpmUsed, b.rpmLimit), share(b.tpmUsed, b.tpmLimit), share(b.rpdUsed, b.rpdLimit)});
}

// "gemini-2.5-flash: 7/10 rpm, 120/250 rpd" (used / limit), plus "cooling down, back in 41 s" while the model cools
// down. withBareCounts adds the counts that have no limit ("3 rpm"), for the tooltip.
QString modelBudgetText(const ModelBudget& b, qint64 nowMs, bool withBareCounts) {
    const QLocale locale;
    QStringList parts;
    const auto add = [&parts, &locale, withBareCounts](qint64 used, qint64 limit, const QString& unit) {
        if (limit > 0)
            parts.append(QStringLiteral("%1/%2 %3").arg(locale.toString(used), locale.toString(limit), unit));
        else if (withBareCounts && used > 0)
            parts.append(QStringLiteral("%1 %2").arg(locale.toString(used), unit));
    };
    add(b.rpmUsed, b.rpmLimit, KeysPanel::tr("rpm"));
    add(b.tpmUsed, b.tpmLimit, KeysPanel::tr("tpm"));
    add(b.rpdUsed, b.rpdLimit, KeysPanel::tr("rpd"));
    const bool cooling = b.cooldownUntilMs > nowMs;
    if (cooling)
        parts.append(KeysPanel::tr("cooling down, %1").arg(backText(b.cooldownUntilMs, nowMs)));
    if (!hasLimit(b) && !cooling)
        parts.append(KeysPanel::tr("no limit set"));
    const QString model = b.model.isEmpty() ? KeysPanel::tr("all models") : b.model;
    QString text = QStringLiteral("%1: %2").arg(model, parts.join(QStringLiteral(", ")));
    if (withBareCounts && cooling && !b.cooldownReason.isEmpty())
        text += QStringLiteral(" (%1)").arg(b.cooldownReason);
    return text;
}

bool limitsConfigured(const ConfigPtr& config) {
    if (!config)
        return false;
    const GeminiConfig& g = config->gemini;
    if (!g.limits.isEmpty())
        return true;
    const bool projectLimits =
        std::any_of(g.projects.cbegin(), g.projects.cend(), [](const ProjectConfig& p) { return !p.limits.isEmpty(); });
    const bool keyLimits =
        std::any_of(g.apiKeys.cbegin(), g.apiKeys.cend(), [](const UpstreamKey& k) { return !k.limits.isEmpty(); });
    return projectLimits || keyLimits;
}

} // namespace

KeysPanel::KeysPanel(GatewayController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller) {
    setObjectName(QStringLiteral("keysPanel"));
    auto* layout = new QVBoxLayout(this);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("keysTable"));
    m_table->setAccessibleName(tr("Upstream keys"));
    m_table->setHorizontalHeaderLabels({tr("Key"), tr("Project"), tr("State"), tr("Budget"), tr("Today"),
                                        tr("Last 24 h"), tr("In flight"), tr("Note"), tr("Last error")});
    m_table->horizontalHeaderItem(ActivityColumn)
        ->setToolTip(tr("Requests per hour over the last 24 hours; the errors among them in red."));
    m_table->setItemDelegateForColumn(ActivityColumn, new SparklineDelegate(m_table));
    m_table->horizontalHeaderItem(BudgetColumn)
        ->setToolTip(tr("The tightest budget of any model: used / limit in the current minute (rpm: requests, tpm: "
                        "input tokens) and since midnight Pacific time (rpd: requests)."));
    m_table->horizontalHeaderItem(TodayColumn)->setToolTip(tr("Requests / tokens since midnight Pacific time."));
    m_table->horizontalHeaderItem(InFlightColumn)->setToolTip(tr("Requests this key is serving right now."));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSortingEnabled(false);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    QHeaderView* header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(BudgetColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(LastErrorColumn, QHeaderView::Stretch);
    header->resizeSection(BudgetColumn, 230);
    header->setSectionResizeMode(ActivityColumn, QHeaderView::Fixed);
    header->resizeSection(ActivityColumn, 5 * KeyActivity::kHours + 8); // 24 bars of 4 px and a gap
    layout->addWidget(m_table, 1);

    auto* buttons = new QHBoxLayout;
    const auto makeButton = [this, buttons](const char* name, const QString& text, const QString& tip) {
        auto* b = new QPushButton(text, this);
        b->setObjectName(QString::fromLatin1(name));
        b->setToolTip(tip);
        buttons->addWidget(b);
        return b;
    };
    m_addButton = makeButton("addKeyButton", tr("Add key…"),
                             tr("Add a Gemini API key; its secret goes to the OS keychain or an owner-only file."));
    m_bulkButton = makeButton("bulkKeysButton", tr("Add many…"),
                              tr("Paste text with many keys: GemGate finds them, checks each against Gemini and adds "
                                 "the ones you pick."));
    m_removeButton = makeButton("removeKeyButton", tr("Remove"),
                                tr("Remove a key added here, and its stored secret. Keys from the config file are "
                                   "removed in the config file."));
    m_enableButton = makeButton("enableKeyButton", tr("Turn on"),
                                tr("Let the key take requests again (also clears a disable after an upstream error)."));
    m_disableButton = makeButton("disableKeyButton", tr("Turn off"), tr("Stop sending requests with this key."));
    m_testButton = makeButton("testKeyButton", tr("Test"), tr("Check the key now with a models list call."));
    m_noteButton = makeButton("noteKeyButton", tr("Note…"), tr("A note and tags for the key, for your own records."));
    buttons->addStretch(1);
    layout->addLayout(buttons);

    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("keysStatusLabel"));
    m_statusLabel->setWordWrap(true);
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_statusLabel);

    connect(m_addButton, &QPushButton::clicked, this, &KeysPanel::openAddDialog);
    connect(m_bulkButton, &QPushButton::clicked, this, [this] {
        auto* dialog = new BulkKeyDialog(m_controller, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &BulkKeyDialog::keysAdded, this, [this](const QStringList& added, const QStringList& errors) {
            showResult(errors.isEmpty(), errors.isEmpty()
                                             ? tr("Added %1.").arg(added.join(QStringLiteral(", ")))
                                             : tr("Added %1; not added: %2")
                                                   .arg(added.isEmpty() ? tr("none") : added.join(QStringLiteral(", ")),
                                                        errors.join(QStringLiteral("; "))));
        });
        dialog->open();
    });
    connect(m_removeButton, &QPushButton::clicked, this, &KeysPanel::removeSelected);
    connect(m_enableButton, &QPushButton::clicked, this, [this] { setSelectedEnabled(true); });
    connect(m_disableButton, &QPushButton::clicked, this, [this] { setSelectedEnabled(false); });
    connect(m_testButton, &QPushButton::clicked, this, &KeysPanel::testSelected);
    connect(m_noteButton, &QPushButton::clicked, this, &KeysPanel::editNoteOfSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &KeysPanel::onSelectionChanged);

    if (controller) {
        connect(controller, &GatewayController::keysChanged, this, &KeysPanel::refresh);
        connect(controller, &GatewayController::stateChanged, this, &KeysPanel::refresh);
        connect(controller, &GatewayController::metricsUpdated, this, &KeysPanel::onMetrics);
        connect(controller, &GatewayController::keyTested, this,
                [this](const QString& id, bool ok, const QString& message) {
                    m_busy.removeAll(id);
                    showResult(ok, tr("%1: %2").arg(id, scrub(message)));
                    updateButtons();
                });
    }
    refresh();
}

KeysPanel::~KeysPanel() = default;

QString KeysPanel::healthText(KeyHealth health) {
    // keyHealthLabel(): ready, cooling_down, limited, disabled, user_disabled, no_secret.
    switch (health) {
    case KeyHealth::Ready:
        return tr("Ready");
    case KeyHealth::CoolingDown:
        return tr("Cooling down");
    case KeyHealth::Limited:
        return tr("At limit");
    case KeyHealth::Disabled:
        return tr("Disabled");
    case KeyHealth::UserDisabled:
        return tr("Off");
    case KeyHealth::NoSecret:
        return tr("No secret");
    }
    return keyHealthLabel(health);
}

QString KeysPanel::budgetText(const KeyStatus& status, qint64 nowMs, bool limitsConfiguredAnywhere) {
    const ModelBudget* tightest = nullptr;
    double least = 2.0;
    for (const ModelBudget& b : status.budgets) {
        const bool cooling = b.cooldownUntilMs > nowMs;
        if (!cooling && !hasLimit(b))
            continue;
        const double headroom = cooling ? -1.0 : headroomOf(b);
        if (headroom < least) {
            least = headroom;
            tightest = &b;
        }
    }
    if (!tightest)
        return limitsConfiguredAnywhere ? tr("within limits") : tr("unlimited");
    return scrub(modelBudgetText(*tightest, nowMs, false));
}

void KeysPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    // The metrics tick skips refreshes while the panel is hidden.
    refresh();
}

void KeysPanel::onMetrics() {
    if (isVisible())
        refresh();
}

void KeysPanel::refresh() {
    const QString selected = selectedKeyId();
    const QList<KeyStatus> statuses = m_controller ? m_controller->keyStatuses() : QList<KeyStatus>();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const bool limits = m_controller && limitsConfigured(m_controller->config());

    bool sameRows = statuses.size() == m_statuses.size();
    for (qsizetype i = 0; sameRows && i < statuses.size(); ++i)
        sameRows = statuses[i].id == m_statuses[i].id;

    m_activity = m_controller ? m_controller->keyActivity(now) : QHash<QString, KeyActivity>();
    m_refreshing = true;
    if (!sameRows)
        m_table->setRowCount(int(statuses.size()));
    m_statuses = statuses;
    // Cells keep their items; setting an unchanged value is a no-op for QTableWidgetItem.
    for (int row = 0; row < int(m_statuses.size()); ++row)
        fillRow(row, m_statuses[row], now, limits);
    if (!sameRows)
        selectKey(selected);
    m_refreshing = false;
    updateButtons();
}

void KeysPanel::fillRow(int row, const KeyStatus& s, qint64 nowMs, bool limits) {
    const auto cell = [this, row, &s](int column) {
        QTableWidgetItem* item = m_table->item(row, column);
        if (!item) {
            item = new QTableWidgetItem;
            item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
            m_table->setItem(row, column, item);
        }
        item->setData(KeyIdRole, s.id);
        return item;
    };
    const QLocale locale;

    // Key: the id; label, where its secret lives and its weight as the tooltip.
    QStringList keyTip;
    keyTip.append(s.label.isEmpty() ? s.id : s.label);
    keyTip.append(tr("Secret: %1").arg(secretSourceText(s.secretSource)));
    keyTip.append(tr("Weight: %1").arg(s.weight));
    if (!s.tags.isEmpty())
        keyTip.append(tr("Tags: %1").arg(s.tags.join(QStringLiteral(", "))));
    keyTip.append(s.managed ? tr("Added in this window") : tr("Defined in the config file"));
    QTableWidgetItem* key = cell(KeyColumn);
    key->setText(s.id);
    key->setToolTip(toolTipText(scrub(keyTip.join(QLatin1Char('\n')))));

    QTableWidgetItem* project = cell(ProjectColumn);
    project->setText(s.project);
    project->setToolTip(toolTipText(tr("Keys of one Google Cloud project share its quotas.")));

    // State: readable health, when it comes back, and why as the tooltip.
    QString state = healthText(s.health);
    QStringList stateTip;
    if (!s.detail.isEmpty())
        stateTip.append(s.detail);
    if (s.health == KeyHealth::CoolingDown || s.health == KeyHealth::Limited) {
        const QString back = backText(s.availableAtMs, nowMs);
        if (!back.isEmpty()) {
            state = tr("%1 (%2)").arg(state, back);
            stateTip.append(
                tr("Expected back at %1.")
                    .arg(locale.toString(QDateTime::fromMSecsSinceEpoch(s.availableAtMs), QLocale::LongFormat)));
        }
    } else if (s.health == KeyHealth::Disabled) {
        stateTip.append(tr("GemGate re-checks the key on a schedule; Test checks it now, Turn on clears the disable."));
    }
    if (!s.disabledReason.isEmpty() && s.health != KeyHealth::Disabled)
        stateTip.append(tr("Disabled by the pool: %1").arg(s.disabledReason));
    QTableWidgetItem* stateItem = cell(StateColumn);
    stateItem->setText(state);
    stateItem->setToolTip(toolTipText(scrub(stateTip.join(QLatin1Char('\n')))));
    stateItem->setData(HealthNameRole, keyHealthLabel(s.health));
    stateItem->setForeground(QBrush(healthColor(s.health)));

    // Budget: the tightest model; every model in the tooltip.
    QStringList budgetTip;
    for (const ModelBudget& b : s.budgets)
        budgetTip.append(modelBudgetText(b, nowMs, true));
    if (budgetTip.isEmpty())
        budgetTip.append(tr("No requests counted yet."));
    QTableWidgetItem* budget = cell(BudgetColumn);
    budget->setText(budgetText(s, nowMs, limits));
    budget->setToolTip(toolTipText(scrub(budgetTip.join(QLatin1Char('\n')))));

    QTableWidgetItem* today = cell(TodayColumn);
    today->setText(QStringLiteral("%1 / %2").arg(locale.toString(s.requestsToday), locale.toString(s.tokensToday)));
    today->setToolTip(toolTipText(tr("%1 requests and %2 tokens since midnight Pacific time")
                                      .arg(locale.toString(s.requestsToday), locale.toString(s.tokensToday))));
    today->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);

    QTableWidgetItem* inFlight = cell(InFlightColumn);
    inFlight->setText(locale.toString(s.inFlight));
    inFlight->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);

    // Last error: one line in the cell (elided by the view), the whole text with its time as the tooltip.
    const QString error = scrub(s.lastError);
    QString errorTip = error;
    if (!error.isEmpty() && s.lastErrorAtMs > 0)
        errorTip =
            tr("At %1:\n%2")
                .arg(locale.toString(QDateTime::fromMSecsSinceEpoch(s.lastErrorAtMs), QLocale::LongFormat), error);
    if (s.lastSuccessAtMs > 0)
        errorTip += (errorTip.isEmpty() ? QString() : QStringLiteral("\n\n")) +
                    tr("Last success: %1")
                        .arg(locale.toString(QDateTime::fromMSecsSinceEpoch(s.lastSuccessAtMs), QLocale::LongFormat));
    // Last 24 h: the sparkline's counts, and the totals as text for the tooltip and screen readers.
    const KeyActivity activity = m_activity.value(s.id);
    QList<qint64> values;
    qint64 requests24 = 0, errors24 = 0;
    for (qint64 v : activity.requests) {
        values.append(v);
        requests24 += v;
    }
    for (qint64 v : activity.errors) {
        values.append(v);
        errors24 += v;
    }
    QTableWidgetItem* spark = cell(ActivityColumn);
    spark->setData(SparklineDelegate::ValuesRole, QVariant::fromValue(values));
    const QString sparkText =
        tr("%1 requests, %2 errors in the last 24 hours").arg(locale.toString(requests24), locale.toString(errors24));
    spark->setData(Qt::AccessibleTextRole, sparkText);
    spark->setToolTip(sparkText);

    QTableWidgetItem* noteItem = cell(NoteColumn);
    QString noteText = s.note;
    if (!s.noteTags.isEmpty())
        noteText = QStringLiteral("[%1] %2").arg(s.noteTags.join(QStringLiteral("] [")), s.note).trimmed();
    noteItem->setText(noteText);
    noteItem->setToolTip(toolTipText(noteText));

    QTableWidgetItem* lastError = cell(LastErrorColumn);
    lastError->setText(firstLine(error));
    lastError->setToolTip(toolTipText(errorTip));
}

QString KeysPanel::selectedKeyId() const {
    const KeyStatus* s = selectedStatus();
    return s ? s->id : QString();
}

const KeyStatus* KeysPanel::selectedStatus() const {
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return nullptr;
    const int row = rows.first().row();
    return row >= 0 && row < m_statuses.size() ? &m_statuses[row] : nullptr;
}

void KeysPanel::selectKey(const QString& id) {
    for (int row = 0; row < int(m_statuses.size()); ++row) {
        if (!id.isEmpty() && m_statuses[row].id == id) {
            if (selectedStatus() != &m_statuses[row])
                m_table->selectRow(row);
            return;
        }
    }
    m_table->clearSelection();
}

QString KeysPanel::statusText() const {
    return m_statusLabel->text();
}

void KeysPanel::onSelectionChanged() {
    if (!m_refreshing)
        updateButtons();
}

void KeysPanel::updateButtons() {
    const bool running = m_controller && m_controller->isRunning();
    const KeyStatus* s = running ? selectedStatus() : nullptr;
    const bool busy = s && m_busy.contains(s->id);
    m_addButton->setEnabled(running);
    m_bulkButton->setEnabled(running);
    m_noteButton->setEnabled(s != nullptr);
    m_removeButton->setEnabled(s && s->managed && !busy);
    m_enableButton->setEnabled(s && s->configEnabled &&
                               (s->health == KeyHealth::UserDisabled || s->health == KeyHealth::Disabled));
    m_disableButton->setEnabled(s && s->health != KeyHealth::UserDisabled);
    m_testButton->setEnabled(s && !busy);
}

void KeysPanel::editNoteOfSelected() {
    const KeyStatus* s = selectedStatus();
    if (!s || !m_controller)
        return;
    auto* dialog = new KeyNoteDialog(s->id, s->note, s->noteTags, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString id = s->id;
    connect(dialog, &QDialog::accepted, this, [this, dialog, id] {
        QString error;
        if (!m_controller || !m_controller->setKeyNote(id, dialog->note(), dialog->tags(), &error))
            showResult(false, tr("Could not save the note of %1: %2").arg(id, error));
        else
            showResult(true, tr("Saved the note of %1.").arg(id));
    });
    dialog->open();
}

void KeysPanel::showResult(bool ok, const QString& message) {
    showStatus(m_statusLabel, ok, message);
    Q_EMIT actionFinished(ok, message);
}

void KeysPanel::showProgress(const QString& message) {
    m_statusLabel->setText(message);
    // A default palette (nothing resolved) falls back to the inherited colours.
    m_statusLabel->setPalette(QPalette());
}

void KeysPanel::openAddDialog() {
    auto* dialog = new AddKeyDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QStringList ids;
    for (const KeyStatus& s : std::as_const(m_statuses))
        ids.append(s.id);
    dialog->setExistingIds(ids);
    // The dialog clears its secret field right after accepted() was delivered.
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        NewKey key = dialog->newKey();
        addKey(key);
        key.secret.fill('\0');
    });
    dialog->open();
}

void KeysPanel::addKey(const NewKey& key) {
    if (!m_controller) {
        showResult(false, tr("Could not add key %1: the gateway is gone.").arg(key.id));
        return;
    }
    const QString id = key.id;
    m_busy.append(id);
    showProgress(tr("Adding key %1…").arg(id));
    updateButtons();
    QPointer<KeysPanel> self(this);
    m_controller->addKey(key, [self, id](bool ok, const QString& message) {
        if (!self)
            return;
        self->m_busy.removeAll(id);
        if (ok) {
            self->refresh();
            self->selectKey(id);
            self->showResult(true, message.isEmpty() ? tr("Added key %1.").arg(id) : scrub(message));
        } else {
            self->showResult(false, tr("Could not add key %1: %2").arg(id, scrub(message)));
        }
        self->updateButtons();
    });
}

void KeysPanel::removeSelected() {
    const KeyStatus* s = selectedStatus();
    if (!s || !m_controller)
        return;
    const QString id = s->id;
    auto* confirm = new QMessageBox(QMessageBox::Question, tr("Remove key"),
                                    tr("Remove the key \"%1\" from GemGate and delete its stored secret?").arg(id),
                                    QMessageBox::Yes | QMessageBox::Cancel, this);
    confirm->setObjectName(QStringLiteral("removeKeyConfirm"));
    confirm->setDefaultButton(QMessageBox::Cancel);
    confirm->setAttribute(Qt::WA_DeleteOnClose);
    connect(confirm, &QMessageBox::buttonClicked, this, [this, confirm, id](QAbstractButton* button) {
        if (confirm->standardButton(button) != QMessageBox::Yes || !m_controller)
            return;
        m_busy.append(id);
        showProgress(tr("Removing key %1…").arg(id));
        updateButtons();
        QPointer<KeysPanel> self(this);
        m_controller->removeKey(id, [self, id](bool ok, const QString& message) {
            if (!self)
                return;
            self->m_busy.removeAll(id);
            if (ok)
                self->showResult(true, message.isEmpty() ? tr("Removed key %1.").arg(id) : scrub(message));
            else
                self->showResult(false, tr("Could not remove key %1: %2").arg(id, scrub(message)));
            self->refresh();
        });
    });
    confirm->open();
}

void KeysPanel::setSelectedEnabled(bool enabled) {
    const KeyStatus* s = selectedStatus();
    if (!s || !m_controller)
        return;
    const QString id = s->id;
    QString error;
    if (!m_controller->setKeyEnabled(id, enabled, &error)) {
        showResult(false, enabled ? tr("Could not turn key %1 on: %2").arg(id, scrub(error))
                                  : tr("Could not turn key %1 off: %2").arg(id, scrub(error)));
        refresh();
        return;
    }
    refresh();
    showResult(true, enabled ? tr("Turned key %1 on.").arg(id) : tr("Turned key %1 off.").arg(id));
}

void KeysPanel::testSelected() {
    const KeyStatus* s = selectedStatus();
    if (!s || !m_controller)
        return;
    const QString id = s->id;
    m_busy.append(id);
    showProgress(tr("Testing key %1…").arg(id));
    updateButtons();
    // The answer arrives as keyTested (at once when the gateway is not running).
    m_controller->testKey(id);
}

} // namespace gemgate
