#include <gtest/gtest.h>

#include "command_runner.h"

namespace ember::testing {
TEST(Smoke, UnknownCommand) {
  CommandRunner r;
  EXPECT_EQ(r.Run({"nosuch", "a"}), "-ERR unknown command 'nosuch', with args beginning with: 'a' \r\n");
}
}  // namespace ember::testing
