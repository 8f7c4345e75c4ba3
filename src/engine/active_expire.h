#pragma once
// DEBUG SET-ACTIVE-EXPIRE: whether each worker's periodic sweep deletes expired keys (lazy
// expiry on access always runs).
#include <atomic>

namespace ember {

inline std::atomic<bool> g_active_expire_enabled{true};

}  // namespace ember
