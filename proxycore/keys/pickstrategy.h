#pragma once

// The five ways to choose one key among those that can take a request (key_pool.strategy): smooth weighted
// round-robin, least in flight per weight, most headroom, weighted random, and sticky (weighted rendezvous hashing
// on the client's session). Ties fall back to round-robin. Nothing here locks: KeyPool calls chooseKey under its
// mutex, which also guards the round-robin positions and the random generator it passes in.

#include "config/config.h"
#include "keys/keypool.h"
#include "keys/keypool_p.h"

#include <functional>
#include <random>

namespace gemgate {

// A key's headroom, 0..1 (most_headroom only).
using HeadroomOf = std::function<double(const KeyEntry&)>;

// eligible is not empty. Advances the round-robin positions (KeyEntry::current) of the keys it weighs, and draws
// from rng for weighted_random.
KeyEntry* chooseKey(KeyStrategy strategy, const QList<KeyEntry*>& eligible, const PickRequest& r, std::mt19937_64& rng,
                    const HeadroomOf& headroom);

} // namespace gemgate
