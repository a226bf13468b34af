#pragma once

// Helpers for the secret-store tests: run one asynchronous store operation and wait for its callback.

#include "secrets/secretstore.h"

#include <QElapsedTimer>
#include <QTest>

#include <memory>

namespace gemgate::testutil {

struct Outcome {
    int calls = 0;            // how many times the callback ran (must end up 1)
    bool synchronous = false; // the callback ran before read()/write()/remove() returned
    qint64 elapsedMs = -1;    // from the call to the first callback
    SecretResult result;
};

// Starts an operation through `start(callback)` and waits up to waitMs for the callback; then keeps processing
// events for settleMs more so that a second (forbidden) call would be counted. The caller checks calls == 1.
template <typename Start> std::shared_ptr<Outcome> runOp(Start start, int waitMs = 10000, int settleMs = 20) {
    auto out = std::make_shared<Outcome>();
    auto returned = std::make_shared<bool>(false);
    QElapsedTimer clock;
    clock.start();
    start([out, returned, clock](const SecretResult& r) {
        if (out->calls++ == 0) {
            out->result = r;
            out->elapsedMs = clock.elapsed();
            out->synchronous = !*returned;
        }
    });
    *returned = true;
    if (QTest::qWaitFor([&] { return out->calls > 0; }, waitMs) && settleMs > 0) {
        QTest::qWait(settleMs);
    }
    return out;
}

inline std::shared_ptr<Outcome> readOp(SecretStore& s, const QString& name, int waitMs = 10000, int settleMs = 20) {
    return runOp([&](SecretCallback cb) { s.read(name, std::move(cb)); }, waitMs, settleMs);
}

inline std::shared_ptr<Outcome> writeOp(SecretStore& s, const QString& name, const QByteArray& v, int waitMs = 10000) {
    return runOp([&](SecretCallback cb) { s.write(name, v, std::move(cb)); }, waitMs);
}

inline std::shared_ptr<Outcome> removeOp(SecretStore& s, const QString& name, int waitMs = 10000) {
    return runOp([&](SecretCallback cb) { s.remove(name, std::move(cb)); }, waitMs);
}

} // namespace gemgate::testutil
