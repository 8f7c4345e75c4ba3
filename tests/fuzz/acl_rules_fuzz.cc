// libFuzzer target: ACL SETUSER rules. The input, split on ' ' and '\n', is applied to a new
// user; a refused rule set must say why, and an accepted one must describe itself in rules that
// rebuild it: the description applied to another new user gives the same description, and both
// users answer the same to a few calls.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "acl/acl_check.h"
#include "acl/acl_user.h"
#include "commands/command.h"

namespace {

std::vector<std::string_view> Split(std::string_view text) {
  std::vector<std::string_view> words;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ' ' || text[i] == '\n') {
      if (i > start) words.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return words;
}

const std::vector<std::vector<std::string_view>>& Probes() {
  static const std::vector<std::vector<std::string_view>> probes = {
      {"get", "a"},       {"set", "k1", "v"},       {"config", "get", "hz"},
      {"select", "0"},    {"publish", "news", "m"}, {"psubscribe", "n*"},
      {"copy", "a", "b"}, {"hdel", "h", "f"},       {"client", "kill", "1.2.3.4:5"}};
  return probes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> rules = Split(text);
  ember::acl::User user = ember::acl::NewUser("u");
  ember::acl::RuleError error;
  if (!ember::acl::ApplyRules(&user, rules, &error)) {
    if (error.reason.empty()) abort();  // a refusal always says why
    return 0;
  }
  // A selector's pattern that ends in ')' would end the selector when read back: ACL files
  // cannot say it (Redis's neither), so such users are not round-tripped.
  for (const ember::acl::Selector& selector : user.selectors) {
    for (const auto& key : selector.keys) {
      if (key.pattern.ends_with(')')) return 0;
    }
    for (const std::string& channel : selector.channels) {
      if (channel.ends_with(')')) return 0;
    }
  }
  std::string description = ember::acl::DescribeUser(user);
  std::vector<std::string_view> words = Split(description);
  // "user u on ..." : the rules start after the name; selectors' words rejoin inside ApplyRules.
  std::vector<std::string_view> again(words.begin() + 2, words.end());
  ember::acl::User rebuilt = ember::acl::NewUser("u");
  if (!ember::acl::ApplyRules(&rebuilt, again, &error)) abort();
  if (ember::acl::DescribeUser(rebuilt) != description) abort();
  for (const auto& probe : Probes()) {
    std::string why;
    const ember::CommandSpec* spec = ember::CommandTable::Instance().Validate(probe, &why);
    if (spec == nullptr) continue;
    if (ember::acl::Check(user, *spec, probe).denial !=
        ember::acl::Check(rebuilt, *spec, probe).denial) {
      abort();
    }
  }
  return 0;
}
