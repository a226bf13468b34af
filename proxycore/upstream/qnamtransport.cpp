#include "upstream/qnamtransport.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>

#include <algorithm>

namespace gemgate {

class QnamCall final : public UpstreamCall {
public:
    QnamCall(QnamTransport::Manager* manager, QNetworkReply* reply, UpstreamHandler* handler)
        : m_manager(manager)
        , m_reply(reply)
        , m_handler(handler) {
        ++m_manager->inFlight;
        m_reply->setReadBufferSize(256 * 1024);
        // m_context is destroyed with this call, which disconnects these and drops any queued resume: nothing
        // can reach a freed call, even though the reply itself is only deleted later.
        QObject::connect(m_reply, &QNetworkReply::metaDataChanged, &m_context, [this] { onMetaData(); });
        QObject::connect(m_reply, &QNetworkReply::readyRead, &m_context, [this] { onReadyRead(); });
        QObject::connect(m_reply, &QNetworkReply::finished, &m_context, [this] { onFinished(); });
    }
    ~QnamCall() override { release(); }

    void pauseReading() override { m_paused = true; }
    void resumeReading() override {
        if (!m_paused)
            return;
        m_paused = false;
        if (m_reply)
            QMetaObject::invokeMethod(
                &m_context,
                [this] {
                    std::weak_ptr<bool> alive = m_alive;
                    onReadyRead();
                    if (!alive.expired() && m_finishedWhilePaused)
                        onFinished();
                },
                Qt::QueuedConnection);
    }

private:
    void release() {
        if (!m_reply)
            return;
        --m_manager->inFlight;
        QNetworkReply* r = m_reply;
        m_reply = nullptr;
        r->disconnect();
        if (r->isRunning())
            r->abort();
        r->deleteLater();
    }
    bool hasStatus() const { return m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid(); }
    void onMetaData() {
        if (m_headersSent || !hasStatus())
            return;
        m_headersSent = true;
        HttpHeaders h;
        for (const auto& pair : m_reply->rawHeaderPairs())
            h.add(pair.first, pair.second);
        const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_handler->onUpstreamHeaders(status, h); // may destroy this call
    }
    // Every handler callback may destroy this call (the client went away while we wrote to it): check the alive
    // token after each one before touching a member.
    void onReadyRead() {
        if (!m_reply || m_paused)
            return;
        std::weak_ptr<bool> alive = m_alive;
        if (!m_headersSent) {
            onMetaData();
            if (alive.expired() || !m_reply)
                return;
        }
        while (m_reply && !m_paused && m_reply->bytesAvailable() > 0) {
            const QByteArray data = m_reply->read(32 * 1024);
            m_handler->onUpstreamData(data.constData(), data.size());
            if (alive.expired())
                return;
        }
    }
    void onFinished() {
        if (!m_reply)
            return;
        if (m_paused) {
            m_finishedWhilePaused = true;
            return;
        }
        if (hasStatus()) {
            std::weak_ptr<bool> alive = m_alive;
            onReadyRead();
            if (alive.expired() || !m_reply || m_paused)
                return;
        }
        const QNetworkReply::NetworkError err = m_reply->error();
        const bool transportError = !hasStatus() || (err != QNetworkReply::NoError && err < 100);
        UpstreamHandler* h = m_handler;
        if (transportError) {
            const bool timeout = err == QNetworkReply::TimeoutError || err == QNetworkReply::OperationCanceledError;
            const bool started = m_headersSent;
            const QString msg = m_reply->errorString();
            release();
            h->onUpstreamError(timeout   ? UpstreamErrorKind::Timeout
                               : started ? UpstreamErrorKind::Closed
                                         : UpstreamErrorKind::Connect,
                               msg);
            return;
        }
        release();
        h->onUpstreamComplete();
    }

    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
    QObject m_context;
    QnamTransport::Manager* m_manager;
    QNetworkReply* m_reply;
    UpstreamHandler* m_handler;
    bool m_paused = false;
    bool m_headersSent = false;
    bool m_finishedWhilePaused = false;
};

namespace {
constexpr int kHttp1ConnectionsPerManager = 6; // Qt's fixed per-host limit for HTTP/1.1
constexpr size_t kMaxManagers = 256;           // per route
constexpr size_t kMaxRoutes = 32;              // distinct proxies kept; idle ones beyond this are dropped

QNetworkProxy networkProxy(const QUrl& proxy) {
    if (proxy.isEmpty())
        return QNetworkProxy(QNetworkProxy::NoProxy);
    const bool socks = proxy.scheme().startsWith(QLatin1String("socks"));
    return QNetworkProxy(socks ? QNetworkProxy::Socks5Proxy : QNetworkProxy::HttpProxy, proxy.host(),
                         static_cast<quint16>(proxy.port(socks ? 1080 : 8080)), proxy.userName(), proxy.password());
}
} // namespace

QnamTransport::QnamTransport() = default;

QnamTransport::~QnamTransport() = default;

QnamTransport::Route& QnamTransport::routeFor(const QUrl& proxy) {
    for (Route& r : m_routes) {
        if (r.proxy == proxy)
            return r;
    }
    if (m_routes.size() >= kMaxRoutes) {
        // Proxies that reloads left behind: drop the routes with nothing in flight.
        std::erase_if(m_routes, [](const Route& r) {
            return std::all_of(r.managers.begin(), r.managers.end(), [](const auto& m) { return m->inFlight == 0; });
        });
    }
    m_routes.push_back(Route{proxy, {}});
    return m_routes.back();
}

QnamTransport::Manager* QnamTransport::managerFor(const UpstreamRequest& request) {
    Route& route = routeFor(request.proxy);
    const bool multiplexed = request.origin.scheme() == QLatin1String("https") && request.proxy.isEmpty();
    Manager* best = nullptr;
    for (const auto& m : route.managers) {
        if (!best || m->inFlight < best->inFlight)
            best = m.get();
        if (multiplexed)
            break; // HTTP/2: one connection carries everything
    }
    if (best && (multiplexed || best->inFlight < kHttp1ConnectionsPerManager || route.managers.size() >= kMaxManagers))
        return best;
    auto m = std::make_unique<Manager>();
    m->nam = std::make_unique<QNetworkAccessManager>();
    m->nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    m->nam->setProxy(networkProxy(route.proxy));
    route.managers.push_back(std::move(m));
    return route.managers.back().get();
}

std::unique_ptr<UpstreamCall> QnamTransport::start(UpstreamRequest request, UpstreamHandler* handler) {
    QNetworkRequest req(
        QUrl::fromEncoded(request.origin.toEncoded(QUrl::RemovePath | QUrl::RemoveQuery) + request.target));
    req.setAttribute(QNetworkRequest::Http2AllowedAttribute, true);
    req.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    req.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    req.setTransferTimeout(request.readTimeoutMs);
    if (request.tls)
        req.setSslConfiguration(*request.tls);
    for (const auto& h : request.headers.entries())
        req.setRawHeader(h.first, h.second);
    if (!request.headers.contains("user-agent"))
        req.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("gemgate/" GEMGATE_VERSION));
    Manager* manager = managerFor(request);
    QNetworkReply* reply = request.body.isEmpty() && request.method == "GET"
                               ? manager->nam->get(req)
                               : manager->nam->sendCustomRequest(req, request.method, request.body);
    return std::make_unique<QnamCall>(manager, reply, handler);
}

} // namespace gemgate
