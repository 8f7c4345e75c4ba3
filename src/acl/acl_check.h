#pragma once
// Whether a user may run one call: its command, its keys (with the read/write permission each
// key's flags ask for) and its channels, in the root selector or any other one.
#include <span>
#include <string>
#include <string_view>

#include "acl/acl_user.h"

namespace ember {
struct CommandSpec;
}

namespace ember::acl {

enum class Denial : uint8_t { kNone, kCommand, kKey, kChannel };

struct CheckResult {
  Denial denial = Denial::kNone;
  std::string_view object;  // the key or channel refused (an argument of the call)
  size_t index = 0;         // its position in the call
  bool ok() const { return denial == Denial::kNone; }
};

CheckResult Check(const User& user, const CommandSpec& spec,
                  std::span<const std::string_view> args);

// The client's error: "NOPERM this user has no permissions to run the 'get' command" ...
std::string NoPermError(const CheckResult& result, const CommandSpec& spec);
// EXEC's error for a queued command the user may no longer run.
std::string ExecNoPermError(const CheckResult& result);
// ACL DRYRUN's text: "This user has no permissions to access the 'k' key" ...
std::string DryRunText(const CheckResult& result, const CommandSpec& spec);
// ACL LOG's reason and object for a denial.
std::string_view DenialReason(Denial denial);
std::string DenialObject(const CheckResult& result, const CommandSpec& spec);

}  // namespace ember::acl
