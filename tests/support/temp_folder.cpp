#include "tests/support/temp_folder.h"

#include <unistd.h>

#include <fstream>
#include <iterator>

#include "tests/support/image_fixtures.h"

namespace imgpipe::testing {

namespace fs = std::filesystem;

void TempFolderTest::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = fs::temp_directory_path() / ("imgpipe_" + std::string(Prefix()) + "_" +
                                      std::string(info->name()) + "_" + std::to_string(::getpid()));
  fs::remove_all(dir_);
  fs::create_directories(dir_);
}

void TempFolderTest::TearDown() { fs::remove_all(dir_); }

void TempFolderTest::Write(const std::string& rel, const std::string& text) const {
  fs::create_directories((dir_ / rel).parent_path());
  std::ofstream(dir_ / rel, std::ios::binary) << text;
}

std::string TempFolderTest::Read(const std::string& rel) const {
  std::ifstream in(dir_ / rel, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void TempFolderTest::Png(const std::string& rel, int w, int h) const {
  auto bytes = MakePng(MakePattern(w, h, 3));
  fs::create_directories((dir_ / rel).parent_path());
  std::ofstream(dir_ / rel, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

}  // namespace imgpipe::testing
