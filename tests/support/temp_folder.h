// A test fixture with a fresh folder per test (removed afterwards) and helpers to put files in it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace imgpipe::testing {

class TempFolderTest : public ::testing::Test {
 public:
  // <tmp>/imgpipe_<prefix>_<test name>_<pid>, empty.
  void SetUp() override;
  void TearDown() override;

  std::string P(const std::string& rel) const { return (dir_ / rel).string(); }
  // Writes `text` to dir/rel, making the folders on the way.
  void Write(const std::string& rel, const std::string& text) const;
  std::string Read(const std::string& rel) const;
  // A w x h RGB PNG (image_fixtures' pattern) at dir/rel.
  void Png(const std::string& rel, int w, int h) const;

 protected:
  virtual const char* Prefix() const { return "test"; }
  std::filesystem::path dir_;
};

}  // namespace imgpipe::testing
