#include "keys/pickstrategy.h"

#include <cmath>

namespace gemgate {

namespace {
// Smooth weighted round-robin (as in nginx): every key gains its weight, the leader is picked and pays the total.
KeyEntry* smoothRoundRobin(const QList<KeyEntry*>& set) {
    KeyEntry* best = nullptr;
    qint64 total = 0;
    for (KeyEntry* e : set) {
        e->current += e->cfg.weight;
        total += e->cfg.weight;
        if (!best || e->current > best->current)
            best = e;
    }
    best->current -= total;
    return best;
}

KeyEntry* leastInFlight(const QList<KeyEntry*>& eligible) {
    double best = 1e300;
    QList<KeyEntry*> ties;
    for (KeyEntry* e : eligible) {
        const double load = double(e->inFlight) / e->cfg.weight;
        if (load < best - 1e-9) {
            best = load;
            ties = {e};
        } else if (load <= best + 1e-9) {
            ties.append(e);
        }
    }
    return smoothRoundRobin(ties);
}

KeyEntry* mostHeadroom(const QList<KeyEntry*>& eligible, const HeadroomOf& headroom) {
    double best = -1;
    QList<KeyEntry*> ties;
    for (KeyEntry* e : eligible) {
        const double h = headroom(*e);
        if (h > best + 1e-9) {
            best = h;
            ties = {e};
        } else if (h >= best - 1e-9) {
            ties.append(e);
        }
    }
    return smoothRoundRobin(ties);
}

KeyEntry* weightedRandom(const QList<KeyEntry*>& eligible, std::mt19937_64& rng) {
    qint64 total = 0;
    for (KeyEntry* e : eligible)
        total += e->cfg.weight;
    std::uniform_int_distribution<qint64> dist(0, total - 1);
    qint64 x = dist(rng);
    for (KeyEntry* e : eligible) {
        x -= e->cfg.weight;
        if (x < 0)
            return e;
    }
    return eligible.last();
}

// Weighted rendezvous hashing: the same session maps to the same key while that key stays eligible, and only the
// sessions of a key that drops out move.
KeyEntry* sticky(const QList<KeyEntry*>& eligible, const QString& stickyKey) {
    KeyEntry* best = nullptr;
    double bestScore = 0;
    for (KeyEntry* e : eligible) {
        const quint64 h = qHash(stickyKey, 0x9e3779b97f4a7c15ULL) ^ qHash(e->cfg.id, 0xc2b2ae3d27d4eb4fULL);
        quint64 z = h + 0x9e3779b97f4a7c15ULL; // splitmix64 finalizer for a well-mixed uniform value
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        const double u = (double(z >> 11) + 0.5) / 9007199254740992.0; // (0,1)
        const double score = e->cfg.weight / -std::log(u);
        if (!best || score > bestScore) {
            best = e;
            bestScore = score;
        }
    }
    return best;
}
} // namespace

KeyEntry* chooseKey(KeyStrategy strategy, const QList<KeyEntry*>& eligible, const PickRequest& r, std::mt19937_64& rng,
                    const HeadroomOf& headroom) {
    switch (strategy) {
    case KeyStrategy::RoundRobin:
        return smoothRoundRobin(eligible);
    case KeyStrategy::LeastInFlight:
        return leastInFlight(eligible);
    case KeyStrategy::MostHeadroom:
        return mostHeadroom(eligible, headroom);
    case KeyStrategy::WeightedRandom:
        return weightedRandom(eligible, rng);
    case KeyStrategy::Sticky:
        if (r.stickyKey.isEmpty())
            return smoothRoundRobin(eligible);
        return sticky(eligible, r.stickyKey);
    }
    return smoothRoundRobin(eligible);
}

} // namespace gemgate
