#include "mainwindow.h"

#include "clientspage.h"
#include "clipboard.h"
#include "dashboardpage.h"
#include "keyspanel.h"
#include "logspage.h"
#include "settingspage.h"
#include "trayicon.h"
#include "usagepage.h"

#include <QAbstractItemView>
#include <QCloseEvent>
#include <QColor>
#include <QCoreApplication>
#include <QFont>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPalette>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QStackedWidget>
#include <QSystemTrayIcon>
#include <QTime>
#include <QVBoxLayout>

namespace gemgate {

namespace {

// What the key and admin token rows show while hidden: the recognisable prefix ("gg-", "gga_") and dots, never a
// secret character.
QString maskedKey(const QString& key) {
    const qsizetype sep = key.indexOf(QRegularExpression(QStringLiteral("[-_]")));
    const QString prefix = sep > 0 && sep < 4 ? key.left(sep + 1) : QString();
    return prefix + QString(16, QChar(0x2022));
}

QColor stateColor(GatewayState state) {
    switch (state) {
    case GatewayState::Running:
        return QColor(0x1e, 0x7e, 0x3a);
    case GatewayState::Draining:
        return QColor(0xa8, 0x6a, 0x00);
    case GatewayState::Stopped:
        break;
    }
    return QColor(0x5f, 0x63, 0x68);
}

} // namespace

MainWindow::MainWindow(GatewayController* controller, QWidget* parent)
    : QMainWindow(parent)
    , m_controller(controller) {
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("GemGate"));

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->addWidget(buildHeader());

    m_errorLabel = new QLabel(central);
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette errorPalette = m_errorLabel->palette();
    errorPalette.setColor(QPalette::WindowText, QColor(0xb3, 0x26, 0x1e));
    m_errorLabel->setPalette(errorPalette);
    m_errorLabel->hide();
    layout->addWidget(m_errorLabel);

    auto* body = new QHBoxLayout;
    m_pageList = new QListWidget(central);
    m_pageList->setObjectName(QStringLiteral("pageList"));
    m_pageList->setAccessibleName(tr("Pages"));
    m_pageList->setFrameShape(QFrame::NoFrame);
    m_pageList->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Expanding);
    m_pageList->setStyleSheet(QStringLiteral("QListWidget::item { padding: 7px 12px; }"));
    QFont listFont = m_pageList->font();
    listFont.setPointSizeF(listFont.pointSizeF() * 1.1);
    m_pageList->setFont(listFont);
    m_pages = new QStackedWidget(central);
    m_pages->setObjectName(QStringLiteral("pages"));
    body->addWidget(m_pageList);
    body->addWidget(m_pages, 1);
    layout->addLayout(body, 1);

    m_dashboard = new DashboardPage(controller, m_pages);
    addPage(Page::Dashboard, m_dashboard, tr("Dashboard"), tr("Live traffic and the quota left today"));
    m_keysPanel = new KeysPanel(controller, m_pages);
    addPage(Page::Keys, m_keysPanel, tr("Keys"), tr("The upstream Gemini API keys"));
    addPage(Page::Clients, new ClientsPage(controller, m_pages), tr("Clients"),
            tr("The client keys GemGate issued, and their use against their quotas"));
    addPage(Page::Usage, new UsagePage(controller, m_pages), tr("Usage"),
            tr("Requests and tokens per day or hour, by client, namespace, key or model"));
    addPage(Page::Logs, new LogsPage(controller, m_pages), tr("Logs"),
            tr("Every request, with its timings, tokens and error"));
    addPage(Page::Settings, new SettingsPage(controller, m_pages), tr("Settings"),
            tr("The config file, its history, and the window's preferences"));
    addPage(Page::Connect, buildConnectPage(), tr("Connect"),
            tr("The address and key your programs use, and the admin API"));
    m_logView = new QPlainTextEdit(m_pages);
    m_logView->setObjectName(QStringLiteral("logView"));
    m_logView->setReadOnly(true);
    m_logView->setMaximumBlockCount(MaxLogLines);
    m_logView->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_logView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_logView->setAccessibleName(tr("Gateway messages"));
    addPage(Page::Messages, m_logView, tr("Messages"),
            tr("What the gateway reported: starts, stops, reloads, problems"));
    // Keyboard: Tab leaves a table for the next control (arrow keys move between its cells); with Qt's default a
    // keyboard user would have to Tab through every cell of a log table to reach the buttons under it.
    for (QAbstractItemView* view : m_pages->findChildren<QAbstractItemView*>())
        view->setTabKeyNavigation(false);
    // The list is as wide as its longest title (translations differ), plus room for the scroll bar.
    m_pageList->setFixedWidth(m_pageList->sizeHintForColumn(0) + 2 * m_pageList->frameWidth() + 8);
    connect(m_pageList, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    m_pageList->setCurrentRow(0);

    setCentralWidget(central);
    resize(1180, 820);

    m_tray = new TrayIcon(controller, this, this);
    m_tray->showIfAvailable();

    connect(m_startStopButton, &QPushButton::clicked, this, &MainWindow::toggleGateway);
    connect(m_tray, &TrayIcon::startFailed, this, [this](const QString& error) {
        showError(error);
        appendLog(tr("Start failed: %1").arg(error));
    });
    connect(controller, &GatewayController::stateChanged, this, &MainWindow::onStateChanged);
    connect(controller, &GatewayController::metricsUpdated, this, &MainWindow::onMetrics);
    connect(controller, &GatewayController::message, this, &MainWindow::appendLog);
    connect(controller, &GatewayController::keysChanged, this, &MainWindow::refreshKeys);
    // A reload (which may bring other client keys) also ends in keysChanged.
    connect(controller, &GatewayController::keysChanged, this, &MainWindow::refreshClientKey);
    connect(m_copyUrlButton, &QPushButton::clicked, this, [this] {
        if (m_controller && m_controller->isRunning())
            Clipboard::copy(m_controller->listenUrl(), false, m_copyUrlButton);
    });
    connect(m_showKeyButton, &QPushButton::toggled, this, &MainWindow::refreshClientKey);
    connect(m_copyKeyButton, &QPushButton::clicked, this, [this] {
        const QString key = m_controller ? m_controller->localClientKey() : QString();
        if (!key.isEmpty())
            Clipboard::copy(key, true, m_copyKeyButton);
    });
    // The admin listener starts after the state turns Running and may change with a reload (another port or token);
    // both end in a message (or keysChanged), so the row follows those too.
    connect(controller, &GatewayController::message, this, &MainWindow::refreshAdmin);
    connect(controller, &GatewayController::keysChanged, this, &MainWindow::refreshAdmin);
    connect(m_showAdminTokenButton, &QPushButton::toggled, this, &MainWindow::refreshAdmin);
    connect(m_copyAdminTokenButton, &QPushButton::clicked, this, [this] {
        const QString token =
            m_controller && !m_controller->adminUrl().isEmpty() ? m_controller->adminToken() : QString();
        if (!token.isEmpty())
            Clipboard::copy(token, true, m_copyAdminTokenButton);
    });

    onStateChanged(controller->state());
}

MainWindow::~MainWindow() = default;

void MainWindow::addPage(Page page, QWidget* widget, const QString& title, const QString& toolTip) {
    Q_ASSERT(m_pages->count() == int(page));
    Q_UNUSED(page);
    m_pages->addWidget(widget);
    auto* item = new QListWidgetItem(title, m_pageList);
    item->setToolTip(toolTip);
}

QWidget* MainWindow::page(Page page) const {
    return m_pages->widget(int(page));
}

MainWindow::Page MainWindow::currentPage() const {
    return Page(m_pages->currentIndex());
}

void MainWindow::showPage(Page page) {
    m_pageList->setCurrentRow(int(page));
}

void MainWindow::bringToFront() {
    setWindowState(windowState() & ~Qt::WindowMinimized);
    show();
    raise();
    activateWindow();
}

QWidget* MainWindow::buildHeader() {
    auto* panel = new QWidget(this);
    auto* header = new QHBoxLayout(panel);
    header->setContentsMargins(0, 0, 0, 0);
    m_stateIcon = new QLabel(panel);
    m_stateIcon->setObjectName(QStringLiteral("stateIcon"));
    m_stateIcon->setFixedSize(40, 40);
    header->addWidget(m_stateIcon);

    m_stateLabel = new QLabel(panel);
    m_stateLabel->setObjectName(QStringLiteral("stateLabel"));
    QFont stateFont = m_stateLabel->font();
    stateFont.setBold(true);
    stateFont.setPointSizeF(stateFont.pointSizeF() * 1.5);
    m_stateLabel->setFont(stateFont);
    header->addWidget(m_stateLabel);
    // Why the gem is amber or red: keys cooling down, disabled, ... ("" when all is well).
    m_healthLabel = new QLabel(panel);
    m_healthLabel->setObjectName(QStringLiteral("healthLabel"));
    m_healthLabel->setWordWrap(true);
    header->addWidget(m_healthLabel, 1);
    header->addStretch(1);

    m_startStopButton = new QPushButton(panel);
    m_startStopButton->setObjectName(QStringLiteral("startStopButton"));
    m_startStopButton->setMinimumWidth(110);
    header->addWidget(m_startStopButton);
    return panel;
}

QWidget* MainWindow::buildConnectPage() {
    auto* panel = new QWidget(this);
    panel->setObjectName(QStringLiteral("connectPage"));
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* box = new QGroupBox(tr("Gateway"), panel);
    auto* form = new QFormLayout(box);
    m_listenUrlLabel = new QLabel(box);
    m_listenUrlLabel->setObjectName(QStringLiteral("listenUrlLabel"));
    // Users copy the URL into their SDK's base URL setting.
    m_listenUrlLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_listenUrlLabel->setCursor(Qt::IBeamCursor);
    m_copyUrlButton = new QPushButton(tr("Copy"), box);
    m_copyUrlButton->setObjectName(QStringLiteral("copyListenUrlButton"));
    m_copyUrlButton->setToolTip(tr("Copy the URL, for your SDK's base URL setting"));
    auto* urlRow = new QHBoxLayout;
    urlRow->addWidget(m_listenUrlLabel, 1);
    urlRow->addWidget(m_copyUrlButton);
    form->addRow(tr("Listening on:"), urlRow);

    // The key programs on this machine present (auth.client_keys' first entry, generated on first run).
    m_clientKeyLabel = new QLabel(box);
    m_clientKeyLabel->setObjectName(QStringLiteral("clientKeyLabel"));
    m_clientKeyLabel->setTextFormat(Qt::PlainText);
    m_clientKeyLabel->setWordWrap(true);
    m_showKeyButton = new QPushButton(tr("Show"), box);
    m_showKeyButton->setObjectName(QStringLiteral("showClientKeyButton"));
    m_showKeyButton->setCheckable(true);
    m_copyKeyButton = new QPushButton(tr("Copy"), box);
    m_copyKeyButton->setObjectName(QStringLiteral("copyClientKeyButton"));
    m_copyKeyButton->setToolTip(tr("Copy the client key, for your SDK's API key setting"));
    auto* keyRow = new QHBoxLayout;
    keyRow->addWidget(m_clientKeyLabel, 1);
    keyRow->addWidget(m_showKeyButton);
    keyRow->addWidget(m_copyKeyButton);
    form->addRow(tr("Client key:"), keyRow);

    // The admin listener (/metrics, /health, /ready and the admin API) and the token the admin API asks for.
    m_adminUrlLabel = new QLabel(box);
    m_adminUrlLabel->setObjectName(QStringLiteral("adminUrlLabel"));
    m_adminUrlLabel->setTextFormat(Qt::PlainText);
    m_adminUrlLabel->setWordWrap(true);
    m_adminUrlLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_adminUrlLabel->setCursor(Qt::IBeamCursor);
    m_adminUrlLabel->setToolTip(tr("The admin listener: /metrics, /health and /ready, and the admin API (/api/...), "
                                   "which asks for the admin token"));
    form->addRow(tr("Admin API:"), m_adminUrlLabel);

    m_adminTokenLabel = new QLabel(box);
    m_adminTokenLabel->setObjectName(QStringLiteral("adminTokenLabel"));
    m_adminTokenLabel->setTextFormat(Qt::PlainText);
    m_adminTokenLabel->setWordWrap(true);
    m_adminTokenLabel->setToolTip(tr("Send it as “Authorization: Bearer <token>”. It comes from admin.token in the "
                                     "config file or, when that is empty, is generated on first run into an "
                                     "owner-only file (admin.token_file)."));
    m_showAdminTokenButton = new QPushButton(tr("Show"), box);
    m_showAdminTokenButton->setObjectName(QStringLiteral("showAdminTokenButton"));
    m_showAdminTokenButton->setCheckable(true);
    m_copyAdminTokenButton = new QPushButton(tr("Copy"), box);
    m_copyAdminTokenButton->setObjectName(QStringLiteral("copyAdminTokenButton"));
    m_copyAdminTokenButton->setToolTip(tr("Copy the admin token, for scripts and tools that call the admin API"));
    auto* adminTokenRow = new QHBoxLayout;
    adminTokenRow->addWidget(m_adminTokenLabel, 1);
    adminTokenRow->addWidget(m_showAdminTokenButton);
    adminTokenRow->addWidget(m_copyAdminTokenButton);
    form->addRow(tr("Admin token:"), adminTokenRow);

    m_configPathLabel = new QLabel(box);
    m_configPathLabel->setObjectName(QStringLiteral("configPathLabel"));
    m_configPathLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_configPathLabel->setWordWrap(true);
    form->addRow(tr("Config file:"), m_configPathLabel);

    m_keysLabel = new QLabel(box);
    m_keysLabel->setObjectName(QStringLiteral("keysLabel"));
    m_keysLabel->setWordWrap(true);
    m_keysLabel->setToolTip(tr("Disabled counts keys that are turned off, keys Gemini refused and keys whose secret "
                               "could not be loaded; the Keys page tells them apart."));
    form->addRow(tr("Upstream keys:"), m_keysLabel);
    layout->addWidget(box);
    layout->addStretch(1);
    return panel;
}

void MainWindow::showError(const QString& text) {
    m_errorLabel->setText(text);
    m_errorLabel->setVisible(!text.isEmpty());
}

void MainWindow::appendLog(const QString& text) {
    QScrollBar* bar = m_logView->verticalScrollBar();
    // Follow new lines only when the user is already at the bottom, so reading older lines is not interrupted.
    const bool atBottom = bar->value() == bar->maximum();
    m_logView->appendPlainText(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")) + QLatin1Char(' ') + text);
    if (atBottom)
        bar->setValue(bar->maximum());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (QSystemTrayIcon::isSystemTrayAvailable() && m_tray->isVisible()) {
        // The gateway keeps serving; the tray menu brings the window back or quits.
        event->ignore();
        hide();
        if (!m_toldAboutTray) {
            m_toldAboutTray = true;
            m_tray->notify(tr("GemGate is still running"),
                           tr("The gateway keeps running in the tray. Use the tray menu to quit."));
        }
        return;
    }
    event->accept();
    QCoreApplication::quit();
}

void MainWindow::toggleGateway() {
    if (!m_controller)
        return;
    QString error;
    if (m_tray->toggleGateway(&error)) {
        showError(QString());
        return;
    }
    showError(error);
    appendLog(tr("Start failed: %1").arg(error));
}

void MainWindow::onStateChanged(GatewayState state) {
    QString text;
    QString buttonText;
    switch (state) {
    case GatewayState::Running:
        text = tr("Running");
        buttonText = tr("Stop");
        showError(QString());
        break;
    case GatewayState::Draining:
        text = tr("Draining");
        buttonText = tr("Stopping…");
        break;
    case GatewayState::Stopped:
        text = tr("Stopped");
        buttonText = tr("Start");
        break;
    }
    m_stateLabel->setText(text);
    QPalette palette = m_stateLabel->palette();
    palette.setColor(QPalette::WindowText, stateColor(state));
    m_stateLabel->setPalette(palette);
    m_startStopButton->setText(buttonText);
    // While draining the gateway stops by itself within server.drain_timeout_ms; a click then would do nothing.
    m_startStopButton->setEnabled(state != GatewayState::Draining);

    refreshHealth();

    refreshDetails();
    // The controller resets its snapshot on start and stop, so this also clears the previous run's counters.
    onMetrics(m_controller ? m_controller->metrics() : MetricsSnapshot());
}

void MainWindow::onMetrics(const MetricsSnapshot& snapshot) {
    Q_UNUSED(snapshot); // the dashboard shows the numbers
    // Keys cool down and recover while running; once a second is often enough to show that.
    refreshKeys();
    refreshHealth();
}

void MainWindow::refreshHealth() {
    // The tray has just computed it from the same snapshot (it is connected first).
    const GatewayHealth health = m_tray->health();
    if (health != m_shownHealth || m_stateIcon->pixmap().isNull()) {
        m_shownHealth = health;
        const QIcon icon = TrayIcon::gemIcon(health);
        setWindowIcon(icon);
        m_stateIcon->setPixmap(icon.pixmap(m_stateIcon->size()));
    }
    const QString text = TrayIcon::healthText(m_tray->healthReport());
    m_healthLabel->setText(text);
    QPalette palette = m_healthLabel->palette();
    palette.setColor(QPalette::WindowText,
                     health == GatewayHealth::Down ? QColor(0xb3, 0x26, 0x1e) : QColor(0xa8, 0x6a, 0x00));
    m_healthLabel->setPalette(palette);
}

void MainWindow::refreshDetails() {
    const bool running = m_controller && m_controller->isRunning();
    m_listenUrlLabel->setText(running ? m_controller->listenUrl() : tr("Not listening"));

    QString path = m_controller ? m_controller->configPath() : QString();
    if (running) {
        // The running snapshot names the file it really came from (also after a reload).
        const ConfigPtr config = m_controller->config();
        if (config && !config->sourcePath.isEmpty())
            path = config->sourcePath;
        else if (config)
            path.clear();
    }
    m_configPathLabel->setText(path.isEmpty() ? tr("(built-in configuration)") : path);
    m_copyUrlButton->setEnabled(running);
    refreshClientKey();
    refreshAdmin();
    refreshKeys();
}

void MainWindow::refreshClientKey() {
    const ConfigPtr config = m_controller && m_controller->isRunning() ? m_controller->config() : nullptr;
    const QString key = m_controller ? m_controller->localClientKey() : QString();
    m_showKeyButton->setVisible(!key.isEmpty());
    m_copyKeyButton->setVisible(!key.isEmpty());
    m_clientKeyLabel->setPalette(QPalette());
    m_clientKeyLabel->setFont(QFont());
    m_clientKeyLabel->setTextInteractionFlags(Qt::NoTextInteraction);
    if (!key.isEmpty()) {
        const bool shown = m_showKeyButton->isChecked();
        m_clientKeyLabel->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        m_clientKeyLabel->setText(shown ? key : maskedKey(key));
        // Selectable only while shown: selecting the dots would copy nothing useful.
        if (shown)
            m_clientKeyLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        m_showKeyButton->setText(shown ? tr("Hide") : tr("Show"));
        return;
    }
    // Nothing to hide any more: the next key starts masked again.
    const QSignalBlocker blocker(m_showKeyButton);
    m_showKeyButton->setChecked(false);
    m_showKeyButton->setText(tr("Show"));
    if (!config) {
        m_clientKeyLabel->setText(tr("–"));
        return;
    }
    if (config->auth.enabled) {
        m_clientKeyLabel->setText(tr("None in the config file (auth.client_keys): programs need a key issued with "
                                     "“gemgate clients add” or a JWT."));
        return;
    }
    const QString host = config->server.host;
    const bool loopback = host == QLatin1String("localhost") || QHostAddress(host).isLoopback();
    QPalette warning = m_clientKeyLabel->palette();
    warning.setColor(QPalette::WindowText, QColor(0xa8, 0x6a, 0x00));
    m_clientKeyLabel->setPalette(warning);
    m_clientKeyLabel->setText(loopback ? tr("Authentication is off: any program on this computer can use this "
                                            "gateway without a key.")
                                       : tr("Authentication is off: anyone who can reach %1 can use this gateway "
                                            "without a key.")
                                             .arg(m_controller->listenUrl()));
}

void MainWindow::refreshAdmin() {
    const ConfigPtr config = m_controller && m_controller->isRunning() ? m_controller->config() : nullptr;
    const QString url = config ? m_controller->adminUrl() : QString();
    // The token matters only while the listener that asks for it is up.
    const QString token = url.isEmpty() ? QString() : m_controller->adminToken();

    if (!url.isEmpty())
        m_adminUrlLabel->setText(url);
    else if (!config)
        m_adminUrlLabel->setText(tr("Off"));
    else if (!config->admin.enabled)
        m_adminUrlLabel->setText(tr("Off (admin.enabled is false in the config file)"));
    else
        m_adminUrlLabel->setText(tr("Off (the admin listener could not start; see Messages)"));

    m_showAdminTokenButton->setVisible(!token.isEmpty());
    m_copyAdminTokenButton->setVisible(!token.isEmpty());
    m_adminTokenLabel->setFont(QFont());
    m_adminTokenLabel->setTextInteractionFlags(Qt::NoTextInteraction);
    if (!token.isEmpty()) {
        const bool shown = m_showAdminTokenButton->isChecked();
        m_adminTokenLabel->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        m_adminTokenLabel->setText(shown ? token : maskedKey(token));
        if (shown)
            m_adminTokenLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        m_showAdminTokenButton->setText(shown ? tr("Hide") : tr("Show"));
        return;
    }
    // Nothing to hide any more: the next token starts masked again.
    const QSignalBlocker blocker(m_showAdminTokenButton);
    m_showAdminTokenButton->setChecked(false);
    m_showAdminTokenButton->setText(tr("Show"));
    m_adminTokenLabel->setText(url.isEmpty() ? tr("–") : tr("None: the admin API is off (see Messages)."));
}

void MainWindow::refreshKeys() {
    if (!m_controller || !m_controller->isRunning()) {
        m_keysLabel->setText(tr("–"));
        return;
    }
    const KeySummary keys = m_controller->keySummary();
    if (keys.total == 0) {
        m_keysLabel->setText(
            tr("0 (add one on the Keys page with Add key…, or gemini.api_keys in the config file; requests "
               "get 503 until then)"));
        return;
    }
    // "disabled" counts every key that waits for the user or a health check: disabled by Gemini's answer, turned
    // off, or without its secret; the keys tab tells them apart.
    QStringList parts{tr("%1 available").arg(keys.available)};
    if (keys.coolingDown > 0)
        parts.append(tr("%1 cooling down").arg(keys.coolingDown));
    if (keys.disabled > 0)
        parts.append(tr("%1 disabled").arg(keys.disabled));
    m_keysLabel->setText(tr("%1 (%2)").arg(keys.total).arg(parts.join(tr(", "))));
}

} // namespace gemgate
