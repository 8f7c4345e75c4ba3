#include "scripting/function_library.h"

#include <gtest/gtest.h>

#include "scripting/lua_interpreter.h"

namespace ember {
namespace {

std::string ErrorOf(std::string_view source) {
  LibraryMetadata metadata;
  std::string error;
  EXPECT_FALSE(ParseLibraryMetadata(source, &metadata, &error)) << source;
  return error;
}

TEST(FunctionLibrary, ReadsTheNameAndBlanksTheMetadataLine) {
  LibraryMetadata m;
  std::string error;
  ASSERT_TRUE(ParseLibraryMetadata("#!lua name=mylib\nreturn 1", &m, &error)) << error;
  EXPECT_EQ(m.engine, "lua");
  EXPECT_EQ(m.name, "mylib");
  EXPECT_EQ(m.code, "\nreturn 1");  // line numbers stay the user's
  ASSERT_TRUE(ParseLibraryMetadata("#!LUA   name=x \t\nx", &m, &error)) << error;
  EXPECT_EQ(m.engine, "LUA");
  EXPECT_EQ(m.name, "x");
  EXPECT_TRUE(EngineIsLua(m.engine));
  EXPECT_FALSE(EngineIsLua("lu"));
}

TEST(FunctionLibrary, MetadataErrorsAreRedisTexts) {
  EXPECT_EQ(ErrorOf("return 1"), "ERR Missing library metadata");
  EXPECT_EQ(ErrorOf("#!lua name=x"), "ERR Invalid library metadata");
  EXPECT_EQ(ErrorOf("#!lua\nreturn 1"), "ERR Library name was not given");
  EXPECT_EQ(ErrorOf("#!lua name=a foo=bar\n"), "ERR Invalid metadata value given: foo=bar");
  EXPECT_EQ(ErrorOf("#!lua name=a name=b\n"),
            "ERR Invalid metadata value, name argument was given multiple times");
}

TEST(FunctionLibrary, NamesAreLettersDigitsAndUnderscores) {
  EXPECT_TRUE(ValidFunctionName("abc_09_XYZ"));
  EXPECT_FALSE(ValidFunctionName(""));
  EXPECT_FALSE(ValidFunctionName("a-b"));
  EXPECT_FALSE(ValidFunctionName("a b"));
  EXPECT_EQ(FunctionKey("MyFunc"), "myfunc");
}

TEST(FunctionLibrary, FlagsByNameInRedisOrder) {
  EXPECT_EQ(FunctionFlagByName("no-writes"), kScriptNoWrites);
  EXPECT_EQ(FunctionFlagByName("allow-cross-slot-keys"), kScriptAllowCrossSlot);
  EXPECT_FALSE(FunctionFlagByName("bogus").has_value());
  auto names = FunctionFlagNames(kScriptAllowOom | kScriptNoWrites | kScriptNoCluster);
  std::vector<std::string_view> want = {"no-writes", "allow-oom", "no-cluster"};
  EXPECT_EQ(names, want);
}

}  // namespace
}  // namespace ember
