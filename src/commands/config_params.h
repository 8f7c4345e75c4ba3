#pragma once
// The parameters CONFIG GET / SET know: how each reads and validates its value, and whether
// it may change at run time, with Redis 7's names, aliases and error texts.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/config.h"

namespace ember {

struct ConfigParam {
  enum class Mutability { kMutable, kImmutable, kProtected };
  const char* name;
  std::function<std::string(const ServerConfig&)> get;
  // Returns an error text ("argument must be ..."), or empty on success. Null unless mutable.
  std::function<std::string(ServerConfig&, std::string_view)> set;
  Mutability mutability = Mutability::kMutable;
  const char* alias = nullptr;  // Redis 7's older name (hash-max-ziplist-entries ...)
};

const std::vector<ConfigParam>& ConfigParams();
// By name or alias, case-insensitively; nullptr when unknown.
const ConfigParam* FindConfigParam(std::string_view name);

// Validates and stores save points (`--save`, CONFIG SET save); returns an error text or "".
std::string SetSave(ServerConfig& c, std::string_view value);

// client-output-buffer-limit: "<class> <hard> <soft> <seconds> ..." (classes normal, replica
// or slave, pubsub; sizes with units); only the classes named change. Error text or "".
std::string SetOutputBufferLimits(ServerConfig& c, std::string_view value);

// maxmemory-clients: a memory size ("64mb") or a percentage of maxmemory ("10%"). Error or "".
std::string SetMaxmemoryClients(ServerConfig& c, std::string_view value);

// notify-keyspace-events in Redis's canonical spelling ("AKE", "zxK").
std::string NotifyKeyspaceEventsString(uint32_t flags);

}  // namespace ember
