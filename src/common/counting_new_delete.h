#pragma once
// Replaces the global operator new/delete with mimalloc plus byte counting (memory.h), so
// used_memory sees every container and buffer too. Include in exactly one translation unit
// of a binary (the server's main.cc). Sanitized builds keep the sanitizer's own operators.
#include <mimalloc.h>

#include <new>

#include "common/memory.h"

namespace ember::memory {

inline void* CountedNew(size_t n) {
  void* p = mi_new(n);
  Count(static_cast<int64_t>(mi_usable_size(p)));
  return p;
}

inline void* CountedNewAligned(size_t n, std::align_val_t al) {
  void* p = mi_new_aligned(n, static_cast<size_t>(al));
  Count(static_cast<int64_t>(mi_usable_size(p)));
  return p;
}

inline void CountedDelete(void* p) noexcept {
  if (p == nullptr) return;
  Count(-static_cast<int64_t>(mi_usable_size(p)));
  mi_free(p);
}

}  // namespace ember::memory

void* operator new(size_t n) {
  return ember::memory::CountedNew(n);
}
void* operator new[](size_t n) {
  return ember::memory::CountedNew(n);
}
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  try {
    return ember::memory::CountedNew(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  try {
    return ember::memory::CountedNew(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(size_t n, std::align_val_t al) {
  return ember::memory::CountedNewAligned(n, al);
}
void* operator new[](size_t n, std::align_val_t al) {
  return ember::memory::CountedNewAligned(n, al);
}
void operator delete(void* p) noexcept {
  ember::memory::CountedDelete(p);
}
void operator delete[](void* p) noexcept {
  ember::memory::CountedDelete(p);
}
void operator delete(void* p, size_t) noexcept {
  ember::memory::CountedDelete(p);
}
void operator delete[](void* p, size_t) noexcept {
  ember::memory::CountedDelete(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  ember::memory::CountedDelete(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  ember::memory::CountedDelete(p);
}
void operator delete(void* p, size_t, std::align_val_t) noexcept {
  ember::memory::CountedDelete(p);
}
void operator delete[](void* p, size_t, std::align_val_t) noexcept {
  ember::memory::CountedDelete(p);
}
