// ACL LIST's and ACL GETUSER's text for a user: the rules that rebuild it.
#include "acl/acl_user.h"

namespace ember::acl {
namespace {

void Append(std::string* out, std::string_view word) {
  if (word.empty()) return;
  if (!out->empty()) *out += ' ';
  *out += word;
}

// The selector's keys, channels and commands as ACL LIST writes them.
std::string DescribeSelector(const Selector& s) {
  std::string out = DescribeKeys(s);
  Append(&out, s.all_channels ? std::string("&*") : "resetchannels");
  if (!s.all_channels) {
    for (const std::string& channel : s.channels) Append(&out, "&" + channel);
  }
  Append(&out, DescribeCommands(s));
  return out;
}

}  // namespace

std::string DescribeCommands(const Selector& selector) {
  std::string out = selector.all_commands ? "+@all" : "-@all";
  for (const std::string& rule : selector.command_rules) Append(&out, rule);
  return out;
}

std::string DescribeKeys(const Selector& selector) {
  if (selector.all_keys) return "~*";
  std::string out;
  for (const KeyPattern& key : selector.keys) {
    // A read-write "*" that is not allkeys (given as %RW~*) stays "%RW~*": "~*" would rebuild
    // as allkeys, which refuses the patterns after it.
    std::string word = key.permissions == kKeyRead    ? "%R~"
                       : key.permissions == kKeyWrite ? "%W~"
                       : key.pattern == "*"           ? "%RW~"
                                                      : "~";
    word += key.pattern;
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

std::string DescribeChannels(const Selector& selector) {
  if (selector.all_channels) return "&*";
  std::string out;
  for (const std::string& channel : selector.channels) {
    if (!out.empty()) out += ' ';
    out += "&" + channel;
  }
  return out;
}

std::string DescribeUser(const User& user) {
  std::string out = "user " + user.name;
  Append(&out, user.enabled ? "on" : "off");
  if (user.nopass) Append(&out, "nopass");
  if (user.sanitize == User::Sanitize::kSanitize) Append(&out, "sanitize-payload");
  if (user.sanitize == User::Sanitize::kSkip) Append(&out, "skip-sanitize-payload");
  for (const std::string& hash : user.password_hashes) Append(&out, "#" + hash);
  Append(&out, DescribeSelector(user.root));
  for (const Selector& selector : user.selectors)
    Append(&out, "(" + DescribeSelector(selector) + ")");
  return out;
}

}  // namespace ember::acl
