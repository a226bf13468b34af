#include "metrics/perfwindow.h"

namespace gemgate {

namespace {
constexpr int kSeconds = 300;
constexpr int kMinutes = 60;
} // namespace

PerfWindow::PerfWindow()
    : m_seconds(kSeconds)
    , m_minutes(kMinutes) {}

void PerfWindow::reset() {
    m_seconds.assign(kSeconds, Slot());
    m_minutes.assign(kMinutes, Slot());
    m_last = Totals();
    m_haveLast = false;
    m_firstSec = -1;
}

void PerfWindow::add(Totals& into, const Totals& d) {
    into.requests += d.requests;
    into.errors += d.errors;
    for (size_t i = 0; i < into.latency.size(); ++i) {
        into.latency[i] += d.latency[i];
        into.ttfb[i] += d.ttfb[i];
    }
}

PerfWindow::Totals PerfWindow::sample(qint64 nowMs, const Totals& cumulative) {
    Totals d = cumulative;
    if (m_haveLast && cumulative.requests >= m_last.requests) {
        d.requests -= m_last.requests;
        d.errors -= qMin(d.errors, m_last.errors);
        for (size_t i = 0; i < d.latency.size(); ++i) {
            d.latency[i] -= qMin(d.latency[i], m_last.latency[i]);
            d.ttfb[i] -= qMin(d.ttfb[i], m_last.ttfb[i]);
        }
    }
    m_last = cumulative;
    m_haveLast = true;
    m_nowSec = nowMs / 1000;
    if (m_firstSec < 0)
        m_firstSec = m_nowSec;
    Slot& s = m_seconds[size_t(m_nowSec % kSeconds)];
    if (s.stamp != m_nowSec)
        s = Slot{m_nowSec, Totals()};
    add(s.t, d);
    const qint64 minute = m_nowSec / 60;
    Slot& m = m_minutes[size_t(minute % kMinutes)];
    if (m.stamp != minute)
        m = Slot{minute, Totals()};
    add(m.t, d);
    return d;
}

double PerfWindow::quantileMs(const std::array<quint64, LatencyScale::kSlots>& slots, quint64 count, double q) {
    if (count == 0)
        return 0;
    const double rank = q * double(count);
    quint64 seen = 0;
    for (int i = 0; i < LatencyScale::kSlots; ++i) {
        const quint64 n = slots[size_t(i)];
        if (n == 0)
            continue;
        if (double(seen + n) >= rank) {
            if (i >= LatencyScale::kBounds)
                return double(LatencyScale::upperUs(LatencyScale::kBounds - 1)) / 1000;
            const double lo = i == 0 ? 0 : double(LatencyScale::upperUs(i - 1));
            const double hi = double(LatencyScale::upperUs(i));
            const double within = (rank - double(seen)) / double(n);
            return (lo + (hi - lo) * qBound(0.0, within, 1.0)) / 1000;
        }
        seen += n;
    }
    return double(LatencyScale::upperUs(LatencyScale::kBounds - 1)) / 1000;
}

PerfWindow::Stats PerfWindow::stats(int windowSeconds) const {
    Stats st;
    st.windowSeconds = windowSeconds;
    Totals sum;
    if (m_firstSec >= 0) {
        if (windowSeconds <= kSeconds) {
            for (const Slot& s : m_seconds)
                if (s.stamp > m_nowSec - windowSeconds && s.stamp <= m_nowSec)
                    add(sum, s.t);
            st.coveredSeconds = int(qMin<qint64>(windowSeconds, m_nowSec - m_firstSec + 1));
        } else {
            // Whole minutes: the window starts at the first second of its oldest minute.
            const qint64 nowMin = m_nowSec / 60;
            const qint64 minutes = (windowSeconds + 59) / 60;
            for (const Slot& s : m_minutes)
                if (s.stamp > nowMin - minutes && s.stamp <= nowMin)
                    add(sum, s.t);
            const qint64 from = qMax(m_firstSec, (nowMin - minutes + 1) * 60);
            st.coveredSeconds = int(m_nowSec - from + 1);
        }
    }
    st.requests = sum.requests;
    st.errors = sum.errors;
    st.requestsPerSecond = st.coveredSeconds > 0 ? double(sum.requests) / st.coveredSeconds : 0;
    quint64 n = 0, nt = 0;
    for (size_t i = 0; i < sum.latency.size(); ++i) {
        n += sum.latency[i];
        nt += sum.ttfb[i];
    }
    st.latency = {quantileMs(sum.latency, n, 0.5), quantileMs(sum.latency, n, 0.95), quantileMs(sum.latency, n, 0.99),
                  n};
    st.ttfb = {quantileMs(sum.ttfb, nt, 0.5), quantileMs(sum.ttfb, nt, 0.95), quantileMs(sum.ttfb, nt, 0.99), nt};
    return st;
}

} // namespace gemgate
