#include "commands/command.h"

#include <mutex>

#include "commands/errors.h"
#include "common/numbers.h"

namespace ember {

CommandTable& CommandTable::Instance() {
  static CommandTable table;
  return table;
}

CommandTable::CommandTable() {
  RegisterStringCommands(*this);
  RegisterKeyCommands(*this);
  RegisterServerCommands(*this);
  RegisterConnectionCommands(*this);
  RegisterIntrospectionCommands(*this);
  RegisterListCommands(*this);
  RegisterHashCommands(*this);
  RegisterSetCommands(*this);
  RegisterZSetCommands(*this);
  RegisterSortCommands(*this);
  RegisterPersistenceCommands(*this);
  RegisterTransactionCommands(*this);
  RegisterPubSubCommands(*this);
  RegisterGeoCommands(*this);
  RegisterBitmapCommands(*this);
  RegisterObservabilityCommands(*this);
  RegisterScriptingCommands(*this);
  RegisterFunctionCommands(*this);
  RegisterStreamCommands(*this);
  RegisterAclCommands(*this);
}

void CommandTable::Add(const CommandBuilder& command, std::string_view group, uint32_t family_acl) {
  CommandSpec spec = command.Build(group, family_acl);
  std::string name = spec.name;
  spec.id = static_cast<uint16_t>(ordered_.size());
  auto [it, inserted] = commands_.emplace(name, std::move(spec));
  if (!inserted) return;
  ordered_.push_back(&it->second);
  it->second.acl_id = static_cast<uint16_t>(acl_entries_.size());
  acl_entries_.push_back(&it->second);
  for (CommandSpec& sub : it->second.subcommands) {
    sub.acl_id = static_cast<uint16_t>(acl_entries_.size());
    acl_entries_.push_back(&sub);
  }
}

namespace {

char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

bool EqualsLowerName(std::string_view name, const std::string& lower) {
  if (name.size() != lower.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (AsciiLower(name[i]) != lower[i]) return false;
  }
  return true;
}

}  // namespace

const CommandSpec* CommandTable::Find(std::string_view name) const {
  // A pipeline repeats its commands: the last one this thread found is checked first. (The
  // table is built once and never changes, so the pointer stays good.)
  thread_local const CommandSpec* last = nullptr;
  if (last != nullptr && EqualsLowerName(name, last->name)) return last;
  char lower[32];
  if (name.size() >= sizeof(lower)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) lower[i] = AsciiLower(name[i]);
  // unordered_map<string> needs a string key; a small string stays in SSO (no allocation).
  auto it = commands_.find(std::string(lower, name.size()));
  if (it == commands_.end()) return nullptr;
  last = &it->second;
  return last;
}

const char* CommandTable::DisplayName(const CommandSpec& spec,
                                      std::span<const std::string_view> args) {
  if (!spec.has_subcommands || args.size() < 2) return spec.name.c_str();  // "config|get" too
  // Interned once per subcommand; a client inventing names cannot grow the set past a bound.
  static std::mutex mutex;
  static auto* names = new std::unordered_map<std::string, std::string>;
  std::string name = spec.name + "|";
  for (char c : args[1].substr(0, 32)) name.push_back(AsciiLower(c));
  std::lock_guard lock(mutex);
  auto it = names->find(name);
  if (it != names->end()) return it->second.c_str();
  if (names->size() >= 256) return spec.name.c_str();
  return names->try_emplace(name, name).first->second.c_str();
}

const CommandSpec* CommandTable::Validate(std::span<const std::string_view> args,
                                          std::string* error) const {
  const CommandSpec* spec = Find(args[0]);
  if (spec == nullptr) {
    *error = err::UnknownCommand(args);
    return nullptr;
  }
  // A known subcommand is checked and run as its own entry; an unknown one goes to the parent,
  // whose handler answers it.
  if (spec->has_subcommands && args.size() >= 2) {
    if (const CommandSpec* sub = spec->FindSubcommand(args[1])) spec = sub;
  }
  int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && argc != spec->arity) || (spec->arity < 0 && argc < -spec->arity)) {
    *error = err::WrongArity(spec->name);
    return nullptr;
  }
  return spec;
}

void CommandTable::KeyPositions(const CommandSpec& spec, std::span<const std::string_view> args,
                                std::vector<size_t>* out) {
  out->clear();
  if (spec.find_keys != nullptr) return spec.find_keys(args, out, nullptr);
  int argc = static_cast<int>(args.size());
  if (spec.first_key > 0) {
    int last = spec.last_key >= 0 ? spec.last_key : argc + spec.last_key;
    if (last >= argc) last = argc - 1;
    int step = spec.key_step > 0 ? spec.key_step : 1;
    for (int i = spec.first_key; i <= last; i += step) out->push_back(static_cast<size_t>(i));
  }
  if (spec.numkeys_index > 0 && spec.numkeys_index < argc) {
    // A bad count yields no keys here; the handler replies with the error.
    auto numkeys = ParseInt64(args[static_cast<size_t>(spec.numkeys_index)]);
    if (!numkeys || *numkeys <= 0 || *numkeys > argc - spec.numkeys_index - 1) return;
    for (int64_t i = 1; i <= *numkeys; ++i) {
      out->push_back(static_cast<size_t>(spec.numkeys_index + i));
    }
  }
}

namespace {

// The KeyFlag bits of the key at `pos`: those of the key spec that covers it.
uint32_t KeyFlagsAt(const CommandSpec& spec, std::span<const std::string_view> call, size_t pos) {
  int argc = static_cast<int>(call.size());
  int p = static_cast<int>(pos);
  for (const KeySpec& k : spec.key_specs) {
    if (k.index == 0) continue;
    if (k.keynum) {
      if (p > k.index) return k.flags;  // keys follow their count
      continue;
    }
    int last = k.last >= 0 ? k.index + k.last : argc + k.last;
    if (p >= k.index && p <= last && (p - k.index) % k.step == 0) return k.flags;
  }
  return 0;
}

}  // namespace

void CommandTable::KeysWithFlags(const CommandSpec& spec, std::span<const std::string_view> args,
                                 std::vector<size_t>* positions, std::vector<uint32_t>* flags) {
  flags->clear();
  if (spec.find_keys != nullptr) {
    positions->clear();
    return spec.find_keys(args, positions, flags);
  }
  KeyPositions(spec, args, positions);
  for (size_t pos : *positions) {
    uint32_t f = KeyFlagsAt(spec, args, pos);
    if ((f & kKeyVariableFlags) && spec.resolve_key_flags != nullptr) {
      f = spec.resolve_key_flags(args, pos);
    }
    flags->push_back(f);
  }
}

}  // namespace ember
