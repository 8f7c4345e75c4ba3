// CommandBuilder: names every field of a command's table entry (see command.h).
#include <array>
#include <cstdio>
#include <cstdlib>

#include "commands/command.h"

namespace ember {

std::span<const std::string_view> AclCategoryNames() {
  static constexpr std::array<std::string_view, 21> kNames = {
      "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
      "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
      "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
  return kNames;
}

std::vector<std::string_view> KeyFlagNames(uint32_t flags) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kKeyRO, "RO"},          {kKeyRW, "RW"},
      {kKeyOW, "OW"},          {kKeyRM, "RM"},
      {kKeyAccess, "access"},  {kKeyUpdate, "update"},
      {kKeyInsert, "insert"},  {kKeyDelete, "delete"},
      {kKeyNotKey, "not_key"}, {kKeyVariableFlags, "variable_flags"}};
  std::vector<std::string_view> names;
  for (auto [bit, name] : kNames) {
    if (flags & bit) names.push_back(name);
  }
  return names;
}

const CommandSpec* CommandSpec::FindSubcommand(std::string_view sub) const {
  for (const CommandSpec& s : subcommands) {
    std::string_view short_name = std::string_view(s.name).substr(name.size() + 1);
    if (short_name.size() != sub.size()) continue;
    bool same = true;
    for (size_t i = 0; i < sub.size() && same; ++i) {
      char c = sub[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
      same = c == short_name[i];
    }
    if (same) return &s;
  }
  return nullptr;
}

CommandBuilder::CommandBuilder(std::string_view name, CommandHandler handler) {
  spec_.name = std::string(name);
  spec_.handler = handler;
}

CommandBuilder& CommandBuilder::Arity(int arity) {
  spec_.arity = arity;
  return *this;
}

CommandBuilder& CommandBuilder::Flags(uint32_t flags) {
  spec_.flags = flags;
  return *this;
}

CommandBuilder& CommandBuilder::Exec(ExecKind exec) {
  spec_.exec = exec;
  exec_set_ = true;
  return *this;
}

CommandBuilder& CommandBuilder::Key(int index, uint32_t key_flags) {
  return KeyRange(index, index, 1, key_flags);
}

CommandBuilder& CommandBuilder::KeyRange(int first, int last, int step, uint32_t key_flags) {
  spec_.key_specs.push_back(
      KeySpec{key_flags, first, false, last >= 0 ? last - first : last, step});
  return *this;
}

CommandBuilder& CommandBuilder::KeyCount(int index, uint32_t key_flags) {
  spec_.key_specs.push_back(KeySpec{key_flags, index, true, 0, 1});
  return *this;
}

CommandBuilder& CommandBuilder::FindKeys(KeyFinder finder) {
  spec_.find_keys = finder;
  return *this;
}

CommandBuilder& CommandBuilder::ResolveKeyFlags(KeyFlagsResolver resolver) {
  spec_.resolve_key_flags = resolver;
  return *this;
}

CommandBuilder& CommandBuilder::Acl(uint32_t categories) {
  spec_.acl |= categories;
  return *this;
}

CommandBuilder& CommandBuilder::Group(std::string_view group) {
  spec_.group = std::string(group);
  return *this;
}

CommandBuilder& CommandBuilder::Since(std::string_view version) {
  spec_.since = std::string(version);
  return *this;
}

CommandBuilder& CommandBuilder::Summary(std::string_view summary) {
  spec_.summary = std::string(summary);
  return *this;
}

CommandBuilder& CommandBuilder::Subcommand(const CommandBuilder& sub) {
  subcommands_.push_back(sub);
  return *this;
}

namespace {

[[noreturn]] void BadSpec(const CommandSpec& spec, const char* why) {
  fprintf(stderr, "command table: %s: %s\n", spec.name.c_str(), why);
  abort();
}

// Redis's legacy (first, last, step) from the key specs, and the routing fields: index ranges
// that follow each other merge; a key count or a finder makes the keys movable.
void DeriveKeyFields(CommandSpec& spec) {
  for (const KeySpec& k : spec.key_specs) {
    if (k.keynum) {
      if (spec.numkeys_index != 0) BadSpec(spec, "two key counts");
      spec.numkeys_index = k.index;
      spec.flags |= kCmdMovableKeys;
      continue;
    }
    int last = k.last >= 0 ? k.index + k.last : k.last;
    if (spec.first_key == 0) {
      spec.first_key = k.index;
      spec.last_key = last;
      spec.key_step = k.step;
    } else if (spec.key_step == 1 && k.step == 1 && spec.last_key > 0 &&
               k.index == spec.last_key + 1) {
      spec.last_key = last;
    } else if (spec.find_keys == nullptr) {
      BadSpec(spec, "key ranges that do not follow each other need a KeyFinder");
    }
  }
  if (spec.find_keys != nullptr) spec.flags |= kCmdMovableKeys;
}

// Redis adds these categories from the flags (so COMMAND shows them for every command).
void AddImplicitAcl(CommandSpec& spec) {
  if (spec.flags & kCmdWrite) spec.acl |= kAclWrite;
  if ((spec.flags & kCmdReadOnly) && !(spec.acl & kAclScripting)) spec.acl |= kAclRead;  // as Redis
  if (spec.flags & kCmdAdmin) spec.acl |= kAclAdmin | kAclDangerous;
  if (spec.flags & kCmdFast) spec.acl |= kAclFast;
  if (spec.flags & kCmdBlocking) spec.acl |= kAclBlocking;
  if (spec.flags & kCmdPubSub) spec.acl |= kAclPubSub;
  if (!(spec.acl & kAclFast)) spec.acl |= kAclSlow;
}

}  // namespace

CommandSpec CommandBuilder::Build(std::string_view group, uint32_t family_acl) const {
  CommandSpec spec = spec_;
  if (spec.group.empty()) spec.group = std::string(group);
  // As Redis: a container (XGROUP, CLIENT) is only @slow; its subcommands carry the family's
  // category.
  if (subcommands_.empty()) spec.acl |= family_acl;
  DeriveKeyFields(spec);
  AddImplicitAcl(spec);
  spec.has_subcommands = !subcommands_.empty();
  for (const CommandBuilder& sub_builder : subcommands_) {
    CommandSpec sub = sub_builder.Build(spec.group, family_acl);
    sub.name = spec.name + "|" + sub.name;
    sub.is_subcommand = true;
    if (sub.handler == nullptr) sub.handler = spec.handler;
    if (!sub_builder.exec_set_) sub.exec = spec.exec;
    spec.subcommands.push_back(std::move(sub));
  }
  return spec;
}

}  // namespace ember
