#include "settingspage.h"

#include "autostart.h"
#include "notifier.h"
#include "settingsform.h"
#include "statusline.h"
#include "textdiff.h"
#include "translations.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBlock>
#include <QTextCursor>
#include <QTimer>
#include <QVBoxLayout>

namespace gemgate {

SettingsPage::SettingsPage(GatewayController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller) {
    setObjectName(QStringLiteral("settingsPage"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("settingsTabs"));
    m_tabs->addTab(buildFormTab(), tr("General"));
    m_tabs->addTab(buildEditorTab(), tr("Config file"));
    m_tabs->addTab(buildHistoryTab(), tr("History"));
    m_tabs->addTab(buildWindowTab(), tr("Window"));
    layout->addWidget(m_tabs, 1);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("settingsStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    connect(controller, &GatewayController::stateChanged, this, &SettingsPage::reload);
    // A reload (also the one that swaps in a new ACME certificate) ends in keysChanged.
    connect(controller, &GatewayController::keysChanged, this, &SettingsPage::updateTlsStatus);
}

QWidget* SettingsPage::buildFormTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    auto* scroll = new QScrollArea(tab);
    scroll->setObjectName(QStringLiteral("settingsFormScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_form = new SettingsForm(scroll);
    scroll->setWidget(m_form);
    layout->addWidget(scroll, 1);
    auto* buttons = new QHBoxLayout;
    m_formApply = new QPushButton(tr("Apply"), tab);
    m_formApply->setObjectName(QStringLiteral("applyFormButton"));
    m_formApply->setToolTip(tr("Write the changed fields into the config file (its comments and other lines stay) "
                               "and swap it in without a restart"));
    m_formRevert = new QPushButton(tr("Revert"), tab);
    m_formRevert->setObjectName(QStringLiteral("revertFormButton"));
    m_formRevert->setToolTip(tr("Throw the changes away and show the settings in force"));
    buttons->addWidget(m_formApply);
    buttons->addWidget(m_formRevert);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    connect(m_form, &SettingsForm::changed, this, &SettingsPage::updateApply);
    connect(m_formApply, &QPushButton::clicked, this, &SettingsPage::applyForm);
    connect(m_formRevert, &QPushButton::clicked, this, &SettingsPage::reload);
    return tab;
}

QWidget* SettingsPage::buildEditorTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    auto* note = new QLabel(tr("The config in force. Secrets show as placeholders; leave them as they are to keep the "
                               "secret. Apply checks the text, writes the file and swaps it in without a restart."),
                            tab);
    note->setWordWrap(true);
    layout->addWidget(note);
    auto* split = new QSplitter(Qt::Vertical, tab);
    m_editor = new QPlainTextEdit(split);
    m_editor->setObjectName(QStringLiteral("configEditor"));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setTabChangesFocus(true);
    m_editor->setAccessibleName(tr("Config file text"));
    m_problems = new QListWidget(split);
    m_problems->setObjectName(QStringLiteral("configProblems"));
    m_problems->setAccessibleName(tr("Problems in the config text"));
    split->addWidget(m_editor);
    split->addWidget(m_problems);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);
    auto* buttons = new QHBoxLayout;
    m_apply = new QPushButton(tr("Apply"), tab);
    m_apply->setObjectName(QStringLiteral("applyConfigButton"));
    m_revert = new QPushButton(tr("Revert"), tab);
    m_revert->setObjectName(QStringLiteral("revertConfigButton"));
    m_revert->setToolTip(tr("Throw the edits away and show the config in force"));
    buttons->addWidget(m_apply);
    buttons->addWidget(m_revert);
    buttons->addStretch(1);
    layout->addLayout(buttons);

    m_validateTimer = new QTimer(this);
    m_validateTimer->setSingleShot(true);
    m_validateTimer->setInterval(400);
    connect(m_validateTimer, &QTimer::timeout, this, &SettingsPage::validate);
    connect(m_editor, &QPlainTextEdit::textChanged, this, [this] {
        m_validateTimer->start(); // Apply waits for the check
        updateApply();
    });
    connect(m_apply, &QPushButton::clicked, this, &SettingsPage::apply);
    connect(m_revert, &QPushButton::clicked, this, &SettingsPage::reload);
    // A problem's line: put the cursor there.
    connect(m_problems, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        const int line = item->data(Qt::UserRole).toInt();
        if (line <= 0)
            return;
        QTextCursor c(m_editor->document()->findBlockByNumber(line - 1));
        m_editor->setTextCursor(c);
        m_editor->setFocus();
    });
    return tab;
}

QWidget* SettingsPage::buildHistoryTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    auto* split = new QSplitter(Qt::Vertical, tab);
    m_history = new QTableWidget(0, 5, split);
    m_history->setObjectName(QStringLiteral("configHistoryTable"));
    m_history->setAccessibleName(tr("Config versions"));
    m_history->setHorizontalHeaderLabels({tr("Version"), tr("Applied"), tr("By"), tr("How"), tr("Comment")});
    m_history->verticalHeader()->hide();
    m_history->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_history->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_history->setSelectionMode(QAbstractItemView::SingleSelection);
    m_history->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_history->horizontalHeader()->setStretchLastSection(true);
    m_diff = new QPlainTextEdit(split);
    m_diff->setObjectName(QStringLiteral("configDiff"));
    m_diff->setReadOnly(true);
    m_diff->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_diff->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_diff->setPlaceholderText(tr("Select a version to see how it differs from the config in force."));
    m_diff->setAccessibleName(tr("Differences"));
    split->addWidget(m_history);
    split->addWidget(m_diff);
    layout->addWidget(split, 1);
    auto* buttons = new QHBoxLayout;
    m_rollback = new QPushButton(tr("Roll back to this version…"), tab);
    m_rollback->setObjectName(QStringLiteral("rollbackConfigButton"));
    m_rollback->setEnabled(false);
    buttons->addWidget(m_rollback);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    connect(m_history, &QTableWidget::itemSelectionChanged, this, &SettingsPage::showDiff);
    connect(m_rollback, &QPushButton::clicked, this, [this] {
        auto* box = new QMessageBox(QMessageBox::Question, tr("Roll back"),
                                    tr("Apply this version again? It becomes a new version in the history."),
                                    QMessageBox::Yes | QMessageBox::Cancel, this);
        box->setObjectName(QStringLiteral("rollbackConfirm"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QMessageBox::buttonClicked, this, [this, box](QAbstractButton* b) {
            if (box->standardButton(b) == QMessageBox::Yes)
                rollbackToSelected();
        });
        box->open();
    });
    return tab;
}

QWidget* SettingsPage::buildWindowTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    auto* form = new QFormLayout;
    m_language = new QComboBox(tab);
    m_language->setObjectName(QStringLiteral("languageCombo"));
    m_language->addItem(tr("The system's language"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("简体中文"), QStringLiteral("zh_CN"));
    m_language->setCurrentIndex(qMax(0, m_language->findData(savedUiLanguage())));
    form->addRow(tr("&Language:"), m_language);
    auto* languageNote = new QLabel(tr("A new language applies when GemGate starts again."), tab);
    languageNote->setWordWrap(true);
    form->addRow(QString(), languageNote);
    connect(m_language, &QComboBox::currentIndexChanged, this, [this] {
        saveUiLanguage(m_language->currentData().toString());
        showResult(true, tr("The window's language is saved; it applies when GemGate starts again."));
    });
    auto* autostart = new QCheckBox(tr("Start GemGate in the tray when I log in"), tab);
    autostart->setObjectName(QStringLiteral("autostartCheck"));
    autostart->setChecked(isAutostartEnabled());
    connect(autostart, &QCheckBox::toggled, this, [this, autostart](bool on) {
        QString error;
        if (!setAutostartEnabled(on, &error)) {
            showResult(false, error);
            const QSignalBlocker block(autostart);
            autostart->setChecked(!on);
        }
    });
    form->addRow(tr("Start:"), autostart);
    layout->addLayout(form);
    auto* notes = new QGroupBox(tr("Desktop notifications"), tab);
    auto* notesLayout = new QVBoxLayout(notes);
    for (int k = 0; k < Notifier::kKindCount; ++k) {
        const auto kind = Notifier::Kind(k);
        auto* box = new QCheckBox(Notifier::kindTitle(kind), notes);
        box->setObjectName(QStringLiteral("notify_") + Notifier::settingsKey(kind).section(u'/', 1));
        box->setChecked(Notifier::isEnabled(kind));
        connect(box, &QCheckBox::toggled, this, [kind](bool on) { Notifier::setEnabled(kind, on); });
        notesLayout->addWidget(box);
    }
    layout->addWidget(notes);
    layout->addStretch(1);
    return tab;
}

void SettingsPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    // Edits in progress stay; otherwise show what is in force now (the file may have changed underneath).
    if ((m_editor->toPlainText().toUtf8() == m_loaded && !m_form->hasChanges()) || m_loaded.isEmpty())
        reload();
}

QString SettingsPage::statusText() const {
    return m_status->text();
}

void SettingsPage::showResult(bool ok, const QString& text) {
    showStatus(m_status, ok, text);
}

void SettingsPage::reload() {
    m_loaded = m_controller ? m_controller->redactedConfigText(&m_version) : QByteArray();
    {
        const QSignalBlocker block(m_editor);
        m_editor->setPlainText(QString::fromUtf8(m_loaded));
    }
    m_editor->setReadOnly(m_loaded.isEmpty());
    if (m_loaded.isEmpty())
        m_editor->setPlaceholderText(m_controller && m_controller->isRunning()
                                         ? tr("GemGate runs from a built-in configuration, not a file.")
                                         : tr("Start the gateway to edit its config."));
    m_problems->clear();
    m_valid = true;
    if (const ConfigPtr config = m_controller ? m_controller->config() : nullptr)
        m_form->load(*config);
    m_form->setEnabled(!m_loaded.isEmpty());
    updateTlsStatus();
    updateApply();

    const QList<ConfigVersion> versions = m_controller ? m_controller->configHistory(100, 0) : QList<ConfigVersion>();
    m_history->setRowCount(int(versions.size()));
    const QLocale locale;
    for (int r = 0; r < versions.size(); ++r) {
        const ConfigVersion& v = versions[r];
        const QString cells[] = {v.version == m_version ? tr("%1 (in force)").arg(v.version)
                                                        : QString::number(v.version),
                                 locale.toString(QDateTime::fromMSecsSinceEpoch(v.appliedAtMs), QLocale::ShortFormat),
                                 v.who, v.source, v.comment};
        for (int c = 0; c < 5; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setData(Qt::UserRole, v.version);
            m_history->setItem(r, c, item);
        }
    }
    m_diff->clear();
    m_rollback->setEnabled(false);
}

void SettingsPage::updateApply() {
    const bool changed = m_editor->toPlainText().toUtf8() != m_loaded;
    m_apply->setEnabled(!m_loaded.isEmpty() && changed && m_valid && !m_validateTimer->isActive());
    m_revert->setEnabled(changed);
    const bool formChanged = m_form->hasChanges();
    m_formApply->setEnabled(!m_loaded.isEmpty() && formChanged);
    m_formRevert->setEnabled(formChanged);
}

void SettingsPage::validate() {
    m_validateTimer->stop();
    if (!m_controller || m_loaded.isEmpty())
        return;
    const QStringList issues = m_controller->checkConfigText(m_editor->toPlainText().toUtf8());
    m_problems->clear();
    for (const QString& issue : issues) {
        auto* item = new QListWidgetItem(issue, m_problems);
        // "file:line:column: path: message": the line, to jump to.
        const QStringList parts = issue.split(QLatin1Char(':'));
        for (int i = 1; i + 1 < parts.size(); ++i) {
            bool ok = false;
            const int line = parts[i].toInt(&ok);
            if (ok && line > 0) {
                item->setData(Qt::UserRole, line);
                break;
            }
        }
    }
    m_valid = issues.isEmpty();
    updateApply();
}

bool SettingsPage::apply() {
    validate();
    if (!m_valid || !m_controller)
        return false;
    const ConfigApplyResult r = m_controller->applyConfigText(
        m_editor->toPlainText().toUtf8(), QStringLiteral("window"), m_version, QStringLiteral("window"));
    if (!r.ok) {
        for (const QString& issue : r.issueLines())
            new QListWidgetItem(issue, m_problems);
        showResult(false, tr("Not applied: %1").arg(r.error));
        return false;
    }
    reload();
    showResult(true,
               r.warnings.isEmpty()
                   ? tr("Applied as version %1.").arg(r.version)
                   : tr("Applied as version %1, but: %2").arg(r.version).arg(r.warnings.join(QStringLiteral("; "))));
    return true;
}

void SettingsPage::updateTlsStatus() {
    if (!m_controller)
        return;
    const std::optional<ServedCertificate> served = m_controller->servedCertificate();
    if (!served) {
        m_form->setTlsStatus(m_controller->isRunning() ? tr("HTTPS is off.") : QString());
        return;
    }
    const QLocale locale;
    const QString source = served->source == QLatin1String("acme")   ? tr("the ACME certificate")
                           : served->source == QLatin1String("file") ? tr("the certificate file")
                                                                     : tr("a self-signed certificate");
    QString text = tr("Serving %1 for %2, issued by %3, valid until %4.")
                       .arg(source, served->names.join(QStringLiteral(", ")), served->issuer,
                            locale.toString(served->notAfter.toLocalTime(), QLocale::ShortFormat));
    const AcmeStatus acme = m_controller->acmeStatus();
    if (acme.enabled) {
        if (acme.ordering)
            text += QLatin1Char(' ') + tr("ACME: ordering a certificate now.");
        else if (!acme.lastError.isEmpty())
            text += QLatin1Char(' ') + tr("ACME: the last order failed: %1").arg(acme.lastError);
        else if (acme.nextAttemptMs > 0)
            text += QLatin1Char(' ') +
                    tr("ACME: next renewal %1.")
                        .arg(locale.toString(QDateTime::fromMSecsSinceEpoch(acme.nextAttemptMs), QLocale::ShortFormat));
    }
    m_form->setTlsStatus(text);
}

bool SettingsPage::applyForm() {
    const QList<YamlEdit> edits = m_form->edits();
    if (edits.isEmpty() || !m_controller || m_loaded.isEmpty())
        return false;
    QString error;
    const std::optional<QByteArray> text = m_controller->editConfigText(m_loaded, edits, &error);
    if (!text) {
        showResult(false, tr("Not applied: %1").arg(error));
        return false;
    }
    {
        const QSignalBlocker block(m_editor);
        m_editor->setPlainText(QString::fromUtf8(*text));
    }
    if (apply())
        return true;
    // The reasons are listed under the text on the Config file tab, which now holds the edited text.
    if (m_problems->count() > 0)
        showResult(false, tr("Not applied: %1 (see the Config file tab)").arg(m_problems->item(0)->text()));
    return false;
}

void SettingsPage::showDiff() {
    const QList<QTableWidgetItem*> items = m_history->selectedItems();
    const int version = items.isEmpty() ? 0 : items.first()->data(Qt::UserRole).toInt();
    m_rollback->setEnabled(version > 0 && version != m_version);
    if (version <= 0 || !m_controller) {
        m_diff->clear();
        return;
    }
    QString error;
    const std::optional<QByteArray> text = m_controller->redactedConfigVersion(version, &error);
    if (!text) {
        m_diff->setPlainText(error);
        return;
    }
    if (version == m_version) {
        m_diff->setPlainText(tr("This is the version in force."));
        return;
    }
    // What rolling back would change: from the text in force to that version.
    const QList<DiffLine> lines = diffLines(QString::fromUtf8(m_loaded).split(QLatin1Char('\n')),
                                            QString::fromUtf8(*text).split(QLatin1Char('\n')));
    m_diff->setPlainText(tr("From the config in force (-) to version %1 (+):").arg(version) + QLatin1Char('\n') +
                         diffText(lines));
}

bool SettingsPage::rollbackToSelected() {
    const QList<QTableWidgetItem*> items = m_history->selectedItems();
    const int version = items.isEmpty() ? 0 : items.first()->data(Qt::UserRole).toInt();
    if (version <= 0 || !m_controller)
        return false;
    const ConfigApplyResult r = m_controller->rollbackConfig(version, QStringLiteral("window"));
    if (!r.ok) {
        showResult(false, tr("Could not roll back: %1").arg(r.error));
        return false;
    }
    reload();
    showResult(true, tr("Rolled back to version %1 (now version %2).").arg(version).arg(r.version));
    return true;
}

} // namespace gemgate
