#include "acl/acl_user.h"

#include <gtest/gtest.h>

#include "acl/acl_check.h"
#include "commands/command.h"

namespace ember::acl {
namespace {

User Build(std::vector<std::string_view> rules) {
  User user = NewUser("u");
  RuleError error;
  EXPECT_TRUE(ApplyRules(&user, rules, &error)) << error.Text("rule");
  return user;
}

Denial Try(const User& user, std::vector<std::string_view> call) {
  std::string error;
  const CommandSpec* spec = CommandTable::Instance().Validate(call, &error);
  EXPECT_NE(spec, nullptr) << error;
  return Check(user, *spec, call).denial;
}

TEST(AclUserTest, NewUserIsOffWithNothingAllowed) {
  User user = NewUser("alice");
  EXPECT_EQ(DescribeUser(user), "user alice off resetchannels -@all");
  EXPECT_EQ(Try(user, {"get", "k"}), Denial::kCommand);
}

TEST(AclUserTest, DefaultUserIsUnrestricted) {
  User user = DefaultUser();
  EXPECT_TRUE(user.Unrestricted());
  EXPECT_EQ(DescribeUser(user), "user default on nopass ~* &* +@all");
  EXPECT_FALSE(Build({"+@all", "~*", "&*", "-get"}).Unrestricted());
}

TEST(AclUserTest, PasswordsAreHashedAndChecked) {
  User user = Build({">pw", ">other", "<other"});
  ASSERT_EQ(user.password_hashes.size(), 1u);
  EXPECT_EQ(user.password_hashes[0], Sha256Hex("pw"));
  EXPECT_TRUE(user.CheckPassword("pw"));
  EXPECT_FALSE(user.CheckPassword("other"));
  EXPECT_FALSE(user.CheckPassword(""));
  EXPECT_TRUE(Build({"nopass"}).CheckPassword("anything"));
}

TEST(AclUserTest, KeyPermissionsFollowTheKeyFlags) {
  User user = Build({"+@all", "%R~r*", "%W~w*"});
  EXPECT_EQ(Try(user, {"get", "r1"}), Denial::kNone);
  EXPECT_EQ(Try(user, {"get", "w1"}), Denial::kKey);
  EXPECT_EQ(Try(user, {"set", "w1", "v"}), Denial::kNone);        // overwrites: write only
  EXPECT_EQ(Try(user, {"set", "w1", "v", "get"}), Denial::kKey);  // reads it too
  EXPECT_EQ(Try(user, {"exists", "w1"}), Denial::kNone);          // metadata: either permission
  EXPECT_EQ(Try(user, {"incr", "w1"}), Denial::kKey);             // read and write
  EXPECT_EQ(Try(user, {"copy", "r1", "w2"}), Denial::kNone);
}

TEST(AclUserTest, SubcommandsCategoriesAndFirstArgs) {
  User user = Build({"-@all", "+config", "-config|set", "+@hash", "-hdel", "+select|0", "~*"});
  EXPECT_EQ(Try(user, {"config", "get", "hz"}), Denial::kNone);
  EXPECT_EQ(Try(user, {"config", "set", "hz", "5"}), Denial::kCommand);
  EXPECT_EQ(Try(user, {"hset", "h", "f", "v"}), Denial::kNone);
  EXPECT_EQ(Try(user, {"hdel", "h", "f"}), Denial::kCommand);
  EXPECT_EQ(Try(user, {"select", "0"}), Denial::kNone);
  EXPECT_EQ(Try(user, {"select", "1"}), Denial::kCommand);
  EXPECT_EQ(DescribeCommands(user.root), "-@all +config -config|set +@hash -hdel +select|0");
}

TEST(AclUserTest, ARuleForTheSameTargetReplacesTheEarlierOne) {
  User user = Build({"-@all", "+get", "+@read", "-get", "+get"});
  EXPECT_EQ(DescribeCommands(user.root), "-@all +@read +get");
  EXPECT_EQ(DescribeCommands(Build({"+@hash", "+@all", "-set"}).root), "+@all -set");
}

TEST(AclUserTest, SelectorsAllowWhatTheRootDoesNot) {
  User user = Build({"-@all", "+get", "~a*", "(+set ~b*)"});
  EXPECT_EQ(Try(user, {"get", "a1"}), Denial::kNone);
  EXPECT_EQ(Try(user, {"set", "b1", "v"}), Denial::kNone);
  EXPECT_EQ(Try(user, {"set", "a1", "v"}), Denial::kKey);  // a key refusal beats the command's
  EXPECT_EQ(Try(user, {"mset", "a1", "v"}), Denial::kCommand);
  EXPECT_EQ(DescribeUser(user),
            "user u off ~a* resetchannels -@all +get (~b* resetchannels -@all +set)");
}

TEST(AclUserTest, ChannelsMatchAsGlobsAndPatternsLiterally) {
  User user = Build({"+@all", "~*", "&news.*"});
  EXPECT_EQ(Try(user, {"publish", "news.a", "m"}), Denial::kNone);
  EXPECT_EQ(Try(user, {"publish", "sport", "m"}), Denial::kChannel);
  EXPECT_EQ(Try(user, {"psubscribe", "news.*"}), Denial::kNone);
  EXPECT_EQ(Try(user, {"psubscribe", "news.a*"}), Denial::kChannel);
  EXPECT_EQ(Try(user, {"unsubscribe", "sport"}), Denial::kNone);
}

TEST(AclUserTest, DescriptionsRebuildTheSameUser) {
  for (std::vector<std::string_view> rules :
       {std::vector<std::string_view>{"%RW~*", "~b", "%R~c", "&x", "-@all", "+get", "(~q +set)"},
        std::vector<std::string_view>{"on", ">pw", "allkeys", "allchannels", "+@all", "-del"},
        std::vector<std::string_view>{"reset", "~", "&", "()", "+select|0"}}) {
    User user = Build(rules);
    std::string description = DescribeUser(user);
    std::vector<std::string> words;
    for (size_t i = 0, start = 0; i <= description.size(); ++i) {
      if (i == description.size() || description[i] == ' ') {
        if (i > start) words.push_back(description.substr(start, i - start));
        start = i + 1;
      }
    }
    std::vector<std::string_view> again(words.begin() + 2, words.end());
    EXPECT_EQ(DescribeUser(Build(again)), description);
  }
}

TEST(AclUserTest, BadRulesSayWhich) {
  User user = NewUser("u");
  RuleError error;
  std::vector<std::string_view> rules = {"on", "+nosuch"};
  EXPECT_FALSE(ApplyRules(&user, rules, &error));
  EXPECT_EQ(error.Text("Error in ACL SETUSER modifier"),
            "Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL");
  rules = {"(+get", "~a"};
  EXPECT_FALSE(ApplyRules(&user, rules, &error));
  EXPECT_EQ(error.Text("x"), "Unmatched parenthesis in acl selector starting at '(+get'.");
  rules = {"~*", "~a"};
  EXPECT_FALSE(ApplyRules(&user, rules, &error));
  EXPECT_NE(error.reason.find("Try 'resetkeys'"), std::string::npos);
}

}  // namespace
}  // namespace ember::acl
