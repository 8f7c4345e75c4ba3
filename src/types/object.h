#pragma once
// The value behind a record whose encoding is Encoding::kObject: a list, hash, set or sorted
// set. The record owns it (Record::Free deletes it); each type picks and reports its encoding.
#include <cstddef>

namespace ember {

class Object {
 public:
  virtual ~Object() = default;
  // A deep copy, for COPY.
  virtual Object* Clone() const = 0;
  // Heap bytes this value owns (its own allocation included), for MEMORY USAGE and the
  // keyspace's used bytes. O(1): every type keeps a running count as it changes.
  virtual size_t AllocatedBytes() const = 0;
  // The same figure summed afresh by walking the whole value: O(n), for tests and DEBUG
  // checks that the running count is exact (they must always agree).
  virtual size_t RecountAllocatedBytes() const = 0;
  // Redis's name for the current encoding: listpack, quicklist, hashtable, intset, skiplist.
  virtual const char* EncodingName() const = 0;
};

}  // namespace ember
