// Files: SafeJoin's refusals (climbing out, absolute, empty, symlinks), atomic writes that leave
// no temporary files, and bounded reads.
#include "libcommon/files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace imgpipe {
namespace {

namespace fs = std::filesystem;

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "imgpipe-files-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::vector<std::string> ListAll() const {
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(dir_))
      names.push_back(fs::relative(e.path(), dir_).string());
    std::sort(names.begin(), names.end());
    return names;
  }
  static std::string Slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }
  fs::path dir_;
};

TEST_F(FilesTest, SafeJoinAcceptsPlainRelativeNames) {
  EXPECT_EQ(SafeJoin(dir_, "a.jpg").value(), dir_ / "a.jpg");
  EXPECT_EQ(SafeJoin(dir_, "a/b/c.jpg").value(), dir_ / "a" / "b" / "c.jpg");
  EXPECT_EQ(SafeJoin(dir_, "./a//b").value(), dir_ / "a" / "b");
  EXPECT_EQ(SafeJoin(dir_, "..a/b..").value(), dir_ / "..a" / "b..");
}

TEST_F(FilesTest, SafeJoinRefusesEscapes) {
  for (const std::string& bad : std::vector<std::string>{"..", "../x", "a/../../b", "a/..", "a/b/../../../c", "/abs", "/",
                          "//double", "", ".", "./", std::string("a\0b", 3)}) {
    auto r = SafeJoin(dir_, bad);
    ASSERT_FALSE(r.ok()) << "accepted \"" << bad << "\"";
    EXPECT_EQ(r.error().code, "unsafe-path") << bad;
  }
}

TEST_F(FilesTest, SafeJoinRefusesSymlinksOnTheWay) {
  fs::create_directories(dir_ / "real" / "sub");
  fs::create_directory_symlink("/tmp", dir_ / "out");
  fs::create_directory_symlink(dir_ / "real", dir_ / "inside");
  fs::create_symlink(dir_ / "real" / "target", dir_ / "real" / "file-link");
  for (const char* bad : {"out/x.jpg", "out", "inside/sub/x", "real/file-link"}) {
    auto r = SafeJoin(dir_, bad);
    ASSERT_FALSE(r.ok()) << "accepted " << bad;
    EXPECT_EQ(r.error().code, "unsafe-path");
    EXPECT_NE(r.error().message.find("symlink"), std::string::npos);
  }
  EXPECT_TRUE(SafeJoin(dir_, "real/sub/x.jpg").ok());
  // A dangling symlink is still a symlink.
  fs::create_symlink(dir_ / "nowhere", dir_ / "dangling");
  EXPECT_FALSE(SafeJoin(dir_, "dangling/x").ok());
}

TEST_F(FilesTest, WriteFileAtomicCreatesParentsAndLeavesNoTempFiles) {
  const std::vector<uint8_t> bytes = {0, 1, 2, 255, '\n'};
  ASSERT_TRUE(WriteFileAtomic(dir_ / "a" / "b" / "c.bin", bytes).ok());
  EXPECT_EQ(Slurp(dir_ / "a" / "b" / "c.bin"), std::string("\0\1\2\xff\n", 5));
  const std::vector<uint8_t> other = {'x'};
  ASSERT_TRUE(WriteFileAtomic(dir_ / "a" / "b" / "c.bin", other).ok());  // replaces
  EXPECT_EQ(Slurp(dir_ / "a" / "b" / "c.bin"), "x");
  ASSERT_TRUE(WriteFileAtomic(dir_ / "empty", {}).ok());
  EXPECT_EQ(fs::file_size(dir_ / "empty"), 0u);
  EXPECT_EQ(ListAll(), (std::vector<std::string>{"a", "a/b", "a/b/c.bin", "empty"}));
}

TEST_F(FilesTest, WriteFileAtomicFailureLeavesNoTempFiles) {
  ASSERT_TRUE(WriteFileAtomic(dir_ / "file", std::vector<uint8_t>{1}).ok());
  // The parent is a file: nothing can be created under it.
  Status s = WriteFileAtomic(dir_ / "file" / "x", std::vector<uint8_t>{1});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "io");
  // The target is a non-empty directory: the rename fails after the temp file was written.
  fs::create_directories(dir_ / "dir" / "inner");
  s = WriteFileAtomic(dir_ / "dir", std::vector<uint8_t>{1, 2, 3});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(ListAll(), (std::vector<std::string>{"dir", "dir/inner", "file"}));
}

TEST_F(FilesTest, ReadFileBytes) {
  ASSERT_TRUE(WriteFileAtomic(dir_ / "f", std::vector<uint8_t>(100, 7)).ok());
  auto r = ReadFileBytes((dir_ / "f").string(), 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), std::vector<uint8_t>(100, 7));
  auto big = ReadFileBytes((dir_ / "f").string(), 99);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, "too-large");
  auto missing = ReadFileBytes((dir_ / "nope").string(), 100);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "io");
  auto directory = ReadFileBytes(dir_.string(), 100);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().code, "io");
}

}  // namespace
}  // namespace imgpipe
