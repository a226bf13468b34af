// GatewayController's bulk key intake: scan pasted text, check the keys against the upstream a few at a time, add
// the chosen ones in one go (control/keyintake.h).

#include "control/engine.h"
#include "control/gatewaycontroller.h"
#include "control/keyintake.h"
#include "control/keymanager.h"
#include "runtime/runtime.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSet>

namespace gemgate {

namespace {

constexpr int kParallelProbes = 4;

// One batch of checks; a child of the caller's context object, so it (and its replies) go with it.
class ProbeBatch : public QObject {
public:
    ProbeBatch(QList<QNetworkRequest> requests, const QNetworkProxy& proxy, QObject* parent,
               std::function<void(int, const KeyProbe&)> each, std::function<void()> finished)
        : QObject(parent)
        , m_requests(std::move(requests))
        , m_each(std::move(each))
        , m_finished(std::move(finished)) {
        m_nam = new QNetworkAccessManager(this);
        m_nam->setProxy(proxy);
    }

    void start() {
        while (m_running < kParallelProbes && m_next < m_requests.size())
            launch(m_next++);
        if (m_running == 0)
            finish();
    }

private:
    void launch(int index) {
        ++m_running;
        QNetworkReply* reply = m_nam->get(m_requests[index]);
        connect(reply, &QNetworkReply::finished, this, [this, reply, index] {
            reply->deleteLater();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const KeyProbe probe = classifyKeyProbe(status, reply->readAll().left(64 * 1024),
                                                    status == 0 ? reply->errorString() : QString());
            --m_running;
            m_each(index, probe);
            if (m_next < m_requests.size())
                launch(m_next++);
            else if (m_running == 0)
                finish();
        });
    }

    void finish() {
        m_requests.clear(); // the secrets go as soon as they are not needed
        if (m_finished)
            m_finished();
        deleteLater();
    }

    QList<QNetworkRequest> m_requests;
    std::function<void(int, const KeyProbe&)> m_each;
    std::function<void()> m_finished;
    QNetworkAccessManager* m_nam = nullptr;
    int m_next = 0;
    int m_running = 0;
};

} // namespace

KeyScan GatewayController::scanForKeys(const QString& text) const {
    KeyScan scan = findKeysInText(text);
    if (!m_engine)
        return scan;
    QSet<QByteArray> pool;
    const KeyPool& keys = m_engine->shared().keys;
    for (const KeyStatus& s : keys.statuses()) {
        if (const std::optional<HealthCheckTarget> t = keys.target(s.id))
            pool.insert(t->secret);
    }
    for (KeyCandidate& c : scan.keys)
        c.inPool = pool.contains(c.secret);
    return scan;
}

bool GatewayController::probeKeys(const QList<QByteArray>& secrets, QObject* context,
                                  std::function<void(int, const KeyProbe&)> each, std::function<void()> finished,
                                  QString* error) {
    if (!m_engine) {
        *error = QStringLiteral("start the gateway to check keys (it checks them against its upstream)");
        return false;
    }
    QList<QNetworkRequest> requests;
    QNetworkProxy proxy;
    for (const QByteArray& secret : secrets) {
        const std::optional<QNetworkRequest> req = m_keys->modelsListRequest(secret, QUrl(), &proxy);
        if (!req) {
            *error = QStringLiteral("the gateway is not running");
            return false;
        }
        requests.append(*req);
    }
    auto* batch = new ProbeBatch(std::move(requests), proxy, context, std::move(each), std::move(finished));
    batch->start();
    return true;
}

void GatewayController::addKeys(const QList<NewKey>& keys,
                                std::function<void(const QStringList&, const QStringList&)> done) {
    if (!m_engine) {
        done({}, {QStringLiteral("start the gateway before adding keys")});
        return;
    }
    m_keys->addKeys(keys, std::move(done));
}

} // namespace gemgate
