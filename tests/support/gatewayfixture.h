#pragma once

// Starts a real gateway (GatewayController, listener on 127.0.0.1 port 0, real worker threads) in front of a
// real FakeUpstream, for integration tests. Header-only so that each test binary compiles it with its own
// settings.

#include "admin/adminservice.h"
#include "artifacts.h"
#include "control/gatewaycontroller.h"
#include "fakeupstream.h"
#include "rawhttpclient.h"

#include <QFile>
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

    // Starts from a config file written from `config`'s fields that the constructor sets (what the Settings page
    // shows and edits), instead of the in-memory config.
    bool startFromFile() {
        QString text = QStringLiteral("# written by the test fixture\n"
                                      "server:\n  host: 127.0.0.1\n  port: 0\n  workers: %1\n"
                                      "gemini:\n  base_url: %2\n  timeout_seconds: %3\n  api_keys:\n")
                           .arg(config->server.workers)
                           .arg(config->gemini.baseUrl.toString())
                           .arg(config->gemini.timeoutSeconds);
        for (const UpstreamKey& k : config->gemini.apiKeys)
            text += QStringLiteral("    - {id: %1, key: %2, weight: %3}\n").arg(k.id, k.secret).arg(k.weight);
        text += QStringLiteral("auth:\n  enabled: %1\n  client_keys:\n")
                    .arg(config->auth.enabled ? QStringLiteral("true") : QStringLiteral("false"));
        for (const ClientKey& c : config->auth.clientKeys)
            text += QStringLiteral("    - {id: %1, key: %2}\n").arg(c.id, c.key);
        text += QStringLiteral("metrics:\n  prometheus_port: 0\nlog:\n  access_log: %1\nstorage:\n  database: %2\n")
                    .arg(config->log.accessLogPath, config->storage.database);
        const QString path = dir.filePath(QStringLiteral("gemgate.yaml"));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text.toUtf8()) < 0)
            return false;
        f.close();
        controller.setConfigPath(path);
        QString error;
        if (!controller.start(&error)) {
            qWarning("gateway did not start from %s: %s", qPrintable(path), qPrintable(error));
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
