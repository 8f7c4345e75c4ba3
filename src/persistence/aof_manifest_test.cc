#include "persistence/aof_manifest.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "persistence/aof_file.h"
#include "persistence/aof_test_util.h"

namespace ember {
namespace {

using aof_test::ReadFile;
using aof_test::TempDir;
using aof_test::WriteFile;

AofManifest ParseOk(std::string_view text) {
  AofManifest manifest;
  std::string error;
  EXPECT_TRUE(AofManifest::Parse(text, &manifest, &error)) << error;
  return manifest;
}

std::string ParseError(std::string_view text) {
  AofManifest manifest;
  std::string error;
  EXPECT_FALSE(AofManifest::Parse(text, &manifest, &error)) << text;
  return error;
}

TEST(AofManifest, SerialisesRedisBytes) {
  AofManifest manifest;
  manifest.StartNewBase("appendonly.aof", AofBaseFormat::kRdb);
  manifest.AddIncrement("appendonly.aof");
  EXPECT_EQ(manifest.Serialize(),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
}

TEST(AofManifest, RoundTripsBaseHistoryAndSeveralIncrements) {
  std::string text =
      "file appendonly.aof.2.base.rdb seq 2 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type h\n"
      "file appendonly.aof.2.incr.aof seq 2 type h\n"
      "file appendonly.aof.4.incr.aof seq 4 type i\n"
      "file appendonly.aof.5.incr.aof seq 5 type i\n";
  AofManifest manifest = ParseOk(text);
  ASSERT_TRUE(manifest.base);
  EXPECT_EQ(manifest.base->name, "appendonly.aof.2.base.rdb");
  EXPECT_EQ(manifest.base_seq, 2);
  ASSERT_EQ(manifest.history.size(), 2u);
  ASSERT_EQ(manifest.increments.size(), 2u);
  EXPECT_EQ(manifest.increments[1].seq, 5);
  EXPECT_EQ(manifest.incr_seq, 5);
  EXPECT_EQ(manifest.Serialize(), text);
  EXPECT_EQ(ParseOk(manifest.Serialize()), manifest);
}

TEST(AofManifest, QuotesNamesAsRedisDoes) {
  AofManifest manifest;
  manifest.increments.push_back({"my aof.1.incr.aof", 1, AofFileType::kIncrement});
  manifest.increments.push_back({"q\"b\\s\n\x01\xff.aof", 2, AofFileType::kIncrement});
  manifest.incr_seq = 2;
  std::string text = manifest.Serialize();
  EXPECT_EQ(text,
            "file \"my aof.1.incr.aof\" seq 1 type i\n"
            "file \"q\\\"b\\\\s\\n\\x01\\xff.aof\" seq 2 type i\n");
  EXPECT_EQ(ParseOk(text), manifest);
}

TEST(AofManifest, SkipsCommentsAndIgnoresUnknownKeys) {
  AofManifest manifest = ParseOk(
      "# written by a future version\n"
      "FILE a.1.base.aof SEQ 1 TYPE b extra 7\n"
      "file a.1.incr.aof seq 1 type i\r\n"
      "file 'a.2.incr.aof' seq 2 type i");  // no newline at the very end
  ASSERT_TRUE(manifest.base);
  EXPECT_EQ(manifest.base->name, "a.1.base.aof");
  ASSERT_EQ(manifest.increments.size(), 2u);
  EXPECT_EQ(manifest.increments[1].name, "a.2.incr.aof");
}

TEST(AofManifest, BadManifestsNameTheLine) {
  EXPECT_EQ(ParseError(""), "Found an empty AOF manifest");
  EXPECT_EQ(ParseError("file a seq 1 type b\n\nfile b seq 1 type i\n"),
            "Invalid AOF manifest file format (manifest line 2: '')");
  EXPECT_EQ(ParseError("file a seq 1 type\n"),
            "Invalid AOF manifest file format (manifest line 1: 'file a seq 1 type')");
  EXPECT_EQ(ParseError("file a seq 1\n"),
            "Invalid AOF manifest file format (manifest line 1: 'file a seq 1')");
  EXPECT_NE(ParseError("file a seq x type b\n").find("Invalid AOF manifest file format"),
            std::string::npos);
  EXPECT_NE(ParseError("file a seq 0 type b\n").find("line 1"), std::string::npos);
  EXPECT_NE(ParseError("file a seq 1 type x\n").find("Unknown AOF file type"), std::string::npos);
  EXPECT_NE(ParseError("file a seq 1 type b\nfile b seq 2 type b\n")
                .find("Found duplicate base file information (manifest line 2"),
            std::string::npos);
  EXPECT_NE(ParseError("file a seq 2 type i\nfile b seq 2 type i\n")
                .find("Found a non-monotonic sequence number (manifest line 2"),
            std::string::npos);
  EXPECT_NE(ParseError("file ../a seq 1 type b\n").find("File can't be a path"), std::string::npos);
  EXPECT_NE(ParseError("file \"a seq 1 type b\n").find("Invalid AOF manifest file format"),
            std::string::npos);
  EXPECT_NE(ParseError("file " + std::string(1100, 'a') + " seq 1 type b\n").find("too long line"),
            std::string::npos);
}

TEST(AofManifest, NamingAndSequences) {
  EXPECT_EQ(AofManifestFileName("appendonly.aof"), "appendonly.aof.manifest");
  EXPECT_EQ(AofTempManifestFileName("appendonly.aof"), "temp-appendonly.aof.manifest");
  EXPECT_EQ(AofBaseFileName("appendonly.aof", 3, AofBaseFormat::kAof), "appendonly.aof.3.base.aof");
  EXPECT_EQ(AofIncrementFileName("appendonly.aof", 7), "appendonly.aof.7.incr.aof");
  EXPECT_EQ(AofPath("dir/", "x"), "dir/x");
  EXPECT_EQ(AofPath("dir", "x"), "dir/x");

  AofManifest manifest = ParseOk(
      "file x.1.base.rdb seq 1 type b\nfile x.1.incr.aof seq 1 type i\n"
      "file x.2.incr.aof seq 2 type i\n");
  EXPECT_EQ(manifest.AddIncrement("x"), "x.3.incr.aof");
  EXPECT_EQ(manifest.StartNewBase("x", AofBaseFormat::kRdb), "x.2.base.rdb");
  manifest.MarkIncrementsAsHistory(1);
  EXPECT_EQ(manifest.Serialize(),
            "file x.2.base.rdb seq 2 type b\n"
            "file x.1.incr.aof seq 1 type h\n"
            "file x.2.incr.aof seq 2 type h\n"
            "file x.1.base.rdb seq 1 type h\n"
            "file x.3.incr.aof seq 3 type i\n");
}

TEST(AofManifest, WritesAtomicallyAndReadsBack) {
  TempDir dir;
  AofManifest manifest;
  manifest.StartNewBase("appendonly.aof", AofBaseFormat::kAof);
  manifest.AddIncrement("appendonly.aof");
  std::string error;
  ASSERT_TRUE(
      WriteAofManifest(PosixAofFileSystem(), dir.path(), "appendonly.aof", manifest, &error))
      << error;
  EXPECT_EQ(ReadFile(dir / "appendonly.aof.manifest"), manifest.Serialize());
  EXPECT_FALSE(std::filesystem::exists(dir / "temp-appendonly.aof.manifest"));

  AofManifest read;
  bool exists = false;
  ASSERT_TRUE(ReadAofManifest(dir.path(), "appendonly.aof", &read, &exists, &error)) << error;
  EXPECT_TRUE(exists);
  EXPECT_EQ(read, manifest);

  ASSERT_TRUE(ReadAofManifest(dir.path(), "other.aof", &read, &exists, &error));
  EXPECT_FALSE(exists);

  WriteFile(dir / "bad.aof.manifest", "file a seq 1 type z\n");
  EXPECT_FALSE(ReadAofManifest(dir.path(), "bad.aof", &read, &exists, &error));
  EXPECT_NE(error.find("bad.aof.manifest"), std::string::npos) << error;
  EXPECT_NE(error.find("Unknown AOF file type (manifest line 1"), std::string::npos) << error;
}

}  // namespace
}  // namespace ember
