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
  // Heap bytes this value owns (its own allocation included), for MEMORY USAGE.
  virtual size_t AllocatedBytes() const = 0;
  // Redis's name for the current encoding: listpack, quicklist, hashtable, intset, skiplist.
  virtual const char* EncodingName() const = 0;
};

}  // namespace ember
