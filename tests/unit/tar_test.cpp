// ustar writer: read back by our reader and by GNU tar.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "formats/containers/tar.h"

namespace imgpipe {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST(TarTest, RoundTripAndGnuTarAgree) {
  std::vector<uint8_t> tar;
  const std::string long_name = std::string(120, 'd') + "/" + std::string(90, 'f') + ".jpg";
  ASSERT_TRUE(AppendTarEntry(&tar, "a.jpg", Bytes("hello")).ok());
  ASSERT_TRUE(AppendTarEntry(&tar, "a.json", Bytes(std::string(1000, 'x'))).ok());
  ASSERT_TRUE(AppendTarEntry(&tar, "empty.cls", {}).ok());
  ASSERT_TRUE(AppendTarEntry(&tar, long_name, Bytes("z")).ok());
  AppendTarEnd(&tar);
  EXPECT_EQ(tar.size() % 512, 0u);
  auto entries = ReadTar(tar);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries->size(), 4u);
  EXPECT_EQ((*entries)[1].data.size(), 1000u);
  EXPECT_EQ((*entries)[3].name, long_name);

  const auto path = std::filesystem::temp_directory_path() / "imgpipe_tar_test.tar";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(tar.data()), tar.size());
  FILE* p = popen(("tar -tf " + path.string() + " 2>&1").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string listing;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) listing += buf;
  EXPECT_EQ(pclose(p), 0) << listing;
  EXPECT_EQ(listing, "a.jpg\na.json\nempty.cls\n" + long_name + "\n");
  std::filesystem::remove(path);
}

TEST(TarTest, RefusesBadNamesAndDetectsCorruption) {
  std::vector<uint8_t> tar;
  EXPECT_FALSE(AppendTarEntry(&tar, std::string(300, 'a'), {}).ok());
  EXPECT_FALSE(AppendTarEntry(&tar, "", {}).ok());
  ASSERT_TRUE(AppendTarEntry(&tar, "k.txt", Bytes("data")).ok());
  AppendTarEnd(&tar);
  auto bad = tar;
  bad[10] ^= 1;  // inside the name: checksum no longer matches
  EXPECT_FALSE(ReadTar(bad).ok());
  std::vector<uint8_t> cut(tar.begin(), tar.begin() + 1024);
  EXPECT_FALSE(ReadTar(cut).ok());
}

}  // namespace
}  // namespace imgpipe
