#pragma once
// Whether the data set is still loading at start (persistence/persistence.h): clients get
// -LOADING for commands without the loading flag, and the workers run no active expiry
// (replayed commands may still touch keys that expired since they were written).
#include <atomic>

namespace ember {

inline std::atomic<bool> g_dataset_loading{false};

inline bool DatasetLoading() {
  return g_dataset_loading.load(std::memory_order_relaxed);
}

}  // namespace ember
