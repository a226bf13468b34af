#include "settingsform.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <limits>

namespace gemgate {

namespace {

QLineEdit* lineEdit(QWidget* parent, const char* name, const QString& accessible) {
    auto* e = new QLineEdit(parent);
    e->setObjectName(QString::fromLatin1(name));
    e->setAccessibleName(accessible);
    return e;
}

QSpinBox* spinBox(QWidget* parent, const char* name, const QString& accessible, int min, int max,
                  const QString& special = {}) {
    auto* s = new QSpinBox(parent);
    s->setObjectName(QString::fromLatin1(name));
    s->setAccessibleName(accessible);
    s->setRange(min, max);
    s->setSpecialValueText(special);
    s->setGroupSeparatorShown(true);
    return s;
}

QCheckBox* checkBox(QWidget* parent, const char* name, const QString& text) {
    auto* c = new QCheckBox(text, parent);
    c->setObjectName(QString::fromLatin1(name));
    return c;
}

QComboBox* comboBox(QWidget* parent, const char* name, const QString& accessible,
                    const QList<QPair<QString, QString>>& items) {
    auto* c = new QComboBox(parent);
    c->setObjectName(QString::fromLatin1(name));
    c->setAccessibleName(accessible);
    for (const auto& [value, text] : items)
        c->addItem(text, value);
    return c;
}

// A list field as one line: "a, b, c".
QStringList splitList(const QString& text) {
    QStringList out;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString t = part.trimmed();
        if (!t.isEmpty())
            out.append(t);
    }
    return out;
}

// A limit of -1 (not set) shows as 0 (unlimited): both let the next level decide or limit nothing.
int limitValue(qint64 v) {
    return int(qBound<qint64>(0, v, qint64(std::numeric_limits<int>::max())));
}

QString strategyName(KeyStrategy s) {
    switch (s) {
    case KeyStrategy::RoundRobin:
        return QStringLiteral("round_robin");
    case KeyStrategy::LeastInFlight:
        return QStringLiteral("least_in_flight");
    case KeyStrategy::MostHeadroom:
        return QStringLiteral("most_headroom");
    case KeyStrategy::WeightedRandom:
        return QStringLiteral("weighted_random");
    case KeyStrategy::Sticky:
        return QStringLiteral("sticky");
    }
    return QStringLiteral("round_robin");
}

void selectData(QComboBox* combo, const QString& value) {
    const int i = combo->findData(value);
    combo->setCurrentIndex(i < 0 ? 0 : i);
}

} // namespace

SettingsForm::SettingsForm(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("settingsForm"));
    auto* grid = new QGridLayout(this);
    grid->addWidget(buildListenerGroup(), 0, 0);
    grid->addWidget(buildTlsGroup(), 0, 1);
    grid->addWidget(buildAuthGroup(), 1, 0);
    grid->addWidget(buildKeysGroup(), 1, 1);
    grid->addWidget(buildLimitsGroup(), 2, 0);
    grid->addWidget(buildLogGroup(), 2, 1);
    grid->addWidget(buildOpenAiGroup(), 3, 0, 1, 2);
    grid->setRowStretch(4, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    // Every editor reports a change (the page enables Apply from it).
    for (QLineEdit* e : findChildren<QLineEdit*>())
        connect(e, &QLineEdit::textEdited, this, &SettingsForm::changed);
    for (QSpinBox* s : findChildren<QSpinBox*>())
        connect(s, &QSpinBox::valueChanged, this, &SettingsForm::changed);
    for (QCheckBox* c : findChildren<QCheckBox*>())
        connect(c, &QCheckBox::toggled, this, &SettingsForm::changed);
    for (QComboBox* c : findChildren<QComboBox*>())
        connect(c, &QComboBox::currentIndexChanged, this, &SettingsForm::changed);
    connect(m_aliases, &QTableWidget::itemChanged, this, &SettingsForm::changed);
}

void SettingsForm::addField(const char* path, std::function<QString()> value,
                            std::function<YamlEdit(const QStringList&)> edit) {
    m_fields.append({QString::fromLatin1(path).split(QLatin1Char('.')), std::move(value), std::move(edit), QString()});
}

QWidget* SettingsForm::browseRow(QLineEdit* edit, bool directoryOk) {
    auto* row = new QWidget(edit->parentWidget());
    auto* h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    edit->setParent(row);
    h->addWidget(edit, 1);
    auto* browse = new QPushButton(tr("Browse…"), row);
    browse->setObjectName(edit->objectName() + QStringLiteral("Browse"));
    browse->setAccessibleName(tr("Browse for %1").arg(edit->accessibleName()));
    h->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, [this, edit, directoryOk] {
        const QString path = directoryOk ? QFileDialog::getExistingDirectory(this, edit->accessibleName(), edit->text())
                                         : QFileDialog::getOpenFileName(this, edit->accessibleName(), edit->text());
        if (!path.isEmpty()) {
            edit->setText(path);
            Q_EMIT changed();
        }
    });
    return row;
}

QWidget* SettingsForm::buildListenerGroup() {
    auto* box = new QGroupBox(tr("Listener"), this);
    auto* form = new QFormLayout(box);
    auto* host = lineEdit(box, "formHost", tr("Listen address"));
    host->setToolTip(tr("127.0.0.1 serves this machine only; 0.0.0.0 or :: opens GemGate to the network."));
    auto* port = spinBox(box, "formPort", tr("Port"), 0, 65535, tr("any free port"));
    port->setGroupSeparatorShown(false);
    auto* workers = spinBox(box, "formWorkers", tr("Worker threads"), 0, 256, tr("one per core"));
    auto* maxConn = spinBox(box, "formMaxConnections", tr("Most connections"), 1, 1000000);
    form->addRow(tr("&Address:"), host);
    form->addRow(tr("&Port:"), port);
    form->addRow(tr("&Workers:"), workers);
    form->addRow(tr("Most &connections:"), maxConn);
    m_loaders.append([=](const Config& c) {
        host->setText(c.server.host);
        port->setValue(c.server.port);
        workers->setValue(c.server.workers);
        maxConn->setValue(c.server.maxConnections);
    });
    addField(
        "server.host", [host] { return host->text().trimmed(); },
        [host](const QStringList& p) { return YamlEdit::string(p, host->text().trimmed()); });
    addField(
        "server.port", [port] { return QString::number(port->value()); },
        [port](const QStringList& p) { return YamlEdit::number(p, port->value()); });
    addField(
        "server.workers", [workers] { return QString::number(workers->value()); },
        [workers](const QStringList& p) { return YamlEdit::number(p, workers->value()); });
    addField(
        "server.max_connections", [maxConn] { return QString::number(maxConn->value()); },
        [maxConn](const QStringList& p) { return YamlEdit::number(p, maxConn->value()); });
    return box;
}

QWidget* SettingsForm::buildTlsGroup() {
    auto* box = new QGroupBox(tr("HTTPS"), this);
    auto* form = new QFormLayout(box);
    auto* enabled = checkBox(box, "formTlsEnabled", tr("Serve &HTTPS"));
    auto* cert = lineEdit(box, "formTlsCert", tr("Certificate file"));
    cert->setPlaceholderText(tr("empty: a self-signed certificate"));
    auto* key = lineEdit(box, "formTlsKey", tr("Private key file"));
    key->setPlaceholderText(tr("empty: a self-signed certificate"));
    form->addRow(enabled);
    form->addRow(tr("C&ertificate:"), browseRow(cert, false));
    form->addRow(tr("Private &key:"), browseRow(key, false));
    auto* note = new QLabel(tr("Certificates from an ACME CA are set in the config file (server.tls.acme)."), box);
    note->setWordWrap(true);
    form->addRow(note);
    m_tlsStatus = new QLabel(box);
    m_tlsStatus->setObjectName(QStringLiteral("formTlsStatus"));
    m_tlsStatus->setWordWrap(true);
    m_tlsStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(m_tlsStatus);
    m_loaders.append([=](const Config& c) {
        enabled->setChecked(c.server.tls.enabled);
        cert->setText(c.server.tls.certPath);
        key->setText(c.server.tls.keyPath);
    });
    addField(
        "server.tls.enabled", [enabled] { return QString::number(enabled->isChecked()); },
        [enabled](const QStringList& p) { return YamlEdit::boolean(p, enabled->isChecked()); });
    addField(
        "server.tls.cert_path", [cert] { return cert->text().trimmed(); },
        [cert](const QStringList& p) { return YamlEdit::string(p, cert->text().trimmed()); });
    addField(
        "server.tls.key_path", [key] { return key->text().trimmed(); },
        [key](const QStringList& p) { return YamlEdit::string(p, key->text().trimmed()); });
    return box;
}

QWidget* SettingsForm::buildAuthGroup() {
    auto* box = new QGroupBox(tr("Authentication"), this);
    auto* form = new QFormLayout(box);
    auto* enabled = checkBox(box, "formAuthEnabled", tr("Clients must present a &key"));
    auto* rpm = spinBox(box, "formClientRpm", tr("Requests per minute per client"), 0, 1000000, tr("unlimited"));
    auto* allow = lineEdit(box, "formIpAllow", tr("Allowed addresses"));
    allow->setPlaceholderText(tr("every address; e.g. 10.0.0.0/8, ::1"));
    auto* deny = lineEdit(box, "formIpDeny", tr("Refused addresses"));
    deny->setPlaceholderText(tr("none"));
    form->addRow(enabled);
    form->addRow(tr("Requests/min per &client:"), rpm);
    form->addRow(tr("A&llowed addresses:"), allow);
    form->addRow(tr("&Refused addresses:"), deny);
    m_loaders.append([=](const Config& c) {
        enabled->setChecked(c.auth.enabled);
        rpm->setValue(c.auth.rateLimitPerMinute);
        allow->setText(c.auth.ipAllow.join(QStringLiteral(", ")));
        deny->setText(c.auth.ipDeny.join(QStringLiteral(", ")));
    });
    addField(
        "auth.enabled", [enabled] { return QString::number(enabled->isChecked()); },
        [enabled](const QStringList& p) { return YamlEdit::boolean(p, enabled->isChecked()); });
    addField(
        "auth.rate_limit_per_minute", [rpm] { return QString::number(rpm->value()); },
        [rpm](const QStringList& p) { return YamlEdit::number(p, rpm->value()); });
    for (auto [path, edit] : {std::pair{"auth.ip_allow", allow}, std::pair{"auth.ip_deny", deny}}) {
        QLineEdit* e = edit;
        addField(
            path, [e] { return splitList(e->text()).join(u','); },
            [e](const QStringList& p) { return YamlEdit::stringList(p, splitList(e->text())); });
    }
    return box;
}

QWidget* SettingsForm::buildKeysGroup() {
    auto* box = new QGroupBox(tr("Upstream keys"), this);
    auto* form = new QFormLayout(box);
    auto* strategy = comboBox(box, "formStrategy", tr("Key choice"),
                              {{QStringLiteral("round_robin"), tr("Round robin")},
                               {QStringLiteral("least_in_flight"), tr("Fewest requests in flight")},
                               {QStringLiteral("most_headroom"), tr("Most quota left")},
                               {QStringLiteral("weighted_random"), tr("Weighted random")},
                               {QStringLiteral("sticky"), tr("Sticky per session")}});
    auto* retries = spinBox(box, "formMaxRetries", tr("Retries on another key"), 0, 20);
    auto* health = spinBox(box, "formHealthCheck", tr("Health check of resting keys, seconds"), 0, 86400, tr("never"));
    health->setSuffix(tr(" s"));
    form->addRow(tr("Key &choice:"), strategy);
    form->addRow(tr("Retries on &another key:"), retries);
    form->addRow(tr("Re-check &resting keys every:"), health);
    m_loaders.append([=](const Config& c) {
        selectData(strategy, strategyName(c.gemini.keyPool.strategy));
        retries->setValue(c.gemini.maxRetries);
        health->setValue(c.gemini.keyPool.healthCheckSeconds);
    });
    addField(
        "gemini.key_pool.strategy", [strategy] { return strategy->currentData().toString(); },
        [strategy](const QStringList& p) { return YamlEdit::string(p, strategy->currentData().toString()); });
    addField(
        "gemini.max_retries", [retries] { return QString::number(retries->value()); },
        [retries](const QStringList& p) { return YamlEdit::number(p, retries->value()); });
    addField(
        "gemini.key_pool.health_check_seconds", [health] { return QString::number(health->value()); },
        [health](const QStringList& p) { return YamlEdit::number(p, health->value()); });
    return box;
}

QWidget* SettingsForm::buildLimitsGroup() {
    auto* box = new QGroupBox(tr("Client quotas and gateway limits"), this);
    auto* form = new QFormLayout(box);
    auto* tokensDay = spinBox(box, "formTokensPerDay", tr("Tokens per day per client"), 0, 2000000000, tr("unlimited"));
    auto* requestsDay =
        spinBox(box, "formRequestsPerDay", tr("Requests per day per client"), 0, 100000000, tr("unlimited"));
    auto* globalRpm =
        spinBox(box, "formGlobalRpm", tr("Requests per minute, whole gateway"), 0, 100000000, tr("unlimited"));
    auto* zone = lineEdit(box, "formTimeZone", tr("Time zone of days and months"));
    zone->setPlaceholderText(tr("UTC, local or an IANA name such as Asia/Shanghai"));
    form->addRow(tr("&Tokens per day per client:"), tokensDay);
    form->addRow(tr("Re&quests per day per client:"), requestsDay);
    form->addRow(tr("Requests per minute, &whole gateway:"), globalRpm);
    form->addRow(tr("Days and months in time &zone:"), zone);
    m_loaders.append([=](const Config& c) {
        tokensDay->setValue(limitValue(c.limits.clientDefault.tokensPerDay));
        requestsDay->setValue(limitValue(c.limits.clientDefault.requestsPerDay));
        globalRpm->setValue(limitValue(c.limits.global.requestsPerMinute));
        zone->setText(c.limits.timeZone);
    });
    for (auto [path, spin] : {std::pair{"limits.client_default.tokens_per_day", tokensDay},
                              std::pair{"limits.client_default.requests_per_day", requestsDay},
                              std::pair{"limits.global.requests_per_minute", globalRpm}}) {
        QSpinBox* s = spin;
        addField(
            path, [s] { return QString::number(s->value()); },
            [s](const QStringList& p) { return YamlEdit::number(p, s->value()); });
    }
    addField(
        "limits.time_zone", [zone] { return zone->text().trimmed(); },
        [zone](const QStringList& p) { return YamlEdit::string(p, zone->text().trimmed()); });
    return box;
}

QWidget* SettingsForm::buildLogGroup() {
    auto* box = new QGroupBox(tr("Logging"), this);
    auto* form = new QFormLayout(box);
    auto* target = comboBox(box, "formAccessLog", tr("Access log"),
                            {{QStringLiteral("stdout"), tr("Standard output")},
                             {QStringLiteral("file"), tr("A file")},
                             {QStringLiteral("off"), tr("Off")}});
    auto* path = lineEdit(box, "formAccessLogPath", tr("Access log file"));
    auto* pathRow = browseRow(path, false);
    auto* level = comboBox(box, "formLogLevel", tr("Log level"),
                           {{QStringLiteral("debug"), tr("Debug")},
                            {QStringLiteral("info"), tr("Info")},
                            {QStringLiteral("warning"), tr("Warning")},
                            {QStringLiteral("error"), tr("Error")}});
    auto* bodies = checkBox(box, "formBodyLog", tr("Log request and response &bodies (for debugging; redacted)"));
    form->addRow(tr("Access &log:"), target);
    form->addRow(tr("Log &file:"), pathRow);
    form->addRow(tr("Le&vel:"), level);
    form->addRow(bodies);
    auto syncPath = [target, pathRow] { pathRow->setEnabled(target->currentData() == QStringLiteral("file")); };
    connect(target, &QComboBox::currentIndexChanged, this, syncPath);
    m_loaders.append([=](const Config& c) {
        selectData(target, c.log.accessLog == LogTarget::File  ? QStringLiteral("file")
                           : c.log.accessLog == LogTarget::Off ? QStringLiteral("off")
                                                               : QStringLiteral("stdout"));
        path->setText(c.log.accessLogPath);
        selectData(level, c.log.level);
        bodies->setChecked(c.log.bodies.enabled);
        syncPath();
    });
    // One YAML field holds both: "stdout", "off" or the file's path.
    auto value = [target, path] {
        const QString t = target->currentData().toString();
        return t == QLatin1String("file") ? path->text().trimmed() : t;
    };
    addField("log.access_log", value, [value](const QStringList& p) { return YamlEdit::string(p, value()); });
    addField(
        "log.level", [level] { return level->currentData().toString(); },
        [level](const QStringList& p) { return YamlEdit::string(p, level->currentData().toString()); });
    addField(
        "log.bodies.enabled", [bodies] { return QString::number(bodies->isChecked()); },
        [bodies](const QStringList& p) { return YamlEdit::boolean(p, bodies->isChecked()); });
    return box;
}

QWidget* SettingsForm::buildOpenAiGroup() {
    auto* box = new QGroupBox(tr("OpenAI-compatible API"), this);
    auto* layout = new QVBoxLayout(box);
    auto* enabled = checkBox(box, "formOpenAiEnabled", tr("Serve /v1/chat/completions, /v1/embeddings and /v1/models"));
    auto* reasoning =
        checkBox(box, "formReasoningContent", tr("Send thoughts as reasoning_content (for clients that show them)"));
    layout->addWidget(enabled);
    layout->addWidget(reasoning);
    auto* label = new QLabel(tr("Model aliases: a model name a client asks for, and the Gemini model it gets."), box);
    label->setWordWrap(true);
    layout->addWidget(label);
    auto* row = new QHBoxLayout;
    m_aliases = new QTableWidget(0, 2, box);
    m_aliases->setObjectName(QStringLiteral("formAliases"));
    m_aliases->setAccessibleName(tr("Model aliases"));
    m_aliases->setHorizontalHeaderLabels({tr("Client asks for"), tr("Gemini model")});
    m_aliases->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_aliases->verticalHeader()->hide();
    m_aliases->setTabKeyNavigation(false);
    m_aliases->setMinimumHeight(120);
    row->addWidget(m_aliases, 1);
    auto* buttons = new QVBoxLayout;
    auto* add = new QPushButton(tr("Add alias"), box);
    add->setObjectName(QStringLiteral("formAddAlias"));
    auto* remove = new QPushButton(tr("Remove alias"), box);
    remove->setObjectName(QStringLiteral("formRemoveAlias"));
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    row->addLayout(buttons);
    layout->addLayout(row);
    connect(add, &QPushButton::clicked, this, [this] {
        const int r = m_aliases->rowCount();
        m_aliases->insertRow(r);
        m_aliases->setItem(r, 0, new QTableWidgetItem);
        m_aliases->setItem(r, 1, new QTableWidgetItem);
        m_aliases->setCurrentCell(r, 0);
        m_aliases->editItem(m_aliases->item(r, 0));
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int r = m_aliases->currentRow();
        if (r >= 0) {
            m_aliases->removeRow(r);
            Q_EMIT changed();
        }
    });
    m_loaders.append([=, this](const Config& c) {
        enabled->setChecked(c.openai.enabled);
        reasoning->setChecked(c.openai.reasoningContent);
        QStringList names = c.openai.modelAliases.keys();
        names.sort();
        m_aliases->setRowCount(0);
        for (const QString& name : names) {
            const int r = m_aliases->rowCount();
            m_aliases->insertRow(r);
            m_aliases->setItem(r, 0, new QTableWidgetItem(name));
            m_aliases->setItem(r, 1, new QTableWidgetItem(c.openai.modelAliases.value(name)));
        }
    });
    addField(
        "openai.enabled", [enabled] { return QString::number(enabled->isChecked()); },
        [enabled](const QStringList& p) { return YamlEdit::boolean(p, enabled->isChecked()); });
    addField(
        "openai.reasoning_content", [reasoning] { return QString::number(reasoning->isChecked()); },
        [reasoning](const QStringList& p) { return YamlEdit::boolean(p, reasoning->isChecked()); });
    // Rows with both names, in the table's order (a half-filled row is not written).
    auto entries = [this] {
        QList<QPair<QString, QString>> out;
        for (int r = 0; r < m_aliases->rowCount(); ++r) {
            const QString from = m_aliases->item(r, 0) ? m_aliases->item(r, 0)->text().trimmed() : QString();
            const QString to = m_aliases->item(r, 1) ? m_aliases->item(r, 1)->text().trimmed() : QString();
            if (!from.isEmpty() && !to.isEmpty())
                out.append({from, to});
        }
        return out;
    };
    addField(
        "openai.model_aliases",
        [entries] {
            QStringList parts;
            for (const auto& [from, to] : entries())
                parts.append(from + QLatin1Char('=') + to);
            return parts.join(u'\n');
        },
        [entries](const QStringList& p) { return YamlEdit::stringMap(p, entries()); });
    return box;
}

void SettingsForm::setTlsStatus(const QString& text) {
    m_tlsStatus->setText(text);
    m_tlsStatus->setVisible(!text.isEmpty());
}

QString SettingsForm::tlsStatus() const {
    return m_tlsStatus->text();
}

void SettingsForm::load(const Config& config) {
    // Filling the fields is not the user's change: no signals while it runs.
    const QList<QWidget*> widgets = findChildren<QWidget*>();
    for (QWidget* w : widgets)
        w->blockSignals(true);
    for (const auto& loader : m_loaders)
        loader(config);
    for (QWidget* w : widgets)
        w->blockSignals(false);
    for (Field& f : m_fields)
        f.loaded = f.value();
    Q_EMIT changed();
}

QList<YamlEdit> SettingsForm::edits() const {
    QList<YamlEdit> out;
    for (const Field& f : m_fields) {
        if (f.value() != f.loaded)
            out.append(f.edit(f.path));
    }
    return out;
}

} // namespace gemgate
