#include "log/accesslog.h"

#include "log/logfile.h"

#include <QLocale>

#include <charconv>
#include <pthread.h>
#include <unistd.h>

namespace gemgate {

namespace {

void appendInt(QByteArray& out, qint64 v) {
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    out.append(buf, end - buf);
}

// Like Qt's JSON writer: a whole number as an integer, else the shortest representation that reads back as the
// same double.
void appendMs(QByteArray& out, qint64 us) {
    if (us % 1000 == 0)
        appendInt(out, us / 1000);
    else
        out += QByteArray::number(static_cast<double>(us) / 1000.0, 'g', QLocale::FloatingPointShortest);
}

void appendPadded(QByteArray& out, int v, int width) {
    char buf[8];
    for (int i = width - 1; i >= 0; --i, v /= 10)
        buf[i] = char('0' + v % 10);
    out.append(buf, width);
}

// "2026-12-07T12:33:45.123Z" (what QDateTime::toString(Qt::ISODateWithMs) gives for a UTC time).
void appendTime(QByteArray& out, qint64 ms) {
    qint64 secs = ms / 1000;
    int milli = int(ms % 1000);
    if (milli < 0) {
        milli += 1000;
        --secs;
    }
    qint64 days = secs / 86400;
    qint64 rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    // Civil date from days since 1970-01-01 (proleptic Gregorian; H. Hinnant's days_from_civil inverse).
    const qint64 z = days + 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const int day = int(doy - (153 * mp + 2) / 5 + 1);
    const int month = int(mp < 10 ? mp + 3 : mp - 9);
    const int year = int(yoe + era * 400 + (month <= 2 ? 1 : 0));
    appendPadded(out, year, 4);
    out += '-';
    appendPadded(out, month, 2);
    out += '-';
    appendPadded(out, day, 2);
    out += 'T';
    appendPadded(out, int(rem / 3600), 2);
    out += ':';
    appendPadded(out, int(rem / 60 % 60), 2);
    out += ':';
    appendPadded(out, int(rem % 60), 2);
    out += '.';
    appendPadded(out, milli, 3);
    out += 'Z';
}

char hexDigit(uint v) {
    return char(v < 10 ? '0' + v : 'a' + v - 10);
}

// A JSON string of UTF-8 bytes, escaped the way Qt's JSON writer escapes (invalid UTF-8 was already replaced).
void appendEscapedUtf8(QByteArray& out, const char* s, qsizetype n) {
    out += '"';
    qsizetype plain = 0; // start of the run of bytes that need no escape
    for (qsizetype i = 0; i < n; ++i) {
        const uchar c = uchar(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(s + plain, i - plain);
        plain = i + 1;
        out += '\\';
        switch (c) {
        case '"':
            out += '"';
            break;
        case '\\':
            out += '\\';
            break;
        case '\b':
            out += 'b';
            break;
        case '\f':
            out += 'f';
            break;
        case '\n':
            out += 'n';
            break;
        case '\r':
            out += 'r';
            break;
        case '\t':
            out += 't';
            break;
        default:
            out += "u00";
            out += hexDigit(c >> 4);
            out += hexDigit(c & 0xf);
        }
    }
    out.append(s + plain, n - plain);
    out += '"';
}

bool isAscii(const QByteArray& b) {
    for (const char c : b) {
        if (uchar(c) >= 0x80)
            return false;
    }
    return true;
}

// Bytes that should be UTF-8 (a path, a method): ASCII as it is, anything else through QString so that invalid
// sequences become U+FFFD as before.
void appendBytes(QByteArray& out, const QByteArray& b) {
    if (isAscii(b)) {
        appendEscapedUtf8(out, b.constData(), b.size());
    } else {
        const QByteArray utf8 = QString::fromUtf8(b).toUtf8();
        appendEscapedUtf8(out, utf8.constData(), utf8.size());
    }
}

void appendText(QByteArray& out, const QString& s) {
    const QByteArray utf8 = s.toUtf8();
    appendEscapedUtf8(out, utf8.constData(), utf8.size());
}

void appendLatin1(QByteArray& out, const QByteArray& b) {
    if (isAscii(b))
        appendEscapedUtf8(out, b.constData(), b.size());
    else
        appendText(out, QString::fromLatin1(b));
}

// Which shard a thread uses: assigned on its first line, round-robin.
std::atomic<int> g_nextShard{0};
thread_local int t_shard = -1;

} // namespace

void AccessLog::appendLine(QByteArray& out, const AccessRecord& r) {
    out += "{\"attempts\":";
    appendInt(out, r.attempts);
    out += ",\"bytes_in\":";
    appendInt(out, r.bytesIn);
    out += ",\"bytes_out\":";
    appendInt(out, r.bytesOut);
    out += ",\"cached_tokens\":";
    appendInt(out, r.cachedTokens);
    out += ",\"client\":";
    appendText(out, r.clientId);
    out += ",\"error\":";
    if (r.errorKind.isEmpty())
        out += "null";
    else
        appendLatin1(out, r.errorKind);
    out += ",\"key\":";
    appendText(out, r.keyId);
    out += ",\"latency_ms\":";
    appendMs(out, r.latencyUs);
    out += ",\"method\":";
    appendLatin1(out, r.method);
    out += ",\"model\":";
    appendText(out, r.model);
    out += ",\"output_tokens\":";
    appendInt(out, r.outputTokens);
    out += ",\"path\":";
    appendBytes(out, r.path);
    out += ",\"peer\":";
    appendLatin1(out, r.peer);
    out += ",\"prompt_tokens\":";
    appendInt(out, r.promptTokens);
    out += ",\"request_id\":";
    appendLatin1(out, r.requestId);
    out += ",\"status\":";
    appendInt(out, r.status);
    out += ",\"stream\":";
    out += r.stream ? "true" : "false";
    out += ",\"time\":\"";
    appendTime(out, r.timeMs);
    out += "\",\"total_tokens\":";
    appendInt(out, r.totalTokens);
    out += ",\"ttfb_ms\":";
    if (r.ttfbUs < 0)
        out += "null";
    else
        appendMs(out, r.ttfbUs);
    out += "}\n";
}

QByteArray AccessLog::format(const AccessRecord& r) {
    QByteArray line;
    line.reserve(512);
    appendLine(line, r);
    return line;
}

AccessLog::AccessLog() {
    for (auto& shard : m_shards)
        shard = std::make_unique<Shard>();
    m_thread = std::thread([this] {
        pthread_setname_np(pthread_self(), "gemgate-alog"); // named for top, perf and the bench
        run();
    });
}

AccessLog::~AccessLog() {
    {
        QMutexLocker lock(&m_mutex);
        m_stop = true;
        m_wake.wakeAll();
    }
    m_thread.join();
    if (m_ownFd)
        ::close(m_fd);
    for (int fd : std::as_const(m_retired))
        ::close(fd);
}

bool AccessLog::setTarget(const QString& target, QString* error) {
    int fd = -1;
    bool own = false;
    if (target == QLatin1String("-")) {
        fd = STDOUT_FILENO;
    } else if (!target.isEmpty()) {
        QString why;
        fd = openLogForAppend(target, &why);
        if (fd < 0) {
            if (error)
                *error = QStringLiteral("cannot open access log %1: %2").arg(target, why);
            return false;
        }
        own = true;
    }
    flush();
    QMutexLocker lock(&m_mutex);
    // The writer thread may still hold the old descriptor for a moment: retire it, close it at destruction.
    if (m_ownFd)
        m_retired.append(m_fd);
    m_fd = fd;
    m_ownFd = own;
    m_enabled.store(fd >= 0, std::memory_order_release);
    return true;
}

AccessLog::Shard& AccessLog::shardOfThisThread() {
    if (t_shard < 0)
        t_shard = g_nextShard.fetch_add(1, std::memory_order_relaxed) % kShards;
    return *m_shards[t_shard];
}

void AccessLog::append(const AccessRecord& record) {
    if (!m_enabled.load(std::memory_order_acquire))
        return;
    Shard& shard = shardOfThisThread();
    bool full = false;
    {
        QMutexLocker lock(&shard.mutex);
        appendLine(shard.lines, record);
        ++shard.appended;
        full = shard.lines.size() >= kBatchBytes;
    }
    // Seen after the line is in the shard: a writer that went idle before our lock was taken sees the line in its
    // last sweep, one that went idle after it is kicked here.
    if (full || m_writerIdle.load(std::memory_order_seq_cst))
        kick();
}

void AccessLog::kick() {
    QMutexLocker lock(&m_mutex);
    m_kicked = true;
    m_wake.wakeOne();
}

qint64 AccessLog::sweep(QByteArray* out) {
    qint64 lines = 0;
    for (auto& shard : m_shards) {
        QMutexLocker lock(&shard->mutex);
        if (shard->lines.isEmpty())
            continue;
        lines += shard->appended;
        shard->appended = 0;
        out->append(shard->lines);
        shard->lines.resize(0); // keeps the capacity: no allocation on the request path once it has grown
    }
    return lines;
}

void AccessLog::flush() {
    // Every line appended before this call is in a shard now. Wait for a sweep that starts after this point.
    QMutexLocker lock(&m_mutex);
    const qint64 target = m_sweepsStarted + 1;
    m_kicked = true;
    m_wake.wakeOne();
    while (m_sweepsDone < target)
        m_flushed.wait(&m_mutex);
}

void AccessLog::run() {
    QByteArray out;
    QMutexLocker lock(&m_mutex);
    for (;;) {
        if (!m_kicked && !m_stop) {
            if (m_writerIdle.load(std::memory_order_relaxed))
                m_wake.wait(&m_mutex);
            else
                m_wake.wait(&m_mutex, kSweepMs);
        }
        m_kicked = false;
        const bool stopping = m_stop;
        const int fd = m_fd;
        ++m_sweepsStarted;
        lock.unlock();
        qint64 lines = sweep(&out);
        if (lines == 0 && !stopping) {
            // Going idle: say so first, then look once more (see append()).
            m_writerIdle.store(true, std::memory_order_seq_cst);
            lines = sweep(&out);
            if (lines > 0)
                m_writerIdle.store(false, std::memory_order_relaxed);
        } else {
            m_writerIdle.store(false, std::memory_order_relaxed);
        }
        if (!out.isEmpty())
            writeFully(fd, out);
        out.resize(0);
        lock.relock();
        // Descriptors retired by setTarget() are no longer in use once a batch is done: close them now.
        for (int retired : std::as_const(m_retired))
            ::close(retired);
        m_retired.clear();
        ++m_sweepsDone;
        m_flushed.wakeAll();
        if (stopping && lines == 0)
            break;
    }
}

} // namespace gemgate
