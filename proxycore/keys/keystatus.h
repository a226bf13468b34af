#pragma once

// What the window and the admin API show about one key, built from its state: health with a one-line detail, and a
// budget per model (RPM, TPM and RPD used against the tighter of the project's and the key's own limit, and the
// project's cooldown). The most_headroom strategy's headroom comes from the same budgets, without a KeyStatus.
// Nothing here locks: KeyPool calls these under its mutex.

#include "keys/keypool.h"
#include "keys/keypool_p.h"
#include "keys/slidingwindow.h"

namespace gemgate {

KeyStatus keyStatus(const KeyEntry& e, const ScopeTable& scopes, const GeminiConfig& config, qint64 now);
// 0..1: the tightest remaining share of any configured limit of the key (KeyStatus::headroom).
double keyHeadroom(const KeyEntry& e, const ScopeTable& scopes, const GeminiConfig& config, qint64 now);
// Counts a key of this health in the summary's total and its bucket.
void addToSummary(KeyPoolSummary& summary, KeyHealth health);

} // namespace gemgate
