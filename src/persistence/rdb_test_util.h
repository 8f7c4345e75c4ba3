#pragma once
// Test helpers: a record's whole content as one comparable string, whatever its encoding.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "keyspace/record.h"
#include "types/hash_ref.h"
#include "types/list_value.h"
#include "types/packed_pairs.h"
#include "types/set_value.h"
#include "types/zset_value.h"

namespace ember::rdb_test {

inline std::string Describe(const Record* r) {
  std::string out = std::string(r->key()) + " type=" + std::to_string(int(r->type())) +
                    " exp=" + std::to_string(r->expire_ms()) + " [";
  std::vector<std::string> items;
  switch (r->type()) {
    case ValueType::kStream:
      items.push_back("stream");
      break;
    case ValueType::kString:
      items.push_back(r->encoding() == Encoding::kInt ? std::to_string(r->int_value())
                                                      : std::string(r->raw_value()));
      break;
    case ValueType::kList:
      static_cast<ListValue*>(r->object())->Scan(false, [&](size_t, std::string_view v) {
        items.emplace_back(v);
        return true;
      });
      break;
    case ValueType::kSet:
      static_cast<SetValue*>(r->object())->ForEach([&](std::string_view v) {
        items.emplace_back(v);
        return true;
      });
      std::sort(items.begin(), items.end());
      break;
    case ValueType::kHash: {
      auto add = [&](std::string_view f, std::string_view v) {
        items.push_back(std::string(f) + "=" + std::string(v));
        return true;
      };
      if (r->encoding() == Encoding::kPacked) {
        PackedPairs(r->packed_value()).ForEach(add);
      } else {
        static_cast<HashValue*>(r->object())->ForEach(add);
      }
      std::sort(items.begin(), items.end());
      break;
    }
    case ValueType::kZSet: {
      auto* z = static_cast<ZSetValue*>(r->object());
      z->Visit(0, z->size(), false, [&](std::string_view m, double s) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%.17g", s);
        items.push_back(std::string(m) + "@" + buf);
        return true;
      });
      break;
    }
  }
  for (auto& i : items) out += i + ",";
  return out + "]";
}

}  // namespace ember::rdb_test
