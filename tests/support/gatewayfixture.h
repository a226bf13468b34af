#pragma once

// Starts a real gateway (GatewayController, listener on 127.0.0.1 port 0, real worker threads) in front of a
// real FakeUpstream, for integration tests. Header-only so that each test binary compiles it with its own
// settings.

#include "admin/adminservice.h"
#include "artifacts.h"
#include "control/gatewaycontroller.h"
#include "fakeupstream.h"
#include "rawhttpclient.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace gemgate::test {

// Upstream keys shaped like real ones, so that the redaction of "AIza..." patterns is exercised too.
inline QString upstreamKey(int i) {
    return QStringLiteral("AIzaSyTestKey%1-abcdefghijklmnopqrstu").arg(i, 2, 10, QLatin1Char('0'));
}

inline const QString kClientKey = QStringLiteral("gg-test-client-key-0123456789abcdef");

struct GatewayFixture {
    FakeUpstream upstream;
    GatewayController controller;
    QTemporaryDir dir{artifactTemplate(QStringLiteral("fixture"))};
    std::shared_ptr<Config> config = std::make_shared<Config>();

    // A config for tests: `keys` upstream keys with weight 1, auth on with kClientKey, access log to a file.
    explicit GatewayFixture(int keys = 2, int upstreamThreads = 2) {
        attachAdminApi(controller);
        if (!upstream.start(upstreamThreads))
            qFatal("fake upstream did not start");
        dir.setAutoRemove(false);
        config->server.port = 0;
        config->server.workers = 2;
        config->metrics.prometheusPort = 0; // the admin listener on any free port
        config->gemini.baseUrl = upstream.baseUrl();
        config->gemini.timeoutSeconds = 30;
        for (int i = 1; i <= keys; ++i)
            config->gemini.apiKeys.append(UpstreamKey::literal(QStringLiteral("key%1").arg(i), upstreamKey(i), 1));
        config->auth.enabled = true;
        config->auth.clientKeys.append(ClientKey::make(QStringLiteral("tester"), kClientKey));
        config->log.accessLog = LogTarget::File;
        config->log.accessLogPath = dir.filePath(QStringLiteral("access.log"));
        // Each fixture has its own state database, so key state never leaks from one test into the next.
        config->storage.database = dir.filePath(QStringLiteral("gemgate.db"));
    }

    bool start() {
        QString error;
        if (!controller.start(config, &error)) {
            qWarning("gateway did not start: %s", qPrintable(error));
            return false;
        }
        return true;
    }

    quint16 port() const { return controller.boundPort(); }

    static QList<QPair<QByteArray, QByteArray>> auth(QList<QPair<QByteArray, QByteArray>> extra = {}) {
        extra.prepend({"x-goog-api-key", kClientKey.toUtf8()});
        return extra;
    }

    // One request on a fresh connection; returns the response.
    RawResponse request(const QByteArray& method, const QByteArray& target,
                        const QList<QPair<QByteArray, QByteArray>>& headers = auth(), const QByteArray& body = {},
                        int timeoutMs = 10'000) {
        RawHttpClient c;
        if (!c.connectTo(port()))
            return {};
        c.send(method, target, headers, body);
        c.waitForResponse(timeoutMs);
        return c.response();
    }

    // POST generateContent (gemini-2.5-flash, a one-word prompt) on a fresh connection.
    RawResponse generate(const QList<QPair<QByteArray, QByteArray>>& headers = auth()) {
        return request("POST", "/v1beta/models/gemini-2.5-flash:generateContent", headers,
                       R"({"contents":[{"parts":[{"text":"hi"}]}]})");
    }

    QByteArray accessLog() {
        controller.stop(); // flushes
        QFile f(config->log.accessLogPath);
        f.open(QIODevice::ReadOnly);
        return f.readAll();
    }
};

} // namespace gemgate::test
