#include "acl/acl_user.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>

#include "commands/command.h"
#include "common/hex.h"

namespace ember::acl {
namespace {

std::atomic<bool> g_pubsub_default_all{false};

size_t EntryCount() {
  return CommandTable::Instance().AclEntries().size();
}

void SetBit(Selector* s, uint16_t id, bool on) {
  uint64_t mask = uint64_t{1} << (id % 64);
  if (on) {
    s->allowed[id / 64] |= mask;
  } else {
    s->allowed[id / 64] &= ~mask;
  }
}

void DropFirstArgs(Selector* s, uint16_t id) {
  std::erase_if(s->first_args, [id](const auto& entry) { return entry.first == id; });
}

// A command and all its subcommands: "+config" allows "config|get" too.
void SetCommand(Selector* s, const CommandSpec& spec, bool on) {
  SetBit(s, spec.acl_id, on);
  DropFirstArgs(s, spec.acl_id);
  for (const CommandSpec& sub : spec.subcommands) SetBit(s, sub.acl_id, on);
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  return out;
}

// Keeps the rules replayable and short: a rule for the same target as an earlier one replaces
// it (the later one decides every bit the earlier one set).
void RecordRule(Selector* s, std::string_view rule) {
  std::string lower = Lower(rule);
  std::erase_if(s->command_rules, [&](const std::string& r) {
    return std::string_view(r).substr(1) == std::string_view(lower).substr(1);
  });
  s->command_rules.push_back(std::move(lower));
}

int CategoryBit(std::string_view name) {
  std::span<const std::string_view> names = AclCategoryNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (Lower(name) == names[i]) return static_cast<int>(i);
  }
  return -1;
}

constexpr std::string_view kUnknown = "Unknown command or category name in ACL";

bool ApplyCommandRule(Selector* s, std::string_view rule, std::string* error) {
  bool on = rule[0] == '+';
  std::string_view name = rule.substr(1);
  if (name.starts_with('@')) {
    if (Lower(name) == "@all") {
      std::fill(s->allowed.begin(), s->allowed.end(), on ? ~uint64_t{0} : 0);
      s->all_commands = on;
      s->first_args.clear();
      s->command_rules.clear();
      return true;
    }
    int bit = CategoryBit(name.substr(1));
    if (bit < 0) {
      *error = kUnknown;
      return false;
    }
    for (const CommandSpec* spec : CommandTable::Instance().AclEntries()) {
      if (spec->acl & (1u << bit)) {
        SetBit(s, spec->acl_id, on);
        DropFirstArgs(s, spec->acl_id);
      }
    }
    RecordRule(s, rule);
    return true;
  }
  size_t bar = name.find('|');
  const CommandSpec* spec = CommandTable::Instance().Find(name.substr(0, bar));
  if (spec == nullptr || spec->is_subcommand) {
    *error = kUnknown;
    return false;
  }
  if (bar == std::string_view::npos) {
    SetCommand(s, *spec, on);
    RecordRule(s, rule);
    return true;
  }
  std::string_view rest = name.substr(bar + 1);
  if (spec->has_subcommands) {
    size_t second = rest.find('|');
    const CommandSpec* sub = spec->FindSubcommand(rest.substr(0, second));
    if (sub == nullptr) {
      *error = kUnknown;
      return false;
    }
    if (second != std::string_view::npos) {
      *error = "Allowing first-arg of a subcommand is not supported";
      return false;
    }
    SetBit(s, sub->acl_id, on);
    RecordRule(s, rule);
    return true;
  }
  // "+select|0": the command with this first argument only (Redis allows no "-select|0").
  if (!on || rest.empty() || rest.find('|') != std::string_view::npos) {
    *error = kUnknown;
    return false;
  }
  std::string arg = Lower(rest);
  if (!s->Allows(*spec) && !s->AllowsFirstArg(*spec, arg)) {
    s->first_args.emplace_back(spec->acl_id, std::move(arg));
  }
  RecordRule(s, rule);
  return true;
}

constexpr std::string_view kKeysAfterAll =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not "
    "have any effect. Try 'resetkeys' to start with an empty list of patterns";
constexpr std::string_view kChannelsAfterAll =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
    "have any effect. Try 'resetchannels' to start with an empty list of channels";

// `all`: "~*" or allkeys (a "%RW~*" is an ordinary pattern).
bool AddKeyPattern(Selector* s, std::string_view pattern, uint8_t permissions, bool all,
                   std::string* error) {
  if (s->all_keys) {
    *error = kKeysAfterAll;
    return false;
  }
  if (all) {
    s->all_keys = true;
    s->keys.clear();
    return true;
  }
  for (KeyPattern& existing : s->keys) {
    if (existing.pattern == pattern) {
      existing.permissions |= permissions;
      return true;
    }
  }
  s->keys.push_back({std::string(pattern), permissions});
  return true;
}

// "%R~p", "%W~p", "%RW~p".
bool ApplyKeyPermissionRule(Selector* s, std::string_view rule, std::string* error) {
  size_t tilde = rule.find('~');
  if (tilde == std::string_view::npos || tilde == 1) {
    *error = "Syntax error";
    return false;
  }
  uint8_t permissions = 0;
  for (char c : rule.substr(1, tilde - 1)) {
    uint8_t bit = c == 'R' || c == 'r' ? kKeyRead : c == 'W' || c == 'w' ? kKeyWrite : 0;
    if (bit == 0 || (permissions & bit)) {
      *error = "Syntax error";
      return false;
    }
    permissions |= bit;
  }
  return AddKeyPattern(s, rule.substr(tilde + 1), permissions, false, error);
}

bool AddChannelPattern(Selector* s, std::string_view pattern, std::string* error) {
  if (s->all_channels) {
    *error = kChannelsAfterAll;
    return false;
  }
  if (pattern == "*") {
    s->all_channels = true;
    s->channels.clear();
    return true;
  }
  if (std::find(s->channels.begin(), s->channels.end(), pattern) == s->channels.end()) {
    s->channels.emplace_back(pattern);
  }
  return true;
}

// A rule any selector takes: commands, keys, channels. False with "" when it is none of them.
bool ApplySelectorRule(Selector* s, std::string_view rule, std::string* error) {
  std::string lower = Lower(rule);
  if (lower == "allcommands") return ApplyCommandRule(s, "+@all", error);
  if (lower == "nocommands") return ApplyCommandRule(s, "-@all", error);
  if (lower == "allkeys") return AddKeyPattern(s, "*", kKeyReadWrite, true, error);
  if (lower == "allchannels") return AddChannelPattern(s, "*", error);
  if (lower == "resetkeys") {
    s->all_keys = false;
    s->keys.clear();
    return true;
  }
  if (lower == "resetchannels") {
    s->all_channels = false;
    s->channels.clear();
    return true;
  }
  if (rule.empty()) {
    *error = "Syntax error";
    return false;
  }
  switch (rule[0]) {
    case '+':
    case '-':
      if (rule.size() == 1) break;
      return ApplyCommandRule(s, rule, error);
    case '~':
      return AddKeyPattern(s, rule.substr(1), kKeyReadWrite, rule == "~*", error);
    case '%':
      return ApplyKeyPermissionRule(s, rule, error);
    case '&':
      return AddChannelPattern(s, rule.substr(1), error);
    default:
      break;
  }
  *error = "Syntax error";
  return false;
}

bool ValidHash(std::string_view hash) {
  return hash.size() == 64 && std::all_of(hash.begin(), hash.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool RemoveHash(User* u, const std::string& hash, std::string* error) {
  auto it = std::find(u->password_hashes.begin(), u->password_hashes.end(), hash);
  if (it == u->password_hashes.end()) {
    *error = "The password you are trying to remove from the user does not exist";
    return false;
  }
  u->password_hashes.erase(it);
  return true;
}

void AddHash(User* u, std::string hash) {
  u->nopass = false;
  if (std::find(u->password_hashes.begin(), u->password_hashes.end(), hash) ==
      u->password_hashes.end()) {
    u->password_hashes.push_back(std::move(hash));
  }
}

// A rule only the user itself takes (not a "(...)" selector).
bool ApplyUserRule(User* u, std::string_view rule, std::string* error) {
  std::string lower = Lower(rule);
  if (lower == "on" || lower == "off") {
    u->enabled = lower == "on";
  } else if (lower == "nopass") {
    u->password_hashes.clear();
    u->nopass = true;
  } else if (lower == "resetpass") {
    u->password_hashes.clear();
    u->nopass = false;
  } else if (lower == "sanitize-payload") {
    u->sanitize = User::Sanitize::kSanitize;
  } else if (lower == "skip-sanitize-payload") {
    u->sanitize = User::Sanitize::kSkip;
  } else if (lower == "clearselectors") {
    u->selectors.clear();
  } else if (lower == "reset") {
    std::string name = u->name;
    *u = NewUser(name);
    u->sanitize = User::Sanitize::kSanitize;
  } else if (!rule.empty() && rule[0] == '>') {
    AddHash(u, Sha256Hex(rule.substr(1)));
  } else if (!rule.empty() && rule[0] == '<') {
    return RemoveHash(u, Sha256Hex(rule.substr(1)), error);
  } else if (!rule.empty() && (rule[0] == '#' || rule[0] == '!')) {
    std::string hash(rule.substr(1));
    if (!ValidHash(hash)) {
      *error =
          "The password hash must be exactly 64 characters and contain only lowercase "
          "hexadecimal characters";
      return false;
    }
    if (rule[0] == '!') return RemoveHash(u, hash, error);
    AddHash(u, std::move(hash));
  } else {
    return ApplySelectorRule(&u->root, rule, error);
  }
  return true;
}

// Splits a selector's text as Redis splits arguments: on spaces.
std::vector<std::string_view> SplitWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

}  // namespace

Selector::Selector() : allowed((EntryCount() + 63) / 64, 0) {}

bool Selector::Allows(const CommandSpec& spec) const {
  return (allowed[spec.acl_id / 64] >> (spec.acl_id % 64)) & 1;
}

bool Selector::AllowsFirstArg(const CommandSpec& spec, std::string_view first_arg) const {
  for (const auto& [id, arg] : first_args) {
    if (id != spec.acl_id || arg.size() != first_arg.size()) continue;
    if (Lower(first_arg) == arg) return true;
  }
  return false;
}

bool Selector::AllBits() const {
  size_t n = EntryCount();
  for (size_t id = 0; id < n; ++id) {
    if (!((allowed[id / 64] >> (id % 64)) & 1)) return false;
  }
  return true;
}

bool User::CheckPassword(std::string_view password) const {
  if (nopass) return true;
  std::string hash = Sha256Hex(password);
  bool match = false;
  for (const std::string& stored : password_hashes) {
    match |= CRYPTO_memcmp(stored.data(), hash.data(), hash.size()) == 0;
  }
  return match;
}

void SetPubsubDefaultAllChannels(bool all) {
  g_pubsub_default_all.store(all, std::memory_order_relaxed);
}

User NewUser(std::string_view name) {
  User user;
  user.name = std::string(name);
  user.root.all_channels = g_pubsub_default_all.load(std::memory_order_relaxed);
  return user;
}

User DefaultUser() {
  User user = NewUser("default");
  user.enabled = true;
  user.nopass = true;
  std::string error;
  ApplySelectorRule(&user.root, "+@all", &error);
  ApplySelectorRule(&user.root, "~*", &error);
  ApplySelectorRule(&user.root, "&*", &error);
  return user;
}

bool ApplyRules(User* user, std::span<const std::string_view> rules, RuleError* error) {
  for (size_t i = 0; i < rules.size(); ++i) {
    std::string_view rule = rules[i];
    if (!rule.starts_with('(')) {
      if (!ApplyUserRule(user, rule, &error->reason)) {
        error->modifier = std::string(rule);
        return false;
      }
      continue;
    }
    // "(+get ~a*)", possibly spread over several arguments.
    std::string text(rule);
    size_t j = i;
    while (!text.ends_with(')') && j + 1 < rules.size()) {
      text += ' ';
      text += rules[++j];
    }
    if (!text.ends_with(')') || text.size() < 2) {
      error->modifier.clear();
      error->reason =
          "Unmatched parenthesis in acl selector starting at '" + std::string(rule) + "'.";
      return false;
    }
    i = j;
    Selector selector;
    for (std::string_view word : SplitWords(std::string_view(text).substr(1, text.size() - 2))) {
      if (!ApplySelectorRule(&selector, word, &error->reason)) {
        error->modifier = text;
        return false;
      }
    }
    user->selectors.push_back(std::move(selector));
  }
  return true;
}

std::string RuleError::Text(std::string_view what) const {
  if (modifier.empty()) return reason;
  return std::string(what) + " '" + modifier + "': " + reason;
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  return HexLower(digest, length);
}

}  // namespace ember::acl
