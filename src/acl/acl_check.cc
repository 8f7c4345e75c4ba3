#include "acl/acl_check.h"

#include <vector>

#include "commands/command.h"
#include "common/glob.h"

namespace ember::acl {
namespace {

// What a key's flags ask of a pattern, as Redis 7: ACCESS reads the value, INSERT / DELETE /
// UPDATE change it; a key with neither (EXISTS, TYPE) passes with either permission.
uint8_t NeededPermissions(uint32_t key_flags) {
  uint8_t needed = 0;
  if (key_flags & kKeyAccess) needed |= kKeyRead;
  if (key_flags & (kKeyInsert | kKeyDelete | kKeyUpdate)) needed |= kKeyWrite;
  return needed;
}

bool KeyAllowed(const Selector& s, std::string_view key, uint8_t needed) {
  for (const KeyPattern& p : s.keys) {
    if ((p.permissions & needed) == needed && GlobMatch(p.pattern, key)) return true;
  }
  return false;
}

CheckResult CheckKeys(const Selector& s, const CommandSpec& spec,
                      std::span<const std::string_view> args) {
  if (s.all_keys) return {};
  thread_local std::vector<size_t> positions;
  thread_local std::vector<uint32_t> flags;
  CommandTable::KeysWithFlags(spec, args, &positions, &flags);
  for (size_t i = 0; i < positions.size(); ++i) {
    uint32_t f = i < flags.size() ? flags[i] : 0;
    if (f & kKeyNotKey) continue;  // a shard channel in a key's place: checked as a channel
    if (!KeyAllowed(s, args[positions[i]], NeededPermissions(f))) {
      return {Denial::kKey, args[positions[i]], positions[i]};
    }
  }
  return {};
}

bool ChannelAllowed(const Selector& s, std::string_view channel, bool literal) {
  for (const std::string& p : s.channels) {
    if (literal ? p == channel : GlobMatch(p, channel)) return true;
  }
  return false;
}

// PUBLISH / SPUBLISH name one channel; (S)SUBSCRIBE several; PSUBSCRIBE patterns, which must
// be allowed literally (a pattern allows no wider pattern). Unsubscribing is always allowed.
CheckResult CheckChannels(const Selector& s, const CommandSpec& spec,
                          std::span<const std::string_view> args) {
  if (s.all_channels || !(spec.flags & kCmdPubSub) || args.size() < 2) return {};
  const std::string& name = spec.name;
  size_t last = args.size() - 1;
  bool literal = false;
  if (name == "publish" || name == "spublish") {
    last = 1;
  } else if (name == "psubscribe") {
    literal = true;
  } else if (name != "subscribe" && name != "ssubscribe") {
    return {};
  }
  for (size_t i = 1; i <= last; ++i) {
    if (!ChannelAllowed(s, args[i], literal)) return {Denial::kChannel, args[i], i};
  }
  return {};
}

CheckResult CheckSelector(const Selector& s, const CommandSpec& spec,
                          std::span<const std::string_view> args) {
  if (!s.Allows(spec) && !(args.size() >= 2 && s.AllowsFirstArg(spec, args[1]))) {
    return {Denial::kCommand, {}};
  }
  CheckResult keys = CheckKeys(s, spec, args);
  if (!keys.ok()) return keys;
  return CheckChannels(s, spec, args);
}

}  // namespace

CheckResult Check(const User& user, const CommandSpec& spec,
                  std::span<const std::string_view> args) {
  CheckResult result = CheckSelector(user.root, spec, args);
  // Any selector may allow the call. If none does, Redis reports the most telling refusal: a
  // channel over a key over the command, and of two alike the one further along the call.
  auto rank = [](Denial d) { return d == Denial::kChannel ? 3 : d == Denial::kKey ? 2 : 1; };
  for (const Selector& selector : user.selectors) {
    if (result.ok()) break;
    CheckResult other = CheckSelector(selector, spec, args);
    if (other.ok() || rank(other.denial) > rank(result.denial) ||
        (rank(other.denial) == rank(result.denial) && other.index > result.index)) {
      result = other;
    }
  }
  return result;
}

std::string NoPermError(const CheckResult& result, const CommandSpec& spec) {
  switch (result.denial) {
    case Denial::kKey:
      return "NOPERM this user has no permissions to access one of the keys used as arguments";
    case Denial::kChannel:
      return "NOPERM this user has no permissions to access one of the channels used as "
             "arguments";
    default:
      return "NOPERM this user has no permissions to run the '" + spec.name + "' command";
  }
}

std::string ExecNoPermError(const CheckResult& result) {
  std::string_view why = result.denial == Denial::kKey ? "no permission to touch the specified keys"
                         : result.denial == Denial::kChannel
                             ? "no permission to access one of the channels used as arguments"
                             : "no permission to execute the command or subcommand";
  return "NOPERM ACLs rules changed between the moment the transaction was accumulated and the "
         "EXEC call. This command is no longer allowed for the following reason: " +
         std::string(why);
}

std::string DryRunText(const CheckResult& result, const CommandSpec& spec) {
  switch (result.denial) {
    case Denial::kKey:
      return "This user has no permissions to access the '" + std::string(result.object) + "' key";
    case Denial::kChannel:
      return "This user has no permissions to access the '" + std::string(result.object) +
             "' channel";
    default:
      return "This user has no permissions to run the '" + spec.name + "' command";
  }
}

std::string_view DenialReason(Denial denial) {
  switch (denial) {
    case Denial::kKey:
      return "key";
    case Denial::kChannel:
      return "channel";
    default:
      return "command";
  }
}

std::string DenialObject(const CheckResult& result, const CommandSpec& spec) {
  return result.denial == Denial::kCommand ? spec.name : std::string(result.object);
}

}  // namespace ember::acl
