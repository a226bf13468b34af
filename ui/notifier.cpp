#include "notifier.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QSettings>
#include <QTimer>

#include <limits>

namespace gemgate {

namespace {

QString scopeName(const QString& scope) {
    const qsizetype colon = scope.indexOf(QLatin1Char(':'));
    return colon < 0 ? scope : scope.mid(colon + 1);
}

QString limitText(const QString& limit) {
    if (limit == QLatin1String("tokens_per_day"))
        return Notifier::tr("tokens per day");
    if (limit == QLatin1String("requests_per_day"))
        return Notifier::tr("requests per day");
    if (limit == QLatin1String("tokens_per_month"))
        return Notifier::tr("tokens per month");
    if (limit == QLatin1String("requests_per_month"))
        return Notifier::tr("requests per month");
    return limit;
}

} // namespace

Notifier::Notifier(GatewayController* controller, QObject* parent)
    : QObject(parent)
    , m_controller(controller)
    , m_now([] { return QDateTime::currentMSecsSinceEpoch(); })
    , m_state(controller->state()) {
    qRegisterMetaType<gemgate::Notifier::Kind>();
    for (int k = 0; k < kKindCount; ++k) {
        m_timers[k] = new QTimer(this);
        m_timers[k]->setSingleShot(true);
        m_timers[k]->setInterval(m_gatherMs);
        connect(m_timers[k], &QTimer::timeout, this, [this, k] { flush(Kind(k)); });
    }
    connect(controller, &GatewayController::stateChanged, this, &Notifier::onStateChanged);
    connect(controller, &GatewayController::message, this, [this](const QString& text) { m_lastMessage = text; });
    // Quitting stops the gateway too; that is not news.
    connect(qApp, &QCoreApplication::aboutToQuit, this,
            [this] { m_userStopAtMs = std::numeric_limits<qint64>::max(); });
}

Notifier::~Notifier() = default;

QString Notifier::settingsKey(Kind kind) {
    static const char* const names[] = {"key_disabled", "all_keys_cooling", "client_quota", "gateway_stopped",
                                        "certificate_expiring"};
    return QStringLiteral("notifications/") + QLatin1String(names[int(kind)]);
}

bool Notifier::isEnabled(Kind kind) {
    return QSettings().value(settingsKey(kind), true).toBool();
}

void Notifier::setEnabled(Kind kind, bool enabled) {
    QSettings().setValue(settingsKey(kind), enabled);
}

QString Notifier::kindTitle(Kind kind) {
    switch (kind) {
    case Kind::KeyDisabled:
        return tr("A key is disabled");
    case Kind::AllKeysCooling:
        return tr("Every key is cooling down");
    case Kind::ClientQuota:
        return tr("A client reaches 80% or 100% of a quota");
    case Kind::GatewayStopped:
        return tr("The gateway stops unexpectedly");
    case Kind::CertificateExpiring:
        return tr("A certificate is about to expire or cannot be renewed");
    }
    return {};
}

void Notifier::setGatherMs(int ms) {
    m_gatherMs = ms;
    for (QTimer* t : m_timers)
        t->setInterval(ms);
}

void Notifier::noteUserStop() {
    m_userStopAtMs = m_now();
}

void Notifier::onStateChanged(GatewayState state) {
    const GatewayState before = m_state;
    m_state = state;
    if (state != GatewayState::Stopped || before == GatewayState::Stopped)
        return;
    // A stop the user asked for (window, tray, quit) comes within moments of the request.
    if (m_userStopAtMs == std::numeric_limits<qint64>::max() || (m_userStopAtMs > 0 && m_now() - m_userStopAtMs < 5000))
        return;
    raise(Kind::GatewayStopped, QStringLiteral("gateway"),
          m_lastMessage.isEmpty() ? tr("The gateway stopped.") : tr("The gateway stopped: %1").arg(m_lastMessage), 0);
}

void Notifier::check() {
    if (m_controller)
        check(m_controller->keyStatuses());
}

void Notifier::check(const QList<KeyStatus>& statuses) {
    if (!m_controller || !m_controller->isRunning())
        return;
    const qint64 now = m_now();

    // Keys Gemini refused since the last look.
    QSet<QString> disabled;
    int total = 0, ready = 0, cooling = 0, limited = 0;
    qint64 firstBack = 0;
    for (const KeyStatus& k : statuses) {
        ++total;
        if (k.health == KeyHealth::Ready)
            ++ready;
        if (k.health == KeyHealth::Limited)
            ++limited;
        if (k.health == KeyHealth::CoolingDown) {
            ++cooling;
            if (k.availableAtMs > 0 && (firstBack == 0 || k.availableAtMs < firstBack))
                firstBack = k.availableAtMs;
        }
        if (k.health != KeyHealth::Disabled)
            continue;
        disabled.insert(k.id);
        if (!m_disabledKeys.contains(k.id))
            raise(Kind::KeyDisabled, k.id,
                  k.disabledReason.isEmpty() ? k.id : tr("%1: %2").arg(k.id, k.disabledReason));
    }
    m_disabledKeys = disabled;

    // Every key that could serve is resting.
    const bool allCooling = total > 0 && ready == 0 && limited == 0 && cooling > 0;
    if (allCooling && !m_allCooling) {
        const QString back =
            firstBack > 0 ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(firstBack).time(), QLocale::ShortFormat)
                          : QString();
        raise(Kind::AllKeysCooling, QStringLiteral("all"),
              back.isEmpty() ? tr("Requests wait or fail until a key is back.")
                             : tr("Requests wait or fail until a key is back, the first at %1.").arg(back));
    }
    m_allCooling = allCooling;

    // Clients at 80% and 100% of a day or month quota.
    for (const QuotaUse& q : m_controller->quotaUses()) {
        if (!q.scope.startsWith(QLatin1String("client:")) || q.max <= 0)
            continue;
        const QString id = q.scope + QLatin1Char('/') + q.limit;
        const int level = q.used >= q.max ? 100 : q.used * 100 >= q.max * 80 ? 80 : 0;
        const int before = m_quotaLevel.value(id);
        m_quotaLevel[id] = level;
        if (level <= before)
            continue;
        const QLocale locale;
        const QString line = tr("%1 has used %2% of its %3 (%4 of %5).")
                                 .arg(scopeName(q.scope))
                                 .arg(level)
                                 .arg(limitText(q.limit), locale.toString(q.used), locale.toString(q.max));
        raise(Kind::ClientQuota, id + QLatin1Char('/') + QString::number(level), line);
    }

    // A failed ACME order (first certificate or renewal): once a day while it keeps failing.
    const AcmeStatus acme = m_controller->acmeStatus();
    if (acme.failures > m_acmeFailuresSeen && !acme.lastError.isEmpty())
        raise(Kind::CertificateExpiring, QStringLiteral("acme"),
              tr("Could not get a certificate for %1: %2").arg(acme.domains.join(QStringLiteral(", ")), acme.lastError),
              kCertificateQuietMs);
    m_acmeFailuresSeen = acme.failures;

    // Certificates that expire within two weeks (the files are read once an hour).
    if (m_certificatesCheckedMs > 0 && now - m_certificatesCheckedMs < 3'600'000)
        return;
    m_certificatesCheckedMs = now;
    for (const CertificateInfo& c : m_controller->certificates()) {
        if (!c.expiresAt.isValid())
            continue;
        const qint64 left = c.expiresAt.toMSecsSinceEpoch() - now;
        if (left > kCertificateWarnMs)
            continue;
        const QString when = QLocale().toString(c.expiresAt.toLocalTime(), QLocale::ShortFormat);
        raise(Kind::CertificateExpiring, c.path,
              left <= 0 ? tr("The certificate %1 (%2) expired on %3.").arg(c.path, c.subject, when)
                        : tr("The certificate %1 (%2) expires on %3.").arg(c.path, c.subject, when),
              kCertificateQuietMs);
    }
}

void Notifier::raise(Kind kind, const QString& subject, const QString& line, qint64 quietMs) {
    if (!isEnabled(kind))
        return;
    const QString id = QString::number(int(kind)) + QLatin1Char('/') + subject;
    const qint64 now = m_now();
    const auto last = m_announced.constFind(id);
    if (quietMs > 0 && last != m_announced.cend() && now - last.value() < quietMs)
        return;
    m_announced[id] = now;
    m_pending[int(kind)].append(line);
    QTimer* timer = m_timers[int(kind)];
    if (!timer->isActive())
        timer->start();
}

void Notifier::flush(Kind kind) {
    QStringList lines;
    std::swap(lines, m_pending[int(kind)]);
    if (lines.isEmpty())
        return;
    QString title;
    switch (kind) {
    case Kind::KeyDisabled:
        title = tr("%n key(s) disabled", nullptr, int(lines.size()));
        break;
    case Kind::AllKeysCooling:
        title = tr("Every upstream key is cooling down");
        break;
    case Kind::ClientQuota:
        title = tr("Client quotas");
        break;
    case Kind::GatewayStopped:
        title = tr("GemGate stopped");
        break;
    case Kind::CertificateExpiring:
        title = tr("Certificate");
        break;
    }
    // A long storm: the first few lines and how many more.
    constexpr int kShown = 4;
    if (lines.size() > kShown) {
        const int more = int(lines.size()) - kShown;
        lines = lines.mid(0, kShown);
        lines.append(tr("and %n more", nullptr, more));
    }
    Q_EMIT notify(kind, title, lines.join(QLatin1Char('\n')));
}

} // namespace gemgate
