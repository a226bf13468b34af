// fake-gemini: the fake Gemini upstream as a standalone server for benchmarks.
//   fake-gemini --port N [--threads N] [--record] [--stats]
// Prints "listening on <port>" once it accepts connections, then serves until SIGTERM or SIGINT.

#include "fakeupstream.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <thread>

int main(int argc, char** argv) {
    // Block the termination signals before Qt starts any thread, so every thread inherits the mask and only the
    // sigwait() thread below sees them: a plain signal handler may not call into Qt.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("fake-gemini"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Fake Gemini REST upstream for GemGate benchmarks."));
    parser.addHelpOption();
    const QCommandLineOption portOption(QStringLiteral("port"), QStringLiteral("TCP port on 127.0.0.1 (0: any)."),
                                        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption threadsOption(QStringLiteral("threads"), QStringLiteral("Serving threads."),
                                           QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption recordOption(QStringLiteral("record"),
                                          QStringLiteral("Keep every request in memory (off: only counts)."));
    const QCommandLineOption statsOption(QStringLiteral("stats"), QStringLiteral("Print requests/s to stderr."));
    parser.addOptions({portOption, threadsOption, recordOption, statsOption});
    parser.process(app);

    bool portOk = false;
    const uint port = parser.value(portOption).toUInt(&portOk);
    bool threadsOk = false;
    const int threads = parser.value(threadsOption).toInt(&threadsOk);
    if (!portOk || port > 65535 || !threadsOk || threads < 1) {
        std::fprintf(stderr, "fake-gemini: invalid --port or --threads\n");
        return 2;
    }

    gemgate::test::FakeUpstream fake;
    fake.setRecordingEnabled(parser.isSet(recordOption));
    if (!fake.start(threads, quint16(port))) {
        std::fprintf(stderr, "fake-gemini: cannot listen on 127.0.0.1:%u\n", port);
        return 1;
    }
    std::printf("listening on %u\n", unsigned(fake.port()));
    std::fflush(stdout);

    QTimer stats;
    int lastCount = 0;
    if (parser.isSet(statsOption)) {
        QObject::connect(&stats, &QTimer::timeout, &app, [&fake, &lastCount] {
            const int count = fake.requestCount();
            std::fprintf(stderr, "fake-gemini: %d req/s, %d active streams\n", count - lastCount, fake.activeStreams());
            lastCount = count;
        });
        stats.start(1000);
    }

    std::thread waiter([&app, stopSignals] {
        int received = 0;
        sigwait(&stopSignals, &received);
        QMetaObject::invokeMethod(
            &app, [] { QCoreApplication::quit(); }, Qt::QueuedConnection);
    });
    const int rc = app.exec();
    fake.stop();
    waiter.join();
    return rc;
}
