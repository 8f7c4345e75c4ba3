#pragma once
// An ACL user as Redis 7 has it: on/off, passwords (SHA-256), and selectors — the root one and
// any added with "(...)" — each naming the commands, keys and channels it allows. A user is
// built by ACL SETUSER rules (ApplyRules) and never changed once published: the registry swaps
// in a new one, so clients on every thread read theirs without a lock.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ember {
struct CommandSpec;
}

namespace ember::acl {

enum KeyPermission : uint8_t { kKeyRead = 1, kKeyWrite = 2, kKeyReadWrite = 3 };

struct KeyPattern {
  std::string pattern;
  uint8_t permissions = kKeyReadWrite;
};

struct Selector {
  // One bit per command-table entry (CommandSpec::acl_id), subcommands included.
  std::vector<uint64_t> allowed;
  // Set by +@all and kept until -@all: commands added later are allowed too (Redis's
  // "can execute future commands"), and the rules are described from "+@all".
  bool all_commands = false;
  // "+select|0": a command allowed only with this first argument (lower case).
  std::vector<std::pair<uint16_t, std::string>> first_args;
  // The command rules since the last +@all / -@all, as given (lower case); a rule for the same
  // command or category as an earlier one replaces it. ACL LIST shows them in this order.
  std::vector<std::string> command_rules;
  bool all_keys = false;
  std::vector<KeyPattern> keys;
  bool all_channels = false;
  std::vector<std::string> channels;

  Selector();
  bool Allows(const CommandSpec& spec) const;
  bool AllowsFirstArg(const CommandSpec& spec, std::string_view first_arg) const;
  // Everything, everywhere: the check can be skipped.
  bool Unrestricted() const { return all_commands && all_keys && all_channels && AllBits(); }
  bool AllBits() const;
};

struct User {
  enum class Sanitize : uint8_t { kUnset, kSanitize, kSkip };
  std::string name;
  bool enabled = false;
  bool nopass = false;
  Sanitize sanitize = Sanitize::kUnset;
  std::vector<std::string> password_hashes;  // SHA-256, 64 lower-case hex characters
  Selector root;
  std::vector<Selector> selectors;

  bool Unrestricted() const { return selectors.empty() && root.Unrestricted(); }
  // Whether `password` opens this user (constant time over the stored hashes).
  bool CheckPassword(std::string_view password) const;
};

// A user as ACL SETUSER creates it: off, no password, no keys, no channels, -@all.
User NewUser(std::string_view name);
// The default user at start: on, nopass, ~* &* +@all.
User DefaultUser();

// Why a rule was refused: the rule (empty for an unmatched parenthesis) and Redis's reason.
struct RuleError {
  std::string modifier;
  std::string reason;
  // "Error in ACL SETUSER modifier" (SETUSER) or "Error in applying operation" (ACL files),
  // then the rule and the reason.
  std::string Text(std::string_view what) const;
};

// Applies ACL SETUSER rules to `user` in order; false at the first bad rule, leaving `user`
// partly changed (callers work on a copy).
bool ApplyRules(User* user, std::span<const std::string_view> rules, RuleError* error);

// ACL files and SETUSER: whether new users and `reset` allow every channel
// (acl-pubsub-default allchannels) or none (resetchannels, Redis 7's default).
void SetPubsubDefaultAllChannels(bool all);

// Describes a user as ACL LIST does: "user alice on #... ~* resetchannels -@all +get".
std::string DescribeUser(const User& user);
// ACL GETUSER's "commands", "keys" and "channels" of one selector.
std::string DescribeCommands(const Selector& selector);
std::string DescribeKeys(const Selector& selector);
std::string DescribeChannels(const Selector& selector);

std::string Sha256Hex(std::string_view text);

}  // namespace ember::acl
