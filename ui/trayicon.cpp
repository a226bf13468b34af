#include "trayicon.h"

#include "autostart.h"
#include "clipboard.h"
#include "notifier.h"

#include <QAction>
#include <QColor>
#include <QCoreApplication>
#include <QLinearGradient>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QPen>
#include <QPixmap>
#include <QPointF>
#include <QPolygonF>
#include <QSignalBlocker>
#include <QWidget>

namespace gemgate {

namespace {

QColor baseColor(GatewayHealth health) {
    switch (health) {
    case GatewayHealth::Running:
        return QColor(0x2e, 0xa0, 0x4f);
    case GatewayHealth::Degraded:
        return QColor(0xe0, 0x9a, 0x1b);
    case GatewayHealth::Down:
        return QColor(0xd9, 0x30, 0x25);
    case GatewayHealth::Stopped:
        break;
    }
    return QColor(0x86, 0x8c, 0x96);
}

GatewayHealth healthOf(GatewayState state) {
    switch (state) {
    case GatewayState::Running:
        return GatewayHealth::Running;
    case GatewayState::Draining:
        return GatewayHealth::Degraded;
    case GatewayState::Stopped:
        break;
    }
    return GatewayHealth::Stopped;
}

// One gem (a brilliant-cut diamond seen from the side) on a transparent square of side `size`. Coordinates are
// fractions of the side so every size has the same shape; facet lines are left out below 24 px where they would
// only blur the outline.
QPixmap paintGem(int size, GatewayHealth state) {
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);

    const auto at = [size](double x, double y) { return QPointF(x * size, y * size); };
    const QPointF topLeft = at(0.30, 0.14), topRight = at(0.70, 0.14);
    const QPointF left = at(0.05, 0.38), right = at(0.95, 0.38);
    const QPointF bottom = at(0.50, 0.92);
    const QPointF midLeft = at(0.36, 0.38), midRight = at(0.64, 0.38), topMid = at(0.50, 0.14);

    const QColor base = baseColor(state);
    const QColor edge = base.darker(150);
    const double penWidth = qMax(1.0, size / 28.0);

    // Crown (upper part) lighter than the pavilion so the gem reads as a solid even at 16 px.
    QPolygonF crown({topLeft, topRight, right, left});
    QLinearGradient crownFill(at(0, 0.14), at(0, 0.38));
    crownFill.setColorAt(0, base.lighter(160));
    crownFill.setColorAt(1, base.lighter(120));
    p.setPen(Qt::NoPen);
    p.setBrush(crownFill);
    p.drawPolygon(crown);

    QPolygonF pavilion({left, right, bottom});
    QLinearGradient pavilionFill(at(0.2, 0.38), at(0.8, 0.92));
    pavilionFill.setColorAt(0, base);
    pavilionFill.setColorAt(1, base.darker(125));
    p.setBrush(pavilionFill);
    p.drawPolygon(pavilion);

    if (size >= 24) {
        p.setPen(QPen(base.lighter(175), penWidth * 0.6, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.drawLine(left, right);
        p.drawLine(topLeft, midLeft);
        p.drawLine(topMid, midLeft);
        p.drawLine(topMid, midRight);
        p.drawLine(topRight, midRight);
        p.drawLine(midLeft, bottom);
        p.drawLine(midRight, bottom);
    }

    QPainterPath outline;
    outline.addPolygon(QPolygonF({topLeft, topRight, right, bottom, left, topLeft}));
    p.setPen(QPen(edge, penWidth, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.setBrush(Qt::NoBrush);
    p.drawPath(outline);
    return pixmap;
}

QString stateText(GatewayState state) {
    switch (state) {
    case GatewayState::Running:
        return TrayIcon::tr("Running");
    case GatewayState::Draining:
        return TrayIcon::tr("Draining");
    case GatewayState::Stopped:
        break;
    }
    return TrayIcon::tr("Stopped");
}

} // namespace

QIcon TrayIcon::gemIcon(GatewayHealth health) {
    QIcon icon;
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256})
        icon.addPixmap(paintGem(size, health));
    return icon;
}

QIcon TrayIcon::gemIcon(GatewayState state) {
    return gemIcon(healthOf(state));
}

QString TrayIcon::healthText(const HealthReport& r) {
    if (r.health == GatewayHealth::Stopped)
        return {};
    if (r.health == GatewayHealth::Down)
        return r.notReadyReason.isEmpty() ? tr("no key can take a request")
                                          : tr("no key can take a request: %1").arg(r.notReadyReason);
    QStringList parts;
    if (r.coolingDown > 0)
        parts.append(tr("%n key(s) cooling down", nullptr, r.coolingDown));
    if (r.limited > 0)
        parts.append(tr("%n key(s) at a limit", nullptr, r.limited));
    if (r.disabled > 0)
        parts.append(tr("%n key(s) disabled by Gemini", nullptr, r.disabled));
    if (r.noSecret > 0)
        parts.append(tr("%n key(s) without their secret", nullptr, r.noSecret));
    return parts.join(tr(", "));
}

bool TrayIcon::toggleGateway(QString* error) {
    GatewayController* controller = m_controller;
    if (!controller)
        return true;
    switch (controller->state()) {
    case GatewayState::Running:
        m_notifier->noteUserStop();
        controller->stop();
        return true;
    case GatewayState::Draining:
        return true;
    case GatewayState::Stopped:
        break;
    }
    return controller->start(error);
}

TrayIcon::TrayIcon(GatewayController* controller, QWidget* window, QObject* parent)
    : QObject(parent)
    , m_controller(controller)
    , m_window(window)
    , m_tray(new QSystemTrayIcon(this))
    , m_menu(std::make_unique<QMenu>()) {
    m_startStopAction = m_menu->addAction(QString());
    m_startStopAction->setObjectName(QStringLiteral("startStopAction"));
    m_showAction = m_menu->addAction(tr("Show window"));
    m_showAction->setObjectName(QStringLiteral("showAction"));
    m_showAction->setEnabled(window != nullptr);
    m_copyUrlAction = m_menu->addAction(tr("Copy base URL"));
    m_copyUrlAction->setObjectName(QStringLiteral("copyUrlAction"));
    m_copyKeyAction = m_menu->addAction(tr("Copy client key"));
    m_copyKeyAction->setObjectName(QStringLiteral("copyKeyAction"));
    m_menu->addSeparator();
    m_notifier = new Notifier(controller, this);
    m_notificationsMenu = m_menu->addMenu(tr("Notifications"));
    m_notificationsMenu->setObjectName(QStringLiteral("notificationsMenu"));
    for (int k = 0; k < Notifier::kKindCount; ++k) {
        const auto kind = Notifier::Kind(k);
        QAction* a = m_notificationsMenu->addAction(Notifier::kindTitle(kind));
        a->setCheckable(true);
        a->setChecked(Notifier::isEnabled(kind));
        connect(a, &QAction::toggled, this, [kind](bool on) { Notifier::setEnabled(kind, on); });
    }
    m_autostartAction = m_menu->addAction(tr("Start at login"));
    m_autostartAction->setObjectName(QStringLiteral("autostartAction"));
    m_autostartAction->setCheckable(true);
    m_autostartAction->setChecked(isAutostartEnabled());
    m_autostartAction->setToolTip(tr("Start GemGate in the tray when you log in"));
    connect(m_autostartAction, &QAction::toggled, this, [this](bool on) {
        QString error;
        if (!setAutostartEnabled(on, &error)) {
            notify(tr("Start at login"), error, QSystemTrayIcon::Warning);
            const QSignalBlocker block(m_autostartAction);
            m_autostartAction->setChecked(!on);
        }
    });
    // The Settings page changes the same preferences: the menu shows them as they are when it opens.
    connect(m_menu.get(), &QMenu::aboutToShow, this, [this] {
        const QList<QAction*> kinds = m_notificationsMenu->actions();
        for (int k = 0; k < kinds.size(); ++k) {
            const QSignalBlocker block(kinds[k]);
            kinds[k]->setChecked(Notifier::isEnabled(Notifier::Kind(k)));
        }
        const QSignalBlocker block(m_autostartAction);
        m_autostartAction->setChecked(isAutostartEnabled());
    });
    m_menu->addSeparator();
    m_quitAction = m_menu->addAction(tr("Quit"));
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    m_tray->setContextMenu(m_menu.get());

    connect(m_startStopAction, &QAction::triggered, this, &TrayIcon::toggle);
    connect(m_showAction, &QAction::triggered, this, &TrayIcon::showWindow);
    connect(m_copyUrlAction, &QAction::triggered, this, [this] {
        if (m_controller && m_controller->isRunning())
            Clipboard::copy(m_controller->listenUrl(), false);
    });
    connect(m_copyKeyAction, &QAction::triggered, this, [this] {
        if (m_controller)
            Clipboard::copy(m_controller->localClientKey(), true);
    });
    connect(m_notifier, &Notifier::notify, this,
            [this](Notifier::Kind kind, const QString& title, const QString& text) {
                const bool warning = kind != Notifier::Kind::ClientQuota;
                notify(title, text, warning ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information);
            });
    // Queued so the menu closes before the event loop winds down; the application's main decides how to shut the
    // gateway down (drain or stop) once exec() returns.
    connect(m_quitAction, &QAction::triggered, qApp, &QCoreApplication::quit, Qt::QueuedConnection);
    connect(m_tray, &QSystemTrayIcon::activated, this, &TrayIcon::onActivated);
    connect(controller, &GatewayController::stateChanged, this, &TrayIcon::onStateChanged);
    connect(controller, &GatewayController::metricsUpdated, this, &TrayIcon::onMetrics);
    onStateChanged(controller->state());
}

TrayIcon::~TrayIcon() {
    // The tray icon still points at the menu; detach it before the unique_ptr deletes the menu.
    m_tray->setContextMenu(nullptr);
}

bool TrayIcon::showIfAvailable() {
    if (QSystemTrayIcon::isSystemTrayAvailable())
        m_tray->show();
    return m_tray->isVisible();
}

bool TrayIcon::isVisible() const {
    return m_tray->isVisible();
}

void TrayIcon::notify(const QString& title, const QString& text, QSystemTrayIcon::MessageIcon icon) {
    if (m_tray->isVisible() && QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(title, text, icon);
}

void TrayIcon::onStateChanged(GatewayState state) {
    switch (state) {
    case GatewayState::Running:
        m_startStopAction->setText(tr("Stop gateway"));
        m_startStopAction->setEnabled(true);
        break;
    case GatewayState::Draining:
        m_startStopAction->setText(tr("Stopping gateway…"));
        m_startStopAction->setEnabled(false);
        break;
    case GatewayState::Stopped:
        m_startStopAction->setText(tr("Start gateway"));
        m_startStopAction->setEnabled(true);
        break;
    }
    // The controller resets its counters on start and stop.
    m_requests = m_controller ? m_controller->metrics().requestsTotal : 0;
    const bool running = state != GatewayState::Stopped;
    m_copyUrlAction->setEnabled(running);
    m_copyKeyAction->setEnabled(running && m_controller && !m_controller->localClientKey().isEmpty());
    updateHealth(m_controller ? m_controller->keyStatuses() : QList<KeyStatus>());
}

void TrayIcon::onMetrics(const MetricsSnapshot& snapshot) {
    m_requests = snapshot.requestsTotal;
    // One read of the keys a second for the icon and the notifications.
    const QList<KeyStatus> statuses = m_controller ? m_controller->keyStatuses() : QList<KeyStatus>();
    updateHealth(statuses);
    m_notifier->check(statuses);
}

void TrayIcon::updateHealth(const QList<KeyStatus>& statuses) {
    HealthReport report = m_controller ? m_controller->health(statuses) : HealthReport();
    const bool changed = report.health != m_report.health || !m_iconSet;
    m_report = std::move(report);
    if (changed) {
        m_tray->setIcon(gemIcon(m_report.health));
        m_iconSet = true;
    }
    updateToolTip();
}

void TrayIcon::onActivated(QSystemTrayIcon::ActivationReason reason) {
    if (reason != QSystemTrayIcon::Trigger && reason != QSystemTrayIcon::DoubleClick)
        return;
    if (m_window && m_window->isVisible() && !m_window->isMinimized())
        m_window->hide();
    else
        showWindow();
}

void TrayIcon::toggle() {
    if (!m_controller)
        return;
    QString error;
    if (!toggleGateway(&error)) {
        notify(tr("GemGate could not start"), error, QSystemTrayIcon::Warning);
        Q_EMIT startFailed(error);
    }
}

void TrayIcon::showWindow() {
    if (!m_window)
        return;
    m_window->setWindowState(m_window->windowState() & ~Qt::WindowMinimized);
    m_window->show();
    m_window->raise();
    m_window->activateWindow();
}

void TrayIcon::updateToolTip() {
    const GatewayState state = m_controller ? m_controller->state() : GatewayState::Stopped;
    QString tip = tr("GemGate: %1").arg(stateText(state));
    const QString health = healthText(m_report);
    if (!health.isEmpty())
        tip += QLatin1Char('\n') + health;
    if (state != GatewayState::Stopped && m_controller) {
        tip += QLatin1Char('\n') + m_controller->listenUrl();
        tip += QLatin1Char('\n') + tr("Requests: %1").arg(QLocale().toString(m_requests));
    }
    m_tray->setToolTip(tip);
}

} // namespace gemgate
